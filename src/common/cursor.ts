// Opaque page cursors: the sort key of a page's last row, base64url-encoded. A cursor that does not
// decode to what this service would have made is a 400, never a query on garbage.
import { DomainError } from '../errors/domain-error.js';

const SEPARATOR = '\n';

export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(parts.join(SEPARATOR), 'utf8').toString('base64url');
}

/** The parts of a cursor, checked by `valid` (which sees them all at once). */
export function decodeCursor(cursor: string, count: number, valid: (parts: string[]) => boolean): string[] {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(SEPARATOR);
  if (parts.length !== count || !valid(parts)) throw new DomainError('bad_request', 'cursor is not a cursor this service returned.');
  return parts;
}
