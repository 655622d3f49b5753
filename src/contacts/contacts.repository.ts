import { Inject, Injectable } from '@nestjs/common';
import { Brackets, type EntityManager, QueryFailedError, type SelectQueryBuilder } from 'typeorm';
import type { ContactResultStatus } from '../contract/api-types.js';
import { newId } from '../common/ids.js';
import { isMysqlFamily } from '../database/data-source.js';
import { Database } from '../database/database.js';
import { isDeadlock } from '../database/driver-errors.js';
import { ContactEntity } from './contact.entity.js';
import { CONTACT_TEXT_FIELDS } from './contact-fields.js';
import type { NormalizedContact } from './contact-input.js';

export interface StoredContactRef {
  crmId: string;
  status: ContactResultStatus;
}

export interface ContactFilter {
  externalId?: string;
  emailLower?: string;
  ownerId?: string;
  /** The record pages' search box: an exact externalId, email or domain, or the start of a name. */
  text?: string;
  /** Only contacts older than this crmId (time-ordered ids make it a cursor). */
  beforeCrmId?: string;
  limit: number;
}

/** Rows per INSERT: well under MySQL's 65 535 and SQLite's 32 766 bound parameters (25 columns a row). */
const INSERT_CHUNK = 500;
const DEADLOCK_RETRIES = 3;

/** The entity properties an INSERT writes, in the order of each row's values. */
const INSERT_PROPERTIES = [
  'crmId',
  'externalId',
  ...CONTACT_TEXT_FIELDS.map((f) => f.field),
  'emailLower',
  'customFields',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof ContactEntity)[];

/** SQL text that depends only on the database: built once from the entity's metadata. */
interface ContactSql {
  /** `INSERT IGNORE INTO contacts (...) VALUES ` (SQLite: `INSERT OR IGNORE`). */
  insertHead: string;
  /** `(?, ?, ...)`: the placeholders of one row. */
  insertTuple: string;
  /** `SELECT crm_id AS crmId, external_id AS externalId FROM contacts WHERE external_id IN `. */
  selectIdsHead: string;
  /** A DATETIME value as the driver stores it (a Date for mysql2, UTC text for SQLite). */
  timestamp: (date: Date) => unknown;
  /** MySQL: send these statements as prepared statements (binary protocol), see `send`. */
  prepared: boolean;
}

/** What a statement answered: rows of a SELECT, or how many rows an INSERT wrote. */
interface StatementResult {
  records: Record<string, unknown>[];
  affected: number;
}

/** The part of a mysql2 connection that `send` uses. */
interface PreparingConnection {
  execute(sql: string, values: unknown[], callback: (error: Error | null, result: unknown) => void): void;
}

@Injectable()
export class ContactsRepository {
  private sql: ContactSql | undefined;

  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Stores a batch of contacts with distinct externalIds, set-based, in one transaction: one read of
   * the externalIds already stored, one multi-row INSERT that tolerates a concurrent insert of the same
   * externalId (the unique index decides), and a re-read of the ids only when that INSERT skipped rows.
   * Never a query per contact.
   */
  async insertMissing(contacts: NormalizedContact[], now: Date): Promise<Map<string, StoredContactRef>> {
    if (contacts.length === 0) return new Map();
    // A consistent order of index locks keeps concurrent overlapping batches from deadlocking.
    const sorted = [...contacts].sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
    for (let attempt = 1; ; attempt++) {
      try {
        // READ COMMITTED on MySQL, so that the re-read sees rows a concurrent batch committed while our
        // INSERT IGNORE waited on them. SQLite serializes writers and has no such level.
        return await this.db.transaction('store contacts', (manager) => this.insertMissingIn(manager, sorted, now), 'READ COMMITTED');
      } catch (error) {
        if (!isDeadlock(error) || attempt >= DEADLOCK_RETRIES) throw error;
      }
    }
  }

  private async insertMissingIn(
    manager: EntityManager,
    contacts: NormalizedContact[],
    now: Date,
  ): Promise<Map<string, StoredContactRef>> {
    const stored = new Map<string, StoredContactRef>();
    for (const row of await this.crmIdsOf(manager, contacts.map((c) => c.externalId))) {
      stored.set(row.externalId, { crmId: row.crmId, status: 'existing' });
    }
    const fresh = contacts.filter((c) => !stored.has(c.externalId));
    if (fresh.length === 0) return stored;

    const proposed = new Map(fresh.map((c) => [c.externalId, newId()]));
    const sql = this.sqlFor(manager);
    const timestamp = sql.timestamp(now);
    let inserted = 0;
    for (let start = 0; start < fresh.length; start += INSERT_CHUNK) {
      const chunk = fresh.slice(start, start + INSERT_CHUNK);
      const values: unknown[] = [];
      for (const contact of chunk) this.pushRow(values, contact, proposed.get(contact.externalId)!, timestamp);
      const result = await this.send(manager, sql.insertHead + chunk.map(() => sql.insertTuple).join(', '), values);
      inserted += result.affected;
    }
    if (inserted === fresh.length) {
      // INSERT IGNORE counts only the rows it wrote: all of ours went in, with the crmIds proposed here.
      for (const [externalId, crmId] of proposed) stored.set(externalId, { crmId, status: 'created' });
      return stored;
    }
    // Some were ignored: a concurrent batch stored the same externalId first. Read back what the index holds.
    for (const row of await this.crmIdsOf(manager, [...proposed.keys()])) {
      stored.set(row.externalId, {
        crmId: row.crmId,
        status: row.crmId === proposed.get(row.externalId) ? 'created' : 'existing',
      });
    }
    return stored;
  }

  private async crmIdsOf(manager: EntityManager, externalIds: string[]): Promise<{ crmId: string; externalId: string }[]> {
    const sql = this.sqlFor(manager);
    const result = await this.send(manager, `${sql.selectIdsHead}(${externalIds.map(() => '?').join(', ')})`, externalIds);
    return result.records as { crmId: string; externalId: string }[];
  }

  /**
   * Runs one statement of the batch on the transaction's connection. On MySQL it goes as a prepared
   * statement: the server parses the 2 500-placeholder INSERT once per connection instead of 170 kB of
   * SQL text per batch, and the client sends values without escaping them into that text. The bench
   * measured half the database CPU per batch. mysql2 keeps a bounded cache of them per connection
   * (maxPreparedStatements in data-source.ts) and closes the ones it evicts. TypeORM has no prepared
   * statements, hence its driver connection; errors are wrapped as TypeORM's own would be.
   */
  private async send(manager: EntityManager, sql: string, values: unknown[]): Promise<StatementResult> {
    const runner = manager.queryRunner!;
    const connection = (runner as unknown as { databaseConnection?: PreparingConnection }).databaseConnection;
    if (!this.sqlFor(manager).prepared || !connection) {
      const result = await runner.query(sql, values, true);
      return { records: result.records ?? [], affected: result.affected ?? 0 };
    }
    const raw = await new Promise<unknown>((resolve, reject) => {
      connection.execute(sql, values, (error, result) => (error ? reject(new QueryFailedError(sql, values, error)) : resolve(result)));
    });
    return Array.isArray(raw)
      ? { records: raw as Record<string, unknown>[], affected: 0 }
      : { records: [], affected: (raw as { affectedRows?: number }).affectedRows ?? 0 };
  }

  /** Appends one row's values in INSERT_PROPERTIES order. */
  private pushRow(values: unknown[], contact: NormalizedContact, crmId: string, timestamp: unknown): void {
    values.push(crmId, contact.externalId);
    for (const { field } of CONTACT_TEXT_FIELDS) values.push(contact.fields[field]);
    values.push(contact.fields.email?.toLowerCase() ?? null, contact.customFields, timestamp, timestamp);
  }

  private sqlFor(manager: EntityManager): ContactSql {
    if (this.sql) return this.sql;
    const dataSource = manager.connection;
    const { driver } = dataSource;
    const metadata = dataSource.getMetadata(ContactEntity);
    const column = (property: string) => {
      const found = metadata.findColumnWithPropertyName(property);
      if (!found) throw new Error(`ContactEntity has no column for ${property}`);
      return found;
    };
    const name = (property: string) => driver.escape(column(property).databaseName);
    const table = driver.escape(metadata.tableName);
    const createdAt = column('createdAt');
    this.sql = {
      insertHead: `${isMysqlFamily(dataSource) ? 'INSERT IGNORE' : 'INSERT OR IGNORE'} INTO ${table} (${INSERT_PROPERTIES.map(name).join(', ')}) VALUES `,
      insertTuple: `(${INSERT_PROPERTIES.map(() => '?').join(', ')})`,
      selectIdsHead: `SELECT ${name('crmId')} AS ${driver.escape('crmId')}, ${name('externalId')} AS ${driver.escape('externalId')} FROM ${table} WHERE ${name('externalId')} IN `,
      prepared: isMysqlFamily(dataSource),
      timestamp: (date) => {
        const value: unknown = driver.preparePersistentValue(date, createdAt);
        // mysql2 would format the same Date twice per row; the DataSource writes times in UTC
        // (timezone 'Z'), so the text it would send is this one.
        return value instanceof Date ? value.toISOString().replace('T', ' ').slice(0, 23) : value;
      },
    };
    return this.sql;
  }

  /** Which of these externalIds are stored. */
  async storedExternalIds(externalIds: string[]): Promise<Set<string>> {
    const rows = await this.db.run('look up externalIds', (manager) => this.crmIdsOf(manager, externalIds));
    return new Set(rows.map((row) => row.externalId));
  }

  findByCrmId(crmId: string): Promise<ContactEntity | null> {
    return this.db.run('read a contact', (manager) => manager.getRepository(ContactEntity).findOneBy({ crmId }));
  }

  /**
   * One search box for people: an exact externalId, email or domain (any case), or names that start
   * with the words typed ("ada", "ada love"). Prefix LIKEs, LIKE's own characters escaped with `!`
   * (a backslash means different things in MySQL and SQLite string literals). A scan, not an index
   * seek: it serves a person typing, not the hot path.
   */
  private whereText(query: SelectQueryBuilder<ContactEntity>, text: string): void {
    const lower = text.toLowerCase();
    const prefix = (value: string) => `${value.replace(/[!%_]/g, (c) => `!${c}`)}%`;
    const [first, ...rest] = text.split(/\s+/);
    const names =
      rest.length > 0
        ? "(c.firstName LIKE :first ESCAPE '!' AND c.lastName LIKE :last ESCAPE '!')"
        : "(c.firstName LIKE :first ESCAPE '!' OR c.lastName LIKE :first ESCAPE '!')";
    query.andWhere(
      new Brackets((or) =>
        or
          .where('c.externalId = :text', { text })
          .orWhere('c.emailLower = :lower', { lower })
          .orWhere('LOWER(c.domain) = :lower')
          .orWhere(names, { first: prefix(first), last: prefix(rest.join(' ')) }),
      ),
    );
  }

  count(): Promise<number> {
    return this.db.run('count contacts', (manager) => manager.getRepository(ContactEntity).count());
  }

  /** Newest first: crmIds are time-ordered, so ordering by the primary key is ordering by creation. */
  list(filter: ContactFilter): Promise<ContactEntity[]> {
    return this.db.run('list contacts', (manager) => this.listIn(manager, filter));
  }

  private listIn(manager: EntityManager, filter: ContactFilter): Promise<ContactEntity[]> {
    const query = manager.getRepository(ContactEntity).createQueryBuilder('c');
    if (filter.externalId !== undefined) query.andWhere('c.externalId = :externalId', { externalId: filter.externalId });
    if (filter.emailLower !== undefined) query.andWhere('c.emailLower = :emailLower', { emailLower: filter.emailLower });
    if (filter.ownerId !== undefined) query.andWhere('c.ownerId = :ownerId', { ownerId: filter.ownerId });
    if (filter.text !== undefined) this.whereText(query, filter.text);
    if (filter.beforeCrmId !== undefined) query.andWhere('c.crmId < :before', { before: filter.beforeCrmId });
    return query.orderBy('c.crmId', 'DESC').limit(filter.limit).getMany();
  }
}
