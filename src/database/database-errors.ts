// How database failures are classified. Which failures mean "the database cannot be reached right now" (503 + Retry-After, safe to retry)
// rather than a bug (500). Drivers nest their errors (TypeORM's driverError, `cause`), so look deep.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'DB_TIMEOUT',
]);
const UNAVAILABLE_MESSAGES = [/pool is closed/i, /connection is in closed state/i, /can't add new command when connection is in closed state/i, /driver not connected/i];

export class DatabaseTimeoutError extends Error {
  readonly code = 'DB_TIMEOUT';
  constructor(what: string, ms: number) {
    super(`${what} took longer than ${ms} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, message, driverError, cause } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1);
}

/**
 * mysql2's pool refuses a connection request when its bounded queue (queueLimit) is full: the database
 * is up and every connection busy, so the service is busy (503), not the database unavailable.
 */
export function isPoolQueueFull(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { message, driverError, cause } = error as { message?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof message === 'string' && /queue limit reached/i.test(message)) return true;
  return isPoolQueueFull(driverError, depth + 1) || isPoolQueueFull(cause, depth + 1);
}

/** Rejects with a DatabaseTimeoutError when `work` has not settled within `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// What a failed query was, by the driver's error code; TypeORM wraps the driver's error as `driverError`.
export function driverCode(error: unknown): string | undefined {
  const { driverError, code } = (error ?? {}) as { driverError?: { code?: unknown }; code?: unknown };
  const found = driverError?.code ?? code;
  return typeof found === 'string' ? found : undefined;
}

/** Two transactions waited on each other and the server rolled one back: safe to run again. */
export const isDeadlock = (error: unknown): boolean => driverCode(error) === 'ER_LOCK_DEADLOCK';

/** A unique index refused the row. */
export const isUniqueViolation = (error: unknown): boolean =>
  ['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE'].includes(driverCode(error) ?? '');

/** Codes of a server that cannot be reached (yet): down, starting, unreachable, or its name not resolving yet. */
const UNREACHABLE = ['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST'];

/** The server could not be reached: worth retrying at start-up, since services often start before their database. */
export const isUnreachable = (error: unknown): boolean => UNREACHABLE.includes(driverCode(error) ?? '');

/** The server answered, but the database named in the URL does not exist on it. */
export const isUnknownDatabase = (error: unknown): boolean => driverCode(error) === 'ER_BAD_DB_ERROR';

/** The server refused the user or its password, or the user's access to the database. */
export const isAccessDenied = (error: unknown): boolean =>
  ['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'].includes(driverCode(error) ?? '');
