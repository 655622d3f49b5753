// Enginy's export, end to end: realistic batches in, every field read back, retries and concurrent
// copies change nothing, and the database holds exactly one row per lead.
import { createTestApp, type TestApp, useTestApp } from '../support/test-app.js';
import { CUSTOM_FIELDS, DOCUMENTED_FIELDS, leads, runId } from '../support/factories.js';

const countRows = async (t: TestApp): Promise<number> =>
  Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM contacts'))[0].n);

describe('Export: three batches of 100 leads', () => {
  let t: TestApp;
  const run = runId();
  const batches = [0, 1, 2].map((b) => leads(run, 100, b * 100));
  const crmIdOf = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates every lead and answers its crmId', async () => {
    for (const batch of batches) {
      const res = await t.api.post('/contacts', { contacts: batch });
      expect(res.status).toBe(201);
      expect(res.body.errors).toEqual([]);
      expect(res.body.results).toHaveLength(100);
      for (const [i, result] of res.body.results.entries()) {
        expect(result).toEqual({ externalId: batch[i].externalId, crmId: expect.any(String), status: 'created' });
        crmIdOf.set(result.externalId, result.crmId);
      }
    }
    expect(new Set(crmIdOf.values()).size).toBe(300);
    expect(await countRows(t)).toBe(300);
  });

  it('reads every lead back by crmId with every field it carried', async () => {
    for (const lead of batches.flat()) {
      const res = await t.api.get(`/contacts/${crmIdOf.get(lead.externalId as string)}`);
      expect(res.status).toBe(200);
      const contact = res.body;
      expect(contact.externalId).toBe(lead.externalId);
      for (const field of DOCUMENTED_FIELDS) expect([field, contact[field]]).toEqual([field, lead[field]]);
      expect(contact.ownerId).toBeNull();
      expect(contact.customFields).toEqual(Object.fromEntries(CUSTOM_FIELDS.map((k) => [k, lead[k]])));
      expect(Date.parse(contact.createdAt)).not.toBeNaN();
    }
  });

  it('returns the same crmIds when a batch is re-sent, and stores nothing new', async () => {
    const res = await t.api.post('/contacts', { contacts: batches[1] });
    expect(res.status).toBe(201);
    for (const result of res.body.results) {
      expect(result).toEqual({ externalId: result.externalId, crmId: crmIdOf.get(result.externalId), status: 'existing' });
    }
    expect(await countRows(t)).toBe(300);
  });

  it('leaves a stored contact unchanged when a re-sent lead carries different values', async () => {
    const changed = { ...batches[0][0], firstName: 'Changed', extra: 'new' };
    const res = await t.api.post('/contacts', { contacts: [changed] });
    expect(res.body.results[0].status).toBe('existing');
    const stored = (await t.api.get(`/contacts/${res.body.results[0].crmId}`)).body;
    expect(stored.firstName).toBe(batches[0][0].firstName);
    expect(stored.customFields.extra).toBeUndefined();
  });

  it('finds a lead by email whatever its case', async () => {
    const lead = batches[2][5];
    const res = await t.api.get(`/contacts?email=${encodeURIComponent(String(lead.email).toUpperCase())}`);
    expect(res.body.data.map((c: { externalId: string }) => c.externalId)).toEqual([lead.externalId]);
  });
});

describe('Export: a mixed batch of good and bad leads', () => {
  const t = useTestApp();
  const run = runId();

  it('stores the good ones, reports each bad one with a reason, and loses nothing', async () => {
    const good = leads(run, 6);
    const contacts: unknown[] = [
      good[0],
      { ...good[1], email: 'broken@' },
      good[2],
      null,
      { ...good[3], externalId: undefined },
      good[4],
      { ...good[5], title: ['not', 'text'] },
      good[0], // the same lead twice: one contact, both items get its crmId
    ];
    const res = await t.api.post('/contacts', { contacts });
    expect(res.status).toBe(201);
    const resultIds = res.body.results.map((r: { externalId: string }) => r.externalId);
    expect(resultIds).toEqual([good[0].externalId, good[2].externalId, good[4].externalId, good[0].externalId]);
    expect(res.body.results[0].crmId).toBe(res.body.results[3].crmId);
    expect(res.body.errors.map((e: { index: number; code: string }) => [e.index, e.code])).toEqual([
      [1, 'INVALID_EMAIL'],
      [3, 'NOT_AN_OBJECT'],
      [4, 'MISSING_EXTERNAL_ID'],
      [6, 'INVALID_FIELD'],
    ]);
    // Every item exactly once, in results or errors.
    expect(res.body.results.length + res.body.errors.length).toBe(contacts.length);
    expect(await countRows(t)).toBe(3);
  });
});

describe('Export: eight concurrent copies of one batch', () => {
  const t = useTestApp();
  const run = runId();

  it('creates each contact once, and every copy answers the same crmIds', async () => {
    const batch = leads(run, 100);
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.api.post('/contacts', { contacts: batch })));
    for (const res of answers) {
      expect(res.status).toBe(201);
      expect(res.body.errors).toEqual([]);
    }
    const crmIds = answers.map((res) => res.body.results.map((r: { crmId: string }) => r.crmId).join());
    expect(new Set(crmIds).size).toBe(1);
    const created = answers.flatMap((res) => res.body.results.filter((r: { status: string }) => r.status === 'created'));
    expect(created).toHaveLength(100);
    expect(await countRows(t)).toBe(100);
  });
});
