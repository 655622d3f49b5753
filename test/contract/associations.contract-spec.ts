import { randomUUID } from 'node:crypto';
import { lead, runId } from '../support/factories.js';
import { seedCompanies } from '../support/seed.js';
import { useTestApp } from '../support/test-app.js';
import { spec } from '../support/spec.js';

const UNKNOWN = '0197a3f2-6c1e-7b3a-9d2e-000000000000';

/** crmIds are time-ordered: lists of records are newest first, which is by crmId, descending. */
const newestFirst = (crmIds: string[]): string[] => [...crmIds].sort().reverse();

describe('POST /associations', () => {
  const t = useTestApp({ MAX_BATCH_SIZE: '5' });
  const run = runId();
  let contacts: string[] = [];
  let companies: string[] = [];

  beforeAll(async () => {
    const res = await t.api.post('/contacts', { contacts: [lead(run, 1), lead(run, 2), lead(run, 3)] });
    contacts = res.body.results.map((r: { crmId: string }) => r.crmId);
    companies = await seedCompanies(t, [
      { externalId: `co-${run}-1`, name: 'Acme', domain: 'acme.example' },
      { externalId: `co-${run}-2`, name: 'Globex', domain: 'globex.example' },
    ]);
  });

  const linkCount = async () => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM contact_companies'))[0].n);

  it('answers 200 with the count of pairs it linked', async () => {
    const res = await t.api.post('/associations', {
      associations: [
        { contactCRMId: contacts[0], companyCRMId: companies[0] },
        { contactCRMId: contacts[1], companyCRMId: companies[0] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, created: 2, existing: 0, errors: [] });
  });

  it('counts a pair already linked in existing, and links a contact to a second company', async () => {
    const res = await t.api.post('/associations', {
      associations: [
        { contactCRMId: contacts[0], companyCRMId: companies[0] },
        { contactCRMId: contacts[0], companyCRMId: companies[1] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, created: 1, existing: 1, errors: [] });
  });

  it('links the same pair twice in one batch once', async () => {
    const before = await linkCount();
    const pair = { contactCRMId: contacts[2], companyCRMId: companies[1] };
    const res = await t.api.post('/associations', { associations: [pair, { ...pair }, { contactCRMId: contacts[2].toUpperCase(), companyCRMId: companies[1] }] });
    expect(res.body).toEqual({ success: true, created: 1, existing: 0, errors: [] });
    expect(await linkCount()).toBe(before + 1);
  });

  it('reports each pair it cannot link, in Enginy\'s shape, and links the rest', async () => {
    const res = await t.api.post('/associations', {
      associations: [
        { contactCRMId: UNKNOWN, companyCRMId: companies[0] },
        { contactCRMId: contacts[1], companyCRMId: UNKNOWN },
        { contactCRMId: contacts[1], companyCRMId: companies[1], note: 'unknown keys are ignored' },
        { companyCRMId: companies[0] },
        { contactCRMId: 'crm-42', companyCRMId: companies[0] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      created: 1,
      existing: 0,
      errors: [
        { index: 0, contactCRMId: UNKNOWN, companyCRMId: companies[0], code: 'CONTACT_NOT_FOUND', error: 'Contact not found', message: expect.any(String) },
        { index: 1, contactCRMId: contacts[1], companyCRMId: UNKNOWN, code: 'COMPANY_NOT_FOUND', error: 'Company not found', message: expect.any(String) },
        { index: 3, companyCRMId: companies[0], code: 'MISSING_FIELD', error: 'Missing contactCRMId', field: 'contactCRMId', message: expect.any(String) },
        { index: 4, contactCRMId: 'crm-42', companyCRMId: companies[0], code: 'INVALID_FIELD', error: 'Invalid contactCRMId', field: 'contactCRMId', message: expect.any(String) },
      ],
    });
  });

  it('answers 422 with the same body when no pair can be linked, and links nothing', async () => {
    const before = await linkCount();
    const res = await t.api.post('/associations', {
      associations: [{ contactCRMId: UNKNOWN, companyCRMId: UNKNOWN }, 'not a pair', { contactCRMId: contacts[0], companyCRMId: 7 }],
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      success: false,
      created: 0,
      existing: 0,
      errors: [
        { index: 0, contactCRMId: UNKNOWN, companyCRMId: UNKNOWN, code: 'CONTACT_NOT_FOUND', error: 'Contact not found', message: expect.any(String) },
        { index: 1, code: 'INVALID_FIELD', error: 'Invalid association', message: expect.any(String) },
        { index: 2, contactCRMId: contacts[0], code: 'INVALID_FIELD', error: 'Invalid companyCRMId', field: 'companyCRMId', message: expect.any(String) },
      ],
    });
    expect(await linkCount()).toBe(before);
  });

  it("accepts the spec's own example as is (its crmIds name nothing here: 422)", async () => {
    const example = spec.paths['/associations'].post.requestBody.content['application/json'].example;
    const res = await t.api.post('/associations', example);
    expect(res.status).toBe(422);
    expect(res.body.errors).toHaveLength(example.associations.length);
  });

  it.each([
    ['a body that is an array', [{ contactCRMId: UNKNOWN, companyCRMId: UNKNOWN }]],
    ['a body without associations', { links: [] }],
    ['associations that is not an array', { associations: { contactCRMId: UNKNOWN } }],
    ['an empty batch', { associations: [] }],
  ])('answers 400 to %s', async (_, body) => {
    const res = await t.api.post('/associations', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
  });

  it('answers 413 to a batch over MAX_BATCH_SIZE, and links nothing of it', async () => {
    const before = await linkCount();
    const associations = Array.from({ length: 6 }, () => ({ contactCRMId: contacts[2], companyCRMId: companies[0] }));
    const res = await t.api.post('/associations', { associations });
    expect(res.status).toBe(413);
    expect(res.body.message).toContain('at most 5');
    expect(await linkCount()).toBe(before);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const res = await t.api.request('POST', '/associations', { raw: 'associations=1', contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
  });

  it('answers 401 without a key, and links nothing', async () => {
    const before = await linkCount();
    const res = await t.api.post('/associations', { associations: [{ contactCRMId: contacts[2], companyCRMId: companies[0] }] }, { key: null });
    expect(res.status).toBe(401);
    expect(await linkCount()).toBe(before);
  });
});

describe('linked records, read both ways', () => {
  const t = useTestApp();
  const run = runId();
  let contacts: string[] = [];
  let companies: string[] = [];

  beforeAll(async () => {
    const res = await t.api.post('/contacts', { contacts: Array.from({ length: 12 }, (_, i) => lead(run, i)) });
    contacts = res.body.results.map((r: { crmId: string }) => r.crmId);
    companies = await seedCompanies(t, [
      { externalId: `co-${run}-a`, name: 'Acme', domain: 'https://www.acme.example' },
      { externalId: `co-${run}-b`, name: 'Globex' },
      { externalId: `co-${run}-c`, name: 'Lonely' },
    ]);
    // Every contact works for Acme; the first two also for Globex.
    const associations = [
      ...contacts.map((contactCRMId) => ({ contactCRMId, companyCRMId: companies[0] })),
      { contactCRMId: contacts[0], companyCRMId: companies[1] },
      { contactCRMId: contacts[1], companyCRMId: companies[1] },
    ];
    expect((await t.api.post('/associations', { associations })).body.created).toBe(14);
  });

  it('GET /contacts/{crmId} names the companies of the contact', async () => {
    const res = await t.api.get(`/contacts/${contacts[0]}`);
    expect(res.status).toBe(200);
    expect(res.body.companies).toEqual({
      data: [
        { crmId: companies[1], externalId: `co-${run}-b`, name: 'Globex', domain: null },
        { crmId: companies[0], externalId: `co-${run}-a`, name: 'Acme', domain: 'https://www.acme.example' },
      ],
      hasMore: false,
    });
    expect((await t.api.get(`/contacts/${contacts[5]}`)).body.companies.data.map((c: { crmId: string }) => c.crmId)).toEqual([companies[0]]);
  });

  it('GET /companies/{crmId} names its first 10 contacts, newest first, and says there are more', async () => {
    const res = await t.api.get(`/companies/${companies[0]}`);
    expect(res.status).toBe(200);
    expect(res.body.contacts.data.map((c: { crmId: string }) => c.crmId)).toEqual(newestFirst(contacts).slice(0, 10));
    const first = contacts.indexOf(res.body.contacts.data[0].crmId);
    expect(res.body.contacts.data[0]).toEqual({
      crmId: contacts[first],
      externalId: `lead-${run}-${first}`,
      email: `Lead.${run}.${first}@Example-${first % 7}.com`,
      firstName: expect.any(String),
      lastName: expect.any(String),
    });
    expect(res.body.contacts.hasMore).toBe(true);
    expect((await t.api.get(`/companies/${companies[2]}`)).body.contacts).toEqual({ data: [], hasMore: false });
  });

  it('GET /companies/{crmId}/contacts pages through every contact of the company', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=5&cursor=${encodeURIComponent(cursor)}` : '?limit=5';
      const res = await t.api.get(`/companies/${companies[0]}/contacts${query}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((c: { crmId: string }) => c.crmId));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(newestFirst(contacts));
    const globex = await t.api.get(`/companies/${companies[1]}/contacts`);
    expect(globex.body).toEqual({
      data: newestFirst(contacts.slice(0, 2)).map((crmId) => expect.objectContaining({ crmId })),
      nextCursor: null,
    });
  });

  it('GET /contacts/{crmId}/companies lists every company of the contact', async () => {
    const res = await t.api.get(`/contacts/${contacts[1]}/companies?limit=1`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((c: { crmId: string }) => c.crmId)).toEqual([companies[1]]);
    const next = await t.api.get(`/contacts/${contacts[1]}/companies?limit=1&cursor=${encodeURIComponent(res.body.nextCursor)}`);
    expect(next.body).toEqual({ data: [expect.objectContaining({ crmId: companies[0], name: 'Acme' })], nextCursor: null });
  });

  it.each([
    ['/companies/{id}/contacts', (id: string) => `/companies/${id}/contacts`],
    ['/contacts/{id}/companies', (id: string) => `/contacts/${id}/companies`],
  ])('%s answers 404 for an unknown crmId, 400 for a bad one or a bad query, 401 without a key', async (_, path) => {
    expect((await t.api.get(path(randomUUID()))).status).toBe(404);
    expect((await t.api.get(path('12'))).status).toBe(400);
    expect((await t.api.get(`${path(randomUUID())}?limit=0`)).status).toBe(400);
    expect((await t.api.get(`${path(randomUUID())}?cursor=nope`)).status).toBe(400);
    expect((await t.api.get(`${path(randomUUID())}?unknown=1`)).status).toBe(400);
    expect((await t.api.get(path(randomUUID()), { key: null })).status).toBe(401);
  });
});
