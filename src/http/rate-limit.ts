// An optional limit per API key (RATE_LIMIT_PER_MINUTE, 0 = off): a token bucket that holds a
// minute's worth of requests and refills continuously, so a key may burst up to the limit and then
// goes at the limit's pace. Over it: 429 with Retry-After, before the body is read. In memory, per
// process: one bucket per configured key, so it cannot grow. Every answer to a key carries the IETF
// RateLimit-Policy / RateLimit fields (draft-ietf-httpapi-ratelimit-headers), so a client can pace
// itself before it is refused.
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { sendError, toErrorResponse } from '../errors/error-response.js';
import { Refusal } from './refusals.js';

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes one request from `key`'s quota. `wait`: 0 when the request may go ahead now, else the whole
   * seconds to wait; `remaining`: requests left; `resetSeconds`: until the quota is whole again.
   */
  take(key: string): { wait: number; remaining: number; resetSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      wait: allowed ? 0 : Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute)),
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.ceil(((this.perMinute - bucket.tokens) * 60) / this.perMinute),
    };
  }
}

/** Runs after the key check: requests are counted by key fingerprint. */
export function rateLimit(config: AppConfig) {
  const limiter = config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute) : undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = req.auth?.fingerprint;
    if (!limiter || key === undefined) return next();
    const { wait, remaining, resetSeconds } = limiter.take(key);
    res.setHeader('RateLimit-Policy', `"per-key";q=${config.rateLimitPerMinute};w=60`);
    res.setHeader('RateLimit', `"per-key";r=${remaining};t=${resetSeconds}`);
    if (wait === 0) return next();
    const error = new Refusal(
      'too_many_requests',
      `This key is over its limit of ${config.rateLimitPerMinute} requests per minute; retry in ${wait} s.`,
      wait,
      'rate_limit',
    );
    sendError(res, toErrorResponse(error, config.retryAfterSeconds));
  };
}
