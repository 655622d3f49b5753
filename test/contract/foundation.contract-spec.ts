import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { leads, runId } from '../support/factories.js';
import { createTestApp, type TestApp, useTestApp } from '../support/test-app.js';
import { findLeaks } from '../support/leaks.js';
import { specOperations } from '../support/spec.js';

const run = promisify(execFile);

/**
 * The routes Express actually serves (Nest controllers), as `METHOD /path/{param}`, less the docs and
 * the record pages (HTML for people, outside the contract: see src/records/record-routes.ts).
 */
function servedRoutes(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance();
  const stack = (express.router ?? express._router).stack as { route?: { path: string; methods: Record<string, boolean> } }[];
  return stack
    .filter((layer) => layer.route && !/^\/(docs|openapi|app(\/|$))/.test(layer.route.path))
    .flatMap((layer) =>
      Object.keys(layer.route!.methods)
        .filter((method) => method !== '_all')
        .map((method) => `${method.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`),
    );
}

describe('the contract', () => {
  const t = useTestApp();

  it('has a route for every operation, and an operation for every route', () => {
    expect(servedRoutes(t).sort()).toEqual(specOperations().sort());
  });

  it('is what src/generated/ was generated from (npm run generate leaves nothing to change)', async () => {
    await expect(run('npx', ['openapi-typescript', 'openapi/openapi.yaml', '-o', 'src/generated/openapi.d.ts', '--check'])).resolves.toBeDefined();
  }, 60000);

  it('is served raw at /openapi.json and /openapi.yaml without a key, and Swagger UI at /docs', async () => {
    const json = await fetch(`${t.url}/openapi.json`);
    expect(json.status).toBe(200);
    expect(((await json.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const yaml = await fetch(`${t.url}/openapi.yaml`);
    expect(yaml.status).toBe(200);
    expect(await yaml.text()).toContain('operationId: createContacts');
    const docs = await fetch(`${t.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
  });
});

describe('the database schema', () => {
  it('built by the migrations is exactly what the entities describe', async () => {
    const t = await createTestApp();
    try {
      const pending = await t.app.get(DataSource).driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('is left alone with DB_MIGRATE=false', async () => {
    const t = await createTestApp({ DB_MIGRATE: 'false' });
    try {
      const tables = await t.dataSource.createQueryRunner().getTables(['contacts']);
      expect(tables).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('one error path', () => {
  const t = useTestApp({ BODY_LIMIT: '2kb' });

  it('answers an unknown route with 404 in the documented shape', async () => {
    const res = await t.api.get('/no-such-route');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: expect.any(String) });
  });

  it('answers 401 before anything else when the key is missing, even on an unknown route', async () => {
    expect((await t.api.get('/no-such-route', { key: null })).status).toBe(401);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await t.api.request('POST', '/contacts', { raw: '{"contacts": [', contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'bad_request', message: 'The body is not valid JSON.' });
  });

  it('answers a JSON body that is not an object with 400 saying what it is and what POST /contacts takes', async () => {
    for (const [raw, what] of [['null', 'null'], ['"hello"', 'a string'], ['42', 'a number']]) {
      const res = await t.api.request('POST', '/contacts', { raw, contentType: 'application/json' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'bad_request', message: `The body is valid JSON, but ${what}: this operation takes an object with a "contacts" array.` });
    }
  });

  it('redirects / to Swagger UI, with no key needed', async () => {
    const res = await fetch(`${t.url}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/docs');
  });

  it('answers a body over BODY_LIMIT with 413', async () => {
    const contacts = Array.from({ length: 40 }, (_, i) => ({ externalId: `big-${i}`, description: 'x'.repeat(100) }));
    const res = await t.api.post('/contacts', { contacts });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await t.api.request('POST', '/contacts', { raw: 'contacts=1', contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body.error).toBe('unsupported_media_type');
  });

  it('never puts a stack trace, SQL or a file path in an error body', async () => {
    const answers = await Promise.all([
      t.api.request('POST', '/contacts', { raw: '{"a":', contentType: 'application/json' }),
      t.api.post('/contacts', { contacts: 'nope' }),
      t.api.get('/contacts/not-a-uuid'),
      t.api.get('/contacts?limit=abc'),
    ]);
    for (const res of answers) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(findLeaks(res.body)).toEqual([]);
    }
  });
});

describe('large bodies', () => {
  const t = useTestApp();

  // Bodies of 64 KiB and more are read by src/http/json-body.ts, a batch item by item: the same answers.
  it('answers a large malformed or non-object body as it answers a small one', async () => {
    const padding = ' '.repeat(70_000);
    const broken = await t.api.request('POST', '/contacts', { raw: `{"contacts": [{"externalId": "x"}${padding}`, contentType: 'application/json' });
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ error: 'bad_request', message: 'The body is not valid JSON.' });
    const twice = await t.api.request('POST', '/contacts', { raw: `{"contacts": [{"externalId": "x"}], "contacts": 1${padding}}`, contentType: 'application/json' });
    expect(twice.status).toBe(400);
    expect(twice.body.message).toContain('"contacts" array');
    const text = await t.api.request('POST', '/contacts', { raw: `${padding}"${'a'.repeat(70_000)}"`, contentType: 'application/json' });
    expect(text.status).toBe(400);
    expect(text.body).toEqual({ error: 'bad_request', message: 'The body is valid JSON, but a string: this operation takes an object with a "contacts" array.' });
  });

  it('answers a large body in a charset other than UTF-8, or with other parameters, as it answers a small one', async () => {
    const run = runId();
    for (const size of [1, 60]) {
      const contacts = leads(run, size, size).map((contact) => ({ ...contact, description: 'z'.repeat(1500) }));
      const raw = JSON.stringify({ contacts });
      expect(Buffer.byteLength(raw) > 64 * 1024).toBe(size === 60);
      for (const contentType of ['application/json; charset=utf8', 'application/json; charset=latin1', 'application/json; charset=utf-8 latin1']) {
        const res = await t.api.request('POST', '/contacts', { raw, contentType });
        expect([contentType, res.status, res.body]).toEqual([contentType, 415, { error: 'unsupported_media_type', message: 'Send the body as UTF-8 application/json.' }]);
      }
      const res = await t.api.request('POST', '/contacts', { raw, contentType: 'application/json; charset="UTF-8"' });
      expect(res.status).toBe(201);
      expect(res.body.results).toHaveLength(size);
    }
  });

  it('stores a large batch read item by item exactly as sent: quotes, backslashes, accents, emoji and custom fields', async () => {
    const run = runId();
    const contacts: Record<string, unknown>[] = leads(run, 100).map((contact, i) => ({
      ...contact,
      description: `He said "ok", then \\ "no" [${i}], {a: 1}, ${'Ünïcödé 😀 '.repeat(60)}`,
      campaignNote: `note "${i}" \\ é`,
    }));
    const raw = JSON.stringify({ contacts });
    expect(Buffer.byteLength(raw)).toBeGreaterThan(128 * 1024);
    const res = await t.api.request('POST', '/contacts', { raw, contentType: 'application/json' });
    expect(res.status).toBe(201);
    expect(res.body.results.map((r: { externalId: string }) => r.externalId)).toEqual(contacts.map((c) => c.externalId));
    for (const i of [0, 57, 99]) {
      const stored = (await t.api.get(`/contacts/${res.body.results[i].crmId}`)).body;
      expect(stored.description).toBe(contacts[i].description);
      expect(stored.lastName).toBe(contacts[i].lastName);
      expect(stored.customFields).toEqual(expect.objectContaining({ campaignNote: contacts[i].campaignNote, notes: contacts[i].notes, address: contacts[i].address }));
    }
  });
});
