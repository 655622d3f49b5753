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
