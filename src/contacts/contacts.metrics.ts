import { Inject, Injectable } from '@nestjs/common';
import type { CreateContactsResponse } from '../contract/api-types.js';
import { BatchCounters } from '../metrics/batch-counters.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';

@Injectable()
export class ContactsMetrics {
  private readonly counters: BatchCounters;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    this.counters = new BatchCounters(metrics, 'contacts', {
      answered: 'Contacts answered with a crmId by POST /contacts, by outcome (created, existing).',
      rejected: 'Contacts rejected by POST /contacts, by error code.',
    });
  }

  /** Called once per batch with the answer it gets. */
  recordBatch(body: CreateContactsResponse): void {
    this.counters.recordBatch(body);
  }
}
