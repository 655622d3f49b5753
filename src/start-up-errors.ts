// Why the service could not start, in one line: which setting, what went wrong, what to do. No stack
// trace: these are set-up problems, not bugs. Anything unforeseen still gets its message (and its
// stack with LOG_LEVEL=debug or trace).
import type { AppConfig } from './config/app-config.js';
import { ConfigError } from './config/app-config.js';
import { databaseTarget } from './database/data-source.js';
import { driverCode, isAccessDenied, isUnknownDatabase, isUnreachable } from './database/database-errors.js';

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused (is the database running?)',
  ETIMEDOUT: 'the connection timed out (DB_CONNECT_TIMEOUT_MS)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (yet)',
  PROTOCOL_CONNECTION_LOST: 'the server closed the connection',
};

function databaseProblem(error: unknown, config: AppConfig): string | undefined {
  if (!config.databaseUrl) return undefined;
  const { host, port, database, user } = databaseTarget(config.databaseUrl);
  const code = driverCode(error) ?? '';
  if (isUnreachable(error)) {
    const waited = config.dbConnectRetrySeconds > 0 ? ` for ${config.dbConnectRetrySeconds} s` : '';
    return (
      `cannot reach the database at ${host}:${port} (DATABASE_URL)${waited}: ${REASONS[code] ?? code}. ` +
      `Start the database or correct DATABASE_URL's host and port; DB_CONNECT_RETRY_SECONDS sets how long start-up waits for it.`
    );
  }
  if (isUnknownDatabase(error)) {
    return (
      `the database "${database}" named in DATABASE_URL does not exist on ${host}:${port}. Create it ` +
      `(CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci) or correct DATABASE_URL.`
    );
  }
  if (isAccessDenied(error)) {
    return `the database at ${host}:${port} refused user "${user}" (DATABASE_URL): ${(error as Error).message}. Correct the user or password in DATABASE_URL, or grant it access.`;
  }
  return undefined;
}

function listenProblem(error: unknown, config: AppConfig): string | undefined {
  const code = driverCode(error);
  if (code === 'EADDRINUSE') {
    return `port ${config.port} on ${config.host} (PORT, HOST) is already in use. Stop what uses it, or set PORT to another port (PORT=0 picks a free one).`;
  }
  if (code === 'EADDRNOTAVAIL') return `HOST=${config.host} is not an address of this machine. Set HOST to one of its addresses, or 0.0.0.0 for all.`;
  if (code === 'EACCES' && (error as { syscall?: string }).syscall === 'listen') {
    return `port ${config.port} (PORT) needs privileges this process does not have. Use a port above 1023.`;
  }
  return undefined;
}

function fileProblem(error: unknown, config: AppConfig): string | undefined {
  const code = driverCode(error);
  if (!['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'].includes(code ?? '')) return undefined;
  return `cannot write the data folder ${config.dataDir} (DATA_DIR, SQLITE_FILE): ${(error as Error).message}. Make it writable, or set DATA_DIR to a folder this user can write.`;
}

/** One line, starting "Start-up failed:", for an error that stopped the service before it listened. */
export function describeStartUpError(error: unknown, config: AppConfig | undefined): string {
  if (error instanceof ConfigError) return `Start-up failed: ${error.message}`;
  const known = config && (databaseProblem(error, config) ?? listenProblem(error, config) ?? fileProblem(error, config));
  if (known) return `Start-up failed: ${known}`;
  const message = error instanceof Error ? error.message : String(error);
  const detailed = config && ['debug', 'trace'].includes(config.logLevel) && error instanceof Error;
  return `Start-up failed: ${message}${detailed ? `\n${error.stack}` : ' (LOG_LEVEL=debug shows where)'}`;
}
