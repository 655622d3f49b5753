// The one DataSource definition, for the app and for the TypeORM CLI (`npm run migration:run`).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ContactEntity } from '../contacts/contact.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { CreateContactsAndUsers1764324000000 } from './migrations/1764324000000-create-contacts-and-users.js';

export const ENTITIES = [ContactEntity, UserEntity];
export const MIGRATIONS = [CreateContactsAndUsers1764324000000];

export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false } as const;
  if (config.databaseKind === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      url: config.databaseUrl,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: config.dbPoolSize,
      connectTimeout: config.dbConnectTimeoutMs,
      extra: {
        // Bounded queue: past it, a request fails fast (503) instead of piling up behind a dead database.
        queueLimit: config.dbPoolSize * 20,
        enableKeepAlive: true,
      },
    };
  }
  mkdirSync(dirname(config.sqlitePath), { recursive: true });
  return { ...common, type: 'better-sqlite3', database: config.sqlitePath, enableWAL: true, timeout: config.dbQueryTimeoutMs };
}

export function createDataSource(config: AppConfig): DataSource {
  return new DataSource(dataSourceOptions(config));
}
