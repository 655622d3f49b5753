// The batch engine: "create these records, idempotent by externalId, one answer per item" for every
// record type Enginy pushes in batches. For each request it
//   1. takes the array under the type's list key (400 when there is none, 413 over MAX_BATCH_SIZE);
//   2. normalizes each item by the spec (item-validator.ts: the item schema compiled by Ajv at start,
//      item-rules.ts: what a schema cannot say), an error per item that fails;
//   3. in one round trip, reads which keys are stored and which references exist (batch-store.ts);
//   4. answers `existing` for stored keys (whatever their references say now: a re-sent batch maps),
//      rejects the items whose references are missing, keeps the first valid item of each key;
//   5. stores the missing rows with one INSERT IGNORE, and reads back only what a concurrent batch won;
//   6. assembles `{ results, errors }`: every item exactly once, results in request order, errors by
//      index; `stored` is false (the caller answers 422) when no item has a result.
// On MySQL a batch of new records costs two round trips (3 and 5); test/e2e/round-trips.e2e-spec.ts
// counts them.
//
// How a new record type plugs in (companies, say), in at most six files:
//   1. openapi/openapi.yaml: its item schema (CompanyInput: `externalId` required, documented fields
//      with maxLength; list fields `type: [..., array]` with `items`/`maxItems`), request and answer;
//      then `npm run generate`;
//   2. its entity, with a column per documented field under the same property name, plus id, key,
//      custom fields and timestamps (src/companies/company.entity.ts), and its migration;
//   3. its BatchDefinition and service: a `new BatchEngine(db, definition)` and one call to `run(body)`
//      (src/companies/companies.service.ts; contacts.service.ts is the example), references
//      (`references: [{ field, entity, idProperty, where, code, message }]`) included;
//   4. its controller (201, or 422 when `stored` is false) and module;
//   5. its metrics beside it (src/companies/companies.metrics.ts), fed the answer.
// test/contract/spec-database.contract-spec.ts then ties its columns to the spec's bounds.
import type { EntityTarget } from 'typeorm';
import type { Database } from '../database/database.js';
import { DomainError } from '../errors/domain-error.js';
import { BatchStore, type ReferenceRule, type RowToStore, type StoredRef } from './batch-store.js';
import { type ItemError, ItemValidator, type NormalizedItem } from './item-validator.js';

export interface BatchReference<Code extends string> extends ReferenceRule {
  /** The item code and message when the referenced row is missing (UNKNOWN_OWNER, ...). */
  code: Code;
  message: string;
}

/** A record type, as the engine needs to know it. */
export interface BatchDefinition<Code extends string> {
  /** The request body's array ("contacts") and what one item is called ("contact"). */
  listKey: string;
  noun: string;
  /** The item schema in the contract's components.schemas ("ContactInput"). */
  itemSchema: string;
  /** The entity; each documented field but the key is the column of the same property name. */
  entity: EntityTarget<unknown>;
  /** Generated id (crmId) and key of idempotency (externalId, also the item's key field). */
  idProperty: string;
  keyProperty: string;
  customFieldsProperty: string;
  createdAtProperty: string;
  updatedAtProperty: string;
  /** Columns computed from the documented fields (contacts: emailLower). */
  derived?: readonly { property: string; from: (fields: NormalizedItem['fields']) => string | null }[];
  references?: readonly BatchReference<Code>[];
}

export interface BatchResult {
  externalId: string;
  id: string;
  status: StoredRef['status'];
}

export interface BatchOutcome<Code extends string> {
  results: BatchResult[];
  errors: ItemError<Code | ItemError['code']>[];
  /** true when at least one item has a result (created now or already existing). */
  stored: boolean;
}

export class BatchEngine<Code extends string = never> {
  readonly validator: ItemValidator;
  private readonly store: BatchStore;
  private readonly written: readonly string[];
  private readonly references: readonly BatchReference<Code>[];

  constructor(
    db: Database,
    private readonly definition: BatchDefinition<Code>,
    private readonly maxBatchSize: number,
    validator?: ItemValidator,
  ) {
    this.validator = validator ?? new ItemValidator(definition.itemSchema, definition.keyProperty, definition.noun);
    this.references = definition.references ?? [];
    this.written = this.validator.fields.map((f) => f.name).filter((name) => name !== definition.keyProperty);
    this.store = new BatchStore(db, {
      entity: definition.entity,
      idProperty: definition.idProperty,
      keyProperty: definition.keyProperty,
      valueProperties: [...this.written, ...(definition.derived ?? []).map((d) => d.property), definition.customFieldsProperty],
      createdAtProperty: definition.createdAtProperty,
      updatedAtProperty: definition.updatedAtProperty,
      references: this.references,
    });
  }

  /** Every item of `body[listKey]` ends up exactly once in `results` (request order) or `errors` (by index). */
  async run(body: unknown): Promise<BatchOutcome<Code>> {
    const items = this.itemsOf(body);
    const errors: ItemError<Code | ItemError['code']>[] = [];
    const valid: NormalizedItem[] = [];
    for (let index = 0; index < items.length; index++) {
      const outcome = this.validator.normalize(items[index], index);
      if ('key' in outcome) valid.push(outcome);
      else errors.push(outcome);
    }

    const keys = [...new Set(valid.map((item) => item.key))];
    const referenced = this.references.map((reference) => {
      const ids = new Set<string>();
      for (const item of valid) {
        const id = item.fields[reference.field];
        if (id !== undefined) ids.add(id);
      }
      return [...ids];
    });

    const accepted = new Set<NormalizedItem>();
    const { lookup, stored } = await this.store.store(
      keys,
      referenced,
      (found) => {
        accepted.clear(); // a deadlock retry decides again
        const rows: RowToStore[] = [];
        const queued = new Set<string>();
        for (const item of valid) {
          if (!found.stored.has(item.key)) {
            const missing = this.references.findIndex((reference, r) => {
              const id = item.fields[reference.field];
              return id !== undefined && !found.found[r].has(id);
            });
            if (missing >= 0) continue; // reported below, once the lookup is final
            // The same key twice in a batch is one record: the first valid item is the one stored.
            if (!queued.has(item.key)) {
              queued.add(item.key);
              rows.push({ key: item.key, values: this.rowValues(item) });
            }
          }
          accepted.add(item);
        }
        return rows;
      },
      new Date(),
    );

    const results: BatchResult[] = [];
    for (const item of valid) {
      const existing = lookup.stored.get(item.key);
      if (existing !== undefined) {
        results.push({ externalId: item.key, id: existing, status: 'existing' });
        continue;
      }
      const mine = stored.get(item.key);
      if (mine !== undefined && accepted.has(item)) {
        results.push({ externalId: item.key, id: mine.id, status: mine.status });
        continue;
      }
      const reference = this.references.find((ref, r) => {
        const id = item.fields[ref.field];
        return id !== undefined && !lookup.found[r].has(id);
      });
      if (!reference) throw new Error(`${this.definition.noun} ${item.index} was neither stored nor rejected`);
      errors.push({ index: item.index, externalId: item.key, code: reference.code, field: reference.field, message: reference.message });
    }
    errors.sort((a, b) => a.index - b.index);
    return { results, errors, stored: results.length > 0 };
  }

  private rowValues(item: NormalizedItem): unknown[] {
    const values: unknown[] = [];
    for (const name of this.written) values.push(item.fields[name] ?? null);
    for (const derived of this.definition.derived ?? []) values.push(derived.from(item.fields));
    values.push(item.customFields);
    return values;
  }

  private itemsOf(body: unknown): unknown[] {
    const { listKey, noun } = this.definition;
    const items = (body as Record<string, unknown> | null)?.[listKey];
    if (body === null || typeof body !== 'object' || Array.isArray(body) || !Object.hasOwn(body, listKey) || !Array.isArray(items)) {
      throw new DomainError('bad_request', `The body must be a JSON object with a "${listKey}" array.`);
    }
    if (items.length === 0) throw new DomainError('bad_request', `"${listKey}" is empty: send at least one ${noun}.`);
    if (items.length > this.maxBatchSize) {
      throw new DomainError('payload_too_large', `A batch may hold at most ${this.maxBatchSize} ${listKey} (got ${items.length}); split it.`);
    }
    return items;
  }
}
