// Companies on the sync and update path (src/sync/): the matching rules and their keys, the columns
// derived from documented fields, and the owner rule.
import type { CompanyMatchRule } from '../contract/api-types.js';
import { companyNameKey } from '../matching/company-name.js';
import { linkedinKey } from '../matching/linkedin-url.js';
import type { SyncDefinition } from '../sync/record-sync.js';
import { ACTIVE_OWNER } from '../users/owner-reference.js';
import { CompanyEntity } from './company.entity.js';
import { normalizeDomain } from './domain.js';

const domainKey = (domain: string | null | undefined): string | null => (domain ? normalizeDomain(domain) : null);

export const COMPANIES_SYNC: SyncDefinition<CompanyMatchRule> = {
  listKey: 'companies',
  noun: 'company',
  syncSchema: 'SyncCompanyInput',
  updateSchema: 'UpdateCompanyInput',
  table: {
    entity: CompanyEntity,
    name: 'companies',
    matchProperties: { externalId: 'externalId', domain: 'domainNormalized', linkedinUrl: 'linkedinNormalized', name: 'nameFolded' },
  },
  // First hit wins, in this order.
  rules: ['externalId', 'domain', 'linkedinUrl', 'name'],
  keysOf: (fields) => ({
    externalId: fields.externalId ?? null,
    domain: domainKey(fields.domain),
    linkedinUrl: linkedinKey(fields.linkedinUrl, 'company'),
    name: companyNameKey(fields.name),
  }),
  derived: [
    { property: 'domainNormalized', source: 'domain', from: domainKey },
    { property: 'linkedinNormalized', source: 'linkedinUrl', from: (url) => linkedinKey(url, 'company') },
    { property: 'nameFolded', source: 'name', from: companyNameKey },
  ],
  references: [ACTIVE_OWNER],
};
