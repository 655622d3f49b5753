// An integrator's path: generate an SDK from the served /openapi.json with an independent generator
// (@hey-api/openapi-ts), compile it with tsc in strict mode next to code that uses it, and export and
// read back a contact through it, without touching a line of what the generator wrote.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { assertMatchesSpec } from '../support/spec.js';
import { INTEGRATION_KEY } from '../support/keys.js';
import { runId } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);
const bin = (name: string) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));

/** The integrator's own code: typed by the SDK, compiled with it. */
const INTEGRATOR_CODE = `
import { client } from './sdk/client.gen.js';
import { createContacts, getContact, type ContactInput, type Contact } from './sdk/index.js';

export { client };

export async function exportAndReadBack(baseUrl: string, apiKey: string, lead: ContactInput): Promise<{ crmId: string; contact: Contact }> {
  client.setConfig({ baseUrl, auth: () => apiKey });
  const created = await createContacts({ body: { contacts: [lead] } });
  if (created.error || !created.data) throw new Error('export failed: ' + JSON.stringify(created.error));
  const crmId: string = created.data.results[0].crmId;
  const read = await getContact({ path: { crmId } });
  if (read.error || !read.data) throw new Error('read back failed: ' + JSON.stringify(read.error));
  return { crmId, contact: read.data };
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    lib: ['ES2023', 'DOM', 'DOM.Iterable'],
    strict: true,
    noEmitOnError: true,
    outDir: 'dist',
    rootDir: '.',
    types: [],
  },
  include: ['*.ts', 'sdk/**/*.ts'],
};

describe('An SDK generated from /openapi.json by @hey-api/openapi-ts', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp();
    dir = mkdtempSync(join(tmpdir(), 'crm-sdk-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates, compiles with strict tsc, and exports a contact and reads it back', async () => {
    // Generate straight from the served contract (public, no key needed), as an integrator would.
    await run(bin('openapi-ts'), ['-i', `${t.url}/openapi.json`, '-o', join(dir, 'sdk')], { timeout: 60_000 });
    expect(readdirSync(join(dir, 'sdk')).sort()).toEqual(expect.arrayContaining(['index.ts', 'sdk.gen.ts', 'types.gen.ts']));

    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(join(dir, 'integrator.ts'), INTEGRATOR_CODE);
    try {
      await run(bin('tsc'), ['-p', join(dir, 'tsconfig.json')], { timeout: 90_000 });
    } catch (error) {
      throw new Error(`the generated SDK does not compile:\n${(error as { stdout?: string }).stdout ?? error}`);
    }

    const sdk = (await import(pathToFileURL(join(dir, 'dist', 'integrator.js')).href)) as {
      client: { interceptors: { response: { use(fn: (response: Response, request: Request) => Promise<Response>): number } } };
      exportAndReadBack(baseUrl: string, apiKey: string, lead: Record<string, unknown>): Promise<{ crmId: string; contact: any }>;
    };
    // Every answer the SDK receives is checked against the contract too (the SDK itself is untouched).
    let checked = 0;
    sdk.client.interceptors.response.use(async (response, request) => {
      const text = await response.clone().text();
      const json = (response.headers.get('content-type') ?? '').includes('json');
      assertMatchesSpec({ method: request.method, url: request.url, status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text });
      checked++;
      return response;
    });

    const externalId = `sdk-${runId()}`;
    const lead = { externalId, email: 'jane.sdk@example.com', firstName: 'Jane', companySize: '51-200', leadScore: 87 };
    const { crmId, contact } = await sdk.exportAndReadBack(t.url, INTEGRATION_KEY, lead);
    expect(checked).toBe(2);
    expect(contact).toMatchObject({
      crmId,
      externalId,
      email: 'jane.sdk@example.com',
      firstName: 'Jane',
      companySize: '51-200',
      customFields: { leadScore: 87 },
    });
    const rows = await t.dataSource.query('SELECT crm_id, email FROM contacts WHERE external_id = ?', [externalId]);
    expect(rows).toEqual([{ crm_id: crmId, email: 'jane.sdk@example.com' }]);
  }, 180_000);
});
