// What the record pages show, read through the features' own services (never their tables): a
// contact with its owner's name, a search page, the home page's counts and latest exports.
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isUuid } from '../common/ids.js';
import { CONTACT_TEXT_FIELDS } from '../contacts/contact-fields.js';
import { ContactsService } from '../contacts/contacts.service.js';
import type { Contact } from '../contract/api-types.js';
import { UsersService } from '../users/users.service.js';
import { fieldText, safeHref } from './record-views.js';

export interface FieldRow {
  label: string;
  value: string;
  /** An http(s) link for the value, when it is one. */
  href?: string;
}

const LABELS: Record<string, string> = {
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  phone: 'Phone',
  company: 'Company',
  title: 'Title',
  linkedinUrl: 'LinkedIn',
  ownerId: 'Owner id',
  location: 'Location',
  leadCountry: 'Country',
  industry: 'Industry',
  companySize: 'Company size',
  domain: 'Domain',
  description: 'Description',
  emailVerificationStatus: 'Email verification',
  campaigns: 'Campaigns',
  lastContactedBy: 'Last contacted by',
  conversationTags: 'Conversation tags',
  enrichments: 'Enrichments',
};

const LINK_FIELDS = new Set(['linkedinUrl']);

export const PAGE_SIZE = 25;

export function contactName(contact: Contact): string {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return name || contact.email || contact.externalId;
}

@Injectable()
export class RecordsService {
  constructor(
    @Inject(ContactsService) private readonly contacts: ContactsService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  async contactPage(crmId: string) {
    if (!isUuid(crmId)) throw new DomainError('not_found', 'No contact has this id.');
    const contact = await this.contacts.getContact(crmId);
    const fields: FieldRow[] = [
      { label: 'CRM id', value: contact.crmId },
      { label: 'External id (Enginy)', value: contact.externalId },
    ];
    for (const { field } of CONTACT_TEXT_FIELDS) {
      const value = contact[field];
      if (value === null || value === undefined || value === '') continue;
      fields.push({ label: LABELS[field] ?? field, value, href: LINK_FIELDS.has(field) ? safeHref(value) : undefined });
    }
    fields.push({ label: 'Created', value: contact.createdAt }, { label: 'Updated', value: contact.updatedAt });
    const customFields = Object.entries(contact.customFields ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, value]) => ({ label, value: fieldText(value) }));
    return { contact, name: contactName(contact), fields, customFields, owner: await this.ownerOf(contact.ownerId) };
  }

  /** The owner's name, or a note when the id names no user (deleted since, or users turned off). */
  private async ownerOf(ownerId: string | null | undefined): Promise<string | undefined> {
    if (!ownerId) return undefined;
    try {
      return (await this.users.get(ownerId)).name;
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'not_found' || error.code === 'bad_request')) return `Unknown user (${ownerId})`;
      throw error;
    }
  }

  async searchContacts(text: string | undefined, cursor: string | undefined) {
    const page = await this.contacts.searchContacts(text, { cursor, limit: PAGE_SIZE });
    return { rows: page.data.map((contact) => ({ contact, name: contactName(contact) })), nextCursor: page.nextCursor };
  }

  async home() {
    const [contactCount, latest] = await Promise.all([
      this.contacts.countContacts(),
      this.contacts.searchContacts(undefined, { limit: 10 }),
    ]);
    return { contactCount, latest: latest.data.map((contact) => ({ contact, name: contactName(contact) })) };
  }
}
