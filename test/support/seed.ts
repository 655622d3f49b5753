// Companies stored through POST /companies, for tests that need some to link or read.
import type { TestApp } from './test-app.js';

/** Stores the companies (all must be valid) and answers their crmIds, in order. */
export async function seedCompanies(t: TestApp, companies: Record<string, unknown>[]): Promise<string[]> {
  const res = await t.api.post('/companies', { companies });
  if (res.status !== 201 || res.body.errors.length > 0) throw new Error(`POST /companies answered ${res.status}: ${res.text}`);
  return res.body.results.map((r: { crmId: string }) => r.crmId);
}
