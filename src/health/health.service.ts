import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** True when a real query reaches the database within HEALTH_TIMEOUT_MS. */
  databaseUp(): Promise<boolean> {
    return this.db.ping(this.config.healthTimeoutMs);
  }

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }
}
