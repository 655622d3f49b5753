// Enginy's whole flow through a client typed by the contract (openapi-fetch + the generated `paths`):
// connect, list owners, export, re-send, read back, list with filters. Paths, parameters, bodies and
// answers are checked by the compiler, and every answer by the spec validator.
import type { Contact, ContactInput } from '../../src/contract/api-types.js';
import { ADMIN_KEY } from '../support/keys.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { type TypedClient, typedClient } from '../support/typed-client.js';
import { runId } from '../support/factories.js';

describe('Export through a client generated from the contract', () => {
  let t: TestApp;
  let enginy: TypedClient;
  let operator: TypedClient;
  const run = runId();

  beforeAll(async () => {
    t = await createTestApp();
    enginy = typedClient(t.url, { keyHeader: t.config.apiKeyHeader });
    operator = typedClient(t.url, { keyHeader: t.config.apiKeyHeader, key: ADMIN_KEY });
  });
  afterAll(() => t.close());

  const lead = (n: number, extra: Partial<ContactInput> = {}): ContactInput => ({
    externalId: `typed-${run}-${n}`,
    email: `Typed.${run}.${n}@Example.com`,
    firstName: 'Jane',
    lastName: `Doe ${n}`,
    company: 'Acme',
    companySize: '51-200',
    leadScore: n, // an undocumented key: the contract allows any
    ...extra,
  });

  it('connects, exports a batch with owners, re-sends it, reads it back and lists it with filters', async () => {
    // Connect: Enginy checks the key, then lists the owners.
    const health = await enginy.GET('/health');
    expect(health.response.status).toBe(200);
    expect(health.data?.status).toBe('ok');

    const alice = await operator.POST('/users', { body: { name: 'Alice Typed', email: `alice.${run}@example.com` } });
    expect(alice.response.status).toBe(201);
    const bob = await operator.POST('/users', { body: { name: 'Bob Typed' } });
    const owners = await enginy.GET('/users');
    expect(owners.response.status).toBe(200);
    expect(owners.data!.map((user) => user.name)).toEqual(['Alice Typed', 'Bob Typed']);
    const aliceId = alice.data!.id;

    // Export: 30 leads, the first 10 assigned to Alice.
    const batch = Array.from({ length: 30 }, (_, n) => lead(n, n < 10 ? { ownerId: aliceId } : {}));
    const exported = await enginy.POST('/contacts', { body: { contacts: batch } });
    expect(exported.response.status).toBe(201);
    expect(exported.data!.errors).toEqual([]);
    const crmIds = exported.data!.results.map((result) => result.crmId);
    expect(exported.data!.results.map((r) => [r.externalId, r.status])).toEqual(batch.map((c) => [c.externalId, 'created']));
    expect(new Set(crmIds).size).toBe(30);

    // A re-send after a timeout: the same crmIds, nothing created twice.
    const again = await enginy.POST('/contacts', { body: { contacts: batch } });
    expect(again.response.status).toBe(201);
    expect(again.data!.results.map((r) => r.crmId)).toEqual(crmIds);
    expect(again.data!.results.every((r) => r.status === 'existing')).toBe(true);
    const rows = await t.dataSource.query('SELECT COUNT(*) AS n FROM contacts WHERE external_id LIKE ?', [`typed-${run}-%`]);
    expect(Number(rows[0].n)).toBe(30);

    // Read back one contact by crmId.
    const one = await enginy.GET('/contacts/{crmId}', { params: { path: { crmId: crmIds[3] } } });
    expect(one.response.status).toBe(200);
    const contact: Contact = one.data!;
    expect(contact).toMatchObject({
      crmId: crmIds[3],
      externalId: `typed-${run}-3`,
      email: `Typed.${run}.3@Example.com`,
      ownerId: aliceId,
      companySize: '51-200',
      phone: null,
      customFields: { leadScore: 3 },
    });

    // Filters: by owner (paged), by email (case-insensitive), by externalId.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await enginy.GET('/contacts', { params: { query: { ownerId: aliceId, limit: 4, cursor } } });
      expect(page.response.status).toBe(200);
      seen.push(...page.data!.data.map((c) => c.crmId));
      cursor = page.data!.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(crmIds.slice(0, 10).sort());
    const byBob = await enginy.GET('/contacts', { params: { query: { ownerId: bob.data!.id } } });
    expect(byBob.data!.data).toEqual([]);
    const byEmail = await enginy.GET('/contacts', { params: { query: { email: `typed.${run}.12@example.com` } } });
    expect(byEmail.data!.data.map((c) => c.crmId)).toEqual([crmIds[12]]);
    const byExternalId = await enginy.GET('/contacts', { params: { query: { externalId: `typed-${run}-29` } } });
    expect(byExternalId.data!.data.map((c) => c.crmId)).toEqual([crmIds[29]]);
  });

  it('types the documented errors too', async () => {
    const missing = await enginy.GET('/contacts/{crmId}', {
      params: { path: { crmId: '0197a3f2-6c1e-7b3a-9d2e-000000000000' } },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error).toBe('not_found');

    const rejected = await enginy.POST('/contacts', { body: { contacts: [{ externalId: `typed-${run}-bad`, email: 'nope' }] } });
    expect(rejected.response.status).toBe(422);
    expect(rejected.error).toMatchObject({ results: [], errors: [{ index: 0, code: 'INVALID_EMAIL', field: 'email' }] });

    const forbidden = await enginy.POST('/users', { body: { name: 'Not allowed' } });
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.error?.error).toBe('forbidden');

    const anonymous = await typedClient(t.url, { key: null, keyHeader: t.config.apiKeyHeader }).GET('/health');
    expect(anonymous.response.status).toBe(401);
  });

  it('reads the operators\' metrics as text', async () => {
    const metrics = await operator.GET('/metrics', { parseAs: 'text' });
    expect(metrics.response.status).toBe(200);
    expect(metrics.data).toMatch(/crm_contacts_total\{outcome="created"\} 30/);
  });

  it('refuses to compile what the contract does not allow', () => {
    // Never called: the checks are the compiler's (`npm test` typechecks the suite before running it).
    const neverCalled = () => {
      // @ts-expect-error externalId is required on every contact
      void enginy.POST('/contacts', { body: { contacts: [{ email: 'a@example.com' }] } });
      // @ts-expect-error the contract has no DELETE /contacts/{crmId}
      void enginy.DELETE('/contacts/{crmId}', { params: { path: { crmId: 'x' } } });
      // @ts-expect-error createUser needs a name
      void operator.POST('/users', { body: { email: 'a@example.com' } });
      // @ts-expect-error a path parameter is required
      void enginy.GET('/contacts/{crmId}');
      const read = async () => (await enginy.GET('/contacts/{crmId}', { params: { path: { crmId: 'x' } } })).data!;
      // @ts-expect-error a Contact has no fullName
      void read().then((contact) => contact.fullName);
      // @ts-expect-error the query has no "company" filter
      void enginy.GET('/contacts', { params: { query: { company: 'Acme' } } });
    };
    expect(typeof neverCalled).toBe('function');
  });
});
