// createTestApp(): the real app, built by the same createApp()/configureApp() as production, on a
// real database of its own: a fresh SQLite file by default, a fresh MySQL database when DATABASE_URL
// is set. Talks HTTP to it over a real socket.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import mysql from 'mysql2/promise';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.setup.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { ApiClient } from './http.js';
import { ADMIN_KEY, INTEGRATION_KEY } from './keys.js';

export const onMysql = Boolean(process.env.DATABASE_URL);

export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A database nobody else uses: a MySQL database created for the test, or a SQLite file in a temp folder. */
export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'crm-test-'));
    return { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const url = new URL(serverUrl);
  const name = `crm_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const connection = await mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    });
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
  };
  await admin(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), DATA_DIR: mkdtempSync(join(tmpdir(), 'crm-test-')) },
    drop: () => admin(`DROP DATABASE IF EXISTS \`${name}\``),
  };
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  url: string;
  api: ApiClient;
  dataSource: DataSource;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /**
   * MySQL only: the app reaches its database through 127.0.0.1 on this port (a TcpProxy), while the
   * database itself is created and dropped through the real server.
   */
  databasePort?: number;
  /** Receives the app's JSON log lines (stdout otherwise). */
  logs?: DestinationStream;
}

export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await freshDatabase();
  const databaseEnv = { ...database.env };
  if (options.databasePort !== undefined && databaseEnv.DATABASE_URL) {
    const url = new URL(databaseEnv.DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(options.databasePort);
    databaseEnv.DATABASE_URL = url.toString();
  }
  const config = loadConfig({
    API_KEYS: INTEGRATION_KEY,
    ADMIN_API_KEYS: ADMIN_KEY,
    LOG_LEVEL: 'error',
    ...databaseEnv,
    ...env,
  });
  const app = await createApp(config, { logDestination: options.logs });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  let closed = false;
  return {
    app,
    config,
    url,
    api: new ApiClient(url, config.apiKeyHeader),
    dataSource: app.get(DataSource),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await database.drop();
    },
  };
}

/**
 * One test app for a `describe` block: started before its tests, closed after them. The returned
 * object reads through to the running app, so tests write `t.api.get(...)` as with createTestApp().
 */
export function useTestApp(env: Record<string, string> = {}): TestApp {
  let current: TestApp | undefined;
  beforeAll(async () => {
    current = await createTestApp(env);
  });
  afterAll(async () => {
    await current?.close();
  });
  const running = (): TestApp => {
    if (!current) throw new Error('the test app runs only inside the tests of its describe block');
    return current;
  };
  return {
    get app() {
      return running().app;
    },
    get config() {
      return running().config;
    },
    get url() {
      return running().url;
    },
    get api() {
      return running().api;
    },
    get dataSource() {
      return running().dataSource;
    },
    close: () => running().close(),
  };
}
