import type { DataSource } from 'typeorm';
import { isMysqlFamily } from './data-source.js';

export interface PoolStats {
  inUse: number;
  idle: number;
  waiting: number;
}

interface Mysql2Pool {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/**
 * The connection pool as it is now. MySQL and MariaDB: mysql2's pool (TypeORM's `driver.pool`), read through its
 * internal queues since mysql2 has no public counters. SQLite: one embedded connection, always open
 * and in use; nothing ever waits for a pool.
 */
export function poolStats(dataSource: DataSource): PoolStats {
  if (!isMysqlFamily(dataSource)) {
    return { inUse: dataSource.isInitialized ? 1 : 0, idle: 0, waiting: 0 };
  }
  const pool = (dataSource.driver as unknown as { pool?: Mysql2Pool }).pool;
  const all = pool?._allConnections?.length ?? 0;
  const idle = pool?._freeConnections?.length ?? 0;
  return { inUse: Math.max(0, all - idle), idle, waiting: pool?._connectionQueue?.length ?? 0 };
}
