// What the service refuses to take on: bodies over BODY_LIMIT, batches over MAX_BATCH_SIZE, and
// requests that take too long, whether the client stalls or the database does.
import http from 'node:http';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { leads, runId } from '../support/factories.js';
import { INTEGRATION_KEY } from '../support/keys.js';
import { expectNoLeak } from '../support/leaks.js';
import { assertMatchesSpec } from '../support/spec.js';
import { createTestApp, onMysql, type TestApp, useTestApp } from '../support/test-app.js';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** Milliseconds from the first byte sent to the end of the answer. */
  ms: number;
  /** Whether the server closed the connection after answering. */
  closed: Promise<void>;
}

/** Sends the headers and `sent` bytes of a body announced as `announced` bytes long, then nothing more. */
function stalledUpload(t: TestApp, announced: number, sent: string): Promise<RawAnswer> {
  const url = new URL('/contacts', t.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': announced, 'x-api-key': INTEGRATION_KEY },
    });
    const closed = new Promise<void>((done) => req.on('close', done));
    req.on('error', () => undefined);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const body = JSON.parse(text);
        const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        assertMatchesSpec({ method: 'POST', url: url.toString(), status: res.statusCode!, headers, body });
        resolve({ status: res.statusCode!, headers: res.headers, body, ms: Date.now() - started, closed });
      });
      res.on('error', reject);
    });
    req.write(sent);
  });
}

describe('limits', () => {
  describe('BODY_LIMIT and MAX_BATCH_SIZE', () => {
    const t = useTestApp({ BODY_LIMIT: '64kb', MAX_BATCH_SIZE: '50' });

    it('answers 413 to a body over BODY_LIMIT, and stores nothing of it', async () => {
      const contacts = leads(runId(), 40);
      for (const contact of contacts) contact.description = 'x'.repeat(2000);
      const res = await t.api.post('/contacts', { contacts });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ error: 'payload_too_large', message: expect.stringContaining(String(64 * 1024)) });
      expect((await t.api.get(`/contacts?externalId=${contacts[0].externalId}`)).body.data).toEqual([]);
    });

    it('answers 413 to a body over BODY_LIMIT that announces no length (chunked)', async () => {
      const huge = JSON.stringify({ contacts: [{ externalId: 'chunked', description: 'y'.repeat(100 * 1024) }] });
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(huge));
          controller.close();
        },
      });
      const res = await fetch(`${t.url}/contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': INTEGRATION_KEY },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: 'payload_too_large', message: expect.any(String) });
    });

    it('answers 413 to a batch over MAX_BATCH_SIZE, and stores nothing of it', async () => {
      const contacts = Array.from({ length: 51 }, (_, i) => ({ externalId: `over-${runId()}-${i}` }));
      const res = await t.api.post('/contacts', { contacts });
      expect(res.status).toBe(413);
      expect(res.body.error).toBe('payload_too_large');
      expect(res.body.message).toContain('50');
      expect((await t.api.get(`/contacts?externalId=${contacts[0].externalId}`)).body.data).toEqual([]);
      expect((await t.api.post('/contacts', { contacts: contacts.slice(0, 50) })).status).toBe(201);
    });
  });

  describe('REQUEST_TIMEOUT_MS', () => {
    const t = useTestApp({ REQUEST_TIMEOUT_MS: '500' });

    // 5 000 bytes go through Express's body parser; 200 000 through the item-by-item reader (json-body.ts).
    it.each([5000, 200_000])('answers a stalled upload of %i bytes with 503 and Retry-After in time, then closes the connection', async (announced) => {
      const res = await stalledUpload(t, announced, '{"contacts": [{"externalId": "stalled-');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: 'service_unavailable', message: expect.stringContaining('500 ms') });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.headers.connection).toBe('close');
      expect(res.ms).toBeGreaterThanOrEqual(450);
      expect(res.ms).toBeLessThan(3000);
      await res.closed;
      expectNoLeak(res.body);
      // The service is none the worse for it.
      expect((await t.api.post('/contacts', { contacts: leads(runId(), 2) })).status).toBe(201);
    });
  });

  describe('REQUEST_TIMEOUT_MS, with a handler slower than it (MySQL: a table lock)', () => {
    const itOnMysql = onMysql ? it : it.skip;
    itOnMysql('answers 503 in time; the batch finishing later is stored once, and a re-send says existing', async () => {
      const t = await createTestApp({ REQUEST_TIMEOUT_MS: '300', DB_QUERY_TIMEOUT_MS: '5000' });
      try {
        const batch = leads(runId(), 5);
        const connection = await mysql.createConnection(t.config.databaseUrl!);
        await connection.query('LOCK TABLES contacts WRITE');
        const unlocked = new Promise((resolve) => setTimeout(resolve, 800)).then(() => connection.query('UNLOCK TABLES'));
        const started = Date.now();
        const res = await t.api.post('/contacts', { contacts: batch });
        expect(res.status).toBe(503);
        expect(res.body.message).toContain('may or may not have been stored');
        expect(Date.now() - started).toBeLessThan(800);
        await unlocked;
        await connection.end();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const again = await t.api.post('/contacts', { contacts: batch });
        expect(again.status).toBe(201);
        expect(again.body.results.map((r: any) => r.status)).toEqual(batch.map(() => 'existing'));
      } finally {
        await t.close();
      }
    });
  });

  describe('a database that holds a lock too long', () => {
    const t = useTestApp({ DB_QUERY_TIMEOUT_MS: '400' });

    /** Locks the contacts table from another connection until the returned function is called. */
    async function lockContacts(): Promise<() => Promise<void>> {
      if (onMysql) {
        const connection = await mysql.createConnection(t.config.databaseUrl!);
        await connection.query('LOCK TABLES contacts WRITE');
        return async () => {
          await connection.query('UNLOCK TABLES');
          await connection.end();
        };
      }
      const other = new Database(t.config.sqlitePath);
      other.exec('BEGIN IMMEDIATE');
      return async () => {
        other.exec('ROLLBACK');
        other.close();
      };
    }

    it('answers POST /contacts with 503 and Retry-After within DB_QUERY_TIMEOUT_MS, writes nothing, and takes the batch afterwards', async () => {
      const batch = leads(runId(), 10);
      const unlock = await lockContacts();
      const started = Date.now();
      let res;
      try {
        res = await t.api.post('/contacts', { contacts: batch });
      } finally {
        await unlock();
      }
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: 'service_unavailable', message: expect.any(String) });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(3000);
      expectNoLeak(res.body);

      expect((await t.api.get(`/contacts?externalId=${batch[0].externalId}`)).body.data).toEqual([]);
      const again = await t.api.post('/contacts', { contacts: batch });
      expect(again.status).toBe(201);
      expect(again.body.results.every((r: any) => r.status === 'created')).toBe(true);
    });
  });
});
