// Runs the built service as its own process, the way an operator runs it, and watches its memory.
import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { projectFile } from '../../src/project-files.js';

export interface ServiceOptions {
  entry: string;
  databaseUrl: string;
  apiKey: string;
  adminKey: string;
  extraEnv?: Record<string, string>;
  /** Extra options for node, before the entry point (e.g. V8 flags). */
  nodeArgs?: string[];
  /** Write a V8 CPU profile of the service into this folder (`node --cpu-prof`). */
  cpuProfileDir?: string;
}

// `--cpu-prof` writes its file on a normal exit only; Nest re-raises SIGTERM, so the bench asks the
// profiled service to exit with SIGUSR2 instead.
const EXIT_ON_SIGUSR2 = `data:text/javascript,process.on('SIGUSR2',()=>process.exit(0))`;

/** The node options of `npm start`, so that the bench and the tests run the service as it ships. */
export function startNodeOptions(): string {
  const manifest = JSON.parse(readFileSync(projectFile('package.json'), 'utf8')) as { scripts: { start: string } };
  const match = /^node\s+(.*?)\s*dist\/src\/main\.js$/.exec(manifest.scripts.start);
  if (!match) throw new Error(`package.json's start script is not "node [options] dist/src/main.js": ${manifest.scripts.start}`);
  return match[1];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process, in bytes (`VmRSS` or the high-water mark `VmHWM`). */
export function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export class ServiceProcess {
  readonly baseUrl: string;
  private readonly output: string[] = [];
  private exited: { code: number | null; signal: string | null } | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private peak = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly profiled: boolean,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    // One log line per request is no news: keep the rest (start-up, warnings, errors).
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter((line) => line !== '' && !line.includes('"request completed"')));
      if (this.output.length > 60) this.output.splice(0, this.output.length - 60);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => (this.exited = { code, signal }));
  }

  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const port = await freePort();
    const nodeArgs = [...(options.nodeArgs ?? [])];
    if (options.cpuProfileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, '--import', EXIT_ON_SIGUSR2);
    const child = spawn(process.execPath, [...nodeArgs, options.entry], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: options.databaseUrl,
        API_KEYS: options.apiKey,
        ADMIN_API_KEYS: options.adminKey,
        // Required in production; the bench never opens the record pages.
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        ...options.extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, port, options.cpuProfileDir !== undefined);
    await service.waitUntilHealthy(options.apiKey);
    return service;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The service's last lines of output (startup messages and errors; it never logs bodies or keys). */
  tail(): string {
    return this.output.slice(-20).join('\n');
  }

  private async waitUntilHealthy(apiKey: string): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(`the service exited during startup (code ${this.exited.code}, signal ${this.exited.signal}):\n${this.tail()}`);
      }
      try {
        const response = await fetch(`${this.baseUrl}/health`, { headers: { 'X-API-Key': apiKey } });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the service did not answer /health within 90 s:\n${this.tail()}`);
  }

  /** Starts polling the RSS; `stopSampling` returns the peak seen since. */
  startSampling(): void {
    this.peak = memoryOf(this.pid, 'VmRSS');
    this.sampler = setInterval(() => {
      this.peak = Math.max(this.peak, memoryOf(this.pid, 'VmRSS'));
    }, 50);
  }

  stopSampling(): number {
    clearInterval(this.sampler);
    this.sampler = undefined;
    return Math.max(this.peak, memoryOf(this.pid, 'VmRSS'));
  }

  /** Peak RSS over the process's whole life. */
  highWaterMark(): number {
    return memoryOf(this.pid, 'VmHWM');
  }

  isRunning(): boolean {
    return this.exited === undefined;
  }

  /** How the process ended, with its last lines of output; undefined while it runs. */
  exitReport(): string | undefined {
    if (!this.exited) return undefined;
    return `the service exited (code ${this.exited.code}, signal ${this.exited.signal}); its last output:\n${this.tail()}`;
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(this.profiled ? 'SIGUSR2' : 'SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
