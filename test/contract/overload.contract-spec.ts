// What the service does when it is asked for more than it takes at once: a bound of the whole service
// answers 503 "busy", one key's share answers 429, both with Retry-After and before the body is read;
// the requests already in flight are served, and another key keeps being served.
import http from 'node:http';
import { maxSizeBatch } from '../../scripts/bench/overload.js';
import { leads, runId } from '../support/factories.js';
import { ADMIN_KEY, INTEGRATION_KEY } from '../support/keys.js';
import { assertMatchesSpec } from '../support/spec.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/**
 * A POST /contacts whose body goes out in parts: `sent` resolves once the first part is written, and
 * `send(n)` writes the next part. Content-Length is announced unless `chunked`.
 */
function postInParts(url: string, key: string, body: string, parts: number, chunked = false) {
  const size = Math.ceil(body.length / parts);
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'x-api-key': key };
  if (!chunked) headers['content-length'] = Buffer.byteLength(body);
  const request = http.request(`${url}/contacts`, { method: 'POST', agent: false, headers });
  let next = 0;
  const send = () => {
    const part = body.slice(next * size, (next + 1) * size);
    next++;
    return new Promise<void>((resolve) => {
      if (next >= parts) request.end(part, () => resolve());
      else request.write(part, () => resolve());
    });
  };
  const answer = new Promise<Answer>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        const parsed = JSON.parse(text);
        const checked = new Headers(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
        assertMatchesSpec({ method: 'POST', url: `${url}/contacts`, status: response.statusCode!, headers: checked, body: parsed });
        resolve({ status: response.statusCode!, headers: response.headers, body: parsed });
      });
    });
  });
  // An answer that comes before the body is all sent ends the request early: not an error here.
  request.on('error', () => undefined);
  return { sent: send(), send, answer };
}

const batchOf = (count: number) => JSON.stringify({ contacts: leads(runId(), count) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refusals(t: TestApp, reason: string): Promise<number> {
  const metrics = await t.api.get('/metrics', { key: ADMIN_KEY });
  const match = new RegExp(`^crm_refusals_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metrics.text);
  return Number(match?.[1] ?? NaN);
}

async function stored(t: TestApp, body: string): Promise<number> {
  const ids = (JSON.parse(body).contacts as { externalId: string }[]).map((c) => c.externalId);
  let count = 0;
  for (const id of [ids[0], ids[ids.length - 1]]) {
    count += (await t.api.get(`/contacts?externalId=${encodeURIComponent(id)}`, { key: ADMIN_KEY })).body.data.length;
  }
  return count;
}

describe('overload: POST /contacts past what the service takes at once', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers 503 busy with Retry-After past MAX_BATCHES_IN_FLIGHT, before reading the body, and serves the batch in flight', async () => {
    t = await createTestApp({ MAX_BATCHES_IN_FLIGHT: '1', KEY_SHARE_PERCENT: '100', RETRY_AFTER_SECONDS: '3' });
    const first = batchOf(20);
    const inFlight = postInParts(t.url, INTEGRATION_KEY, first, 2);
    await inFlight.sent;
    await sleep(200);

    // Only the first half of this body is ever sent: the answer cannot have waited for the rest.
    const second = batchOf(20);
    const refused = postInParts(t.url, ADMIN_KEY, second, 2);
    const answer = await refused.answer;
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('3');
    expect(answer.headers.connection).toBe('close');
    expect(answer.body).toEqual({ error: 'service_unavailable', message: 'The service is busy; retry after 3 s. Nothing was read or written.' });

    await inFlight.send();
    expect((await inFlight.answer).status).toBe(201);
    expect(await stored(t, first)).toBe(2);
    expect(await stored(t, second)).toBe(0);
    expect(await refusals(t, 'busy')).toBe(1);
    expect(await refusals(t, 'database_unavailable')).toBe(0);
  });

  it('answers 429 to a key over its share while another key gets 201', async () => {
    // Two batches in flight at most, and each key half of that: one.
    t = await createTestApp({ MAX_BATCHES_IN_FLIGHT: '2', KEY_SHARE_PERCENT: '50' });
    const first = batchOf(10);
    const inFlight = postInParts(t.url, INTEGRATION_KEY, first, 2);
    await inFlight.sent;
    await sleep(200);

    const flooding = await postInParts(t.url, INTEGRATION_KEY, batchOf(10), 2).answer;
    expect(flooding.status).toBe(429);
    expect(Number(flooding.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(flooding.body).toEqual({ error: 'too_many_requests', message: expect.stringMatching(/^This key has its full share of the service in flight; retry after \d+ s\./) });

    const other = await t.api.post('/contacts', { contacts: leads(runId(), 5) }, { key: ADMIN_KEY });
    expect(other.status).toBe(201);

    await inFlight.send();
    expect((await inFlight.answer).status).toBe(201);
    expect(await refusals(t, 'key_share')).toBe(1);
  });

  it('answers 503 busy before reading a body whose Content-Length would pass MAX_BODY_BYTES_IN_FLIGHT, with batches to spare', async () => {
    t = await createTestApp({ BODY_LIMIT: '64kb', MAX_BODY_BYTES_IN_FLIGHT: '100kb', KEY_SHARE_PERCENT: '100' });
    // About 60 kB announced and held in flight: one batch of the 16 MAX_BATCHES_IN_FLIGHT allows.
    const inFlight = postInParts(t.url, INTEGRATION_KEY, maxSizeBatch(runId(), 20, 60 * 1024).toString(), 2);
    await inFlight.sent;
    await sleep(200);
    // Another 60 kB announced: the bytes would pass 100 kB, so it is refused at its headers.
    const second = postInParts(t.url, ADMIN_KEY, maxSizeBatch(runId(), 20, 60 * 1024).toString(), 2);
    await second.sent;
    const refused = await second.answer;
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(/^The service is busy/);
    expect(refused.headers['retry-after']).toBeDefined();
    await inFlight.send();
    expect((await inFlight.answer).status).toBe(201);
    expect(await refusals(t, 'busy')).toBe(1);
  });

  it('counts a chunked body as it arrives and cuts it with 503 at MAX_BODY_BYTES_IN_FLIGHT', async () => {
    t = await createTestApp({ BODY_LIMIT: '64kb', MAX_BODY_BYTES_IN_FLIGHT: '100kb', KEY_SHARE_PERCENT: '100' });
    // About 60 kB announced by Content-Length, held in flight.
    const first = maxSizeBatch(runId(), 20, 60 * 1024).toString();
    const inFlight = postInParts(t.url, INTEGRATION_KEY, first, 2);
    await inFlight.sent;
    await sleep(200);

    // A chunked body of about the same size: its first part fits, the rest passes the 100 kB.
    const chunked = postInParts(t.url, ADMIN_KEY, maxSizeBatch(runId(), 20, 60 * 1024).toString(), 4, true);
    await chunked.sent;
    await sleep(100);
    for (let part = 1; part < 4; part++) {
      await Promise.race([chunked.send(), chunked.answer]);
      await sleep(100);
    }
    const cut = await chunked.answer;
    expect(cut.status).toBe(503);
    expect(cut.body.message).toMatch(/^The service is busy/);

    await inFlight.send();
    expect((await inFlight.answer).status).toBe(201);
    expect(await refusals(t, 'busy')).toBe(1);
    // Everything was released: a new batch gets in.
    expect((await t.api.post('/contacts', { contacts: leads(runId(), 3) })).status).toBe(201);
  });
});
