// The contacts table's columns and the values the service would store for a contact, so that the
// floor and the bulk load write the same rows as the service, with no validation and no ORM.
import mysql from 'mysql2';
import { linkedinKey } from '../../src/matching/linkedin-url.js';
import { getMetadataArgsStorage } from 'typeorm';
import { ContactEntity } from '../../src/contacts/contact.entity.js';
import { contractSchema } from '../../src/contract/contract.js';
import { v7 as uuidv7 } from 'uuid';
import type { BatchDefinition } from '../../src/batch/batch-engine.js';

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
  'linkedin_url',
  'linkedin_normalized',
  ...CONTACT_TEXT_FIELDS.filter((f) => f.field !== 'email' && f.field !== 'linkedinUrl').map((f) => f.column),
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

/** The columns that vary per row (ids, email, LinkedIn URL): the bulk load makes them per row. */
export const VARYING_COLUMNS = 6;

/** Everything after the varying columns, escaped: `,'first',...,'custom json','ts','ts'`. */
export function escapedTail(contact: Record<string, unknown>, now: string): string {
  const values = rowValues(contact, '', now).slice(VARYING_COLUMNS);
  return values.map((v) => `,${mysql.escape(v)}`).join('');
}

/** One row's values in COLUMNS order, as the service would store them. */
export function rowValues(contact: Record<string, unknown>, crmId: string, now: string): (string | null)[] {
  const email = textOf(contact.email);
  const linkedinUrl = textOf(contact.linkedinUrl);
  const values: (string | null)[] = [crmId, String(contact.externalId), email, email?.toLowerCase() ?? null, linkedinUrl, linkedinKey(linkedinUrl, 'person')];
  for (const f of CONTACT_TEXT_FIELDS) if (f.field !== 'email' && f.field !== 'linkedinUrl') values.push(textOf(contact[f.field]));
  values.push(customFieldsOf(contact), now, now);
  return values;
}

/** One row tuple `(...)` for a multi-row INSERT. */
export function escapedRow(values: (string | null)[]): string {
  return `(${values.map((v) => mysql.escape(v)).join(',')})`;
}

const columnList = (columns: readonly string[]) => columns.map((c) => `\`${c}\``).join(',');

/** `INSERT INTO table (...) VALUES (?, ...), ...` for `rows` rows: the prepared form. */
export function preparedInsert(table: string, rows: number, columns: readonly string[] = COLUMNS): string {
  const tuple = `(${columns.map(() => '?').join(',')})`;
  return `INSERT INTO \`${table}\` (${columnList(columns)}) VALUES ${Array.from({ length: rows }, () => tuple).join(',')}`;
}

export function insertStatement(table: string, tuples: string[], columns: readonly string[] = COLUMNS): string {
  return `INSERT INTO \`${table}\` (${columnList(columns)}) VALUES ${tuples.join(',')}`;
}

/** A table the floor writes: its columns, and an item's row in their order, as the service stores it. */
export interface RowShape<Item> {
  table: string;
  columns: readonly string[];
  row(item: Item, now: string): (string | null)[];
}

export const CONTACT_ROWS: RowShape<Record<string, unknown>> = {
  table: 'contacts',
  columns: COLUMNS,
  row: (contact, now) => rowValues(contact, uuidv7(), now),
};

/**
 * The rows of any record type on the batch engine, read from its BatchDefinition: id, key, each
 * documented field of its item schema in its column (a whole number as digits), the derived columns,
 * custom fields and timestamps.
 */
export function batchRows(definition: BatchDefinition<string>): RowShape<Record<string, unknown>> {
  const columnOf = (property: string): string => {
    const column = getMetadataArgsStorage().columns.find((c) => c.target === definition.entity && c.propertyName === property);
    if (!column) throw new Error(`${String(definition.entity)} has no column for ${property}`);
    return column.options.name ?? property;
  };
  const fields = Object.keys(contractSchema(definition.itemSchema).properties as object).filter((field) => field !== definition.keyProperty);
  const documented = new Set([definition.keyProperty, ...fields]);
  const derived = definition.derived ?? [];
  const metadata = getMetadataArgsStorage().tables.find((t) => t.target === definition.entity);
  return {
    table: metadata?.name ?? definition.listKey,
    columns: [
      definition.idProperty,
      definition.keyProperty,
      ...fields,
      ...derived.map((d) => d.property),
      definition.customFieldsProperty,
      definition.createdAtProperty,
      definition.updatedAtProperty,
    ].map(columnOf),
    row(item, now) {
      // Text fields only (the bench sends lists as text): the stored value is the given one.
      const given: Record<string, string> = {};
      for (const field of fields) {
        const value = textOf(item[field]);
        if (value !== null) given[field] = value;
      }
      const custom = Object.fromEntries(Object.entries(item).filter(([key]) => !documented.has(key)));
      return [
        uuidv7(),
        String(item[definition.keyProperty]),
        ...fields.map((f) => given[f] ?? null),
        ...derived.map((d) => d.from(given)),
        Object.keys(custom).length === 0 ? null : JSON.stringify(custom),
        now,
        now,
      ];
    },
  };
}

/** One link of POST /associations, by CRM ids. */
export interface Pair {
  contactCRMId: string;
  companyCRMId: string;
}

/** The contact_companies table: one row per pair, as the service stores it. */
export const PAIR_ROWS: RowShape<Pair> = {
  table: 'contact_companies',
  columns: ['contact_crm_id', 'company_crm_id', 'created_at'],
  row: (pair, now) => [pair.contactCRMId, pair.companyCRMId, now],
};
