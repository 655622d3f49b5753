import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { padded, placeholders } from '../batch/batch-store.js';
import { CompanyEntity } from '../companies/company.entity.js';
import { ContactEntity } from '../contacts/contact.entity.js';
import { isMysqlFamily } from '../database/data-source.js';
import { Database } from '../database/database.js';
import { execute } from '../database/driver-adapter.js';
import { ContactCompanyEntity } from './contact-company.entity.js';

/** The narrow index on contacts.crm_id (migration 1764900000000) that the link statement reads. */
const CONTACT_REFERENCE_INDEX = 'uq_contacts_crm_id';

export interface Pair {
  contactCrmId: string;
  companyCrmId: string;
}

/** Which of the crmIds asked about name a stored contact, which a stored company, which pairs are linked. */
export interface Existing {
  contacts: Set<string>;
  companies: Set<string>;
  /** The pairs asked about that are linked, by pairKey. */
  linked: Set<string>;
}

/** One key per distinct pair. */
export const pairKey = (pair: Pair): string => `${pair.contactCrmId} ${pair.companyCrmId}`;

/** SQL text that depends only on the database: built once from the entities' metadata. */
interface Sql {
  /** `SELECT crm_id AS c, NULL AS o FROM contacts WHERE crm_id IN `. */
  contactsHead: string;
  /** `SELECT NULL AS c, crm_id AS o FROM companies WHERE crm_id IN `. */
  companiesHead: string;
  /** `INSERT IGNORE INTO contact_companies (...) VALUES `. */
  insertHead: string;
  /** `SELECT l.contact_crm_id AS c, l.company_crm_id AS o FROM `, the pairs table, then linkedTail. */
  linkedHead: string;
  /** ` p JOIN contact_companies l ON ...`: the pairs that are linked. */
  linkedTail: string;
  /** The pairs as a table of `count` rows (c, o): UNION ALL on MySQL, a VALUES list on SQLite. */
  pairsTable: (count: number) => string;
  /** `INSERT IGNORE INTO contact_companies (...) SELECT p.c, p.o, ? FROM `, then the pairs table. */
  linkHead: string;
  /** ` p JOIN contacts ... JOIN companies ...`: only pairs whose both sides are stored. */
  linkTail: string;
  timestamp: (date: Date) => unknown;
}

@Injectable()
export class AssociationsRepository {
  private sql: Sql | undefined;

  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Which contacts and companies exist among these crmIds, and which of these pairs are linked: one
   * statement (one SELECT per question, joined by UNION ALL), sent prepared on MySQL with its lists
   * padded to a power of two, as the batch engine does, so that a few statement shapes serve every batch.
   */
  lookup(contactCrmIds: string[], companyCrmIds: string[], pairs: Pair[] = []): Promise<Existing> {
    return this.db.run('look up contacts and companies', async (manager) => {
      const found: Existing = { contacts: new Set(), companies: new Set(), linked: new Set() };
      const sql = this.sqlFor(manager.connection);
      const parts: string[] = [];
      const values: string[] = [];
      for (const [head, ids] of [
        [sql.contactsHead, contactCrmIds],
        [sql.companiesHead, companyCrmIds],
      ] as const) {
        if (ids.length === 0) continue;
        const list = padded(ids);
        parts.push(`${head}${placeholders(list.length)}`);
        values.push(...list);
      }
      if (pairs.length > 0) {
        const rows = padded(pairs);
        parts.push(sql.linkedHead + sql.pairsTable(rows.length) + sql.linkedTail);
        for (const pair of rows) values.push(pair.contactCrmId, pair.companyCrmId);
      }
      if (parts.length === 0) return found;
      for (const record of (await execute(manager.queryRunner!, parts.join(' UNION ALL '), values)).records) {
        const [c, o] = [record.c as string | null | undefined, record.o as string | null | undefined];
        if (c != null && o != null) found.linked.add(pairKey({ contactCrmId: c, companyCrmId: o }));
        else if (c != null) found.contacts.add(c);
        else found.companies.add(o as string);
      }
      return found;
    });
  }

  /**
   * Links the pairs whose contact and company are both stored, in one statement (an INSERT that finds
   * both sides by their ids, the contacts' in the narrow CONTACT_REFERENCE_INDEX on MySQL, and skips
   * pairs already linked), and answers how many it linked. When that is every pair, nothing else needs
   * asking: the common case of an export costs one round trip. Sent prepared on MySQL, padded to a
   * power of two by repeating the first pair (a repeat is skipped).
   *
   * What it may miss is made good by the caller's lookup: a side stored by a batch that had not
   * committed yet, or on Galera a side this node had not applied yet (wsrep_sync_wait = 1 makes reads
   * causal, not an INSERT's). At the server's REPEATABLE READ the statement holds shared locks on the
   * rows it reads until it ends; they are committed rows, and a deadlock runs it again (Database.run).
   */
  async linkStored(pairs: Pair[], now: Date): Promise<number> {
    if (pairs.length === 0) return 0;
    const sorted = [...pairs].sort(byPair);
    return this.db.run('link contacts to companies', async (manager) => {
      const sql = this.sqlFor(manager.connection);
      const rows = padded(sorted);
      const values: unknown[] = [sql.timestamp(now)];
      for (const pair of rows) values.push(pair.contactCrmId, pair.companyCrmId);
      return (await execute(manager.queryRunner!, sql.linkHead + sql.pairsTable(rows.length) + sql.linkTail, values)).affected;
    });
  }

  /**
   * Links the pairs (distinct, both sides known to exist) with one INSERT that skips pairs already
   * linked, and answers how many it linked. The primary key decides, so concurrent copies of a batch
   * link each pair once and count it once between them. A batch is at most MAX_BATCH_SIZE (1000)
   * pairs: 3 000 values, one statement under both databases' bound-parameter limits.
   */
  async insertMissing(pairs: Pair[], now: Date): Promise<number> {
    if (pairs.length === 0) return 0;
    const sorted = [...pairs].sort(byPair);
    // A deadlock (on Galera, also another node linking the same pair first) runs it again in Database.run.
    return this.db.run('link contacts to companies', (manager) => this.insertIn(manager, sorted, now));
  }

  private async insertIn(manager: EntityManager, pairs: Pair[], now: Date): Promise<number> {
    const sql = this.sqlFor(manager.connection);
    const timestamp = sql.timestamp(now);
    const values: unknown[] = [];
    for (const pair of pairs) values.push(pair.contactCrmId, pair.companyCrmId, timestamp);
    const text = sql.insertHead + new Array<string>(pairs.length).fill('(?, ?, ?)').join(', ');
    return (await execute(manager.queryRunner!, text, values)).affected;
  }

  private sqlFor(dataSource: DataSource): Sql {
    if (this.sql) return this.sql;
    const { driver } = dataSource;
    const q = (name: string) => driver.escape(name);
    const table = (entity: Function) => q(dataSource.getMetadata(entity).tableName);
    const column = (entity: Function, property: string) => {
      const found = dataSource.getMetadata(entity).findColumnWithPropertyName(property);
      if (!found) throw new Error(`${entity.name} has no column for ${property}`);
      return found;
    };
    const name = (entity: Function, property: string) => q(column(entity, property).databaseName);
    const contactId = name(ContactEntity, 'crmId');
    const companyId = name(CompanyEntity, 'crmId');
    const written = ['contactCrmId', 'companyCrmId', 'createdAt'].map((p) => name(ContactCompanyEntity, p));
    const createdAt = column(ContactCompanyEntity, 'createdAt');
    const mysql = isMysqlFamily(dataSource);
    const insert = `${mysql ? 'INSERT IGNORE' : 'INSERT OR IGNORE'} INTO ${table(ContactCompanyEntity)} (${written.join(', ')})`;
    const [c, o] = [q('c'), q('o')];
    this.sql = {
      // SQLite allows 500 terms in a compound SELECT (a batch may hold 1000 pairs) but any number of
      // VALUES rows; MySQL 8 wants ROW(...) in a VALUES list where MariaDB refuses it: UNION ALL suits both.
      pairsTable: mysql
        ? (count) => `(SELECT ? AS ${c}, ? AS ${o}${' UNION ALL SELECT ?, ?'.repeat(count - 1)})`
        : (count) => `(SELECT column1 AS ${c}, column2 AS ${o} FROM (VALUES (?, ?)${', (?, ?)'.repeat(count - 1)}))`,
      linkHead: `${insert} SELECT ${q('p')}.${c}, ${q('p')}.${o}, ? FROM `,
      linkedHead: `SELECT ${q('l')}.${written[0]} AS ${c}, ${q('l')}.${written[1]} AS ${o} FROM `,
      linkedTail: ` ${q('p')} JOIN ${table(ContactCompanyEntity)} ${q('l')} ON ${q('l')}.${written[0]} = ${q('p')}.${c} AND ${q('l')}.${written[1]} = ${q('p')}.${o}`,
      linkTail:
        ` ${q('p')} JOIN ${table(ContactEntity)} ${q('k')}${mysql ? ` FORCE INDEX (${q(CONTACT_REFERENCE_INDEX)})` : ''} ON ${q('k')}.${contactId} = ${q('p')}.${c}` +
        ` JOIN ${table(CompanyEntity)} ${q('m')} ON ${q('m')}.${companyId} = ${q('p')}.${o}`,
      contactsHead: `SELECT ${contactId} AS ${q('c')}, NULL AS ${q('o')} FROM ${table(ContactEntity)} WHERE ${contactId} IN `,
      companiesHead: `SELECT NULL AS ${q('c')}, ${companyId} AS ${q('o')} FROM ${table(CompanyEntity)} WHERE ${companyId} IN `,
      insertHead: `${insert} VALUES `,
      timestamp: (date) => {
        const value: unknown = driver.preparePersistentValue(date, createdAt);
        // The text mysql2 would send for the Date (the DataSource writes times in UTC, timezone 'Z').
        return value instanceof Date ? value.toISOString().replace('T', ' ').slice(0, 23) : value;
      },
    };
    return this.sql;
  }

  /** The companies linked to a contact, newest company first, older than `beforeCrmId`. */
  companiesOf(contactCrmId: string, beforeCrmId: string | undefined, limit: number): Promise<CompanyEntity[]> {
    return this.db.run('list the companies of a contact', (manager) => {
      const query = manager
        .getRepository(CompanyEntity)
        .createQueryBuilder('c')
        .innerJoin(ContactCompanyEntity, 'l', 'l.companyCrmId = c.crmId')
        .where('l.contactCrmId = :contactCrmId', { contactCrmId });
      if (beforeCrmId !== undefined) query.andWhere('l.companyCrmId < :before', { before: beforeCrmId });
      return query.orderBy('l.companyCrmId', 'DESC').limit(limit).getMany();
    });
  }

  /** The contacts linked to a company, newest contact first, older than `beforeCrmId`. */
  contactsOf(companyCrmId: string, beforeCrmId: string | undefined, limit: number): Promise<ContactEntity[]> {
    return this.db.run('list the contacts of a company', (manager) => {
      const query = manager
        .getRepository(ContactEntity)
        .createQueryBuilder('c')
        .innerJoin(ContactCompanyEntity, 'l', 'l.contactCrmId = c.crmId')
        .where('l.companyCrmId = :companyCrmId', { companyCrmId });
      if (beforeCrmId !== undefined) query.andWhere('l.contactCrmId < :before', { before: beforeCrmId });
      return query.orderBy('l.contactCrmId', 'DESC').limit(limit).getMany();
    });
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** A consistent order of index locks keeps concurrent overlapping batches from deadlocking. */
const byPair = (a: Pair, b: Pair): number => compare(a.contactCrmId, b.contactCrmId) || compare(a.companyCrmId, b.companyCrmId);
