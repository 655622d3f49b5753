// What a failed query was, by the driver's error code; TypeORM wraps the driver's error as `driverError`.
function driverCode(error: unknown): string | undefined {
  const { driverError, code } = (error ?? {}) as { driverError?: { code?: unknown }; code?: unknown };
  const found = driverError?.code ?? code;
  return typeof found === 'string' ? found : undefined;
}

function driverMessage(error: unknown): string {
  const { driverError, message } = (error ?? {}) as { driverError?: { message?: unknown }; message?: unknown };
  const found = driverError?.message ?? message;
  return typeof found === 'string' ? found : '';
}

/**
 * Two transactions waited on each other and the server rolled one back: safe to run again. On Galera
 * this is also how a certification failure shows: another node committed a conflicting write (the same
 * unique key) first, and ours is refused at COMMIT (or aborted by the applier while it ran), even after
 * an INSERT IGNORE that saw no conflict on its own node.
 */
export const isDeadlock = (error: unknown): boolean => driverCode(error) === 'ER_LOCK_DEADLOCK';

/**
 * A Galera node that is not part of the primary component (it lost its peers, or is still joining)
 * refuses every statement with error 1047: "WSREP has not yet prepared node for application use".
 * Nothing ran; the node may be back within moments, or the replica's readiness check takes it out.
 */
export const isNodeNotReady = (error: unknown): boolean =>
  driverCode(error) === 'ER_UNKNOWN_COM_ERROR' && /WSREP/i.test(driverMessage(error));

/** Failures after which the whole operation (its transaction rolled back) may simply run again. */
export const isRetryable = (error: unknown): boolean => isDeadlock(error) || isNodeNotReady(error);

/** A unique index refused the row. */
export const isUniqueViolation = (error: unknown): boolean =>
  ['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE'].includes(driverCode(error) ?? '');
