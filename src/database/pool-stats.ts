import type { DataSource } from 'typeorm';
import { mysqlPoolCounters } from './driver-adapter.js';

export interface PoolStats {
  inUse: number;
  idle: number;
  waiting: number;
}

/**
 * The connection pool as it is now. MySQL and MariaDB: mysql2's pool, read through the driver adapter
 * (mysql2 has no public counters). SQLite: one embedded connection, always open and in use; nothing
 * ever waits for a pool.
 */
export function poolStats(dataSource: DataSource): PoolStats {
  const pool = mysqlPoolCounters(dataSource);
  if (!pool) return { inUse: dataSource.isInitialized ? 1 : 0, idle: 0, waiting: 0 };
  return { inUse: Math.max(0, pool.all - pool.idle), idle: pool.idle, waiting: pool.waiting };
}
