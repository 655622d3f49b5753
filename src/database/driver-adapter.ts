// The one place that reaches into driver internals. TypeORM has no prepared statements and no way to
// drop a pooled connection, and mysql2's pool has no public counters, so three private members are
// used: a QueryRunner's `databaseConnection` (mysql2's connection: `execute`, `destroy`) and the
// pool's `_allConnections`, `_freeConnections` and `_connectionQueue`. test/unit/driver-adapter.spec.ts
// checks them on the installed versions (typeorm and mysql2 are pinned exactly in package.json): an
// upgrade that renames them fails that test instead of quietly falling back to SQL text or zero metrics.
import { type DataSource, type QueryRunner, QueryFailedError } from 'typeorm';
import { isMysqlFamily } from './data-source.js';

/** What a statement answered: rows of a SELECT, or how many rows a write changed. */
export interface StatementResult {
  records: Record<string, unknown>[];
  affected: number;
}

/** The part of a mysql2 connection used here. */
interface Mysql2Connection {
  execute(sql: string, values: unknown[], callback: (error: Error | null, result: unknown) => void): void;
  destroy(): void;
}

interface Mysql2Pool {
  _allConnections: { length: number };
  _freeConnections: { length: number };
  _connectionQueue: { length: number };
}

export interface PoolCounters {
  all: number;
  idle: number;
  waiting: number;
}

export class DriverInternalsMissing extends Error {
  constructor(what: string) {
    super(`The database driver no longer exposes ${what}: see src/database/driver-adapter.ts`);
    this.name = 'DriverInternalsMissing';
  }
}

/** mysql2's connection under a connected MySQL QueryRunner; undefined on SQLite. Throws when it has moved. */
function mysqlConnection(runner: QueryRunner): Mysql2Connection | undefined {
  if (!isMysqlFamily(runner.connection)) return undefined;
  const connection = (runner as unknown as { databaseConnection?: Partial<Mysql2Connection> }).databaseConnection;
  if (typeof connection?.execute !== 'function' || typeof connection.destroy !== 'function') {
    throw new DriverInternalsMissing("QueryRunner.databaseConnection.execute/destroy (mysql2's connection)");
  }
  return connection as Mysql2Connection;
}

/**
 * Runs one statement on the runner's connection (which must be connected). MySQL: as a prepared
 * statement (binary protocol; mysql2 caches it per connection, see maxPreparedStatements in
 * data-source.ts), errors wrapped as TypeORM's QueryFailedError. SQLite: through TypeORM.
 */
export async function execute(runner: QueryRunner, sql: string, values: unknown[]): Promise<StatementResult> {
  const connection = mysqlConnection(runner);
  if (!connection) {
    const result = await runner.query(sql, values, true);
    return { records: result.records ?? [], affected: result.affected ?? 0 };
  }
  const raw = await new Promise<unknown>((resolve, reject) => {
    connection.execute(sql, values, (error, result) => (error ? reject(new QueryFailedError(sql, values, error)) : resolve(result)));
  });
  return Array.isArray(raw)
    ? { records: raw as Record<string, unknown>[], affected: 0 }
    : { records: [], affected: (raw as { affectedRows?: number }).affectedRows ?? 0 };
}

/** MySQL: takes the runner's connection out of the pool and closes its socket. False on SQLite or before connect. */
export function destroyConnection(runner: QueryRunner): boolean {
  if (!isMysqlFamily(runner.connection)) return false;
  if ((runner as unknown as { databaseConnection?: unknown }).databaseConnection === undefined) return false;
  mysqlConnection(runner)!.destroy();
  return true;
}

/** mysql2's pool counters (MySQL only; undefined on SQLite). Throws when the pool's internals have moved. */
export function mysqlPoolCounters(dataSource: DataSource): PoolCounters | undefined {
  if (!isMysqlFamily(dataSource)) return undefined;
  const pool = (dataSource.driver as unknown as { pool?: Partial<Mysql2Pool> }).pool;
  if (!pool) return { all: 0, idle: 0, waiting: 0 }; // not connected yet, or closed
  const { _allConnections: all, _freeConnections: idle, _connectionQueue: waiting } = pool;
  if (typeof all?.length !== 'number' || typeof idle?.length !== 'number' || typeof waiting?.length !== 'number') {
    throw new DriverInternalsMissing("the pool's _allConnections/_freeConnections/_connectionQueue (mysql2)");
  }
  return { all: all.length, idle: idle.length, waiting: waiting.length };
}
