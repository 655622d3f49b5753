// The contacts table's columns and the values the service would store for a contact, so that the
// floor and the bulk load write the same rows as the service, with no validation and no ORM.
import mysql from 'mysql2';
import { getMetadataArgsStorage } from 'typeorm';
import { ContactEntity } from '../../src/contacts/contact.entity.js';
import { contractSchema } from '../../src/contract/contract.js';

/** The documented fields, from the contract, each with the column of the entity property of the same name. */
const CONTACT_TEXT_FIELDS = Object.keys(contractSchema('ContactInput').properties as object)
  .filter((field) => field !== 'externalId')
  .map((field) => {
    const column = getMetadataArgsStorage().columns.find((c) => c.target === ContactEntity && c.propertyName === field);
    if (!column) throw new Error(`ContactEntity has no column for ${field}`);
    return { field, column: column.options.name ?? field };
  });

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

/** The undocumented keys as JSON text, as the service keeps them; null when there are none. */
function customFieldsOf(contact: Record<string, unknown>): string | null {
  const custom: Record<string, unknown> = {};
  let count = 0;
  for (const key of Object.keys(contact)) {
    if (DOCUMENTED.has(key)) continue;
    custom[key] = contact[key];
    count++;
  }
  return count === 0 ? null : JSON.stringify(custom);
}

/** Everything after the four varying columns, escaped: `,'first',...,'custom json','ts','ts'`. */
export function escapedTail(contact: Record<string, unknown>, now: string): string {
  const values = rowValues(contact, '', now).slice(4);
  return values.map((v) => `,${mysql.escape(v)}`).join('');
}

/** One row's values in COLUMNS order, as the service would store them. */
export function rowValues(contact: Record<string, unknown>, crmId: string, now: string): (string | null)[] {
  const email = textOf(contact.email);
  const values: (string | null)[] = [crmId, String(contact.externalId), email, email?.toLowerCase() ?? null];
  for (const f of CONTACT_TEXT_FIELDS) if (f.field !== 'email') values.push(textOf(contact[f.field]));
  values.push(customFieldsOf(contact), now, now);
  return values;
}

/** One row tuple `(...)` for a multi-row INSERT. */
export function escapedRow(values: (string | null)[]): string {
  return `(${values.map((v) => mysql.escape(v)).join(',')})`;
}

/** `INSERT INTO table (...) VALUES (?, ...), ...` for `rows` rows: the prepared form. */
export function preparedInsert(table: string, rows: number): string {
  const tuple = `(${COLUMNS.map(() => '?').join(',')})`;
  return `INSERT INTO \`${table}\` (${COLUMN_LIST}) VALUES ${Array.from({ length: rows }, () => tuple).join(',')}`;
}

export function insertStatement(table: string, tuples: string[]): string {
  return `INSERT INTO \`${table}\` (${COLUMN_LIST}) VALUES ${tuples.join(',')}`;
}
