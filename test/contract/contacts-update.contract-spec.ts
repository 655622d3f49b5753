import { ADMIN_KEY } from '../support/keys.js';
import { spec } from '../support/spec.js';
import { lead, runId } from '../support/factories.js';
import { useTestApp } from '../support/test-app.js';

describe('PUT /contacts', () => {
  const t = useTestApp({ MAX_BATCH_SIZE: '50' });
  const run = runId();
  let n = 0;

  /** Stores one contact and answers its crmId. */
  async function stored(fields: Record<string, unknown> = {}): Promise<string> {
    const res = await t.api.post('/contacts', { contacts: [{ ...lead(run, ++n), ...fields }] });
    return res.body.results[0].crmId as string;
  }
  const read = async (crmId: string) => (await t.api.get(`/contacts/${crmId}`)).body;

  it('merges: absent keys stay, values replace, null clears a field or removes a custom key, other custom keys stay', async () => {
    const crmId = await stored({ title: 'CEO', phone: '+34 1', leadScore: 50, stage: 'MQL', keep: { a: 1 } });
    const before = await read(crmId);
    const res = await t.api.put('/contacts', {
      contacts: [{ crmId, title: 'CTO', phone: null, company: 42, stage: null, campaignOpens: 3, campaignSequenceStatus: 'Ongoing' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [{ crmId, success: true }], errors: [] });
    const after = await read(crmId);
    expect(after).toEqual({
      ...before,
      title: 'CTO',
      phone: null,
      company: '42',
      customFields: { ...before.customFields, stage: undefined, campaignOpens: 3, campaignSequenceStatus: 'Ongoing' },
      updatedAt: expect.any(String),
    });
    expect(Object.keys(after.customFields)).not.toContain('stage');
    expect(after.customFields.keep).toEqual({ a: 1 });
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
  });

  it('moves updatedAt only when something changed', async () => {
    const crmId = await stored({ title: 'CEO', leadScore: 50 });
    const before = await read(crmId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const same = await t.api.put('/contacts', { contacts: [{ crmId, title: 'CEO', leadScore: 50, externalId: before.externalId }] });
    expect(same.body.results).toEqual([{ crmId, success: true }]);
    expect((await read(crmId)).updatedAt).toBe(before.updatedAt);
    await t.api.put('/contacts', { contacts: [{ crmId, leadScore: 51 }] });
    expect((await read(crmId)).updatedAt).not.toBe(before.updatedAt);
  });

  it('compares exactly: a change of case moves updatedAt, the same custom object in another key order does not', async () => {
    const crmId = await stored({ title: 'CEO', keep: { a: 1, b: [1, 2] } });
    const before = await read(crmId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const same = await t.api.put('/contacts', { contacts: [{ crmId, title: 'CEO', keep: { b: [1, 2], a: 1 } }] });
    expect(same.body).toEqual({ results: [{ crmId, success: true }], errors: [] });
    expect(await read(crmId)).toEqual(before);
    await t.api.put('/contacts', { contacts: [{ crmId, title: 'ceo' }] });
    const after = await read(crmId);
    expect(after.title).toBe('ceo');
    expect(after.updatedAt).not.toBe(before.updatedAt);
  });

  it('moves updatedAt when one item changes a field and a later one puts it back', async () => {
    const crmId = await stored({ title: 'CEO' });
    const before = await read(crmId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await t.api.put('/contacts', {
      contacts: [
        { crmId, title: 'CTO' },
        { crmId, title: 'CEO' },
        { crmId, title: 'CEO' },
      ],
    });
    expect(res.body.results).toEqual([
      { crmId, success: true },
      { crmId, success: true },
      { crmId, success: true },
    ]);
    const after = await read(crmId);
    expect(after.title).toBe('CEO');
    expect(after.updatedAt).not.toBe(before.updatedAt);
  });

  it('answers one result per item in request order, and says why each failed one failed', async () => {
    const crmId = await stored();
    const missing = '0197a3f2-6c1e-7b3a-9d2e-000000000000';
    const res = await t.api.put('/contacts', {
      contacts: [
        { crmId, title: 'Fine' },
        { crmId: missing, title: 'x' },
        { title: 'no crmId' },
        'not an object',
        { crmId, externalId: 'another-lead' },
        { crmId, ownerId: '0197a3f2-6c1e-7b3a-9d2e-00000000dead' },
        { crmId, email: 'not-an-email' },
        { crmId, title: 't'.repeat(256) },
        { crmId, firstName: ['a'] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { crmId, success: true },
      { crmId: missing, success: false },
      { crmId: null, success: false },
      { crmId: null, success: false },
      ...Array.from({ length: 5 }, () => ({ crmId, success: false })),
    ]);
    expect(res.body.errors.map((e: Record<string, unknown>) => [e.index, e.crmId, e.code, e.field])).toEqual([
      [1, missing, 'NOT_FOUND', 'crmId'],
      [2, undefined, 'MISSING_FIELD', 'crmId'],
      [3, undefined, 'NOT_AN_OBJECT', undefined],
      [4, crmId, 'IMMUTABLE_FIELD', 'externalId'],
      [5, crmId, 'UNKNOWN_OWNER', 'ownerId'],
      [6, crmId, 'INVALID_EMAIL', 'email'],
      [7, crmId, 'VALUE_TOO_LONG', 'title'],
      [8, crmId, 'INVALID_FIELD', 'firstName'],
    ]);
    expect((await read(crmId)).title).toBe('Fine');
  });

  it('answers 422 with the same body when no item could be applied', async () => {
    const res = await t.api.put('/contacts', { contacts: [{ crmId: 'nope' }, {}] });
    expect(res.status).toBe(422);
    expect(res.body.results).toEqual([
      { crmId: 'nope', success: false },
      { crmId: null, success: false },
    ]);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['NOT_FOUND', 'MISSING_FIELD']);
  });

  it('assigns an active owner, and clears it with null', async () => {
    const owner = (await t.api.post('/users', { name: `Owner ${run}` }, { key: ADMIN_KEY })).body;
    const crmId = await stored();
    await t.api.put('/contacts', { contacts: [{ crmId, ownerId: owner.id }] });
    expect((await read(crmId)).ownerId).toBe(owner.id);
    await t.api.put('/contacts', { contacts: [{ crmId, ownerId: null }] });
    expect((await read(crmId)).ownerId).toBeNull();
  });

  it('applies several items for one crmId in request order', async () => {
    const crmId = await stored({ leadScore: 1 });
    const res = await t.api.put('/contacts', {
      contacts: [
        { crmId, title: 'First', leadScore: 2, a: 1 },
        { crmId, title: 'Second', leadScore: null, b: 2 },
      ],
    });
    expect(res.body.results).toEqual([
      { crmId, success: true },
      { crmId, success: true },
    ]);
    const after = await read(crmId);
    expect([after.title, after.customFields.leadScore, after.customFields.a, after.customFields.b]).toEqual(['Second', undefined, 1, 2]);
  });

  it('keeps the matching keys in step: a contact whose email and LinkedIn URL changed is found under the new ones', async () => {
    const crmId = await stored({ email: `old.${run}@example.com`, linkedinUrl: `https://www.linkedin.com/in/old-${run}` });
    await t.api.put('/contacts', { contacts: [{ crmId, email: `New.${run}@Example.com`, linkedinUrl: `https://linkedin.com/in/new-${run}/` }] });
    const sync = await t.api.post('/contacts/sync', {
      contacts: [
        { externalId: `s1-${run}`, email: `new.${run}@example.com` },
        { externalId: `s2-${run}`, linkedinUrl: `https://www.linkedin.com/in/NEW-${run}` },
        { externalId: `s3-${run}`, email: `old.${run}@example.com`, linkedinUrl: `https://www.linkedin.com/in/old-${run}` },
      ],
    });
    expect(sync.body.results.map((r: { externalId: string; crmId: string; matchedBy: string }) => [r.externalId, r.crmId, r.matchedBy])).toEqual([
      [`s1-${run}`, crmId, 'email'],
      [`s2-${run}`, crmId, 'linkedinUrl'],
    ]);
  });

  it('refuses custom fields over the limits once merged, and leaves the contact as it was', async () => {
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i]));
    const crmId = await stored(many);
    const more = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`m${i}`, i]));
    const res = await t.api.put('/contacts', { contacts: [{ crmId, ...more }, { crmId, big: 'é'.repeat(9000) }] });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['TOO_MANY_CUSTOM_FIELDS', 'CUSTOM_FIELDS_TOO_LARGE']);
    expect(Object.keys((await read(crmId)).customFields)).not.toContain('m0');
  });

  it("accepts the spec's example shape (with a crmId of this database)", async () => {
    const crmId = await stored();
    const example = spec.paths['/contacts'].put.requestBody.content['application/json'].example;
    const res = await t.api.put('/contacts', { contacts: [{ ...example.contacts[0], crmId }] });
    expect(res.status).toBe(200);
    expect((await read(crmId)).customFields).toMatchObject({ campaignEngagementStatus: 'Engaged', campaignOpens: 3 });
  });

  it.each([
    ['a body without contacts', 400, { leads: [] }],
    ['an empty batch', 400, { contacts: [] }],
    ['a batch over MAX_BATCH_SIZE', 413, { contacts: Array.from({ length: 51 }, () => ({ crmId: 'x' })) }],
  ])('answers %s with %i', async (_, status, body) => {
    expect((await t.api.put('/contacts', body)).status).toBe(status);
  });

  it('answers 401 without a key', async () => {
    expect((await t.api.put('/contacts', { contacts: [{ crmId: 'x' }] }, { key: null })).status).toBe(401);
  });
});
