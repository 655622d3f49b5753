import { Module } from '@nestjs/common';
import { DatabaseMetrics } from './database-metrics.js';
import { HttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';

@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, HttpMetrics, DatabaseMetrics],
  // A feature's metrics live beside the feature (src/contacts/contacts.metrics.ts) and register here.
  exports: [MetricsRegistry, HttpMetrics],
})
export class MetricsModule {}
