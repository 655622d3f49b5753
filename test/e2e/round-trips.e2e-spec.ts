// What a batch costs in round trips to MySQL, counted on the wire: the app reaches its database
// through a TcpProxy that counts the commands the server answers. A batch of new contacts is two
// (which keys and owners exist; the INSERT IGNORE), a re-sent batch one. A batch of new links is one
// (INSERT IGNORE ... SELECT over both sides), a re-sent one or one naming unknown records two (that,
// then the lookup of both sides and the pairs). An update of 100 contacts is one READ COMMITTED
// transaction: its isolation, START, the locked read, one UPDATE a round, COMMIT; the read prepared,
// and on MariaDB (what CI runs) the UPDATEs too, once per shape on a connection. SQLite has no wire.
import { ADMIN_KEY } from '../support/keys.js';
import { leads, runId } from '../support/factories.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestApp, onMysql, type TestApp } from '../support/test-app.js';

const COMMAND_NAMES: Record<number, string> = { 0x03: 'query', 0x0e: 'ping', 0x16: 'prepare', 0x17: 'execute' };
const named = (commands: number[]) => commands.map((c) => COMMAND_NAMES[c] ?? `0x${c.toString(16)}`);

(onMysql ? describe : describe.skip)('Round trips to MySQL per batch', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  const run = runId();

  beforeAll(async () => {
    const server = new URL(process.env.DATABASE_URL!);
    proxy = await TcpProxy.start(server.hostname, Number(server.port || 3306));
    // One pooled connection, so that the statements prepared by the first batch serve the next.
    t = await createTestApp({ DB_POOL_SIZE: '1' }, { databasePort: proxy.port });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  it('stores 100 new contacts with owners in two round trips, and answers them re-sent in one', async () => {
    const owners: string[] = [];
    for (const name of ['Ann', 'Ben', 'Cid']) owners.push((await t.api.post('/users', { name }, { key: ADMIN_KEY })).body.id as string);
    const batch = (from: number) => leads(`${run}-${from}`, 100).map((lead, i) => ({ ...lead, ownerId: owners[i % owners.length] }));

    // The first batch of this shape prepares its statements on the connection.
    expect((await t.api.post('/contacts', { contacts: batch(0) })).status).toBe(201);

    const fresh = batch(1);
    proxy.commands.length = 0;
    const created = await t.api.post('/contacts', { contacts: fresh });
    const forNew = named(proxy.commands);
    expect(created.status).toBe(201);
    expect(created.body.results.filter((r: { status: string }) => r.status === 'created')).toHaveLength(100);
    expect(forNew).toEqual(['execute', 'execute']);

    proxy.commands.length = 0;
    const resent = await t.api.post('/contacts', { contacts: fresh });
    expect(resent.body.results.filter((r: { status: string }) => r.status === 'existing')).toHaveLength(100);
    expect(named(proxy.commands)).toEqual(['execute']);
  });

  it('links new pairs in one round trip, and answers them re-sent, or with unknown records, in two', async () => {
    const stored = async (path: string, key: string, items: object[]) =>
      ((await t.api.post(path, { [key]: items })).body.results as { crmId: string }[]).map((r) => r.crmId);
    const contactIds = await stored('/contacts', 'contacts', leads(`${run}-links`, 100));
    const companyIds = await stored('/companies', 'companies', Array.from({ length: 20 }, (_, i) => ({ externalId: `${run}-co-${i}`, name: `Co ${i}` })));
    const pairs = (from: number, count: number) =>
      contactIds.slice(from, from + count).map((contactCRMId, i) => ({ contactCRMId, companyCRMId: companyIds[(from + i) % 20] }));

    // The first batch of this shape prepares its statement on the connection.
    expect((await t.api.post('/associations', { associations: pairs(0, 50) })).body.created).toBe(50);

    proxy.commands.length = 0;
    const fresh = await t.api.post('/associations', { associations: pairs(50, 50) });
    expect(fresh.body).toEqual({ success: true, created: 50, existing: 0, errors: [] });
    expect(named(proxy.commands)).toEqual(['execute']);

    // Re-sent: the link statement, then the lookup (prepared once for this shape, then executed).
    await t.api.post('/associations', { associations: pairs(0, 50) });
    proxy.commands.length = 0;
    const again = await t.api.post('/associations', { associations: pairs(0, 50) });
    expect(again.body).toEqual({ success: true, created: 0, existing: 50, errors: [] });
    expect(named(proxy.commands)).toEqual(['execute', 'execute']);

    const unknown = { contactCRMId: '0197a3f2-0000-7000-8000-000000000000', companyCRMId: companyIds[0] };
    const mixed = [...pairs(0, 49), unknown];
    await t.api.post('/associations', { associations: mixed });
    proxy.commands.length = 0;
    const withUnknown = await t.api.post('/associations', { associations: mixed });
    expect(withUnknown.body).toMatchObject({ success: true, created: 0, existing: 49, errors: [{ index: 49, code: 'CONTACT_NOT_FOUND' }] });
    expect(named(proxy.commands)).toEqual(['execute', 'execute']);
  });

  it('updates 100 contacts in one transaction: five round trips once its statements are prepared, one UPDATE a round', async () => {
    const crmIds = ((await t.api.post('/contacts', { contacts: leads(`${run}-put`, 200) })).body.results as { crmId: string }[]).map((r) => r.crmId);
    const change = (n: number, from = 0, count = 100) => crmIds.slice(from, from + count).map((crmId, i) => ({ crmId, title: `Title ${n}-${from + i}`, campaignOpens: n }));
    // Each command with its SQL's head; a prepared statement's execution carries no SQL.
    const heads = () =>
      named(proxy.commands).map((command, i) => {
        const sql = proxy.statements[i];
        return command === 'execute' ? 'execute' : `${command} ${(/^(SET TRANSACTION|START TRANSACTION|SELECT|UPDATE|COMMIT)/i.exec(sql)?.[1] ?? sql).toUpperCase()}`;
      });
    const clear = () => {
      proxy.commands.length = 0;
      proxy.statements.length = 0;
    };

    // The UPDATE goes prepared on MariaDB, as SQL text on MySQL (merge-update.ts says why).
    const mariadb = t.dataSource.options.type === 'mariadb';
    const update = (prepare: boolean) => (!mariadb ? ['query UPDATE'] : prepare ? ['prepare UPDATE', 'execute'] : ['execute']);

    // The first update of this shape prepares the locked read and the UPDATE on the connection.
    clear();
    const first = await t.api.put('/contacts', { contacts: change(1) });
    expect(first.status).toBe(200);
    expect(first.body.errors).toEqual([]);
    expect(heads()).toEqual(['query SET TRANSACTION', 'query START TRANSACTION', 'prepare SELECT', 'execute', ...update(true), 'query COMMIT']);
    expect(proxy.statements[2]).toMatch(/FOR UPDATE$/);

    // The next, on other contacts: five round trips, both statements from the cache.
    clear();
    const next = await t.api.put('/contacts', { contacts: change(1, 100) });
    expect(next.body.errors).toEqual([]);
    expect(heads()).toEqual(['query SET TRANSACTION', 'query START TRANSACTION', 'execute', ...update(false), 'query COMMIT']);

    // Fewer contacts (65 to 128 share a shape, padded), and two changes of one contact: two rounds,
    // one UPDATE each (the second round's shape is new: prepared once).
    const untouched = (await t.api.get(`/contacts/${crmIds[70]}`)).body;
    clear();
    const twice = await t.api.put('/contacts', { contacts: [...change(2, 0, 70), { crmId: crmIds[0], title: 'Last' }] });
    expect(twice.body.errors).toEqual([]);
    expect(heads()).toEqual(['query SET TRANSACTION', 'query START TRANSACTION', 'execute', ...update(false), ...update(true), 'query COMMIT']);
    expect((await t.api.get(`/contacts/${crmIds[0]}`)).body).toMatchObject({ title: 'Last', customFields: { campaignOpens: 2 } });
    expect((await t.api.get(`/contacts/${crmIds[69]}`)).body).toMatchObject({ title: 'Title 2-69', customFields: { campaignOpens: 2 } });
    // The padding rows (a NULL id) join nothing: the contact after the 70 is as it was, updatedAt too.
    expect((await t.api.get(`/contacts/${crmIds[70]}`)).body).toEqual(untouched);

    // Nothing changes: nothing is written.
    clear();
    expect((await t.api.put('/contacts', { contacts: change(1, 105, 5) })).body.errors).toEqual([]);
    expect(heads()).toEqual(['query SET TRANSACTION', 'query START TRANSACTION', 'prepare SELECT', 'execute', 'query COMMIT']);
  });
});
