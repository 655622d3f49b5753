import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Database, type RetryReason } from '../database/database.js';
import { poolStats } from '../database/pool-stats.js';
import { MetricsRegistry } from './metrics.registry.js';

/** Database pool gauges, read at each scrape. */
@Injectable()
export class DatabaseMetrics {
  constructor(
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
    @Inject(DataSource) dataSource: DataSource,
    @Inject(Database) database: Database,
  ) {
    new Gauge({
      name: 'crm_db_pool_connections',
      help: 'Database connections, by state (in_use, idle). SQLite: one connection, always in_use.',
      labelNames: ['state'],
      registers: [metrics.registry],
      collect() {
        const stats = poolStats(dataSource);
        this.set({ state: 'in_use' }, stats.inUse);
        this.set({ state: 'idle' }, stats.idle);
      },
    });
    new Gauge({
      name: 'crm_db_pool_waiting',
      help: 'Requests waiting for a database connection. SQLite: always 0.',
      registers: [metrics.registry],
      collect() {
        this.set(poolStats(dataSource).waiting);
      },
    });
    new Counter({
      name: 'crm_db_retries_total',
      help: 'Database operations run again after a retryable error, by reason: deadlock (on Galera also a certification failure) or node_not_ready (a Galera node outside the primary component).',
      labelNames: ['reason'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(database.retries) as [RetryReason, number][]) this.inc({ reason }, count);
      },
    });
  }
}
