import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CompanyEntity } from '../companies/company.entity.js';
import { ContactEntity } from '../contacts/contact.entity.js';
import { isMysqlFamily } from '../database/data-source.js';
import { Database } from '../database/database.js';
import { isDeadlock } from '../database/database-errors.js';
import { ContactCompanyEntity } from './contact-company.entity.js';

export interface Pair {
  contactCrmId: string;
  companyCrmId: string;
}

export type LinkedSide = typeof ContactEntity | typeof CompanyEntity;

/** Rows per INSERT: 3 values a row, well under both databases' bound-parameter limits. */
const INSERT_CHUNK = 1000;
const DEADLOCK_RETRIES = 3;

@Injectable()
export class AssociationsRepository {
  private insertHead: string | undefined;

  constructor(@Inject(Database) private readonly db: Database) {}

  /** Which of these crmIds name a stored record of `side`: one query. */
  async existing(side: LinkedSide, crmIds: string[]): Promise<Set<string>> {
    if (crmIds.length === 0) return new Set();
    const rows = await this.db.run(`look up ${side === ContactEntity ? 'contacts' : 'companies'}`, (manager) =>
      manager
        .getRepository<{ crmId: string }>(side)
        .createQueryBuilder('r')
        .select('r.crmId', 'crmId')
        .where('r.crmId IN (:...crmIds)', { crmIds })
        .getRawMany<{ crmId: string }>(),
    );
    return new Set(rows.map((row) => row.crmId));
  }

  /**
   * Links the pairs (distinct, both sides known to exist) with one INSERT that skips pairs already
   * linked; answers how many it linked. The primary key decides, so concurrent copies of a batch link
   * each pair once and count it once between them.
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
    const head = this.insertHeadFor(manager);
    const metadata = manager.connection.getMetadata(ContactCompanyEntity);
    const timestamp: unknown = manager.connection.driver.preparePersistentValue(now, metadata.findColumnWithPropertyName('createdAt')!);
    let inserted = 0;
    for (let start = 0; start < pairs.length; start += INSERT_CHUNK) {
      const chunk = pairs.slice(start, start + INSERT_CHUNK);
      const values = chunk.flatMap((pair) => [pair.contactCrmId, pair.companyCrmId, timestamp]);
      const result = await manager.queryRunner!.query(head + chunk.map(() => '(?, ?, ?)').join(', '), values, true);
      inserted += result.affected ?? 0;
    }
    return inserted;
  }

  private insertHeadFor(manager: EntityManager): string {
    if (this.insertHead) return this.insertHead;
    const { driver } = manager.connection;
    const metadata = manager.connection.getMetadata(ContactCompanyEntity);
    const name = (property: string) => driver.escape(metadata.findColumnWithPropertyName(property)!.databaseName);
    const verb = isMysqlFamily(manager.connection) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    this.insertHead = `${verb} INTO ${driver.escape(metadata.tableName)} (${['contactCrmId', 'companyCrmId', 'createdAt'].map(name).join(', ')}) VALUES `;
    return this.insertHead;
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
