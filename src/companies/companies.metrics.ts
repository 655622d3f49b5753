import { Inject, Injectable } from '@nestjs/common';
import type { CreateCompaniesResponse } from '../contract/api-types.js';
import { BatchCounters } from '../metrics/batch-counters.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';

@Injectable()
export class CompaniesMetrics {
  private readonly counters: BatchCounters;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    this.counters = new BatchCounters(metrics, 'companies', {
      answered: 'Companies answered with a crmId by POST /companies, by outcome (created, existing).',
      rejected: 'Companies rejected by POST /companies, by error code.',
    });
  }

  /** Called once per batch with the answer it gets. */
  recordBatch(body: CreateCompaniesResponse): void {
    this.counters.recordBatch(body);
  }
}
