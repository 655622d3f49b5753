// The load test with faults, on the local cluster (scripts/cluster/cluster.sh up must have run; the
// CI step scripts/cluster/ci.sh starts it, runs this and cleans up). Phases:
//
//   1. throughput: fresh contacts at concurrency 8, to one replica directly, then through HAProxy to
//      all replicas (figures only, nothing asserted about speed);
//   2. faults: 16 clients send overlapping batches (the same externalIds at once, spread over the
//      replicas by HAProxy) while Galera node 2 is SIGKILLed and started again (IST), then replica 1
//      is SIGKILLed and started again. Clients behave as Enginy should: after a 503 they wait its
//      Retry-After and re-send the batch; after a refused or reset connection they re-send it;
//   3. checks, on every Galera node directly: one row per externalId, every crmId answered 2xx is
//      there with that externalId and every field as sent, the nodes agree; no answer other than 2xx
//      and 503 with Retry-After (refused or reset connections only right after the replica kill);
//   4. shared rate limit: the replicas restart with RATE_LIMIT_PER_MINUTE, and requests spread over
//      all of them get exactly that many 2xx in the minute, not one allowance per replica.
//
// Exits 1 when a check fails. Prints a summary with figures (docs/scaling.md quotes one run).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { projectFile } from '../../src/project-files.js';

const run = promisify(execFile);
const CLUSTER_SCRIPT = projectFile('scripts/cluster/cluster.sh');
const CLIENTS = 16;
const BATCH = 50;
/** The externalIds batches are drawn from: a window this wide, so that batches overlap all the time. */
const WINDOW = 300;
const RATE_LIMIT = 30;
const FAULT_PHASE_LIMIT_MS = 420_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface ClusterEnv {
  url: string;
  apiKey: string;
  adminKey: string;
  nodePorts: number[];
  replicaPorts: number[];
  db: { user: string; password: string; database: string };
}

async function cluster(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [CLUSTER_SCRIPT, ...args], { env: process.env, maxBuffer: 1 << 20 });
  return stdout;
}

async function clusterEnv(): Promise<ClusterEnv> {
  const values = Object.fromEntries(
    (await cluster('env'))
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const db = new URL(values.CLUSTER_DB);
  return {
    url: values.CLUSTER_URL,
    apiKey: values.CLUSTER_API_KEY,
    adminKey: values.CLUSTER_ADMIN_KEY,
    nodePorts: values.CLUSTER_NODE_PORTS.split(',').map(Number),
    replicaPorts: values.CLUSTER_REPLICA_PORTS.split(',').map(Number),
    db: { user: db.username, password: decodeURIComponent(db.password), database: db.pathname.slice(1) },
  };
}

/** Every field derived from the externalId, so that what is stored can be checked against it. */
function contactFor(externalId: string): Record<string, unknown> {
  const n = Number.parseInt(externalId.slice(externalId.lastIndexOf('-') + 1), 10);
  return {
    externalId,
    email: `${externalId}@example.com`,
    firstName: `First ${n}`,
    lastName: `Last ${n % 97}`,
    company: `Company ${n % 13}`,
    title: 'Head of Sales',
    leadCountry: 'Spain',
    campaignStage: `stage-${n % 5}`,
  };
}

interface Answer {
  status: number | 'refused' | 'reset' | 'other-network';
  retryAfter: string | null;
  at: number;
  body?: unknown;
}

async function post(url: string, key: string, path: string, body: unknown): Promise<Answer> {
  const at = Date.now();
  try {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, retryAfter: response.headers.get('retry-after'), at, body: parsed };
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? '';
    const status = code === 'ECONNREFUSED' ? 'refused' : /ECONNRESET|UND_ERR_SOCKET|EPIPE/.test(code) ? 'reset' : 'other-network';
    return { status, retryAfter: null, at };
  }
}

interface ContactsAnswer {
  results?: { externalId?: string; crmId: string; status: 'created' | 'existing' }[];
  errors?: unknown[];
}

// ------------------------------------------------------------------------------------ throughput

async function throughput(url: string, key: string, runId: string, label: string, ms: number): Promise<number> {
  let next = 0;
  let stored = 0;
  const deadline = Date.now() + ms;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < deadline) {
        const contacts = Array.from({ length: 100 }, () => contactFor(`tp-${runId}-${label}-${next++}`));
        const answer = await post(url, key, '/contacts', { contacts });
        if (answer.status === 201) stored += contacts.length;
      }
    }),
  );
  return stored / ((Date.now() - started) / 1000);
}

// ------------------------------------------------------------------------------------ faults

class Tally {
  readonly byStatus = new Map<string, number>();
  readonly bad: string[] = [];
  /** externalId → every crmId a 2xx answered for it. */
  readonly crmIds = new Map<string, Set<string>>();
  readonly created = new Map<string, number>();
  /** Every answer: when, and what (a status, or what happened to the connection). */
  readonly timeline: { at: number; label: string }[] = [];
  items = 0;
  requests = 0;

  count(label: string, at: number): void {
    this.byStatus.set(label, (this.byStatus.get(label) ?? 0) + 1);
    this.timeline.push({ at, label });
  }
}

interface Fault {
  name: string;
  startedAt: number;
  recoveredAt?: number;
  detail?: string;
}

async function faultPhase(env: ClusterEnv, runId: string): Promise<{ tally: Tally; faults: Fault[]; durationMs: number; replicaKilledAt?: number }> {
  const tally = new Tally();
  const faults: Fault[] = [];
  let stop = false;
  let replicaKilledAt: number | undefined;
  const started = Date.now();
  // The window of externalIds slides with time: batches overlap with each other all the time, and
  // new contacts keep coming.
  const windowStart = () => Math.floor((Date.now() - started) / 50);

  const client = async (seed: number) => {
    let round = 0;
    while (!stop) {
      round++;
      const first = windowStart() + ((seed * 37 + round * 101) % (WINDOW - BATCH));
      const ids = Array.from({ length: BATCH }, (_, i) => `lt-${runId}-${first + i}`);
      const body = { contacts: ids.map(contactFor) };
      // Re-send the same batch until it is answered 2xx, as Enginy does after a 503 or a lost
      // connection (even once the phase is over: every batch sent ends answered).
      for (;;) {
        if (Date.now() - started > FAULT_PHASE_LIMIT_MS + 30_000) {
          tally.bad.push(`a batch still had no 2xx answer ${seconds(Date.now() - started)} into the phase`);
          break;
        }
        const answer = await post(env.url, env.apiKey, '/contacts', body);
        tally.requests++;
        tally.count(String(answer.status) + (answer.status === 503 ? (answer.retryAfter ? ' (Retry-After)' : ' (no Retry-After)') : ''), answer.at);
        if (answer.status === 201 || answer.status === 200) {
          const results = (answer.body as ContactsAnswer).results ?? [];
          if (results.length !== ids.length) tally.bad.push(`a 2xx answered ${results.length} results for ${ids.length} contacts`);
          results.forEach((result, i) => {
            const externalId = ids[i];
            tally.items++;
            const seen = tally.crmIds.get(externalId) ?? new Set<string>();
            seen.add(result.crmId);
            tally.crmIds.set(externalId, seen);
            if (result.status === 'created') tally.created.set(externalId, (tally.created.get(externalId) ?? 0) + 1);
          });
          break;
        }
        if (answer.status === 503 && answer.retryAfter) {
          await sleep(Number(answer.retryAfter) * 1000);
          continue;
        }
        if (answer.status === 'refused' || answer.status === 'reset') {
          const nearKill = replicaKilledAt !== undefined && answer.at - replicaKilledAt < 10_000 && answer.at >= replicaKilledAt - 1000;
          if (!nearKill) tally.bad.push(`connection ${answer.status} at ${seconds(answer.at - started)}, not at the replica kill`);
          await sleep(200);
          continue;
        }
        tally.bad.push(`answer ${answer.status} at ${seconds(answer.at - started)}: ${JSON.stringify(answer.body).slice(0, 200)}`);
        break;
      }
    }
  };

  /** SIGKILLs one part, starts it again `downMs` later, and waits until cluster.sh says it is back. */
  const killAndRestart = async (what: 'node' | 'replica', index: number, downMs: number, back: string) => {
    const label = what === 'node' ? `Galera node ${index}` : `replica ${index}`;
    const fault: Fault = { name: `${label} SIGKILLed, then started again${what === 'node' ? ' (rejoins by IST)' : ''}`, startedAt: Date.now() };
    faults.push(fault);
    log(`fault: SIGKILL ${label}`);
    if (what === 'replica') replicaKilledAt = Date.now();
    await cluster(`${what}-kill`, String(index));
    await sleep(downMs);
    log(`fault: starting ${label} again`);
    const restartAt = Date.now();
    await cluster(`${what}-start`, String(index));
    fault.recoveredAt = Date.now();
    fault.detail = `down ${seconds(restartAt - fault.startedAt)} on purpose, ${back} ${seconds(fault.recoveredAt - restartAt)} after its start`;
    log(`${label} back (${fault.detail})`);
    await sleep(5000);
  };

  const script = async () => {
    await sleep(5000);
    await killAndRestart('node', 2, 8000, 'Synced');
    await killAndRestart('replica', 1, 3000, 'healthy');
  };

  const timer = setTimeout(() => {
    tally.bad.push(`the fault phase went past ${seconds(FAULT_PHASE_LIMIT_MS)}`);
    stop = true;
  }, FAULT_PHASE_LIMIT_MS);
  const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
  try {
    await script();
  } finally {
    stop = true;
    clearTimeout(timer);
    await Promise.all(clients);
  }
  return { tally, faults, durationMs: Date.now() - started, replicaKilledAt };
}

// ------------------------------------------------------------------------------------ checks

async function checkNodes(env: ClusterEnv, runId: string, tally: Tally): Promise<{ problems: string[]; rows: number[] }> {
  const problems: string[] = [];
  const rows: number[] = [];
  for (const [externalId, crmIds] of tally.crmIds) {
    if (crmIds.size > 1) problems.push(`${externalId} was answered ${crmIds.size} different crmIds`);
  }
  for (const [externalId, times] of tally.created) {
    if (times > 1) problems.push(`${externalId} was answered "created" ${times} times`);
  }
  for (const [index, port] of env.nodePorts.entries()) {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port, ...env.db });
    try {
      // Causal reads: this node has applied everything the cluster committed before the query.
      await connection.query('SET SESSION wsrep_sync_wait = 1');
      const [stored] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT crm_id AS crmId, external_id AS externalId, email, first_name AS firstName, last_name AS lastName, company, title, lead_country AS leadCountry, custom_fields AS customFields FROM contacts WHERE external_id LIKE ?',
        [`lt-${runId}-%`],
      );
      rows.push(stored.length);
      const byExternalId = new Map<string, mysql.RowDataPacket[]>();
      for (const row of stored) byExternalId.set(row.externalId, [...(byExternalId.get(row.externalId) ?? []), row]);
      for (const [externalId, found] of byExternalId) {
        if (found.length > 1) problems.push(`node ${index + 1}: ${found.length} rows for ${externalId}`);
      }
      for (const [externalId, crmIds] of tally.crmIds) {
        const row = byExternalId.get(externalId)?.[0];
        const crmId = [...crmIds][0];
        if (!row) {
          problems.push(`node ${index + 1}: ${externalId} (answered 2xx) is missing`);
          continue;
        }
        if (row.crmId !== crmId) problems.push(`node ${index + 1}: ${externalId} is stored as ${row.crmId}, answered ${crmId}`);
        const sent = contactFor(externalId);
        for (const field of ['email', 'firstName', 'lastName', 'company', 'title', 'leadCountry'] as const) {
          if (row[field] !== sent[field]) problems.push(`node ${index + 1}: ${externalId}.${field} is ${row[field]}, sent ${String(sent[field])}`);
        }
        const custom = JSON.parse(String(row.customFields ?? '{}')) as Record<string, unknown>;
        if (custom.campaignStage !== sent.campaignStage) problems.push(`node ${index + 1}: ${externalId} lost its custom field`);
      }
    } finally {
      await connection.end();
    }
  }
  if (new Set(rows).size > 1) problems.push(`the nodes hold different row counts: ${rows.join(', ')}`);
  return { problems: problems.slice(0, 20).concat(problems.length > 20 ? [`... and ${problems.length - 20} more`] : []), rows };
}

// ------------------------------------------------------------------------------------ rate limit

async function rateLimitPhase(env: ClusterEnv): Promise<{ ok: number; limited: number; perTarget: string[]; problems: string[] }> {
  log(`restarting the replicas with RATE_LIMIT_PER_MINUTE=${RATE_LIMIT} (REDIS_URL shared)`);
  await run('bash', [CLUSTER_SCRIPT, 'replicas-restart'], { env: { ...process.env, RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) } });
  const targets = [...env.replicaPorts.map((port) => `http://127.0.0.1:${port}`), env.url];
  // HAProxy sends nothing to a restarted replica before two good checks in a row.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !(await haproxySeesAll(env))) await sleep(500);
  const problems: string[] = [];
  const counts = targets.map(() => ({ ok: 0, limited: 0 }));
  // Sent in rounds over every replica and HAProxy: 3 times the quota in all.
  for (let i = 0; i < RATE_LIMIT * 3; i++) {
    const target = i % targets.length;
    // GET /health is not counted (it is the readiness probe); a page of contacts is.
    const response = await fetch(`${targets[target]}/contacts?limit=1`, { headers: { 'x-api-key': env.apiKey } });
    await response.arrayBuffer();
    if (response.status === 200) counts[target].ok++;
    else if (response.status === 429 && response.headers.get('retry-after')) counts[target].limited++;
    else problems.push(`rate limit phase: answer ${response.status} from ${targets[target]}`);
  }
  const ok = counts.reduce((sum, c) => sum + c.ok, 0);
  const limited = counts.reduce((sum, c) => sum + c.limited, 0);
  if (ok !== RATE_LIMIT) problems.push(`${ok} requests went through in the minute over ${env.replicaPorts.length} replicas; the limit is ${RATE_LIMIT}`);
  const perTarget = targets.map((target, i) => `${target}: ${counts[i].ok} ok, ${counts[i].limited} × 429`);
  return { ok, limited, perTarget, problems };
}

/** True when HAProxy's own view (its stats socket, through `cluster.sh status`) has every replica UP. */
async function haproxySeesAll(env: ClusterEnv): Promise<boolean> {
  const up = (await cluster('status')).match(/haproxy: replica\d+ UP\b/g) ?? [];
  return up.length === env.replicaPorts.length;
}

/** What the clients saw during a fault: answers by kind, and when the last answer other than 2xx came. */
function duringFault(tally: Tally, fault: Fault): string {
  const end = (fault.recoveredAt ?? Date.now()) + 5000;
  const seen = tally.timeline.filter((entry) => entry.at >= fault.startedAt && entry.at <= end);
  const kinds = new Map<string, number>();
  for (const entry of seen) kinds.set(entry.label, (kinds.get(entry.label) ?? 0) + 1);
  const lastBad = seen.filter((entry) => !entry.label.startsWith('2')).at(-1);
  return `${[...kinds].map(([label, n]) => `${label} × ${n}`).join(', ')}; ${
    lastBad ? `last answer other than 2xx ${seconds(lastBad.at - fault.startedAt)} after the kill` : 'every answer 2xx'
  }`;
}

/** Each replica's crm_db_retries_total (since its start), read before the replicas restart. */
async function retriesByReplica(env: ClusterEnv): Promise<string[]> {
  return Promise.all(
    env.replicaPorts.map(async (port, i) => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'x-api-key': env.adminKey, accept: 'text/plain' } });
      const text = await response.text();
      const value = (reason: string) => new RegExp(`^crm_db_retries_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? '?';
      return `replica ${i + 1}: ${value('deadlock')} deadlock/certification, ${value('node_not_ready')} node not ready`;
    }),
  );
}

// ------------------------------------------------------------------------------------ main

async function main(): Promise<number> {
  const env = await clusterEnv();
  const runId = randomBytes(4).toString('hex');
  log(`cluster at ${env.url}: ${env.replicaPorts.length} replicas, Galera nodes on ${env.nodePorts.join(', ')}; run ${runId}`);

  const skipThroughput = process.argv.includes('--no-throughput');
  let one = 0;
  let all = 0;
  if (!skipThroughput) {
    log('throughput: 8 s to replica 1 alone, then 8 s through HAProxy');
    one = await throughput(`http://127.0.0.1:${env.replicaPorts[0]}`, env.apiKey, runId, 'one', 8000);
    all = await throughput(env.url, env.apiKey, runId, 'all', 8000);
  }

  log(`faults: ${CLIENTS} clients, batches of ${BATCH} overlapping within ${WINDOW} externalIds`);
  const { tally, faults, durationMs } = await faultPhase(env, runId);
  log('checking every Galera node directly');
  const nodes = await checkNodes(env, runId, tally);
  const retries = await retriesByReplica(env);
  const rate = await rateLimitPhase(env);

  const problems = [...tally.bad, ...nodes.problems, ...rate.problems];
  console.log('\n== cluster load test with faults: summary');
  if (!skipThroughput) {
    console.log(`throughput (batches of 100, concurrency 8): 1 replica direct ${one.toFixed(0)} contacts/s; ${env.replicaPorts.length} replicas through HAProxy ${all.toFixed(0)} contacts/s`);
  }
  console.log(`fault phase: ${seconds(durationMs)}, ${tally.requests} requests, ${tally.items} contacts answered 2xx, ${tally.crmIds.size} distinct externalIds, ${tally.created.size} created`);
  console.log(`answers: ${[...tally.byStatus].map(([status, n]) => `${status} × ${n}`).join(', ')}`);
  for (const fault of faults) {
    console.log(`fault: ${fault.name}: ${fault.detail ?? 'did not finish'}`);
    console.log(`  clients saw: ${duringFault(tally, fault)}`);
  }
  console.log(`transactions run again inside the service: ${retries.join('; ')}`);
  console.log(`rows per Galera node: ${nodes.rows.join(', ')} (one per externalId: ${nodes.rows.every((n) => n === tally.crmIds.size) ? 'yes' : 'no'})`);
  console.log(`rate limit ${RATE_LIMIT}/min over ${env.replicaPorts.length} replicas + HAProxy: ${rate.ok} ok, ${rate.limited} × 429 (${rate.perTarget.join('; ')})`);
  if (nodes.rows.some((n) => n !== tally.crmIds.size)) problems.push(`rows per node ${nodes.rows.join(', ')} but ${tally.crmIds.size} externalIds answered`);
  if (problems.length > 0) {
    console.log(`\nFAILED: ${problems.length} problem(s)`);
    for (const problem of problems) console.log(`  - ${problem}`);
    return 1;
  }
  console.log('\nPASSED: no duplicates, every 2xx item on every node as sent, only 2xx and 503 with Retry-After, the rate limit shared');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
