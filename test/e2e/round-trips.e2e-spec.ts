// What a batch costs in round trips to MySQL, counted on the wire: the app reaches its database
// through a TcpProxy that counts the commands the server answers. A batch of new contacts is two
// (which keys and owners exist; the INSERT IGNORE), a re-sent batch one. SQLite has no wire.
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
});
