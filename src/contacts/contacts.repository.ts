import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ContactResultStatus } from '../contract/api-types.js';
import { newId } from '../common/ids.js';
import { Database } from '../database/database.js';
import { ContactEntity } from './contact.entity.js';
import type { NormalizedContact } from './contact-input.js';

export interface StoredContactRef {
  crmId: string;
  status: ContactResultStatus;
}

export interface ContactFilter {
  externalId?: string;
  emailLower?: string;
  ownerId?: string;
  /** Only contacts older than this crmId (time-ordered ids make it a cursor). */
  beforeCrmId?: string;
  limit: number;
}

/** Rows per INSERT: well under MySQL's 65 535 and SQLite's 32 766 bound parameters (25 columns a row). */
const INSERT_CHUNK = 500;
const DEADLOCK_RETRIES = 3;

function isDeadlock(error: unknown): boolean {
  const code = (error as { driverError?: { code?: string }; code?: string })?.driverError?.code ?? (error as { code?: string })?.code;
  return code === 'ER_LOCK_DEADLOCK';
}

@Injectable()
export class ContactsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /**
   * Stores a batch of contacts with distinct externalIds, set-based, in one transaction: one read of
   * the externalIds already stored, one multi-row INSERT that tolerates a concurrent insert of the same
   * externalId (the unique index decides), one re-read of the ids. Never a query per contact.
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
    for (let start = 0; start < fresh.length; start += INSERT_CHUNK) {
      const rows = fresh.slice(start, start + INSERT_CHUNK).map((c) => this.toRow(c, proposed.get(c.externalId)!, now));
      await manager.createQueryBuilder().insert().into(ContactEntity).values(rows).orIgnore().updateEntity(false).execute();
    }
    // Generated-id mapping after a multi-row insert is not trusted: read back what the index holds.
    for (const row of await this.crmIdsOf(manager, [...proposed.keys()])) {
      stored.set(row.externalId, {
        crmId: row.crmId,
        status: row.crmId === proposed.get(row.externalId) ? 'created' : 'existing',
      });
    }
    return stored;
  }

  private crmIdsOf(manager: EntityManager, externalIds: string[]): Promise<{ crmId: string; externalId: string }[]> {
    return manager
      .createQueryBuilder(ContactEntity, 'c')
      .select('c.crmId', 'crmId')
      .addSelect('c.externalId', 'externalId')
      .where('c.externalId IN (:...externalIds)', { externalIds })
      .getRawMany();
  }

  private toRow(contact: NormalizedContact, crmId: string, now: Date): Partial<ContactEntity> {
    return {
      crmId,
      externalId: contact.externalId,
      ...contact.fields,
      emailLower: contact.fields.email?.toLowerCase() ?? null,
      customFields: contact.customFields,
      createdAt: now,
      updatedAt: now,
    };
  }

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
