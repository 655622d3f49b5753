import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { AssociationsController } from './associations.controller.js';
import { AssociationsMetrics } from './associations.metrics.js';
import { AssociationsRepository } from './associations.repository.js';
import { AssociationsService } from './associations.service.js';

@Module({
  imports: [MetricsModule],
  controllers: [AssociationsController],
  providers: [AssociationsService, AssociationsRepository, AssociationsMetrics],
  exports: [AssociationsService],
})
export class AssociationsModule {}
