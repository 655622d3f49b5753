import { randomUUID } from 'node:crypto';
import { company, runId } from '../support/factories.js';
import { ADMIN_KEY } from '../support/keys.js';
import { seedCompanies } from '../support/seed.js';
import { spec } from '../support/spec.js';
import { useTestApp } from '../support/test-app.js';

describe('POST /companies', () => {
  const t = useTestApp({ MAX_BATCH_SIZE: '5' });
  const run = runId();
  const rows = async () => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM companies'))[0].n);

  it('answers 201 with a crmId per company, in request order', async () => {
    const res = await t.api.post('/companies', { companies: [company(run, 1), company(run, 2)] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      results: [
        { externalId: `company-${run}-1`, crmId: expect.any(String), status: 'created' },
        { externalId: `company-${run}-2`, crmId: expect.any(String), status: 'created' },
      ],
      errors: [],
    });
  });

  it("accepts the spec's own example as is, and answers what the spec's answer example says", async () => {
    const example = spec.paths['/companies'].post.requestBody.content['application/json'].example;
    const answer = spec.paths['/companies'].post.responses['201'].content['application/json'].example;
    const res = await t.api.post('/companies', example);
    expect(res.status).toBe(201);
    expect(res.body.results.map((r: { externalId: string }) => r.externalId)).toEqual(answer.results.map((r: { externalId: string }) => r.externalId));
    expect(res.body.errors).toEqual(answer.errors);
  });

  it('returns the same crmId, status existing, when a company is re-sent, and stores nothing new', async () => {
    const before = await rows();
    const first = await t.api.get(`/companies?externalId=company-${run}-1`);
    const res = await t.api.post('/companies', { companies: [{ ...company(run, 1), name: 'Changed' }] });
    expect(res.status).toBe(201);
    expect(res.body.results).toEqual([{ externalId: `company-${run}-1`, crmId: first.body.data[0].crmId, status: 'existing' }]);
    expect((await t.api.get(`/companies/${first.body.data[0].crmId}`)).body.name).toBe('Acme 1 S.L.');
    expect(await rows()).toBe(before);
  });

  it('answers 201 with per-item errors for a partly bad batch, every item accounted for once', async () => {
    const res = await t.api.post('/companies', {
      companies: [
        company(run, 10),
        { externalId: `emp-${run}`, numberOfEmployees: '51-200' },
        'not an object',
        { name: 'no id' },
        { externalId: `year-${run}`, foundedYear: 12.5 },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.results).toEqual([{ externalId: `company-${run}-10`, crmId: expect.any(String), status: 'created' }]);
    expect(res.body.errors).toEqual([
      { index: 1, externalId: `emp-${run}`, code: 'INVALID_FIELD', field: 'numberOfEmployees', message: expect.any(String) },
      { index: 2, code: 'NOT_AN_OBJECT', message: expect.any(String) },
      { index: 3, code: 'MISSING_EXTERNAL_ID', field: 'externalId', message: expect.any(String) },
      { index: 4, externalId: `year-${run}`, code: 'INVALID_FIELD', field: 'foundedYear', message: expect.any(String) },
    ]);
  });

  it('answers 422 with the same body when no item can be stored, and stores nothing', async () => {
    const before = await rows();
    const res = await t.api.post('/companies', { companies: [{ externalId: '' }, { externalId: `o-${run}`, ownerId: 'nobody' }] });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      results: [],
      errors: [
        { index: 0, code: 'MISSING_EXTERNAL_ID', field: 'externalId', message: expect.any(String) },
        { index: 1, externalId: `o-${run}`, code: 'UNKNOWN_OWNER', field: 'ownerId', message: expect.any(String) },
      ],
    });
    expect(await rows()).toBe(before);
  });

  it('takes an ownerId that names an active user', async () => {
    const owner = await t.api.post('/users', { name: 'Company Owner' }, { key: ADMIN_KEY });
    const res = await t.api.post('/companies', { companies: [{ externalId: `owned-${run}`, ownerId: owner.body.id }] });
    expect(res.status).toBe(201);
    expect((await t.api.get(`/companies?ownerId=${owner.body.id}`)).body.data.map((c: { externalId: string }) => c.externalId)).toEqual([`owned-${run}`]);
  });

  it.each([
    ['a body that is an array', [{ externalId: 'a' }]],
    ['a body without companies', { accounts: [] }],
    ['companies that is not an array', { companies: { externalId: 'a' } }],
    ['an empty batch', { companies: [] }],
  ])('answers 400 to %s', async (_, body) => {
    const res = await t.api.post('/companies', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
  });

  it('answers 413 to a batch over MAX_BATCH_SIZE, and stores nothing of it', async () => {
    const before = await rows();
    const res = await t.api.post('/companies', { companies: Array.from({ length: 6 }, (_, i) => company(run, 100 + i)) });
    expect(res.status).toBe(413);
    expect(res.body.message).toContain('at most 5');
    expect(await rows()).toBe(before);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const res = await t.api.request('POST', '/companies', { raw: '<companies/>', contentType: 'application/xml' });
    expect(res.status).toBe(415);
  });

  it('answers 401 without a key, and stores nothing', async () => {
    const before = await rows();
    const res = await t.api.post('/companies', { companies: [company(run, 200)] }, { key: null });
    expect(res.status).toBe(401);
    expect(await rows()).toBe(before);
  });
});

describe('POST /companies field rules', () => {
  const t = useTestApp();
  const run = runId();

  const stored = async (item: Record<string, unknown>) => {
    const res = await t.api.post('/companies', { companies: [item] });
    expect(res.status).toBe(201);
    return (await t.api.get(`/companies/${res.body.results[0].crmId}`)).body;
  };

  it('stores numberOfEmployees and foundedYear as integers, from a number or a string of digits', async () => {
    expect(await stored({ externalId: `n1-${run}`, numberOfEmployees: 120, foundedYear: 2011 })).toMatchObject({ numberOfEmployees: 120, foundedYear: 2011 });
    expect(await stored({ externalId: `n2-${run}`, numberOfEmployees: '0042', foundedYear: '1998' })).toMatchObject({ numberOfEmployees: 42, foundedYear: 1998 });
    expect(await stored({ externalId: `n3-${run}`, numberOfEmployees: 999999999, foundedYear: 0 })).toMatchObject({ numberOfEmployees: 999999999, foundedYear: 0 });
    expect(await stored({ externalId: `n4-${run}`, numberOfEmployees: null, foundedYear: '' })).toMatchObject({ numberOfEmployees: null, foundedYear: null });
  });

  it.each([['51-200'], ['1,200'], ['12.5'], [12.5], [-3], ['-3'], [' 12'], ['1e3'], [1e21], [1000000000], ['9'.repeat(40)], [true], [{}], [[1]]])(
    'answers INVALID_FIELD for numberOfEmployees %j, saying what to send',
    async (value) => {
      const res = await t.api.post('/companies', { companies: [{ externalId: `bad-${run}`, numberOfEmployees: value }] });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        {
          index: 0,
          externalId: `bad-${run}`,
          code: 'INVALID_FIELD',
          field: 'numberOfEmployees',
          message: 'numberOfEmployees must be a whole number from 0 to 999999999, or the same as a string of digits.',
        },
      ]);
    },
  );

  it.each([[10000], ['12345'], ['MMXI'], [1999.5]])('answers INVALID_FIELD for foundedYear %j', async (value) => {
    const res = await t.api.post('/companies', { companies: [{ externalId: `year-${run}`, foundedYear: value }] });
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'INVALID_FIELD', field: 'foundedYear' })]);
  });

  it('joins list fields sent as arrays with ", ", and keeps text as sent', async () => {
    const company = await stored({
      externalId: `lists-${run}`,
      technologiesUsed: ['Salesforce', 'HubSpot'],
      campaigns: 'Q4 Outbound, Webinar',
      leadCountries: ['Spain'],
      revenue: 25000000,
    });
    expect(company).toMatchObject({ technologiesUsed: 'Salesforce, HubSpot', campaigns: 'Q4 Outbound, Webinar', leadCountries: 'Spain', revenue: '25000000' });
  });

  it('stores the domain as sent and its bare host, or no host when it has none (not an error)', async () => {
    expect(await stored({ externalId: `d1-${run}`, domain: 'https://www.Acme.example/about?x=1' })).toMatchObject({
      domain: 'https://www.Acme.example/about?x=1',
      domainNormalized: 'acme.example',
    });
    expect(await stored({ externalId: `d2-${run}`, domain: 'sales@Müller.example' })).toMatchObject({ domainNormalized: 'xn--mller-kva.example' });
    expect(await stored({ externalId: `d3-${run}`, domain: 'N/A' })).toMatchObject({ domain: 'N/A', domainNormalized: null });
  });

  it('keeps undocumented keys as custom fields', async () => {
    const company = await stored({ externalId: `custom-${run}`, accountTier: 'gold', hq: { city: 'Barcelona' }, tags: ['a'] });
    expect(company.customFields).toEqual({ accountTier: 'gold', hq: { city: 'Barcelona' }, tags: ['a'] });
  });

  it('rejects a value over its bound instead of cutting it', async () => {
    const res = await t.api.post('/companies', { companies: [{ externalId: `long-${run}`, name: 'x'.repeat(256) }] });
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'VALUE_TOO_LONG', field: 'name' })]);
  });
});

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
