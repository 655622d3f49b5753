import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { ReferencesModule } from '../references/references.module.js';
import { ActivitiesController } from './activities.controller.js';
import { ActivitiesMetrics } from './activities.metrics.js';
import { ActivitiesRepository } from './activities.repository.js';
import { ActivitiesService } from './activities.service.js';

@Module({
  imports: [IdempotencyModule, MetricsModule, ReferencesModule],
  controllers: [ActivitiesController],
  providers: [ActivitiesService, ActivitiesRepository, ActivitiesMetrics],
  exports: [ActivitiesService],
})
export class ActivitiesModule {}
