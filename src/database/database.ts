// Every database operation of a request goes through here, bounded in time. mysql2 has no acquire
// timeout, and its query timeout leaves a connection whose server went silent in the pool with the
// timed-out query still queued on it: the next user of that connection would wait forever. So the
// bound is set around the whole operation (waiting for a connection, connecting, every query, the
// commit), and when it is over the operation's connection is destroyed: the pool forgets it, an open
// transaction dies with it (the server rolls back), and the caller gets a DatabaseTimeoutError (503).
//
// An operation that fails on a retryable error (database-errors.ts: a deadlock, which on Galera is also a
// certification failure at COMMIT, or a Galera node not ready yet) runs again here, after a short
// jittered pause, within the same time bound: every repository gets this by running its work through
// run()/transaction(), so a write path never carries a retry loop of its own. A transaction's work is
// all or nothing and runs again whole; work run outside a transaction is one statement, reads, or
// TypeORM's save() (a transaction of its own), so it too may run again.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { DatabaseTimeoutError, isDeadlock, isRetryable, withTimeout } from './database-errors.js';
import { AppConfig } from '../config/app-config.js';
import { isMysqlFamily } from './data-source.js';
import { destroyConnection } from './driver-adapter.js';

/** Pauses before the 2nd, 3rd, ... run of an operation that failed on a retryable error; ±50 % jitter. */
const RETRY_PAUSES_MS = [5, 20, 50, 100, 200, 400];

export type RetryReason = 'deadlock' | 'node_not_ready';

export interface OperationOptions {
  /** Defaults to DB_QUERY_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Run in a transaction, at this isolation level on MySQL ('default' keeps the server's). */
  transaction?: IsolationLevel | 'default';
}

@Injectable()
export class Database {
  /** Operations run again, by the error that made them (read by the metrics). */
  readonly retries: Record<RetryReason, number> = { deadlock: 0, node_not_ready: 0 };

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /**
   * Runs `work` on one connection, all of it within the time bound, again when it failed on a
   * retryable error and time is left. `what` names it in errors.
   */
  async run<T>(what: string, work: (manager: EntityManager) => Promise<T>, options: OperationOptions = {}): Promise<T> {
    const boundMs = options.timeoutMs ?? this.config.dbQueryTimeoutMs;
    const deadline = Date.now() + boundMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.runOnce(what, work, options.transaction, Math.max(1, deadline - Date.now()), boundMs);
      } catch (error) {
        const pause = RETRY_PAUSES_MS[attempt] * (0.5 + Math.random());
        if (!isRetryable(error) || attempt >= RETRY_PAUSES_MS.length || Date.now() + pause >= deadline) throw error;
        this.retries[isDeadlock(error) ? 'deadlock' : 'node_not_ready'] += 1;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  private async runOnce<T>(
    what: string,
    work: (manager: EntityManager) => Promise<T>,
    transaction: OperationOptions['transaction'],
    timeoutMs: number,
    boundMs: number,
  ): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    let expired = false;
    let discarded = false;
    const operation = (async () => {
      try {
        await runner.connect();
        if (expired) throw new DatabaseTimeoutError(what, 0);
        if (transaction === undefined) return await work(runner.manager);
        await runner.startTransaction(transaction === 'default' || !isMysqlFamily(this.dataSource) ? undefined : transaction);
        try {
          const result = await work(runner.manager);
          // Too late: the caller has been told nothing was written, so nothing is.
          if (expired) throw new DatabaseTimeoutError(what, 0);
          await runner.commitTransaction();
          return result;
        } catch (error) {
          if (runner.isTransactionActive && !discarded) await runner.rollbackTransaction().catch(() => undefined);
          throw error;
        }
      } finally {
        await runner.release();
      }
    })();
    try {
      return await withTimeout(operation, timeoutMs, what, boundMs);
    } catch (error) {
      if (error instanceof DatabaseTimeoutError) {
        expired = true;
        discarded = this.discardConnection(runner);
      }
      throw error;
    }
  }

  transaction<T>(what: string, work: (manager: EntityManager) => Promise<T>, isolation: IsolationLevel | 'default' = 'default'): Promise<T> {
    return this.run(what, work, { transaction: isolation });
  }

  /** True when a real query answers within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<boolean> {
    // A query that reads a table: a Galera node outside its cluster answers `SELECT 1` (no table) but
    // refuses every table read with 1047, and a readiness probe must see what the app's queries see.
    const table = this.dataSource.driver.escape(this.dataSource.options.migrationsTableName ?? 'migrations');
    try {
      await this.run('health check', (manager) => manager.query(`SELECT 1 FROM ${table} LIMIT 1`), { timeoutMs });
      return true;
    } catch {
      return false;
    }
  }

  /** MySQL: the connection leaves the pool and its socket is closed (the server rolls back). */
  private discardConnection(runner: QueryRunner): boolean {
    return destroyConnection(runner);
  }
}
