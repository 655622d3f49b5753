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

/** Codes of a database that cannot be reached (yet): down, starting, unreachable, or its name not resolving yet. */
const UNREACHABLE = ['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST'];

/** The server could not be reached: worth retrying at start-up, since services often start before their database. */
export const isUnreachable = (error: unknown): boolean => UNREACHABLE.includes(driverCode(error) ?? '');

/** The server answered, but the database named in the URL does not exist on it. */
export const isUnknownDatabase = (error: unknown): boolean => driverCode(error) === 'ER_BAD_DB_ERROR';

/** The server refused the user or its password, or the user's access to the database. */
export const isAccessDenied = (error: unknown): boolean =>
  ['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'].includes(driverCode(error) ?? '');
