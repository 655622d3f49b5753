import { Inject, Injectable } from '@nestjs/common';
import { Brackets, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { Database } from '../database/database.js';
import { ContactEntity } from './contact.entity.js';

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

@Injectable()
export class ContactsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  // Batches are stored by the batch engine (src/batch/, see contacts.batch.ts); this is the read side.
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
