// Start-up failures on the built service: each is one line (which setting, what went wrong, what to do)
// and a non-zero exit, never a stack trace; a database that is not up yet is waited for, a line a try.
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, startBuiltService } from '../support/built-service.js';
import { freshDatabase, onMysql } from '../support/test-app.js';

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** What every start-up failure must look like. */
function expectOneLineFailure(output: string, exitCode: number | null, ...mentions: string[]): void {
  expect(exitCode).not.toBe(0);
  expect(exitCode).not.toBeNull();
  const failures = output.split('\n').filter((line) => line.startsWith('Start-up failed: '));
  expect(failures).toHaveLength(1);
  for (const mention of mentions) expect(failures[0]).toContain(mention);
  expect(output).not.toMatch(/^\s+at /m); // no stack trace
  expect(output).not.toContain('listening');
  expect(output).not.toContain('successfully started');
}

const sqliteEnv = () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), 'crm-start-up-')) });

describe('Start-up of the built service', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('says "listening" only once it is, and never Nest\'s "successfully started" before', async () => {
    const service = startBuiltService({ ...sqliteEnv(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    try {
      await service.waitFor(/Swagger UI:/);
      const lines = service.output().split('\n');
      expect(lines.find((line) => line.includes('listening on 127.0.0.1:'))).toBeDefined();
      expect(service.output()).not.toContain('successfully started');
    } finally {
      await service.stop();
    }
  }, 180_000);

  it('exits with one line naming PORT when the port is in use', async () => {
    const taken = net.createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      const service = startBuiltService({ ...sqliteEnv(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
      const code = await service.exited;
      expectOneLineFailure(service.output(), code, `port ${port}`, 'PORT', 'already in use');
    } finally {
      taken.close();
    }
  }, 180_000);

  it('retries a database that refuses connections, a line a try, then exits with one line naming DATABASE_URL', async () => {
    const port = await closedPort();
    const service = startBuiltService({
      DATABASE_URL: `mysql://root@127.0.0.1:${port}/crm`,
      DB_CONNECT_RETRY_SECONDS: '5',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const code = await service.exited;
    const output = service.output();
    expectOneLineFailure(output, code, `127.0.0.1:${port}`, 'DATABASE_URL', 'refused', 'DB_CONNECT_RETRY_SECONDS');
    const tries = output.split('\n').filter((line) => line.includes('not reachable (ECONNREFUSED), try '));
    expect(tries.length).toBeGreaterThanOrEqual(2);
    expect(tries[0]).toContain('DB_CONNECT_RETRY_SECONDS=5');
  }, 180_000);

  (onMysql ? it : it.skip)('waits for a database that comes up after the service, then listens', async () => {
    const database = await freshDatabase();
    const target = new URL(database.env.DATABASE_URL);
    const port = await closedPort();
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const service = startBuiltService({ ...database.env, DATABASE_URL: url.toString(), DB_CONNECT_RETRY_SECONDS: '30', PORT: '0', HOST: '127.0.0.1' });
    // The database "comes up": a forwarder to the real server starts listening on the port it was given.
    const forwarder = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 3306), target.hostname);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    try {
      await service.waitFor(/not reachable \(ECONNREFUSED\), try 1;/);
      forwarder.listen(port, '127.0.0.1');
      await once(forwarder, 'listening');
      await service.waitFor(/listening on 127\.0\.0\.1:\d+/);
      expect(service.output()).not.toContain('Start-up failed');
    } finally {
      await service.stop();
      forwarder.close();
      await database.drop();
    }
  }, 180_000);

  (onMysql ? it : it.skip)('exits at once with one line naming the database that does not exist, and how to create it', async () => {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = '/crm_no_such_database';
    const service = startBuiltService({ ...sqliteEnv(), DATABASE_URL: url.toString(), DB_CONNECT_RETRY_SECONDS: '30', PORT: '0' });
    const started = Date.now();
    const code = await service.exited;
    expectOneLineFailure(service.output(), code, '"crm_no_such_database"', 'DATABASE_URL', 'does not exist', 'CREATE DATABASE');
    expect(service.output()).not.toContain('try 1');
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 180_000);
});
