import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AdminOnly } from '../http/admin.guard.js';
import { MetricsRegistry } from './metrics.registry.js';

@Controller('metrics')
export class MetricsController {
  constructor(@Inject(MetricsRegistry) private readonly metrics: MetricsRegistry) {}

  @Get()
  @AdminOnly()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  getMetrics(): Promise<string> {
    return this.metrics.render();
  }
}
