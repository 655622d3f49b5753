// The database side of sync and update, for any record table (contacts, companies): the lookups of a
// sync (one query per rule for the whole batch, on an indexed column, the oldest record per key) and
// the transaction of an update (a locked read of the named records, then one set-based merge a round).
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, EntityTarget } from 'typeorm';
import { padded, placeholders, type ReferenceRule } from '../batch/batch-store.js';
import type { MatchedRecord, RuleLookup } from '../sync/matching.js';
import { isMysqlFamily } from './data-source.js';
import { Database } from './database.js';
import { isDeadlock } from './database-errors.js';
import { execute } from './driver-adapter.js';
import { mergeUpdate } from './merge-update.js';

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

/** What an update reads of a stored record, under lock, before it writes. */
export interface LockedRecord {
  externalId: string;
  customFields: string | null;
  /** The stored values of the properties the update names, as the driver reads them. */
  values: Record<string, unknown>;
}

const DEADLOCK_RETRIES = 3;

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
   * Applies an update in one transaction: reads the named records with the stored values of
   * `properties` (locked on MySQL, so that the checks `decide` makes, and what it finds changed, still
   * hold when the writes land), lets `decide` turn them into rounds of rows, and writes each round
   * with one set-based merge (see merge-update.ts). Retried on deadlock.
   *
   * Why the read is locked, although records are never deleted and externalId never changes (so
   * NOT_FOUND and IMMUTABLE_FIELD could not go stale) and the merge is the database's: without the lock
   * (tried in c35e116, two round trips instead of five, a sixth less service CPU per batch), two updates
   * racing on one record both decide from the same read. Two that set the same value would both write
   * and move `updatedAt` twice; several that add custom fields would together pass the limits each was
   * checked against, and could pass what the column holds (64 KB), failing a whole statement of rows.
   * With the lock the second waits for the first and decides from what it left.
   */
  async update(
    table: RecordTable<string>,
    crmIds: string[],
    properties: readonly string[],
    references: readonly { rule: ReferenceRule; ids: string[] }[],
    now: Date,
    decide: (stored: Map<string, LockedRecord>, found: Set<string>[]) => RecordWrite[][],
  ): Promise<void> {
    const sorted = [...new Set(crmIds)].sort();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(
          `update ${table.name}`,
          async (manager) => {
            const q = (name: string) => manager.connection.driver.escape(name);
            const id = this.column(manager, table, 'crmId');
            // The named properties as v0, v1, ...: their names are the API's, never spliced into SQL as aliases.
            const named = properties.map((property, i) => `${this.column(manager, table, property)} AS ${q(`v${i}`)}`);
            // Prepared on MySQL and MariaDB (the ids compare with the key column, which types them), padded
            // to a power of two: a few statement shapes serve every batch.
            const lockedIds = padded(sorted);
            const { records } = await execute(
              manager.queryRunner!,
              `SELECT ${[
                `${id} AS ${q('crmId')}`,
                `${this.column(manager, table, 'externalId')} AS ${q('externalId')}`,
                `${this.column(manager, table, 'customFields')} AS ${q('customFields')}`,
                ...named,
              ].join(', ')} FROM ${q(this.tableName(manager, table))} ` +
                `WHERE ${id} IN ${placeholders(lockedIds.length)} ORDER BY ${id}${isMysqlFamily(manager.connection) ? ' FOR UPDATE' : ''}`,
              lockedIds,
            );
            const rows = records as ({ crmId: string; externalId: string; customFields: string | null } & Record<string, unknown>)[];
            const found: Set<string>[] = [];
            for (const { rule, ids } of references) found.push(await this.existing(manager, rule, ids));
            const stored = new Map<string, LockedRecord>();
            for (const row of rows) {
              const values: Record<string, unknown> = {};
              properties.forEach((property, i) => (values[property] = row[`v${i}`]));
              stored.set(row.crmId, { externalId: row.externalId, customFields: row.customFields, values });
            }
            const rounds = decide(stored, found);
            const metadata = manager.connection.getMetadata(table.entity);
            // Each write names its properties: their columns are looked up once per transaction, not per row.
            const columns = new Map<string, string>();
            const columnOf = (property: string) => {
              let name = columns.get(property);
              if (name === undefined) {
                const column = metadata.findColumnWithPropertyName(property);
                if (!column) throw new Error(`${table.name} has no column for ${property}`);
                columns.set(property, (name = column.databaseName));
              }
              return name;
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
            for (const round of rounds) {
              const rows = round.map((write) => ({
                id: write.crmId,
                values: new Map([...write.values].map(([property, value]) => [columnOf(property), value])),
                patch: write.patch,
              }));
              await mergeUpdate(manager, target, rows, timestamp);
            }
          },
          'READ COMMITTED',
        );
      } catch (error) {
        if (!isDeadlock(error) || attempt >= DEADLOCK_RETRIES) throw error;
      }
    }
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
