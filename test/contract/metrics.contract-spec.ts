import { randomUUID } from 'node:crypto';
import { ADMIN_KEY } from '../support/keys.js';
import { createTestApp, onMysql, useTestApp } from '../support/test-app.js';

/** `name{a="x",b="y"} value` lines of a Prometheus text answer, as { name, labels, value }. */
function samples(text: string) {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text).find(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  )?.value;
}

describe('GET /metrics', () => {
  const t = useTestApp();

  const scrape = async () => {
    const res = await t.api.get<string>('/metrics', { key: ADMIN_KEY, headers: { accept: 'text/plain' } });
    expect(res.status).toBe(200);
    return res.text;
  };

  it('answers 401 without a key and 403 to an integration key: metrics are for operators', async () => {
    const anonymous = await t.api.get('/metrics', { key: null });
    expect(anonymous.status).toBe(401);
    const integration = await t.api.get('/metrics');
    expect(integration.status).toBe(403);
    expect(integration.body.error).toBe('forbidden');
  });

  it('answers the Prometheus text format to an admin key', async () => {
    const res = await t.api.get<string>('/metrics', { key: ADMIN_KEY });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE http_requests_total counter');
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(res.text).toContain('# TYPE crm_contacts_total counter');
    expect(res.text).toContain('# TYPE crm_contacts_rejected_total counter');
    expect(res.text).toContain('# TYPE crm_activities_total counter');
    expect(res.text).toContain('# TYPE crm_tasks_total counter');
    expect(res.text).toContain('# TYPE crm_db_pool_connections gauge');
    expect(res.text).toContain('# TYPE crm_db_pool_waiting gauge');
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(() => samples(res.text)).not.toThrow();
  });

  it('counts contacts created, existing and rejected by error code', async () => {
    const before = await scrape();
    const created = (text: string) => valueOf(text, 'crm_contacts_total', { outcome: 'created' }) ?? 0;
    const existing = (text: string) => valueOf(text, 'crm_contacts_total', { outcome: 'existing' }) ?? 0;
    const rejected = (text: string, code: string) => valueOf(text, 'crm_contacts_rejected_total', { code }) ?? 0;
    const ids = [randomUUID(), randomUUID(), randomUUID()];

    const first = await t.api.post('/contacts', {
      contacts: [
        { externalId: ids[0], email: 'a@example.com' },
        { externalId: ids[1] },
        { externalId: ids[2], email: 'not an email' },
        { email: 'nobody@example.com' },
        { externalId: randomUUID(), ownerId: randomUUID() },
      ],
    });
    expect(first.status).toBe(201);
    const second = await t.api.post('/contacts', { contacts: [{ externalId: ids[0] }, { externalId: ids[1] }] });
    expect(second.status).toBe(201);

    const after = await scrape();
    expect(created(after) - created(before)).toBe(2);
    expect(existing(after) - existing(before)).toBe(2);
    expect(rejected(after, 'INVALID_EMAIL') - rejected(before, 'INVALID_EMAIL')).toBe(1);
    expect(rejected(after, 'MISSING_EXTERNAL_ID') - rejected(before, 'MISSING_EXTERNAL_ID')).toBe(1);
    expect(rejected(after, 'UNKNOWN_OWNER') - rejected(before, 'UNKNOWN_OWNER')).toBe(1);
  });

  it('counts companies and association pairs created, existing and rejected by error code', async () => {
    const before = await scrape();
    const delta = (after: string, name: string, labels: Record<string, string>) => (valueOf(after, name, labels) ?? 0) - (valueOf(before, name, labels) ?? 0);
    const companyIds = [randomUUID(), randomUUID()];
    const companies = await t.api.post('/companies', {
      companies: [{ externalId: companyIds[0] }, { externalId: companyIds[1], numberOfEmployees: 'many' }],
    });
    expect(companies.status).toBe(201);
    expect((await t.api.post('/companies', { companies: [{ externalId: companyIds[0] }] })).body.results[0].status).toBe('existing');
    const contact = await t.api.post('/contacts', { contacts: [{ externalId: randomUUID() }] });
    const pair = { contactCRMId: contact.body.results[0].crmId, companyCRMId: companies.body.results[0].crmId };
    const links = await t.api.post('/associations', { associations: [pair, { ...pair, companyCRMId: randomUUID() }, { contactCRMId: pair.contactCRMId }] });
    expect(links.status).toBe(200);
    expect((await t.api.post('/associations', { associations: [pair] })).body.existing).toBe(1);

    const after = await scrape();
    expect(after).toContain('# TYPE crm_companies_total counter');
    expect(after).toContain('# TYPE crm_associations_rejected_total counter');
    expect(delta(after, 'crm_companies_total', { outcome: 'created' })).toBe(1);
    expect(delta(after, 'crm_companies_total', { outcome: 'existing' })).toBe(1);
    expect(delta(after, 'crm_companies_rejected_total', { code: 'INVALID_FIELD' })).toBe(1);
    expect(delta(after, 'crm_associations_total', { outcome: 'created' })).toBe(1);
    expect(delta(after, 'crm_associations_total', { outcome: 'existing' })).toBe(1);
    expect(delta(after, 'crm_associations_rejected_total', { code: 'COMPANY_NOT_FOUND' })).toBe(1);
    expect(delta(after, 'crm_associations_rejected_total', { code: 'MISSING_FIELD' })).toBe(1);
  });

  it('counts activities by type and outcome, and tasks created, completed and reopened', async () => {
    const before = await scrape();
    const activities = (text: string, outcome: string) => valueOf(text, 'crm_activities_total', { type: 'LINKEDIN', outcome }) ?? 0;
    const tasks = (text: string, event: string) => valueOf(text, 'crm_tasks_total', { event }) ?? 0;
    const contactId = (await t.api.post('/contacts', { contacts: [{ externalId: randomUUID() }] })).body.results[0].crmId;
    const message = { type: 'LINKEDIN', contactId, metadata: { messageId: randomUUID() } };
    expect((await t.api.post('/activities', message)).status).toBe(201);
    expect((await t.api.post('/activities', message)).status).toBe(200);
    const a = (await t.api.post('/tasks', { subject: 'a' })).body.id;
    const b = (await t.api.post('/tasks', { subject: 'b' })).body.id;
    await t.api.patch(`/tasks/${a}`, { completed: true });
    await t.api.patch('/tasks/batch', { ids: [a, b], completed: true });
    await t.api.patch('/tasks/batch', { ids: [a], completed: false });

    const after = await scrape();
    expect(activities(after, 'created') - activities(before, 'created')).toBe(1);
    expect(activities(after, 'existing') - activities(before, 'existing')).toBe(1);
    expect(tasks(after, 'created') - tasks(before, 'created')).toBe(2);
    // a, then b: completing a task already completed counts nothing.
    expect(tasks(after, 'completed') - tasks(before, 'completed')).toBe(2);
    expect(tasks(after, 'reopened') - tasks(before, 'reopened')).toBe(1);
  });

  it('counts requests by route template, method and status, 401s included, with latencies', async () => {
    const crmId = randomUUID();
    expect((await t.api.get(`/contacts/${crmId}`)).status).toBe(404);
    expect((await t.api.get('/health', { key: null })).status).toBe(401);
    expect((await t.api.get('/no-such-route')).status).toBe(404);

    const text = await scrape();
    expect(text).not.toContain(crmId);
    expect(valueOf(text, 'http_requests_total', { route: '/contacts/{crmId}', method: 'GET', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'http_requests_total', { route: '/health', method: 'GET', status: '401' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'http_requests_total', { route: '/contacts', method: 'POST', status: '201' })).toBeGreaterThanOrEqual(2);
    const count = valueOf(text, 'http_request_duration_seconds_count', { route: '/contacts', method: 'POST', status: '201' });
    expect(count).toBe(valueOf(text, 'http_requests_total', { route: '/contacts', method: 'POST', status: '201' }));
    expect(valueOf(text, 'http_request_duration_seconds_sum', { route: '/contacts', method: 'POST', status: '201' })).toBeGreaterThan(0);
  });

  it(`reports the database pool (${onMysql ? 'MySQL: the mysql2 pool' : 'SQLite: one connection, in use'})`, async () => {
    const text = await scrape();
    const inUse = valueOf(text, 'crm_db_pool_connections', { state: 'in_use' })!;
    const idle = valueOf(text, 'crm_db_pool_connections', { state: 'idle' })!;
    const waiting = valueOf(text, 'crm_db_pool_waiting')!;
    if (onMysql) {
      expect(inUse).toBeGreaterThanOrEqual(0);
      expect(idle).toBeGreaterThanOrEqual(1); // the requests above left connections in the pool
      expect(inUse + idle).toBeLessThanOrEqual(t.config.dbPoolSize);
    } else {
      expect([inUse, idle]).toEqual([1, 0]);
    }
    expect(waiting).toBe(0);
  });

  it('keeps each app instance its own counters', async () => {
    const other = await createTestApp();
    try {
      const res = await other.api.get<string>('/metrics', { key: ADMIN_KEY });
      expect(valueOf(res.text, 'crm_contacts_total', { outcome: 'created' })).toBe(0);
      expect(valueOf(res.text, 'http_requests_total', { route: '/contacts', method: 'POST', status: '201' })).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
