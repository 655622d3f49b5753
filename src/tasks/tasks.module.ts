import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { ReferencesModule } from '../references/references.module.js';
import { TasksController } from './tasks.controller.js';
import { TasksMetrics } from './tasks.metrics.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

@Module({
  imports: [IdempotencyModule, MetricsModule, ReferencesModule],
  controllers: [TasksController],
  providers: [TasksService, TasksRepository, TasksMetrics],
  exports: [TasksService],
})
export class TasksModule {}
