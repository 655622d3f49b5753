// An optional limit per API key (RATE_LIMIT_PER_MINUTE, 0 = off): a token bucket that holds a
// minute's worth of requests and refills continuously, so a key may burst up to the limit and then
// goes at the limit's pace. Over it: 429 with Retry-After, before the body is read. In memory, per
// process: one bucket per configured key, so it cannot grow.
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { sendError, toErrorResponse } from '../errors/error-response.js';

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when a request under `key` may go ahead now, else the whole seconds to wait. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute));
  }
}

/** Runs after the key check: requests are counted by key fingerprint. */
export function rateLimit(config: AppConfig) {
  const limiter = config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute) : undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = req.auth?.fingerprint;
    if (!limiter || key === undefined) return next();
    const wait = limiter.take(key);
    if (wait === 0) return next();
    const error = new DomainError(
      'too_many_requests',
      `This key is over its limit of ${config.rateLimitPerMinute} requests per minute; retry in ${wait} s.`,
      { 'Retry-After': String(wait) },
    );
    sendError(res, toErrorResponse(error, config.retryAfterSeconds));
  };
}
