// Sync and update items read by the batch engine's spec-driven item path (src/batch/item-validator.ts):
// the item schemas SyncContactInput, UpdateContactInput, ... are compiled from the contract like the
// create schemas, so a field's bound and format live in one place and answer the same codes.
import type { ItemError, ItemValidator } from '../batch/item-validator.js';
import type { SyncError, SyncErrorCode, UpdateError, UpdateErrorCode } from '../contract/api-types.js';
import type { SyncCandidate } from './matching.js';
import { hasEscapedLoneSurrogate } from './merge-patch.js';
import { type RecordChange, updateError } from './update-plan.js';

/** A sync item as its matching keys (`keysOf` turns its documented fields into one key per rule). */
export function readSyncItem<Rule extends string>(
  validator: ItemValidator,
  item: unknown,
  index: number,
  keysOf: (fields: Readonly<Record<string, string | undefined>>) => Record<Rule, string | null>,
): { candidate: SyncCandidate<Rule> } | { error: SyncError } {
  const outcome = validator.normalize(item, index);
  if (!('key' in outcome)) return { error: { ...outcome, code: outcome.code as SyncErrorCode } };
  return { candidate: { index, externalId: outcome.key, keys: keysOf(outcome.fields) } };
}

/** An update item: its documented fields named (a value, or null to clear), its custom-fields patch. */
export interface FieldChange extends RecordChange {
  fields: Record<string, string | null>;
}

/** Keys of an update item schema that are the service's: read, never written. */
const SERVICE_KEYS = new Set(['crmId', 'externalId', 'createdAt', 'updatedAt']);

export function readUpdateItem(validator: ItemValidator, item: unknown, index: number): { change: FieldChange } | { error: UpdateError } {
  const outcome = validator.normalize(item, index);
  if (!('key' in outcome)) return { error: asUpdateError(outcome) };
  const record = item as Record<string, unknown>;
  const fields: Record<string, string | null> = {};
  for (const { name } of validator.fields) {
    // Present but absent after normalizing: null or blank, which clears the field.
    if (!SERVICE_KEYS.has(name) && record[name] !== undefined) fields[name] = outcome.fields[name] ?? null;
  }
  if (outcome.customFields !== null && hasEscapedLoneSurrogate(outcome.customFields)) {
    return { error: updateError(index, outcome.key, 'INVALID_FIELD', undefined, 'A custom field holds text that is not valid Unicode (a lone surrogate).') };
  }
  return { change: { index, crmId: outcome.key, externalId: outcome.fields.externalId ?? null, fields, patch: outcome.customFields } };
}

/** The validator keys items by crmId here: its "missing key" is a missing crmId. */
function asUpdateError(error: ItemError): UpdateError {
  const code: UpdateErrorCode = error.code === 'MISSING_EXTERNAL_ID' ? 'MISSING_FIELD' : error.code;
  return updateError(error.index, error.externalId ?? null, code, error.field, error.message);
}
