// `npm run bench [-- --quick]`: how fast the service takes Enginy's exports, side by side with the
// fastest thing MySQL itself can do with the same rows (the floor), in one run. See docs/performance.md.
//
// Options: --quick (small numbers, for CI: proves the bench runs, asserts nothing about speed),
// --contacts N (per data set), --preload N (stored contacts for the growth phases),
// --service-node-options "..." (node options for the service), --cpu-prof DIR (profile the service).
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql, { type Pool } from 'mysql2/promise';
import { v7 as uuidv7 } from 'uuid';
import { bulkLoad } from './bench/bulk.js';
import { contactGenerator } from './bench/contacts.js';
import { CpuMeter, findDatabasePid } from './bench/cpu.js';
import { type PhaseKind, type PhaseResult, perSecond, runHttpPhase, runSqlPhase } from './bench/measure.js';
import { printReport, type RunFacts } from './bench/report.js';
import { escapedRow, insertStatement, sqlDateTime } from './bench/rows.js';
import { ServiceProcess } from './bench/service.js';

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
  const text = (flag: string): string | undefined => {
    const at = args.indexOf(flag);
    if (at >= 0 && (args[at + 1] === undefined || /^--[a-z]/.test(args[at + 1]) && !args[at + 1].includes('='))) {
      throw new Error(`${flag} takes a value`);
    }
    return at < 0 ? undefined : args[at + 1];
  };
  const number = (flag: string, fallback: number): number => {
    const value = text(flag);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`${flag} takes a positive whole number`);
    return Number(value);
  };
  return {
    quick,
    contacts: Math.ceil(number('--contacts', quick ? 800 : 50_000) / BATCH) * BATCH,
    preload: number('--preload', quick ? 10_000 : 1_000_000),
    warmupBatches: quick ? 8 : 40,
    cpuProfileDir: text('--cpu-prof'),
    serviceNodeOptions: (text('--service-node-options') ?? '').split(' ').filter((option) => option !== ''),
  };
}

interface Dataset {
  bodies: Buffer[];
  statements: string[];
  bytesPerContact: number;
}

/** The same contacts twice: as request bodies for the service, as INSERT statements for the floor. */
function dataset(seed: number, prefix: string, contacts: number, ownerIds: readonly string[]): Dataset {
  const generator = contactGenerator(seed, prefix, ownerIds);
  const now = sqlDateTime(new Date());
  const bodies: Buffer[] = [];
  const statements: string[] = [];
  let bytes = 0;
  for (let start = 0; start < contacts; start += BATCH) {
    const batch = Array.from({ length: BATCH }, () => generator.next());
    const body = Buffer.from(JSON.stringify({ contacts: batch }));
    bytes += body.length;
    bodies.push(body);
    statements.push(insertStatement('contacts', batch.map((contact) => escapedRow(contact, uuidv7(), now))));
  }
  return { bodies, statements, bytesPerContact: Math.round(bytes / contacts) };
}

const log = (message: string) => console.log(`· ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function scalar(pool: Pool, sql: string): Promise<number> {
  const [rows] = await pool.query(sql);
  return Number(Object.values((rows as Record<string, unknown>[])[0])[0]);
}

/**
 * Lets InnoDB finish the background work of the last phase (flushing, purge), so that each phase
 * starts from a similar state: waits until the dirty pages are few or stop going down.
 */
async function settle(pool: Pool, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = Infinity;
  while (Date.now() < deadline) {
    const [rows] = await pool.query(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty', 'Innodb_buffer_pool_pages_total')",
    );
    const status = Object.fromEntries((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, Number(r.Value)]));
    const dirty = status.Innodb_buffer_pool_pages_dirty;
    if (dirty <= status.Innodb_buffer_pool_pages_total * 0.02 || dirty >= last) return;
    last = dirty;
    await sleep(1000);
  }
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
  const floorDb = `${tag}_floor`;
  const apiKey = randomBytes(24).toString('base64url');
  const adminKey = randomBytes(24).toString('base64url');
  const here = dirname(fileURLToPath(import.meta.url));

  const admin = mysql.createPool({ ...connection, connectionLimit: 2 });
  let service: ServiceProcess | undefined;
  let servicePool: Pool | undefined;
  let floorPool: Pool | undefined;
  const created: string[] = [];
  const cleanup = async () => {
    await service?.stop().catch(() => undefined);
    await servicePool?.end().catch(() => undefined);
    await floorPool?.end().catch(() => undefined);
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
    for (const database of [serviceDb, floorDb]) {
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
    // The floor table: the service's migrated table, same columns and indexes, in a database of its own.
    await admin.query(`CREATE TABLE \`${floorDb}\`.\`contacts\` LIKE \`${serviceDb}\`.\`contacts\``);
    servicePool = mysql.createPool({ ...connection, database: serviceDb, connectionLimit: 8 });
    floorPool = mysql.createPool({ ...connection, database: floorDb, connectionLimit: 8 });
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

    const maxSettle = settings.quick ? 2_000 : 20_000;
    const http = async (kind: PhaseKind, name: string, concurrency: number, data: Dataset, expectStatus: 'created' | 'existing') => {
      await settle(admin, maxSettle);
      service!.startSampling();
      meter.begin();
      const measured = await runHttpPhase({ name, baseUrl: service!.baseUrl, apiKey, concurrency, bodies: data.bodies, batchSize: BATCH, expectStatus });
      const phase: PhaseResult = { ...measured, kind, cpu: meter.end(), peakRss: service!.stopSampling() };
      if (!service!.isRunning()) phase.failures.push(`the service exited:\n${service!.tail()}`);
      log(`${name} c${concurrency}: ${perSecond(phase).toFixed(0)} contacts/s`);
      return phase;
    };
    const floor = async (kind: PhaseKind, name: string, concurrency: number, data: Dataset) => {
      await settle(admin, maxSettle);
      meter.begin();
      const measured = await runSqlPhase({ name, pool: floorPool!, concurrency, statements: data.statements, batchSize: BATCH });
      const phase: PhaseResult = { ...measured, kind, cpu: meter.end() };
      log(`${name} c${concurrency}: ${perSecond(phase).toFixed(0)} contacts/s`);
      return phase;
    };

    log(`generating ${settings.contacts} contacts per data set`);
    // Warm-up (JIT, pools, buffer pool): sent to both sides, not reported.
    const warmup = dataset(1, 'warm', settings.warmupBatches * BATCH, ownerIds);
    const warm = [await floor('floor', 'warm-up floor', 8, warmup), await http('new', 'warm-up service', 8, warmup, 'created')];
    failures.push(...warm.flatMap((r) => r.failures));

    const a = dataset(2, 'a', settings.contacts, ownerIds);
    const b = dataset(3, 'b', settings.contacts, ownerIds);
    facts.bytesPerContact = Math.round((a.bytesPerContact + b.bytesPerContact) / 2);
    results.push(await floor('floor', 'floor: mysql2 INSERT', 1, a));
    results.push(await http('new', 'service: new contacts', 1, a, 'created'));
    results.push(await floor('floor', 'floor: mysql2 INSERT', 8, b));
    results.push(await http('new', 'service: new contacts', 8, b, 'created'));
    results.push(await http('retry', 'service: retries', 1, a, 'existing'));
    results.push(await http('retry', 'service: retries', 8, b, 'existing'));

    // Growth: both tables filled to the same size outside HTTP, then the same new contacts again.
    const toLoad = Math.max(0, settings.preload - (await scalar(servicePool, 'SELECT COUNT(*) FROM contacts')));
    const bulkStart = Date.now();
    for (const [label, pool] of [['service', servicePool], ['floor', floorPool]] as const) {
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
    const floorStored = await scalar(floorPool, 'SELECT COUNT(*) FROM contacts');
    if (floorStored !== facts.stored) failures.push(`the floor table holds ${floorStored} rows, the service's ${facts.stored}`);
    log(`${facts.stored} contacts stored in each table after ${facts.bulkSeconds.toFixed(0)} s of bulk load`);
    const c = dataset(4, 'c', settings.contacts, ownerIds);
    results.push(await floor('floor-grown', `floor: ${facts.stored} stored`, 8, c));
    results.push(await http('grown', `service: ${facts.stored} stored`, 8, c, 'created'));

    facts.serviceHwm = service.highWaterMark();
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
