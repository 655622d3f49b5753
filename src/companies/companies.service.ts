import { Inject, Injectable } from '@nestjs/common';
import { AssociationsService } from '../associations/associations.service.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf } from '../common/cursor.js';
import { DomainError } from '../errors/domain-error.js';
import type {
  Company,
  CompanyMatchRule,
  CompanyPage,
  ListCompaniesQuery,
  SyncCompaniesResponse,
  UpdateBatchResult,
} from '../contract/api-types.js';
import { AppConfig } from '../config/app-config.js';
import { RecordMatchingStore } from '../database/record-matching-store.js';
import { type Outcome, RecordSync } from '../sync/record-sync.js';
import { COMPANIES_SYNC } from './companies.sync.js';
import { CompaniesRepository } from './companies.repository.js';
import { toCompany } from './company.mapper.js';
import { normalizeDomain } from './domain.js';

@Injectable()
export class CompaniesService {
  private readonly sync: RecordSync<CompanyMatchRule>;

  constructor(
    @Inject(CompaniesRepository) private readonly companies: CompaniesRepository,
    @Inject(AssociationsService) private readonly associations: AssociationsService,
    @Inject(RecordMatchingStore) store: RecordMatchingStore,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.sync = new RecordSync(COMPANIES_SYNC, store, config.maxBatchSize, config.syncProperties);
  }

  /** Which companies are stored: one lookup per matching rule for the whole batch. Writes nothing. */
  syncCompanies(body: unknown): Promise<Outcome<SyncCompaniesResponse>> {
    return this.sync.sync(body);
  }

  /** A partial merge of each item into the company its crmId names. */
  updateCompanies(body: unknown): Promise<Outcome<UpdateBatchResult>> {
    return this.sync.update(body);
  }

  async getCompany(crmId: string): Promise<Company> {
    const entity = await this.companies.findByCrmId(crmId);
    if (!entity) throw new DomainError('not_found', 'No company has this crmId.');
    return toCompany(entity, await this.associations.linkedContacts(crmId));
  }

  async listCompanies(query: ListCompaniesQuery): Promise<CompanyPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const beforeCrmId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    let domainNormalized: string | undefined;
    if (query.domain !== undefined) {
      // A domain with no usable host is stored with no normalized value: nothing can match it.
      const normalized = normalizeDomain(query.domain);
      if (normalized === null) return { data: [], nextCursor: null };
      domainNormalized = normalized;
    }
    const rows = await this.companies.list({
      externalId: query.externalId,
      domainNormalized,
      ownerId: query.ownerId,
      beforeCrmId,
      limit: limit + 1,
    });
    return pageOf(rows, limit, (entity) => toCompany(entity));
  }
}
