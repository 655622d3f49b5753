// The answers that turn a request away without failing it: each says why, carries Retry-After, and is
// counted by reason (crm_refusals_total). "Busy" is the service shedding load it could take later;
// "database unavailable" is the database being away. Clients retry both; operators read them apart.
import { DomainError } from '../errors/domain-error.js';
import type { ErrorCode } from '../contract/api-types.js';

export type RefusalReason =
  /** A bound of the whole service (bytes or batches in flight): 503. */
  | 'busy'
  /** One key over its share of the service: 429. */
  | 'key_share'
  /** One key over RATE_LIMIT_PER_MINUTE: 429. */
  | 'rate_limit'
  /** Every database connection busy and the pool's queue full: 503, busy. */
  | 'pool_queue_full'
  /** The database cannot be reached, or did not answer within DB_QUERY_TIMEOUT_MS: 503. */
  | 'database_unavailable'
  /** Not answered within REQUEST_TIMEOUT_MS: 503. */
  | 'request_timeout';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'busy',
  'key_share',
  'rate_limit',
  'pool_queue_full',
  'database_unavailable',
  'request_timeout',
];

export class Refusal extends DomainError {
  constructor(
    code: Extract<ErrorCode, 'service_unavailable' | 'too_many_requests'>,
    message: string,
    retryAfterSeconds: number,
    readonly reason: RefusalReason,
    headers: Record<string, string> = {},
  ) {
    super(code, message, { 'Retry-After': String(retryAfterSeconds), ...headers });
  }
}
