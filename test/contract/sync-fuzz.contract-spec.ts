// Property-based tests of the sync and update operations: bodies generated from their request schemas
// (test/support/fuzz.ts), spoiled, and aimed at a few stored contacts. Whatever arrives: a documented
// status and body (the ApiClient checks both), no 5xx, sync writes nothing, update answers every item
// once in request order, a failed item changes nothing, and custom keys an update did not name survive.
import fc from 'fast-check';
import { expectNoLeak } from '../support/leaks.js';
import { fuzzed, pollution, RawJson, toJsonText } from '../support/fuzz.js';
import { spec } from '../support/spec.js';
import { createTestApp, onMysql, type TestApp } from '../support/test-app.js';
import { storeCompany } from '../support/companies.js';

const RUNS = { sync: 400, update: 600, companies: 300 };
const MAX_BATCH_SIZE = 20;

const schemaOf = (name: string) => spec.components.schemas[name];
const requestSchemaOf = (path: string, method: string) => spec.paths[path][method].requestBody.content['application/json'].schema;

describe('fuzzing sync and update from the contract', () => {
  let t: TestApp;
  const crmIds: string[] = [];
  const counted = { sync: {} as Record<number, number>, update: {} as Record<number, number>, companies: {} as Record<number, number> };
  const count = (into: Record<number, number>, status: number) => (into[status] = (into[status] ?? 0) + 1);

  beforeAll(async () => {
    t = await createTestApp({ MAX_BATCH_SIZE: String(MAX_BATCH_SIZE), BODY_LIMIT: '1mb', SYNC_PROPERTIES: 'sentinel,score' });
    const res = await t.api.post('/contacts', {
      contacts: Array.from({ length: 6 }, (_, i) => ({
        externalId: `fuzz-${i}`,
        email: `Fuzz.${i}@Example.com`,
        linkedinUrl: `https://www.linkedin.com/in/fuzz-${i}`,
        sentinel: `keep-${i}`,
        score: i,
      })),
    });
    crmIds.push(...res.body.results.map((r: { crmId: string }) => r.crmId));
  });
  afterAll(async () => {
    await t.close();
    console.log(`sync/update fuzz (${onMysql ? 'MySQL' : 'SQLite'}): answers by status ${JSON.stringify(counted)}`);
  });

  const rowCount = async () => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM contacts'))[0].n);

  it(`POST /contacts/sync: ${RUNS.sync} fuzzed batches, every answer documented, no 5xx, nothing written`, async () => {
    const before = await rowCount();
    const known = fc.constantFrom(...Array.from({ length: 6 }, (_, i) => [`fuzz-${i}`, `FUZZ.${i}@example.COM`, `http://es.linkedin.com/in/FUZZ-${i}/?x=1`]));
    const item = fc.oneof(
      { weight: 6, arbitrary: fuzzed(schemaOf('SyncContactInput')) },
      {
        weight: 3,
        arbitrary: fc.tuple(known, fc.integer({ min: 0, max: 2 }), fc.string()).map(([[id, email, url], rule, extra]) =>
          rule === 0 ? { externalId: id } : rule === 1 ? { externalId: `x-${extra}`, email } : { externalId: `y-${extra}`, linkedinUrl: url },
        ),
      },
      { weight: 1, arbitrary: fc.constant(Object.fromEntries([['externalId', 'proto'], ...Object.entries(pollution())])) },
    );
    const body = fc.oneof(
      { weight: 8, arbitrary: fc.array(item, { minLength: 1, maxLength: MAX_BATCH_SIZE + 2 }).map((contacts) => ({ contacts })) },
      { weight: 1, arbitrary: fuzzed(requestSchemaOf('/contacts/sync', 'post')) },
    );
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        const res = await t.api.request('POST', '/contacts/sync', { raw: toJsonText(sent) });
        count(counted.sync, res.status);
        expect(res.status).toBeLessThan(500);
        expectNoLeak(res.body);
        if (res.status !== 200 && res.status !== 422) return;
        const items = (JSON.parse(toJsonText(sent)) as { contacts: unknown[] }).contacts;
        const { results, errors } = res.body as { results: { crmId: string }[]; errors: { index: number }[] };
        expect(results.length + errors.length).toBeLessThanOrEqual(items.length);
        expect(results.every((r) => crmIds.includes(r.crmId))).toBe(true);
      }),
      { numRuns: RUNS.sync },
    );
    expect(await rowCount()).toBe(before);
  }, 240000);

  it(`PUT /contacts: ${RUNS.update} fuzzed batches, every item answered once in order, no 5xx, unnamed custom keys kept`, async () => {
    const crmId = fc.oneof(fc.constantFrom(...crmIds), fc.constantFrom('nope', '', 42, null, '0197a3f2-6c1e-7b3a-9d2e-1f4a5b6c7d8e'));
    const item = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.tuple(fuzzed(schemaOf('UpdateContactInput')), fc.option(crmId, { freq: 4 })).map(([value, id]) => {
          if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof RawJson || id === null) return value;
          const entries = Object.entries(value).filter(([key]) => key !== 'sentinel' && key !== 'externalId');
          return Object.fromEntries([...entries, ['crmId', id]]);
        }),
      },
      { weight: 1, arbitrary: fc.constant(Object.fromEntries([['crmId', crmIds[0]], ...Object.entries(pollution())])) },
    );
    const body = fc.oneof(
      { weight: 8, arbitrary: fc.array(item, { minLength: 1, maxLength: MAX_BATCH_SIZE + 2 }).map((contacts) => ({ contacts })) },
      { weight: 1, arbitrary: fuzzed(requestSchemaOf('/contacts', 'put')) },
    );
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        const res = await t.api.request('PUT', '/contacts', { raw: toJsonText(sent) });
        count(counted.update, res.status);
        expect(res.status).toBeLessThan(500);
        expectNoLeak(res.body);
        if (res.status !== 200 && res.status !== 422) return;
        const items = (JSON.parse(toJsonText(sent)) as { contacts: unknown[] }).contacts;
        const { results, errors } = res.body as { results: { success: boolean }[]; errors: { index: number }[] };
        expect(results).toHaveLength(items.length);
        expect(errors.map((e) => e.index)).toEqual(results.flatMap((r, i) => (r.success ? [] : [i])));
        expect(res.status === 200).toBe(results.some((r) => r.success));
      }),
      { numRuns: RUNS.update },
    );
    for (const [i, id] of crmIds.entries()) {
      const contact = (await t.api.get(`/contacts/${id}`)).body;
      expect([contact.externalId, contact.customFields.sentinel]).toEqual([`fuzz-${i}`, `keep-${i}`]);
    }
  }, 300000);

  it(`POST /companies/sync and PUT /companies: ${RUNS.companies} fuzzed batches each, every answer documented, no 5xx`, async () => {
    const companyIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      companyIds.push(await storeCompany(t, { externalId: `fuzz-co-${i}`, name: `Fuzz Co ${i}`, domain: `fuzz-${i}.example`, custom: { sentinel: `keep-${i}` } }));
    }
    const syncBody = fc.oneof(
      { weight: 8, arbitrary: fc.array(fuzzed(schemaOf('SyncCompanyInput')), { minLength: 1, maxLength: MAX_BATCH_SIZE + 2 }).map((companies) => ({ companies })) },
      { weight: 1, arbitrary: fuzzed(requestSchemaOf('/companies/sync', 'post')) },
    );
    const updateItem = fc.tuple(fuzzed(schemaOf('UpdateCompanyInput')), fc.constantFrom<unknown>(...companyIds, 'nope')).map(([value, id]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof RawJson) return value;
      const entries = Object.entries(value).filter(([key]) => key !== 'sentinel' && key !== 'externalId');
      return Object.fromEntries([...entries, ['crmId', id]]);
    });
    const updateBody = fc.oneof(
      { weight: 8, arbitrary: fc.array(updateItem, { minLength: 1, maxLength: MAX_BATCH_SIZE + 2 }).map((companies) => ({ companies })) },
      { weight: 1, arbitrary: fuzzed(requestSchemaOf('/companies', 'put')) },
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), syncBody, updateBody, async (sync, syncWith, updateWith) => {
        const sent = sync ? syncWith : updateWith;
        const res = await t.api.request(sync ? 'POST' : 'PUT', sync ? '/companies/sync' : '/companies', { raw: toJsonText(sent) });
        count(counted.companies, res.status);
        expect(res.status).toBeLessThan(500);
        expectNoLeak(res.body);
        if (sync || (res.status !== 200 && res.status !== 422)) return;
        const items = (JSON.parse(toJsonText(sent)) as { companies: unknown[] }).companies;
        const { results, errors } = res.body as { results: { success: boolean }[]; errors: { index: number }[] };
        expect(results).toHaveLength(items.length);
        expect(errors.map((e) => e.index)).toEqual(results.flatMap((r, i) => (r.success ? [] : [i])));
      }),
      { numRuns: RUNS.companies * 2 },
    );
    for (const [i, id] of companyIds.entries()) {
      const company = (await t.api.get(`/companies/${id}`)).body;
      expect([company.externalId, company.customFields.sentinel]).toEqual([`fuzz-co-${i}`, `keep-${i}`]);
    }
  }, 300000);
});
