// Every shell block of README.md and docs/*.md, run verbatim and in order against the built service,
// started as `npm start` starts it on a fresh machine: a doc that drifts from the service fails here.
// One bash session per file, in a fresh folder where the service keeps its data (so `cat data/api-key`
// works as in the README); each file gets a fresh service and database. The one rewrite: the
// documented http://localhost:3000 becomes the port the service got. How to write a block that
// passes: README.md, "Writing docs that the doc test runs".
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ensureBuilt, ROOT, startBuiltService, type BuiltService } from '../support/built-service.js';
import { type DocBlock, docBlocks, documentationFiles } from '../support/doc-blocks.js';
import { freshDatabase, type TestDatabase } from '../support/test-app.js';

/** The longest a file's commands may take (tool installs from the registry included). */
// Generous: two blocks install npm packages, which a busy machine makes slow; a quiet one runs a file in about a minute.
const FILE_TIMEOUT_MS = 600_000;

const PREAMBLE = String.raw`set -euo pipefail
# Records the status of every curl answer, by block, without touching what curl prints.
curl() {
  local headers rc=0 status
  headers=$(mktemp)
  command curl -D "$headers" "$@" || rc=$?
  status=$(grep -aE '^HTTP/' "$headers" | tail -n 1 | awk '{print $2}' || true)
  rm -f "$headers"
  echo "$DOCTEST_BLOCK ${"$"}{status:-none}" >> "$DOCTEST_STATUSES"
  return $rc
}
`;

function script(blocks: DocBlock[], port: number): string {
  const local = (text: string) => text.replaceAll('localhost:3000', `localhost:${port}`);
  const parts = [PREAMBLE];
  blocks.forEach((block, index) => {
    if (block.action.kind === 'run') {
      parts.push(`DOCTEST_BLOCK=${index}\necho "::doc-test block ${index} at $(date +%s)::"\n${local(block.text)}\n`);
    } else if (block.action.kind === 'write') {
      const path = block.action.path.replaceAll("'", '');
      parts.push(`mkdir -p "$(dirname '${path}')"\ncat > '${path}' <<'DOCTEST_EOF'\n${local(block.text)}\nDOCTEST_EOF\n`);
    }
  });
  return parts.join('\n');
}

/**
 * A shell as a newcomer's: no npm_* variables of the test run, no node_modules/.bin in PATH. The one
 * addition is how npm treats the registry: packages already in npm's cache are taken from it, and a
 * request that stalls is given up after 30 s and retried (npm's own default waits 5 minutes per try,
 * which turned one stalled connection in CI into a killed file).
 */
function readerEnv(work: string): Record<string, string> {
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.includes('node_modules'))
    .join(delimiter);
  const npm = {
    npm_config_prefer_offline: 'true',
    npm_config_fetch_timeout: '30000',
    npm_config_fetch_retries: '5',
    npm_config_fetch_retry_mintimeout: '2000',
    npm_config_fetch_retry_maxtimeout: '10000',
  };
  return { PATH: path, HOME: process.env.HOME ?? work, LANG: 'C.UTF-8', TERM: 'dumb', DOCTEST_STATUSES: join(work, '.doc-test-statuses'), ...npm };
}

/** "block 3 (README.md:40) took 12 s" for each block reached, from the markers' clock readings. */
function timings(file: string, blocks: DocBlock[], output: string): string {
  const marks = [...output.matchAll(/::doc-test block (\d+) at (\d+)::/g)].map((match) => ({ index: Number(match[1]), at: Number(match[2]) }));
  const end = Math.floor(Date.now() / 1000);
  return marks.map((mark, i) => `block ${mark.index} (${file}:${blocks[mark.index].line}): ${(marks[i + 1]?.at ?? end) - mark.at} s`).join('\n');
}

function run(command: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[doc-test: killed after ${FILE_TIMEOUT_MS} ms]`;
      process.kill(-child.pid!, 'SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const files = documentationFiles(ROOT)
  .map((file) => ({ file, blocks: docBlocks(ROOT, file) }))
  .filter(({ blocks }) => blocks.some((block) => block.action.kind === 'run'));

describe('The commands of README.md and docs/, run verbatim', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('finds shell blocks to run in README.md and docs/integrators.md', () => {
    expect(files.map(({ file }) => file)).toEqual(expect.arrayContaining(['README.md', 'docs/integrators.md']));
  });

  describe.each(files)('$file', ({ file, blocks }) => {
    let work: string;
    let database: TestDatabase;
    let service: BuiltService;
    let port: number;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'crm-doc-test-'));
      database = await freshDatabase();
      // As `npm start` in the reader's folder: keys and SQLite file in ./data, first-run keys made.
      const env: Record<string, string> = database.env.DATABASE_URL ? { DATABASE_URL: database.env.DATABASE_URL } : {};
      service = startBuiltService({ ...env, PORT: '0' }, { cwd: work });
      port = Number((await service.waitFor(/listening on [^:]+:(\d+)/, 90_000))[1]);
    }, 120_000);

    afterAll(async () => {
      await service?.stop();
      await database?.drop();
      rmSync(work, { recursive: true, force: true });
    });

    it('runs every shell block without error, each curl answering the status written after it', async () => {
      const env = readerEnv(work);
      writeFileSync(env.DOCTEST_STATUSES, '');
      const { code, output } = await run(script(blocks, port), work, env);
      const reached = [...output.matchAll(/::doc-test block (\d+) at \d+::/g)].map((match) => Number(match[1]));
      const last = blocks[reached.at(-1) ?? 0];
      if (code !== 0) {
        throw new Error(`${file}:${last.line}: this block failed (exit ${code}):\n${last.text}\n\n--- time per block ---\n${timings(file, blocks, output)}\n\n--- output (end) ---\n${output.slice(-4000)}\n\n--- service ---\n${service.output().slice(-2000)}`);
      }
      const answered = readFileSync(env.DOCTEST_STATUSES, 'utf8').trim().split('\n').filter(Boolean).map((line) => line.split(' '));
      blocks.forEach((block, index) => {
        if (block.action.kind !== 'run') return;
        const statuses = answered.filter(([at]) => Number(at) === index).map(([, status]) => status);
        const expected = block.expectedStatuses;
        const matches = statuses.length === expected.length && statuses.every((status, i) => (expected[i] === '2xx' ? /^2\d\d$/.test(status) : status === expected[i]));
        if (!matches) {
          throw new Error(`${file}:${block.line}: curl answered ${JSON.stringify(statuses)}, the block says ${JSON.stringify(expected)}:\n${block.text}\n\n--- output (end) ---\n${output.slice(-3000)}`);
        }
      });
    }, FILE_TIMEOUT_MS + 30_000);
  });
});
