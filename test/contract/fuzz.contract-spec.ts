// Property-based tests: request bodies generated from the contract's schemas, then spoiled (see
// test/support/fuzz.ts). Whatever arrives, every answer has a documented status and a body that
// matches the spec (the ApiClient checks both), nothing answers 5xx, every item of an accepted
// batch is accounted for exactly once, and Object.prototype is left alone.
import fc from 'fast-check';
import { ADMIN_KEY } from '../support/keys.js';
import { expectNoLeak } from '../support/leaks.js';
import { expectEveryItemOnce, fuzzed, pollution, RawJson, resolve, toJsonText, weird } from '../support/fuzz.js';
import { spec } from '../support/spec.js';
import { createTestApp, onMysql, type TestApp } from '../support/test-app.js';

// 3 000 requests (over 10 000 contacts) per run, on either database, in well under a minute.
const RUNS = { contacts: 2000, users: 500, queries: 500 };
const TOTAL = RUNS.contacts + RUNS.users + RUNS.queries;

const MAX_BATCH_SIZE = 20;

const schemaOf = (name: string) => spec.components.schemas[name];
const requestSchemaOf = (path: string, method: string) => spec.paths[path][method].requestBody.content['application/json'].schema;

/** A few externalIds that batches share, with near-twins that a careless collation would merge. */
const SHARED_IDS = [
  ...Array.from({ length: 12 }, (_, i) => `lead-${i}`),
  'Lead-1',
  'LEAD-1',
  'lead-1 ',
  ' lead-1',
  'lead\u00a01',
  'léad-1',
  'lead-ı',
  'lead-i',
  'straße',
  'strasse',
  '٣',
  '3',
];
const sharedId = fc.oneof(fc.constantFrom<unknown>(...SHARED_IDS), fc.constantFrom<unknown>(3, 3.0, true, 1e21));

const contactItem: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(fuzzed(schemaOf('ContactInput')), fc.option(sharedId, { freq: 2 }), fc.option(fc.emailAddress(), { freq: 2 }))
      .map(([item, id, email]) => {
        if (item === null || typeof item !== 'object' || Array.isArray(item) || item instanceof RawJson) return item;
        // The contract says "a valid address" in words only: give many items one, so that they get stored.
        const entries = Object.entries(item);
        if (email !== null) entries.push(['email', email]);
        if (id !== null) entries.push(['externalId', id]);
        return Object.fromEntries(entries);
      }),
  },
  // The same key twice in one object: JSON.parse keeps the last.
  { weight: 1, arbitrary: fc.tuple(sharedId, sharedId).map(([a, b]) => new RawJson(`{"externalId":${JSON.stringify(a)},"email":"a@b.co","externalId":${JSON.stringify(b)}}`)) },
  { weight: 1, arbitrary: fc.constant(Object.fromEntries([['externalId', 'proto-carrier'], ...Object.entries(pollution())])) },
);

const contactsBody: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 10, arbitrary: fc.array(contactItem, { minLength: 1, maxLength: MAX_BATCH_SIZE + 2 }).map((contacts) => ({ contacts })) },
  { weight: 1, arbitrary: fc.array(contactItem, { maxLength: 3 }).map((contacts) => Object.fromEntries([...Object.entries(pollution()), ['contacts', contacts]])) },
  { weight: 2, arbitrary: fuzzed(requestSchemaOf('/contacts', 'post')) },
);

const contentType = fc.oneof(
  { weight: 30, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/vnd.api+json', 'text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded') },
);

/** What the service sees of a body: JSON.parse of the text sent, or nothing if it does not parse. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Node answers 431 itself, before the app, to a request line and headers over 16 KB: keep each
 * query value to 2 KB once encoded, so that the answers tested are the app's.
 */
function withinUrlBound(value: string): string {
  let chars = [...value];
  const encoded = () => new URLSearchParams({ v: chars.join('') }).toString().length;
  while (encoded() > 2000) chars = chars.slice(0, Math.floor(chars.length / 2));
  return chars.join('');
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const prototypeShapes = () => PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join(','));

function expectPrototypesUntouched(before: string[]): void {
  expect(prototypeShapes()).toEqual(before);
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(probe.isAdmin).toBeUndefined();
}

describe('fuzzing from the contract', () => {
  let t: TestApp;
  let shapes: string[];
  /** Every crmId ever answered for an externalId: one per externalId, for the whole run. */
  const crmIdOf = new Map<string, string>();
  const counted = { requests: 0, contacts: 0, accepted: 0, statuses: {} as Record<number, number> };

  beforeAll(async () => {
    shapes = prototypeShapes();
    t = await createTestApp({ MAX_BATCH_SIZE: String(MAX_BATCH_SIZE), BODY_LIMIT: '1mb' });
  });
  afterAll(async () => {
    await t.close();
    console.log(`fuzz (${onMysql ? 'MySQL' : 'SQLite'}): ${counted.requests} requests, ${counted.contacts} contacts sent, ${counted.accepted} batches accepted; POST /contacts answers by status: ${JSON.stringify(counted.statuses)}`);
  });

  it(`POST /contacts: ${RUNS.contacts} fuzzed batches, every answer documented, no 5xx, every item once in results or errors`, async () => {
    await fc.assert(
      fc.asyncProperty(contactsBody, contentType, async (body, type) => {
        const text = toJsonText(body);
        const res = await t.api.request('POST', '/contacts', { raw: text, contentType: type });
        counted.requests++;
        counted.statuses[res.status] = (counted.statuses[res.status] ?? 0) + 1;
        expect(res.status).toBeLessThan(500);
        expectNoLeak(res.body);
        expectPrototypesUntouched(shapes);
        const sent = parsed(text) as { contacts?: unknown };
        if (Array.isArray(sent?.contacts)) counted.contacts += sent.contacts.length;
        if (res.status !== 201 && res.status !== 422) return;

        counted.accepted++;
        const items = sent.contacts as unknown[];
        const { results } = res.body as { results: any[] };
        expectEveryItemOnce(items, res.status, res.body);
        for (const { externalId, crmId } of results) {
          expect(crmIdOf.get(externalId) ?? crmId).toBe(crmId);
          crmIdOf.set(externalId, crmId);
        }
      }),
      { numRuns: RUNS.contacts },
    );
    expect(counted.contacts).toBeGreaterThan(RUNS.contacts);
  }, 240000);

  it('POST /contacts: a contact stored under each shared externalId reads back as itself, exactly once', async () => {
    const shared = [...crmIdOf].filter(([externalId]) => SHARED_IDS.includes(externalId) || /^(3|true|1e\+21)$/.test(externalId));
    expect(shared.length).toBeGreaterThan(10);
    for (const [externalId, crmId] of shared) {
      const page = await t.api.get(`/contacts?externalId=${encodeURIComponent(externalId)}`);
      expect(page.body.data.map((c: any) => [c.externalId, c.crmId])).toEqual([[externalId, crmId]]);
    }
  });

  it('POST /contacts: externalIds that differ only by case, accents, width or spaces are different contacts', async () => {
    const twins = ['twin-a', 'TWIN-A', 'twin-á', 'twin-a ', ' twin-a', 'twin\u00a0a', 'ｔwin-a', 'twin-ａ'];
    const res = await t.api.post('/contacts', { contacts: twins.map((externalId) => ({ externalId })) });
    expect(res.status).toBe(201);
    expect(res.body.results.map((r: any) => [r.externalId, r.status])).toEqual(twins.map((id) => [id, 'created']));
    expect(new Set(res.body.results.map((r: any) => r.crmId)).size).toBe(twins.length);
    for (const externalId of twins) {
      const page = await t.api.get(`/contacts?externalId=${encodeURIComponent(externalId)}`);
      expect(page.body.data.map((c: any) => c.externalId)).toEqual([externalId]);
    }
  });

  it('POST /contacts: an externalId holding a lone surrogate is an item error, never taken for U+FFFD', async () => {
    const res = await t.api.post('/contacts', { contacts: [{ externalId: 'lone-\ud800' }, { externalId: 'lone-\udfff' }, { externalId: 'lone-\ufffd' }] });
    expect(res.status).toBe(201);
    expect(res.body.errors.map((e: any) => [e.index, e.code, e.field])).toEqual([
      [0, 'INVALID_FIELD', 'externalId'],
      [1, 'INVALID_FIELD', 'externalId'],
    ]);
    expect(res.body.results.map((r: any) => [r.externalId, r.status])).toEqual([['lone-\ufffd', 'created']]);
  });

  it('POST /users: a lone surrogate or nesting past 16 levels is a 400, not a 500', async () => {
    for (const raw of [
      JSON.stringify({ name: 'x', email: 'a\ud800@example.com' }),
      JSON.stringify({ name: '\udc00' }),
      `{"name": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
    ]) {
      const res = await t.api.request('POST', '/users', { key: ADMIN_KEY, raw });
      expect(res.status).toBe(400);
    }
  });

  it(`POST /users and PATCH /users/{id}: ${RUNS.users} fuzzed bodies, every answer documented, no 5xx`, async () => {
    const owner = await t.api.post('/users', { name: 'Fuzz target' }, { key: ADMIN_KEY });
    expect(owner.status).toBe(201);
    const createBody = fuzzed(requestSchemaOf('/users', 'post'));
    const updateBody = fuzzed(requestSchemaOf('/users/{id}', 'patch'));
    await fc.assert(
      fc.asyncProperty(fc.boolean(), createBody, updateBody, contentType, async (create, createWith, updateWith, type) => {
        const text = toJsonText(create ? createWith : updateWith);
        const res = create
          ? await t.api.request('POST', '/users', { key: ADMIN_KEY, raw: text, contentType: type })
          : await t.api.request('PATCH', `/users/${owner.body.id}`, { key: ADMIN_KEY, raw: text, contentType: type });
        counted.requests++;
        expect(res.status).toBeLessThan(500);
        expectNoLeak(res.body);
        expectPrototypesUntouched(shapes);
        const address = (parsed(text) as { email?: unknown } | undefined)?.email;
        // A 400 words the problem without repeating an address.
        if (res.status === 400 && typeof address === 'string' && address.includes('@')) expect(res.body.message).not.toContain(address);
        if (res.status < 300) {
          const sent = parsed(text) as Record<string, unknown>;
          if (typeof sent.name === 'string') expect(res.body.name).toBe(sent.name);
          expect(Object.keys(res.body).sort()).toEqual(['active', 'createdAt', 'email', 'id', 'name', 'updatedAt']);
        }
      }),
      { numRuns: RUNS.users },
    );
  }, 120000);

  it(`GET /contacts: ${RUNS.queries} fuzzed query strings, every answer documented, no 5xx`, async () => {
    const parameters = spec.paths['/contacts'].get.parameters as { name: string; schema: any }[];
    const query = fc.record(
      Object.fromEntries(
        parameters.map((p) => [p.name, fc.oneof(fuzzed(resolve(p.schema)), weird).map((v) => withinUrlBound(typeof v === 'string' ? v : toJsonText(v)))]),
      ),
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        const search = new URLSearchParams(params as Record<string, string>).toString();
        const res = await t.api.get(`/contacts?${search}`);
        counted.requests++;
        expect(res.status).toBeLessThan(500);
        expectNoLeak(res.body);
        const address = (params as { email?: string }).email;
        if (res.status === 400 && address?.includes('@')) expect(res.body.message).not.toContain(address);
      }),
      { numRuns: RUNS.queries },
    );
  }, 120000);

  it(`ran ${TOTAL} cases or more in all, and left the service healthy and Object.prototype untouched`, async () => {
    expect(counted.requests).toBeGreaterThanOrEqual(Math.max(TOTAL, 2000));
    expect((await t.api.get('/health')).status).toBe(200);
    expectPrototypesUntouched(shapes);
  });
});
