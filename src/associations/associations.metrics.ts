import { Inject, Injectable } from '@nestjs/common';
import type { AssociationsResult } from '../contract/api-types.js';
import { BatchCounters } from '../metrics/batch-counters.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';

@Injectable()
export class AssociationsMetrics {
  private readonly counters: BatchCounters;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    this.counters = new BatchCounters(metrics, 'associations', {
      answered: 'Pairs linked by POST /associations, by outcome (created, existing).',
      rejected: 'Pairs rejected by POST /associations, by error code.',
    });
  }

  /** Called once per batch with the answer it gets. */
  recordBatch(body: AssociationsResult): void {
    this.counters.answer('created', body.created);
    this.counters.answer('existing', body.existing);
    this.counters.reject(body.errors);
  }
}
