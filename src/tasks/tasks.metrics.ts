import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics.registry.js';

export type TaskEvent = 'created' | 'completed' | 'reopened';

@Injectable()
export class TasksMetrics {
  private readonly events: Counter<'event'>;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    this.events = new Counter({
      name: 'crm_tasks_total',
      help: 'Tasks created, completed (open before) and reopened, by POST /tasks and PATCH /tasks/{id} or /tasks/batch.',
      labelNames: ['event'],
      registers: [metrics.registry],
    });
    for (const event of ['created', 'completed', 'reopened'] satisfies TaskEvent[]) this.events.inc({ event }, 0);
  }

  record(event: TaskEvent, count = 1): void {
    if (count > 0) this.events.inc({ event }, count);
  }
}
