import { Inject, Injectable } from '@nestjs/common';
import { Brackets, type EntityManager } from 'typeorm';
import { Database } from '../database/database.js';
import { CompanyEntity } from './company.entity.js';

export interface CompanyFilter {
  externalId?: string;
  domainNormalized?: string;
  ownerId?: string;
  /** The record pages' search box: an exact externalId or domain, or the start of the name. */
  text?: { exact: string; domainNormalized: string | null };
  /** Only companies older than this crmId (time-ordered ids make it a cursor). */
  beforeCrmId?: string;
  limit: number;
}

@Injectable()
export class CompaniesRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  findByCrmId(crmId: string): Promise<CompanyEntity | null> {
    return this.db.run('read a company', (manager) => manager.getRepository(CompanyEntity).findOneBy({ crmId }));
  }

  /** Newest first: crmIds are time-ordered, so ordering by the primary key is ordering by creation. */
  list(filter: CompanyFilter): Promise<CompanyEntity[]> {
    return this.db.run('list companies', (manager) => this.listIn(manager, filter));
  }

  private listIn(manager: EntityManager, filter: CompanyFilter): Promise<CompanyEntity[]> {
    const query = manager.getRepository(CompanyEntity).createQueryBuilder('c');
    if (filter.externalId !== undefined) query.andWhere('c.externalId = :externalId', { externalId: filter.externalId });
    if (filter.domainNormalized !== undefined) query.andWhere('c.domainNormalized = :domain', { domain: filter.domainNormalized });
    if (filter.ownerId !== undefined) query.andWhere('c.ownerId = :ownerId', { ownerId: filter.ownerId });
    if (filter.text !== undefined) {
      const { exact, domainNormalized } = filter.text;
      // LIKE's own characters escaped with `!` (a backslash reads differently in MySQL and SQLite).
      const prefix = `${exact.replace(/[!%_]/g, (c) => `!${c}`)}%`;
      query.andWhere(
        new Brackets((or) => {
          or.where('c.externalId = :exact', { exact }).orWhere("c.name LIKE :prefix ESCAPE '!'", { prefix });
          if (domainNormalized !== null) or.orWhere('c.domainNormalized = :domainText', { domainText: domainNormalized });
        }),
      );
    }
    if (filter.beforeCrmId !== undefined) query.andWhere('c.crmId < :before', { before: filter.beforeCrmId });
    return query.orderBy('c.crmId', 'DESC').limit(filter.limit).getMany();
  }

  count(): Promise<number> {
    return this.db.run('count companies', (manager) => manager.getRepository(CompanyEntity).count());
  }
}
