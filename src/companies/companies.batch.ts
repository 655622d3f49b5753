// Companies on the batch engine (src/batch/): the record type, its owner rule and its normalized
// domain. Everything else (the input rules from CompanyInput, storage by externalId) is the engine's.
import { companyNameKey } from '../matching/company-name.js';
import { linkedinKey } from '../matching/linkedin-url.js';
import type { BatchDefinition } from '../batch/batch-engine.js';
import { ACTIVE_OWNER } from '../users/owner-reference.js';
import { CompanyEntity } from './company.entity.js';
import { normalizeDomain } from './domain.js';

export const COMPANIES_BATCH: BatchDefinition<'UNKNOWN_OWNER'> = {
  listKey: 'companies',
  noun: 'company',
  itemSchema: 'CompanyInput',
  entity: CompanyEntity,
  idProperty: 'crmId',
  keyProperty: 'externalId',
  customFieldsProperty: 'customFields',
  createdAtProperty: 'createdAt',
  updatedAtProperty: 'updatedAt',
  // What GET /companies?domain= (and matching, later) compares; a domain with no usable host has none.
  derived: [
    { property: 'domainNormalized', from: (fields) => (fields.domain === undefined ? null : normalizeDomain(fields.domain)) },
    // Matched by POST /companies/sync (src/matching/): the LinkedIn company key and the folded name.
    { property: 'linkedinNormalized', from: (fields) => linkedinKey(fields.linkedinUrl, 'company') },
    { property: 'nameFolded', from: (fields) => companyNameKey(fields.name) },
  ],
  // As for contacts: a company already stored answers `existing` whatever its owner is now.
  references: [ACTIVE_OWNER],
};
