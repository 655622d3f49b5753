// What the record pages show, read through the features' own services (never their tables): a
// contact or a company with every field, its custom fields, its owner's name and its links; the
// search pages; the home page's counts and latest exports.
import { Inject, Injectable } from '@nestjs/common';
import { isUuid } from '../common/ids.js';
import { ActivitiesService, type ActivityOwner } from '../activities/activities.service.js';
import { CompaniesService } from '../companies/companies.service.js';
import { ContactsService } from '../contacts/contacts.service.js';
import type { Activity, Company, Contact, Task } from '../contract/api-types.js';
import { DomainError } from '../errors/domain-error.js';
import { TasksService } from '../tasks/tasks.service.js';
import { UsersService } from '../users/users.service.js';
import { fieldText, safeHref } from './record-views.js';

export interface FieldRow {
  label: string;
  value: string;
  /** An http(s) link for the value, when it is one. */
  href?: string;
}

/** Labels where the field name alone reads badly; any other field is labelled from its camelCase name. */
const LABELS: Record<string, string> = {
  crmId: 'CRM id',
  externalId: 'External id (Enginy)',
  linkedinUrl: 'LinkedIn',
  ownerId: 'Owner id',
  leadCountry: 'Country',
  emailVerificationStatus: 'Email verification',
  domainNormalized: 'Domain (as matched)',
  numberOfEmployees: 'Employees',
  createdAt: 'Created',
  updatedAt: 'Updated',
};

/** Fields shown in sections of their own, not in the field list. */
const OWN_SECTIONS = new Set(['customFields', 'companies', 'contacts']);
const LINK_FIELDS = new Set(['linkedinUrl']);

export const PAGE_SIZE = 25;
/** The latest activities a record page shows, and the most tasks of each kind (open, completed). */
export const TIMELINE_SIZE = 50;
export const TASKS_SIZE = 50;

/** Open tasks by due date (soonest first, undated last); completed ones by completion, latest first. */
const byDueDate = (a: Task, b: Task): number => (a.dueDate ?? '\uffff').localeCompare(b.dueDate ?? '\uffff');
const byCompletedAt = (a: Task, b: Task): number => (b.completedAt ?? '').localeCompare(a.completedAt ?? '');

const humanize = (name: string): string => {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Every field a record holds, in the contract's order, empty ones left out. */
function fieldRows(record: Contact | Company): FieldRow[] {
  return Object.entries(record)
    .filter(([name, value]) => !OWN_SECTIONS.has(name) && value !== null && value !== undefined && value !== '')
    .map(([name, value]) => {
      const text = fieldText(value);
      return { label: LABELS[name] ?? humanize(name), value: text, href: LINK_FIELDS.has(name) ? safeHref(text) : undefined };
    });
}

/** Custom fields (the engagement values Enginy pushes among them), by name. */
function customRows(record: Contact | Company): FieldRow[] {
  return Object.entries(record.customFields ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, value]) => ({ label, value: fieldText(value) }));
}

export function contactName(contact: { firstName?: string | null; lastName?: string | null; email?: string | null; externalId: string }): string {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return name || contact.email || contact.externalId;
}

export const companyName = (company: { name?: string | null; domain?: string | null; externalId: string }): string =>
  company.name || company.domain || company.externalId;

@Injectable()
export class RecordsService {
  constructor(
    @Inject(ContactsService) private readonly contacts: ContactsService,
    @Inject(CompaniesService) private readonly companies: CompaniesService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(ActivitiesService) private readonly activities: ActivitiesService,
    @Inject(TasksService) private readonly tasks: TasksService,
  ) {}

  async contactPage(crmId: string) {
    if (!isUuid(crmId)) throw new DomainError('not_found', 'No contact has this id.');
    const contact = await this.contacts.getContact(crmId.toLowerCase());
    const linked = (contact.companies?.data ?? []).map((company) => ({ href: `/app/companies/${company.crmId}`, name: companyName(company), detail: company.domain ?? '' }));
    return { contact, ...(await this.recordView(contact, contactName(contact), linked, contact.companies?.hasMore, { contactId: contact.crmId })) };
  }

  async companyPage(crmId: string) {
    if (!isUuid(crmId)) throw new DomainError('not_found', 'No company has this id.');
    const company = await this.companies.getCompany(crmId.toLowerCase());
    const linked = (company.contacts?.data ?? []).map((contact) => ({ href: `/app/contacts/${contact.crmId}`, name: contactName(contact), detail: contact.email ?? '' }));
    return { company, ...(await this.recordView(company, companyName(company), linked, company.contacts?.hasMore, { companyId: company.crmId })) };
  }

  /** What a contact's and a company's page share: fields, custom fields, owner, links, activities, tasks. */
  private async recordView(
    record: Contact | Company,
    name: string,
    linked: { href: string; name: string; detail: string }[],
    moreLinked: boolean | undefined,
    lead: ActivityOwner,
  ) {
    const [owner, timeline, tasks] = await Promise.all([this.ownerOf(record.ownerId), this.timeline(lead), this.tasksOf(lead)]);
    return { name, fields: fieldRows(record), customFields: customRows(record), owner, linked, moreLinked: moreLinked ?? false, ...timeline, ...tasks };
  }

  /** The latest activities, newest occurredAt first: the query GET /contacts/{crmId}/activities answers with. */
  private async timeline(lead: ActivityOwner): Promise<{ activities: Activity[]; moreActivities: boolean }> {
    const page = await this.activities.list(lead, { limit: TIMELINE_SIZE });
    return { activities: page.data, moreActivities: page.nextCursor !== null };
  }

  /** Open tasks (by due date), then completed ones (latest first): GET /tasks's contactId/companyId filter. */
  private async tasksOf(lead: ActivityOwner) {
    const [open, done] = await Promise.all([
      this.tasks.list({ ...lead, completed: false, limit: TASKS_SIZE }),
      this.tasks.list({ ...lead, completed: true, limit: TASKS_SIZE }),
    ]);
    return {
      openTasks: [...open.data].sort(byDueDate),
      completedTasks: [...done.data].sort(byCompletedAt),
      moreTasks: open.nextCursor !== null || done.nextCursor !== null,
    };
  }

  /** The owner's name, or a note when the id names no user (deleted since, or never known). */
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
    return { rows: page.data.map(contactRow), nextCursor: page.nextCursor };
  }

  async searchCompanies(text: string | undefined, cursor: string | undefined) {
    const page = await this.companies.searchCompanies(text, { cursor, limit: PAGE_SIZE });
    return { rows: page.data.map(companyRow), nextCursor: page.nextCursor };
  }

  async home() {
    const [contactCount, companyCount, contacts, companies] = await Promise.all([
      this.contacts.countContacts(),
      this.companies.countCompanies(),
      this.contacts.searchContacts(undefined, { limit: 10 }),
      this.companies.searchCompanies(undefined, { limit: 10 }),
    ]);
    return { contactCount, companyCount, latestContacts: contacts.data.map(contactRow), latestCompanies: companies.data.map(companyRow) };
  }
}

/** A row of a list page: a link, two columns of detail, and when it was exported. */
export interface ListRow {
  href: string;
  name: string;
  first: string;
  second: string;
  createdAt: string;
}

const contactRow = (contact: Contact): ListRow => ({
  href: `/app/contacts/${contact.crmId}`,
  name: contactName(contact),
  first: contact.email ?? '',
  second: contact.company ?? '',
  createdAt: contact.createdAt,
});

const companyRow = (company: Company): ListRow => ({
  href: `/app/companies/${company.crmId}`,
  name: companyName(company),
  first: company.domain ?? '',
  second: company.industry ?? '',
  createdAt: company.createdAt,
});
