import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { ConfigError, defaultBodyBytesInFlight, loadConfig } from '../../src/config/app-config.js';
import { ensureApiKey } from '../../src/config/api-keys.js';
import { ApiKeyring } from '../../src/http/api-keys.js';

describe('loadConfig', () => {
  it('has defaults for everything, and the embedded SQLite database without DATABASE_URL', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseKind: 'sqlite',
      apiKeyHeader: 'X-API-Key',
      dbMigrate: true,
      usersEnabled: true,
      maxBatchSize: 1000,
      idempotencyTtlHours: 24,
      bodyLimitBytes: 2 * 1024 * 1024,
      maxBatchesInFlight: 16,
      maxRequestsPerKey: 64,
      keySharePercent: 50,
    });
  });

  it('runs on MySQL when DATABASE_URL says so', () => {
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/crm' }).databaseKind).toBe('mysql');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DB_MIGRATE', 'maybe'],
    ['USERS_ENABLED', 'perhaps'],
    ['DATABASE_URL', 'postgres://x/y'],
    ['API_KEY_HEADER', 'Bad Header'],
    ['BODY_LIMIT', 'lots'],
    ['MAX_BATCH_SIZE', '0'],
    ['IDEMPOTENCY_TTL_HOURS', '0'],
    ['MAX_BATCH_SIZE', '1001'],
    ['ALLOWED_ORIGINS', 'crm.example.com'],
    ['KEY_SHARE_PERCENT', '0'],
    ['MAX_BODY_BYTES_IN_FLIGHT', '3mb'],
    ['API_KEYS', 'short'],
  ])('refuses an invalid %s=%s with a message that names it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('refuses to run in production without a key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('API_KEYS');
    expect(loadConfig({ NODE_ENV: 'production', API_KEYS: 'k'.repeat(32), SESSION_SECRET: 's'.repeat(32) }).apiKeys).toEqual(['k'.repeat(32)]);
  });

  it('refuses to run in production without a session secret, and takes none shorter than 32 characters', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', API_KEYS: 'k'.repeat(32) })).toThrow('SESSION_SECRET');
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).toThrow('SESSION_SECRET');
    expect(loadConfig({ SESSION_TTL_MINUTES: '30', TRUST_PROXY: '1' })).toMatchObject({ sessionTtlMinutes: 30, trustProxy: 1 });
  });

  it('reads sizes and lists', () => {
    const config = loadConfig({ BODY_LIMIT: '512kb', API_KEYS: ` ${'x'.repeat(20)} , ${'y'.repeat(20)} ` });
    expect(config.bodyLimitBytes).toBe(512 * 1024);
    expect(config.apiKeys).toHaveLength(2);
  });
});

describe('ensureApiKey (first run outside production)', () => {
  it('creates an integration and an admin key once, keeps them private in the data folder, and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-key-'));
    const first = ensureApiKey(loadConfig({ DATA_DIR: dir }));
    const [integration, admin] = first.localKeys!;
    expect([integration.created, admin.created]).toEqual([true, true]);
    expect([integration.setting, admin.setting]).toEqual(['API_KEYS', 'ADMIN_API_KEYS']);
    expect(first.config.apiKeys).toEqual([integration.key]);
    expect(first.config.adminApiKeys).toEqual([admin.key]);
    expect(integration.key).not.toBe(admin.key);
    for (const [file, key] of [['api-key', integration.key], ['admin-api-key', admin.key]]) {
      expect(readFileSync(join(dir, file), 'utf8').trim()).toBe(key);
      expect(statSync(join(dir, file)).mode & 0o077).toBe(0);
    }
    const second = ensureApiKey(loadConfig({ DATA_DIR: dir }));
    expect(second.localKeys).toEqual([{ ...integration, created: false }, { ...admin, created: false }]);
  });

  it('does nothing when keys are configured', () => {
    expect(ensureApiKey(loadConfig({ API_KEYS: 'k'.repeat(20) })).localKeys).toBeUndefined();
    expect(ensureApiKey(loadConfig({ ADMIN_API_KEYS: 'k'.repeat(20) })).localKeys).toBeUndefined();
  });
});

describe('ApiKeyring', () => {
  const ring = new ApiKeyring(['integration-key-0001'], ['admin-key-000000001']);

  it('tells integration and admin keys apart, and knows no other', () => {
    expect(ring.identify('integration-key-0001')?.role).toBe('integration');
    expect(ring.identify('admin-key-000000001')?.role).toBe('admin');
    expect(ring.identify('integration-key-000')).toBeUndefined();
    expect(ring.identify('')).toBeUndefined();
    expect(ring.identify(undefined)).toBeUndefined();
  });

  it('names a key in logs by a short fingerprint that is not the key', () => {
    const { fingerprint } = ring.identify('admin-key-000000001')!;
    expect(fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect('admin-key-000000001').not.toContain(fingerprint);
  });
});

describe('the default bound on request bodies in flight', () => {
  it('is an eighth of the heap the process runs with: 70 MB under npm start (560 MB of heap)', () => {
    expect(defaultBodyBytesInFlight(560 * 1024 * 1024)).toBe(70 * 1024 * 1024);
    expect(loadConfig({}).maxBodyBytesInFlight).toBe(Math.floor(getHeapStatistics().heap_size_limit / 8));
    expect(loadConfig({ MAX_BODY_BYTES_IN_FLIGHT: '300mb' }).maxBodyBytesInFlight).toBe(300 * 1024 * 1024);
  });
});
