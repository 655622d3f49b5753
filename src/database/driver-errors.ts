// What a failed query was, by the driver's error code; TypeORM wraps the driver's error as `driverError`.
function driverCode(error: unknown): string | undefined {
  const { driverError, code } = (error ?? {}) as { driverError?: { code?: unknown }; code?: unknown };
  const found = driverError?.code ?? code;
  return typeof found === 'string' ? found : undefined;
}

/** Two transactions waited on each other and the server rolled one back: safe to run again. */
export const isDeadlock = (error: unknown): boolean => driverCode(error) === 'ER_LOCK_DEADLOCK';

/** A unique index refused the row. */
export const isUniqueViolation = (error: unknown): boolean =>
  ['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE'].includes(driverCode(error) ?? '');
