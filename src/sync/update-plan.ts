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
  // What the earlier changes of a record leave in its custom fields, merged when a later change needs it.
  const custom = new Map<string, () => unknown>();
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
    const values = current.get(crmId) ?? record.values;
    let next: Record<string, unknown> | undefined;
    for (const [property, value] of Object.entries(change.fields)) {
      if (sameValue(property in values ? values[property] : undefined, value)) continue;
      (next ??= { ...values })[property] = value;
    }
    let touch = next !== undefined;
    if (change.patch !== null) {
      const earlier = custom.get(crmId);
      if (touch && earlier === undefined && mergeSurelyFits(record.customFields, change.patch)) {
        // A named field changes anyway, and no limit can refuse the merge: it is not computed unless a
        // later change of this record needs what it leaves (the database merges for itself).
        const { customFields } = record;
        const patch = change.patch;
        custom.set(crmId, () => mergePatch(parsedCustom(customFields), JSON.parse(patch)));
      } else {
        const outcome = mergeCustom(earlier ? earlier() : record.customFields, change.patch, noun);
        if ('problem' in outcome) {
          const { code, field, message } = outcome.problem;
          errors.push(updateError(index, crmId, code, field, message));
          continue;
        }
        touch ||= !jsonEqual(outcome.base, outcome.merged);
        custom.set(crmId, () => outcome.merged);
      }
    }
    if (next) current.set(crmId, next);
    if (!touch) continue; // nothing to write: the item succeeds as it is
    const round = seen.get(crmId) ?? 0;
    seen.set(crmId, round + 1);
    (rounds[round] ??= []).push(toRow(change));
  }
  return rounds;
}

/** Custom fields as stored JSON text (parsed; `{}` when none) or as an earlier merge left them. */
const parsedCustom = (current: unknown): unknown => (typeof current === 'string' ? (JSON.parse(current) as unknown) : (current ?? {}));

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
export function mergeCustom(current: unknown, patch: string, noun: string): { base: unknown; merged: unknown } | { problem: CustomProblem } {
  if (typeof current === 'string' && hasEscapedLoneSurrogate(current)) {
    return { problem: { code: 'INVALID_FIELD', field: 'customFields', message: 'The stored custom fields hold text that is not valid Unicode; they cannot be merged.' } };
  }
  const base = parsedCustom(current);
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
 * True when no limit can refuse merging `patch` (an object's JSON as JSON.stringify writes it, which is
 * what an update item's patch is) into the stored custom fields (JSON text; null when none), told from
 * the two texts without parsing them:
 * - keys: each key of an object is followed by a colon, and the merge's keys are the stored ones and
 *   the patch's, so it has no more keys than the two texts have colons;
 * - depth: each level opens with a brace or a bracket, and a merge is never deeper than the deeper of
 *   the two (a key keeps one side's value or merges both, level by level);
 * - bytes: the bound of mergedBytesOver (no stored text: the merge is the patch without its nulls);
 * - and the stored text holds no escaped lone surrogate.
 * False says only that the merge must be computed to tell.
 */
export function mergeSurelyFits(storedText: string | null, patch: string): boolean {
  const stored = storedText ?? '{}';
  if (patch.charCodeAt(0) !== BRACE) return false; // not an object: the merge is the patch itself
  if (!bytesSurelyWithin(stored, patch) || hasEscapedLoneSurrogate(stored)) return false;
  const a = structureCount(stored);
  const b = structureCount(patch);
  return a.colons + b.colons <= CUSTOM_FIELD_LIMITS.maxKeys && Math.max(a.opens, b.opens) <= MAX_CUSTOM_DEPTH;
}

const COLON = 0x3a;
const BRACE = 0x7b;
const BRACKET = 0x5b;

/** Colons, and opening braces and brackets, anywhere in a text (inside strings too: an upper bound). */
function structureCount(text: string): { colons: number; opens: number } {
  let colons = 0;
  let opens = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) colons++;
    else if (c === BRACE || c === BRACKET) opens++;
  }
  return { colons, opens };
}

/**
 * Whether the merged custom fields take more than the limit in bytes of JSON. Serialized compactly, a
 * merge of stored JSON text and a patch is never longer than the two texts together (a key is kept from
 * one side or the other, a nested merge likewise), and a UTF-16 unit never takes more than 3 bytes of
 * UTF-8: when that bound is under the limit, nothing is serialized. (That holds for texts as
 * JSON.stringify writes them, as the service stores them. A database that rewrote a large number
 * shorter, 1e20 for 100000000000000000000, could make the serialized merge longer than its texts; the
 * threefold margin covers that unless such numbers are most of the fields.)
 */
function mergedBytesOver(current: unknown, patch: string, merged: unknown): boolean {
  if (typeof current === 'string' && bytesSurelyWithin(current, patch)) return false;
  return Buffer.byteLength(JSON.stringify(merged), 'utf8') > CUSTOM_FIELD_LIMITS.maxBytes;
}

/** The bound of mergedBytesOver: the two texts together, at 3 bytes of UTF-8 a UTF-16 unit, within the limit. */
function bytesSurelyWithin(stored: string, patch: string): boolean {
  return (stored.length + patch.length) * 3 <= CUSTOM_FIELD_LIMITS.maxBytes;
}
