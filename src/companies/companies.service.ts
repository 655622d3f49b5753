import { Inject, Injectable } from '@nestjs/common';
import { AssociationsService } from '../associations/associations.service.js';
import { BatchEngine } from '../batch/batch-engine.js';
import { AppConfig } from '../config/app-config.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf } from '../common/cursor.js';
import { DomainError } from '../errors/domain-error.js';
import type {
  Company,
  CompanyError,
  CompanyMatchRule,
  CompanyPage,
  CreateCompaniesResponse,
  ListCompaniesQuery,
  SyncCompaniesResponse,
  UpdateBatchResult,
} from '../contract/api-types.js';
import { Database } from '../database/database.js';
import { RecordMatchingStore } from '../database/record-matching-store.js';
import { type Outcome, RecordSync } from '../sync/record-sync.js';
import { COMPANIES_BATCH } from './companies.batch.js';
import { CompaniesMetrics } from './companies.metrics.js';
import { COMPANIES_SYNC } from './companies.sync.js';
import { CompaniesRepository } from './companies.repository.js';
import { toCompany } from './company.mapper.js';
import { normalizeDomain } from './domain.js';

export interface CreateCompaniesOutcome {
  /** true when at least one item is stored (created now or already existing). */
  stored: boolean;
  body: CreateCompaniesResponse;
}

@Injectable()
export class CompaniesService {
  private readonly sync: RecordSync<CompanyMatchRule>;
  private readonly batch: BatchEngine<'UNKNOWN_OWNER'>;

  constructor(
    @Inject(CompaniesRepository) private readonly companies: CompaniesRepository,
    @Inject(AssociationsService) private readonly associations: AssociationsService,
    @Inject(CompaniesMetrics) private readonly metrics: CompaniesMetrics,
    @Inject(Database) db: Database,
    @Inject(AppConfig) config: AppConfig,
    @Inject(RecordMatchingStore) store: RecordMatchingStore,
  ) {
    this.batch = new BatchEngine(db, COMPANIES_BATCH, config.maxBatchSize);
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
  /** Every item ends up exactly once in `results` (request order) or `errors` (by index). */
  async createCompanies(body: unknown): Promise<CreateCompaniesOutcome> {
    const outcome = await this.batch.run(body);
    const answer: CreateCompaniesResponse = {
      results: outcome.results.map(({ externalId, id, status }) => ({ externalId, crmId: id, status })),
      // CompanyInput has no `format: email` field, so the engine's INVALID_EMAIL cannot arise here.
      errors: outcome.errors as CompanyError[],
    };
    this.metrics.recordBatch(answer);
    return { stored: outcome.stored, body: answer };
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

  /** The record pages' search: one box for an externalId, domain or the start of a name; newest first. */
  async searchCompanies(text: string | undefined, query: { cursor?: string; limit?: number }): Promise<CompanyPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const trimmed = text?.trim();
    const rows = await this.companies.list({
      text: trimmed ? { exact: trimmed, domainNormalized: normalizeDomain(trimmed) } : undefined,
      beforeCrmId: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    });
    return pageOf(rows, limit, (entity) => toCompany(entity));
  }

  countCompanies(): Promise<number> {
    return this.companies.count();
  }
}
