import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../database/database.js';
import { ContactEntity } from './contact.entity.js';

export interface ContactFilter {
  externalId?: string;
  emailLower?: string;
  ownerId?: string;
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

  /** Newest first: crmIds are time-ordered, so ordering by the primary key is ordering by creation. */
  list(filter: ContactFilter): Promise<ContactEntity[]> {
    return this.db.run('list contacts', (manager) => this.listIn(manager, filter));
  }

  private listIn(manager: EntityManager, filter: ContactFilter): Promise<ContactEntity[]> {
    const query = manager.getRepository(ContactEntity).createQueryBuilder('c');
    if (filter.externalId !== undefined) query.andWhere('c.externalId = :externalId', { externalId: filter.externalId });
    if (filter.emailLower !== undefined) query.andWhere('c.emailLower = :emailLower', { emailLower: filter.emailLower });
    if (filter.ownerId !== undefined) query.andWhere('c.ownerId = :ownerId', { ownerId: filter.ownerId });
    if (filter.beforeCrmId !== undefined) query.andWhere('c.crmId < :before', { before: filter.beforeCrmId });
    return query.orderBy('c.crmId', 'DESC').limit(filter.limit).getMany();
  }
}
