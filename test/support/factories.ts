// Realistic Enginy leads: every documented field, plus the undocumented extras Enginy's users map
// (numbers, booleans, arrays, nested objects, unicode, HTML, SQL-looking strings).
import { randomBytes } from 'node:crypto';

export const runId = (): string => randomBytes(4).toString('hex');

const FIRST = ['Jane', 'José', 'Zoë', 'Łukasz', 'Ana María', '美咲', "O'Brien", 'Søren'];
const LAST = ['Doe', 'Núñez', 'Müller', 'Ševčík', 'García-López', '山田', "D'Angelo", 'Østergaard'];

export function lead(run: string, n: number): Record<string, unknown> {
  const first = FIRST[n % FIRST.length];
  const last = LAST[n % LAST.length];
  return {
    externalId: `lead-${run}-${n}`,
    email: `Lead.${run}.${n}@Example-${n % 7}.com`,
    firstName: first,
    lastName: last,
    phone: `+34 600 ${String(n).padStart(3, '0')} 000`,
    company: `Acme ${n % 13} S.L.`,
    title: n % 2 ? 'Head of Sales' : 'VP Marketing & Growth',
    linkedinUrl: `https://www.linkedin.com/in/${run}-${n}/`,
    location: 'Barcelona, Catalonia, Spain',
    leadCountry: 'Spain',
    industry: 'Computer Software',
    companySize: '51-200',
    domain: `acme-${n % 13}.example`,
    description: `<p>Met at <b>SaaStr</b> 🚀 — "quotes", 'single', back\\slash; DROP TABLE contacts; --</p>`,
    emailVerificationStatus: 'VALID',
    campaigns: 'Q4 Outbound, Webinar follow-up',
    lastContactedBy: 'sdr@our-team.example',
    conversationTags: 'interested,pricing',
    enrichments: 'Apollo, Clearbit',
    // Undocumented keys: kept as custom fields, with their JSON values.
    leadScore: 50 + (n % 50),
    isDecisionMaker: n % 3 === 0,
    tags: ['enterprise', `cohort-${n % 4}`],
    address: { city: 'Barcelona', zip: '08001', geo: { lat: 41.38, lng: 2.17 } },
    notes: "Robert'); DROP TABLE contacts;-- ✓ ünïcödé 𝄞",
    nullable: null,
    emptyList: [],
  };
}

export function leads(run: string, count: number, offset = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => lead(run, offset + i));
}

export const DOCUMENTED_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'phone',
  'company',
  'title',
  'linkedinUrl',
  'location',
  'leadCountry',
  'industry',
  'companySize',
  'domain',
  'description',
  'emailVerificationStatus',
  'campaigns',
  'lastContactedBy',
  'conversationTags',
  'enrichments',
] as const;

export const CUSTOM_FIELDS = ['leadScore', 'isDecisionMaker', 'tags', 'address', 'notes', 'nullable', 'emptyList'] as const;

/** A realistic Enginy company: every documented field, spellings of the domain as users type them, and extras. */
export function company(run: string, n: number): Record<string, unknown> {
  const spellings = [`acme-${run}-${n}.example`, `https://www.Acme-${run}-${n}.example/about`, `sales@acme-${run}-${n}.example`];
  return {
    externalId: `company-${run}-${n}`,
    name: `Acme ${n} S.L.`,
    domain: spellings[n % spellings.length],
    industry: 'Computer Software',
    numberOfEmployees: n % 2 ? 120 + n : String(120 + n),
    linkedinUrl: `https://www.linkedin.com/company/acme-${run}-${n}/`,
    description: `<p>Makes <b>everything</b> 🚀 — "quotes"; DROP TABLE companies; --</p>`,
    location: 'Barcelona, Catalonia, Spain',
    foundedYear: n % 2 ? 2000 + (n % 20) : String(2000 + (n % 20)),
    revenue: n % 3 ? '10M-50M' : 25000000,
    companyType: 'Private',
    technologiesUsed: n % 2 ? ['Salesforce', 'HubSpot'] : 'Salesforce, HubSpot',
    campaigns: 'Q4 Outbound, Webinar follow-up',
    lastContactedBy: 'sdr@our-team.example',
    leadCountries: n % 2 ? ['Spain', 'Portugal'] : 'Spain, Portugal',
    // Undocumented keys: kept as custom fields, with their JSON values.
    accountTier: n % 3 ? 'gold' : 'silver',
    isCustomer: n % 4 === 0,
    hq: { city: 'Barcelona', zip: '08001' },
    nullable: null,
  };
}

export function companies(run: string, count: number, offset = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => company(run, offset + i));
}
