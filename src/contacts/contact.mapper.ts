import type { Contact, ContactRef, LinkedCompanies } from '../contract/api-types.js';
import { contractSchema } from '../contract/contract.js';
import type { ContactEntity } from './contact.entity.js';

/** The documented contact fields but the key, as the contract lists them: each is the entity property of the same name. */
const FIELDS = Object.keys(contractSchema('ContactInput').properties as object).filter((f) => f !== 'externalId') as (keyof Contact &
  keyof ContactEntity)[];

export function toContact(entity: ContactEntity, companies?: LinkedCompanies): Contact {
  const contact = { crmId: entity.crmId, externalId: entity.externalId } as Record<string, unknown>;
  for (const field of FIELDS) contact[field] = entity[field];
  contact.customFields = entity.customFields ? (JSON.parse(entity.customFields) as Record<string, unknown>) : {};
  contact.createdAt = new Date(entity.createdAt).toISOString();
  contact.updatedAt = new Date(entity.updatedAt).toISOString();
  if (companies) contact.companies = companies;
  return contact as unknown as Contact;
}

export function toContactRef(entity: ContactEntity): ContactRef {
  return { crmId: entity.crmId, externalId: entity.externalId, email: entity.email, firstName: entity.firstName, lastName: entity.lastName };
}
