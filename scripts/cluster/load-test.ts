// The load test with faults, on the local cluster (scripts/cluster/cluster.sh up must have run; the
// CI step scripts/cluster/ci.sh starts it, runs this and cleans up). Phases:
//
//   1. throughput: fresh contacts at concurrency 8, to one replica directly, then through HAProxy to
//      all replicas (figures only, nothing asserted about speed);
//   2. faults: 16 clients export as Enginy does, in overlapping rounds (the same externalIds at once,
//      spread over the replicas by HAProxy): a batch of contacts, a batch of their companies (five
//      contacts to a company), then the associations linking each contact to its company, with the
//      crmIds those answers gave; meanwhile Galera node 2 is SIGKILLed and started again (IST), then
//      replica 1 is SIGKILLed and started again. Clients behave as Enginy should: after a 503 they
//      wait its Retry-After and re-send the batch; after a refused or reset connection they re-send it;
//   3. reads after writes: a company and a contact written through one replica each, then linked and
//      read at once through the other one, under load; every read must see the write answered;
//   4. checks, on every Galera node directly: one contact and one company per externalId, every crmId
//      answered 2xx is there with that externalId and every field as sent, every pair answered linked
//      is there and no other, the nodes agree; no answer other than 2xx and 503 with Retry-After
//      (refused or reset connections only right after the replica kill);
//   5. shared rate limit: the replicas restart with RATE_LIMIT_PER_MINUTE, and requests spread over
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

/** The company of a contact: five contacts (by their number) to a company. */
function companyIdOf(contactExternalId: string, runId: string): string {
  const n = Number.parseInt(contactExternalId.slice(contactExternalId.lastIndexOf('-') + 1), 10);
  return `ltc-${runId}-${Math.floor(n / 5)}`;
}

/** Every field derived from the externalId, as for contacts. */
function companyFor(externalId: string): Record<string, unknown> {
  const n = Number.parseInt(externalId.slice(externalId.lastIndexOf('-') + 1), 10);
  return { externalId, name: `Company ${n}`, domain: `${externalId}.example.com`, industry: 'Software', tier: `tier-${n % 3}` };
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

interface RecordsAnswer {
  results?: { externalId?: string; crmId: string; status: 'created' | 'existing' }[];
  errors?: unknown[];
}

interface AssociationsAnswer {
  success?: boolean;
  created?: number;
  existing?: number;
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

/** What the 2xx answers of one record type said: externalId → every crmId answered, and how often "created". */
class Answered {
  readonly crmIds = new Map<string, Set<string>>();
  readonly created = new Map<string, number>();
  items = 0;

  add(externalId: string, result: { crmId: string; status: string }): void {
    this.items++;
    const seen = this.crmIds.get(externalId) ?? new Set<string>();
    seen.add(result.crmId);
    this.crmIds.set(externalId, seen);
    if (result.status === 'created') this.created.set(externalId, (this.created.get(externalId) ?? 0) + 1);
  }

  /** The one crmId answered for an externalId (duplicates are reported by the checks). */
  crmIdOf(externalId: string): string | undefined {
    return [...(this.crmIds.get(externalId) ?? [])][0];
  }
}

class Tally {
  readonly byStatus = new Map<string, number>();
  /** Answers by operation and status ("/companies 201"). */
  readonly byOperation = new Map<string, number>();
  readonly bad: string[] = [];
  readonly contacts = new Answered();
  readonly companies = new Answered();
  /** Every pair a 2xx answer of POST /associations linked: "contactCrmId companyCrmId". */
  readonly pairs = new Set<string>();
  /** Every answer: when, and what (a status, or what happened to the connection). */
  readonly timeline: { at: number; label: string }[] = [];
  requests = 0;

  count(path: string, label: string, at: number): void {
    this.requests++;
    this.byStatus.set(label, (this.byStatus.get(label) ?? 0) + 1);
    const operation = `${path} ${label.split(' ')[0]}`;
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
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

  /**
   * Sends a batch until it is answered 2xx, as Enginy does after a 503 or a lost connection (even once
   * the phase is over: every batch sent ends answered). The 2xx answer, or undefined after a problem.
   */
  const send = async (path: string, body: unknown): Promise<Answer | undefined> => {
    for (;;) {
      if (Date.now() - started > FAULT_PHASE_LIMIT_MS + 30_000) {
        tally.bad.push(`a batch to ${path} still had no 2xx answer ${seconds(Date.now() - started)} into the phase`);
        return undefined;
      }
      const answer = await post(env.url, env.apiKey, path, body);
      tally.count(path, String(answer.status) + (answer.status === 503 ? (answer.retryAfter ? ' (Retry-After)' : ' (no Retry-After)') : ''), answer.at);
      if (answer.status === 201 || answer.status === 200) return answer;
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
      tally.bad.push(`${path} answered ${answer.status} at ${seconds(answer.at - started)}: ${JSON.stringify(answer.body).slice(0, 200)}`);
      return undefined;
    }
  };

  /** Records a records batch's 2xx answer (one result per item, in request order); the crmIds, or undefined. */
  const answeredIds = (path: string, answer: Answer, externalIds: string[], into: Answered): string[] | undefined => {
    const results = (answer.body as RecordsAnswer).results ?? [];
    if (results.length !== externalIds.length) {
      tally.bad.push(`a 2xx of ${path} answered ${results.length} results for ${externalIds.length} items`);
      return undefined;
    }
    results.forEach((result, i) => into.add(externalIds[i], result));
    return results.map((result) => result.crmId);
  };

  const client = async (seed: number) => {
    let round = 0;
    while (!stop) {
      round++;
      const first = windowStart() + ((seed * 37 + round * 101) % (WINDOW - BATCH));
      const ids = Array.from({ length: BATCH }, (_, i) => `lt-${runId}-${first + i}`);
      const contacts = await send('/contacts', { contacts: ids.map(contactFor) });
      const contactCrmIds = contacts && answeredIds('/contacts', contacts, ids, tally.contacts);
      if (!contactCrmIds) continue;
      const companyIds = [...new Set(ids.map((id) => companyIdOf(id, runId)))];
      const companies = await send('/companies', { companies: companyIds.map(companyFor) });
      const companyCrmIds = companies && answeredIds('/companies', companies, companyIds, tally.companies);
      if (!companyCrmIds) continue;
      const companyCrmId = new Map(companyIds.map((id, i) => [id, companyCrmIds[i]]));
      const pairs = ids.map((id, i) => ({ contactCRMId: contactCrmIds[i], companyCRMId: companyCrmId.get(companyIdOf(id, runId))! }));
      const linked = await send('/associations', { associations: pairs });
      if (!linked) continue;
      const outcome = linked.body as AssociationsAnswer;
      if (outcome.success !== true || (outcome.errors?.length ?? 0) > 0 || (outcome.created ?? 0) + (outcome.existing ?? 0) !== pairs.length) {
        tally.bad.push(`POST /associations answered ${JSON.stringify(outcome).slice(0, 200)} for ${pairs.length} distinct pairs`);
        continue;
      }
      for (const pair of pairs) tally.pairs.add(`${pair.contactCRMId} ${pair.companyCRMId}`);
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

// ------------------------------------------------------------------------------------ reads after writes

const CAUSAL_ROUNDS = 500;

/**
 * Reads after writes across replicas, as Enginy's export makes them: rounds of a fresh company written
 * through one replica (one Galera node) and a fresh contact through the other, then at once, through
 * the first one, the link between them (which checks that the contact exists) and, through the other,
 * a read of the company. Each read must see the write its client was already answered for: none may
 * say COMPANY_NOT_FOUND, CONTACT_NOT_FOUND or 404. Four clients at once, while eight more export
 * batches of 100 fresh contacts through HAProxy, so that every node is busy applying the others' writes.
 * A 503 with Retry-After (load shed by a busy replica) is waited out and sent again, as Enginy does.
 */
async function causalPhase(env: ClusterEnv, runId: string): Promise<{ rounds: number; misses: number; problems: string[] }> {
  const replicas = env.replicaPorts.map((port) => `http://127.0.0.1:${port}`);
  const problems: string[] = [];
  let next = 0;
  let rounds = 0;
  let misses = 0;
  const shown: string[] = [];
  const miss = (what: string) => {
    misses++;
    if (shown.length < 5) shown.push(`read after write: ${what}`);
  };
  /** A request sent again after each 503 with Retry-After (load shed: not what this phase looks for), as Enginy does. */
  const settled = async <T extends { status: number | string; retryAfter: string | null }>(send: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const answer = await send();
      if (answer.status !== 503 || !answer.retryAfter || attempt === 20) return answer;
      await sleep(Number(answer.retryAfter) * 1000);
    }
  };
  const get = async (url: string) => {
    const response = await fetch(url, { headers: { 'x-api-key': env.apiKey } });
    await response.arrayBuffer();
    return { status: response.status, retryAfter: response.headers.get('retry-after') };
  };
  let background = 0;
  const load = Array.from({ length: 8 }, async () => {
    while (next < CAUSAL_ROUNDS) {
      await post(env.url, env.apiKey, '/contacts', { contacts: Array.from({ length: 100 }, () => contactFor(`rwl-${runId}-${background++}`)) });
    }
  });
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < CAUSAL_ROUNDS) {
        const i = next++;
        const [one, other] = i % 2 === 0 ? [replicas[0], replicas[1 % replicas.length]] : [replicas[1 % replicas.length], replicas[0]];
        const company = await settled(() => post(one, env.apiKey, '/companies', { companies: [companyFor(`rw-${runId}-c-${i}`)] }));
        const contact = await settled(() => post(other, env.apiKey, '/contacts', { contacts: [contactFor(`rw-${runId}-p-${i}`)] }));
        const companyCrmId = (company.body as RecordsAnswer).results?.[0]?.crmId;
        const contactCrmId = (contact.body as RecordsAnswer).results?.[0]?.crmId;
        if (company.status !== 201 || contact.status !== 201 || !companyCrmId || !contactCrmId) {
          if (problems.length < 5) problems.push(`read after write: the writes answered ${company.status} and ${contact.status}`);
          continue;
        }
        const [linked, read] = await Promise.all([
          settled(() => post(one, env.apiKey, '/associations', { associations: [{ contactCRMId: contactCrmId, companyCRMId: companyCrmId }] })),
          settled(() => get(`${other}/companies/${companyCrmId}`)),
        ]);
        const outcome = linked.body as AssociationsAnswer;
        if (linked.status === 503 || read.status === 503) {
          if (problems.length < 5) problems.push(`read after write: still 503 after 20 tries (link ${linked.status}, read ${read.status})`);
        } else {
          if (linked.status !== 200 || outcome.created !== 1) miss(`POST /associations through ${one} answered ${linked.status} ${JSON.stringify(outcome).slice(0, 160)}`);
          if (read.status !== 200) miss(`GET /companies/${companyCrmId} through ${other} answered ${read.status} right after its 201 through ${one}`);
        }
        rounds++;
      }
    }),
  );
  await Promise.all(load);
  problems.push(...shown);
  if (misses > shown.length) problems.push(`read after write: ${misses} misses in all`);
  return { rounds, misses, problems };
}

// ------------------------------------------------------------------------------------ checks

/** How one record type is checked on a node: its rows of this run, and the fields sent for an externalId. */
interface RecordCheck {
  noun: string;
  answered: Answered;
  select: string;
  pattern: string;
  sent: (externalId: string) => Record<string, unknown>;
  fields: readonly string[];
  /** The custom field every item carries, checked in the stored custom fields. */
  custom: string;
}

interface NodeCounts {
  contacts: number[];
  companies: number[];
  pairs: number[];
}

async function checkNodes(env: ClusterEnv, runId: string, tally: Tally): Promise<{ problems: string[]; counts: NodeCounts }> {
  const problems: string[] = [];
  const counts: NodeCounts = { contacts: [], companies: [], pairs: [] };
  const checks: RecordCheck[] = [
    {
      noun: 'contact',
      answered: tally.contacts,
      select:
        'SELECT crm_id AS crmId, external_id AS externalId, email, first_name AS firstName, last_name AS lastName, company, title, lead_country AS leadCountry, custom_fields AS customFields FROM contacts WHERE external_id LIKE ?',
      pattern: `lt-${runId}-%`,
      sent: contactFor,
      fields: ['email', 'firstName', 'lastName', 'company', 'title', 'leadCountry'],
      custom: 'campaignStage',
    },
    {
      noun: 'company',
      answered: tally.companies,
      select: 'SELECT crm_id AS crmId, external_id AS externalId, name, domain, industry, custom_fields AS customFields FROM companies WHERE external_id LIKE ?',
      pattern: `ltc-${runId}-%`,
      sent: companyFor,
      fields: ['name', 'domain', 'industry'],
      custom: 'tier',
    },
  ];
  for (const { noun, answered } of checks) {
    for (const [externalId, crmIds] of answered.crmIds) {
      if (crmIds.size > 1) problems.push(`${noun} ${externalId} was answered ${crmIds.size} different crmIds`);
    }
    for (const [externalId, times] of answered.created) {
      if (times > 1) problems.push(`${noun} ${externalId} was answered "created" ${times} times`);
    }
  }
  for (const [index, port] of env.nodePorts.entries()) {
    const node = `node ${index + 1}`;
    const connection = await mysql.createConnection({ host: '127.0.0.1', port, ...env.db });
    try {
      // Causal reads: this node has applied everything the cluster committed before the query.
      await connection.query('SET SESSION wsrep_sync_wait = 1');
      for (const check of checks) {
        const [stored] = await connection.query<mysql.RowDataPacket[]>(check.select, [check.pattern]);
        (check.noun === 'contact' ? counts.contacts : counts.companies).push(stored.length);
        const byExternalId = new Map<string, mysql.RowDataPacket[]>();
        for (const row of stored) byExternalId.set(row.externalId, [...(byExternalId.get(row.externalId) ?? []), row]);
        for (const [externalId, found] of byExternalId) {
          if (found.length > 1) problems.push(`${node}: ${found.length} ${check.noun} rows for ${externalId}`);
        }
        for (const externalId of check.answered.crmIds.keys()) {
          const row = byExternalId.get(externalId)?.[0];
          const crmId = check.answered.crmIdOf(externalId);
          if (!row) {
            problems.push(`${node}: ${check.noun} ${externalId} (answered 2xx) is missing`);
            continue;
          }
          if (row.crmId !== crmId) problems.push(`${node}: ${check.noun} ${externalId} is stored as ${row.crmId}, answered ${crmId}`);
          const sent = check.sent(externalId);
          for (const field of check.fields) {
            if (row[field] !== sent[field]) problems.push(`${node}: ${check.noun} ${externalId}.${field} is ${row[field]}, sent ${String(sent[field])}`);
          }
          const custom = JSON.parse(String(row.customFields ?? '{}')) as Record<string, unknown>;
          if (custom[check.custom] !== sent[check.custom]) problems.push(`${node}: ${check.noun} ${externalId} lost its custom field`);
        }
      }
      // The links of this run's contacts: exactly the pairs answered linked.
      const [links] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT l.contact_crm_id AS contactCrmId, l.company_crm_id AS companyCrmId FROM contact_companies l JOIN contacts c ON c.crm_id = l.contact_crm_id WHERE c.external_id LIKE ?',
        [`lt-${runId}-%`],
      );
      counts.pairs.push(links.length);
      const stored = new Set(links.map((link) => `${link.contactCrmId} ${link.companyCrmId}`));
      for (const pair of tally.pairs) if (!stored.has(pair)) problems.push(`${node}: the link ${pair} (answered linked) is missing`);
      for (const pair of stored) if (!tally.pairs.has(pair)) problems.push(`${node}: a link ${pair} that no answer linked`);
    } finally {
      await connection.end();
    }
  }
  for (const [table, perNode] of Object.entries(counts)) {
    if (new Set(perNode).size > 1) problems.push(`the nodes hold different ${table} counts: ${perNode.join(', ')}`);
  }
  return { problems: problems.slice(0, 20).concat(problems.length > 20 ? [`... and ${problems.length - 20} more`] : []), counts };
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

  log(`faults: ${CLIENTS} clients, rounds of ${BATCH} contacts, their companies and links, overlapping within ${WINDOW} externalIds`);
  const { tally, faults, durationMs } = await faultPhase(env, runId);
  log(`reads after writes: ${CAUSAL_ROUNDS} rounds written through one replica and read through the other`);
  const causal = await causalPhase(env, runId);
  log('checking every Galera node directly');
  const nodes = await checkNodes(env, runId, tally);
  const retries = await retriesByReplica(env);
  const rate = await rateLimitPhase(env);

  const problems = [...tally.bad, ...causal.problems, ...nodes.problems, ...rate.problems];
  console.log('\n== cluster load test with faults: summary');
  if (!skipThroughput) {
    console.log(`throughput (batches of 100, concurrency 8): 1 replica direct ${one.toFixed(0)} contacts/s; ${env.replicaPorts.length} replicas through HAProxy ${all.toFixed(0)} contacts/s`);
  }
  const { contacts, companies } = tally;
  console.log(
    `fault phase: ${seconds(durationMs)}, ${tally.requests} requests; answered 2xx: ${contacts.items} contacts (${contacts.crmIds.size} distinct externalIds, ` +
      `${contacts.created.size} created), ${companies.items} companies (${companies.crmIds.size} distinct, ${companies.created.size} created), ${tally.pairs.size} distinct pairs linked`,
  );
  console.log(`answers: ${[...tally.byStatus].map(([status, n]) => `${status} × ${n}`).join(', ')}`);
  console.log(`answers by operation: ${[...tally.byOperation].map(([operation, n]) => `${operation} × ${n}`).join(', ')}`);
  for (const fault of faults) {
    console.log(`fault: ${fault.name}: ${fault.detail ?? 'did not finish'}`);
    console.log(`  clients saw: ${duringFault(tally, fault)}`);
  }
  console.log(`transactions run again inside the service: ${retries.join('; ')}`);
  const expected: Record<keyof NodeCounts, number> = { contacts: contacts.crmIds.size, companies: companies.crmIds.size, pairs: tally.pairs.size };
  for (const [table, perNode] of Object.entries(nodes.counts) as [keyof NodeCounts, number[]][]) {
    const agree = perNode.every((n) => n === expected[table]);
    console.log(`${table} per Galera node: ${perNode.join(', ')} (${table === 'pairs' ? 'exactly the pairs answered linked' : 'one per externalId answered'}: ${agree ? 'yes' : 'no'})`);
    if (!agree) problems.push(`${table} per node ${perNode.join(', ')} but ${expected[table]} answered`);
  }
  console.log(`reads after writes across replicas: ${causal.rounds} rounds (a company and a contact written, then linked and read through the other replica), ${causal.misses} reads that missed a write already answered`);
  console.log(`rate limit ${RATE_LIMIT}/min over ${env.replicaPorts.length} replicas + HAProxy: ${rate.ok} ok, ${rate.limited} × 429 (${rate.perTarget.join('; ')})`);
  if (problems.length > 0) {
    console.log(`\nFAILED: ${problems.length} problem(s)`);
    for (const problem of problems) console.log(`  - ${problem}`);
    return 1;
  }
  console.log('\nPASSED: no duplicates, every 2xx contact, company and link on every node as sent, only 2xx and 503 with Retry-After, the rate limit shared');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
