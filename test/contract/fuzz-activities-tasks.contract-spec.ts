// Property-based tests for activities, tasks and Idempotency-Key: bodies, queries, path ids and
// headers generated from the contract and spoiled (test/support/fuzz.ts). Whatever arrives, the answer
// has a documented status and a body that matches the spec (the ApiClient checks both), nothing
// answers 5xx or leaks, Object.prototype is left alone, and what is accepted is what was sent.
import fc from 'fast-check';
import { ADMIN_KEY } from '../support/keys.js';
import { expectNoLeak } from '../support/leaks.js';
import { fuzzed, pollution, RawJson, resolve, toJsonText, weird } from '../support/fuzz.js';
import { spec } from '../support/spec.js';
import { createTestApp, onMysql, type TestApp } from '../support/test-app.js';

const RUNS = { activities: 300, tasks: 300, patches: 200, batches: 200, queries: 200, paths: 100 };

const requestSchemaOf = (path: string, method: string) => spec.paths[path][method].requestBody.content['application/json'].schema;
const parametersOf = (path: string, method: string) => spec.paths[path][method].parameters as { $ref?: string; name?: string; schema?: any }[];

const contentType = fc.oneof(
  { weight: 30, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded') },
);

/** Idempotency-Key values: mostly absent, often fine, sometimes not (what fetch can send of them). */
const idempotencyKey = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'k'.repeat(256), 'two words', 'tab\tkey', 'ümlaut', '"quoted"') },
);

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Node answers 431 itself to headers over 16 KB: keep each query value within 2 KB once encoded. */
function withinUrlBound(value: string): string {
  let chars = [...value];
  while (new URLSearchParams({ v: chars.join('') }).toString().length > 2000) chars = chars.slice(0, Math.floor(chars.length / 2));
  return chars.join('');
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const prototypeShapes = () => PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join(','));

describe('fuzzing activities, tasks and Idempotency-Key from the contract', () => {
  let t: TestApp;
  let shapes: string[];
  let contactId: string;
  let companyId: string;
  let ownerId: string;
  const taskIds: string[] = [];
  const statuses: Record<string, Record<number, number>> = {};

  /** Sends, counts, and checks what every answer must be. */
  async function send(label: string, method: string, path: string, text: string | undefined, type = 'application/json', key?: string) {
    const headers: Record<string, string> = key === undefined ? {} : { 'Idempotency-Key': key };
    const res = await t.api.request(method, path, text === undefined ? { headers } : { raw: text, contentType: type, headers });
    statuses[label] = statuses[label] ?? {};
    statuses[label][res.status] = (statuses[label][res.status] ?? 0) + 1;
    expect(res.status).toBeLessThan(500);
    expectNoLeak(res.body);
    expect(prototypeShapes()).toEqual(shapes);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    return res;
  }

  beforeAll(async () => {
    shapes = prototypeShapes();
    t = await createTestApp({ MAX_BATCH_SIZE: '20', BODY_LIMIT: '1mb' });
    contactId = (await t.api.post('/contacts', { contacts: [{ externalId: 'fuzz-lead' }] })).body.results[0].crmId;
    companyId = (await t.api.post('/companies', { companies: [{ externalId: 'fuzz-company', name: 'Fuzz' }] })).body.results[0].crmId;
    ownerId = (await t.api.post('/users', { name: 'Fuzz owner' }, { key: ADMIN_KEY })).body.id;
  });
  afterAll(async () => {
    await t.close();
    console.log(`fuzz activities/tasks (${onMysql ? 'MySQL' : 'SQLite'}): answers by operation and status: ${JSON.stringify(statuses)}`);
  });

  /** A fuzzed object body, with a real reference put in now and then so that some get stored. */
  const withReferences = (schema: unknown) =>
    fc.tuple(fuzzed(schema as object), fc.option(fc.constant(contactId), { freq: 2 }), fc.option(fc.constant(ownerId), { freq: 4 })).map(([body, contact, owner]) => {
      if (body === null || typeof body !== 'object' || Array.isArray(body) || body instanceof RawJson) return body;
      const entries = Object.entries(body);
      if (contact !== null) entries.push(['contactId', contact]);
      if (owner !== null) entries.push(['ownerId', owner]);
      return Object.fromEntries(entries);
    });

  it(`POST /activities: ${RUNS.activities} fuzzed bodies and keys, every answer documented, no 5xx, stored as sent`, async () => {
    const body = fc.oneof({ weight: 12, arbitrary: withReferences(requestSchemaOf('/activities', 'post')) }, { weight: 1, arbitrary: fc.constant(pollution()) });
    await fc.assert(
      fc.asyncProperty(body, contentType, idempotencyKey, async (value, type, key) => {
        const text = toJsonText(value);
        const res = await send('POST /activities', 'POST', '/activities', text, type, key);
        if (res.status !== 201) return;
        const sent = parsed(text) as Record<string, unknown>;
        expect(res.body.type).toBe(sent.type);
        if (typeof sent.body === 'string') expect(res.body.body).toBe(sent.body);
        if (typeof sent.subject === 'string') expect(res.body.subject).toBe(sent.subject);
        expect((await t.api.get(`/activities/${res.body.id}`)).body).toEqual(res.body);
      }),
      { numRuns: RUNS.activities },
    );
  }, 240000);

  it(`POST /tasks: ${RUNS.tasks} fuzzed bodies and keys, every answer documented, no 5xx, open tasks as sent`, async () => {
    await fc.assert(
      fc.asyncProperty(withReferences(requestSchemaOf('/tasks', 'post')), contentType, idempotencyKey, async (value, type, key) => {
        const text = toJsonText(value);
        const res = await send('POST /tasks', 'POST', '/tasks', text, type, key);
        if (res.status !== 201) return;
        const sent = parsed(text) as Record<string, unknown>;
        expect(res.body.subject).toBe(sent.subject);
        expect(res.body).toMatchObject({ completed: false, completedAt: null });
        taskIds.push(res.body.id);
      }),
      { numRuns: RUNS.tasks },
    );
    expect(taskIds.length).toBeGreaterThan(10);
  }, 240000);

  it(`PATCH /tasks/{id}: ${RUNS.patches} fuzzed bodies, every answer documented, no 5xx`, async () => {
    await fc.assert(
      fc.asyncProperty(withReferences(requestSchemaOf('/tasks/{id}', 'patch')), fc.nat(), contentType, async (value, pick, type) => {
        const id = taskIds[pick % taskIds.length];
        const text = toJsonText(value);
        const res = await send('PATCH /tasks/{id}', 'PATCH', `/tasks/${id}`, text, type);
        if (res.status !== 200) return;
        const sent = parsed(text) as Record<string, unknown>;
        if (typeof sent.completed === 'boolean') expect(res.body.completed).toBe(sent.completed);
        expect(res.body.completedAt === null).toBe(!res.body.completed);
      }),
      { numRuns: RUNS.patches },
    );
  }, 240000);

  it(`POST and PATCH /tasks/batch: ${RUNS.batches} fuzzed bodies, every answer documented, no 5xx, ids answered in order`, async () => {
    const ids = fc.array(fc.oneof(fc.constantFrom(...taskIds.slice(0, 30)), fc.uuid(), weird), { maxLength: 25 });
    const body = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(ids, fc.oneof(fc.boolean(), weird)).map(([list, completed]) => ({ ids: list, completed })) },
      { weight: 2, arbitrary: fuzzed(requestSchemaOf('/tasks/batch', 'patch')) },
      { weight: 1, arbitrary: fuzzed(requestSchemaOf('/tasks/batch', 'post')) },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST', 'PATCH'), body, contentType, async (method, value, type) => {
        const text = toJsonText(value);
        const res = await send(`${method} /tasks/batch`, method, '/tasks/batch', text, type);
        if (res.status !== 200) return;
        const asked = [...new Set(((parsed(text) as { ids: string[] }).ids ?? []).map((id) => id.toLowerCase()))];
        const answered = (res.body as { id: string }[]).map((task) => task.id);
        expect(answered).toEqual(asked.filter((id) => answered.includes(id)));
      }),
      { numRuns: RUNS.batches },
    );
  }, 240000);

  it(`GET /tasks, GET /contacts/{crmId}/activities and GET /companies/{crmId}/activities: ${RUNS.queries} fuzzed query strings, every answer documented, no 5xx`, async () => {
    const queryOf = (path: string) => {
      const parameters = parametersOf(path, 'get')
        .map((p) => (p.$ref ? resolve(p) : p))
        .filter((p: any) => p.in === 'query');
      return fc.record(
        Object.fromEntries(
          parameters.map((p: any) => [p.name, fc.oneof(fuzzed(resolve(p.schema)), weird).map((v) => withinUrlBound(typeof v === 'string' ? v : toJsonText(v)))]),
        ),
        { requiredKeys: [] },
      );
    };
    const query = fc.oneof(
      queryOf('/tasks').map((q) => ['/tasks', '/tasks', q] as const),
      queryOf('/contacts/{crmId}/activities').map((q) => ['/contacts/{crmId}/activities', `/contacts/${contactId}/activities`, q] as const),
      queryOf('/companies/{crmId}/activities').map((q) => ['/companies/{crmId}/activities', `/companies/${companyId}/activities`, q] as const),
    );
    await fc.assert(
      fc.asyncProperty(query, async ([template, path, params]) => {
        await send(`GET ${template}`, 'GET', `${path}?${new URLSearchParams(params as Record<string, string>)}`, undefined);
      }),
      { numRuns: RUNS.queries },
    );
  }, 240000);

  it(`GET /activities/{id}, GET /tasks/{id}, GET /contacts/{crmId}/activities, GET /companies/{crmId}/activities: ${RUNS.paths} fuzzed path ids, no 5xx`, async () => {
    // '.' and '..' are not ids a client can send: URL parsing turns `/tasks/..` into `/`, another route.
    const id = fc
      .oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('batch', '%00', '%2F', 'NaN', '0'))
      .filter((value) => value !== '.' && value !== '..');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/activities/', '/tasks/', '/contacts/', '/companies/'), id, async (prefix, value) => {
        const path = `${prefix}${encodeURIComponent(value)}${prefix === '/contacts/' || prefix === '/companies/' ? '/activities' : ''}`;
        await send('GET by id', 'GET', path, undefined);
      }),
      { numRuns: RUNS.paths },
    );
  }, 120000);

  it('left the service healthy and Object.prototype untouched', async () => {
    expect((await t.api.get('/health')).status).toBe(200);
    expect(prototypeShapes()).toEqual(shapes);
  });
});
