// Overload on the built service, started as `npm start` starts it (its node options, its defaults):
// three times as many maximum-size batches as it takes at once, all sent together by one key. Every
// answer is a 201, or a 503 / 429 with Retry-After; the process stays up with its RSS under the bound
// docs/operating.md states; /health answers 200 right after; and a second key is served all along.
import { execFileSync } from 'node:child_process';
import { flood, maxSizeBatch, post, tally } from '../../scripts/bench/overload.js';
import { ServiceProcess, startNodeOptions } from '../../scripts/bench/service.js';
import { loadConfig } from '../../src/config/app-config.js';
import { leads, runId } from '../support/factories.js';
import { ADMIN_KEY, INTEGRATION_KEY } from '../support/keys.js';
import { freshDatabase, onMysql, type TestDatabase } from '../support/test-app.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const MB = 1024 * 1024;
/** The service runs with its defaults: BODY_LIMIT, MAX_BATCH_SIZE, MAX_BATCHES_IN_FLIGHT. */
const { bodyLimitBytes: BODY_LIMIT, maxBatchSize: MAX_BATCH_SIZE, maxBatchesInFlight: BATCHES_IN_FLIGHT } = loadConfig({});
/** The RSS bound docs/operating.md states for `npm start` (512 MB of heap). */
const RSS_BOUND = 450 * MB;
const FLOODING_KEY = 'flooding-key-0123456789abcdef';

describe(`overload (the built service, npm start's options, ${onMysql ? 'MySQL' : 'SQLite'})`, () => {
  let database: TestDatabase;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    database = await freshDatabase();
    service = await ServiceProcess.start({
      entry: `${ROOT}dist/src/main.js`,
      databaseUrl: database.env.DATABASE_URL ?? '',
      apiKey: INTEGRATION_KEY,
      adminKey: ADMIN_KEY,
      nodeArgs: startNodeOptions().split(' '),
      extraEnv: {
        API_KEYS: `${INTEGRATION_KEY},${FLOODING_KEY}`,
        DATA_DIR: database.env.DATA_DIR,
        LOG_LEVEL: 'warn',
        // What is tested is admission, not the database's speed: on a machine shared by several test runs,
        // the default 5 s per database operation could answer a slow batch with 503 "database unavailable".
        DB_QUERY_TIMEOUT_MS: '30000',
        REQUEST_TIMEOUT_MS: '45000',
      },
    });
  }, 240_000);

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('answers 201, 503 or 429 with Retry-After to 3× the batches it takes, stays up under its RSS bound, and keeps serving another key', async () => {
    const running = service!;
    // One body, built once and sent 48 times: 1000 contacts, just under 2 MB (the defaults).
    const body = maxSizeBatch(runId(), MAX_BATCH_SIZE, BODY_LIMIT);
    expect(body.length).toBeGreaterThan(BODY_LIMIT * 0.95);
    expect(body.length).toBeLessThanOrEqual(BODY_LIMIT);

    running.startSampling();
    let flooding = true;
    const flooded = flood(running.baseUrl, FLOODING_KEY, body, 3 * BATCHES_IN_FLIGHT).finally(() => (flooding = false));
    // Meanwhile Enginy's key exports batches of 100, one after the other.
    const enginy: (number | string)[] = [];
    while (flooding || enginy.length < 3) {
      const batch = Buffer.from(JSON.stringify({ contacts: leads(runId(), 100) }));
      enginy.push((await post(running.baseUrl, '/contacts', INTEGRATION_KEY, batch)).status);
    }
    const answers = await flooded;
    const peak = running.stopSampling();

    const counts = tally(answers);
    console.log(
      `overload (${onMysql ? 'MySQL' : 'SQLite'}): ${answers.length} batches of ${(body.length / MB).toFixed(1)} MB at once: ${JSON.stringify(counts)}; ` +
        `other key: ${enginy.length} batches, ${JSON.stringify(tally(enginy.map((status) => ({ status, retryAfter: undefined, body: '' }))))}; ` +
        `peak RSS ${(peak / MB).toFixed(0)} MB (VmHWM ${(running.highWaterMark() / MB).toFixed(0)} MB)`,
    );
    expect(Object.keys(counts).filter((status) => !['201', '503', '429'].includes(status))).toEqual([]);
    expect(counts['201']).toBeGreaterThan(0);
    expect((counts['503'] ?? 0) + (counts['429'] ?? 0)).toBeGreaterThan(0);
    for (const answer of answers.filter((a) => a.status !== 201)) expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(enginy.every((status) => status === 201)).toBe(true);

    expect(running.exitReport()).toBeUndefined();
    expect(peak).toBeLessThan(RSS_BOUND);
    expect(running.highWaterMark()).toBeLessThan(RSS_BOUND);
    const health = await fetch(`${running.baseUrl}/health`, { headers: { 'X-API-Key': INTEGRATION_KEY } });
    expect(health.status).toBe(200);
  }, 120_000);
});
