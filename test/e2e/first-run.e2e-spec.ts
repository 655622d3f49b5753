// A newcomer's first `npm start`: the built service, as its own process, on the embedded database.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Started {
  output: string;
  exitCode: number | null;
  stop(): void;
}

/** Starts dist/src/main.js and waits for `until` in its output, or for it to exit. */
function startService(env: Record<string, string>, until: RegExp): Promise<Started> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', ...env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 20000);
    const done = (exitCode: number | null) => {
      clearTimeout(timer);
      resolve({ output, exitCode, stop: () => child.kill('SIGTERM') });
    };
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (until.test(output)) done(null);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => done(code));
  });
}

describe('First run (npm start on a fresh machine)', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  }, 120000);

  it('starts on the embedded database, prints a key and a curl line that works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-first-run-'));
    const service = await startService({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }, /Try it:.*\n/);
    try {
      const key = /API key: (\S+)/.exec(service.output)?.[1];
      expect(key).toBeDefined();
      expect(service.output).toContain('database: sqlite');
      const url = /curl -H 'X-API-Key: \S+' (http:\/\/\S+)\/health/.exec(service.output)?.[1];
      expect(url).toBeDefined();
      // PORT=0 picks a free port; the printed URL must be the real one.
      const health = await fetch(`${url}/health`, { headers: { 'X-API-Key': key! } });
      expect(health.status).toBe(200);
      expect((await fetch(`${url}/docs`)).status).toBe(200);
    } finally {
      service.stop();
    }
  }, 30000);

  it('refuses to start in production without a key, naming the setting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-first-run-'));
    const service = await startService({ DATA_DIR: dataDir, NODE_ENV: 'production' }, /$^/);
    expect(service.exitCode).not.toBe(0);
    expect(service.output).toContain('API_KEYS');
  }, 30000);

  it('refuses an invalid setting at start-up, naming it', async () => {
    const service = await startService({ PORT: 'eighty' }, /$^/);
    expect(service.exitCode).not.toBe(0);
    expect(service.output).toContain('PORT');
  }, 30000);
});
