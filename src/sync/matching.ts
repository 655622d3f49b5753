// The matching behind POST /contacts/sync and POST /companies/sync: rules tried in order, first hit
// wins; each rule is one lookup for the whole batch (only the items no earlier rule matched), so a
// batch costs at most one query per rule, never one per item.
import type { SyncProperties } from '../contract/api-types.js';

/** One readable sync item: its externalId and its key under each rule (null: the rule cannot apply). */
export interface SyncCandidate<Rule extends string> {
  index: number;
  externalId: string;
  keys: Readonly<Record<Rule, string | null>>;
}

/** What a sync answers about a stored record. */
export interface MatchedRecord {
  crmId: string;
  ownerId: string | null;
  updatedAt: Date | string;
  /** JSON text; read only when SYNC_PROPERTIES names something. */
  customFields?: string | null;
}

/**
 * Key → the record it finds under one rule. When several stored records have the key, the lookup
 * answers the oldest (first created; ties by crmId, which is time-ordered too).
 */
export type RuleLookup<Rule extends string> = (rule: Rule, keys: string[]) => Promise<Map<string, MatchedRecord>>;

export interface Match<Rule extends string> {
  candidate: SyncCandidate<Rule>;
  rule: Rule;
  record: MatchedRecord;
}

/** Matches in request order; unmatched candidates are left out. */
export async function matchInOrder<Rule extends string>(
  candidates: readonly SyncCandidate<Rule>[],
  rules: readonly Rule[],
  lookup: RuleLookup<Rule>,
): Promise<Match<Rule>[]> {
  const found = new Map<SyncCandidate<Rule>, Match<Rule>>();
  for (const rule of rules) {
    const open = candidates.filter((candidate) => !found.has(candidate) && candidate.keys[rule] !== null);
    if (open.length === 0) continue;
    const records = await lookup(rule, [...new Set(open.map((candidate) => candidate.keys[rule]!))]);
    for (const candidate of open) {
      const record = records.get(candidate.keys[rule]!);
      if (record) found.set(candidate, { candidate, rule, record });
    }
  }
  return candidates.flatMap((candidate) => found.get(candidate) ?? []);
}

/** A custom value over this many bytes of JSON is left out of `properties`. */
export const SYNC_PROPERTY_MAX_BYTES = 2048;

/** A DATETIME as the drivers hand it back (mysql2: a Date; SQLite: UTC text) in ISO 8601. */
export function isoTimestamp(value: Date | string): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`).toISOString();
}

export function syncProperties(record: MatchedRecord, names: readonly string[]): SyncProperties {
  const properties: SyncProperties = { updatedAt: isoTimestamp(record.updatedAt) };
  if (record.ownerId !== null) properties.ownerId = record.ownerId;
  if (names.length === 0 || !record.customFields) return properties;
  let custom: Record<string, unknown>;
  try {
    custom = JSON.parse(record.customFields) as Record<string, unknown>;
  } catch {
    return properties;
  }
  for (const name of names) {
    if (!Object.hasOwn(custom, name)) continue;
    const json = JSON.stringify(custom[name]);
    if (json !== undefined && Buffer.byteLength(json, 'utf8') <= SYNC_PROPERTY_MAX_BYTES) {
      Object.defineProperty(properties, name, { value: custom[name], enumerable: true, writable: true, configurable: true });
    }
  }
  return properties;
}
