import { useTestApp } from '../support/test-app.js';
import { lead, runId } from '../support/factories.js';
import { spec } from '../support/spec.js';

describe('POST /contacts', () => {
  const t = useTestApp({ MAX_BATCH_SIZE: '5' });
  const run = runId();

  it('answers 201 with a crmId per contact, in request order', async () => {
    const res = await t.api.post('/contacts', { contacts: [lead(run, 1), lead(run, 2)] });
    expect(res.status).toBe(201);
    expect(res.body.errors).toEqual([]);
    expect(res.body.results.map((r: { externalId: string }) => r.externalId)).toEqual([`lead-${run}-1`, `lead-${run}-2`]);
    expect(res.body.results.every((r: { status: string }) => r.status === 'created')).toBe(true);
  });

  it("accepts the spec's own example as is", async () => {
    const example = spec.paths['/contacts'].post.requestBody.content['application/json'].example;
    const res = await t.api.post('/contacts', example);
    expect(res.status).toBe(201);
    expect(res.body.results).toHaveLength(example.contacts.length);
  });

  it('answers 201 with per-item errors for a partly bad batch, every item accounted for once', async () => {
    const res = await t.api.post('/contacts', {
      contacts: [
        lead(run, 10),
        { externalId: `bad-email-${run}`, email: 'not-an-email' },
        'not an object',
        { email: 'no-id@example.com' },
        { externalId: `obj-${run}`, firstName: { nested: true } },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.results).toEqual([{ externalId: `lead-${run}-10`, crmId: expect.any(String), status: 'created' }]);
    expect(res.body.errors).toEqual([
      { index: 1, externalId: `bad-email-${run}`, code: 'INVALID_EMAIL', field: 'email', message: expect.any(String) },
      { index: 2, code: 'NOT_AN_OBJECT', message: expect.any(String) },
      { index: 3, code: 'MISSING_EXTERNAL_ID', field: 'externalId', message: expect.any(String) },
      { index: 4, externalId: `obj-${run}`, code: 'INVALID_FIELD', field: 'firstName', message: expect.any(String) },
    ]);
  });

  it('answers 422 with the same body when no item can be stored', async () => {
    const res = await t.api.post('/contacts', { contacts: [{ externalId: '' }, { externalId: `x-${run}`, email: 'nope@' }] });
    expect(res.status).toBe(422);
    expect(res.body.results).toEqual([]);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['MISSING_EXTERNAL_ID', 'INVALID_EMAIL']);
  });

  it('counts contacts that already existed as stored (201, status existing)', async () => {
    const again = await t.api.post('/contacts', { contacts: [lead(run, 1), { externalId: '' }] });
    expect(again.status).toBe(201);
    expect(again.body.results[0]).toMatchObject({ externalId: `lead-${run}-1`, status: 'existing' });
  });

  it.each([
    ['a body that is an array', [{ externalId: 'a' }]],
    ['a body without contacts', { leads: [] }],
    ['contacts that is not an array', { contacts: { externalId: 'a' } }],
    ['an empty batch', { contacts: [] }],
  ])('answers 400 to %s', async (_, body) => {
    const res = await t.api.post('/contacts', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
  });

  it('answers 400 to a missing body', async () => {
    const res = await t.api.request('POST', '/contacts', {});
    expect(res.status).toBe(400);
  });

  it('answers 413 to a batch over MAX_BATCH_SIZE, and stores nothing of it', async () => {
    const contacts = Array.from({ length: 6 }, (_, i) => lead(run, 100 + i));
    const res = await t.api.post('/contacts', { contacts });
    expect(res.status).toBe(413);
    expect(res.body.message).toContain('at most 5');
    const stored = await t.api.get(`/contacts?externalId=lead-${run}-100`);
    expect(stored.body.data).toEqual([]);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const res = await t.api.request('POST', '/contacts', { raw: '<contacts/>', contentType: 'application/xml' });
    expect(res.status).toBe(415);
  });

  it('answers 401 without a key, and stores nothing', async () => {
    const res = await t.api.post('/contacts', { contacts: [lead(run, 200)] }, { key: null });
    expect(res.status).toBe(401);
    expect((await t.api.get(`/contacts?externalId=lead-${run}-200`)).body.data).toEqual([]);
  });
});

describe('POST /contacts field rules', () => {
  const t = useTestApp();
  const run = runId();

  const post = (contacts: unknown[]) => t.api.post('/contacts', { contacts });

  it('stores numbers and booleans sent for text fields as their text, and null as absent', async () => {
    const res = await post([{ externalId: 12345, phone: 600123123, company: true, title: null, firstName: '' }]);
    expect(res.status).toBe(201);
    const contact = (await t.api.get(`/contacts/${res.body.results[0].crmId}`)).body;
    expect(contact).toMatchObject({ externalId: '12345', phone: '600123123', company: 'true', title: null, firstName: null });
  });

  it('rejects a value over its bound instead of cutting it, and accepts one exactly at it', async () => {
    const res = await post([
      { externalId: `long-${run}`, firstName: 'x'.repeat(256) },
      { externalId: `edge-${run}`, firstName: 'é'.repeat(255) },
      { externalId: 'i'.repeat(spec.components.schemas.ContactInput.properties.externalId.maxLength + 1) },
    ]);
    expect(res.body.errors).toEqual([
      { index: 0, externalId: `long-${run}`, code: 'VALUE_TOO_LONG', field: 'firstName', message: expect.any(String) },
      { index: 2, code: 'VALUE_TOO_LONG', field: 'externalId', message: expect.any(String) },
    ]);
    const edge = (await t.api.get(`/contacts/${res.body.results[0].crmId}`)).body;
    expect(edge.firstName).toBe('é'.repeat(255));
  });

  it('counts length in characters, so 255 emoji fit a 255-character field', async () => {
    const res = await post([{ externalId: `emoji-${run}`, lastName: '😀'.repeat(255) }]);
    expect(res.status).toBe(201);
    expect((await t.api.get(`/contacts/${res.body.results[0].crmId}`)).body.lastName).toBe('😀'.repeat(255));
  });

  it('keeps undocumented keys as custom fields, and drops __proto__, constructor and prototype', async () => {
    const raw = `{"contacts":[{"externalId":"proto-${run}","__proto__":{"polluted":true},"constructor":{"x":1},"prototype":1,"score":7}]}`;
    const res = await t.api.request('POST', '/contacts', { raw });
    expect(res.status).toBe(201);
    const contact = (await t.api.get(`/contacts/${res.body.results[0].crmId}`)).body;
    expect(contact.customFields).toEqual({ score: 7 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports too many, too long or too large custom fields per contact', async () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
    const res = await post([
      { externalId: `many-${run}`, ...many },
      { externalId: `key-${run}`, ['k'.repeat(101)]: 1 },
      { externalId: `big-${run}`, blob: 'x'.repeat(17000) },
    ]);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual([
      'TOO_MANY_CUSTOM_FIELDS',
      'CUSTOM_FIELD_KEY_TOO_LONG',
      'CUSTOM_FIELDS_TOO_LARGE',
    ]);
  });

  it('rejects an ownerId that names no user', async () => {
    const res = await post([{ externalId: `owner-${run}`, ownerId: 'nobody' }]);
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ code: 'UNKNOWN_OWNER', field: 'ownerId' });
  });
});

describe('GET /contacts/{crmId}', () => {
  const t = useTestApp();

  it('answers 404 for an unknown crmId', async () => {
    const res = await t.api.get('/contacts/0197a3f2-6c1e-7b3a-9d2e-1f4a5b6c7d8e');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });

  it('answers 400 for a crmId that is not a UUID', async () => {
    expect((await t.api.get('/contacts/12')).status).toBe(400);
  });

  it('answers 401 without a key', async () => {
    expect((await t.api.get('/contacts/0197a3f2-6c1e-7b3a-9d2e-1f4a5b6c7d8e', { key: null })).status).toBe(401);
  });
});

describe('GET /contacts', () => {
  const t = useTestApp();
  const run = runId();
  const crmIds: string[] = [];
  beforeAll(async () => {
    for (let batch = 0; batch < 3; batch++) {
      const contacts = Array.from({ length: 5 }, (_, i) => lead(run, batch * 5 + i));
      const res = await t.api.post('/contacts', { contacts });
      crmIds.push(...res.body.results.map((r: { crmId: string }) => r.crmId));
    }
  });

  it('pages through every contact, newest first, with nextCursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=4&cursor=${encodeURIComponent(cursor)}` : '?limit=4';
      const res = await t.api.get(`/contacts${query}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(4);
      seen.push(...res.body.data.map((c: { crmId: string }) => c.crmId));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...crmIds].reverse());
  });

  it('filters by externalId and by email, case-insensitively', async () => {
    const byId = await t.api.get(`/contacts?externalId=lead-${run}-3`);
    expect(byId.body.data.map((c: { crmId: string }) => c.crmId)).toEqual([crmIds[3]]);
    const byEmail = await t.api.get(`/contacts?email=${encodeURIComponent(`lead.${run}.3@EXAMPLE-3.COM`)}`);
    expect(byEmail.body.data.map((c: { crmId: string }) => c.crmId)).toEqual([crmIds[3]]);
  });

  it('matches the email filter exactly but for case: an accent makes another address', async () => {
    const res = await t.api.post('/contacts', {
      contacts: [
        { externalId: `jose-${run}`, email: `Jose.${run}@example.com` },
        { externalId: `josé-${run}`, email: `José.${run}@example.com` },
      ],
    });
    const found = await t.api.get(`/contacts?email=${encodeURIComponent(`JOSE.${run}@EXAMPLE.COM`)}`);
    expect(found.body.data.map((c: { crmId: string }) => c.crmId)).toEqual([res.body.results[0].crmId]);
  });

  it.each([['limit=0'], ['limit=201'], ['limit=abc'], ['cursor=not-a-cursor'], ['unknown=1']])('answers 400 to %s', async (query) => {
    const res = await t.api.get(`/contacts?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
  });

  it.each([
    ['limit=abc', 'limit must be a whole number from 1 to 200 (got "abc").'],
    ['limit=0', 'limit must be a whole number from 1 to 200 (got "0").'],
    ['limit=1&limit=2', 'limit must be a whole number from 1 to 200 (got several values).'],
    ['foo=bar', 'foo is not a parameter of this operation; the parameters are externalId, email, ownerId, limit, cursor.'],
    [
      'limit=201&foo=bar',
      'limit must be a whole number from 1 to 200 (got "201"). foo is not a parameter of this operation; the parameters are externalId, email, ownerId, limit, cursor.',
    ],
    // A query's value may be an address: its length is told, never its text.
    [`email=${'e'.repeat(310)}%40example.com`, 'email must be text of at most 320 characters (got 322 characters).'],
    ['cursor=a&cursor=b', 'cursor must be text of at most 200 characters (got several values).'],
  ])('answers 400 to %s with one sentence per parameter in trouble', async (query, message) => {
    const res = await t.api.get(`/contacts?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'bad_request', message });
  });

  it('answers 401 without a key', async () => {
    expect((await t.api.get('/contacts', { key: null })).status).toBe(401);
  });
});
