// SIGTERM while a batch is in flight: the built service, as its own process, stops accepting new
// connections, answers the batch (201, stored), and only then closes its database connections.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { leads, runId } from '../support/factories.js';
import { INTEGRATION_KEY } from '../support/keys.js';
import { assertMatchesSpec } from '../support/spec.js';
import { freshDatabase, onMysql, type TestDatabase } from '../support/test-app.js';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Service {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stdout, as lines. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startService(database: TestDatabase): Promise<Service> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', API_KEYS: INTEGRATION_KEY, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...database.env },
  });
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${lines.join('\n')}\n${stderr}`)), 20000);
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop()!;
      lines.push(...complete);
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(lines.join('\n'))?.[1];
      if (port) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${port}`);
      }
    });
    void exited.then(() => reject(new Error(`service exited at start-up:\n${lines.join('\n')}\n${stderr}`)));
  });
  return { child, url, lines, exited };
}

/** A POST /contacts whose body is sent in two halves, the second when `release` resolves. */
function postInTwoHalves(url: string, body: string, release: Promise<void>): { started: Promise<void>; answer: Promise<{ status: number; body: any }> } {
  const half = Math.floor(body.length / 2);
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = http.request(`${url}/contacts`, {
      method: 'POST',
      agent: new http.Agent({ keepAlive: true }), // as an HTTP client such as Enginy's would
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': INTEGRATION_KEY },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const parsed = JSON.parse(text);
        const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        assertMatchesSpec({ method: 'POST', url: `${url}/contacts`, status: res.statusCode!, headers, body: parsed });
        resolve({ status: res.statusCode!, body: parsed });
      });
    });
    req.write(body.slice(0, half), () => started());
    void release.then(() => req.end(body.slice(half)));
  });
  return { started: startedPromise, answer };
}

async function storedCount(database: TestDatabase, dataDir: string, externalIds: string[]): Promise<number> {
  if (onMysql) {
    const connection = await mysql.createConnection(database.env.DATABASE_URL);
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM contacts WHERE external_id IN (?)', [externalIds]);
      return Number(rows[0].n);
    } finally {
      await connection.end();
    }
  }
  const file = new Database(join(dataDir, 'crm.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const row = file.prepare(`SELECT COUNT(*) AS n FROM contacts WHERE external_id IN (${externalIds.map(() => '?').join(',')})`).get(...externalIds);
    return Number(row!.n);
  } finally {
    file.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful shutdown (the built service, SIGTERM)', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  }, 120000);

  it('answers the batch in flight with 201 and stores it, refuses new connections, then closes the database and exits', async () => {
    const database = await freshDatabase();
    const service = await startService(database);
    try {
      const batch = leads(runId(), 200);
      const ids = batch.map((c) => c.externalId as string);
      let release!: () => void;
      const inFlight = postInTwoHalves(service.url, JSON.stringify({ contacts: batch }), new Promise((resolve) => (release = resolve)));
      await inFlight.started;
      await sleep(200); // the request's headers have reached the service: it is in flight

      const signalledAt = Date.now();
      service.child.kill('SIGTERM');
      await sleep(300);
      // No new connection is taken any more.
      await expect(fetch(`${service.url}/health`, { headers: { 'x-api-key': INTEGRATION_KEY } })).rejects.toThrow();

      release();
      const answer = await inFlight.answer;
      expect(answer.status).toBe(201);
      expect(answer.body.results.map((r: any) => r.status)).toEqual(ids.map(() => 'created'));

      const exit = await service.exited;
      expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
      // A keep-alive connection, answered, does not hold the exit for keepAliveTimeout (5 s).
      expect(Date.now() - signalledAt).toBeLessThan(4000);

      // The batch's request line comes before the database is closed.
      const answered = service.lines.findIndex((line) => line.includes('"route":"/contacts"') && line.includes('"status":201'));
      const closed = service.lines.findIndex((line) => line.includes('database connections closed'));
      expect(answered).toBeGreaterThanOrEqual(0);
      expect(closed).toBeGreaterThan(answered);

      expect(await storedCount(database, database.env.DATA_DIR, ids)).toBe(ids.length);
    } finally {
      service.child.kill('SIGKILL');
      await database.drop();
    }
  }, 60000);
});
