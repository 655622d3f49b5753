// Set-based storage of a batch, by unique key, with SQL built once from the entity metadata:
// 1. one SELECT (a UNION ALL) that reads which keys are stored and which referenced rows exist
//    (owners, ...), however many references the record type has;
// 2. one multi-row INSERT IGNORE (SQLite: INSERT OR IGNORE) of the rows missing: atomic by itself, the
//    unique index decides between concurrent batches; no transaction, so no SET TRANSACTION, START,
//    COMMIT round trips. Over INSERT_CHUNK rows it takes several statements, in one transaction;
// 3. only when the INSERT wrote fewer rows than it was sent (a concurrent batch won some keys), one
//    SELECT of those keys' ids.
// On MySQL statements go prepared (src/database/driver-adapter.ts); IN lists are padded to a power of
// two so that a few statement shapes serve every batch size from mysql2's per-connection cache.
import type { DataSource, EntityManager, EntityTarget, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { newId } from '../common/ids.js';
import { isMysqlFamily } from '../database/data-source.js';
import type { Database } from '../database/database.js';
import { execute } from '../database/driver-adapter.js';

/** Rows per INSERT: well under MySQL's 65 535 and SQLite's 32 766 bound parameters. */
export const INSERT_CHUNK = 500;

/** A reference an item's field makes to another table's rows (contacts' ownerId → users.id, active). */
export interface ReferenceRule {
  /** The item's field that holds the referenced id. */
  field: string;
  entity: EntityTarget<unknown>;
  /** The referenced entity's id property. */
  idProperty: string;
  /** Only rows with this property at this value count (users: active = true). */
  where?: { property: string; value: unknown };
}

/** What the store writes: entity properties, each with how to get its value from a row. */
export interface StoreShape {
  entity: EntityTarget<unknown>;
  idProperty: string;
  keyProperty: string;
  /** Properties written from a row's values, in order (documented fields, derived ones, custom fields). */
  valueProperties: readonly string[];
  createdAtProperty: string;
  updatedAtProperty: string;
  references: readonly ReferenceRule[];
}

/** One row to store: its key and its values in `valueProperties` order. */
export interface RowToStore {
  key: string;
  values: readonly unknown[];
}

export interface LookupResult {
  /** key → stored id, for the keys already stored. */
  stored: Map<string, string>;
  /** Per reference (same order as the shape's), the referenced ids that exist. */
  found: Set<string>[];
}

export interface StoredRef {
  id: string;
  status: 'created' | 'existing';
}

interface Sql {
  /** Head of the lookup: `SELECT key AS k, id AS i, NULL AS r0 ... FROM table WHERE key IN `. */
  lookupHead: string;
  /** Per reference: `SELECT NULL, NULL, ..., id, ... FROM table WHERE [filter AND] id IN `. */
  referenceHeads: string[];
  referenceFilters: unknown[][];
  insertHead: string;
  insertTuple: string;
  selectIdsHead: string;
  timestamp: (date: Date) => unknown;
}

export function placeholders(count: number): string {
  return `(${new Array<string>(count).fill('?').join(', ')})`;
}

/** The power of two that a list of `count` values is padded to, so that few statement shapes exist. */
export function paddedLength(count: number): number {
  let size = 1;
  while (size < count) size *= 2;
  return size;
}

/** The values, padded with the first one to a power of two (paddedLength). */
export function padded<T>(values: T[]): T[] {
  const size = paddedLength(values.length);
  const out = values.slice();
  while (out.length < size) out.push(values[0]);
  return out;
}

export class BatchStore {
  private sql: Sql | undefined;

  constructor(
    private readonly db: Database,
    private readonly shape: StoreShape,
  ) {}

  /**
   * Which keys are stored and which references exist, then the rows given by `decide` (those it
   * keeps, distinct keys) inserted, and what a concurrent batch won read back. A deadlock (on Galera,
   * also a certification failure: another node committed one of these keys first) runs it all again in
   * Database.run; the second run's lookup finds those keys stored.
   */
  async store(
    keys: string[],
    referenced: string[][],
    decide: (lookup: LookupResult) => RowToStore[],
    now: Date,
  ): Promise<{ lookup: LookupResult; stored: Map<string, StoredRef> }> {
    return this.db.run('store a batch', (manager) => this.storeOn(manager, keys, referenced, decide, now));
  }

  private async storeOn(
    manager: EntityManager,
    keys: string[],
    referenced: string[][],
    decide: (lookup: LookupResult) => RowToStore[],
    now: Date,
  ): Promise<{ lookup: LookupResult; stored: Map<string, StoredRef> }> {
    const runner = manager.queryRunner!;
    const sql = this.sqlFor(manager.connection);
    const lookup = await this.lookup(runner, sql, keys, referenced);
    const rows = decide(lookup);
    const stored = new Map<string, StoredRef>();
    if (rows.length === 0) return { lookup, stored };
    // A consistent order of index locks keeps concurrent overlapping batches from deadlocking.
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const proposed = new Map<string, string>();
    for (const row of rows) proposed.set(row.key, newId());
    const inserted = await this.insert(runner, sql, rows, proposed, now);
    if (inserted === rows.length) {
      // INSERT IGNORE counts only the rows it wrote: all of ours went in, with the ids proposed here.
      for (const [key, id] of proposed) stored.set(key, { id, status: 'created' });
      return { lookup, stored };
    }
    // Some were ignored: a concurrent batch stored the same key first. Read back what the index holds.
    const ids = [...proposed.keys()];
    const result = await execute(runner, `${sql.selectIdsHead}${placeholders(ids.length)}`, ids);
    for (const record of result.records) {
      const key = record.k as string;
      const id = record.i as string;
      stored.set(key, { id, status: id === proposed.get(key) ? 'created' : 'existing' });
    }
    return { lookup, stored };
  }

  private async lookup(runner: QueryRunner, sql: Sql, keys: string[], referenced: string[][]): Promise<LookupResult> {
    const found = this.shape.references.map(() => new Set<string>());
    const stored = new Map<string, string>();
    if (keys.length === 0) return { stored, found };
    const keyValues = padded(keys);
    let text = `${sql.lookupHead}${placeholders(keyValues.length)}`;
    const values: unknown[] = keyValues;
    referenced.forEach((ids, r) => {
      if (ids.length === 0) return;
      const idValues = padded(ids);
      text += ` UNION ALL ${sql.referenceHeads[r]}${placeholders(idValues.length)}`;
      values.push(...sql.referenceFilters[r], ...idValues);
    });
    const result = await execute(runner, text, values);
    for (const record of result.records) {
      if (record.k !== null && record.k !== undefined) {
        stored.set(record.k as string, record.i as string);
        continue;
      }
      for (let r = 0; r < found.length; r++) {
        const id = record[`r${r}`];
        if (id !== null && id !== undefined) found[r].add(id as string);
      }
    }
    return { stored, found };
  }

  private async insert(runner: QueryRunner, sql: Sql, rows: RowToStore[], proposed: Map<string, string>, now: Date): Promise<number> {
    const timestamp = sql.timestamp(now);
    const chunks = Math.ceil(rows.length / INSERT_CHUNK);
    // One statement is atomic by itself; several are one transaction, so that a failure stores none.
    if (chunks > 1) await runner.startTransaction();
    try {
      let inserted = 0;
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        const chunk = rows.slice(start, start + INSERT_CHUNK);
        const values: unknown[] = [];
        for (const row of chunk) {
          values.push(proposed.get(row.key), row.key);
          for (const value of row.values) values.push(value);
          values.push(timestamp, timestamp);
        }
        const text = sql.insertHead + new Array<string>(chunk.length).fill(sql.insertTuple).join(', ');
        inserted += (await execute(runner, text, values)).affected;
      }
      if (chunks > 1) await runner.commitTransaction();
      return inserted;
    } catch (error) {
      if (chunks > 1 && runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  }

  /** SQL text that depends only on the database: built once from the entities' metadata. */
  private sqlFor(dataSource: DataSource): Sql {
    if (this.sql) return this.sql;
    const { driver } = dataSource;
    const columnOf = (entity: EntityTarget<unknown>, property: string): ColumnMetadata => {
      const found = dataSource.getMetadata(entity).findColumnWithPropertyName(property);
      if (!found) throw new Error(`${String(dataSource.getMetadata(entity).name)} has no column for ${property}`);
      return found;
    };
    const q = (name: string) => driver.escape(name);
    const { entity, references } = this.shape;
    const table = q(dataSource.getMetadata(entity).tableName);
    const col = (property: string) => q(columnOf(entity, property).databaseName);
    const nulls = (count: number) => new Array<string>(count).fill('NULL');
    const refColumns = references.map((_, r) => `NULL AS ${q(`r${r}`)}`);
    const written = [this.shape.idProperty, this.shape.keyProperty, ...this.shape.valueProperties, this.shape.createdAtProperty, this.shape.updatedAtProperty];
    const createdAt = columnOf(entity, this.shape.createdAtProperty);
    this.sql = {
      lookupHead: `SELECT ${col(this.shape.keyProperty)} AS ${q('k')}, ${col(this.shape.idProperty)} AS ${q('i')}${refColumns.map((c) => `, ${c}`).join('')} FROM ${table} WHERE ${col(this.shape.keyProperty)} IN `,
      referenceHeads: references.map((reference, r) => {
        const refTable = q(dataSource.getMetadata(reference.entity).tableName);
        const id = q(columnOf(reference.entity, reference.idProperty).databaseName);
        const selected = [...nulls(2 + r), id, ...nulls(references.length - r - 1)].join(', ');
        const filter = reference.where ? `${q(columnOf(reference.entity, reference.where.property).databaseName)} = ? AND ` : '';
        return `SELECT ${selected} FROM ${refTable} WHERE ${filter}${id} IN `;
      }),
      referenceFilters: references.map((reference) =>
        reference.where ? [driver.preparePersistentValue(reference.where.value, columnOf(reference.entity, reference.where.property))] : [],
      ),
      insertHead: `${isMysqlFamily(dataSource) ? 'INSERT IGNORE' : 'INSERT OR IGNORE'} INTO ${table} (${written.map(col).join(', ')}) VALUES `,
      insertTuple: placeholders(written.length),
      selectIdsHead: `SELECT ${col(this.shape.keyProperty)} AS ${q('k')}, ${col(this.shape.idProperty)} AS ${q('i')} FROM ${table} WHERE ${col(this.shape.keyProperty)} IN `,
      timestamp: (date) => {
        const value: unknown = driver.preparePersistentValue(date, createdAt);
        // mysql2 would format the same Date twice per row; the DataSource writes times in UTC
        // (timezone 'Z'), so the text it would send is this one.
        return value instanceof Date ? value.toISOString().replace('T', ' ').slice(0, 23) : value;
      },
    };
    return this.sql;
  }
}
