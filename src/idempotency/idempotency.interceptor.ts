import { applyDecorators, type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, type Observable, of, throwError } from 'rxjs';
import { IdempotencyService } from './idempotency.service.js';

/**
 * Interceptors run before pipes: the key is claimed before the body is validated, and a 400 from
 * validation releases it like any other error.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(IdempotencyService) private readonly idempotency: IdempotencyService) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const header = req.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    const key = this.idempotency.parseKey(header);
    const hash = this.idempotency.requestHash(req.method, req.path, req.body);
    const claim = await this.idempotency.claim(req.auth?.scope ?? '', key, hash);
    const res = http.getResponse<Response>();
    if (claim.kind === 'replay') {
      res.status(claim.status);
      return of(claim.body);
    }
    return next.handle().pipe(
      mergeMap((body: unknown) => from(this.idempotency.complete(claim.id, res.statusCode, body).then(() => body))),
      catchError((error: unknown) => from(this.idempotency.release(claim.id)).pipe(mergeMap(() => throwError(() => error)))),
    );
  }
}

/** Makes a POST that creates one record honour the Idempotency-Key header. */
export const Idempotent = () => applyDecorators(UseInterceptors(IdempotencyInterceptor));
