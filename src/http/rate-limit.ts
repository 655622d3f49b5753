// An optional limit per API key (RATE_LIMIT_PER_MINUTE, 0 = off): RATE_LIMIT_PER_MINUTE requests in
// each one-minute window of a key, counted by rate-limiter-flexible. Over it: 429 with Retry-After
// (the seconds until the key's window ends), before the body is read. GET /health is not counted:
// it is the readiness probe of load balancers and orchestrators, sent with a key every second or so.
//
// Where the count lives: with REDIS_URL, in Redis, so that every replica of the service counts against
// one allowance (N replicas do not give N times the quota); without it, in this process's memory, as
// for a single instance. Redis being away must not stop the service: a request that Redis cannot count
// is counted in memory instead (the same limit, per process, like without REDIS_URL), a counter says
// how many were, and a warning is logged at most once a minute. Redis is used again as soon as it answers.
//
// Every counted answer carries the IETF RateLimit-Policy / RateLimit fields
// (draft-ietf-httpapi-ratelimit-headers), so that a client can pace itself before it is refused.
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config.js';
import { sendError, toErrorResponse } from '../errors/error-response.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import { ROOT_LOGGER } from './logging.js';
import { Refusal } from './refusals.js';

const WINDOW_SECONDS = 60;
/** A Redis that does not answer within this is treated as away for that request. */
const REDIS_COMMAND_TIMEOUT_MS = 300;
const WARNING_INTERVAL_MS = 60_000;

export interface KeyRateLimiterOptions {
  perMinute: number;
  /** redis://... shares the count between processes; undefined keeps it in memory. */
  redisUrl?: string;
  /** Prefix of the Redis keys (tests use one each). */
  keyPrefix?: string;
  /** Called for each request that Redis could not count (it was counted in memory). */
  onStoreError?: (error: Error) => void;
}

export interface Take {
  wait: number;
  remaining: number;
  resetSeconds: number;
}

function taken(res: RateLimiterRes, allowed: boolean): Take {
  const resetSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return { wait: allowed ? 0 : resetSeconds, remaining: Math.max(0, res.remainingPoints), resetSeconds };
}

/** The limiter itself, without Nest: what the middleware asks, and what the unit tests exercise. */
export class KeyRateLimiter {
  private readonly memory: RateLimiterMemory;
  private readonly shared: RateLimiterRedis | undefined;
  readonly redis: Redis | undefined;

  constructor(private readonly options: KeyRateLimiterOptions) {
    const keyPrefix = options.keyPrefix ?? 'crm-rate-limit';
    this.memory = new RateLimiterMemory({ points: options.perMinute, duration: WINDOW_SECONDS, keyPrefix });
    if (options.redisUrl) {
      this.redis = new Redis(options.redisUrl, {
        // Fail at once while disconnected (the memory count takes over) instead of queueing requests.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 1000,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
        retryStrategy: (times) => Math.min(times * 200, 2000),
      });
      // Connection errors are reported through the requests that meet them; without a listener,
      // ioredis would print each reconnection failure.
      this.redis.on('error', () => undefined);
      this.shared = new RateLimiterRedis({ storeClient: this.redis, points: options.perMinute, duration: WINDOW_SECONDS, keyPrefix });
    }
  }

  /** Resolves once Redis is connected, or after `ms` (the limiter works either way). */
  async ready(ms = 2000): Promise<boolean> {
    const redis = this.redis;
    if (!redis) return true;
    if (redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      redis.once('ready', onReady);
    });
  }

  /**
   * Takes one request from `key`'s quota. `wait`: 0 when the request may go ahead now, else the whole
   * seconds to wait; `remaining`: requests left in the window; `resetSeconds`: until the window ends.
   */
  async take(key: string): Promise<Take> {
    try {
      return taken(await (this.shared ?? this.memory).consume(key), true);
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return taken(outcome, false);
      this.options.onStoreError?.(outcome instanceof Error ? outcome : new Error(String(outcome)));
    }
    try {
      return taken(await this.memory.consume(key), true);
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return taken(outcome, false);
      throw outcome;
    }
  }

  /** Closes the Redis connection and waits (at most a second) until it has ended, timers and all. */
  async close(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'end') return;
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      redis.once('end', resolve);
      timer = setTimeout(resolve, 1000);
    });
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
    await ended;
    clearTimeout(timer);
  }
}

/** The app's limiter: settings from AppConfig, a metric and throttled warnings for Redis outages. */
@Injectable()
export class RateLimits implements OnModuleInit, OnApplicationShutdown {
  readonly limiter: KeyRateLimiter | undefined;
  private lastWarning = 0;
  private unwarned = 0;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    const storeErrors = new Counter({
      name: 'crm_rate_limit_store_errors_total',
      help: 'Requests whose rate limit Redis (REDIS_URL) could not count; they were counted in this process instead.',
      registers: [metrics.registry],
    });
    storeErrors.inc(0);
    if (config.rateLimitPerMinute === 0) return;
    this.limiter = new KeyRateLimiter({
      perMinute: config.rateLimitPerMinute,
      redisUrl: config.redisUrl,
      onStoreError: (error) => {
        storeErrors.inc();
        this.warn(error);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    if (this.limiter && !(await this.limiter.ready())) {
      this.logger.warn('rate limit: Redis (REDIS_URL) is not reachable yet; counting per process until it is');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.limiter?.close();
  }

  private warn(error: Error): void {
    this.unwarned += 1;
    const now = Date.now();
    if (now - this.lastWarning < WARNING_INTERVAL_MS) return;
    this.logger.warn(
      { requests: this.unwarned, reason: error.message },
      'rate limit: Redis (REDIS_URL) did not answer; these requests were counted per process (the limit holds per replica only)',
    );
    this.lastWarning = now;
    this.unwarned = 0;
  }
}

/** Readiness probes (load balancers, orchestrators) must not be refused for the key's traffic. */
const isHealthProbe = (req: Request): boolean => (req.method === 'GET' || req.method === 'HEAD') && req.path === '/health';

/** Runs after the key check: requests are counted by key fingerprint, GET /health aside. */
export function rateLimit(config: AppConfig, limits: RateLimits) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = req.auth?.fingerprint;
    const limiter = limits.limiter;
    if (!limiter || key === undefined || isHealthProbe(req)) return next();
    limiter.take(key).then(
      ({ wait, remaining, resetSeconds }) => {
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
      },
      (error: unknown) => next(error),
    );
  };
}
