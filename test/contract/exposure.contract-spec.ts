// What the service shows to whoever reaches it: every route it serves wants a key (the docs and the
// raw contract aside), operator routes want an admin key, errors say nothing about the inside,
// answers carry security headers, and a key can be held to a rate.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { PUBLIC_PAGE_PATHS, RECORD_PAGE_ROUTES } from '../../src/records/record-routes.js';
import { ApiClient } from '../support/http.js';
import { ADMIN_KEY, INTEGRATION_KEY } from '../support/keys.js';
import { expectNoLeak } from '../support/leaks.js';
import { matchPath, spec } from '../support/spec.js';
import { createTestApp, type TestApp, useTestApp } from '../support/test-app.js';

interface Route {
  method: string;
  /** Express form, `/contacts/:crmId`. */
  path: string;
}

/** Every route Express serves in this app, read from its router: Nest's, Swagger UI's, anything added later. */
function appRoutes(t: TestApp): Route[] {
  const express = t.app.getHttpAdapter().getInstance();
  const stack = (express.router ?? express._router).stack as { route?: { path: string; methods: Record<string, boolean> } }[];
  return stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path }))
      : [],
  );
}

const SAMPLE_ID = '0197a3f2-6c1e-7b3a-9d2e-1f4a5b6c7d8e';
const concrete = (route: Route) => route.path.replace(/:\w+/g, SAMPLE_ID);
const isDocs = (route: Route) => /^\/(docs(\/|$)|openapi\.(json|yaml)$)/.test(route.path);
/** The record pages (HTML, behind a login of their own): exactly the routes src/records/record-routes.ts lists. */
const isRecordPage = (route: Route) => route.path === '/app' || route.path.startsWith('/app/');
const isApi = (route: Route) => !isDocs(route) && !isRecordPage(route);

/** The operation of the contract a route serves. */
function operationOf(route: Route): Record<string, any> {
  const template = matchPath(concrete(route));
  const operation = template && spec.paths[template][route.method.toLowerCase()];
  if (!operation) throw new Error(`${route.method} ${route.path} is served but is not in the contract`);
  return operation;
}
const isOperatorRoute = (route: Route) => '403' in operationOf(route).responses;

describe('every route of the app', () => {
  let t: TestApp;
  let routes: Route[];
  beforeAll(async () => {
    t = await createTestApp();
    routes = appRoutes(t);
  });
  afterAll(() => t.close());

  it('is found by the walk: the contract operations, the docs and the listed record pages', () => {
    const api = routes.filter(isApi);
    expect(api.length).toBe(Object.values(spec.paths).flatMap((item: any) => Object.keys(item)).length);
    expect(routes.filter(isDocs).length).toBeGreaterThanOrEqual(4);
    for (const route of api) expect(operationOf(route)).toBeDefined();
    const pages = routes.filter(isRecordPage).map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(pages.sort()).toEqual(RECORD_PAGE_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('sends a visitor without a session from every record page to the login form, the form and its stylesheet aside', async () => {
    for (const route of routes.filter(isRecordPage)) {
      const res = await fetch(`${t.url}${concrete(route)}`, { method: route.method, redirect: 'manual', headers: { 'X-API-Key': ADMIN_KEY } });
      const open = PUBLIC_PAGE_PATHS.has(route.path);
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: open ? (route.method === 'GET' ? 200 : 403) : 303,
      });
      if (!open) expect(res.headers.get('location')).toMatch(/^\/app\/login(\?|$)/);
    }
  });

  it('answers 401 without a key, with a wrong key, and with the key in another header, except the docs and the raw contract', async () => {
    for (const route of routes.filter(isApi)) {
      const body = route.method === 'GET' ? undefined : {};
      const attempts = [
        { key: null },
        { key: 'not-the-key-but-long-enough-000' },
        { key: INTEGRATION_KEY.toUpperCase() },
        { key: null, headers: { Authorization: `Bearer ${INTEGRATION_KEY}` } },
      ];
      for (const options of attempts) {
        const res = await t.api.request(route.method, concrete(route), { ...options, body });
        expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
        expect(res.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
      }
    }
  });

  it('serves the docs and the raw contract without a key', async () => {
    for (const route of routes.filter(isDocs)) {
      const res = await fetch(`${t.url}${concrete(route)}`);
      // Swagger UI registers a few asset routes whose file may be absent (404); none asks for a key.
      expect({ route: route.path, status: res.status }).not.toEqual({ route: route.path, status: 401 });
      expect(res.status).toBeLessThan(500);
    }
    for (const path of ['/docs', '/docs/swagger-ui-init.js', '/openapi.json', '/openapi.yaml']) {
      expect((await fetch(`${t.url}${path}`)).status).toBe(200);
    }
  });

  it('answers 401 to a method or path it does not serve, rather than telling what exists', async () => {
    for (const [method, path] of [
      ['DELETE', '/contacts'],
      ['PUT', '/users'],
      ['GET', '/admin'],
      ['GET', '/.env'],
      ['GET', '/contacts/../../etc/passwd'],
      // Only /app and below is the record pages' door, not whatever starts with the same letters.
      ['GET', '/apps'],
      ['GET', '/app.json'],
      ['POST', '/appcontacts'],
    ]) {
      expect((await t.api.request(method, path, { key: null })).status).toBe(401);
    }
  });

  it('answers 403 to an integration key on operator routes, and lets an admin key through', async () => {
    const operatorRoutes = routes.filter((r) => isApi(r) && isOperatorRoute(r));
    expect(operatorRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /metrics', 'PATCH /users/:id', 'POST /users']);
    for (const route of operatorRoutes) {
      const body = route.method === 'GET' ? undefined : {};
      const denied = await t.api.request(route.method, concrete(route), { body });
      expect({ route: route.path, status: denied.status }).toEqual({ route: route.path, status: 403 });
      expect(denied.body).toEqual({ error: 'forbidden', message: expect.any(String) });
      const admitted = await t.api.request(route.method, concrete(route), { key: ADMIN_KEY, body });
      expect([401, 403]).not.toContain(admitted.status);
    }
  });

  it('never answers 403 to an integration key on the routes Enginy calls', async () => {
    for (const route of routes.filter((r) => isApi(r) && !isOperatorRoute(r))) {
      const body = route.method === 'GET' ? undefined : { contacts: [{ externalId: 'walk' }] };
      const res = await t.api.request(route.method, concrete(route), { body });
      expect([401, 403]).not.toContain(res.status);
    }
  });
});

describe('security headers', () => {
  const t = useTestApp();

  it.each([
    ['an answer', '/health', INTEGRATION_KEY],
    ['a 401', '/health', null],
    ['a 404', '/no-such-route', INTEGRATION_KEY],
    ['Swagger UI', '/docs', null],
    ['the raw contract', '/openapi.json', null],
  ])('are on %s', async (_what, path, key) => {
    const res = await fetch(`${t.url}${path}`, { headers: key ? { 'X-API-Key': key } : {} });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(res.headers.get('content-security-policy')).toContain("object-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('error bodies', () => {
  const t = useTestApp({ BODY_LIMIT: '4kb', MAX_BATCH_SIZE: '5' });

  it('hold no stack trace, SQL, driver code or file path, whatever the request', async () => {
    const answers = [
      await t.api.request('POST', '/contacts', { raw: '{"contacts": [{"externalId": "a",', contentType: 'application/json' }),
      await t.api.request('POST', '/contacts', { raw: '\u0000\u00ff garbage', contentType: 'application/json' }),
      await t.api.request('POST', '/contacts', { raw: '{"contacts": []}', contentType: 'application/json; charset=latin-7' }),
      await t.api.request('POST', '/contacts', { raw: '<xml/>', contentType: 'application/xml' }),
      await t.api.post('/contacts', { contacts: "'; DROP TABLE contacts; --" }),
      await t.api.post('/contacts', { contacts: Array.from({ length: 6 }, (_, i) => ({ externalId: `e${i}` })) }),
      await t.api.post('/contacts', { contacts: [{ externalId: 'x'.repeat(300) }, { externalId: { $ne: null } }, { externalId: 'ok', email: "a'--@x" }] }),
      await t.api.post('/contacts', { contacts: [{ externalId: 'big', description: 'z'.repeat(5000) }] }),
      await t.api.get("/contacts?limit=1'%20OR%201=1"),
      await t.api.get('/contacts?cursor=%00%ff'),
      await t.api.get("/contacts/1'%20OR%20'1'='1"),
      await t.api.get('/users/..%2F..%2Fetc%2Fpasswd'),
      await t.api.post('/users', { name: 'x', email: 'not-an-email', role: 'admin' }, { key: ADMIN_KEY }),
      await t.api.request('PATCH', `/users/${SAMPLE_ID}`, { key: ADMIN_KEY, body: { active: 'yes' } }),
    ];
    for (const res of answers) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectNoLeak(res.body);
    }
  });

  it('of a failure inside the service (500) say only that something went wrong', async () => {
    await t.dataSource.query('DROP TABLE contacts');
    for (const res of [
      await t.api.get('/contacts'),
      await t.api.get(`/contacts/${SAMPLE_ID}`),
      await t.api.post('/contacts', { contacts: [{ externalId: 'after-drop' }] }),
    ]) {
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'internal_error', message: 'Something went wrong on our side.' });
      expect(res.text).not.toMatch(/contacts|sqlite|mysql|table/i);
    }
  });
});

describe('RATE_LIMIT_PER_MINUTE', () => {
  it('is off by default', async () => {
    const t = await createTestApp();
    try {
      // 150 requests within the minute, 50 at a time: more at once would meet the per-key bound on
      // requests in flight (MAX_REQUESTS_PER_KEY, 64), which is not a rate.
      const answers = [];
      for (let wave = 0; wave < 3; wave++) answers.push(...(await Promise.all(Array.from({ length: 50 }, () => t.api.get('/health')))));
      expect(answers.filter((res) => res.status === 429)).toEqual([]);
      // No quota, so no quota fields.
      expect(answers[0].headers.get('ratelimit-policy')).toBeNull();
      expect(answers[0].headers.get('ratelimit')).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('answers 429 with Retry-After past the limit, per key, before reading the body', async () => {
    const t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const first = await t.api.get('/contacts?limit=1');
      expect(first.status).toBe(200);
      expect(first.headers.get('ratelimit-policy')).toBe('"per-key";q=5;w=60');
      expect(first.headers.get('ratelimit')).toMatch(/^"per-key";r=4;t=\d+$/);
      for (let i = 1; i < 5; i++) expect((await t.api.get('/contacts?limit=1')).status).toBe(200);
      const limited = await t.api.post('/contacts', { contacts: [{ externalId: 'limited' }] });
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ error: 'too_many_requests', message: expect.stringContaining('5 requests per minute') });
      expect(limited.headers.get('ratelimit')).toMatch(/^"per-key";r=0;t=\d+$/);
      // The seconds until the key's one-minute window ends.
      const wait = Number(limited.headers.get('retry-after'));
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
      // Not read, so not stored.
      expect((await t.api.get('/contacts?externalId=limited', { key: ADMIN_KEY })).body.data).toEqual([]);
      // Another key has its own allowance; a caller without a key is told 401, not 429.
      expect((await t.api.get('/contacts?limit=1', { key: ADMIN_KEY })).status).toBe(200);
      expect((await t.api.get('/contacts?limit=1', { key: null })).status).toBe(401);
      expect((await new ApiClient(t.url).get('/contacts?limit=1')).status).toBe(429);
    } finally {
      await t.close();
    }
  });

  it('never refuses GET /health, the readiness probe, and does not count it', async () => {
    const t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const probes = [];
      for (let i = 0; i < 10; i++) probes.push(await t.api.get('/health'));
      expect(probes.map((probe) => probe.status)).toEqual(Array(10).fill(200));
      expect(probes[0].headers.get('ratelimit')).toBeNull();
      expect((await t.api.get('/contacts?limit=1')).status).toBe(200);
      expect((await t.api.get('/contacts?limit=1')).status).toBe(200);
      expect((await t.api.get('/contacts?limit=1')).status).toBe(429);
      expect((await t.api.get('/health')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('RATE_LIMIT_PER_MINUTE with REDIS_URL (replicas share the count)', () => {
  // A key of its own for each test, so that counts left in Redis by other runs never meet it.
  const freshKey = () => `test-shared-key-${randomBytes(8).toString('hex')}`;

  it('gives two replicas one allowance per key, not one each', async () => {
    const key = freshKey();
    const env = { RATE_LIMIT_PER_MINUTE: '4', REDIS_URL: 'redis://127.0.0.1:6379', API_KEYS: key };
    const replicas = [await createTestApp(env), await createTestApp(env)];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await replicas[i % 2].api.get('/contacts?limit=1', { key })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });

  it('fails open when Redis is unreachable: counts per process, says so in a metric and a warning', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const lines: string[] = [];
    const t = await createTestApp(
      { RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: `redis://127.0.0.1:${port}`, LOG_LEVEL: 'warn' },
      { logs: { write: (line: string) => void lines.push(line) } },
    );
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.api.get('/contacts?limit=1')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const metrics = await t.api.get<string>('/metrics', { key: ADMIN_KEY, headers: { accept: 'text/plain' } });
      const failed = /^crm_rate_limit_store_errors_total (\d+)$/m.exec(metrics.text);
      expect(Number(failed?.[1])).toBeGreaterThanOrEqual(4);
      const warnings = lines.map((line) => JSON.parse(line) as { level: string; msg: string; requests?: number });
      // One warning for the first request Redis could not count, not one per request.
      expect(warnings.filter((w) => w.level === 'warn' && /Redis \(REDIS_URL\) did not answer/.test(w.msg))).toHaveLength(1);
      expect(lines.join('\n')).not.toContain(INTEGRATION_KEY);
    } finally {
      await t.close();
    }
  });
});

describe('CORS (ALLOWED_ORIGINS)', () => {
  it('allows no origin by default: Enginy calls server to server', async () => {
    const t = await createTestApp();
    try {
      const res = await t.api.get('/health', { headers: { Origin: 'https://evil.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('answers the listed origins only, preflights included', async () => {
    const t = await createTestApp({ ALLOWED_ORIGINS: 'https://crm-admin.example.com' });
    try {
      const allowed = await t.api.get('/health', { headers: { Origin: 'https://crm-admin.example.com' } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://crm-admin.example.com');
      const other = await t.api.get('/health', { headers: { Origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${t.url}/contacts`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://crm-admin.example.com',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'x-api-key, content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://crm-admin.example.com');
    } finally {
      await t.close();
    }
  });
});
