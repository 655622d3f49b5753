// Turns one item of Enginy's batch into a row to store, or into the reason it cannot be stored.
// Hand-written rather than class-validator: it runs 100 times per request on the export hot path,
// must never throw on odd input, and must tell one precise code per item.
import { hasLoneSurrogate } from '../common/unicode.js';
import type { ContactError, ContactErrorCode, UpdateErrorCode } from '../contract/api-types.js';
import {
  CONTACT_TEXT_FIELDS,
  CUSTOM_FIELD_LIMITS,
  type ContactTextField,
  EXTERNAL_ID_MAX_LENGTH,
  FORBIDDEN_KEYS,
} from './contact-fields.js';

export interface NormalizedContact {
  /** Position in the request's `contacts` array. */
  index: number;
  externalId: string;
  fields: Record<ContactTextField, string | null>;
  /** JSON text of the undocumented keys, or null when there are none. */
  customFields: string | null;
}

export type ItemOutcome = { contact: NormalizedContact } | { error: ContactError };

const DOCUMENTED: ReadonlySet<string> = new Set(['externalId', ...CONTACT_TEXT_FIELDS.map((f) => f.field)]);

// Pragmatic address check: one @, no spaces, a dotted domain with sane labels.
const EMAIL = /^[^\s@"<>()[\]\\,;:]{1,64}@(?=.{1,253}$)(?:[A-Za-z0-9\u00a1-\uffff](?:[A-Za-z0-9\u00a1-\uffff-]{0,61}[A-Za-z0-9\u00a1-\uffff])?\.)+[A-Za-z\u00a1-\uffff]{2,63}$/;

const NOT_BLANK = /\S/;

export class ItemError {
  constructor(
    readonly code: ContactErrorCode | UpdateErrorCode,
    readonly field: string | undefined,
    readonly message: string,
  ) {}
}

/** Characters as the database counts them (code points), computed only when the cheap bound fails. */
function tooLong(value: string, maxLength: number): boolean {
  return value.length > maxLength && [...value].length > maxLength;
}

/** A documented field's value as text, null when absent or blank. */
export function text(value: unknown, field: string, maxLength: number): string | null {
  if (value === undefined || value === null) return null;
  let result: string;
  if (typeof value === 'string') result = value;
  else if (typeof value === 'number' || typeof value === 'boolean') result = String(value);
  else throw new ItemError('INVALID_FIELD', field, `${field} must be a string, not ${Array.isArray(value) ? 'an array' : 'an object'}.`);
  // Same whitespace set as trim(), without making a trimmed copy of every value.
  if (!NOT_BLANK.test(result)) return null;
  if (tooLong(result, maxLength)) {
    throw new ItemError('VALUE_TOO_LONG', field, `${field} is longer than ${maxLength} characters.`);
  }
  return result;
}

/**
 * The JSON text of an item's undocumented keys (those not in `documented`), within the custom-field
 * limits; null when there are none. Create and update share it: one set of limits.
 */
export function customFieldsJson(item: Record<string, unknown>, documented: ReadonlySet<string> = DOCUMENTED): string | null {
  // Plain assignment is safe here: '__proto__', the one key that assignment treats specially, is
  // among the forbidden keys skipped below.
  const custom: Record<string, unknown> = {};
  let count = 0;
  for (const key of Object.keys(item)) {
    if (documented.has(key) || FORBIDDEN_KEYS.has(key)) continue;
    if (key.length > CUSTOM_FIELD_LIMITS.maxKeyLength) {
      throw new ItemError(
        'CUSTOM_FIELD_KEY_TOO_LONG',
        key.slice(0, 40),
        `A custom field name is longer than ${CUSTOM_FIELD_LIMITS.maxKeyLength} characters.`,
      );
    }
    custom[key] = item[key];
    count++;
  }
  if (count === 0) return null;
  if (count > CUSTOM_FIELD_LIMITS.maxKeys) {
    throw new ItemError(
      'TOO_MANY_CUSTOM_FIELDS',
      undefined,
      `The contact has ${count} custom fields; at most ${CUSTOM_FIELD_LIMITS.maxKeys} are kept.`,
    );
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(custom);
  } catch {
    json = undefined; // nesting too deep to serialize
  }
  if (json === undefined || overCustomBytes(json)) {
    throw new ItemError(
      'CUSTOM_FIELDS_TOO_LARGE',
      undefined,
      `The custom fields take more than ${CUSTOM_FIELD_LIMITS.maxBytes} bytes of JSON.`,
    );
  }
  return json;
}

/** A UTF-16 unit never takes more than 3 bytes of UTF-8: count bytes only when that bound is over. */
export const overCustomBytes = (json: string): boolean =>
  json.length * 3 > CUSTOM_FIELD_LIMITS.maxBytes && Buffer.byteLength(json, 'utf8') > CUSTOM_FIELD_LIMITS.maxBytes;

export const isEmail = (value: string): boolean => EMAIL.test(value);

export function externalIdOf(item: Record<string, unknown>): string {
  const externalId = text(item.externalId, 'externalId', EXTERNAL_ID_MAX_LENGTH);
  if (externalId === null) throw new ItemError('MISSING_EXTERNAL_ID', 'externalId', 'externalId is required.');
  // The key of idempotency must be stored exactly as sent, which a lone surrogate cannot be.
  if (hasLoneSurrogate(externalId)) {
    throw new ItemError('INVALID_FIELD', 'externalId', 'externalId is not valid Unicode text (it holds a lone surrogate).');
  }
  return externalId;
}

export function normalizeContact(item: unknown, index: number): ItemOutcome {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return { error: { index, code: 'NOT_AN_OBJECT', message: 'Each contact must be a JSON object.' } };
  }
  const record = item as Record<string, unknown>;
  let externalId: string | undefined;
  try {
    externalId = externalIdOf(record);
    const fields = {} as Record<ContactTextField, string | null>;
    for (const { field, maxLength } of CONTACT_TEXT_FIELDS) fields[field] = text(record[field], field, maxLength);
    if (fields.email !== null && !isEmail(fields.email)) {
      throw new ItemError('INVALID_EMAIL', 'email', 'email is not a valid email address.');
    }
    return { contact: { index, externalId, fields, customFields: customFieldsJson(record) } };
  } catch (error) {
    if (!(error instanceof ItemError)) throw error;
    const report: ContactError = { index, code: error.code as ContactErrorCode, message: error.message };
    if (externalId !== undefined) report.externalId = externalId;
    if (error.field !== undefined) report.field = error.field;
    return { error: report };
  }
}
