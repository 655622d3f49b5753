import { randomUUID } from 'node:crypto';
import { runId } from '../support/factories.js';
import { seedCompanies } from '../support/seed.js';
import { useTestApp } from '../support/test-app.js';

describe('GET /companies/{crmId}', () => {
  const t = useTestApp();

  it('answers the stored company, absent fields null, with its linked contacts', async () => {
    const [crmId] = await seedCompanies(t, [{ externalId: `co-${runId()}`, name: 'Acme', domain: 'https://www.Acme.example/about' }]);
    const res = await t.api.get(`/companies/${crmId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      crmId,
      name: 'Acme',
      domain: 'https://www.Acme.example/about',
      domainNormalized: 'acme.example',
      numberOfEmployees: null,
      customFields: {},
      contacts: { data: [], hasMore: false },
    });
  });

  it('answers 404 for an unknown crmId', async () => {
    const res = await t.api.get(`/companies/${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });

  it('answers 400 for a crmId that is not a UUID', async () => {
    expect((await t.api.get('/companies/12')).status).toBe(400);
  });

  it('answers 401 without a key', async () => {
    expect((await t.api.get(`/companies/${randomUUID()}`, { key: null })).status).toBe(401);
  });
});

describe('GET /companies', () => {
  const t = useTestApp();
  const run = runId();
  let crmIds: string[] = [];
  beforeAll(async () => {
    crmIds = await seedCompanies(
      t,
      Array.from({ length: 9 }, (_, i) => ({
        externalId: `co-${run}-${i}`,
        name: `Company ${i}`,
        domain: [`https://www.Acme-${run}.example/about`, `globex-${run}.example`, 'N/A'][i % 3],
      })),
    );
  });

  it('pages through every company, newest first, with nextCursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=4&cursor=${encodeURIComponent(cursor)}` : '?limit=4';
      const res = await t.api.get(`/companies${query}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(4);
      seen.push(...res.body.data.map((c: { crmId: string }) => c.crmId));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...crmIds].reverse());
  });

  it('filters by externalId, exactly', async () => {
    const res = await t.api.get(`/companies?externalId=co-${run}-3`);
    expect(res.body.data.map((c: { crmId: string }) => c.crmId)).toEqual([crmIds[3]]);
    expect((await t.api.get(`/companies?externalId=CO-${run}-3`)).body.data).toEqual([]);
  });

  it.each([[`acme-${'RUN'}.example`], [`https://acme-RUN.example`], [`sales@ACME-RUN.example`], [`www.acme-RUN.example./x?y=1`]])(
    'filters by domain compared normalized: %s',
    async (spelling) => {
      const res = await t.api.get(`/companies?domain=${encodeURIComponent(spelling.replace('RUN', run))}`);
      expect(res.status).toBe(200);
      expect(res.body.data.map((c: { crmId: string }) => c.crmId)).toEqual([crmIds[6], crmIds[3], crmIds[0]]);
    },
  );

  it('finds nothing for a domain with no usable host, though such domains are stored as sent', async () => {
    expect((await t.api.get('/companies?domain=N%2FA')).body).toEqual({ data: [], nextCursor: null });
    const stored = await t.api.get(`/companies/${crmIds[2]}`);
    expect(stored.body).toMatchObject({ domain: 'N/A', domainNormalized: null });
  });

  it('filters by ownerId', async () => {
    expect((await t.api.get('/companies?ownerId=nobody')).body.data).toEqual([]);
  });

  it.each([['limit=0'], ['limit=201'], ['limit=abc'], ['cursor=not-a-cursor'], ['unknown=1'], [`domain=${'x'.repeat(256)}`]])(
    'answers 400 to %s',
    async (query) => {
      const res = await t.api.get(`/companies?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('bad_request');
    },
  );

  it('answers 401 without a key', async () => {
    expect((await t.api.get('/companies', { key: null })).status).toBe(401);
  });
});
