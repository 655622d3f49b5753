// Sixteen clients post overlapping batches (shared externalIds, repeats inside a batch too) for a few
// seconds. Nothing may fail, no contact may be stored twice, exactly one answer may say `created` for
// each externalId, and every crmId answered can be read back.
import { lead, runId } from '../support/factories.js';
import { onMysql, useTestApp } from '../support/test-app.js';

const CLIENTS = 16;
const DURATION_MS = 4000;
const POOL = 400;

/** A small seeded PRNG (mulberry32), so that a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('concurrent load: 16 clients posting overlapping batches', () => {
  // One key, sixteen batches at once: twice what one key may hold by default (half of
  // MAX_BATCHES_IN_FLIGHT); this test is about correctness under concurrency, so let them all in.
  const t = useTestApp({ MAX_BATCHES_IN_FLIGHT: '32' });

  it(`stays correct for ${DURATION_MS / 1000} s: no 5xx, no contact twice, one "created" per externalId, every crmId readable`, async () => {
    const run = runId();
    const seed = Date.now() % 100000;
    const pool = Array.from({ length: POOL }, (_, n) => lead(run, n));
    const answers: { status: number; results: { externalId: string; crmId: string; status: string }[] }[] = [];
    const deadline = Date.now() + DURATION_MS;

    const client = async (id: number) => {
      const next = random(seed * 31 + id);
      while (Date.now() < deadline) {
        const size = 1 + Math.floor(next() * 50);
        const contacts = Array.from({ length: size }, () => pool[Math.floor(next() * POOL)]);
        const res = await t.api.post('/contacts', { contacts });
        answers.push({ status: res.status, results: res.body.results ?? [] });
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));

    const context = `seed ${seed}, ${answers.length} batches on ${onMysql ? 'MySQL' : 'SQLite'}`;
    console.log(`concurrent load: ${context}, ${answers.reduce((n, a) => n + a.results.length, 0)} contacts answered`);
    expect({ context, statuses: [...new Set(answers.map((a) => a.status))] }).toEqual({ context, statuses: [201] });
    expect(answers.length).toBeGreaterThan(CLIENTS);

    const crmIdOf = new Map<string, string>();
    /** How many answers said `created` for an externalId (repeats inside one batch all say it). */
    const createdBy = new Map<string, number>();
    for (const answer of answers) {
      for (const { externalId, crmId } of answer.results) {
        expect({ externalId, crmId: crmIdOf.get(externalId) ?? crmId }).toEqual({ externalId, crmId });
        crmIdOf.set(externalId, crmId);
      }
      const created = new Set(answer.results.filter((r) => r.status === 'created').map((r) => r.externalId));
      for (const externalId of created) createdBy.set(externalId, (createdBy.get(externalId) ?? 0) + 1);
    }
    expect([...createdBy].filter(([, n]) => n !== 1)).toEqual([]);
    expect(createdBy.size).toBe(crmIdOf.size);

    const rows: { externalId: string; n: number | string }[] = await t.dataSource.query(
      'SELECT external_id AS externalId, COUNT(*) AS n FROM contacts GROUP BY external_id',
    );
    expect(rows.filter((row) => Number(row.n) !== 1)).toEqual([]);
    expect(rows.length).toBe(crmIdOf.size);

    for (const [externalId, crmId] of crmIdOf) {
      const res = await t.api.get(`/contacts/${crmId}`);
      expect(res.status).toBe(200);
      expect(res.body.externalId).toBe(externalId);
    }
  }, 60000);
});
