// Enginy's company sync, end to end: export companies with POST /companies, then ask which of a mix of
// known, unknown and differently spelled companies exist, and push engagement fields twice.
import { runId } from '../support/factories.js';
import { useTestApp } from '../support/test-app.js';

type SyncResult = { externalId: string; crmId: string; matchedBy: string; properties: Record<string, unknown> };

describe('Company sync after an export, as Enginy runs it', () => {
  const t = useTestApp({ SYNC_PROPERTIES: 'tier' });
  const run = runId();
  const exported = Array.from({ length: 6 }, (_, n) => ({
    externalId: `enginy-co-${n}-${run}`,
    name: `Acme ${n} Corp ${run}`,
    domain: `acme-${n}-${run}.com`,
    linkedinUrl: `https://www.linkedin.com/company/acme-${n}-${run}/`,
    industry: 'Software',
    tier: `tier-${n}`,
  }));
  const crmIdOf = new Map<string, string>();

  beforeAll(async () => {
    const res = await t.api.post('/companies', { companies: exported });
    expect(res.status).toBe(201);
    for (const r of res.body.results) crmIdOf.set(r.externalId, r.crmId);
  });

  it('finds known companies under every spelling, by the right rule, and leaves unknown ones out', async () => {
    const res = await t.api.post<{ results: SyncResult[]; errors: unknown[] }>('/companies/sync', {
      companies: [
        { externalId: exported[0].externalId },
        { externalId: `new-1-${run}`, domain: `https://www.ACME-1-${run.toUpperCase()}.com/about`, name: 'Someone Else' },
        { externalId: `new-2-${run}`, linkedinUrl: `http://ES.linkedin.com/company/ACME-2-${run}?trk=x#about` },
        { externalId: `new-3-${run}`, name: `  acme 3   CORP ${run.toUpperCase()} ` },
        { externalId: `new-4-${run}`, domain: `nobody-${run}.com`, linkedinUrl: `https://www.linkedin.com/company/acme-4-${run}` },
        { externalId: `unknown-${run}`, name: `Unknown ${run}`, domain: `unknown-${run}.com`, linkedinUrl: `https://www.linkedin.com/company/unknown-${run}` },
        { externalId: `person-page-${run}`, linkedinUrl: `https://www.linkedin.com/in/acme-5-${run}` },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.results.map((r) => [r.externalId, r.crmId, r.matchedBy])).toEqual([
      [exported[0].externalId, crmIdOf.get(exported[0].externalId), 'externalId'],
      [`new-1-${run}`, crmIdOf.get(exported[1].externalId), 'domain'],
      [`new-2-${run}`, crmIdOf.get(exported[2].externalId), 'linkedinUrl'],
      [`new-3-${run}`, crmIdOf.get(exported[3].externalId), 'name'],
      [`new-4-${run}`, crmIdOf.get(exported[4].externalId), 'linkedinUrl'],
    ]);
    expect(res.body.results[0].properties).toMatchObject({ tier: 'tier-0', updatedAt: expect.any(String) });
  });

  it('merges engagement fields pushed twice, and never erases a field the update did not name', async () => {
    const crmId = crmIdOf.get(exported[5].externalId)!;
    const before = (await t.api.get(`/companies/${crmId}`)).body;
    await t.api.put('/companies', { companies: [{ crmId, campaignEngagementStatus: 'Engaged', campaignOpens: 1 }] });
    await t.api.put('/companies', { companies: [{ crmId, campaignOpens: 3, campaignClicks: 1, numberOfEmployees: '120' }] });
    const after = (await t.api.get(`/companies/${crmId}`)).body;
    expect(after).toEqual({
      ...before,
      numberOfEmployees: 120,
      customFields: { ...before.customFields, campaignEngagementStatus: 'Engaged', campaignOpens: 3, campaignClicks: 1 },
      updatedAt: expect.any(String),
    });
    expect(after.customFields.tier).toBe('tier-5');
  });
});
