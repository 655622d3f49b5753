// The checks an update makes against the stored records, under lock, before it writes, for any record
// type: the record exists, its externalId is not being changed, and its custom fields stay within the
// limits once merged (and within what the databases' JSON functions take). The changes that pass are
// split into rounds: round n holds the n-th change of each record, so that several items for one
// crmId apply in request order, each round one set-based statement.
//
// It also decides, from the values read under lock, whether each change really changes something
// (`updatedAt` moves only then, and a change that changes nothing is not written): a named field whose
// value differs from the stored one (compared exactly: a change of case is a change), or custom fields
// that differ once merged. Later rounds compare against what the earlier ones leave.
import { CUSTOM_FIELD_LIMITS } from '../batch/item-rules.js';
import type { UpdateError, UpdateErrorCode } from '../contract/api-types.js';
import type { LockedRecord } from '../database/record-matching-store.js';
import { depthOf, hasEscapedLoneSurrogate, jsonEqual, MAX_CUSTOM_DEPTH, mergePatch } from './merge-patch.js';

export interface RecordChange {
  /** Position in the request's array. */
  index: number;
  crmId: string;
  /** When sent: must equal the stored one. */
  externalId: string | null;
  /** The documented fields the item names, entity property → new value as text (null clears). */
  fields: Record<string, string | null>;
  /** The custom-fields JSON Merge Patch as JSON text, or null. */
  patch: string | null;
}

export function updateError(index: number, crmId: string | null, code: UpdateErrorCode, field: string | undefined, message: string): UpdateError {
  const report: UpdateError = { index, code, message };
  if (crmId !== null) report.crmId = crmId;
  if (field !== undefined) report.field = field;
  return report;
}

/**
 * Checks `changes` (request order) against `stored`; failures go to `errors`, the rest into rounds of
 * `toRow`. A change that changes nothing succeeds without a row: every row written changes something,
 * so its `updatedAt` moves.
 */
export function planRounds<Change extends RecordChange, Row>(
  changes: readonly Change[],
  stored: ReadonlyMap<string, LockedRecord>,
  noun: string,
  errors: UpdateError[],
  toRow: (change: Change) => Row,
): Row[][] {
  const rounds: Row[][] = [];
  const seen = new Map<string, number>();
  const custom = new Map<string, unknown>();
  // What the earlier changes of a record leave in its named fields (those not here are as stored).
  const current = new Map<string, Record<string, unknown>>();
  for (const change of changes) {
    const { index, crmId } = change;
    const record = stored.get(crmId);
    if (!record) {
      errors.push(updateError(index, crmId, 'NOT_FOUND', 'crmId', `No ${noun} has this crmId.`));
      continue;
    }
    if (change.externalId !== null && change.externalId !== record.externalId) {
      errors.push(updateError(index, crmId, 'IMMUTABLE_FIELD', 'externalId', 'externalId cannot change: it differs from the stored one.'));
      continue;
    }
    let touch = false;
    if (change.patch !== null) {
      const outcome = mergeCustom(custom.has(crmId) ? custom.get(crmId) : record.customFields, change.patch, noun);
      if ('problem' in outcome) {
        const { code, field, message } = outcome.problem;
        errors.push(updateError(index, crmId, code, field, message));
        continue;
      }
      touch = !jsonEqual(outcome.base, outcome.merged);
      custom.set(crmId, outcome.merged);
    }
    const values = current.get(crmId) ?? record.values;
    let next: Record<string, unknown> | undefined;
    for (const [property, value] of Object.entries(change.fields)) {
      if (sameValue(property in values ? values[property] : undefined, value)) continue;
      touch = true;
      (next ??= { ...values })[property] = value;
    }
    if (next) current.set(crmId, next);
    if (!touch) continue; // nothing to write: the item succeeds as it is
    const round = seen.get(crmId) ?? 0;
    seen.set(crmId, round + 1);
    (rounds[round] ??= []).push(toRow(change));
  }
  return rounds;
}

/**
 * A stored value (as the driver reads it: text, a number for whole-number columns, null) against the
 * text an update sends (null clears). Undefined (not read) counts as different.
 */
function sameValue(stored: unknown, sent: string | null): boolean {
  if (sent === null || stored === null) return stored === sent;
  if (typeof stored === 'string') return stored === sent;
  if (typeof stored === 'number') return stored === Number(sent);
  return false;
}

interface CustomProblem {
  code: UpdateErrorCode;
  field?: string;
  message: string;
}

/**
 * The custom fields before (`base`, parsed; `{}` when none) and once merged, or why the merge is
 * refused. `current` is stored JSON text or an earlier merge.
 */
function mergeCustom(current: unknown, patch: string, noun: string): { base: unknown; merged: unknown } | { problem: CustomProblem } {
  if (typeof current === 'string' && hasEscapedLoneSurrogate(current)) {
    return { problem: { code: 'INVALID_FIELD', field: 'customFields', message: 'The stored custom fields hold text that is not valid Unicode; they cannot be merged.' } };
  }
  const base = typeof current === 'string' ? (JSON.parse(current) as unknown) : (current ?? {});
  const merged = mergePatch(base, JSON.parse(patch)) as Record<string, unknown>;
  if (Object.keys(merged).length > CUSTOM_FIELD_LIMITS.maxKeys) {
    return { problem: { code: 'TOO_MANY_CUSTOM_FIELDS', message: `Once merged, the ${noun} would have more than ${CUSTOM_FIELD_LIMITS.maxKeys} custom fields.` } };
  }
  if (mergedBytesOver(current, patch, merged) || depthOf(merged) > MAX_CUSTOM_DEPTH) {
    return {
      problem: {
        code: 'CUSTOM_FIELDS_TOO_LARGE',
        message: `Once merged, the custom fields would take more than ${CUSTOM_FIELD_LIMITS.maxBytes} bytes of JSON or nest deeper than ${MAX_CUSTOM_DEPTH} levels.`,
      },
    };
  }
  return { base, merged };
}

/**
 * Whether the merged custom fields take more than the limit in bytes of JSON. Serialized compactly, a
 * merge of stored JSON text and a patch is never longer than the two texts together (a key is kept from
 * one side or the other, a nested merge likewise), and a UTF-16 unit never takes more than 3 bytes of
 * UTF-8: when that bound is under the limit, nothing is serialized.
 */
function mergedBytesOver(current: unknown, patch: string, merged: unknown): boolean {
  if (typeof current === 'string' && (current.length + patch.length) * 3 <= CUSTOM_FIELD_LIMITS.maxBytes) return false;
  return Buffer.byteLength(JSON.stringify(merged), 'utf8') > CUSTOM_FIELD_LIMITS.maxBytes;
}
