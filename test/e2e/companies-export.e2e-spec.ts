// Enginy's export of companies, contacts and their links, end to end, as Enginy sends it: companies
// first, then contacts, then associations by the crmIds it was answered. A re-sent export and
// concurrent copies of it change nothing, and the records read back linked both ways.
import { companies, leads, runId } from '../support/factories.js';
import type { ApiClient } from '../support/http.js';
import { type TestApp, useTestApp } from '../support/test-app.js';

const COMPANIES = 20;
const CONTACTS = 100;

interface Export {
  companies: Record<string, unknown>[];
  contacts: Record<string, unknown>[];
}

/** 20 companies and 100 contacts; contact i works for company i % 20, so 5 contacts a company. */
function enginyExport(run: string): Export {
  return { companies: companies(run, COMPANIES), contacts: leads(run, CONTACTS) };
}

interface Sent {
  companyIds: string[];
  contactIds: string[];
  associations: { contactCRMId: string; companyCRMId: string }[];
  answers: { companies: any; contacts: any; associations: any };
}

/** One export as Enginy runs it: three requests, each built from the answers of the ones before. */
async function send(api: ApiClient, data: Export): Promise<Sent> {
  const companiesAnswer = await api.post('/companies', { companies: data.companies });
  expect(companiesAnswer.status).toBe(201);
  const contactsAnswer = await api.post('/contacts', { contacts: data.contacts });
  expect(contactsAnswer.status).toBe(201);
  const companyIds: string[] = companiesAnswer.body.results.map((r: { crmId: string }) => r.crmId);
  const contactIds: string[] = contactsAnswer.body.results.map((r: { crmId: string }) => r.crmId);
  const associations = contactIds.map((contactCRMId, i) => ({ contactCRMId, companyCRMId: companyIds[i % COMPANIES] }));
  const associationsAnswer = await api.post('/associations', { associations });
  expect(associationsAnswer.status).toBe(200);
  return {
    companyIds,
    contactIds,
    associations,
    answers: { companies: companiesAnswer.body, contacts: contactsAnswer.body, associations: associationsAnswer.body },
  };
}

/** Rows of this run in each table, counted in the database itself. */
async function rows(t: TestApp, run: string): Promise<{ companies: number; contacts: number; links: number }> {
  const count = async (sql: string, parameter: string) => Number((await t.dataSource.query(sql, [parameter]))[0].n);
  return {
    companies: await count('SELECT COUNT(*) AS n FROM companies WHERE external_id LIKE ?', `company-${run}-%`),
    contacts: await count('SELECT COUNT(*) AS n FROM contacts WHERE external_id LIKE ?', `lead-${run}-%`),
    links: await count(
      'SELECT COUNT(*) AS n FROM contact_companies l JOIN contacts c ON c.crm_id = l.contact_crm_id WHERE c.external_id LIKE ?',
      `lead-${run}-%`,
    ),
  };
}

describe('Export: 20 companies, 100 contacts, 100 associations', () => {
  const t = useTestApp();
  const run = runId();
  const data = enginyExport(run);
  let first: Sent;

  it('stores every company, contact and link once', async () => {
    first = await send(t.api, data);
    expect(first.answers.companies.errors).toEqual([]);
    expect(first.answers.companies.results.every((r: { status: string }) => r.status === 'created')).toBe(true);
    expect(first.answers.contacts.errors).toEqual([]);
    expect(first.answers.associations).toEqual({ success: true, created: CONTACTS, existing: 0, errors: [] });
    expect(await rows(t, run)).toEqual({ companies: COMPANIES, contacts: CONTACTS, links: CONTACTS });
  });

  it('keeps every company field, the numbers as integers, lists joined, the domain also normalized', async () => {
    for (const [i, sent] of data.companies.entries()) {
      const company = (await t.api.get(`/companies/${first.companyIds[i]}`)).body;
      expect(company).toMatchObject({
        externalId: sent.externalId,
        name: sent.name,
        domain: sent.domain,
        domainNormalized: `acme-${run}-${i}.example`,
        numberOfEmployees: Number(sent.numberOfEmployees),
        foundedYear: Number(sent.foundedYear),
        revenue: String(sent.revenue),
        technologiesUsed: 'Salesforce, HubSpot',
        leadCountries: 'Spain, Portugal',
        customFields: { accountTier: sent.accountTier, isCustomer: sent.isCustomer, hq: sent.hq, nullable: null },
      });
    }
  });

  it('reads back linked both ways', async () => {
    const company = await t.api.get(`/companies/${first.companyIds[3]}/contacts`);
    const expected = [3, 23, 43, 63, 83].map((i) => first.contactIds[i]).sort().reverse();
    expect(company.body.data.map((c: { crmId: string }) => c.crmId)).toEqual(expected);
    expect((await t.api.get(`/companies/${first.companyIds[3]}`)).body.contacts.data.map((c: { crmId: string }) => c.crmId)).toEqual(expected);
    const contact = await t.api.get(`/contacts/${first.contactIds[43]}`);
    expect(contact.body.companies).toEqual({
      data: [{ crmId: first.companyIds[3], externalId: `company-${run}-3`, name: 'Acme 3 S.L.', domain: data.companies[3].domain }],
      hasMore: false,
    });
    expect((await t.api.get(`/contacts/${first.contactIds[43]}/companies`)).body.data.map((c: { crmId: string }) => c.crmId)).toEqual([
      first.companyIds[3],
    ]);
  });

  it('changes nothing when the whole export is re-sent after a timeout', async () => {
    const again = await send(t.api, data);
    expect(again.companyIds).toEqual(first.companyIds);
    expect(again.contactIds).toEqual(first.contactIds);
    expect(again.answers.companies.results.every((r: { status: string }) => r.status === 'existing')).toBe(true);
    expect(again.answers.contacts.results.every((r: { status: string }) => r.status === 'existing')).toBe(true);
    expect(again.answers.associations).toEqual({ success: true, created: 0, existing: CONTACTS, errors: [] });
    expect(await rows(t, run)).toEqual({ companies: COMPANIES, contacts: CONTACTS, links: CONTACTS });
  });

  it('links the known pairs and reports each pair that names an unknown contact or company', async () => {
    const extra = await t.api.post('/contacts', { contacts: leads(run, 3, CONTACTS) });
    const [a, b, c] = extra.body.results.map((r: { crmId: string }) => r.crmId);
    const unknown = '0197a3f2-6c1e-7b3a-9d2e-000000000000';
    const res = await t.api.post('/associations', {
      associations: [
        { contactCRMId: a, companyCRMId: first.companyIds[0] },
        { contactCRMId: unknown, companyCRMId: first.companyIds[0] },
        { contactCRMId: b, companyCRMId: unknown },
        { contactCRMId: c, companyCRMId: first.companyIds[1] },
        { contactCRMId: first.contactIds[0], companyCRMId: first.companyIds[0] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, created: 2, existing: 1 });
    expect(res.body.errors.map((e: { index: number; error: string }) => [e.index, e.error])).toEqual([
      [1, 'Contact not found'],
      [2, 'Company not found'],
    ]);
    expect((await rows(t, run)).links).toBe(CONTACTS + 2);
  });
});

describe('Export: 8 concurrent copies of the same export', () => {
  const t = useTestApp();
  const run = runId();

  it('leaves one company, one contact and one link each, and every copy gets the same crmIds', async () => {
    const data = enginyExport(run);
    const copies = await Promise.all(Array.from({ length: 8 }, () => send(t.api, data)));
    expect(await rows(t, run)).toEqual({ companies: COMPANIES, contacts: CONTACTS, links: CONTACTS });
    for (const copy of copies) {
      expect(copy.companyIds).toEqual(copies[0].companyIds);
      expect(copy.contactIds).toEqual(copies[0].contactIds);
      expect(copy.answers.associations.errors).toEqual([]);
      expect(copy.answers.associations.created + copy.answers.associations.existing).toBe(CONTACTS);
    }
    const created = (kind: 'companies' | 'contacts') =>
      copies.reduce((sum, copy) => sum + copy.answers[kind].results.filter((r: { status: string }) => r.status === 'created').length, 0);
    expect(created('companies')).toBe(COMPANIES);
    expect(created('contacts')).toBe(CONTACTS);
    expect(copies.reduce((sum, copy) => sum + copy.answers.associations.created, 0)).toBe(CONTACTS);
  });
});
