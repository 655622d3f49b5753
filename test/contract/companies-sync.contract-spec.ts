// POST /companies/sync and PUT /companies. Companies are stored here straight into the table (as
// POST /companies stores them, matching keys included), so that these operations are tested on
// their own; test/e2e/sync.e2e-spec.ts has the migration that fills the keys of stored rows.
import { storeCompany } from '../support/companies.js';
import { ADMIN_KEY } from '../support/keys.js';
import { runId } from '../support/factories.js';
import { spec } from '../support/spec.js';
import { useTestApp } from '../support/test-app.js';

type SyncResult = { externalId: string; crmId: string; matchedBy: string; properties: Record<string, unknown> };

describe('POST /companies/sync', () => {
  const t = useTestApp({ SYNC_PROPERTIES: 'tier' });
  const run = runId();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ids.acme = await storeCompany(t, { externalId: `acme-${run}`, name: 'Acme Corp', domain: 'acme.com', linkedinUrl: 'https://www.linkedin.com/company/acme-corp/', custom: { tier: 'gold' } });
    ids.globex = await storeCompany(t, { externalId: `globex-${run}`, name: 'Globex', linkedinUrl: 'https://www.linkedin.com/company/globex' });
    ids.initechOld = await storeCompany(t, { externalId: `initech-1-${run}`, name: 'Initech' });
    ids.initechNew = await storeCompany(t, { externalId: `initech-2-${run}`, name: 'INITECH' });
  });

  it('matches by externalId, normalized domain, normalized LinkedIn URL, then folded name, first hit wins', async () => {
    const res = await t.api.post<{ results: SyncResult[]; errors: unknown[] }>('/companies/sync', {
      companies: [
        { externalId: `acme-${run}`, name: 'Globex' },
        { externalId: `n1-${run}`, domain: 'https://www.ACME.com/about', name: 'Globex' },
        { externalId: `n2-${run}`, domain: 'unknown.example', linkedinUrl: 'http://ES.linkedin.com/company/Globex/about/?trk=x' },
        { externalId: `n3-${run}`, name: '  acme   CORP ' },
        { externalId: `n4-${run}`, name: 'Acme Corp.' },
        { externalId: `n5-${run}`, linkedinUrl: 'https://www.linkedin.com/in/acme-corp' },
        { externalId: `n6-${run}`, name: 'initech' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.results.map((r) => [r.externalId, r.crmId, r.matchedBy])).toEqual([
      [`acme-${run}`, ids.acme, 'externalId'],
      [`n1-${run}`, ids.acme, 'domain'],
      [`n2-${run}`, ids.globex, 'linkedinUrl'],
      [`n3-${run}`, ids.acme, 'name'],
      [`n6-${run}`, ids.initechOld, 'name'],
    ]);
    expect(res.body.results[0].properties).toEqual({ updatedAt: expect.any(String), tier: 'gold' });
  });

  it('reports unreadable items, answers 422 when none can be read, and 400 without companies', async () => {
    const res = await t.api.post('/companies/sync', { companies: [{ externalId: `acme-${run}` }, 'x', { name: 'no id' }] });
    expect(res.status).toBe(200);
    expect(res.body.errors.map((e: { index: number; code: string }) => [e.index, e.code])).toEqual([
      [1, 'NOT_AN_OBJECT'],
      [2, 'MISSING_EXTERNAL_ID'],
    ]);
    expect((await t.api.post('/companies/sync', { companies: [{}] })).status).toBe(422);
    expect((await t.api.post('/companies/sync', { contacts: [] })).status).toBe(400);
  });

  it("accepts the spec's own example as is", async () => {
    const res = await t.api.post('/companies/sync', spec.paths['/companies/sync'].post.requestBody.content['application/json'].example);
    expect(res.status).toBe(200);
  });
});

describe('PUT /companies', () => {
  const t = useTestApp();
  const run = runId();

  it('merges fields and engagement keys, keeps the matching keys in step, and says why failed items failed', async () => {
    const crmId = await storeCompany(t, { externalId: `co-${run}`, name: 'Old Name', domain: 'old.example', custom: { keep: 1 } });
    const owner = (await t.api.post('/users', { name: `Owner ${run}` }, { key: ADMIN_KEY })).body;
    const res = await t.api.put('/companies', {
      companies: [
        { crmId, name: 'New  Name', domain: 'https://www.NEW.example/about', industry: 'Software', numberOfEmployees: 250, ownerId: owner.id, campaignEngagementStatus: 'Engaged' },
        { crmId, externalId: 'another' },
        { crmId, foundedYear: 'soon' },
        { crmId: 'missing' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { crmId, success: true },
      { crmId, success: false },
      { crmId, success: false },
      { crmId: 'missing', success: false },
    ]);
    expect(res.body.errors.map((e: { index: number; code: string; field?: string }) => [e.index, e.code, e.field])).toEqual([
      [1, 'IMMUTABLE_FIELD', 'externalId'],
      [2, 'INVALID_FIELD', 'foundedYear'],
      [3, 'NOT_FOUND', 'crmId'],
    ]);
    const company = (await t.api.get(`/companies/${crmId}`)).body;
    expect(company).toMatchObject({ name: 'New  Name', domainNormalized: 'new.example', industry: 'Software', numberOfEmployees: 250, ownerId: owner.id });
    expect(company.customFields).toEqual({ keep: 1, campaignEngagementStatus: 'Engaged' });
    // A whole number sent again, as a number or as its digits, changes nothing.
    const again = await t.api.put('/companies', { companies: [{ crmId, numberOfEmployees: '250', industry: 'Software' }, { crmId, numberOfEmployees: 250 }] });
    expect(again.body.errors).toEqual([]);
    expect((await t.api.get(`/companies/${crmId}`)).body.updatedAt).toBe(company.updatedAt);
    const sync = await t.api.post('/companies/sync', { companies: [{ externalId: `s-${run}`, name: 'new name' }, { externalId: `d-${run}`, domain: 'new.example' }] });
    expect(sync.body.results.map((r: SyncResult) => [r.crmId, r.matchedBy])).toEqual([
      [crmId, 'name'],
      [crmId, 'domain'],
    ]);
  });
});
