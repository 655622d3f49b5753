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
