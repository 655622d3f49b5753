import type { Contact, ContactRef, LinkedCompanies } from '../contract/api-types.js';
import { CONTACT_TEXT_FIELDS } from './contact-fields.js';
import type { ContactEntity } from './contact.entity.js';

export function toContact(entity: ContactEntity, companies?: LinkedCompanies): Contact {
  const contact = { crmId: entity.crmId, externalId: entity.externalId } as Contact;
  for (const { field } of CONTACT_TEXT_FIELDS) contact[field] = entity[field];
  contact.customFields = entity.customFields ? (JSON.parse(entity.customFields) as Record<string, unknown>) : {};
  contact.createdAt = new Date(entity.createdAt).toISOString();
  contact.updatedAt = new Date(entity.updatedAt).toISOString();
  if (companies) contact.companies = companies;
  return contact;
}

export function toContactRef(entity: ContactEntity): ContactRef {
  return { crmId: entity.crmId, externalId: entity.externalId, email: entity.email, firstName: entity.firstName, lastName: entity.lastName };
}
