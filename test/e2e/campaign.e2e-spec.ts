// A campaign as Enginy runs it: messages logged as activities on the exported lead (re-sent after a
// timeout, answered by the lead), and a sequence's tasks created, read and completed in batches.
// Retries and concurrent copies land once: the database rows say so.
import { ADMIN_KEY, INTEGRATION_KEY } from '../support/keys.js';
import { lead, runId } from '../support/factories.js';
import { type TestApp, useTestApp } from '../support/test-app.js';

const rows = async (t: TestApp, sql: string, params: unknown[] = []): Promise<number> =>
  Number((await t.dataSource.query(sql, params))[0].n);

describe('Campaign: a LinkedIn conversation logged on the lead', () => {
  const t = useTestApp();
  const run = runId();
  let contactId: string;
  let ownerId: string;

  beforeAll(async () => {
    ownerId = (await t.api.post('/users', { name: 'SDR' }, { key: ADMIN_KEY })).body.id;
    const exported = await t.api.post('/contacts', { contacts: [{ ...lead(run, 1), ownerId }] });
    contactId = exported.body.results[0].crmId;
  });

  const outbound = () => ({
    type: 'LINKEDIN',
    direction: 'OUTBOUND',
    body: 'Hi Jane, loved your talk. Open to a chat?',
    ownerId,
    contactId,
    occurredAt: '2026-11-28T10:15:00.000Z',
    metadata: { messageId: `li-${run}-1`, sequenceIndex: 1, sequenceMessageCount: 3 },
    campaignName: 'Q4 Outbound',
  });

  it('logs the outbound message, and its retry after a timeout returns the same id and stores nothing', async () => {
    const first = await t.api.post('/activities', outbound());
    expect(first.status).toBe(201);
    // Enginy's request timed out on its side: it sends the same message again.
    const retry = await t.api.post('/activities', outbound());
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    expect(await rows(t, 'SELECT COUNT(*) AS n FROM activities WHERE contact_id = ?', [contactId])).toBe(1);
  });

  it('stores a message once when the first send was cut off by the client before it saw the answer', async () => {
    const message = { ...outbound(), metadata: { messageId: `li-${run}-2` }, occurredAt: '2026-11-28T10:20:00.000Z' };
    const controller = new AbortController();
    const cut = fetch(`${t.url}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': INTEGRATION_KEY },
      body: JSON.stringify(message),
      signal: controller.signal,
    }).catch(() => undefined);
    controller.abort();
    await cut;
    const retry = await t.api.post('/activities', message);
    expect([200, 201]).toContain(retry.status);
    const again = await t.api.post('/activities', message);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(retry.body.id);
    expect(await rows(t, "SELECT COUNT(*) AS n FROM activities WHERE contact_id = ? AND occurred_at > '2026-11-28 10:16:00'", [contactId])).toBe(1);
  });

  it('logs the reply inbound, and the lead reads its conversation newest first', async () => {
    const reply = await t.api.post('/activities', {
      type: 'LINKEDIN',
      direction: 'INBOUND',
      body: 'Sure, next week works.',
      contactId,
      occurredAt: '2026-11-28T11:30:00Z',
      metadata: { messageId: `li-${run}-reply` },
    });
    expect(reply.status).toBe(201);
    const page = await t.api.get(`/contacts/${contactId}/activities`);
    expect(page.body.data.map((a: any) => [a.direction, a.metadata.messageId])).toEqual([
      ['INBOUND', `li-${run}-reply`],
      ['OUTBOUND', `li-${run}-2`],
      ['OUTBOUND', `li-${run}-1`],
    ]);
    expect(page.body.data[2]).toMatchObject({ ownerId, customFields: { campaignName: 'Q4 Outbound' } });
  });

  it('stores one activity for 8 concurrent copies of one message, and every copy answers its id', async () => {
    const message = { ...outbound(), metadata: { messageId: `li-${run}-burst` } };
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.api.post('/activities', message)));
    expect(answers.filter((res) => res.status === 201)).toHaveLength(1);
    expect(answers.filter((res) => res.status === 200)).toHaveLength(7);
    expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
    const stored = await t.dataSource.query('SELECT id FROM activities WHERE id = ?', [answers[0].body.id]);
    expect(stored).toHaveLength(1);
    expect(await rows(t, 'SELECT COUNT(*) AS n FROM activities WHERE contact_id = ?', [contactId])).toBe(4);
  });
});

describe('Campaign: a sequence of 50 tasks', () => {
  const t = useTestApp();
  const run = runId();
  let contactIds: string[];
  let taskIds: string[];

  beforeAll(async () => {
    const exported = await t.api.post('/contacts', { contacts: Array.from({ length: 50 }, (_, i) => lead(run, i)) });
    contactIds = exported.body.results.map((r: any) => r.crmId);
  });

  it('creates 50 tasks, one per lead, each with its own Idempotency-Key', async () => {
    taskIds = [];
    for (const [i, contactId] of contactIds.entries()) {
      const res = await t.api.post(
        '/tasks',
        { subject: `Call lead ${i}`, type: 'call', dueDate: '2026-12-01', contactId, sequenceStep: 2 },
        { headers: { 'Idempotency-Key': `seq-${run}-step-2-lead-${i}` } },
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ completed: false, completedAt: null, contactId });
      taskIds.push(res.body.id);
    }
    expect(await rows(t, 'SELECT COUNT(*) AS n FROM tasks')).toBe(50);
  });

  it('reads all 50 in one batch, in the order asked', async () => {
    const asked = [...taskIds].reverse();
    const res = await t.api.post('/tasks/batch', { ids: asked });
    expect(res.status).toBe(200);
    expect(res.body.map((task: any) => task.id)).toEqual(asked);
  });

  it('completes 30 in one batch, and reads back completedAt on those 30 only', async () => {
    const done = taskIds.slice(0, 30);
    const before = Date.now();
    const res = await t.api.patch('/tasks/batch', { ids: done, completed: true });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(30);
    const completedAt = res.body[0].completedAt;
    expect(Date.parse(completedAt)).toBeGreaterThanOrEqual(before - 5);
    expect(res.body.every((task: any) => task.completed && task.completedAt === completedAt)).toBe(true);

    const all = (await t.api.post('/tasks/batch', { ids: taskIds })).body;
    expect(all.slice(0, 30).every((task: any) => task.completed === true && task.completedAt === completedAt)).toBe(true);
    expect(all.slice(30).every((task: any) => task.completed === false && task.completedAt === null)).toBe(true);
    expect(await rows(t, 'SELECT COUNT(*) AS n FROM tasks WHERE completed = 1 AND completed_at IS NOT NULL')).toBe(30);
    const open = await t.api.get('/tasks?completed=false&limit=200');
    expect(open.body.data).toHaveLength(20);
  });

  it('re-sends a task step after a timeout without creating it twice (same Idempotency-Key)', async () => {
    const res = await t.api.post(
      '/tasks',
      { subject: 'Call lead 0', type: 'call', dueDate: '2026-12-01', contactId: contactIds[0], sequenceStep: 2 },
      { headers: { 'Idempotency-Key': `seq-${run}-step-2-lead-0` } },
    );
    expect(res.status).toBe(201);
    expect(res.body.id).toBe(taskIds[0]);
    // The answer kept is the first one: the task as created, open.
    expect(res.body.completed).toBe(false);
    expect(await rows(t, 'SELECT COUNT(*) AS n FROM tasks')).toBe(50);
  });

  it('stores one task for 8 concurrent POSTs with one Idempotency-Key', async () => {
    const key = `seq-${run}-burst`;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.api.post('/tasks', { subject: 'Burst', contactId: contactIds[1] }, { headers: { 'Idempotency-Key': key } })),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
    expect(await rows(t, "SELECT COUNT(*) AS n FROM tasks WHERE subject = 'Burst'")).toBe(1);
  });
});
