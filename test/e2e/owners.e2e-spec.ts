// Owner assignment as Enginy and an operator would live it.
import { useTestApp } from '../support/test-app.js';
import { ADMIN_KEY } from '../support/keys.js';
import { leads, runId } from '../support/factories.js';

describe('Owners: an operator adds users, Enginy assigns exported contacts to them', () => {
  const t = useTestApp();
  const run = runId();

  it('puts the owner picked at export on every contact, and deactivation stops new assignments only', async () => {
    const alice = (await t.api.post('/users', { name: 'Alice Owner', email: 'alice@example.com' }, { key: ADMIN_KEY })).body;
    const bob = (await t.api.post('/users', { name: 'Bob Owner' }, { key: ADMIN_KEY })).body;

    // Enginy lists the owners when the customer connects.
    const owners = await t.api.get('/users');
    expect(owners.body.map((u: { id: string }) => u.id)).toEqual([alice.id, bob.id]);

    // The export names Alice on every contact.
    const batch = leads(run, 20).map((lead) => ({ ...lead, ownerId: alice.id }));
    const exported = await t.api.post('/contacts', { contacts: batch });
    expect(exported.status).toBe(201);
    expect(exported.body.errors).toEqual([]);
    for (const result of exported.body.results) {
      expect((await t.api.get(`/contacts/${result.crmId}`)).body.ownerId).toBe(alice.id);
    }
    const rows = await t.dataSource.query('SELECT COUNT(*) AS n FROM contacts WHERE owner_id = ?', [alice.id]);
    expect(Number(rows[0].n)).toBe(20);

    // GET /contacts filters by owner, and pages through them.
    const page = await t.api.get(`/contacts?ownerId=${alice.id}&limit=200`);
    expect(page.body.data).toHaveLength(20);
    expect((await t.api.get(`/contacts?ownerId=${bob.id}`)).body.data).toEqual([]);

    // Alice leaves: she vanishes from Enginy's list, her contacts keep their owner...
    await t.api.patch(`/users/${alice.id}`, { active: false }, { key: ADMIN_KEY });
    expect((await t.api.get('/users')).body.map((u: { id: string }) => u.id)).toEqual([bob.id]);
    expect((await t.api.get(`/contacts/${exported.body.results[0].crmId}`)).body.ownerId).toBe(alice.id);

    // A re-sent export (a retry after a timeout) still answers the contacts she owns as existing...
    const retried = await t.api.post('/contacts', { contacts: batch });
    expect(retried.status).toBe(201);
    expect(retried.body.errors).toEqual([]);
    expect(retried.body.results).toEqual(exported.body.results.map((r: object) => ({ ...r, status: 'existing' })));

    // ...while a new export naming her is an item error, and the rest of the batch goes in.
    const next = await t.api.post('/contacts', {
      contacts: [
        { ...leads(run, 1, 100)[0], ownerId: alice.id },
        { ...leads(run, 1, 101)[0], ownerId: bob.id },
      ],
    });
    expect(next.status).toBe(201);
    expect(next.body.errors).toEqual([
      { index: 0, externalId: `lead-${run}-100`, code: 'UNKNOWN_OWNER', field: 'ownerId', message: expect.any(String) },
    ]);
    expect(next.body.results).toEqual([{ externalId: `lead-${run}-101`, crmId: expect.any(String), status: 'created' }]);
  });
});
