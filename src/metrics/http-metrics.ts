import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { REFUSAL_REASONS, type RefusalReason } from '../http/refusals.js';
import { MetricsRegistry } from './metrics.registry.js';
import { RouteTemplates } from './route-templates.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const LABELS = ['route', 'method', 'status'] as const;

@Injectable()
export class HttpMetrics {
  private readonly routes = RouteTemplates.fromContract();
  private readonly requests: Counter<(typeof LABELS)[number]>;
  private readonly duration: Histogram<(typeof LABELS)[number]>;
  private readonly refusals: Counter<'reason'>;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP answers, by route template, method and status.',
      labelNames: LABELS,
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from the request to the end of its answer, by route template, method and status.',
      labelNames: LABELS,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    });
    this.refusals = new Counter({
      name: 'crm_refusals_total',
      help: 'Requests turned away with 503 or 429, by reason.',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    // Every reason shows from the start, at 0: an alert on a rate needs the series to exist.
    for (const reason of REFUSAL_REASONS) this.refusals.inc({ reason }, 0);
  }

  /**
   * An Express middleware, installed before authentication so that 401s, 413s and 415s (answered
   * by middlewares, before Nest routes) are counted like every other answer.
   */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const started = process.hrtime.bigint();
      res.once('close', () => {
        const labels = {
          route: this.routes.match(req.path),
          method: METHODS.has(req.method) ? req.method : 'OTHER',
          // A client that hangs up before the answer is complete is counted apart.
          status: res.writableFinished ? String(res.statusCode) : 'aborted',
        };
        this.requests.inc(labels);
        const refusal = res.locals.refusal as RefusalReason | undefined;
        if (refusal) this.refusals.inc({ reason: refusal });
        this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    };
  }
}
