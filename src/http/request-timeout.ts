// A request still unanswered after REQUEST_TIMEOUT_MS (a stalled upload, a stuck handler) gets a
// clean 503 instead of a socket left hanging; the connection is closed behind the answer, so a
// half-sent body is not read any further. The database work of a request has its own, shorter
// bounds (DB_QUERY_TIMEOUT_MS): this is the outer one.
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { sendError, toErrorResponse } from '../errors/error-response.js';
import { Refusal } from './refusals.js';

export function requestTimeout(config: AppConfig) {
  const message =
    `The request was not answered within ${config.requestTimeoutMs} ms. It may or may not have been ` +
    'stored; re-sending it is safe (contacts are idempotent by externalId).';
  return (_req: Request, res: Response, next: NextFunction): void => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      res.setHeader('Connection', 'close');
      const error = new Refusal('service_unavailable', message, config.retryAfterSeconds, 'request_timeout');
      sendError(res, toErrorResponse(error, config.retryAfterSeconds));
    }, config.requestTimeoutMs);
    const done = () => clearTimeout(timer);
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
