// Where the CPU went during a phase: the service, the database server, the bench itself (load
// generator or floor client) and everything else on the machine. On 2 shared cores, "everything
// else" is what makes a figure untrustworthy, so it is measured rather than assumed to be zero.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** The fields of /proc/<pid>/stat after the command name (state first); empty once the process is gone. */
function statFields(pid: number): string[] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}

/** CPU time (user + system) a process has used, in ms; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  const fields = statFields(pid);
  return fields.length === 0 ? 0 : (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/**
 * Page faults a process has taken that needed no disk (minor faults: first touches of fresh memory);
 * 0 once it is gone. On a virtual machine each costs 10-20 µs (docs/performance.md, "Large bodies").
 */
export function processMinorFaults(pid: number): number {
  const fields = statFields(pid);
  return fields.length === 0 ? 0 : Number(fields[7]);
}

/** Busy CPU time of the whole machine (every core, idle and iowait excluded), in ms. */
export function machineBusyMs(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + steal) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The local MySQL/MariaDB server's pid, when the database runs on this machine. */
export function findDatabasePid(host: string): number | undefined {
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (name === 'mariadbd' || name === 'mysqld') return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

export interface CpuSplit {
  /** ms of CPU over the phase. */
  service: number;
  /** Minor page faults of the service over the phase. */
  serviceFaults: number;
  database: number | undefined;
  bench: number;
  other: number;
  /** Wall-clock ms between begin() and end(). */
  wall: number;
}

export class CpuMeter {
  private start: { service: number; serviceFaults: number; database: number; bench: NodeJS.CpuUsage; machine: number; at: number } | undefined;

  constructor(
    private readonly servicePid: number | undefined,
    private readonly databasePid: number | undefined,
  ) {}

  begin(): void {
    this.start = {
      service: this.servicePid ? processCpuMs(this.servicePid) : 0,
      serviceFaults: this.servicePid ? processMinorFaults(this.servicePid) : 0,
      database: this.databasePid ? processCpuMs(this.databasePid) : 0,
      bench: process.cpuUsage(),
      machine: machineBusyMs(),
      at: performance.now(),
    };
  }

  end(): CpuSplit {
    const start = this.start!;
    const usage = process.cpuUsage(start.bench);
    const service = this.servicePid ? processCpuMs(this.servicePid) - start.service : 0;
    const database = this.databasePid ? processCpuMs(this.databasePid) - start.database : undefined;
    const bench = (usage.user + usage.system) / 1000;
    const machine = machineBusyMs() - start.machine;
    const other = Math.max(0, machine - service - (database ?? 0) - bench);
    const serviceFaults = this.servicePid ? processMinorFaults(this.servicePid) - start.serviceFaults : 0;
    return { service, serviceFaults, database, bench, other, wall: performance.now() - start.at };
  }
}

/**
 * Waits until the machine is quiet (under `share` of its CPU busy over one second), at most `maxMs`.
 * On a shared machine a test run next door halves any figure; waiting costs less than a wrong table.
 */
export async function waitForQuiet(maxMs: number, cores: number, share = 0.15): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  do {
    const before = machineBusyMs();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (machineBusyMs() - before <= share * cores * 1000) return true;
  } while (Date.now() < deadline);
  return false;
}
