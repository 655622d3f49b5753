import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import type { HealthOk, HealthUnavailable } from '../contract/api-types.js';
import { SERVICE_VERSION } from '../version.js';
import { HealthService } from './health.service.js';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthService) private readonly health: HealthService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Get()
  async getHealth(@Res({ passthrough: true }) res: Response): Promise<HealthOk | HealthUnavailable> {
    if (await this.health.databaseUp()) {
      return { status: 'ok', database: 'up', version: SERVICE_VERSION, uptimeSeconds: this.health.uptimeSeconds() };
    }
    res.status(503).set('Retry-After', String(this.config.retryAfterSeconds));
    return {
      status: 'unavailable',
      database: 'down',
      error: 'service_unavailable',
      message: 'The database is unavailable.',
    };
  }
}
