// Companies stored straight into the table, with the matching keys the service computes, for the
// tests of the operations that read and update them.
import { normalizeDomain } from '../../src/companies/domain.js';
import { companyNameKey } from '../../src/matching/company-name.js';
import { linkedinKey } from '../../src/matching/linkedin-url.js';
import type { TestApp } from './test-app.js';

let sequence = 0;
/** Stores a company as the create path would, and answers its crmId. Later calls make younger companies. */
export async function storeCompany(t: TestApp, fields: { externalId: string; name?: string; domain?: string; linkedinUrl?: string; custom?: object }): Promise<string> {
  sequence++;
  const crmId = `0197a3f2-6c1e-7b3a-9d2e-${String(sequence).padStart(12, '0')}`;
  const stamp = `2026-01-01 00:00:${String(sequence % 60).padStart(2, '0')}.${String(sequence).padStart(3, '0').slice(-3)}`;
  await t.dataSource.query(
    'INSERT INTO companies (crm_id, external_id, name, name_folded, domain, domain_normalized, linkedin_url, linkedin_normalized, custom_fields, created_at, updated_at) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      crmId,
      fields.externalId,
      fields.name ?? null,
      companyNameKey(fields.name),
      fields.domain ?? null,
      fields.domain ? normalizeDomain(fields.domain) : null,
      fields.linkedinUrl ?? null,
      linkedinKey(fields.linkedinUrl, 'company'),
      fields.custom ? JSON.stringify(fields.custom) : null,
      stamp,
      stamp,
    ],
  );
  return crmId;
}

