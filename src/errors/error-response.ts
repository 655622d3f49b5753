// One error path: every failure, wherever it is caught (Nest filter, Express middleware), becomes
// `{ error, message }` with the status the spec documents, through `toErrorResponse`.
import { HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { ErrorBody, ErrorCode } from '../contract/api-types.js';
import { isDatabaseUnavailable, isPoolQueueFull } from '../database/database-errors.js';
import { Refusal, type RefusalReason } from '../http/refusals.js';
import { DomainError, ERROR_STATUS } from './domain-error.js';

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Why a request was turned away (503, 429), for the refusal metrics. */
  reason?: RefusalReason;
}

const logger = new Logger('Errors');

const CODE_BY_STATUS = new Map<number, ErrorCode>(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
);

function codeFor(status: number): ErrorCode {
  return CODE_BY_STATUS.get(status) ?? (status >= 500 ? 'internal_error' : 'bad_request');
}

/** The contract bounds `message` (ErrorBody); a message built from caller input could be longer. */
const MAX_MESSAGE_LENGTH = 1000;
const bounded = (message: string): string =>
  message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message;

function fromDomain(error: DomainError): ErrorResponse {
  const response: ErrorResponse = { status: error.status, body: { error: error.code, message: bounded(error.message) }, headers: error.headers };
  if (error instanceof Refusal) response.reason = error.reason;
  return response;
}

/** Errors raised by Express's body parser carry a `type` and a `status`. */
function fromBodyParser(error: { type: string; status?: number; limit?: number }): ErrorResponse | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return fromDomain(new DomainError('payload_too_large', `The body is over the limit of ${error.limit} bytes.`));
    case 'entity.parse.failed':
      return fromDomain(new DomainError('bad_request', 'The body is not valid JSON.'));
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return fromDomain(new DomainError('unsupported_media_type', 'Send the body as UTF-8 application/json.'));
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return fromDomain(new DomainError('bad_request', 'The body could not be read.'));
    default:
      return undefined;
  }
}

function fromHttpException(error: HttpException): ErrorResponse {
  const status = error.getStatus();
  const response = error.getResponse();
  let message = error.message;
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const detail = (response as { message: unknown }).message;
    message = Array.isArray(detail) ? detail.join('; ') : String(detail);
  }
  return { status, body: { error: codeFor(status), message: bounded(message) }, headers: {} };
}

export function toErrorResponse(error: unknown, retryAfterSeconds: number): ErrorResponse {
  if (error instanceof DomainError) return fromDomain(error);
  if (error instanceof HttpException) return fromHttpException(error);
  if (error && typeof error === 'object' && typeof (error as { type?: unknown }).type === 'string') {
    const parsed = fromBodyParser(error as { type: string });
    if (parsed) return parsed;
  }
  // Before the outage check: a full pool queue means the database is up and every connection busy.
  if (isPoolQueueFull(error)) {
    return fromDomain(
      new Refusal(
        'service_unavailable',
        `The service is busy (every database connection is in use); retry after ${retryAfterSeconds} s. Nothing was written.`,
        retryAfterSeconds,
        'pool_queue_full',
      ),
    );
  }
  if (isDatabaseUnavailable(error)) {
    logger.warn(`database unavailable: ${(error as Error).message}`);
    return fromDomain(
      new Refusal(
        'service_unavailable',
        `The database is unavailable; retry after ${retryAfterSeconds} s.`,
        retryAfterSeconds,
        'database_unavailable',
      ),
    );
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return fromDomain(new DomainError('internal_error', 'Something went wrong on our side.'));
}

export function sendError(res: Response, error: ErrorResponse): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (error.reason) res.locals.refusal = error.reason;
  res.status(error.status).set(error.headers).json(error.body);
}
