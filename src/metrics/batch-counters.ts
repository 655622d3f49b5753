import { Counter } from 'prom-client';
import type { MetricsRegistry } from './metrics.registry.js';

/**
 * The two counters of a batch operation: `crm_<name>_total{outcome}` (items answered created or
 * existing) and `crm_<name>_rejected_total{code}` (items in errors, by code). A feature's metrics
 * class (src/contacts/contacts.metrics.ts, ...) makes one and feeds it each answer.
 */
export class BatchCounters {
  private readonly answered: Counter<'outcome'>;
  private readonly rejected: Counter<'code'>;

  constructor(metrics: MetricsRegistry, name: string, what: { answered: string; rejected: string }) {
    this.answered = new Counter({ name: `crm_${name}_total`, help: what.answered, labelNames: ['outcome'], registers: [metrics.registry] });
    this.rejected = new Counter({ name: `crm_${name}_rejected_total`, help: what.rejected, labelNames: ['code'], registers: [metrics.registry] });
    // Every label starts at 0, so that rate() and alerts work before the first occurrence.
    for (const outcome of ['created', 'existing']) this.answered.inc({ outcome }, 0);
  }

  answer(outcome: 'created' | 'existing', count = 1): void {
    if (count > 0) this.answered.inc({ outcome }, count);
  }

  /** Counts the errors of one answer by code. */
  reject(errors: readonly { code: string }[]): void {
    const codes = new Map<string, number>();
    for (const { code } of errors) codes.set(code, (codes.get(code) ?? 0) + 1);
    for (const [code, count] of codes) this.rejected.inc({ code }, count);
  }

  /** Counts one `{ results, errors }` answer. */
  recordBatch(body: { results: readonly { status: 'created' | 'existing' }[]; errors: readonly { code: string }[] }): void {
    let created = 0;
    for (const { status } of body.results) if (status === 'created') created++;
    this.answer('created', created);
    this.answer('existing', body.results.length - created);
    this.reject(body.errors);
  }
}
