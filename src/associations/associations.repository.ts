import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { padded, placeholders } from '../batch/batch-store.js';
import { CompanyEntity } from '../companies/company.entity.js';
import { ContactEntity } from '../contacts/contact.entity.js';
import { isMysqlFamily } from '../database/data-source.js';
import { Database } from '../database/database.js';
import { isDeadlock } from '../database/database-errors.js';
import { execute } from '../database/driver-adapter.js';
import { ContactCompanyEntity } from './contact-company.entity.js';

export interface Pair {
  contactCrmId: string;
  companyCrmId: string;
}

/** Which of the crmIds asked about name a stored contact, and which a stored company. */
export interface Existing {
  contacts: Set<string>;
  companies: Set<string>;
}

const DEADLOCK_RETRIES = 3;

/** SQL text that depends only on the database: built once from the entities' metadata. */
interface Sql {
  /** `SELECT crm_id AS c, NULL AS o FROM contacts WHERE crm_id IN `. */
  contactsHead: string;
  /** `SELECT NULL AS c, crm_id AS o FROM companies WHERE crm_id IN `. */
  companiesHead: string;
  /** `INSERT IGNORE INTO contact_companies (...) VALUES `. */
  insertHead: string;
  timestamp: (date: Date) => unknown;
}

@Injectable()
export class AssociationsRepository {
  private sql: Sql | undefined;

  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Which contacts and companies exist among these crmIds: one statement (one SELECT per side, joined
   * by UNION ALL), sent prepared on MySQL with its IN lists padded to a power of two, as the batch
   * engine does, so that a few statement shapes serve every batch.
   */
  lookup(contactCrmIds: string[], companyCrmIds: string[]): Promise<Existing> {
    return this.db.run('look up contacts and companies', async (manager) => {
      const found: Existing = { contacts: new Set(), companies: new Set() };
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
      if (parts.length === 0) return found;
      for (const record of (await execute(manager.queryRunner!, parts.join(' UNION ALL '), values)).records) {
        if (record.c !== null && record.c !== undefined) found.contacts.add(record.c as string);
        else found.companies.add(record.o as string);
      }
      return found;
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
    // A consistent order of index locks keeps concurrent overlapping batches from deadlocking.
    const sorted = [...pairs].sort((a, b) => compare(a.contactCrmId, b.contactCrmId) || compare(a.companyCrmId, b.companyCrmId));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.run('link contacts to companies', (manager) => this.insertIn(manager, sorted, now));
      } catch (error) {
        if (!isDeadlock(error) || attempt >= DEADLOCK_RETRIES) throw error;
      }
    }
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
    this.sql = {
      contactsHead: `SELECT ${contactId} AS ${q('c')}, NULL AS ${q('o')} FROM ${table(ContactEntity)} WHERE ${contactId} IN `,
      companiesHead: `SELECT NULL AS ${q('c')}, ${companyId} AS ${q('o')} FROM ${table(CompanyEntity)} WHERE ${companyId} IN `,
      insertHead: `${isMysqlFamily(dataSource) ? 'INSERT IGNORE' : 'INSERT OR IGNORE'} INTO ${table(ContactCompanyEntity)} (${written.join(', ')}) VALUES `,
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
