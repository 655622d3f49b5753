// The database side of sync and update, for any record table (contacts, companies): the lookups of a
// sync (one query per rule for the whole batch, on an indexed column, the oldest record per key) and
// the two statements of an update (a read of the named records, then one set-based merge a round).
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, EntityTarget } from 'typeorm';
import type { ReferenceRule } from '../batch/batch-store.js';
import type { MatchedRecord, RuleLookup } from '../sync/matching.js';
import { Database } from './database.js';
import { MERGE_ROWS_PER_STATEMENT, mergeUpdate } from './merge-update.js';

/** How a record table is matched and updated. */
export interface RecordTable<Rule extends string> {
  entity: EntityTarget<object>;
  /** The entity property each sync rule compares (an indexed column). */
  matchProperties: Record<Rule, string>;
  /** The records' name in errors and timeouts ("contacts"). */
  name: string;
}

/** One write of an update: entity property → new value (null clears), and the custom-fields patch. */
export interface RecordWrite {
  crmId: string;
  values: ReadonlyMap<string, unknown>;
  patch: string | null;
}

/** What an update reads of a stored record before it writes. */
export interface StoredRecord {
  externalId: string;
  customFields: string | null;
  /** The stored values of the properties the update names, as the driver reads them. */
  values: Record<string, unknown>;
}

@Injectable()
export class RecordMatchingStore {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Runs a sync's lookups on one connection. Each lookup is one query for the whole batch on an
   * indexed column; when several records share a key, a window function keeps the oldest (created
   * first, then the smaller crmId: both time-ordered).
   */
  matchSession<Rule extends string, T>(
    table: RecordTable<Rule>,
    withCustomFields: boolean,
    work: (lookup: RuleLookup<Rule>) => Promise<T>,
  ): Promise<T> {
    return this.db.run(`match ${table.name}`, (manager) =>
      work(async (rule, keys) => {
        const q = (name: string) => manager.connection.driver.escape(name);
        const column = this.column(manager, table, table.matchProperties[rule]);
        const picked = ['crmId', 'ownerId', 'updatedAt', ...(withCustomFields ? ['customFields'] : [])]
          .map((property) => `${this.column(manager, table, property)} AS ${q(property)}`)
          .join(', ');
        const from = `FROM ${q(this.tableName(manager, table))} WHERE ${column} IN (${keys.map(() => '?').join(', ')})`;
        const unique = manager.connection.getMetadata(table.entity).indices.some(
          (index) => index.isUnique && index.columns.length === 1 && index.columns[0].propertyName === table.matchProperties[rule],
        );
        const sql = unique
          ? `SELECT ${picked}, ${column} AS ${q('matchKey')} ${from}`
          : `SELECT * FROM (SELECT ${picked}, ${column} AS ${q('matchKey')}, ROW_NUMBER() OVER (PARTITION BY ${column} ORDER BY ` +
            `${this.column(manager, table, 'createdAt')}, ${this.column(manager, table, 'crmId')}) AS ${q('n')} ${from}) m WHERE ${q('n')} = 1`;
        const rows = (await manager.query(sql, keys)) as (MatchedRecord & { matchKey: string })[];
        return new Map(rows.map((row) => [row.matchKey, row]));
      }),
    );
  }

  /**
   * Applies an update: reads the named records with the stored values of `properties` (one plain
   * read, no lock, no transaction), lets `decide` turn them into rounds of rows, and writes each round
   * with one set-based merge (see merge-update.ts). One statement is atomic by itself; several (a
   * second round, or more rows than one statement takes) run in one transaction. A batch of 100
   * changes is two round trips, as a batch of new records is. Run again whole on a deadlock (on
   * Galera, also a certification failure) by Database.run.
   *
   * Why no lock is needed: what `decide` checks cannot change under it, or does no harm when it does.
   * Records are never deleted and their externalId never changes (NOT_FOUND, IMMUTABLE_FIELD). The
   * merge itself is done by the database, key by key, so a concurrent update is never overwritten. A
   * change found to change nothing is not written, which is the same as it landing just before a
   * concurrent one. What two updates racing on one record can do is pass the custom-field limits
   * together (each was checked against the record as read): both are kept, and the next update that
   * adds a key to that record is refused until it is back under them. Nesting cannot pass its limit
   * that way: a merge is never deeper than its two sides.
   */
  async update(
    table: RecordTable<string>,
    crmIds: string[],
    properties: readonly string[],
    references: readonly { rule: ReferenceRule; ids: string[] }[],
    now: Date,
    decide: (stored: Map<string, StoredRecord>, found: Set<string>[]) => RecordWrite[][],
  ): Promise<void> {
    const distinct = [...new Set(crmIds)];
    await this.db.run(`update ${table.name}`, async (manager) => {
      const q = (name: string) => manager.connection.driver.escape(name);
      const id = this.column(manager, table, 'crmId');
      // The named properties as v0, v1, ...: their names are the API's, never spliced into SQL as aliases.
      const named = properties.map((property, i) => `${this.column(manager, table, property)} AS ${q(`v${i}`)}`);
      const rows = (await manager.query(
        `SELECT ${[
          `${id} AS ${q('crmId')}`,
          `${this.column(manager, table, 'externalId')} AS ${q('externalId')}`,
          `${this.column(manager, table, 'customFields')} AS ${q('customFields')}`,
          ...named,
        ].join(', ')} FROM ${q(this.tableName(manager, table))} WHERE ${id} IN (${distinct.map(() => '?').join(', ')})`,
        distinct,
      )) as ({ crmId: string; externalId: string; customFields: string | null } & Record<string, unknown>)[];
      const found: Set<string>[] = [];
      for (const { rule, ids } of references) found.push(await this.existing(manager, rule, ids));
      const stored = new Map<string, StoredRecord>();
      for (const row of rows) {
        const values: Record<string, unknown> = {};
        properties.forEach((property, i) => (values[property] = row[`v${i}`]));
        stored.set(row.crmId, { externalId: row.externalId, customFields: row.customFields, values });
      }
      const rounds = decide(stored, found);
      if (rounds.length === 0) return;
      const metadata = manager.connection.getMetadata(table.entity);
      const columnOf = (property: string) => {
        const column = metadata.findColumnWithPropertyName(property);
        if (!column) throw new Error(`${table.name} has no column for ${property}`);
        return column.databaseName;
      };
      const updatedAt = metadata.findColumnWithPropertyName('updatedAt')!;
      const stamp: unknown = manager.connection.driver.preparePersistentValue(now, updatedAt);
      // mysql2 would format a Date in the connection's zone; the DataSource stores UTC (timezone 'Z').
      const timestamp = stamp instanceof Date ? stamp.toISOString().replace('T', ' ').slice(0, 23) : stamp;
      const target = {
        table: metadata.tableName,
        id: metadata.findColumnWithPropertyName('crmId')!.databaseName,
        customFields: metadata.findColumnWithPropertyName('customFields')!.databaseName,
        updatedAt: updatedAt.databaseName,
      };
      const statements = rounds.map((round) =>
        round
          .map((write) => ({
            id: write.crmId,
            values: new Map([...write.values].map(([property, value]) => [columnOf(property), value])),
            patch: write.patch,
          }))
          // One order of row locks for every batch, so that overlapping batches wait rather than deadlock.
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      );
      const several = statements.length > 1 || statements[0].length > MERGE_ROWS_PER_STATEMENT;
      const runner = manager.queryRunner!;
      if (several) await runner.startTransaction();
      try {
        for (const round of statements) await mergeUpdate(manager, target, round, timestamp);
        if (several) await runner.commitTransaction();
      } catch (error) {
        if (several && runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    });
  }

  /** Which of `ids` a reference rule finds (owners: active users): one query. */
  private async existing(manager: EntityManager, rule: ReferenceRule, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const metadata = manager.connection.getMetadata(rule.entity);
    const q = (name: string) => manager.connection.driver.escape(name);
    const column = (property: string) => {
      const found = metadata.findColumnWithPropertyName(property);
      if (!found) throw new Error(`${metadata.name} has no column for ${property}`);
      return found;
    };
    const id = q(column(rule.idProperty).databaseName);
    const values: unknown[] = [];
    let filter = '';
    if (rule.where) {
      const where = column(rule.where.property);
      filter = `${q(where.databaseName)} = ? AND `;
      values.push(manager.connection.driver.preparePersistentValue(rule.where.value, where));
    }
    const rows = (await manager.query(`SELECT ${id} AS ${q('id')} FROM ${q(metadata.tableName)} WHERE ${filter}${id} IN (${ids.map(() => '?').join(', ')})`, [
      ...values,
      ...ids,
    ])) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  }

  /** The escaped column of an entity property. */
  private column(manager: EntityManager, table: RecordTable<string>, property: string): string {
    const column = manager.connection.getMetadata(table.entity).findColumnWithPropertyName(property);
    if (!column) throw new Error(`${table.name} has no column for ${property}`);
    return manager.connection.driver.escape(column.databaseName);
  }

  private tableName(manager: EntityManager, table: RecordTable<string>): string {
    return manager.connection.getMetadata(table.entity).tableName;
  }
}
