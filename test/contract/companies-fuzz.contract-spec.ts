// Property-based tests of the two batch operations of a company export, as test/contract/
// fuzz.contract-spec.ts does for contacts: bodies generated from the contract's schemas and spoiled
// (test/support/fuzz.ts). Every answer is documented and matches the spec (the ApiClient checks),
// nothing answers 5xx, every item is answered exactly once, and the counts add up in the database.
import fc from 'fast-check';
import { expectNoLeak } from '../support/leaks.js';
import { expectEveryItemOnce, fuzzed, RawJson, toJsonText } from '../support/fuzz.js';
import { spec } from '../support/spec.js';
import { createTestApp, onMysql, type TestApp } from '../support/test-app.js';

const RUNS = { companies: 800, associations: 800 };
const MAX_BATCH_SIZE = 20;

const schemaOf = (name: string) => spec.components.schemas[name];
const requestSchemaOf = (path: string) => spec.paths[path].post.requestBody.content['application/json'].schema;

/** A few externalIds that batches share, near-twins among them, and the odd numbers Enginy might send. */
const SHARED_IDS = ['co-1', 'co-2', 'co-3', 'Co-1', 'co-1 ', 'cö-1', 'straße', 'strasse', '3'];
const sharedId = fc.oneof(fc.constantFrom<unknown>(...SHARED_IDS), fc.constantFrom<unknown>(3, true, 1e21));

/** Integer fields as people type them: numbers, digits, and what is neither. */
const integerish = fc.oneof(
  fc.integer({ min: -5, max: 3_000_000_000 }),
  fc.constantFrom<unknown>('120', '0042', ' 12', '1,200', '51-200', '1e3', '12.5', 12.5, '', null, '99999999999', 2 ** 53),
);

const withField = (item: unknown, entries: [string, unknown][]): unknown => {
  if (item === null || typeof item !== 'object' || Array.isArray(item) || item instanceof RawJson) return item;
  return Object.fromEntries([...Object.entries(item), ...entries]);
};

const companyItem: fc.Arbitrary<unknown> = fc
  .tuple(fuzzed(schemaOf('CompanyInput')), fc.option(sharedId, { freq: 2 }), fc.option(integerish, { freq: 2 }), fc.option(integerish, { freq: 2 }))
  .map(([item, id, employees, year]) => {
    const entries: [string, unknown][] = [];
    if (employees !== null) entries.push(['numberOfEmployees', employees]);
    if (year !== null) entries.push(['foundedYear', year]);
    if (id !== null) entries.push(['externalId', id]);
    return withField(item, entries);
  });

const companiesBody: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 10, arbitrary: fc.array(companyItem, { minLength: 1, maxLength: MAX_BATCH_SIZE + 2 }).map((companies) => ({ companies })) },
  { weight: 2, arbitrary: fuzzed(requestSchemaOf('/companies')) },
);

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

describe('fuzzing the company export from the contract', () => {
  let t: TestApp;
  const crmIdOf = new Map<string, string>();
  const counted = { companies: 0, pairs: 0, created: 0, statuses: {} as Record<string, number> };
  let contactIds: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ MAX_BATCH_SIZE: String(MAX_BATCH_SIZE), BODY_LIMIT: '1mb' });
    const contacts = await t.api.post('/contacts', { contacts: Array.from({ length: 6 }, (_, i) => ({ externalId: `fuzz-lead-${i}` })) });
    contactIds = contacts.body.results.map((r: { crmId: string }) => r.crmId);
  });
  afterAll(async () => {
    await t.close();
    console.log(`fuzz (${onMysql ? 'MySQL' : 'SQLite'}): ${counted.companies} companies, ${counted.pairs} pairs sent; answers by status: ${JSON.stringify(counted.statuses)}`);
  });

  it(`POST /companies: ${RUNS.companies} fuzzed batches, every answer documented, no 5xx, every item once in results or errors`, async () => {
    await fc.assert(
      fc.asyncProperty(companiesBody, async (body) => {
        const text = toJsonText(body);
        const res = await t.api.request('POST', '/companies', { raw: text });
        const label = `companies ${res.status}`;
        counted.statuses[label] = (counted.statuses[label] ?? 0) + 1;
        expect(res.status).toBeLessThan(500);
        expectNoLeak(res.body);
        const sent = parsed(text) as { companies?: unknown };
        if (Array.isArray(sent?.companies)) counted.companies += sent.companies.length;
        if (res.status !== 201 && res.status !== 422) return;
        expectEveryItemOnce(sent.companies as unknown[], res.status, res.body);
        for (const { externalId, crmId } of res.body.results as { externalId: string; crmId: string }[]) {
          expect(crmIdOf.get(externalId) ?? crmId).toBe(crmId);
          crmIdOf.set(externalId, crmId);
        }
      }),
      { numRuns: RUNS.companies },
    );
  }, 240000);

  it('POST /companies: a stored company holds its integers as integers, within their bounds', async () => {
    const page = await t.api.get('/companies?limit=200');
    for (const company of page.body.data as { numberOfEmployees: number | null; foundedYear: number | null }[]) {
      if (company.numberOfEmployees !== null) expect(Number.isSafeInteger(company.numberOfEmployees) && company.numberOfEmployees >= 0).toBe(true);
      if (company.foundedYear !== null) expect(company.foundedYear >= 0 && company.foundedYear <= 9999).toBe(true);
    }
  });

  it(`POST /associations: ${RUNS.associations} fuzzed batches, every answer documented, no 5xx, every pair linked or reported`, async () => {
    const companyIds = [...new Set(crmIdOf.values())].slice(0, 6);
    expect(companyIds.length).toBeGreaterThan(2);
    const unknown = '0197a3f2-6c1e-7b3a-9d2e-000000000000';
    const id = (known: string[]) => fc.oneof(fc.constantFrom(...known), fc.constantFrom(...known).map((x) => x.toUpperCase()), fc.constant(unknown));
    const pair = fc.oneof(
      { weight: 8, arbitrary: fc.record({ contactCRMId: id(contactIds), companyCRMId: id(companyIds) }) },
      { weight: 3, arbitrary: fuzzed(schemaOf('AssociationInput')) },
    );
    const body = fc.oneof(
      { weight: 10, arbitrary: fc.array(pair, { minLength: 1, maxLength: MAX_BATCH_SIZE + 2 }).map((associations) => ({ associations })) },
      { weight: 1, arbitrary: fuzzed(requestSchemaOf('/associations')) },
    );
    await fc.assert(
      fc.asyncProperty(body, async (generated) => {
        const text = toJsonText(generated);
        const res = await t.api.request('POST', '/associations', { raw: text });
        const label = `associations ${res.status}`;
        counted.statuses[label] = (counted.statuses[label] ?? 0) + 1;
        expect(res.status).toBeLessThan(500);
        expectNoLeak(res.body);
        const sent = parsed(text) as { associations?: unknown };
        if (Array.isArray(sent?.associations)) counted.pairs += sent.associations.length;
        if (res.status !== 200 && res.status !== 422) return;
        const items = sent.associations as { contactCRMId: string; companyCRMId: string }[];
        const { success, created, existing, errors } = res.body as { success: boolean; created: number; existing: number; errors: { index: number }[] };
        expect(res.status === 200).toBe(success);
        const failed = errors.map((e) => e.index);
        expect(failed).toEqual([...new Set(failed)].sort((a, b) => a - b));
        expect(failed.every((i) => i >= 0 && i < items.length)).toBe(true);
        const linked = new Set(
          items.filter((_, i) => !failed.includes(i)).map((p) => `${p.contactCRMId.trim().toLowerCase()} ${p.companyCRMId.trim().toLowerCase()}`),
        );
        expect(created + existing).toBe(linked.size);
        expect(success).toBe(linked.size > 0);
        counted.created += created;
      }),
      { numRuns: RUNS.associations },
    );
    // Every pair created was counted once, by the one request that created it.
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM contact_companies'))[0].n)).toBe(counted.created);
  }, 240000);

  it('left the service healthy', async () => {
    expect((await t.api.get('/health')).status).toBe(200);
  });
});
