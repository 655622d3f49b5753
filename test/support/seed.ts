// Until POST /companies lands on the batch engine, the association tests store their companies
// straight in the table.
import { newId } from '../../src/common/ids.js';
import { CompanyEntity } from '../../src/companies/company.entity.js';
import { normalizeDomain } from '../../src/companies/domain.js';
import type { TestApp } from './test-app.js';

export async function seedCompanies(t: TestApp, items: { externalId: string; name?: string; domain?: string }[]): Promise<string[]> {
  const now = new Date();
  const rows = items.map((item) => ({
    crmId: newId(),
    externalId: item.externalId,
    name: item.name ?? null,
    domain: item.domain ?? null,
    domainNormalized: item.domain ? normalizeDomain(item.domain) : null,
    createdAt: now,
    updatedAt: now,
  }));
  await t.dataSource.getRepository(CompanyEntity).insert(rows);
  return rows.map((row) => row.crmId);
}
