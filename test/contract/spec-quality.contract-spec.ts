// The contract as client generators read it: every request and response body a named schema (an
// inline object or array makes a generator invent a name), unique camelCase operationIds, documented
// errors on every operation, examples Swagger UI can send, `servers` set, and Redocly's recommended
// rules clean.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { METHODS, spec } from '../support/spec.js';

type Json = Record<string, any>;
const run = promisify(execFile);

const resolveRef = (node: Json): Json =>
  node.$ref ? (node.$ref as string).slice(2).split('/').reduce((at: Json, key) => at[key], spec) : node;

const operations = Object.entries(spec.paths as Json).flatMap(([path, item]) =>
  METHODS.filter((method) => item[method]).map((method) => ({ name: `${method.toUpperCase()} ${path}`, op: item[method] as Json })),
);

/** Every media type of an operation's request and responses: [where, media]. */
function bodiesOf(name: string, op: Json): [string, Json][] {
  const bodies: [string, Json][] = [];
  if (op.requestBody) {
    for (const [type, media] of Object.entries(resolveRef(op.requestBody).content as Json)) bodies.push([`${name} request ${type}`, media as Json]);
  }
  for (const [status, response] of Object.entries(op.responses as Json)) {
    for (const [type, media] of Object.entries((resolveRef(response).content ?? {}) as Json)) {
      bodies.push([`${name} → ${status} ${type}`, media as Json]);
    }
  }
  return bodies;
}

describe('the contract, for client generators', () => {
  it('names the server, so that Swagger UI and generated clients call the same origin', () => {
    expect(spec.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('gives every operation a unique camelCase operationId and a declared tag', () => {
    const ids = operations.map(({ op }) => op.operationId as string);
    expect(ids.every((id) => /^[a-z][a-zA-Z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set((spec.tags as Json[]).map((tag) => tag.name));
    for (const { name, op } of operations) expect([name, op.tags?.every((tag: string) => tags.has(tag))]).toEqual([name, true]);
  });

  it('documents 401, a 4xx and 500 on every operation, each as an ErrorBody', () => {
    for (const { name, op } of operations) {
      const statuses = Object.keys(op.responses);
      expect([name, statuses]).toEqual([name, expect.arrayContaining(['401', '500'])]);
      for (const status of statuses.filter((s) => /^[45]/.test(s) && s !== '422' && !(name === 'GET /health' && s === '503'))) {
        const schema = resolveRef(op.responses[status]).content['application/json'].schema;
        expect([name, status, schema.$ref]).toEqual([name, status, '#/components/schemas/ErrorBody']);
      }
    }
  });

  it('uses a named component schema for every request and response body, and gives each an example', () => {
    for (const { name, op } of operations) {
      for (const [where, media] of bodiesOf(name, op)) {
        expect([where, media.schema?.$ref]).toEqual([where, expect.stringMatching(/^#\/components\/schemas\/[A-Z]\w+$/)]);
        expect([where, media.example !== undefined || media.examples !== undefined]).toEqual([where, true]);
      }
    }
  });

  it("passes Redocly's recommended rules", async () => {
    const { stdout } = await run('npx', ['redocly', 'lint', 'openapi/openapi.yaml', '--config', 'openapi/redocly.yaml', '--format', 'json']);
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: Json; problems: Json[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it("passes Spectral's OpenAPI and OWASP API Security rules (openapi/.spectral.yaml) without an error", async () => {
    const { stdout } = await run('npx', [
      'spectral', 'lint', 'openapi/openapi.yaml', '--ruleset', 'openapi/.spectral.yaml', '--format', 'json', '--fail-severity', 'error', '--quiet',
    ]).catch((failure: { stdout: string }) => failure);
    const problems = JSON.parse(stdout.slice(stdout.indexOf('['))) as { code: string; severity: number; path: string[] }[];
    // Severity 0 is an error.
    expect(problems.filter((problem) => problem.severity === 0).map((p) => `${p.code} at ${p.path.join('.')}`)).toEqual([]);
  }, 60_000);
});
