// The checks an update makes against the stored records, under lock, before it writes, for any record
// type: the record exists, its externalId is not being changed, and its custom fields stay within the
// limits once merged (and within what the databases' JSON functions take). The changes that pass are
// split into rounds: round n holds the n-th change of each record, so that several items for one
// crmId apply in request order, each round one set-based statement.
import { CUSTOM_FIELD_LIMITS } from '../batch/item-rules.js';
import type { UpdateError, UpdateErrorCode } from '../contract/api-types.js';
import type { LockedRecord } from '../database/record-matching-store.js';
import { depthOf, hasEscapedLoneSurrogate, MAX_CUSTOM_DEPTH, mergePatch } from './merge-patch.js';

export interface RecordChange {
  /** Position in the request's array. */
  index: number;
  crmId: string;
  /** When sent: must equal the stored one. */
  externalId: string | null;
  /** The custom-fields JSON Merge Patch as JSON text, or null. */
  patch: string | null;
}

export function updateError(index: number, crmId: string | null, code: UpdateErrorCode, field: string | undefined, message: string): UpdateError {
  const report: UpdateError = { index, code, message };
  if (crmId !== null) report.crmId = crmId;
  if (field !== undefined) report.field = field;
  return report;
}

/** Checks `changes` (request order) against `stored`; failures go to `errors`, the rest into rounds of `toRow`. */
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
    if (change.patch !== null) {
      const outcome = mergeCustom(custom.has(crmId) ? custom.get(crmId) : record.customFields, change.patch, noun);
      if ('problem' in outcome) {
        const { code, field, message } = outcome.problem;
        errors.push(updateError(index, crmId, code, field, message));
        continue;
      }
      custom.set(crmId, outcome.merged);
    }
    const round = seen.get(crmId) ?? 0;
    seen.set(crmId, round + 1);
    (rounds[round] ??= []).push(toRow(change));
  }
  return rounds;
}

interface CustomProblem {
  code: UpdateErrorCode;
  field?: string;
  message: string;
}

/** The merged custom fields (parsed), or why the merge is refused. `current` is stored JSON text or an earlier merge. */
function mergeCustom(current: unknown, patch: string, noun: string): { merged: unknown } | { problem: CustomProblem } {
  if (typeof current === 'string' && hasEscapedLoneSurrogate(current)) {
    return { problem: { code: 'INVALID_FIELD', field: 'customFields', message: 'The stored custom fields hold text that is not valid Unicode; they cannot be merged.' } };
  }
  const base = typeof current === 'string' ? (JSON.parse(current) as unknown) : (current ?? {});
  const merged = mergePatch(base, JSON.parse(patch)) as Record<string, unknown>;
  if (Object.keys(merged).length > CUSTOM_FIELD_LIMITS.maxKeys) {
    return { problem: { code: 'TOO_MANY_CUSTOM_FIELDS', message: `Once merged, the ${noun} would have more than ${CUSTOM_FIELD_LIMITS.maxKeys} custom fields.` } };
  }
  if (Buffer.byteLength(JSON.stringify(merged), 'utf8') > CUSTOM_FIELD_LIMITS.maxBytes || depthOf(merged) > MAX_CUSTOM_DEPTH) {
    return {
      problem: {
        code: 'CUSTOM_FIELDS_TOO_LARGE',
        message: `Once merged, the custom fields would take more than ${CUSTOM_FIELD_LIMITS.maxBytes} bytes of JSON or nest deeper than ${MAX_CUSTOM_DEPTH} levels.`,
      },
    };
  }
  return { merged };
}
