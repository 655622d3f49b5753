import { Inject, Injectable } from '@nestjs/common';
import { AssociationsService } from '../associations/associations.service.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf } from '../common/cursor.js';
import { DomainError } from '../errors/domain-error.js';
import type { Company, CompanyPage, ListCompaniesQuery } from '../contract/api-types.js';
import { CompaniesRepository } from './companies.repository.js';
import { toCompany } from './company.mapper.js';
import { normalizeDomain } from './domain.js';

@Injectable()
export class CompaniesService {
  constructor(
    @Inject(CompaniesRepository) private readonly companies: CompaniesRepository,
    @Inject(AssociationsService) private readonly associations: AssociationsService,
  ) {}

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
