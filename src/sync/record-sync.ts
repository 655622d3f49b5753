// POST /<records>/sync and PUT /<records> for any record type (contacts, companies): the items read
// by the engine's spec-driven validator, the matching rules tried in order (one query per rule for
// the batch), and the partial merge (one locked read, one query per reference rule, one set-based
// statement per round). A record type plugs in with a SyncDefinition, as it does into the batch
// engine with a BatchDefinition.
import { batchItems, type BatchReference } from '../batch/batch-engine.js';
import { ItemValidator } from '../batch/item-validator.js';
import type { SyncError, UpdateBatchResult, UpdateError, UpdateResult } from '../contract/api-types.js';
import type { RecordMatchingStore, RecordTable, RecordWrite } from '../database/record-matching-store.js';
import { readSyncItem, readUpdateItem, type FieldChange } from './items.js';
import { matchInOrder, type SyncCandidate, syncProperties } from './matching.js';
import { planRounds, updateError } from './update-plan.js';

export interface SyncDefinition<Rule extends string> {
  /** The request body's array ("contacts") and what one item is called ("contact"). */
  listKey: string;
  noun: string;
  /** Item schemas in the contract (SyncContactInput, UpdateContactInput). */
  syncSchema: string;
  updateSchema: string;
  table: RecordTable<Rule>;
  /** The matching rules in the order they are tried, and each one's key from an item's fields. */
  rules: readonly Rule[];
  keysOf: (fields: Readonly<Record<string, string | undefined>>) => Record<Rule, string | null>;
  /** Columns computed from a documented field: recomputed when an update names that field. */
  derived: readonly { property: string; source: string; from: (value: string | null) => string | null }[];
  references: readonly BatchReference<'UNKNOWN_OWNER'>[];
}

export interface SyncAnswer<Rule extends string> {
  results: { externalId: string; crmId: string; matchedBy: Rule; properties: ReturnType<typeof syncProperties> }[];
  errors: SyncError[];
}

/** A batch answer, and whether any item went through (otherwise the status is 422). */
export interface Outcome<T> {
  ok: boolean;
  body: T;
}

export class RecordSync<Rule extends string> {
  private readonly syncValidator: ItemValidator;
  private readonly updateValidator: ItemValidator;

  constructor(
    private readonly definition: SyncDefinition<Rule>,
    private readonly store: RecordMatchingStore,
    private readonly maxBatchSize: number,
    private readonly propertyNames: readonly string[],
  ) {
    this.syncValidator = new ItemValidator(definition.syncSchema, 'externalId', definition.noun, undefined, { customFields: false });
    this.updateValidator = new ItemValidator(definition.updateSchema, 'crmId', definition.noun);
  }

  /** Which items are stored: only matched ones are answered; nothing is written. */
  async sync(body: unknown): Promise<Outcome<SyncAnswer<Rule>>> {
    const { listKey, noun, rules, keysOf, table } = this.definition;
    const items = batchItems(body, listKey, noun, this.maxBatchSize);
    const errors: SyncError[] = [];
    const candidates: SyncCandidate<Rule>[] = [];
    for (const [index, item] of items.entries()) {
      const outcome = readSyncItem(this.syncValidator, item, index, keysOf);
      if ('error' in outcome) errors.push(outcome.error);
      else candidates.push(outcome.candidate);
    }
    const names = this.propertyNames;
    const matches =
      candidates.length === 0 ? [] : await this.store.matchSession(table, names.length > 0, (lookup) => matchInOrder(candidates, rules, lookup));
    const results = matches.map(({ candidate, rule, record }) => ({
      externalId: candidate.externalId,
      crmId: record.crmId,
      matchedBy: rule,
      properties: syncProperties(record, names),
    }));
    return { ok: candidates.length > 0, body: { results, errors } };
  }

  /** A partial merge of each item into the record its crmId names; every item answered in request order. */
  async update(body: unknown): Promise<Outcome<UpdateBatchResult>> {
    const { listKey, noun, table, references, derived } = this.definition;
    const items = batchItems(body, listKey, noun, this.maxBatchSize);
    const early: UpdateError[] = [];
    const changes: FieldChange[] = [];
    for (const [index, item] of items.entries()) {
      const outcome = readUpdateItem(this.updateValidator, item, index);
      if ('error' in outcome) early.push(outcome.error);
      else changes.push(outcome.change);
    }
    let late: UpdateError[] = [];
    if (changes.length > 0) {
      const referenced = references.map((rule) => ({
        rule,
        ids: [...new Set(changes.flatMap((change) => (typeof change.fields[rule.field] === 'string' ? [change.fields[rule.field]!] : [])))],
      }));
      // Sorted: the locked read's statement is one shape for items naming the same fields in any order.
      const named = [...new Set(changes.flatMap((change) => Object.keys(change.fields)))].sort();
      await this.store.update(table, changes.map((change) => change.crmId), named, referenced, new Date(), (stored, found) => {
        late = []; // a deadlock retry decides again
        const referencedOk = changes.filter((change) => {
          const broken = references.findIndex((rule, r) => {
            const id = change.fields[rule.field];
            return typeof id === 'string' && !found[r].has(id);
          });
          if (broken < 0) return true;
          const rule = references[broken];
          late.push(updateError(change.index, change.crmId, rule.code, rule.field, rule.message));
          return false;
        });
        return planRounds(referencedOk, stored, noun, late, (change): RecordWrite => {
          const values = new Map<string, unknown>(Object.entries(change.fields));
          for (const { property, source, from } of derived) {
            if (source in change.fields) values.set(property, from(change.fields[source]));
          }
          return { crmId: change.crmId, values, patch: change.patch };
        });
      });
    }
    const errors = [...early, ...late].sort((a, b) => a.index - b.index);
    const failed = new Map(errors.map((error) => [error.index, error]));
    const crmIds = new Map(changes.map((change) => [change.index, change.crmId]));
    const results: UpdateResult[] = items.map((_, index) => {
      const error = failed.get(index);
      return { crmId: error ? (error.crmId ?? null) : crmIds.get(index)!, success: !error };
    });
    return { ok: errors.length < items.length, body: { results, errors } };
  }
}
