import { ArgumentsHost, Catch, ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { sendError, toErrorResponse } from './error-response.js';

const logger = new Logger('Errors');

/** The one global filter: everything a handler, guard or pipe throws goes out as `{ error, message }`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      // The request timeout answered first; the handler's own ending (its result could not be
      // written, or it failed) is only worth a note.
      logger.warn(`a request finished after its answer was sent: ${exception instanceof Error ? exception.message : String(exception)}`);
      res.end();
      return;
    }
    sendError(res, toErrorResponse(exception, this.config.retryAfterSeconds));
  }
}
