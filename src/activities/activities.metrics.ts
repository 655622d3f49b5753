import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { ActivityType } from '../contract/api-types.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import { ACTIVITY_TYPES } from './dto/create-activity.dto.js';

export type ActivityOutcome = 'created' | 'existing';

@Injectable()
export class ActivitiesMetrics {
  private readonly logged: Counter<'type' | 'outcome'>;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    this.logged = new Counter({
      name: 'crm_activities_total',
      help: 'Activities answered by POST /activities, by type and outcome (created, existing: a re-sent messageId).',
      labelNames: ['type', 'outcome'],
      registers: [metrics.registry],
    });
    for (const type of ACTIVITY_TYPES) for (const outcome of ['created', 'existing'] as const) this.logged.inc({ type, outcome }, 0);
  }

  record(type: ActivityType, outcome: ActivityOutcome): void {
    this.logged.inc({ type, outcome });
  }
}
