// The one place that reads the environment: every setting, typed, validated, with its default.
import { resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';

export type DatabaseKind = 'mysql' | 'sqlite';

export class AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly host: string;
  /** `mysql://...` or undefined for the embedded SQLite file. */
  readonly databaseUrl: string | undefined;
  readonly databaseKind: DatabaseKind;
  readonly dataDir: string;
  readonly sqlitePath: string;
  readonly dbMigrate: boolean;
  readonly dbPoolSize: number;
  readonly dbConnectTimeoutMs: number;
  /** How long start-up keeps retrying a database that does not accept connections yet; 0 tries once. */
  readonly dbConnectRetrySeconds: number;
  readonly dbQueryTimeoutMs: number;
  readonly healthTimeoutMs: number;
  /** A request still unanswered after this long gets a 503; its socket is closed. */
  readonly requestTimeoutMs: number;
  /** Requests per minute per key; 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** redis://...: replicas share the rate limit's counts there; undefined counts per process. */
  readonly redisUrl: string | undefined;
  /** Origins that browsers may call the service from (CORS); empty: none, the service is called server to server. */
  readonly allowedOrigins: readonly string[];
  readonly apiKeys: readonly string[];
  readonly adminApiKeys: readonly string[];
  readonly apiKeyHeader: string;
  readonly bodyLimitBytes: number;
  readonly maxBatchSize: number;
  /** How long an Idempotency-Key and the answer it keeps are remembered. */
  readonly idempotencyTtlHours: number;
  /** Bytes of request bodies admitted and not yet answered, across all keys (past it: 503 busy). */
  readonly maxBodyBytesInFlight: number;
  /** Requests with a body (batches) being processed at once (past it: 503 busy). */
  readonly maxBatchesInFlight: number;
  /** Requests of one key in flight at once (past it: 429). */
  readonly maxRequestsPerKey: number;
  /** The part of maxBodyBytesInFlight and maxBatchesInFlight that one key may hold (past it: 429). */
  readonly keySharePercent: number;
  readonly usersEnabled: boolean;
  /** Custom fields that POST /contacts/sync and /companies/sync answer in `properties`. */
  readonly syncProperties: readonly string[];
  readonly retryAfterSeconds: number;
  readonly logLevel: string;
  /** Signs the record pages' session cookies and CSRF tokens; outside production, made once in data/. */
  readonly sessionSecret: string | undefined;
  readonly sessionTtlMinutes: number;
  /** How many proxies in front of the service to believe (X-Forwarded-For/-Proto); 0: none. */
  readonly trustProxy: number;
  /** Failed record-page logins per client address within 15 minutes before the next ones are refused. */
  readonly loginMaxFailures: number;

  constructor(values: Omit<AppConfig, 'isProduction' | 'withApiKeys' | 'withSessionSecret'>) {
    Object.assign(this, values);
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  withApiKeys(apiKeys: readonly string[], adminApiKeys: readonly string[] = this.adminApiKeys): AppConfig {
    return new AppConfig({ ...this, apiKeys, adminApiKeys });
  }

  withSessionSecret(sessionSecret: string): AppConfig {
    return new AppConfig({ ...this, sessionSecret });
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  list(name: string): string[] {
    return (this.raw(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  bytes(name: string, fallback: number, maxMb = 100): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(value);
    const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };
    const bytes = match ? Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()] : NaN;
    if (!(bytes >= 1024 && bytes <= maxMb * 1024 * 1024)) {
      this.problems.push(`${name} must be a size from 1kb to ${maxMb}mb, such as "10mb" (got "${value}")`);
      return fallback;
    }
    return bytes;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const MIN_KEY_LENGTH = 16;
const MAX_SYNC_PROPERTIES = 20;
const MIN_SESSION_SECRET_LENGTH = 32;

/**
 * The default bound on request bodies in flight: an eighth of the heap this process may grow to
 * (`--max-old-space-size=512` under `npm start`: 560 MB, so 70 MB of bodies). A batch of contacts takes
 * about three times its JSON size at its peak while it is processed (raw bytes, the JSON text, the parsed
 * objects, the rows; measured in docs/operating.md), so the bodies in flight hold about half the heap
 * at most, and the rest of the service the other half.
 */
export function defaultBodyBytesInFlight(heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  return Math.max(1024 * 1024, Math.floor(heapLimitBytes / 8));
}

export function loadConfig(env: Env = process.env): AppConfig {
  const read = new Reader(env);
  const databaseUrl = read.raw('DATABASE_URL');
  if (databaseUrl !== undefined && !/^(mysql|mariadb):\/\/[^/]+\/[^/?]+/.test(databaseUrl)) {
    read.problems.push('DATABASE_URL must look like mysql://user:password@host:3306/database');
  }
  const dataDir = resolve(read.string('DATA_DIR', 'data'));
  const apiKeyHeader = read.string('API_KEY_HEADER', 'X-API-Key');
  if (!HEADER_NAME.test(apiKeyHeader)) {
    read.problems.push(`API_KEY_HEADER must be a valid HTTP header name (got "${apiKeyHeader}")`);
  }
  const apiKeys = read.list('API_KEYS');
  const adminApiKeys = read.list('ADMIN_API_KEYS');
  for (const [name, keys] of [['API_KEYS', apiKeys], ['ADMIN_API_KEYS', adminApiKeys]] as const) {
    if (keys.some((key) => key.length < MIN_KEY_LENGTH)) {
      read.problems.push(`${name} holds a key shorter than ${MIN_KEY_LENGTH} characters`);
    }
  }
  const redisUrl = read.raw('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^/]+/.test(redisUrl)) {
    read.problems.push('REDIS_URL must look like redis://host:6379 (or rediss:// for TLS)');
  }
  const syncProperties = read.list('SYNC_PROPERTIES');
  if (syncProperties.length > MAX_SYNC_PROPERTIES) {
    read.problems.push(`SYNC_PROPERTIES names at most ${MAX_SYNC_PROPERTIES} fields (got ${syncProperties.length})`);
  }
  if (syncProperties.some((name) => name.length > 100 || ['ownerId', 'updatedAt'].includes(name))) {
    read.problems.push('SYNC_PROPERTIES holds a name over 100 characters, or ownerId or updatedAt (always answered)');
  }
  const allowedOrigins = read.list('ALLOWED_ORIGINS');
  for (const origin of allowedOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin) || origin.length > 2048) {
      read.problems.push(`ALLOWED_ORIGINS must list origins such as https://crm.example.com (got "${origin}")`);
    }
  }
  const logLevel = read.string('LOG_LEVEL', 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) read.problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  const nodeEnv = read.string('NODE_ENV', 'development');
  if (nodeEnv === 'production' && apiKeys.length + adminApiKeys.length === 0) {
    read.problems.push('API_KEYS (or ADMIN_API_KEYS) must be set when NODE_ENV=production');
  }
  const sessionSecret = read.raw('SESSION_SECRET');
  if (sessionSecret !== undefined && sessionSecret.length < MIN_SESSION_SECRET_LENGTH) {
    read.problems.push(`SESSION_SECRET must be at least ${MIN_SESSION_SECRET_LENGTH} characters`);
  }
  if (nodeEnv === 'production' && sessionSecret === undefined) {
    read.problems.push('SESSION_SECRET must be set when NODE_ENV=production (it signs the record pages\' sessions)');
  }

  const config = new AppConfig({
    nodeEnv,
    port: read.int('PORT', 3000, 0, 65535),
    host: read.string('HOST', '0.0.0.0'),
    databaseUrl,
    databaseKind: databaseUrl ? 'mysql' : 'sqlite',
    dataDir,
    sqlitePath: resolve(dataDir, read.string('SQLITE_FILE', 'crm.sqlite')),
    dbMigrate: read.bool('DB_MIGRATE', true),
    dbPoolSize: read.int('DB_POOL_SIZE', 10, 1, 200),
    dbConnectTimeoutMs: read.int('DB_CONNECT_TIMEOUT_MS', 5000, 100, 120000),
    dbConnectRetrySeconds: read.int('DB_CONNECT_RETRY_SECONDS', 30, 0, 3600),
    dbQueryTimeoutMs: read.int('DB_QUERY_TIMEOUT_MS', 5000, 100, 600000),
    healthTimeoutMs: read.int('HEALTH_TIMEOUT_MS', 3000, 100, 60000),
    requestTimeoutMs: read.int('REQUEST_TIMEOUT_MS', 15000, 100, 600000),
    rateLimitPerMinute: read.int('RATE_LIMIT_PER_MINUTE', 0, 0, 1000000),
    redisUrl,
    allowedOrigins,
    apiKeys,
    adminApiKeys,
    apiKeyHeader,
    // 2 MB: a full batch of 1000 realistic contacts (about 1.5 kB each), 13 times what Enginy sends.
    bodyLimitBytes: read.bytes('BODY_LIMIT', 2 * 1024 * 1024),
    maxBodyBytesInFlight: read.bytes('MAX_BODY_BYTES_IN_FLIGHT', defaultBodyBytesInFlight(), 4096),
    maxBatchesInFlight: read.int('MAX_BATCHES_IN_FLIGHT', 16, 1, 10000),
    maxRequestsPerKey: read.int('MAX_REQUESTS_PER_KEY', 64, 1, 100000),
    keySharePercent: read.int('KEY_SHARE_PERCENT', 50, 1, 100),
    // The contract's maxItems (1000) is the ceiling: error indexes and result lists are bounded by it.
    maxBatchSize: read.int('MAX_BATCH_SIZE', 1000, 1, 1000),
    idempotencyTtlHours: read.int('IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 30),
    usersEnabled: read.bool('USERS_ENABLED', true),
    syncProperties,
    retryAfterSeconds: read.int('RETRY_AFTER_SECONDS', 5, 1, 3600),
    logLevel,
    sessionSecret,
    sessionTtlMinutes: read.int('SESSION_TTL_MINUTES', 480, 1, 60 * 24 * 30),
    trustProxy: read.int('TRUST_PROXY', 0, 0, 10),
    loginMaxFailures: read.int('LOGIN_MAX_FAILURES', 5, 1, 1000),
  });
  // A key's share of the bodies in flight must hold at least one body of BODY_LIMIT, or the largest
  // batches would be refused for ever.
  const keyBytes = Math.floor((config.maxBodyBytesInFlight * config.keySharePercent) / 100);
  if (read.problems.length === 0 && keyBytes < config.bodyLimitBytes) {
    read.problems.push(
      `MAX_BODY_BYTES_IN_FLIGHT (${config.maxBodyBytesInFlight} bytes) × KEY_SHARE_PERCENT (${config.keySharePercent}) must leave room for one body of BODY_LIMIT (${config.bodyLimitBytes} bytes)`,
    );
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
