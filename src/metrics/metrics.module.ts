import { Module } from '@nestjs/common';
import { ContactsMetrics } from './contacts-metrics.js';
import { DatabaseMetrics } from './database-metrics.js';
import { HttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';

@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, HttpMetrics, ContactsMetrics, DatabaseMetrics],
  exports: [MetricsRegistry, HttpMetrics, ContactsMetrics],
})
export class MetricsModule {}
