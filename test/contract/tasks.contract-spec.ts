import { ADMIN_KEY } from '../support/keys.js';
import { runId } from '../support/factories.js';
import { type TestApp, useTestApp } from '../support/test-app.js';

const UNKNOWN_ID = '0197a3f2-7b00-7d3a-8d2e-1f4a5b6c7e99';

const countTasks = async (t: TestApp): Promise<number> => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM tasks'))[0].n);

describe('Tasks', () => {
  const t = useTestApp();
  const run = runId();
  let contactId: string;
  let ownerId: string;
  let formerId: string;

  beforeAll(async () => {
    contactId = (await t.api.post('/contacts', { contacts: [{ externalId: `task-lead-${run}` }] })).body.results[0].crmId;
    ownerId = (await t.api.post('/users', { name: 'Owner' }, { key: ADMIN_KEY })).body.id;
    formerId = (await t.api.post('/users', { name: 'Former' }, { key: ADMIN_KEY })).body.id;
    await t.api.patch(`/users/${formerId}`, { active: false }, { key: ADMIN_KEY });
  });

  const create = (body: Record<string, unknown>) => t.api.post('/tasks', body);

  describe('POST /tasks', () => {
    it('creates an open task and answers it with its id (201); a bare dueDate is midnight UTC', async () => {
      const res = await create({ subject: 'Call Jane', description: 'Pricing', type: 'call', ownerId, dueDate: '2026-12-01', contactId, sequenceStep: 3 });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        subject: 'Call Jane',
        description: 'Pricing',
        type: 'call',
        ownerId,
        dueDate: '2026-12-01T00:00:00.000Z',
        contactId,
        companyId: null,
        completed: false,
        completedAt: null,
        customFields: { sequenceStep: 3 },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await t.api.get(`/tasks/${res.body.id}`)).body).toEqual(res.body);
    });

    it('takes a subject alone, null as absent, and a dueDate with an offset', async () => {
      const res = await create({ subject: 'Follow up', description: null, dueDate: '2026-12-01T09:30:00-05:00' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ description: null, contactId: null, dueDate: '2026-12-01T14:30:00.000Z' });
    });

    it('answers 422 naming the field for an unknown contact, an unknown owner or a deactivated one; stores nothing', async () => {
      const before = await countTasks(t);
      for (const [field, body] of [
        ['contactId', { subject: 'x', contactId: UNKNOWN_ID }],
        ['companyId', { subject: 'x', companyId: UNKNOWN_ID }],
        ['ownerId', { subject: 'x', ownerId: UNKNOWN_ID }],
        ['ownerId', { subject: 'x', ownerId: formerId, contactId }],
      ] as const) {
        const res = await create(body);
        expect(res.status).toBe(422);
        expect(res.body).toEqual({ error: 'unprocessable_entity', message: expect.stringContaining(field) });
      }
      const both = await create({ subject: 'x', ownerId: UNKNOWN_ID, contactId: UNKNOWN_ID });
      expect(both.body.message).toMatch(/contactId.*ownerId/);
      expect(await countTasks(t)).toBe(before);
    });

    it.each([
      ['no subject', { description: 'x' }],
      ['a blank subject', { subject: '   ' }],
      ['a subject over 500 characters', { subject: 's'.repeat(501) }],
      ['a type over 100 characters', { subject: 'x', type: 't'.repeat(101) }],
      ['a dueDate that is not ISO 8601', { subject: 'x', dueDate: '12/01/2026' }],
      ['a dueDate in year 10000', { subject: 'x', dueDate: '10000-01-01' }],
      ['a subject that is a number', { subject: 42 }],
    ])('answers 400 to %s', async (_, body) => {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('bad_request');
    });

    it('answers 401 without a key and 415 to a body that is not JSON', async () => {
      expect((await t.api.post('/tasks', { subject: 'x' }, { key: null })).status).toBe(401);
      expect((await t.api.request('POST', '/tasks', { raw: 'subject=x', contentType: 'text/plain' })).status).toBe(415);
    });
  });

  describe('GET /tasks/{id} and PATCH /tasks/{id}', () => {
    it('answers 404 for an unknown id, 400 for one that is not a UUID', async () => {
      expect((await t.api.get(`/tasks/${UNKNOWN_ID}`)).status).toBe(404);
      expect((await t.api.patch(`/tasks/${UNKNOWN_ID}`, { completed: true })).status).toBe(404);
      expect((await t.api.get('/tasks/nope')).status).toBe(400);
      expect((await t.api.get(`/tasks/${UNKNOWN_ID}`, { key: null })).status).toBe(401);
      expect((await t.api.patch(`/tasks/${UNKNOWN_ID}`, { completed: true }, { key: null })).status).toBe(401);
    });

    it('updates only the keys sent, clears with null, merges unknown keys', async () => {
      const task = (await create({ subject: 'Draft', description: 'd', type: 'email', dueDate: '2026-12-01', contactId, a: 1 })).body;
      const res = await t.api.patch(`/tasks/${task.id}`, { subject: 'Final', description: null, ownerId, b: 2 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ subject: 'Final', description: null, type: 'email', ownerId, dueDate: task.dueDate, contactId, customFields: { a: 1, b: 2 } });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(task.updatedAt));
    });

    it('completes a task with the server time, keeps the first time when completed again, and reopens it', async () => {
      const task = (await create({ subject: 'Complete me' })).body;
      const before = Date.now();
      const done = await t.api.patch(`/tasks/${task.id}`, { completed: true });
      expect(done.status).toBe(200);
      expect(done.body.completed).toBe(true);
      expect(Date.parse(done.body.completedAt)).toBeGreaterThanOrEqual(before - 5);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const again = await t.api.patch(`/tasks/${task.id}`, { completed: true });
      expect(again.body.completedAt).toBe(done.body.completedAt);
      const reopened = await t.api.patch(`/tasks/${task.id}`, { completed: false });
      expect(reopened.body).toMatchObject({ completed: false, completedAt: null });
    });

    it('answers 422 to a reference that names nothing, and changes nothing', async () => {
      const task = (await create({ subject: 'Keep me' })).body;
      const res = await t.api.patch(`/tasks/${task.id}`, { subject: 'Changed', contactId: UNKNOWN_ID });
      expect(res.status).toBe(422);
      expect(res.body.message).toContain('contactId');
      expect((await t.api.get(`/tasks/${task.id}`)).body.subject).toBe('Keep me');
    });

    it.each([
      ['a null subject', { subject: null }],
      ['a completed that is not a boolean', { completed: 'yes' }],
      ['a bad dueDate', { dueDate: 'soon' }],
    ])('answers 400 to %s', async (_, body) => {
      const task = (await create({ subject: 'x' })).body;
      expect((await t.api.patch(`/tasks/${task.id}`, body)).status).toBe(400);
    });

    it('answers 415 to a body that is not JSON', async () => {
      const task = (await create({ subject: 'x' })).body;
      expect((await t.api.request('PATCH', `/tasks/${task.id}`, { raw: 'completed=true', contentType: 'text/plain' })).status).toBe(415);
    });
  });

  describe('POST /tasks/batch and PATCH /tasks/batch', () => {
    it('reads the tasks found as a bare array, in the order asked, unknown ids left out, repeats once', async () => {
      const a = (await create({ subject: 'A' })).body;
      const b = (await create({ subject: 'B' })).body;
      const res = await t.api.post('/tasks/batch', { ids: [b.id, UNKNOWN_ID, a.id, b.id, a.id.toUpperCase()], extra: 'ignored' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([b, a]);
    });

    it('completes many tasks in one request and answers them, keeping the first completedAt of those already completed', async () => {
      const a = (await create({ subject: 'A' })).body;
      const b = (await create({ subject: 'B' })).body;
      const first = (await t.api.patch(`/tasks/${a.id}`, { completed: true })).body.completedAt;
      await new Promise((resolve) => setTimeout(resolve, 20));
      const res = await t.api.patch('/tasks/batch', { ids: [a.id, b.id, UNKNOWN_ID], completed: true });
      expect(res.status).toBe(200);
      expect(res.body.map((task: any) => [task.id, task.completed])).toEqual([[a.id, true], [b.id, true]]);
      expect(res.body[0].completedAt).toBe(first);
      expect(Date.parse(res.body[1].completedAt)).toBeGreaterThan(Date.parse(first));
      const reopened = await t.api.patch('/tasks/batch', { ids: [a.id, b.id], completed: false });
      expect(reopened.body.map((task: any) => [task.completed, task.completedAt])).toEqual([[false, null], [false, null]]);
    });

    it('is routed before /tasks/{id}: PATCH /tasks/batch is never taken for a task id', async () => {
      const task = (await create({ subject: 'Routed' })).body;
      const res = await t.api.patch('/tasks/batch', { ids: [task.id], completed: true });
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body)).toBe(true);
      expect(res.body[0]).toMatchObject({ id: task.id, completed: true });
      // Without ids it is the batch's own 400 (about ids), not the path id check of /tasks/{id}.
      const missing = await t.api.patch('/tasks/batch', { completed: true });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('ids');
      expect(missing.body.message).not.toContain('must be a UUID.');
      expect((await t.api.post('/tasks/batch', {})).body.message).toContain('ids');
    });

    it.each([
      ['POST', { ids: [] }],
      ['POST', { ids: ['not-a-uuid'] }],
      ['POST', { ids: 'x' }],
      ['PATCH', { ids: [UNKNOWN_ID] }],
      ['PATCH', { ids: [UNKNOWN_ID], completed: 'yes' }],
    ])('%s answers 400 to %j', async (method, body) => {
      expect((await t.api.request(method, '/tasks/batch', { body })).status).toBe(400);
    });

    it('answers 401 without a key and 415 to a body that is not JSON', async () => {
      for (const method of ['POST', 'PATCH']) {
        expect((await t.api.request(method, '/tasks/batch', { body: { ids: [UNKNOWN_ID], completed: true }, key: null })).status).toBe(401);
        expect((await t.api.request(method, '/tasks/batch', { raw: 'ids=1', contentType: 'text/plain' })).status).toBe(415);
      }
    });
  });

  describe('GET /tasks', () => {
    it('lists newest first, page by page, with filters that combine', async () => {
      const lead = (await t.api.post('/contacts', { contacts: [{ externalId: `list-lead-${run}` }] })).body.results[0].crmId;
      const made = [];
      for (const [i, dueDate] of ['2026-12-01', '2026-12-05', null, '2026-11-20T12:00:00Z'].entries()) {
        made.push((await create({ subject: `L${i}`, contactId: lead, ownerId, dueDate })).body);
      }
      await t.api.patch(`/tasks/${made[1].id}`, { completed: true });

      const all: any[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await t.api.get(`/tasks?contactId=${lead}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        all.push(...res.body.data);
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(all.map((task) => task.subject)).toEqual(['L3', 'L2', 'L1', 'L0']);

      const open = await t.api.get(`/tasks?contactId=${lead}&completed=false`);
      expect(open.body.data.map((task: any) => task.subject)).toEqual(['L3', 'L2', 'L0']);
      const due = await t.api.get(`/tasks?contactId=${lead}&dueBefore=2026-12-02&ownerId=${ownerId}`);
      expect(due.body.data.map((task: any) => task.subject)).toEqual(['L3', 'L0']);
      const done = await t.api.get(`/tasks?contactId=${lead}&completed=true&dueBefore=2026-12-31T00:00:00Z`);
      expect(done.body.data.map((task: any) => task.subject)).toEqual(['L1']);
    });

    it.each([['completed=maybe'], ['dueBefore=tomorrow'], ['limit=201'], ['cursor=%00'], ['unknown=1']])('answers 400 to ?%s', async (query) => {
      expect((await t.api.get(`/tasks?${query}`)).status).toBe(400);
    });

    it('answers 401 without a key', async () => {
      expect((await t.api.get('/tasks', { key: null })).status).toBe(401);
    });
  });
});

describe('Tasks within MAX_BATCH_SIZE and BODY_LIMIT', () => {
  const t = useTestApp({ MAX_BATCH_SIZE: '3', BODY_LIMIT: '4kb' });

  it('answers 413 to more ids than MAX_BATCH_SIZE, and changes nothing', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await t.api.post('/tasks', { subject: `T${i}` })).body.id);
    for (const method of ['POST', 'PATCH']) {
      const res = await t.api.request(method, '/tasks/batch', { body: { ids, completed: true } });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ error: 'payload_too_large', message: expect.stringContaining('3') });
    }
    expect((await t.api.post('/tasks/batch', { ids: [ids[0], ids[1], ids[0]] })).status).toBe(200);
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM tasks WHERE completed = 1'))[0].n)).toBe(0);
  });

  it('answers 413 to a body over BODY_LIMIT on POST /tasks and PATCH /tasks/{id}', async () => {
    const task = (await t.api.post('/tasks', { subject: 'x' })).body;
    expect((await t.api.post('/tasks', { subject: 'x', description: 'd'.repeat(5000) })).status).toBe(413);
    expect((await t.api.patch(`/tasks/${task.id}`, { description: 'd'.repeat(5000) })).status).toBe(413);
  });
});
