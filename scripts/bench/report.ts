// The bench's output: what ran where, one table row per phase, the targets, and last the ratio line.
import { cpus, totalmem } from 'node:os';
import { type PhaseKind, type PhaseResult, perSecond, percentile } from './measure.js';

export interface RunFacts {
  command: string;
  quick: boolean;
  contacts: number;
  batch: number;
  bytesPerContact: number;
  stored: number;
  bulkSeconds: number;
  mariadb: string;
  bufferPoolBytes: number;
  /** The service's table after the bulk load: sizes and the plan of its id lookup. */
  table?: string;
  serviceCommand: string;
  /** Service RSS once it answered /health, before any load. */
  startRss: number;
  /** Service VmHWM at the end: the peak over the whole run. */
  serviceHwm: number;
  /** 1-minute load average when the bench started. */
  loadAverage: number;
  /** The overload phase: maximum-size batches sent at once, their answers by status, the peak RSS. */
  overload?: { sent: number; bytes: number; answers: Record<string, number>; peakRss: number };
}

const mb = (bytes: number) => bytes / (1024 * 1024);

export function printReport(facts: RunFacts, results: PhaseResult[], failures: string[]): void {
  const cpu = cpus();
  const cores = cpu.length;
  console.log('');
  console.log(`${facts.command}  ${new Date().toISOString()}`);
  console.log(
    `machine: ${cores} cores (${cpu[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ` +
      `${facts.mariadb} (innodb_buffer_pool_size ${mb(facts.bufferPoolBytes).toFixed(0)} MiB); load average at start ${facts.loadAverage.toFixed(2)}`,
  );
  console.log(`service: ${facts.serviceCommand}, RSS ${mb(facts.startRss).toFixed(0)} MB once started`);
  console.log(
    `data: ${facts.contacts} contacts (and as many companies, as many pairs) per data set, batches of ${facts.batch}, ${facts.bytesPerContact} bytes of JSON a contact; ` +
      `growth phases after bulk-loading to ${facts.stored} stored contacts (${facts.bulkSeconds.toFixed(0)} s)`,
  );
  if (facts.table) console.log(`contacts table at ${facts.stored}: ${facts.table}`);
  console.log(
    'svc, db, bench: ms of CPU per batch of 100 in the service, the database server and the bench (load generator or floor client); ' +
      'other: share of the machine used by anything else (! = it was busy when the phase began); reads: InnoDB pages read from disk per batch; ' +
      'faults: minor page faults in the service per batch (fresh memory touched: 10-20 µs each on a VM)',
  );
  console.log('');

  const header = ['phase', 'conc', 'records', 'seconds', 'records/s', 'p50 ms', 'p95 ms', 'p99 ms', 'p99/p50', 'RSS MB', 'svc', 'db', 'bench', 'other', 'reads', 'faults'];
  const rows = results.map((r) => {
    const p50 = percentile(r.latencies, 50);
    const p99 = percentile(r.latencies, 99);
    const batches = r.contacts / facts.batch || 1;
    const perBatch = (ms: number | undefined) => (ms === undefined ? '-' : (ms / batches).toFixed(1));
    return [
      r.name,
      String(r.concurrency),
      String(r.contacts),
      r.seconds.toFixed(2),
      perSecond(r).toFixed(0),
      p50.toFixed(1),
      percentile(r.latencies, 95).toFixed(1),
      p99.toFixed(1),
      (p99 / p50).toFixed(2),
      r.peakRss === undefined ? '-' : mb(r.peakRss).toFixed(0),
      r.kind.includes('floor') ? '-' : perBatch(r.cpu?.service),
      perBatch(r.cpu?.database),
      perBatch(r.cpu?.bench),
      r.cpu ? `${((100 * r.cpu.other) / (r.cpu.wall * cores)).toFixed(0)} %${r.quiet === false ? '!' : ''}` : '-',
      r.diskReads === undefined ? '-' : (r.diskReads / batches).toFixed(1),
      r.kind.includes('floor') || !r.cpu ? '-' : (r.cpu.serviceFaults / batches).toFixed(0),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log('');

  const find = (kind: PhaseKind, concurrency: number, grown = false) =>
    results.find((r) => r.kind === kind && r.concurrency === concurrency && Boolean(r.grown) === grown);
  // The floor of the target is the one the issue defines: mysql2's multi-row INSERTs of 100, sent as
  // SQL text. The prepared-statement floor (what the service itself sends) is stricter; its ratio is
  // printed beside, so that nobody reads the target as the best MySQL can do.
  const floorOf = (concurrency: number, grown = false) =>
    results.find((r) => r.kind === 'floor' && r.protocol === 'text' && r.concurrency === concurrency && Boolean(r.grown) === grown);
  const floor8 = floorOf(8);
  const floorGrown = floorOf(8, true);
  const new1 = find('new', 1);
  const new8 = find('new', 8);
  const retry1 = find('retry', 1);
  const retry8 = find('retry', 8);
  const grown = find('grown', 8, true);
  const ratio = floor8 && new8 ? perSecond(new8) / perSecond(floor8) : NaN;
  const verdict = (ok: boolean) => (ok ? 'holds ' : 'MISSED');
  if (floor8 && new1 && new8 && retry1 && retry8 && grown) {
    const tails = [new1, new8, grown].map((p) => ({ p, ratio: percentile(p.latencies, 99) / percentile(p.latencies, 50) }));
    const worstTail = Math.max(...tails.map((t) => t.ratio));
    const growthShare = perSecond(grown) / perSecond(new8);
    const floorShare = floorGrown ? ` (the floor itself: ${((100 * perSecond(floorGrown)) / perSecond(floor8)).toFixed(0)} %)` : '';
    console.log('targets:');
    console.log(floorTarget(results, 'new', 'floor', 0.5));
    console.log(
      `  ${verdict(worstTail <= 4)}  p99 <= 4 x p50 per batch of new contacts: ` +
        tails.map((t) => `${t.p.name} c${t.p.concurrency} ${t.ratio.toFixed(2)}`).join(', '),
    );
    console.log(
      `  ${verdict(growthShare >= 0.8)}  with ${facts.stored} stored >= 80 % of the empty-table figure (c8): ` +
        `${(growthShare * 100).toFixed(0)} %${floorShare}`,
    );
    console.log(
      `  ${verdict(perSecond(retry1) >= perSecond(new1) && perSecond(retry8) >= perSecond(new8))}  retries >= new contacts: ` +
        `c1 ${perSecond(retry1).toFixed(0)} vs ${perSecond(new1).toFixed(0)}, c8 ${perSecond(retry8).toFixed(0)} vs ${perSecond(new8).toFixed(0)}`,
    );
    for (const [kind, floorKind] of [['companies', 'companies-floor'], ['associations', 'associations-floor']] as const) {
      if (results.some((r) => r.kind === kind)) console.log(floorTarget(results, kind, floorKind, 0.65));
    }
    console.log(`  ${verdict(mb(facts.serviceHwm) <= 250)}  service peak RSS <= 250 MB: ${mb(facts.serviceHwm).toFixed(0)} MB (VmHWM over the whole run)`);
    if (facts.overload) {
      const { sent, bytes, answers, peakRss } = facts.overload;
      console.log(
        `  ${verdict(mb(peakRss) < 450)}  overload: ${sent} batches of ${mb(bytes).toFixed(1)} MB at once, answers ${JSON.stringify(answers)}; ` +
          `peak RSS ${mb(peakRss).toFixed(0)} MB (bound 450 MB, docs/operating.md)`,
      );
    }
    if (facts.quick) console.log('  (quick mode: too little data for these figures to mean anything; it proves the bench runs)');
    console.log('');
  }
  printOperationTargets(results);
  if (failures.length > 0) {
    console.log(`FAILED (${failures.length}):`);
    for (const failure of failures.slice(0, 20)) console.log(`  ${failure}`);
    console.log('');
  }
  console.log(`ratio service/floor at concurrency 8: ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}`);
}

/**
 * The target line of one record type: its service phase at concurrency 8 over its SQL-text floor (the
 * floor the issues define), the prepared-statement floor's ratio beside it. Contacts have no prefix.
 */
function floorTarget(results: PhaseResult[], kind: PhaseKind, floorKind: PhaseKind, minimum: number): string {
  const service = results.find((r) => r.kind === kind && r.concurrency === 8 && !r.grown);
  const floors = results.filter((r) => r.kind === floorKind && r.concurrency === 8 && !r.grown);
  const text = floors.find((f) => f.protocol === 'text');
  const label = `${kind === 'new' ? '' : `${kind}: `}service/floor at concurrency 8 >= ${minimum.toFixed(2)}`;
  if (!service || !text) return `  MISSED  ${label}: no measurement`;
  const ratio = perSecond(service) / perSecond(text);
  return (
    `  ${ratio >= minimum ? 'holds ' : 'MISSED'}  ${label}: ${ratio.toFixed(2)} (` +
    floors.map((f) => `${(perSecond(service) / perSecond(f)).toFixed(2)} of the ${f.protocol === 'text' ? 'SQL-text (target)' : 'prepared-statement'} floor`).join(', ') +
    ')'
  );
}

/** Sync and update: each beside its floor (the first floor of its kind: the same statements the service's design sends). */
function printOperationTargets(results: PhaseResult[]): void {
  const lines: string[] = [];
  for (const [kind, floorKind] of [['sync', 'sync-floor'], ['update', 'update-floor']] as const) {
    const service = results.find((r) => r.kind === kind);
    const floor = results.find((r) => r.kind === floorKind);
    if (!service || !floor) continue;
    const ratio = perSecond(service) / perSecond(floor);
    const tail = percentile(service.latencies, 99) / percentile(service.latencies, 50);
    lines.push(`  ${ratio >= 0.5 ? 'holds ' : 'MISSED'}  ${service.name} / ${floor.name} >= 0.50: ${ratio.toFixed(2)}`);
    lines.push(`  ${tail <= 4 ? 'holds ' : 'MISSED'}  ${service.name}: p99 <= 4 x p50: ${tail.toFixed(2)}`);
    for (const other of results.filter((r) => r.kind === floorKind && r !== floor)) {
      lines.push(`          (${other.name}: ${perSecond(other).toFixed(0)} contacts/s, ${(perSecond(floor) / perSecond(other)).toFixed(2)}x slower than ${floor.name})`);
    }
  }
  if (lines.length === 0) return;
  console.log('sync and update targets (concurrency 8, with every contact above stored):');
  for (const line of lines) console.log(line);
  console.log('');
}
