import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf } from '../common/cursor.js';
import { DomainError } from '../errors/domain-error.js';
import { toCompany, toCompanyRef } from '../companies/company.mapper.js';
import { toContact, toContactRef } from '../contacts/contact.mapper.js';
import { AppConfig } from '../config/app-config.js';
import type {
  AssociationError,
  AssociationsResult,
  CompanyPage,
  ContactPage,
  LinkedCompanies,
  LinkedContacts,
  LinkedPageQuery,
} from '../contract/api-types.js';
import { normalizePair, type ParsedPair } from './association-input.js';
import { AssociationsMetrics } from './associations.metrics.js';
import { AssociationsRepository, type Pair, pairKey } from './associations.repository.js';

export interface CreateAssociationsOutcome {
  /** true when at least one pair is linked (now or before). */
  stored: boolean;
  body: AssociationsResult;
}

/** How many linked records a single read (GET /contacts/{crmId}, GET /companies/{crmId}) names. */
export const LINKED_IN_RECORD = 10;

@Injectable()
export class AssociationsService {
  constructor(
    @Inject(AssociationsRepository) private readonly links: AssociationsRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(AssociationsMetrics) private readonly metrics: AssociationsMetrics,
  ) {}

  /**
   * Every pair ends up linked (counted once in `created` or `existing`, however often it is repeated)
   * or in `errors`. One round trip when every distinct pair is new and both its sides are stored (an
   * export): one statement links exactly those. Otherwise a second one asks which sides are stored and
   * which pairs are linked, to tell a missing contact or company from a pair linked before; a pair
   * that is neither (its sides were stored by a concurrent batch, or on Galera not yet applied on this
   * node when the first statement ran) is linked by a third. The counts rely on records and links never
   * being deleted: a pair linked once stays linked.
   */
  async createAssociations(body: unknown): Promise<CreateAssociationsOutcome> {
    const items = this.batchOf(body);
    const errors: AssociationError[] = [];
    const valid: ParsedPair[] = [];
    for (const [index, item] of items.entries()) {
      const outcome = normalizePair(item, index);
      if ('error' in outcome) errors.push(outcome.error);
      else valid.push(outcome.pair);
    }
    const distinct = new Map<string, Pair>();
    for (const pair of valid) distinct.set(pairKey(pair), pair);

    const now = new Date();
    let created = await this.links.linkStored([...distinct.values()], now);
    if (created < distinct.size) {
      const pairs = [...distinct.values()];
      const { contacts, companies, linked } = await this.links.lookup(
        [...new Set(pairs.map((p) => p.contactCrmId))],
        [...new Set(pairs.map((p) => p.companyCrmId))],
        pairs,
      );
      const unlinked: Pair[] = [];
      for (const pair of pairs) {
        if (linked.has(pairKey(pair))) continue;
        if (contacts.has(pair.contactCrmId) && companies.has(pair.companyCrmId)) unlinked.push(pair);
        else distinct.delete(pairKey(pair));
      }
      for (const pair of valid) {
        if (distinct.has(pairKey(pair))) continue;
        const hasContact = contacts.has(pair.contactCrmId);
        const hasCompany = companies.has(pair.companyCrmId);
        errors.push(
          hasContact
            ? { index: pair.index, ...pair.given, code: 'COMPANY_NOT_FOUND', error: 'Company not found', message: 'No company has this companyCRMId.' }
            : {
                index: pair.index,
                ...pair.given,
                code: 'CONTACT_NOT_FOUND',
                error: 'Contact not found',
                message: hasCompany ? 'No contact has this contactCRMId.' : 'Neither the contact nor the company exists.',
              },
        );
      }
      created += await this.links.insertMissing(unlinked, now);
    }

    errors.sort((a, b) => a.index - b.index);
    const linked = distinct.size;
    const answer: AssociationsResult = { success: linked > 0, created, existing: linked - created, errors };
    this.metrics.recordBatch(answer);
    return { stored: linked > 0, body: answer };
  }

  private batchOf(body: unknown): unknown[] {
    const associations = (body as { associations?: unknown } | null)?.associations;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(associations)) {
      throw new DomainError('bad_request', 'The body must be a JSON object with an "associations" array.');
    }
    if (associations.length === 0) throw new DomainError('bad_request', '"associations" is empty: send at least one pair.');
    if (associations.length > this.config.maxBatchSize) {
      throw new DomainError(
        'payload_too_large',
        `A batch may hold at most ${this.config.maxBatchSize} associations (got ${associations.length}); split it.`,
      );
    }
    return associations;
  }

  async listCompaniesOf(contactCrmId: string, query: LinkedPageQuery): Promise<CompanyPage> {
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const { contacts } = await this.links.lookup([contactCrmId], []);
    if (!contacts.has(contactCrmId)) throw new DomainError('not_found', 'No contact has this crmId.');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    return pageOf(await this.links.companiesOf(contactCrmId, before, limit + 1), limit, (entity) => toCompany(entity));
  }

  async listContactsOf(companyCrmId: string, query: LinkedPageQuery): Promise<ContactPage> {
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const { companies } = await this.links.lookup([], [companyCrmId]);
    if (!companies.has(companyCrmId)) throw new DomainError('not_found', 'No company has this crmId.');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    return pageOf(await this.links.contactsOf(companyCrmId, before, limit + 1), limit, toContact);
  }

  /** The first companies of a contact, as GET /contacts/{crmId} names them. */
  async linkedCompanies(contactCrmId: string): Promise<LinkedCompanies> {
    const rows = await this.links.companiesOf(contactCrmId, undefined, LINKED_IN_RECORD + 1);
    return { data: rows.slice(0, LINKED_IN_RECORD).map(toCompanyRef), hasMore: rows.length > LINKED_IN_RECORD };
  }

  /** The first contacts of a company, as GET /companies/{crmId} names them. */
  async linkedContacts(companyCrmId: string): Promise<LinkedContacts> {
    const rows = await this.links.contactsOf(companyCrmId, undefined, LINKED_IN_RECORD + 1);
    return { data: rows.slice(0, LINKED_IN_RECORD).map(toContactRef), hasMore: rows.length > LINKED_IN_RECORD };
  }
}
