// `npm run bench:compare -- --base DIR`: the service CPU that one batch costs in this build
// against another build (DIR: that checkout's built `dist`), both services running at once.
//
// Why at once: on a shared virtual machine the host's speed drifts by a factor of two within minutes,
// so two runs one after the other compare two hosts as much as two builds. Here both services take the
// same load in the same seconds, each on its own fresh database on one MySQL server, round after
// round, and each round gives one ratio of their CPU per batch; the median of the rounds (nearest
// rank: the lower of the two middle values when the count is even) is the answer.
// docs/performance.md ("Large bodies") shows one use.
//
// With --alternate the two take their load in turns instead, within each round: the database server's
// CPU can then be told apart (it is printed, with the ratio of service + database, when the server runs
// on this machine), at the cost of comparing moments a few seconds apart. The order swaps each round,
// and each half waits for a quiet machine first (at most 10 s), so that the background work one half
// leaves (InnoDB's flushing and purge) is not charged to the other; an even --rounds gives each order
// as many rounds.
//
// Options: --base DIR (required), --operation contacts|associations|update (default contacts),
// --rounds N (6), --batches N (batches of 100 per service per round, 200), --concurrency N (per
// service, 4), --alternate. Needs DATABASE_URL=mysql://... like `npm run bench`.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { companyGenerator, contactGenerator } from './bench/contacts.js';
import { findDatabasePid, processCpuMs, processMinorFaults, waitForQuiet } from './bench/cpu.js';
import { type HttpPhase, percentile, runHttpPhase } from './bench/measure.js';
import { createDatabase, flagReader, mysqlServer } from './bench/server.js';
import { ServiceProcess, startNodeOptions } from './bench/service.js';
import { pairsOf, POST_ASSOCIATIONS, PUT_CONTACTS } from './bench/operations.js';
import { updateData } from './bench/sync.js';

const BATCH = 100;
const OPERATIONS = ['contacts', 'associations', 'update'] as const;
type Operation = (typeof OPERATIONS)[number];

interface Settings {
  base: string;
  operation: Operation;
  rounds: number;
  batches: number;
  concurrency: number;
  alternate: boolean;
}

function settingsFrom(args: string[]): Settings {
  const { text, number } = flagReader(args);
  const base = text('--base');
  if (!base) throw new Error('--base DIR is required: the built dist folder of the other checkout');
  const operation = (text('--operation') ?? 'contacts') as Operation;
  if (!OPERATIONS.includes(operation)) throw new Error(`--operation is one of ${OPERATIONS.join(', ')}`);
  return {
    base,
    operation,
    rounds: number('--rounds', 6),
    batches: number('--batches', 200),
    concurrency: number('--concurrency', 4),
    alternate: args.includes('--alternate'),
  };
}

interface Side {
  label: string;
  service: ServiceProcess;
  apiKey: string;
  bodies: Buffer[];
  operation?: HttpPhase['operation'];
  cpu: number[];
  faults: number[];
  /** The database server's CPU per batch while this side alone ran (--alternate). */
  db: number[];
}

const median = (values: number[]): number => percentile(values, 50);

/** POSTs one body and answers its results' crmIds (setting up the records that associations and updates need). */
async function crmIdsFrom(side: Pick<Side, 'service' | 'apiKey'>, path: string, body: unknown): Promise<string[]> {
  const response = await fetch(side.service.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': side.apiKey },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}`);
  return ((await response.json()) as { results: { crmId: string }[] }).results.map((result) => result.crmId);
}

/** The request bodies of one side (`count` batches) and what their answers must be. */
async function workload(side: Pick<Side, 'service' | 'apiKey'>, operation: Operation, count: number, seed: number): Promise<Pick<Side, 'bodies' | 'operation'>> {
  const contacts = contactGenerator(seed, `cmp${seed}`, []);
  const batchOf = (generator = contacts) => Array.from({ length: BATCH }, () => generator.next());
  if (operation === 'contacts') return { bodies: Array.from({ length: count }, () => Buffer.from(JSON.stringify({ contacts: batchOf() }))) };
  if (operation === 'update') {
    const crmIds: string[] = [];
    for (let b = 0; b < count * 2; b++) crmIds.push(...(await crmIdsFrom(side, '/contacts', { contacts: batchOf() })));
    return { bodies: updateData(crmIds, count).bodies, operation: PUT_CONTACTS };
  }
  // Associations, as an export links them (pairsOf): each contact once, five contacts to a company.
  const companies = companyGenerator(seed, `cmp${seed}`, []);
  const contactIds: string[] = [];
  const companyIds: string[] = [];
  for (let b = 0; b < count; b++) {
    contactIds.push(...(await crmIdsFrom(side, '/contacts', { contacts: batchOf() })));
    if (b % 5 === 0) companyIds.push(...(await crmIdsFrom(side, '/companies', { companies: batchOf(companies) })));
  }
  const pairs = pairsOf(contactIds, companyIds, count * BATCH);
  const bodies = Array.from({ length: count }, (_, b) => Buffer.from(JSON.stringify({ associations: pairs.slice(b * BATCH, (b + 1) * BATCH) })));
  return { bodies, operation: POST_ASSOCIATIONS };
}

async function main(): Promise<number> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl?.startsWith('mysql://')) {
    console.error('Set DATABASE_URL=mysql://user:password@host:3306/any_database (the bench creates and drops its own databases).');
    return 2;
  }
  const settings = settingsFrom(process.argv.slice(2));
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const builds = [
    { label: `base (${settings.base})`, entry: resolve(settings.base, 'src', 'main.js') },
    { label: 'this build', entry: join(here, 'src', 'main.js') },
  ];
  for (const build of builds) if (!existsSync(build.entry)) throw new Error(`${build.entry} does not exist: build that checkout first`);

  const { connection, urlFor } = mysqlServer(databaseUrl);
  const admin = await mysql.createConnection(connection);
  const tag = `cmp_${Date.now().toString(36)}_${process.pid}`;
  const sides: Side[] = [];
  const databases: string[] = [];
  try {
    const perSide = settings.batches * (settings.rounds + 1); // the first round warms up
    for (const [n, build] of builds.entries()) {
      const database = `${tag}_${n}`;
      await createDatabase(admin, database);
      databases.push(database);
      const apiKey = randomBytes(24).toString('base64url');
      const service = await ServiceProcess.start({
        entry: build.entry,
        databaseUrl: urlFor(database),
        apiKey,
        adminKey: randomBytes(24).toString('base64url'),
        nodeArgs: startNodeOptions().split(' ').filter((option) => option !== ''),
      });
      const side: Side = { label: build.label, service, apiKey, bodies: [], cpu: [], faults: [], db: [] };
      sides.push(side);
      console.log(`· ${build.label}: setting up ${perSide} batches for ${settings.operation}`);
      Object.assign(side, await workload(side, settings.operation, perSide, n + 1));
    }

    const databasePid = settings.alternate ? findDatabasePid(connection.host) : undefined;
    if (settings.alternate && !databasePid) console.log(`· the database server is not on this machine: its CPU is not measured`);
    const phase = (side: Side, from: number) =>
      runHttpPhase({
        name: side.label,
        baseUrl: side.service.baseUrl,
        apiKey: side.apiKey,
        concurrency: settings.concurrency,
        bodies: side.bodies.slice(from, from + settings.batches),
        batchSize: BATCH,
        ...(side.operation ? { operation: side.operation } : { expectStatus: 'created' as const }),
      });
    const reading = (side: Side) => ({ cpu: processCpuMs(side.service.pid), faults: processMinorFaults(side.service.pid), db: databasePid ? processCpuMs(databasePid) : 0 });
    const record = (side: Side, start: ReturnType<typeof reading>, failures: string[], round: number) => {
      if (failures.length > 0) throw new Error(`${side.label}: ${failures[0]}`);
      if (round === 0) return; // the first round warms up
      const end = reading(side);
      side.cpu.push((end.cpu - start.cpu) / settings.batches);
      side.faults.push((end.faults - start.faults) / settings.batches);
      if (databasePid) side.db.push((end.db - start.db) / settings.batches);
    };
    for (let round = 0; round <= settings.rounds; round++) {
      const from = round * settings.batches;
      if (settings.alternate) {
        // One side, then the other; the order turns each round so that neither always goes first.
        for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
          await waitForQuiet(10_000, cpus().length);
          const start = reading(side);
          record(side, start, (await phase(side, from)).failures, round);
        }
      } else {
        const starts = sides.map(reading);
        const measured = await Promise.all(sides.map((side) => phase(side, from)));
        sides.forEach((side, i) => record(side, starts[i], measured[i].failures, round));
      }
    }

    const how = settings.alternate ? 'the two in turns' : 'the two at once';
    console.log(`\n${settings.operation}, ${settings.rounds} rounds of ${settings.batches} batches of ${BATCH}, concurrency ${settings.concurrency} per service, ${how}`);
    for (const side of sides) {
      console.log(`${side.label}: service CPU ms per batch ${side.cpu.map((ms) => ms.toFixed(2)).join(' ')} (median ${median(side.cpu).toFixed(2)}); page faults per batch ${median(side.faults).toFixed(0)}`);
    }
    const ratios = sides[1].cpu.map((ms, round) => ms / sides[0].cpu[round]);
    console.log(`this build / base, per round: ${ratios.map((r) => r.toFixed(3)).join(' ')}`);
    console.log(`median ratio of service CPU per batch, this build / base: ${median(ratios).toFixed(3)}`);
    if (sides.every((side) => side.db.length > 0)) {
      for (const side of sides) console.log(`${side.label}: database CPU ms per batch ${side.db.map((ms) => ms.toFixed(2)).join(' ')} (median ${median(side.db).toFixed(2)})`);
      const totals = sides[1].cpu.map((ms, round) => (ms + sides[1].db[round]) / (sides[0].cpu[round] + sides[0].db[round]));
      console.log(`median ratio of service + database CPU per batch, this build / base: ${median(totals).toFixed(3)}`);
    }
    return 0;
  } finally {
    for (const side of sides) await side.service.stop().catch(() => undefined);
    for (const database of databases) await admin.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
    await admin.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
