import type { Company, CompanyRef, LinkedContacts } from '../contract/api-types.js';
import type { CompanyEntity } from './company.entity.js';

export function toCompany(entity: CompanyEntity, contacts?: LinkedContacts): Company {
  const company: Company = {
    crmId: entity.crmId,
    externalId: entity.externalId,
    name: entity.name,
    domain: entity.domain,
    domainNormalized: entity.domainNormalized,
    industry: entity.industry,
    numberOfEmployees: entity.numberOfEmployees,
    linkedinUrl: entity.linkedinUrl,
    ownerId: entity.ownerId,
    description: entity.description,
    location: entity.location,
    foundedYear: entity.foundedYear,
    revenue: entity.revenue,
    companyType: entity.companyType,
    technologiesUsed: entity.technologiesUsed,
    campaigns: entity.campaigns,
    lastContactedBy: entity.lastContactedBy,
    leadCountries: entity.leadCountries,
    customFields: entity.customFields ? (JSON.parse(entity.customFields) as Record<string, unknown>) : {},
    createdAt: new Date(entity.createdAt).toISOString(),
    updatedAt: new Date(entity.updatedAt).toISOString(),
  };
  if (contacts) company.contacts = contacts;
  return company;
}

export function toCompanyRef(entity: CompanyEntity): CompanyRef {
  return { crmId: entity.crmId, externalId: entity.externalId, name: entity.name, domain: entity.domain };
}
