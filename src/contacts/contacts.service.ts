import { Inject, Injectable } from '@nestjs/common';
import { AssociationsService } from '../associations/associations.service.js';
import { AppConfig } from '../config/app-config.js';
import { BatchEngine } from '../batch/batch-engine.js';
import type {
  Contact,
  ContactMatchRule,
  ContactPage,
  CreateContactsResponse,
  ListContactsQuery,
  SyncContactsResponse,
  UpdateBatchResult,
} from '../contract/api-types.js';
import { RecordMatchingStore } from '../database/record-matching-store.js';
import { type Outcome, RecordSync } from '../sync/record-sync.js';
import { CONTACTS_SYNC } from './contacts.sync.js';
import { Database } from '../database/database.js';
import { DomainError } from '../errors/domain-error.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf } from '../common/cursor.js';
import { toContact } from './contact.mapper.js';
import { CONTACTS_BATCH } from './contacts.batch.js';
import { ContactsMetrics } from './contacts.metrics.js';
import { type ContactFilter, ContactsRepository } from './contacts.repository.js';

export interface CreateContactsOutcome {
  /** true when at least one item is stored (created now or already existing). */
  stored: boolean;
  body: CreateContactsResponse;
}

@Injectable()
export class ContactsService {
  private readonly batch: BatchEngine<'UNKNOWN_OWNER'>;
  private readonly sync: RecordSync<ContactMatchRule>;

  constructor(
    @Inject(ContactsRepository) private readonly contacts: ContactsRepository,
    @Inject(Database) db: Database,
    @Inject(AppConfig) config: AppConfig,
    @Inject(ContactsMetrics) private readonly metrics: ContactsMetrics,
    @Inject(RecordMatchingStore) store: RecordMatchingStore,
    @Inject(AssociationsService) private readonly associations: AssociationsService,
  ) {
    this.batch = new BatchEngine(db, CONTACTS_BATCH, config.maxBatchSize);
    this.sync = new RecordSync(CONTACTS_SYNC, store, config.maxBatchSize, config.syncProperties);
  }

  /** Which leads are stored: one lookup per matching rule for the whole batch. Writes nothing. */
  syncContacts(body: unknown): Promise<Outcome<SyncContactsResponse>> {
    return this.sync.sync(body);
  }

  /** A partial merge of each item into the contact its crmId names. */
  updateContacts(body: unknown): Promise<Outcome<UpdateBatchResult>> {
    return this.sync.update(body);
  }

  /** Every item ends up exactly once in `results` (request order) or `errors` (by index). */
  async createContacts(body: unknown): Promise<CreateContactsOutcome> {
    const outcome = await this.batch.run(body);
    const answer: CreateContactsResponse = {
      results: outcome.results.map(({ externalId, id, status }) => ({ externalId, crmId: id, status })),
      errors: outcome.errors,
    };
    this.metrics.recordBatch(answer);
    return { stored: outcome.stored, body: answer };
  }

  async getContact(crmId: string): Promise<Contact> {
    const entity = await this.contacts.findByCrmId(crmId);
    if (!entity) throw new DomainError('not_found', 'No contact has this crmId.');
    return toContact(entity, await this.associations.linkedCompanies(crmId));
  }

  listContacts(query: ListContactsQuery): Promise<ContactPage> {
    return this.page(query, {
      externalId: query.externalId,
      emailLower: query.email?.toLowerCase(),
      ownerId: query.ownerId,
    });
  }

  /** The record pages' search: one box for an externalId, email, domain or name; newest first, by cursor. */
  searchContacts(text: string | undefined, query: { cursor?: string; limit?: number }): Promise<ContactPage> {
    return this.page(query, { text: text?.trim() || undefined });
  }

  countContacts(): Promise<number> {
    return this.contacts.count();
  }

  private async page(
    query: { cursor?: string; limit?: number },
    filter: Omit<ContactFilter, 'beforeCrmId' | 'limit'>,
  ): Promise<ContactPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.contacts.list({
      ...filter,
      beforeCrmId: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    });
    return pageOf(rows, limit, toContact);
  }
}
