// Turns one item of PUT /contacts into the changes to apply, or into the reason it cannot be applied.
// Field rules are create's (contact-input.ts): the same text(), email check and custom-field limits.
import type { UpdateError, UpdateErrorCode } from '../contract/api-types.js';
import { hasEscapedLoneSurrogate } from '../custom-fields/merge-patch.js';
import { CONTACT_TEXT_FIELDS, type ContactTextField, EXTERNAL_ID_MAX_LENGTH } from './contact-fields.js';
import { customFieldsJson, isEmail, ItemError, text } from './contact-input.js';

export const CRM_ID_MAX_LENGTH = 64;

export interface ContactChange {
  /** Position in the request's `contacts` array. */
  index: number;
  crmId: string;
  /** When sent: must equal the stored one. */
  externalId: string | null;
  /** The documented fields the item names: value, or null to clear. */
  fields: Partial<Record<ContactTextField, string | null>>;
  /** The custom-fields JSON Merge Patch as JSON text (null values remove keys), or null. */
  patch: string | null;
}

export type ChangeOutcome = { change: ContactChange } | { error: UpdateError };

/** Keys that are neither documented fields nor custom fields: the service's own. */
const SERVICE_KEYS = ['crmId', 'externalId', 'createdAt', 'updatedAt'];
const NOT_CUSTOM: ReadonlySet<string> = new Set([...SERVICE_KEYS, ...CONTACT_TEXT_FIELDS.map((f) => f.field)]);

export function readContactChange(item: unknown, index: number): ChangeOutcome {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return { error: { index, code: 'NOT_AN_OBJECT', message: 'Each contact must be a JSON object.' } };
  }
  const record = item as Record<string, unknown>;
  let crmId: string | null = null;
  try {
    crmId = text(record.crmId, 'crmId', CRM_ID_MAX_LENGTH);
    if (crmId === null) throw new ItemError('MISSING_FIELD', 'crmId', 'crmId is required.');
    const externalId = text(record.externalId, 'externalId', EXTERNAL_ID_MAX_LENGTH);
    const fields: Partial<Record<ContactTextField, string | null>> = {};
    for (const { field, maxLength } of CONTACT_TEXT_FIELDS) {
      if (record[field] !== undefined) fields[field] = text(record[field], field, maxLength);
    }
    if (typeof fields.email === 'string' && !isEmail(fields.email)) {
      throw new ItemError('INVALID_EMAIL', 'email', 'email is not a valid email address.');
    }
    const patch = customFieldsJson(record, NOT_CUSTOM);
    if (patch !== null && hasEscapedLoneSurrogate(patch)) {
      throw new ItemError('INVALID_FIELD', undefined, 'A custom field holds text that is not valid Unicode (a lone surrogate).');
    }
    return { change: { index, crmId, externalId, fields, patch } };
  } catch (error) {
    if (!(error instanceof ItemError)) throw error;
    return { error: itemError(index, crmId, error.code as UpdateErrorCode, error.field, error.message) };
  }
}

export function itemError(index: number, crmId: string | null, code: UpdateErrorCode, field: string | undefined, message: string): UpdateError {
  const report: UpdateError = { index, code, message };
  if (crmId !== null) report.crmId = crmId;
  if (field !== undefined) report.field = field;
  return report;
}
