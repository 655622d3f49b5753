// `npm run bench [-- --quick]`: how fast the service takes Enginy's exports, side by side with the
// fastest thing MySQL itself can do with the same rows (the floor), in one run. See docs/performance.md.
//
// Options: --quick (small numbers, for CI: proves the bench runs, asserts nothing about speed),
// --contacts N (per data set; companies and association pairs: as many), --preload N (stored contacts for the growth phases),
// --service-node-options "..." (node options for the service), --cpu-prof DIR (profile the service).
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql, { type Pool } from 'mysql2/promise';
import { bulkLoad } from './bench/bulk.js';
import { companyGenerator, contactGenerator, type ContactGenerator } from './bench/contacts.js';
import { CpuMeter, findDatabasePid, waitForQuiet } from './bench/cpu.js';
import { type FloorProtocol, type HttpPhase, type PhaseKind, type PhaseResult, perSecond, runHttpPhase, runSqlPhase, type SqlPhase } from './bench/measure.js';
import { printReport, type RunFacts } from './bench/report.js';
import { COMPANIES_BATCH } from '../src/companies/companies.batch.js';
import { batchRows, CONTACT_ROWS, escapedRow, insertStatement, PAIR_ROWS, preparedInsert, type RowShape, sqlDateTime } from './bench/rows.js';
import { createDatabase, flagReader, mysqlServer } from './bench/server.js';
import { ServiceProcess, startNodeOptions } from './bench/service.js';
import { flood, maxSizeBatch, tally } from './bench/overload.js';
import { loadConfig } from '../src/config/app-config.js';
import { crmIdsOf, leadsOf, syncData, syncFloorBatches, updateData, updateFloorBatches } from './bench/sync.js';
import { type Operation, pairsOf, POST_ASSOCIATIONS, POST_COMPANIES, POST_CONTACTS_SYNC, PUT_CONTACTS } from './bench/operations.js';

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
  /** Batches of 100 for each sync and update phase. */
  syncBatches: number;
  cpuProfileDir?: string;
  serviceNodeOptions: string[];
}

function settingsFrom(args: string[]): Settings {
  const quick = args.includes('--quick');
  const { text, number } = flagReader(args);
  return {
    quick,
    contacts: Math.ceil(number('--contacts', quick ? 800 : 100_000) / BATCH) * BATCH,
    preload: number('--preload', quick ? 10_000 : 1_000_000),
    warmupBatches: quick ? 8 : 40,
    syncBatches: quick ? 8 : 200,
    cpuProfileDir: text('--cpu-prof'),
    serviceNodeOptions: (text('--service-node-options', true) ?? startNodeOptions()).split(' ').filter((option) => option !== ''),
  };
}

/** What a phase writes: contacts, companies or association pairs, each type into its own table. */
interface Dataset {
  shape: RowShape<never>;
  /** The request bodies, `{ [listKey]: [100 items] }` each. */
  bodies: Buffer[];
  /** Per batch, the rows as the service stores them: the floor's prepared INSERT sends these. */
  rows: (string | null)[][][];
  bytesPerItem: number;
}

/** The same items twice: as request bodies for the service, as table rows for the floor. */
function dataset<Item>(shape: RowShape<Item>, listKey: string, items: readonly Item[]): Dataset {
  const now = sqlDateTime(new Date());
  const bodies: Buffer[] = [];
  const rows: Dataset['rows'] = [];
  let bytes = 0;
  for (let start = 0; start < items.length; start += BATCH) {
    const batch = items.slice(start, start + BATCH);
    const body = Buffer.from(JSON.stringify({ [listKey]: batch }));
    bytes += body.length;
    bodies.push(body);
    rows.push(batch.map((item) => shape.row(item, now)));
  }
  return { shape: shape as RowShape<never>, bodies, rows, bytesPerItem: Math.round(bytes / items.length) };
}

const generate = (generator: ContactGenerator, count: number) => Array.from({ length: count }, () => generator.next());
const COMPANY_ROWS = batchRows(COMPANIES_BATCH);

/** The floor's statements for one phase, built before it starts (SQL text is made only when needed). */
function floorBatches(data: Dataset, protocol: FloorProtocol) {
  const { table, columns } = data.shape;
  const prepared = preparedInsert(table, BATCH, columns);
  return data.rows.map((rows) =>
    protocol === 'text'
      ? { text: insertStatement(table, rows.map(escapedRow), columns), prepared, values: [] }
      : { text: '', prepared, values: rows.flat() },
  );
}

const log = (message: string) => console.log(`· ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The external_id column of a query's rows. */
function externalIdsOf(result: unknown): string[] {
  return ((result as [{ external_id: string }[]])[0]).map((row) => row.external_id);
}

/** Every crm_id of a table, oldest first (UUIDv7). */
async function crmIdsIn(pool: Pool, table: string): Promise<string[]> {
  const [rows] = await pool.query(`SELECT crm_id FROM \`${table}\` ORDER BY crm_id`);
  return (rows as { crm_id: string }[]).map((row) => row.crm_id);
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
  const { connection, urlFor } = mysqlServer(databaseUrl);

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
      await createDatabase(admin, database);
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
    // The floor tables: the service's migrated tables, same columns and indexes, in databases of their own.
    for (const protocol of ['text', 'prepared'] as const) {
      for (const table of [CONTACT_ROWS.table, COMPANY_ROWS.table, PAIR_ROWS.table]) {
        await admin.query(`CREATE TABLE \`${floorDbs[protocol]}\`.\`${table}\` LIKE \`${serviceDb}\`.\`${table}\``);
      }
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
    /** One service phase: POST /contacts expecting `created` or `existing`, or another batch operation. */
    const http = async (kind: PhaseKind, name: string, concurrency: number, data: Pick<Dataset, 'bodies'> & { shape?: { table: string } }, expect: 'created' | 'existing' | Operation) => {
      const phase = await measure(async () => {
        service!.startSampling();
        const measured = await runHttpPhase({
          name,
          baseUrl: service!.baseUrl,
          apiKey,
          concurrency,
          bodies: data.bodies,
          batchSize: BATCH,
          ...(typeof expect === 'string' ? { expectStatus: expect } : { operation: expect }),
        });
        return { ...measured, kind, peakRss: service!.stopSampling() };
      });
      const exit = service!.exitReport();
      if (exit) phase.failures.push(exit);
      log(`${name} c${concurrency}: ${perSecond(phase).toFixed(0)} ${data.shape?.table ?? 'contacts'}/s`);
      return phase;
    };
    /** One mysql2 phase: prepared-made batches sent at `concurrency`, each on the next free connection. */
    const sql = async (kind: PhaseKind, name: string, pool: Pool, protocol: FloorProtocol, concurrency: number, batches: SqlPhase['batches'], grown = false, noun = 'contacts') => {
      const phase = await measure(async () => ({
        ...(await runSqlPhase({ name, pool, concurrency, protocol, batches, batchSize: BATCH })),
        kind,
        protocol,
        grown,
      }));
      log(`${name} c${concurrency}: ${perSecond(phase).toFixed(0)} ${noun}/s`);
      return phase;
    };
    /** One floor phase: the data set's rows into its table's copy, as SQL text or prepared. */
    const floor = async (protocol: FloorProtocol, concurrency: number, data: Dataset, grown = false, kind: PhaseKind = 'floor') => {
      const subject = data.shape === CONTACT_ROWS ? '' : `${data.shape.table}, `;
      const name = `floor: ${subject}${protocol === 'text' ? 'INSERT as SQL text' : 'prepared INSERT'}${grown ? `, ${facts.stored} stored` : ''}`;
      return sql(kind, name, floorPools[protocol]!, protocol, concurrency, floorBatches(data, protocol), grown, data.shape.table);
    };
    /** Both floors (SQL text, prepared), then the service, on one data set. */
    const sideBySide = async (kind: PhaseKind, name: string, concurrency: number, data: Dataset, expect: 'created' | Operation, floorKind: PhaseKind) => [
      await floor('text', concurrency, data, false, floorKind),
      await floor('prepared', concurrency, data, false, floorKind),
      await http(kind, name, concurrency, data, expect),
    ];
    const contactSet = (seed: number, prefix: string, count: number) =>
      dataset(CONTACT_ROWS, 'contacts', generate(contactGenerator(seed, prefix, ownerIds), count));
    const companySet = (seed: number, prefix: string, count: number) =>
      dataset(COMPANY_ROWS, 'companies', generate(companyGenerator(seed, prefix, ownerIds), count));

    log(`generating ${settings.contacts} contacts per data set`);
    // Warm-up (JIT, pools, buffer pool): sent to both sides, not reported.
    const warmCount = settings.warmupBatches * BATCH;
    const warm = await sideBySide('new', 'warm-up service', 8, contactSet(1, 'warm', warmCount), 'created', 'floor');
    failures.push(...warm.flatMap((r) => r.failures));

    const a = contactSet(2, 'a', settings.contacts);
    const b = contactSet(3, 'b', settings.contacts);
    facts.bytesPerContact = Math.round((a.bytesPerItem + b.bytesPerItem) / 2);
    for (const [data, concurrency] of [[a, 1], [b, 8]] as const) {
      results.push(...(await sideBySide('new', 'service: new contacts', concurrency, data, 'created', 'floor')));
    }
    results.push(await http('retry', 'service: retries', 1, a, 'existing'));
    results.push(await http('retry', 'service: retries', 8, b, 'existing'));

    // Companies, then associations between the contacts and companies stored above (each contact once,
    // five to a company), each on its own warm-up and beside its own floor, at concurrency 8.
    const warmCompanies = await sideBySide('companies', 'warm-up service: companies', 8, companySet(5, 'warm', warmCount), POST_COMPANIES, 'companies-floor');
    failures.push(...warmCompanies.flatMap((r) => r.failures));
    results.push(...(await sideBySide('companies', 'service: new companies', 8, companySet(6, 'm', settings.contacts), POST_COMPANIES, 'companies-floor')));
    const contactIds = await crmIdsIn(servicePool, CONTACT_ROWS.table);
    const companyIds = await crmIdsIn(servicePool, COMPANY_ROWS.table);
    const warmPairs = pairsOf(contactIds, companyIds, warmCount);
    const pairs = pairsOf(contactIds.slice(warmCount), companyIds.slice(warmCount), settings.contacts);
    const warmLinks = await sideBySide('associations', 'warm-up service: associations', 8, dataset(PAIR_ROWS, 'associations', warmPairs), POST_ASSOCIATIONS, 'associations-floor');
    failures.push(...warmLinks.flatMap((r) => r.failures));
    results.push(...(await sideBySide('associations', 'service: new associations', 8, dataset(PAIR_ROWS, 'associations', pairs), POST_ASSOCIATIONS, 'associations-floor')));

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
    const c = contactSet(4, 'c', settings.contacts);
    results.push(await floor('text', 8, c, true));
    results.push(await floor('prepared', 8, c, true));
    results.push({ ...(await http('grown', `service: ${facts.stored} stored`, 8, c, 'created')), grown: true });

    // Sync and update, with everything above stored: leads of data set c (exported through HTTP just
    // now) are the half that matches; each phase beside its floor, at concurrency 8.
    const exportedC = leadsOf(c.bodies);
    const sync = syncData(exportedC, settings.syncBatches, ownerIds);
    const operationPhase = async (kind: 'sync' | 'update', name: string, bodies: Buffer[], operation: Operation) => ({
      ...(await http(kind, name, 8, { bodies }, operation)),
      grown: true,
    });
    // Each operation first gets a warm-up of its own (JIT, statement caches), not reported, as the
    // companies and associations phases do: a phase of 200 batches reports its p99 from its two slowest.
    const warmUp = async (kind: 'sync' | 'update', bodies: Buffer[], operation: Operation) =>
      failures.push(...(await http(kind, `warm-up ${operation.method} ${operation.path}`, 8, { bodies }, operation)).failures);
    const sqlPhase = (kind: 'sync-floor' | 'update-floor', name: string, batches: SqlPhase['batches']) => sql(kind, name, servicePool!, 'prepared', 8, batches, true);
    const syncOperation = POST_CONTACTS_SYNC;
    results.push(await sqlPhase('sync-floor', 'floor: the sync lookups, prepared', syncFloorBatches(sync)));
    await warmUp('sync', sync.bodies.slice(0, settings.warmupBatches), syncOperation); // sync writes nothing: the same bodies serve
    results.push(await operationPhase('sync', 'service: POST /contacts/sync', sync.bodies, syncOperation));
    // An update of values already written would change nothing: the warm-up has contacts of its own.
    const updates = updateData(await crmIdsOf(servicePool, exportedC.map((lead) => lead.externalId)), settings.warmupBatches + settings.syncBatches);
    const update = { bodies: updates.bodies.slice(settings.warmupBatches), floorRows: updates.floorRows.slice(settings.warmupBatches) };
    const updateOperation = PUT_CONTACTS;
    results.push(await sqlPhase('update-floor', 'floor: one grouped UPDATE, prepared', updateFloorBatches(update.floorRows, false)));
    results.push(await sqlPhase('update-floor', 'floor: 100 single-row UPDATEs', updateFloorBatches(update.floorRows, true)));
    await warmUp('update', updates.bodies.slice(0, settings.warmupBatches), updateOperation);
    results.push(await operationPhase('update', 'service: PUT /contacts', update.bodies, updateOperation));

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
