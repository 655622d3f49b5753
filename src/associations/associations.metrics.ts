import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { AssociationErrorCode, AssociationsResult } from '../contract/api-types.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';

@Injectable()
export class AssociationsMetrics {
  private readonly answered: Counter<'outcome'>;
  private readonly rejected: Counter<'code'>;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    this.answered = new Counter({
      name: 'crm_associations_total',
      help: 'Pairs linked by POST /associations, by outcome (created, existing).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    this.rejected = new Counter({
      name: 'crm_associations_rejected_total',
      help: 'Pairs rejected by POST /associations, by error code.',
      labelNames: ['code'],
      registers: [metrics.registry],
    });
    // Every label starts at 0, so that rate() and alerts work before the first occurrence.
    for (const outcome of ['created', 'existing']) this.answered.inc({ outcome }, 0);
  }

  /** Called once per batch with the answer it gets. */
  recordBatch(body: AssociationsResult): void {
    if (body.created > 0) this.answered.inc({ outcome: 'created' }, body.created);
    if (body.existing > 0) this.answered.inc({ outcome: 'existing' }, body.existing);
    const codes = new Map<AssociationErrorCode, number>();
    for (const { code } of body.errors) codes.set(code, (codes.get(code) ?? 0) + 1);
    for (const [code, count] of codes) this.rejected.inc({ code }, count);
  }
}
