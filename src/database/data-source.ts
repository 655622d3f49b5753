// The one DataSource definition, for the app and for the TypeORM CLI (`npm run migration:run`).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import mysqlCallbacks from 'mysql2';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ActivityEntity } from '../activities/activity.entity.js';
import { ContactCompanyEntity } from '../associations/contact-company.entity.js';
import { CompanyEntity } from '../companies/company.entity.js';
import { ContactEntity } from '../contacts/contact.entity.js';
import { IdempotencyKeyEntity } from '../idempotency/idempotency-key.entity.js';
import { TaskEntity } from '../tasks/task.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { driverCode, isUnreachable } from './database-errors.js';
import { CreateContactsAndUsers1764324000000 } from './migrations/1764324000000-create-contacts-and-users.js';
import { ExactExternalId1764400000000 } from './migrations/1764400000000-exact-external-id.js';
import { ExactLoweredEmails1764500000000 } from './migrations/1764500000000-exact-lowered-emails.js';
import { ContactLinkedinKey1764700000000 } from './migrations/1764700000000-contact-linkedin-key.js';
import { CompanyMatchingKeys1764800000000 } from './migrations/1764800000000-company-matching-keys.js';
import { ContactReferenceIndex1764900000000 } from './migrations/1764900000000-contact-reference-index.js';
import { CreateCompaniesAndAssociations1764600000000 } from './migrations/1764600000000-create-companies-and-associations.js';
import { CreateActivitiesTasksIdempotencyKeys1764700000000 } from './migrations/1764700000000-create-activities-tasks-idempotency-keys.js';

export const ENTITIES = [ContactEntity, UserEntity, CompanyEntity, ContactCompanyEntity, ActivityEntity, TaskEntity, IdempotencyKeyEntity];
export const MIGRATIONS = [
  CreateContactsAndUsers1764324000000,
  ExactExternalId1764400000000,
  ExactLoweredEmails1764500000000,
  CreateCompaniesAndAssociations1764600000000,
  CreateActivitiesTasksIdempotencyKeys1764700000000,
  ContactLinkedinKey1764700000000,
  CompanyMatchingKeys1764800000000,
  ContactReferenceIndex1764900000000,
];

/** MySQL and MariaDB speak the same protocol, but TypeORM reads their catalogs differently. */
export type MysqlFlavor = 'mysql' | 'mariadb';

/** What the server at DATABASE_URL is: its flavor, and whether it is a Galera cluster node. */
export interface MysqlServer {
  flavor: MysqlFlavor;
  galera: boolean;
}

export const isMysqlFamily = (dataSource: DataSource): boolean =>
  dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb';

/** Where DATABASE_URL points, for messages: host, port, database and user, never the password. */
export function databaseTarget(databaseUrl: string): { host: string; port: string; database: string; user: string } {
  const url = new URL(databaseUrl);
  return { host: url.hostname, port: url.port || '3306', database: decodeURIComponent(url.pathname.slice(1)), user: decodeURIComponent(url.username) };
}

const RETRY_INTERVAL_MS = 2000;

/**
 * The first connection, retried while the server cannot be reached (it is often still starting when
 * the service starts), one log line per try, for DB_CONNECT_RETRY_SECONDS at most. Any other error
 * (an unknown database, a refused password) will not go away by waiting: it is thrown at once.
 */
async function connectFirst(config: AppConfig): Promise<mysql.Connection> {
  const logger = new Logger('Database');
  const { host, port } = databaseTarget(config.databaseUrl!);
  const deadline = Date.now() + config.dbConnectRetrySeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await mysql.createConnection({ uri: config.databaseUrl, connectTimeout: config.dbConnectTimeoutMs });
    } catch (error) {
      const left = deadline - Date.now();
      if (!isUnreachable(error) || left <= 0) throw error;
      const wait = Math.min(RETRY_INTERVAL_MS, left);
      logger.warn(
        `database at ${host}:${port} (DATABASE_URL) not reachable (${driverCode(error)}), try ${attempt}; ` +
          `next try in ${Math.ceil(wait / 1000)} s, giving up in ${Math.ceil(left / 1000)} s (DB_CONNECT_RETRY_SECONDS=${config.dbConnectRetrySeconds})`,
      );
      await sleep(wait);
    }
  }
}

/** Asks the server what it is, so that `mysql://` works against MySQL, MariaDB and a Galera node alike. */
export async function detectMysqlServer(config: AppConfig): Promise<MysqlServer> {
  const connection = await connectFirst(config);
  try {
    const [version] = await connection.query<RowDataPacket[]>('SELECT VERSION() AS version');
    // MySQL has no such variable (no rows); MariaDB without Galera says OFF.
    const [wsrep] = await connection.query<RowDataPacket[]>("SHOW VARIABLES LIKE 'wsrep_on'");
    return {
      flavor: /mariadb/i.test(String(version[0]?.version)) ? 'mariadb' : 'mysql',
      galera: String(wsrep[0]?.Value ?? '').toUpperCase() === 'ON',
    };
  } finally {
    await connection.end();
  }
}

/**
 * On a Galera node, every pooled connection first sets `wsrep_sync_wait = 1`: a read (and a
 * transaction's start) waits until this node has applied every write set the cluster committed
 * before it. Without it, a read on node B right after a commit on node A may miss that row: Enginy
 * creates a company through one replica and links it through another a moment later, and would be
 * told COMPANY_NOT_FOUND for a company it was just answered 201 for. The pool's `connection` event
 * comes before the connection is handed out, and the connection runs its commands in order, so the
 * setting is in place before the first query. It covers reads and a transaction's start, not the
 * reads inside an INSERT ... SELECT: the one statement that does so (linking a batch of associations)
 * is followed by a causal lookup whenever it linked fewer pairs than asked. docs/scaling.md, "Reads
 * after writes".
 */
export const CAUSAL_READS_SQL = 'SET SESSION wsrep_sync_wait = 1';

/** mysql2 as TypeORM loads it, but for pools whose connections make their reads causal. */
function causalReadsDriver(): object {
  const logger = new Logger('Database');
  return {
    ...mysqlCallbacks,
    createPool(options: mysqlCallbacks.PoolOptions) {
      const pool = mysqlCallbacks.createPool(options);
      pool.on('connection', (connection) => {
        connection.query(CAUSAL_READS_SQL, (error) => {
          if (!error) return;
          // Not handed out without it: the borrower's first query fails (a retryable error for
          // Database.run) and the pool opens a new connection.
          logger.warn(`could not make this connection's reads causal (${CAUSAL_READS_SQL}): ${driverCode(error)}; closing it`);
          connection.destroy();
        });
      });
      return pool;
    },
  };
}

export function dataSourceOptions(config: AppConfig, server: MysqlServer = { flavor: 'mysql', galera: false }): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false } as const;
  if (config.databaseKind === 'mysql') {
    return {
      ...common,
      type: server.flavor,
      ...(server.galera ? { driver: causalReadsDriver() } : {}),
      url: config.databaseUrl,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: config.dbPoolSize,
      connectTimeout: config.dbConnectTimeoutMs,
      // mysql2 would make an Error per query (through TypeORM's promise calls) only to splice the caller's
      // stack into a failure's; TypeORM wraps failures in QueryFailedError with the SQL anyway. 2 % of
      // the service's CPU on PUT /contacts.
      trace: false,
      extra: {
        // Bounded queue: past it, a request fails fast (503) instead of piling up behind a dead database.
        queueLimit: config.dbPoolSize * 20,
        enableKeepAlive: true,
        // Batch statements go prepared (the batch engine's, the links', PUT's locked read, and on MariaDB
        // its merge; each padded to a power of two so that a few shapes serve every batch). mysql2 caches
        // them per connection (16 000 by default, while the server allows 16 382 in all): a small cache
        // bounds what the pool holds on the server and still keeps a batch of 100 prepared once per connection.
        maxPreparedStatements: 16,
      },
    };
  }
  mkdirSync(dirname(config.sqlitePath), { recursive: true });
  return { ...common, type: 'better-sqlite3', database: config.sqlitePath, enableWAL: true, timeout: config.dbQueryTimeoutMs };
}

export async function createDataSource(config: AppConfig): Promise<DataSource> {
  const server = config.databaseKind === 'mysql' ? await detectMysqlServer(config) : undefined;
  return new DataSource(dataSourceOptions(config, server));
}
