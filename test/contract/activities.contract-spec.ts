import { ADMIN_KEY } from '../support/keys.js';
import { runId } from '../support/factories.js';
import { useTestApp } from '../support/test-app.js';

const UNKNOWN_ID = '0197a3f2-6c1e-7b3a-9d2e-1f4a5b6c7d8e';

describe('Activities', () => {
  const t = useTestApp();
  const run = runId();
  let contactId: string;
  let ownerId: string;

  beforeAll(async () => {
    const contacts = await t.api.post('/contacts', { contacts: [{ externalId: `lead-${run}`, email: `lead.${run}@example.com` }] });
    contactId = contacts.body.results[0].crmId;
    ownerId = (await t.api.post('/users', { name: 'Sales Rep' }, { key: ADMIN_KEY })).body.id;
  });

  const activity = (extra: Record<string, unknown> = {}) => ({
    type: 'EMAIL',
    direction: 'OUTBOUND',
    subject: 'Quick question',
    body: '<p>Hi <b>Jane</b>,</p><script>alert(1)</script>',
    contactId,
    ...extra,
  });

  describe('POST /activities', () => {
    it('stores the activity and answers it with its id (201), HTML body as sent, unknown keys kept', async () => {
      const sent = activity({ ownerId, occurredAt: '2026-11-28T11:15:00.000+01:00', metadata: { sequenceIndex: 1, nested: { a: [1, 2] } }, campaignName: 'Q4', score: 7 });
      const res = await t.api.post('/activities', sent);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'EMAIL',
        direction: 'OUTBOUND',
        subject: 'Quick question',
        body: sent.body,
        ownerId,
        occurredAt: '2026-11-28T10:15:00.000Z',
        contactId,
        companyId: null,
        metadata: { sequenceIndex: 1, nested: { a: [1, 2] } },
        customFields: { campaignName: 'Q4', score: 7 },
        createdAt: expect.any(String),
      });
      const read = await t.api.get(`/activities/${res.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
    });

    it('takes occurredAt as the time of the request when absent, and null as absent', async () => {
      const before = Date.now();
      const res = await t.api.post('/activities', activity({ occurredAt: null, direction: null, subject: null, metadata: null }));
      expect(res.status).toBe(201);
      expect(Date.parse(res.body.occurredAt)).toBeGreaterThanOrEqual(before - 5);
      expect(res.body).toMatchObject({ direction: null, subject: null, metadata: {} });
    });

    it('answers 200 with the stored activity to a re-sent messageId of the same type and direction, and stores nothing', async () => {
      const sent = activity({ type: 'LINKEDIN', metadata: { messageId: `m-${run}` } });
      const first = await t.api.post('/activities', sent);
      expect(first.status).toBe(201);
      const again = await t.api.post('/activities', { ...sent, body: 'changed' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      // Another direction, or another type, is another activity.
      expect((await t.api.post('/activities', { ...sent, direction: 'INBOUND' })).status).toBe(201);
      expect((await t.api.post('/activities', { ...sent, type: 'LINKEDIN_INMAIL' })).status).toBe(201);
      const rows = await t.dataSource.query(`SELECT COUNT(*) AS n FROM activities WHERE contact_id = ?`, [contactId]);
      expect(Number(rows[0].n)).toBeGreaterThanOrEqual(4);
      const page = await t.api.get(`/contacts/${contactId}/activities?limit=200`);
      expect(page.body.data.filter((a: any) => a.metadata.messageId === `m-${run}`)).toHaveLength(3);
    });

    it('treats messageIds that differ only by case as different messages', async () => {
      const lower = await t.api.post('/activities', activity({ metadata: { messageId: `case-${run}` } }));
      const upper = await t.api.post('/activities', activity({ metadata: { messageId: `CASE-${run}` } }));
      expect([lower.status, upper.status]).toEqual([201, 201]);
      expect(upper.body.id).not.toBe(lower.body.id);
    });

    it('answers 422 naming the field when contactId, companyId or ownerId names nothing, and stores nothing', async () => {
      const count = async () => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM activities'))[0].n);
      const before = await count();
      for (const [field, body] of [
        ['contactId', activity({ contactId: UNKNOWN_ID })],
        ['contactId', activity({ contactId: 'not-a-crm-id' })],
        ['companyId', activity({ companyId: UNKNOWN_ID })],
        ['ownerId', activity({ ownerId: UNKNOWN_ID })],
      ] as const) {
        const res = await t.api.post('/activities', body);
        expect(res.status).toBe(422);
        expect(res.body).toEqual({ error: 'unprocessable_entity', message: expect.stringContaining(field) });
      }
      expect(await count()).toBe(before);
    });

    it('accepts an upper-case copy of a contact id and stores it as the service made it', async () => {
      const res = await t.api.post('/activities', activity({ contactId: contactId.toUpperCase() }));
      expect(res.status).toBe(201);
      expect(res.body.contactId).toBe(contactId);
    });

    it.each([
      ['neither contactId nor companyId', { type: 'EMAIL', subject: 'x' }],
      ['no type', { contactId: UNKNOWN_ID }],
      ['an unknown type', { type: 'SMS', contactId: UNKNOWN_ID }],
      ['an unknown direction', { type: 'EMAIL', direction: 'SIDEWAYS', contactId: UNKNOWN_ID }],
      ['a body over 16 000 characters', { type: 'EMAIL', body: 'x'.repeat(16001), contactId: UNKNOWN_ID }],
      ['an occurredAt that is not ISO 8601', { type: 'EMAIL', occurredAt: 'yesterday', contactId: UNKNOWN_ID }],
      ['an occurredAt on a day that does not exist', { type: 'EMAIL', occurredAt: '2026-02-30', contactId: UNKNOWN_ID }],
      ['a metadata that is not an object', { type: 'EMAIL', metadata: [1], contactId: UNKNOWN_ID }],
      ['a messageId that is an object', { type: 'EMAIL', metadata: { messageId: { a: 1 } }, contactId: UNKNOWN_ID }],
      ['a metadata over 16 384 bytes', { type: 'EMAIL', metadata: { big: 'x'.repeat(17000) }, contactId: UNKNOWN_ID }],
      ['more than 100 unknown keys', { type: 'EMAIL', contactId: UNKNOWN_ID, ...Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }],
    ])('answers 400 to %s', async (_, body) => {
      const res = await t.api.post('/activities', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('bad_request');
    });

    it('answers 401 without a key and 415 to a body that is not JSON', async () => {
      expect((await t.api.post('/activities', activity(), { key: null })).status).toBe(401);
      expect((await t.api.request('POST', '/activities', { raw: 'type=EMAIL', contentType: 'text/plain' })).status).toBe(415);
    });
  });

  describe('GET /activities/{id}', () => {
    it('answers 404 for an unknown id and 400 for one that is not a UUID', async () => {
      expect((await t.api.get(`/activities/${UNKNOWN_ID}`)).status).toBe(404);
      expect((await t.api.get('/activities/nope')).status).toBe(400);
      expect((await t.api.get(`/activities/${UNKNOWN_ID}`, { key: null })).status).toBe(401);
    });
  });

  /** Every item of a cursor list, two at a time. */
  async function allPages(path: string): Promise<any[]> {
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.api.get(`${path}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen;
  }

  describe('GET /contacts/{crmId}/activities', () => {
    it('lists the contact activities newest occurredAt first, page by page', async () => {
      const lead = (await t.api.post('/contacts', { contacts: [{ externalId: `paged-${run}` }] })).body.results[0].crmId;
      const times = ['2026-11-01T10:00:00Z', '2026-11-03T10:00:00Z', '2026-11-02T10:00:00Z', '2026-11-03T10:00:00Z', '2026-10-30'];
      const ids: string[] = [];
      for (const occurredAt of times) ids.push((await t.api.post('/activities', { type: 'LINKEDIN', contactId: lead, occurredAt })).body.id);
      const seen = await allPages(`/contacts/${lead}/activities`);
      expect(seen.map((a) => a.id)).toEqual([ids[3], ids[1], ids[2], ids[0], ids[4]]);
    });

    it('answers an empty page for a contact without activities, 404 for an unknown contact, 400 for a bad cursor', async () => {
      const lead = (await t.api.post('/contacts', { contacts: [{ externalId: `quiet-${run}` }] })).body.results[0].crmId;
      expect((await t.api.get(`/contacts/${lead}/activities`)).body).toEqual({ data: [], nextCursor: null });
      expect((await t.api.get(`/contacts/${UNKNOWN_ID}/activities`)).status).toBe(404);
      expect((await t.api.get(`/contacts/${lead}/activities?cursor=garbage`)).status).toBe(400);
      expect((await t.api.get(`/contacts/${lead}/activities?limit=0`)).status).toBe(400);
      expect((await t.api.get(`/contacts/${lead}/activities`, { key: null })).status).toBe(401);
    });
  });

  describe('GET /companies/{crmId}/activities', () => {
    it("lists the company's own activities newest occurredAt first, page by page, and none of its contacts'", async () => {
      const company = (await t.api.post('/companies', { companies: [{ externalId: `co-paged-${run}`, name: 'Paged' }] })).body.results[0].crmId;
      const lead = (await t.api.post('/contacts', { contacts: [{ externalId: `co-lead-${run}` }] })).body.results[0].crmId;
      const ids: string[] = [];
      for (const occurredAt of ['2026-11-01T10:00:00Z', '2026-11-03T10:00:00Z', '2026-11-02T10:00:00Z']) {
        ids.push((await t.api.post('/activities', { type: 'EMAIL', companyId: company, occurredAt })).body.id);
      }
      expect((await t.api.post('/activities', { type: 'EMAIL', contactId: lead, occurredAt: '2026-11-04T10:00:00Z' })).status).toBe(201);
      const seen = await allPages(`/companies/${company}/activities`);
      expect(seen.map((a) => a.id)).toEqual([ids[1], ids[2], ids[0]]);
      expect(seen.every((a) => a.companyId === company)).toBe(true);
    });

    it('answers 404 for an unknown company, 400 for a bad cursor or limit, 401 without a key', async () => {
      const company = (await t.api.post('/companies', { companies: [{ externalId: `co-quiet-${run}`, name: 'Quiet' }] })).body.results[0].crmId;
      expect((await t.api.get(`/companies/${company}/activities`)).body).toEqual({ data: [], nextCursor: null });
      expect((await t.api.get(`/companies/${UNKNOWN_ID}/activities`)).status).toBe(404);
      expect((await t.api.get(`/companies/${company}/activities?cursor=garbage`)).status).toBe(400);
      expect((await t.api.get(`/companies/${company}/activities?limit=0`)).status).toBe(400);
      expect((await t.api.get(`/companies/${company}/activities`, { key: null })).status).toBe(401);
    });
  });
});

describe('POST /activities over BODY_LIMIT', () => {
  const t = useTestApp({ BODY_LIMIT: '4kb' });

  it('answers 413 and stores nothing', async () => {
    const res = await t.api.post('/activities', { type: 'EMAIL', contactId: UNKNOWN_ID, body: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM activities'))[0].n)).toBe(0);
  });
});
