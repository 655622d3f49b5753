import { Module } from '@nestjs/common';
import { AssociationsModule } from '../associations/associations.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { CompaniesController } from './companies.controller.js';
import { CompaniesMetrics } from './companies.metrics.js';
import { CompaniesRepository } from './companies.repository.js';
import { CompaniesService } from './companies.service.js';
import { RecordMatchingStore } from '../database/record-matching-store.js';

@Module({
  imports: [MetricsModule, AssociationsModule],
  controllers: [CompaniesController],
  providers: [CompaniesService, CompaniesRepository, CompaniesMetrics, RecordMatchingStore],
  exports: [CompaniesService],
})
export class CompaniesModule {}
