// The one place that reads the environment: every setting, typed, validated, with its default.
import { resolve } from 'node:path';

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
  /** Origins that browsers may call the service from (CORS); empty: none, the service is called server to server. */
  readonly allowedOrigins: readonly string[];
  readonly apiKeys: readonly string[];
  readonly adminApiKeys: readonly string[];
  readonly apiKeyHeader: string;
  readonly bodyLimitBytes: number;
  readonly maxBatchSize: number;
  readonly usersEnabled: boolean;
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

  bytes(name: string, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(value);
    const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };
    const bytes = match ? Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()] : NaN;
    if (!(bytes >= 1024 && bytes <= 100 * 1024 * 1024)) {
      this.problems.push(`${name} must be a size from 1kb to 100mb, such as "10mb" (got "${value}")`);
      return fallback;
    }
    return bytes;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const MIN_KEY_LENGTH = 16;
const MIN_SESSION_SECRET_LENGTH = 32;

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
    allowedOrigins,
    apiKeys,
    adminApiKeys,
    apiKeyHeader,
    bodyLimitBytes: read.bytes('BODY_LIMIT', 10 * 1024 * 1024),
    // The contract's maxItems (1000) is the ceiling: error indexes and result lists are bounded by it.
    maxBatchSize: read.int('MAX_BATCH_SIZE', 1000, 1, 1000),
    usersEnabled: read.bool('USERS_ENABLED', true),
    retryAfterSeconds: read.int('RETRY_AFTER_SECONDS', 5, 1, 3600),
    logLevel,
    sessionSecret,
    sessionTtlMinutes: read.int('SESSION_TTL_MINUTES', 480, 1, 60 * 24 * 30),
    trustProxy: read.int('TRUST_PROXY', 0, 0, 10),
    loginMaxFailures: read.int('LOGIN_MAX_FAILURES', 5, 1, 1000),
  });
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
