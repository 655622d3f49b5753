import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { ContactErrorCode, ContactResultStatus, CreateContactsResponse } from '../contract/api-types.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';

@Injectable()
export class ContactsMetrics {
  private readonly answered: Counter<'outcome'>;
  private readonly rejected: Counter<'code'>;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    this.answered = new Counter({
      name: 'crm_contacts_total',
      help: 'Contacts answered with a crmId by POST /contacts, by outcome (created, existing).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    this.rejected = new Counter({
      name: 'crm_contacts_rejected_total',
      help: 'Contacts rejected by POST /contacts, by error code.',
      labelNames: ['code'],
      registers: [metrics.registry],
    });
    // Every label starts at 0, so that rate() and alerts work before the first occurrence.
    for (const outcome of ['created', 'existing'] satisfies ContactResultStatus[]) this.answered.inc({ outcome }, 0);
  }

  /** Called once per batch with the answer it gets. */
  recordBatch(body: CreateContactsResponse): void {
    const outcomes = new Map<ContactResultStatus, number>();
    for (const { status } of body.results) outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
    for (const [outcome, count] of outcomes) this.answered.inc({ outcome }, count);
    const codes = new Map<ContactErrorCode, number>();
    for (const { code } of body.errors) codes.set(code, (codes.get(code) ?? 0) + 1);
    for (const [code, count] of codes) this.rejected.inc({ code }, count);
  }
}
