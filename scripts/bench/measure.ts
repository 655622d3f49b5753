// What one measured phase produces, and the two ways of producing it: autocannon against the service,
// mysql2 straight into MySQL.
import autocannon from 'autocannon';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { CpuSplit } from './cpu.js';

export type PhaseKind =
  | 'floor'
  | 'new'
  | 'retry'
  | 'grown'
  | 'sync'
  | 'sync-floor'
  | 'update'
  | 'update-floor'
  | 'companies'
  | 'companies-floor'
  | 'associations'
  | 'associations-floor';

/** How the floor sends its INSERTs: SQL text (mysql2 query) or prepared statements (mysql2 execute). */
export type FloorProtocol = 'text' | 'prepared';

export interface PhaseResult {
  kind: PhaseKind;
  /** Floor phases only. */
  protocol?: FloorProtocol;
  /** Growth phases: measured with this many contacts already stored. */
  grown?: boolean;
  name: string;
  concurrency: number;
  /** Records written: contacts, or companies, or pairs for associations. */
  contacts: number;
  seconds: number;
  /** Latency of each batch of 100, in milliseconds. */
  latencies: number[];
  /** Service process peak RSS during the phase, in bytes (undefined for the floor). */
  peakRss?: number;
  cpu?: CpuSplit;
  /** InnoDB pages read from disk during the phase (Innodb_buffer_pool_reads, server-wide). */
  diskReads?: number;
  /** False when the machine was still busy with something else when the phase started. */
  quiet?: boolean;
  failures: string[];
}

type Measured = Omit<PhaseResult, 'kind' | 'protocol' | 'grown' | 'peakRss' | 'cpu' | 'diskReads' | 'quiet'>;

export const perSecond = (result: PhaseResult): number => result.contacts / result.seconds;

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface HttpPhase {
  name: string;
  baseUrl: string;
  apiKey: string;
  concurrency: number;
  /** Pre-serialized `{"contacts":[...]}` bodies, one per request. */
  bodies: Buffer[];
  batchSize: number;
  /** The status every result of the phase must carry: new contacts, or contacts already stored. */
  expectStatus?: 'created' | 'existing';
  /** Another operation than POST /contacts: its method, path, status, and a check of each answer. */
  operation?: { method: 'POST' | 'PUT'; path: string; status: number; check: (body: unknown) => string | undefined };
}

/** POST /contacts answers: no item in `errors`, one result per contact, each with the expected status. */
function createCheck(batchSize: number, expectStatus: 'created' | 'existing') {
  return (body: unknown): string | undefined => {
    const parsed = body as { results?: { status?: string }[]; errors?: { code?: string }[] };
    if ((parsed.errors?.length ?? 0) > 0) return `${parsed.errors!.length} item error(s), first code ${parsed.errors![0].code}`;
    if (parsed.results?.length !== batchSize) return `${parsed.results?.length} results for ${batchSize} contacts`;
    const wrong = parsed.results.filter((r) => r.status !== expectStatus).length;
    return wrong > 0 ? `${wrong} result(s) not "${expectStatus}"` : undefined;
  };
}

/**
 * Sends every body once over `concurrency` keep-alive connections and checks each answer (for
 * POST /contacts: 201, no item in `errors`, one result per contact, each with the expected status).
 */
export function runHttpPhase(phase: HttpPhase): Promise<Measured> {
  const operation = phase.operation ?? {
    method: 'POST' as const,
    path: '/contacts',
    status: 201,
    check: createCheck(phase.batchSize, phase.expectStatus ?? 'created'),
  };
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  // autocannon notices the end on its own 1 s tick: the phase ends with its last answer instead.
  let lastAnswer = process.hrtime.bigint();
  const fail = (message: string) => {
    if (failures.length < 10) failures.push(message);
  };
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: phase.baseUrl,
        connections: phase.concurrency,
        pipelining: 1,
        amount: phase.bodies.length,
        timeout: 120,
        method: operation.method,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': phase.apiKey },
        requests: [
          {
            path: operation.path,
            setupRequest: (request, context) => {
              // Each connection takes the next batch; autocannon calls this once per request sent.
              const batch = next++;
              context.batch = batch;
              return { ...request, body: phase.bodies[batch % phase.bodies.length] };
            },
            onResponse: (status, body, context) => {
              const batch = context.batch as number;
              if (status !== operation.status) return fail(`batch ${batch}: HTTP ${status} ${body.slice(0, 200)}`);
              let parsed: unknown;
              try {
                parsed = JSON.parse(body);
              } catch {
                return fail(`batch ${batch}: the body is not JSON`);
              }
              const problem = operation.check(parsed);
              if (problem) fail(`batch ${batch}: ${problem}`);
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = Number(lastAnswer - started) / 1e9;
        if (result.errors > 0) fail(`${result.errors} connection error(s), ${result.timeouts} timeout(s)`);
        if (latencies.length !== phase.bodies.length) fail(`${latencies.length} answers for ${phase.bodies.length} requests`);
        resolve({
          name: phase.name,
          concurrency: phase.concurrency,
          contacts: latencies.length * phase.batchSize,
          seconds,
          latencies,
          failures,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      lastAnswer = process.hrtime.bigint();
      if (latencies.length === phase.bodies.length) instance.stop();
    });
  });
}

export interface SqlPhase {
  name: string;
  pool: Pool;
  concurrency: number;
  protocol: FloorProtocol;
  /**
   * One per batch: the full statement (text), or the statement and its values (prepared); or, for
   * a batch of several statements, `run`, which sends them on the phase's connection.
   */
  batches: { text: string; prepared: string; values: (string | null)[]; run?: (connection: PoolConnection) => Promise<unknown> }[];
  batchSize: number;
}

/** The floor: each of `concurrency` connections sends the next INSERT as soon as its last one returned. */
export async function runSqlPhase(phase: SqlPhase): Promise<Measured> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    const connection = await phase.pool.getConnection();
    try {
      for (let batch = next++; batch < phase.batches.length; batch = next++) {
        const { text, prepared, values, run } = phase.batches[batch];
        const sent = process.hrtime.bigint();
        try {
          if (run) await run(connection);
          else if (phase.protocol === 'text') await connection.query(text);
          else await connection.execute(prepared, values);
          latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
        } catch (error) {
          if (failures.length < 10) failures.push(`batch ${batch}: ${(error as Error).message.slice(0, 200)}`);
        }
      }
    } finally {
      connection.release();
    }
  };
  await Promise.all(Array.from({ length: phase.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    name: phase.name,
    concurrency: phase.concurrency,
    contacts: latencies.length * phase.batchSize,
    seconds,
    latencies,
    failures,
  };
}
