import { DomainError } from '../errors/domain-error.js';
import { isUuid } from './ids.js';

// Lists are ordered by crmId, newest first (crmIds are time-ordered UUIDs): a page's cursor is the
// last crmId it holds, opaque to callers.

export const DEFAULT_PAGE_SIZE = 50;

export const encodeCursor = (crmId: string): string => Buffer.from(crmId, 'utf8').toString('base64url');

export function decodeCursor(cursor: string): string {
  const crmId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(crmId)) throw new DomainError('bad_request', 'cursor is not a cursor this service returned.');
  return crmId;
}

/** The page of a list read with one row more than `limit`, and the cursor of the next one. */
export function pageOf<Row extends { crmId: string }, Item>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Item,
): { data: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const more = rows.length > limit;
  return { data: page.map((row) => map(row)), nextCursor: more ? encodeCursor(page[page.length - 1].crmId) : null };
}

/** A cursor of several sort keys (an activity list's occurredAt and id), base64url-encoded. */
export function encodeKeyCursor(parts: readonly string[]): string {
  return Buffer.from(parts.join('\n'), 'utf8').toString('base64url');
}

/** The sort keys of such a cursor, checked by `valid` (which sees them all at once); a 400 otherwise. */
export function decodeKeyCursor(cursor: string, count: number, valid: (parts: string[]) => boolean): string[] {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  if (parts.length !== count || !valid(parts)) throw new DomainError('bad_request', 'cursor is not a cursor this service returned.');
  return parts;
}
