import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { sendError, toErrorResponse } from './error-response.js';

/** The one global filter: everything a handler, guard or pipe throws goes out as `{ error, message }`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    sendError(res, toErrorResponse(exception, this.config.retryAfterSeconds));
  }
}
