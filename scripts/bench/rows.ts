// The contacts table's columns and the values the service would store for a contact, so that the
// floor and the bulk load write the same rows as the service, with no validation and no ORM.
import mysql from 'mysql2';
import { CONTACT_TEXT_FIELDS } from '../../src/contacts/contact-fields.js';

const DOCUMENTED = new Set<string>(['externalId', ...CONTACT_TEXT_FIELDS.map((f) => f.field)]);

/** Column order of every INSERT the bench writes: the ones that vary per row come first. */
export const COLUMNS = [
  'crm_id',
  'external_id',
  'email',
  'email_lower',
  ...CONTACT_TEXT_FIELDS.filter((f) => f.field !== 'email').map((f) => f.column),
  'custom_fields',
  'created_at',
  'updated_at',
];

export const COLUMN_LIST = COLUMNS.map((c) => `\`${c}\``).join(',');

/** A DATETIME(3) literal in UTC, as the service writes it (timezone 'Z'). */
export function sqlDateTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

const textOf = (value: unknown): string | null =>
  value === undefined || value === null || String(value).trim() === '' ? null : String(value);

/** Everything after the four varying columns, escaped: `,'first',...,'custom json','ts','ts'`. */
export function escapedTail(contact: Record<string, unknown>, now: string): string {
  const values: (string | null)[] = CONTACT_TEXT_FIELDS.filter((f) => f.field !== 'email').map((f) => textOf(contact[f.field]));
  const custom: Record<string, unknown> = {};
  let customCount = 0;
  for (const key of Object.keys(contact)) {
    if (DOCUMENTED.has(key)) continue;
    custom[key] = contact[key];
    customCount++;
  }
  values.push(customCount === 0 ? null : JSON.stringify(custom), now, now);
  return values.map((v) => `,${mysql.escape(v)}`).join('');
}

/** One row tuple `(...)` for a multi-row INSERT. */
export function escapedRow(contact: Record<string, unknown>, crmId: string, now: string): string {
  const email = textOf(contact.email);
  const head = [crmId, String(contact.externalId), email, email?.toLowerCase() ?? null].map((v) => mysql.escape(v)).join(',');
  return `(${head}${escapedTail(contact, now)})`;
}

export function insertStatement(table: string, tuples: string[]): string {
  return `INSERT INTO \`${table}\` (${COLUMN_LIST}) VALUES ${tuples.join(',')}`;
}
