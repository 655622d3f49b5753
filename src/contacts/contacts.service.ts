import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type {
  Contact,
  ContactError,
  ContactPage,
  ContactResult,
  CreateContactsResponse,
  ListContactsQuery,
} from '../contract/api-types.js';
import { DomainError } from '../common/domain-error.js';
import { isUuid } from '../common/ids.js';
import { ContactsMetrics } from '../metrics/contacts-metrics.js';
import { UsersService } from '../users/users.service.js';
import { toContact } from './contact.mapper.js';
import { type NormalizedContact, normalizeContact } from './contact-input.js';
import { type ContactFilter, ContactsRepository } from './contacts.repository.js';

export interface CreateContactsOutcome {
  /** true when at least one item is stored (created now or already existing). */
  stored: boolean;
  body: CreateContactsResponse;
}

const DEFAULT_PAGE_SIZE = 50;

const encodeCursor = (crmId: string): string => Buffer.from(crmId, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const crmId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(crmId)) throw new DomainError('bad_request', 'cursor is not a cursor this service returned.');
  return crmId;
}

@Injectable()
export class ContactsService {
  constructor(
    @Inject(ContactsRepository) private readonly contacts: ContactsRepository,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ContactsMetrics) private readonly metrics: ContactsMetrics,
  ) {}

  /** Every item ends up exactly once in `results` (request order) or `errors` (by index). */
  async createContacts(body: unknown): Promise<CreateContactsOutcome> {
    const items = this.batchOf(body);
    const errors: ContactError[] = [];
    const valid: NormalizedContact[] = [];
    for (const [index, item] of items.entries()) {
      const outcome = normalizeContact(item, index);
      if ('error' in outcome) errors.push(outcome.error);
      else valid.push(outcome.contact);
    }

    const owned = await this.withActiveOwners(valid, errors);
    // The same externalId twice in a batch is one contact: the first valid item is the one stored.
    const distinct = new Map<string, NormalizedContact>();
    for (const contact of owned) if (!distinct.has(contact.externalId)) distinct.set(contact.externalId, contact);
    const stored = await this.contacts.insertMissing([...distinct.values()], new Date());

    const results: ContactResult[] = owned.map(({ externalId }) => ({ externalId, ...stored.get(externalId)! }));
    errors.sort((a, b) => a.index - b.index);
    const answer: CreateContactsResponse = { results, errors };
    this.metrics.recordBatch(answer);
    return { stored: results.length > 0, body: answer };
  }

  private batchOf(body: unknown): unknown[] {
    const contacts = (body as { contacts?: unknown } | null)?.contacts;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(contacts)) {
      throw new DomainError('bad_request', 'The body must be a JSON object with a "contacts" array.');
    }
    if (contacts.length === 0) throw new DomainError('bad_request', '"contacts" is empty: send at least one contact.');
    if (contacts.length > this.config.maxBatchSize) {
      throw new DomainError(
        'payload_too_large',
        `A batch may hold at most ${this.config.maxBatchSize} contacts (got ${contacts.length}); split it.`,
      );
    }
    return contacts;
  }

  /**
   * Drops (and reports) the items whose ownerId names no active user; one query for the batch. An item
   * whose contact is already stored is kept: it will answer `existing`, as a re-sent batch must, even
   * when its owner was deactivated since the first send.
   */
  private async withActiveOwners(contacts: NormalizedContact[], errors: ContactError[]): Promise<NormalizedContact[]> {
    const ownerIds = new Set(contacts.flatMap((c) => (c.fields.ownerId === null ? [] : [c.fields.ownerId])));
    if (ownerIds.size === 0) return contacts;
    const active = await this.users.activeIdsAmong([...ownerIds]);
    const unowned = contacts.filter((c) => c.fields.ownerId !== null && !active.has(c.fields.ownerId));
    if (unowned.length === 0) return contacts;
    const stored = await this.contacts.storedExternalIds(unowned.map((c) => c.externalId));
    const rejected = new Set(unowned.filter((c) => !stored.has(c.externalId)));
    for (const contact of rejected) {
      errors.push({
        index: contact.index,
        externalId: contact.externalId,
        code: 'UNKNOWN_OWNER',
        field: 'ownerId',
        message: 'ownerId names no active user (see GET /users).',
      });
    }
    return contacts.filter((contact) => !rejected.has(contact));
  }


  async getContact(crmId: string): Promise<Contact> {
    const entity = await this.contacts.findByCrmId(crmId);
    if (!entity) throw new DomainError('not_found', 'No contact has this crmId.');
    return toContact(entity);
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
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return { data: page.map(toContact), nextCursor: more ? encodeCursor(page[page.length - 1].crmId) : null };
  }
}
