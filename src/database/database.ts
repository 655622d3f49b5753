// Every database operation of a request goes through here, bounded in time. mysql2 has no acquire
// timeout, and its query timeout leaves a connection whose server went silent in the pool with the
// timed-out query still queued on it: the next user of that connection would wait forever. So the
// bound is set around the whole operation (waiting for a connection, connecting, every query, the
// commit), and when it is over the operation's connection is destroyed: the pool forgets it, an open
// transaction dies with it (the server rolls back), and the caller gets a DatabaseTimeoutError (503).
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { DatabaseTimeoutError, withTimeout } from './database-errors.js';
import { AppConfig } from '../config/app-config.js';
import { isMysqlFamily } from './data-source.js';
import { destroyConnection } from './driver-adapter.js';

export interface OperationOptions {
  /** Defaults to DB_QUERY_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Run in a transaction, at this isolation level on MySQL ('default' keeps the server's). */
  transaction?: IsolationLevel | 'default';
}

@Injectable()
export class Database {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Runs `work` on one connection, all of it within the time bound. `what` names it in errors. */
  async run<T>(what: string, work: (manager: EntityManager) => Promise<T>, options: OperationOptions = {}): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    let expired = false;
    let discarded = false;
    const operation = (async () => {
      try {
        await runner.connect();
        if (expired) throw new DatabaseTimeoutError(what, 0);
        if (options.transaction === undefined) return await work(runner.manager);
        await runner.startTransaction(options.transaction === 'default' || !isMysqlFamily(this.dataSource) ? undefined : options.transaction);
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
      return await withTimeout(operation, options.timeoutMs ?? this.config.dbQueryTimeoutMs, what);
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
    try {
      await this.run('health check', (manager) => manager.query('SELECT 1'), { timeoutMs });
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
