// The service's logs during an export: one JSON line per request with what an operator needs, and
// never an email or a key, even at the most verbose level.
import { leads, runId } from '../support/factories.js';
import { ADMIN_KEY, INTEGRATION_KEY } from '../support/keys.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const EMAIL = /[^\s"'<>@]+@[^\s"'<>@]+\.[A-Za-z]{2,}/;
const WRONG_KEY = 'wrong-key-but-long-enough-0123';

class CapturedLogs {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  get records(): Record<string, any>[] {
    return this.lines.map((line) => JSON.parse(line));
  }
  requestLines(): Record<string, any>[] {
    return this.records.filter((r) => r.msg === 'request completed' || r.msg === 'request failed');
  }
}

describe('logs of an export', () => {
  const logs = new CapturedLogs();
  let t: TestApp;
  const run = runId();
  const batch = leads(run, 25);
  const emails = batch.map((c) => String(c.email));
  const answers: { requestId: string | null; status: number; method: string; route: string; key: string | null }[] = [];

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'trace' }, { logs });
    const note = (method: string, route: string, key: string | null, res: { status: number; headers: Headers }) =>
      answers.push({ requestId: res.headers.get('x-request-id'), status: res.status, method, route, key });

    const created = await t.api.post('/contacts', { contacts: batch });
    expect(created.status).toBe(201);
    note('POST', '/contacts', 'integration', created);
    note('POST', '/contacts', 'integration', await t.api.post('/contacts', { contacts: batch }));
    note('GET', '/contacts', 'integration', await t.api.get(`/contacts?email=${encodeURIComponent(emails[0])}`));
    note('GET', '/contacts/{crmId}', 'integration', await t.api.get(`/contacts/${created.body.results[0].crmId}`));
    note('POST', '/contacts', null, await t.api.post('/contacts', { contacts: batch }, { key: WRONG_KEY }));
    note('POST', '/contacts', 'integration', await t.api.post('/contacts', { contacts: [{ externalId: 'x', email: 'not an email@' }] }));
    note('POST', '/users', 'admin', await t.api.post('/users', { name: 'Owner', email: `owner.${run}@example.com` }, { key: ADMIN_KEY }));
    note('GET', '/users', 'integration', await t.api.get('/users'));
    note('GET', '/health', 'integration', await t.api.get('/health'));
  });
  afterAll(() => t.close());

  it('are JSON, one object per line', () => {
    expect(logs.lines.length).toBeGreaterThan(answers.length);
    for (const line of logs.lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('have one line per request with its id, method, route template, status, duration and key fingerprint', () => {
    const lines = logs.requestLines();
    expect(lines).toHaveLength(answers.length);
    for (const answer of answers) {
      expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
      const line = lines.find((l) => l.requestId === answer.requestId);
      expect(line).toMatchObject({ method: answer.method, route: answer.route, status: answer.status, durationMs: expect.any(Number) });
      expect(line!.key === null).toBe(answer.key === null);
      if (answer.key) expect(line!.key).toMatch(/^[0-9a-f]{8}$/);
    }
    const keys = new Set(lines.filter((l) => l.key).map((l) => l.key));
    expect(keys.size).toBe(2); // the integration key and the admin key, told apart
  });

  it('hold no email, no key, no request body, no query string', () => {
    const text = logs.lines.join('\n');
    for (const email of [...emails, `owner.${run}@example.com`]) {
      expect(text).not.toContain(email);
      expect(text.toLowerCase()).not.toContain(email.toLowerCase());
    }
    expect(text).not.toMatch(EMAIL);
    for (const key of [INTEGRATION_KEY, ADMIN_KEY, WRONG_KEY]) expect(text).not.toContain(key);
    expect(text).not.toContain(String(batch[0].firstName));
    expect(text).not.toContain('?email=');
    expect(text).not.toMatch(/x-api-key/i);
  });

  it('carry the request id on the error a failing request logs', async () => {
    await t.dataSource.query('DROP TABLE contacts');
    const res = await t.api.get('/contacts');
    expect(res.status).toBe(500);
    const requestId = res.headers.get('x-request-id');
    const related = logs.records.filter((r) => r.requestId === requestId);
    expect(related.some((r) => r.msg === 'request failed' && r.status === 500 && r.level === 'error')).toBe(true);
    expect(related.some((r) => r.msg !== 'request failed' && r.level === 'error')).toBe(true);
  });
});
