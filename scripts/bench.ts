// `npm run bench [-- --quick]`: how fast the service takes Enginy's exports, side by side with the
// fastest thing MySQL itself can do with the same rows (the floor), in one run. See docs/performance.md.
//
// Options: --quick (small numbers, for CI: proves the bench runs, asserts nothing about speed),
// --contacts N (per data set), --preload N (stored contacts for the growth phases),
// --service-node-options "..." (node options for the service), --cpu-prof DIR (profile the service).
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql, { type Pool } from 'mysql2/promise';
import { v7 as uuidv7 } from 'uuid';
import { bulkLoad } from './bench/bulk.js';
import { contactGenerator } from './bench/contacts.js';
import { CpuMeter, findDatabasePid, waitForQuiet } from './bench/cpu.js';
import { type FloorProtocol, type PhaseKind, type PhaseResult, perSecond, runHttpPhase, runSqlPhase } from './bench/measure.js';
import { printReport, type RunFacts } from './bench/report.js';
import { escapedRow, insertStatement, preparedInsert, rowValues, sqlDateTime } from './bench/rows.js';
import { ServiceProcess, startNodeOptions } from './bench/service.js';
import { flood, maxSizeBatch, tally } from './bench/overload.js';
import { loadConfig } from '../src/config/app-config.js';

const BATCH = 100;
const OWNERS = 5;
const USAGE = `The benchmark needs a MySQL server: set DATABASE_URL=mysql://user:password@host:3306/any_database
(the database named there is not touched; the bench creates and drops its own), for example
  DATABASE_URL=mysql://root@127.0.0.1:3306/bench npm run bench -- --quick`;

interface Settings {
  quick: boolean;
  /** Contacts per measured data set (a multiple of 100). */
  contacts: number;
  /** Contacts stored before the growth phases. */
  preload: number;
  warmupBatches: number;
  cpuProfileDir?: string;
  serviceNodeOptions: string[];
}

function settingsFrom(args: string[]): Settings {
  const quick = args.includes('--quick');
  /** The value after `flag`; `options` values are node options themselves, so they may start with "--". */
  const text = (flag: string, options = false): string | undefined => {
    const at = args.indexOf(flag);
    if (at < 0) return undefined;
    const value = args[at + 1];
    if (value === undefined || (!options && value.startsWith('--'))) throw new Error(`${flag} takes a value`);
    return value;
  };
  const number = (flag: string, fallback: number): number => {
    const value = text(flag);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`${flag} takes a positive whole number`);
    return Number(value);
  };
  return {
    quick,
    contacts: Math.ceil(number('--contacts', quick ? 800 : 100_000) / BATCH) * BATCH,
    preload: number('--preload', quick ? 10_000 : 1_000_000),
    warmupBatches: quick ? 8 : 40,
    cpuProfileDir: text('--cpu-prof'),
    serviceNodeOptions: (text('--service-node-options', true) ?? startNodeOptions()).split(' ').filter((option) => option !== ''),
  };
}

interface Dataset {
  bodies: Buffer[];
  /** Per batch, the rows as the service stores them: the floor's prepared INSERT sends these. */
  rows: (string | null)[][][];
  bytesPerContact: number;
}

/** The same contacts twice: as request bodies for the service, as table rows for the floor. */
function dataset(seed: number, prefix: string, contacts: number, ownerIds: readonly string[]): Dataset {
  const generator = contactGenerator(seed, prefix, ownerIds);
  const now = sqlDateTime(new Date());
  const bodies: Buffer[] = [];
  const rows: Dataset['rows'] = [];
  let bytes = 0;
  for (let start = 0; start < contacts; start += BATCH) {
    const batch = Array.from({ length: BATCH }, () => generator.next());
    const body = Buffer.from(JSON.stringify({ contacts: batch }));
    bytes += body.length;
    bodies.push(body);
    rows.push(batch.map((contact) => rowValues(contact, uuidv7(), now)));
  }
  return { bodies, rows, bytesPerContact: Math.round(bytes / contacts) };
}

/** The floor's statements for one phase, built before it starts (SQL text is made only when needed). */
function floorBatches(data: Dataset, protocol: FloorProtocol) {
  const prepared = preparedInsert('contacts', BATCH);
  return data.rows.map((rows) =>
    protocol === 'text'
      ? { text: insertStatement('contacts', rows.map(escapedRow)), prepared, values: [] }
      : { text: '', prepared, values: rows.flat() },
  );
}

const log = (message: string) => console.log(`· ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The external_id column of a query's rows. */
function externalIdsOf(result: unknown): string[] {
  return ((result as [{ external_id: string }[]])[0]).map((row) => row.external_id);
}

async function scalar(pool: Pool, sql: string): Promise<number> {
  const [rows] = await pool.query(sql);
  return Number(Object.values((rows as Record<string, unknown>[])[0])[0]);
}

interface InnodbStatus {
  dirty: number;
  total: number;
  /** Pages read from disk since the server started (not found in the buffer pool). */
  reads: number;
}

async function innodbStatus(pool: Pool): Promise<InnodbStatus> {
  const [rows] = await pool.query(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty', 'Innodb_buffer_pool_pages_total', 'Innodb_buffer_pool_reads')",
  );
  const status = Object.fromEntries((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, Number(r.Value)]));
  return {
    dirty: status.Innodb_buffer_pool_pages_dirty,
    total: status.Innodb_buffer_pool_pages_total,
    reads: status.Innodb_buffer_pool_reads,
  };
}

/**
 * Before each phase: lets InnoDB finish the background work of the last one (waits until the dirty
 * pages are few or stop going down), then waits for the machine to be quiet. Returns false when it
 * was still busy after `maxMs`: the phase runs anyway and its "other" column says so.
 */
async function settle(pool: Pool, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let last = Infinity;
  while (Date.now() < deadline) {
    const { dirty, total } = await innodbStatus(pool);
    if (dirty <= total * 0.02 || dirty >= last) break;
    last = dirty;
    await sleep(1000);
  }
  return waitForQuiet(Math.max(0, deadline - Date.now()), cpus().length);
}

async function main(): Promise<number> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl || !/^mysql:\/\//.test(databaseUrl)) {
    console.error(USAGE);
    return 2;
  }
  const settings = settingsFrom(process.argv.slice(2));
  const server = new URL(databaseUrl);
  const connection = {
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username),
    password: decodeURIComponent(server.password),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
  };
  const urlFor = (database: string) => {
    const url = new URL(databaseUrl);
    url.pathname = `/${database}`;
    url.search = '';
    return url.toString();
  };

  const tag = `bench_${Date.now().toString(36)}_${process.pid}`;
  const serviceDb = `${tag}_svc`;
  // One floor table per protocol, so that each receives every row once, as the service's does.
  const floorDbs: Record<FloorProtocol, string> = { text: `${tag}_floor`, prepared: `${tag}_floorp` };
  const apiKey = randomBytes(24).toString('base64url');
  const adminKey = randomBytes(24).toString('base64url');
  const here = dirname(fileURLToPath(import.meta.url));

  const admin = mysql.createPool({ ...connection, connectionLimit: 2 });
  let service: ServiceProcess | undefined;
  let servicePool: Pool | undefined;
  const floorPools: Partial<Record<FloorProtocol, Pool>> = {};
  const created: string[] = [];
  const cleanup = async () => {
    await service?.stop().catch(() => undefined);
    await servicePool?.end().catch(() => undefined);
    for (const pool of Object.values(floorPools)) await pool.end().catch(() => undefined);
    for (const database of created.splice(0)) await admin.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
    await admin.end().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  const results: PhaseResult[] = [];
  const failures: string[] = [];
  const facts: RunFacts = {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick: settings.quick,
    contacts: settings.contacts,
    batch: BATCH,
    bytesPerContact: 0,
    stored: 0,
    bulkSeconds: 0,
    mariadb: '',
    bufferPoolBytes: 0,
    serviceCommand: `node ${settings.serviceNodeOptions.length ? `${settings.serviceNodeOptions.join(' ')} ` : ''}dist/src/main.js, NODE_ENV=production`,
    startRss: 0,
    serviceHwm: 0,
    loadAverage: loadavg()[0],
  };
  try {
    const [versionRows] = await admin.query('SELECT VERSION() AS version, @@innodb_buffer_pool_size AS pool');
    facts.mariadb = (versionRows as { version: string }[])[0].version;
    facts.bufferPoolBytes = Number((versionRows as { pool: number }[])[0].pool);
    for (const database of [serviceDb, floorDbs.text, floorDbs.prepared]) {
      await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      created.push(database);
    }

    log(`starting the service on a fresh database (${serviceDb})`);
    service = await ServiceProcess.start({
      entry: join(here, '..', 'src', 'main.js'),
      databaseUrl: urlFor(serviceDb),
      apiKey,
      adminKey,
      nodeArgs: settings.serviceNodeOptions,
      cpuProfileDir: settings.cpuProfileDir && resolve(settings.cpuProfileDir),
    });
    facts.startRss = service.highWaterMark();
    servicePool = mysql.createPool({ ...connection, database: serviceDb, connectionLimit: 8 });
    // The floor tables: the service's migrated table, same columns and indexes, in databases of their own.
    for (const protocol of ['text', 'prepared'] as const) {
      await admin.query(`CREATE TABLE \`${floorDbs[protocol]}\`.\`contacts\` LIKE \`${serviceDb}\`.\`contacts\``);
      floorPools[protocol] = mysql.createPool({ ...connection, database: floorDbs[protocol], connectionLimit: 8 });
    }
    const meter = new CpuMeter(service.pid, findDatabasePid(connection.host));

    // Owners, so that every contact carries a valid ownerId as exports do.
    const ownerIds: string[] = [];
    for (let i = 1; i <= OWNERS; i++) {
      const response = await fetch(`${service.baseUrl}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
        body: JSON.stringify({ name: `Bench Owner ${i}`, email: `owner${i}@bench.example.com` }),
      });
      if (response.status !== 201) throw new Error(`POST /users answered ${response.status}`);
      ownerIds.push(((await response.json()) as { id: string }).id);
    }

    const maxSettle = settings.quick ? 2_000 : 60_000;
    /** Runs one measured phase between a settle and the readings of CPU, memory and disk reads. */
    const measure = async (run: () => Promise<Omit<PhaseResult, 'cpu' | 'diskReads' | 'quiet'>>): Promise<PhaseResult> => {
      const quiet = await settle(admin, maxSettle);
      const reads = (await innodbStatus(admin)).reads;
      meter.begin();
      const phase = await run();
      const cpu = meter.end();
      return { ...phase, cpu, quiet, diskReads: (await innodbStatus(admin)).reads - reads };
    };
    const http = async (kind: PhaseKind, name: string, concurrency: number, data: Dataset, expectStatus: 'created' | 'existing') => {
      const phase = await measure(async () => {
        service!.startSampling();
        const measured = await runHttpPhase({ name, baseUrl: service!.baseUrl, apiKey, concurrency, bodies: data.bodies, batchSize: BATCH, expectStatus });
        return { ...measured, kind, peakRss: service!.stopSampling() };
      });
      const exit = service!.exitReport();
      if (exit) phase.failures.push(exit);
      log(`${name} c${concurrency}: ${perSecond(phase).toFixed(0)} contacts/s`);
      return phase;
    };
    const floor = async (protocol: FloorProtocol, concurrency: number, data: Dataset, grown = false) => {
      const name = `floor: ${protocol === 'text' ? 'INSERT as SQL text' : 'prepared INSERT'}${grown ? `, ${facts.stored} stored` : ''}`;
      const pool = floorPools[protocol]!;
      const batches = floorBatches(data, protocol);
      const phase = await measure(async () => ({
        ...(await runSqlPhase({ name, pool, concurrency, protocol, batches, batchSize: BATCH })),
        kind: 'floor' as const,
        protocol,
        grown,
      }));
      log(`${name} c${concurrency}: ${perSecond(phase).toFixed(0)} contacts/s`);
      return phase;
    };

    log(`generating ${settings.contacts} contacts per data set`);
    // Warm-up (JIT, pools, buffer pool): sent to both sides, not reported.
    const warmup = dataset(1, 'warm', settings.warmupBatches * BATCH, ownerIds);
    const warm = [
      await floor('text', 8, warmup),
      await floor('prepared', 8, warmup),
      await http('new', 'warm-up service', 8, warmup, 'created'),
    ];
    failures.push(...warm.flatMap((r) => r.failures));

    const a = dataset(2, 'a', settings.contacts, ownerIds);
    const b = dataset(3, 'b', settings.contacts, ownerIds);
    facts.bytesPerContact = Math.round((a.bytesPerContact + b.bytesPerContact) / 2);
    for (const [data, concurrency] of [[a, 1], [b, 8]] as const) {
      results.push(await floor('text', concurrency, data));
      results.push(await floor('prepared', concurrency, data));
      results.push(await http('new', 'service: new contacts', concurrency, data, 'created'));
    }
    results.push(await http('retry', 'service: retries', 1, a, 'existing'));
    results.push(await http('retry', 'service: retries', 8, b, 'existing'));

    // Growth: every table filled to the same size outside HTTP, then the same new contacts again.
    const toLoad = Math.max(0, settings.preload - (await scalar(servicePool, 'SELECT COUNT(*) FROM contacts')));
    const bulkStart = Date.now();
    const tables: [string, Pool][] = [['service', servicePool], ['text floor', floorPools.text!], ['prepared floor', floorPools.prepared!]];
    for (const [label, pool] of tables) {
      log(`bulk-loading ${toLoad} contacts into the ${label} table (not through HTTP)`);
      let reported = 0;
      await bulkLoad({
        pool,
        table: 'contacts',
        rows: toLoad,
        ownerIds,
        onProgress: (loaded) => {
          if (loaded - reported >= 250_000) log(`  ${(reported = loaded)} rows`);
        },
      });
    }
    facts.bulkSeconds = (Date.now() - bulkStart) / 1000;
    facts.stored = await scalar(servicePool, 'SELECT COUNT(*) FROM contacts');
    for (const [label, pool] of tables) {
      const count = await scalar(pool, 'SELECT COUNT(*) FROM contacts');
      if (count !== facts.stored) failures.push(`the ${label} table holds ${count} rows, the service's ${facts.stored}`);
    }
    log(`${facts.stored} contacts stored in each table after ${facts.bulkSeconds.toFixed(0)} s of bulk load`);
    await servicePool.query('ANALYZE TABLE contacts');
    const [sizeRows] = await servicePool.query(
      'SELECT data_length AS data, index_length AS indexes FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = ?',
      ['contacts'],
    );
    const size = (sizeRows as { data: number; indexes: number }[])[0];
    // The service's id lookup, as it runs it (the prepared form plans the same): which index, how many rows.
    const sample = externalIdsOf(await servicePool.query('SELECT external_id FROM contacts ORDER BY crm_id DESC LIMIT 100'));
    const [plan] = await servicePool.query(
      `EXPLAIN SELECT crm_id, external_id FROM contacts WHERE external_id IN (${sample.map(() => '?').join(', ')})`,
      sample,
    );
    const step = (plan as { type: string; key: string | null; rows: number }[])[0];
    facts.table = `${(Number(size.data) / 2 ** 20).toFixed(0)} MiB of rows, ${(Number(size.indexes) / 2 ** 20).toFixed(0)} MiB of secondary indexes; id lookup plan: ${step.type} on ${step.key}, ${step.rows} rows`;
    const c = dataset(4, 'c', settings.contacts, ownerIds);
    results.push(await floor('text', 8, c, true));
    results.push(await floor('prepared', 8, c, true));
    results.push({ ...(await http('grown', `service: ${facts.stored} stored`, 8, c, 'created')), grown: true });

    facts.serviceHwm = service.highWaterMark();

    // Overload, last (its peak is reported apart from the run's): three times as many maximum-size
    // batches as the service takes at once, all together from one key. Each must be a 201, 503 or 429.
    const defaults = loadConfig({});
    const body = maxSizeBatch('overload', defaults.maxBatchSize, defaults.bodyLimitBytes);
    const sent = 3 * defaults.maxBatchesInFlight;
    log(`overload: ${sent} batches of ${(body.length / 2 ** 20).toFixed(1)} MB at once`);
    service.startSampling();
    const answers = tally(await flood(service.baseUrl, apiKey, body, sent));
    facts.overload = { sent, bytes: body.length, answers, peakRss: service.stopSampling() };
    const unexpected = Object.keys(answers).filter((status) => !['201', '503', '429'].includes(status));
    if (unexpected.length > 0) failures.push(`overload: answers other than 201, 503 and 429: ${JSON.stringify(answers)}`);
    const overloadExit = service.exitReport();
    if (overloadExit) failures.push(`overload: ${overloadExit}`);
    failures.push(...results.flatMap((r) => r.failures.map((f) => `${r.name} c${r.concurrency}: ${f}`)));
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  } finally {
    await cleanup();
  }

  printReport(facts, results, failures);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
