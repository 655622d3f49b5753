// Enginy's sync, end to end: export leads, then ask which of a mix of known, unknown and differently
// spelled leads exist, push engagement fields twice, let 16 writers update one contact at once, and 8
// batches update the same contacts in different orders.
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/database/data-source.js';
import { ADMIN_KEY } from '../support/keys.js';
import { leads, runId } from '../support/factories.js';
import { createTestApp, type TestApp, useTestApp } from '../support/test-app.js';

type SyncResult = { externalId: string; crmId: string; matchedBy: string };

describe('Sync after an export, as Enginy runs it', () => {
  // 16 concurrent writers of one key: the whole service is theirs (the default per-key share answers 429 past 8 batches).
  const t = useTestApp({ SYNC_PROPERTIES: 'campaignEngagementStatus,leadScore', KEY_SHARE_PERCENT: '100', MAX_BATCHES_IN_FLIGHT: '32' });
  const run = runId();
  const exported = leads(run, 40);
  const crmIdOf = new Map<string, string>();

  beforeAll(async () => {
    const res = await t.api.post('/contacts', { contacts: exported });
    for (const r of res.body.results) crmIdOf.set(r.externalId, r.crmId);
  });

  it('finds known leads under every spelling, by the right rule, and leaves unknown ones out', async () => {
    const lead = (n: number) => exported[n] as { externalId: string; email: string; linkedinUrl: string };
    const res = await t.api.post<{ results: SyncResult[]; errors: unknown[] }>('/contacts/sync', {
      contacts: [
        lead(0),
        { ...lead(1), externalId: `enginy-new-1-${run}`, email: lead(1).email.toUpperCase() },
        { externalId: `enginy-new-2-${run}`, email: ` ${lead(2).email.toLowerCase()}`.trim(), linkedinUrl: lead(5).linkedinUrl },
        { externalId: `enginy-new-3-${run}`, linkedinUrl: lead(3).linkedinUrl.replace('https://www.', 'http://ES.').replace(/\/$/, '?trk=people') },
        { externalId: `enginy-new-4-${run}`, linkedinUrl: `linkedin.com/in/${run}-4` },
        { externalId: `enginy-new-5-${run}`, linkedinUrl: `https://www.linkedin.com/in/${encodeURIComponent(`${run}-5`)}#about` },
        { externalId: `enginy-unknown-${run}`, email: `nobody-${run}@example.com`, linkedinUrl: `https://www.linkedin.com/in/nobody-${run}` },
        { externalId: `enginy-company-page-${run}`, linkedinUrl: `https://www.linkedin.com/company/${run}-6` },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.results.map((r) => [r.externalId, r.crmId, r.matchedBy])).toEqual([
      [lead(0).externalId, crmIdOf.get(lead(0).externalId), 'externalId'],
      [`enginy-new-1-${run}`, crmIdOf.get(lead(1).externalId), 'email'],
      [`enginy-new-2-${run}`, crmIdOf.get(lead(2).externalId), 'email'],
      [`enginy-new-3-${run}`, crmIdOf.get(lead(3).externalId), 'linkedinUrl'],
      [`enginy-new-4-${run}`, crmIdOf.get(lead(4).externalId), 'linkedinUrl'],
      [`enginy-new-5-${run}`, crmIdOf.get(lead(5).externalId), 'linkedinUrl'],
    ]);
  });

  it('merges engagement fields pushed twice, and never erases a field the update did not name', async () => {
    const crmId = crmIdOf.get(exported[7].externalId as string)!;
    const before = (await t.api.get(`/contacts/${crmId}`)).body;
    await t.api.put('/contacts', { contacts: [{ crmId, campaignEngagementStatus: 'Opened', campaignOpens: 1, activities: ['email_opened'] }] });
    await t.api.put('/contacts', { contacts: [{ crmId, campaignSequenceStatus: 'Replied', campaignClicks: 2, campaignOpens: 4 }] });
    const after = (await t.api.get(`/contacts/${crmId}`)).body;
    expect(after).toEqual({
      ...before,
      customFields: {
        ...before.customFields,
        campaignEngagementStatus: 'Opened',
        campaignSequenceStatus: 'Replied',
        campaignOpens: 4,
        campaignClicks: 2,
        activities: ['email_opened'],
      },
      updatedAt: expect.any(String),
    });
    const rows = await t.dataSource.query(`SELECT custom_fields AS c FROM contacts WHERE crm_id = ?`, [crmId]);
    expect(JSON.parse(rows[0].c)).toEqual(after.customFields);
    const sync = await t.api.post('/contacts/sync', { contacts: [{ externalId: exported[7].externalId }] });
    expect(sync.body.results[0].properties).toEqual({ updatedAt: after.updatedAt, campaignEngagementStatus: 'Opened', leadScore: before.customFields.leadScore });
  });

  it('loses nothing when 16 updaters write different keys of one contact at the same time', async () => {
    const crmId = crmIdOf.get(exported[8].externalId as string)!;
    const writers = Array.from({ length: 16 }, (_, i) =>
      t.api.put('/contacts', { contacts: [{ crmId, [`engagement${i}`]: i, title: `Title ${i}` }] }),
    );
    const answers = await Promise.all(writers);
    expect(answers.map((a) => [a.status, a.body.results[0].success])).toEqual(Array.from({ length: 16 }, () => [200, true]));
    const after = (await t.api.get(`/contacts/${crmId}`)).body;
    for (let i = 0; i < 16; i++) expect([i, after.customFields[`engagement${i}`]]).toEqual([i, i]);
    expect(after.customFields.leadScore).toBe(exported[8].leadScore);
    expect(after.title).toMatch(/^Title \d+$/);
  });

  it('applies 8 concurrent batches that update the same 30 contacts in different orders, losing no key', async () => {
    const crmIds = exported.slice(10, 40).map((lead) => crmIdOf.get(lead.externalId as string)!);
    const batches = Array.from({ length: 8 }, (_, w) => {
      const order = w % 2 === 0 ? crmIds : [...crmIds].reverse();
      return order.map((crmId, i) => ({ crmId, [`writer${w}`]: i, phone: `+34 600 000 00${w}` }));
    });
    const deadlocks = async () => {
      const metrics = await t.api.get<string>('/metrics', { key: ADMIN_KEY, headers: { accept: 'text/plain' } });
      return Number(/^crm_db_retries_total\{reason="deadlock"\} (\d+)$/m.exec(metrics.text)?.[1]);
    };
    const before = await deadlocks();
    const answers = await Promise.all(batches.map((contacts) => t.api.put('/contacts', { contacts })));
    // The records are locked in crmId order whatever the items' order: the batches wait, never deadlock.
    expect(await deadlocks()).toBe(before);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toEqual([]);
    }
    for (const crmId of crmIds) {
      const { customFields, phone } = (await t.api.get(`/contacts/${crmId}`)).body;
      for (let w = 0; w < 8; w++) expect(typeof customFields[`writer${w}`]).toBe('number');
      expect(phone).toMatch(/^\+34 600 000 00[0-7]$/);
    }
  });
});

describe('The LinkedIn matching key of contacts stored before its migration', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('is filled by the migration, so that sync finds them', async () => {
    t = await createTestApp({ DB_MIGRATE: 'false' });
    const earlier = new DataSource({ ...t.dataSource.options, migrations: MIGRATIONS.filter((m) => Number(/\d+$/.exec(m.name)![0]) < 1764700000000) } as never);
    await earlier.initialize();
    try {
      await earlier.runMigrations();
      const stamp = '2026-01-01 00:00:00.000';
      for (const [i, url] of ['https://www.linkedin.com/in/Old-Timer/', 'https://www.linkedin.com/company/acme', null].entries()) {
        await earlier.query(
          'INSERT INTO contacts (crm_id, external_id, linkedin_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
          [`0197a3f2-6c1e-7b3a-9d2e-00000000000${i}`, `old-${i}`, url, stamp, stamp],
        );
      }
    } finally {
      await earlier.destroy();
    }
    await t.dataSource.runMigrations();
    const rows = await t.dataSource.query('SELECT external_id AS e, linkedin_normalized AS k FROM contacts ORDER BY external_id');
    expect(rows.map((r: { e: string; k: string | null }) => [r.e, r.k])).toEqual([
      ['old-0', 'in/old-timer'],
      ['old-1', null],
      ['old-2', null],
    ]);
    const sync = await t.api.post('/contacts/sync', { contacts: [{ externalId: 'new', linkedinUrl: 'linkedin.com/in/old-timer' }] });
    expect(sync.body.results).toEqual([expect.objectContaining({ crmId: '0197a3f2-6c1e-7b3a-9d2e-000000000000', matchedBy: 'linkedinUrl' })]);
  });
});
