import { ADMIN_KEY } from '../support/keys.js';
import { spec } from '../support/spec.js';
import { runId } from '../support/factories.js';
import { useTestApp } from '../support/test-app.js';

type SyncResult = { externalId: string; crmId: string; matchedBy: string; properties: Record<string, unknown> };

describe('POST /contacts/sync', () => {
  const t = useTestApp({ MAX_BATCH_SIZE: '50', SYNC_PROPERTIES: 'leadScore,stage,huge' });
  const run = runId();
  const stored: Record<string, string> = {};

  beforeAll(async () => {
    const res = await t.api.post('/contacts', {
      contacts: [
        { externalId: `a-${run}`, email: `Ana.${run}@Example.com`, linkedinUrl: `https://www.linkedin.com/in/ana-${run}/`, leadScore: 87, stage: 'MQL', other: 'not asked for' },
        { externalId: `b-${run}`, email: `bo.${run}@example.com`, huge: 'x'.repeat(3000) },
        { externalId: `c-${run}`, linkedinUrl: `linkedin.com/in/Cy-${run}` },
      ],
    });
    for (const r of res.body.results) stored[r.externalId] = r.crmId;
  });

  it('finds stored contacts by externalId, lower-cased email, then normalized LinkedIn URL, and names the rule', async () => {
    const res = await t.api.post<{ results: SyncResult[]; errors: unknown[] }>('/contacts/sync', {
      contacts: [
        { externalId: `a-${run}`, email: 'someone.else@example.com' },
        { externalId: `new-1-${run}`, email: `ANA.${run}@EXAMPLE.COM`, linkedinUrl: `https://www.linkedin.com/in/c-${run}` },
        { externalId: `new-2-${run}`, email: `nobody-${run}@example.com`, linkedinUrl: `HTTP://ES.LINKEDIN.COM/in/cy-${run}/?trk=x#top` },
        { externalId: `new-3-${run}`, email: `nobody-${run}@example.com` },
        { externalId: `new-4-${run}`, linkedinUrl: `https://www.linkedin.com/company/cy-${run}` },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.results.map(({ externalId, crmId, matchedBy }) => ({ externalId, crmId, matchedBy }))).toEqual([
      { externalId: `a-${run}`, crmId: stored[`a-${run}`], matchedBy: 'externalId' },
      { externalId: `new-1-${run}`, crmId: stored[`a-${run}`], matchedBy: 'email' },
      { externalId: `new-2-${run}`, crmId: stored[`c-${run}`], matchedBy: 'linkedinUrl' },
    ]);
  });

  it('answers ownerId when set, updatedAt, and the SYNC_PROPERTIES custom fields a contact has (a value over 2 KB left out)', async () => {
    const owner = (await t.api.post('/users', { name: `Owner ${run}` }, { key: ADMIN_KEY })).body;
    await t.api.post('/contacts', { contacts: [{ externalId: `o-${run}`, ownerId: owner.id, stage: 'SQL' }] });
    const res = await t.api.post<{ results: SyncResult[] }>('/contacts/sync', {
      contacts: [{ externalId: `a-${run}` }, { externalId: `b-${run}` }, { externalId: `o-${run}` }],
    });
    const [a, b, o] = res.body.results.map((r) => r.properties);
    expect(a).toEqual({ updatedAt: expect.stringMatching(/Z$/), leadScore: 87, stage: 'MQL' });
    expect(b).toEqual({ updatedAt: expect.any(String) });
    expect(o).toEqual({ ownerId: owner.id, updatedAt: expect.any(String), stage: 'SQL' });
    const read = await t.api.get(`/contacts/${stored[`a-${run}`]}`);
    expect(a.updatedAt).toBe(read.body.updatedAt);
  });

  it('answers the oldest contact when several share an email, and the same contact to every item that matches it', async () => {
    const email = `shared.${run}@example.com`;
    const first = await t.api.post('/contacts', { contacts: [{ externalId: `old-${run}`, email }] });
    await t.api.post('/contacts', { contacts: [{ externalId: `young-${run}`, email: email.toUpperCase() }] });
    const res = await t.api.post<{ results: SyncResult[] }>('/contacts/sync', {
      contacts: [
        { externalId: `x1-${run}`, email },
        { externalId: `x2-${run}`, email: email.toUpperCase() },
      ],
    });
    expect(res.body.results.map((r) => [r.externalId, r.crmId, r.matchedBy])).toEqual([
      [`x1-${run}`, first.body.results[0].crmId, 'email'],
      [`x2-${run}`, first.body.results[0].crmId, 'email'],
    ]);
  });

  it('leaves unmatched items out, reports unreadable ones as in create, and writes nothing', async () => {
    const before = (await t.api.get('/contacts?limit=200')).body.data.length;
    const res = await t.api.post('/contacts/sync', {
      contacts: [
        { externalId: `a-${run}` },
        'not an object',
        { email: 'no-id@example.com' },
        { externalId: `bad-${run}`, email: 'not-an-email' },
        { externalId: `long-${run}`, linkedinUrl: 'x'.repeat(1025) },
        { externalId: `unknown-${run}`, email: `unknown-${run}@example.com`, firstName: { any: 'thing' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: SyncResult) => r.externalId)).toEqual([`a-${run}`]);
    expect(res.body.errors).toEqual([
      { index: 1, code: 'NOT_AN_OBJECT', message: expect.any(String) },
      { index: 2, code: 'MISSING_EXTERNAL_ID', field: 'externalId', message: expect.any(String) },
      { index: 3, externalId: `bad-${run}`, code: 'INVALID_EMAIL', field: 'email', message: expect.any(String) },
      { index: 4, externalId: `long-${run}`, code: 'VALUE_TOO_LONG', field: 'linkedinUrl', message: expect.any(String) },
    ]);
    expect((await t.api.get('/contacts?limit=200')).body.data.length).toBe(before);
  });

  it('answers 200 with empty results when nothing matches, and 422 when no item can be read', async () => {
    const none = await t.api.post('/contacts/sync', { contacts: [{ externalId: `nobody-${run}` }] });
    expect([none.status, none.body]).toEqual([200, { results: [], errors: [] }]);
    const unreadable = await t.api.post('/contacts/sync', { contacts: [{ externalId: '' }, 7] });
    expect(unreadable.status).toBe(422);
    expect(unreadable.body.errors.map((e: { code: string }) => e.code)).toEqual(['MISSING_EXTERNAL_ID', 'NOT_AN_OBJECT']);
  });

  it("accepts the spec's own example as is", async () => {
    const res = await t.api.post('/contacts/sync', spec.paths['/contacts/sync'].post.requestBody.content['application/json'].example);
    expect(res.status).toBe(200);
  });

  it.each([
    ['a body without contacts', 400, { leads: [] }],
    ['an empty batch', 400, { contacts: [] }],
    ['a batch over MAX_BATCH_SIZE', 413, { contacts: Array.from({ length: 51 }, (_, i) => ({ externalId: `${i}` })) }],
  ])('answers %s with %i', async (_, status, body) => {
    expect((await t.api.post('/contacts/sync', body)).status).toBe(status);
  });

  it('answers 401 without a key', async () => {
    expect((await t.api.post('/contacts/sync', { contacts: [{ externalId: 'a' }] }, { key: null })).status).toBe(401);
  });
});
