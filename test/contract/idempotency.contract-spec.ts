// Idempotency-Key on every POST that creates one record: POST /activities, POST /tasks, POST /users.
import { createHash, randomUUID } from 'node:crypto';
import { ADMIN_KEY, INTEGRATION_KEY } from '../support/keys.js';
import { runId } from '../support/factories.js';
import { createTestApp, type TestApp, useTestApp } from '../support/test-app.js';

const count = async (t: TestApp, table: string): Promise<number> => Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

const INSERT_CLAIM =
  'INSERT INTO idempotency_keys (id, scope, key_hash, request_hash, created_at, expires_at, status, response) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)';

describe('Idempotency-Key', () => {
  const t = useTestApp();
  const run = runId();
  let contactId: string;

  beforeAll(async () => {
    contactId = (await t.api.post('/contacts', { contacts: [{ externalId: `idem-${run}` }] })).body.results[0].crmId;
  });

  const withKey = (key: string, extra: Record<string, string> = {}) => ({ headers: { 'Idempotency-Key': key, ...extra } });

  describe.each([
    ['POST /tasks', '/tasks', 'tasks', () => ({ subject: 'Call', contactId }), INTEGRATION_KEY],
    ['POST /activities', '/activities', 'activities', () => ({ type: 'EMAIL', contactId, subject: 'Hi' }), INTEGRATION_KEY],
    ['POST /users', '/users', 'users', () => ({ name: `User ${runId()}` }), ADMIN_KEY],
  ])('%s', (_name, path, table, body, key) => {
    it('answers the first answer again (status and body) to the same key and body, and creates nothing more', async () => {
      const sent = body();
      const idem = `retry-${runId()}`;
      const before = await count(t, table);
      const first = await t.api.post(path, sent, { key, ...withKey(idem) });
      expect(first.status).toBe(201);
      // The same JSON with its keys in another order is the same request.
      const reordered = Object.fromEntries(Object.entries(sent).reverse());
      const again = await t.api.post(path, reordered, { key, ...withKey(idem) });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(await count(t, table)).toBe(before + 1);
    });

    it('answers 409 to the same key with a different body, and creates nothing', async () => {
      const idem = `conflict-${runId()}`;
      const first = await t.api.post(path, body(), { key, ...withKey(idem) });
      expect(first.status).toBe(201);
      const before = await count(t, table);
      const other = await t.api.post(path, { ...body(), extraKey: 'different' }, { key, ...withKey(idem) });
      expect(other.status).toBe(409);
      expect(other.body).toEqual({ error: 'conflict', message: expect.stringContaining('different request') });
      expect(await count(t, table)).toBe(before);
    });

    it('creates a record per request without a key, and per distinct key', async () => {
      const sent = body();
      const before = await count(t, table);
      const a = await t.api.post(path, sent, { key, ...withKey(`a-${runId()}`) });
      const b = await t.api.post(path, table === 'users' ? body() : sent, { key, ...withKey(`b-${runId()}`) });
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(b.body.id).not.toBe(a.body.id);
      expect(await count(t, table)).toBe(before + 2);
    });
  });

  it('keeps keys apart per API key: the same key from another API key is another request', async () => {
    const idem = `scoped-${runId()}`;
    const a = await t.api.post('/tasks', { subject: 'Scoped' }, withKey(idem));
    const b = await t.api.post('/tasks', { subject: 'Scoped' }, { key: ADMIN_KEY, ...withKey(idem) });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('releases the key after an error answer: the request can be sent again, fixed, with the same key', async () => {
    const idem = `fix-${runId()}`;
    const bad = await t.api.post('/tasks', { subject: 'Fix me', contactId: '0197a3f2-6c1e-7b3a-9d2e-1f4a5b6c7d8e' }, withKey(idem));
    expect(bad.status).toBe(422);
    const fixed = await t.api.post('/tasks', { subject: 'Fix me', contactId }, withKey(idem));
    expect(fixed.status).toBe(201);
    const invalid = await t.api.post('/tasks', { subject: '' }, withKey(`invalid-${runId()}`));
    expect(invalid.status).toBe(400);
  });

  it('answers 200 again when the first answer was a re-sent message (200)', async () => {
    const sent = { type: 'LINKEDIN', contactId, metadata: { messageId: `idem-msg-${run}` } };
    expect((await t.api.post('/activities', sent)).status).toBe(201);
    const idem = `msg-${runId()}`;
    const first = await t.api.post('/activities', sent, withKey(idem));
    const again = await t.api.post('/activities', sent, withKey(idem));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
  });

  it.each([
    ['an empty key', ''],
    ['a key with a space', 'has space'],
    ['a key over 255 characters', 'k'.repeat(256)],
    ['a key with a non-ASCII character', 'clé'],
  ])('answers 400 to %s, and creates nothing', async (_, idem) => {
    const before = await count(t, 'tasks');
    const res = await t.api.request('POST', '/tasks', { body: { subject: 'x' }, headers: { 'Idempotency-Key': idem } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('Idempotency-Key');
    expect(await count(t, 'tasks')).toBe(before);
  });

  it('is stored once per API key and key, whatever the key (a hash, not the key itself)', async () => {
    const idem = `Stored-${runId()}`;
    await t.api.post('/tasks', { subject: 'stored' }, withKey(idem));
    const rows = await t.dataSource.query('SELECT key_hash, scope, status FROM idempotency_keys');
    expect(JSON.stringify(rows)).not.toContain(idem);
    expect(JSON.stringify(rows)).not.toContain(INTEGRATION_KEY);
    expect(rows.every((row: any) => /^[0-9a-f]{64}$/.test(row.key_hash) && /^[0-9a-f]{32}$/.test(row.scope))).toBe(true);
  });

  it('answers 409 "still running" when the first request with the key has not answered within 5 s', async () => {
    const idem = `running-${runId()}`;
    const now = new Date().toISOString().replace('T', ' ').slice(0, 23);
    await t.dataSource.query(INSERT_CLAIM, [...claimRow(idem, { subject: 'Slow' }, now), '9999-01-01 00:00:00.000']);
    const started = Date.now();
    const res = await t.api.post('/tasks', { subject: 'Slow' }, withKey(idem));
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('still running');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
  });

  it('takes over a key whose first request never answered (its process died) after a minute', async () => {
    const idem = `abandoned-${runId()}`;
    await t.dataSource.query(INSERT_CLAIM, [...claimRow(idem, { subject: 'Orphan' }, '2026-01-01 00:00:00.000'), '9999-01-01 00:00:00.000']);
    const res = await t.api.post('/tasks', { subject: 'Orphan' }, withKey(idem));
    expect(res.status).toBe(201);
    expect((await t.api.post('/tasks', { subject: 'Orphan' }, withKey(idem))).body.id).toBe(res.body.id);
  });

  it('forgets a key once it has expired: the same key is then a new request', async () => {
    const idem = `expired-${runId()}`;
    const first = await t.api.post('/tasks', { subject: 'Old' }, withKey(idem));
    await t.dataSource.query('UPDATE idempotency_keys SET expires_at = ?', [onPast()]);
    const again = await t.api.post('/tasks', { subject: 'Old' }, withKey(idem));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.body.id);
  });
});

/** The row the first request with `idem` would hold while it runs (hashes as the service makes them). */
function claimRow(idem: string, body: unknown, createdAt: string) {
  const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  return [
    randomUUID(),
    createHash('sha256').update(INTEGRATION_KEY, 'utf8').digest().subarray(0, 16).toString('hex'),
    sha(idem),
    sha(`POST /tasks\n${JSON.stringify(body)}`),
    createdAt,
  ];
}

/** A DATETIME in the past, as both databases take it in a raw query. */
function onPast(): string {
  return '2000-01-01 00:00:00.000';
}

describe('Idempotency-Key: concurrent requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('8 concurrent POST /tasks with one key store one task, and all answer it', async () => {
    const idem = `concurrent-${runId()}`;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.api.post('/tasks', { subject: 'Only once', type: 'call' }, { headers: { 'Idempotency-Key': idem } })),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
    expect(await count(t, 'tasks')).toBe(1);
    expect(await count(t, 'idempotency_keys')).toBe(1);
  });
});
