// Realistic Enginy contacts for the benchmark: every documented field, about ten custom fields of
// mixed JSON types, roughly 1.5 kB of JSON each, unique externalIds and emails. Deterministic (a
// seeded generator), so that two runs send the same bytes.

/** mulberry32: small, fast, good enough to spread values. */
export function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Jane', 'John', 'María', 'José', 'Aiko', 'Lars', 'Chloé', 'Mehmet', 'Priya', 'Olumide', 'Zoë', 'Björn', 'Wei', 'Sofía', 'Noah', 'Amara', 'Luca', 'Hana', 'Mateus', 'Ingrid'];
const LAST = ['Doe', 'García', 'Müller', 'Nakamura', 'Okafor', 'Kowalski', 'Rossi', 'Dubois', 'Andersson', 'Patel', 'Silva', 'Yılmaz', 'Chen', 'Novak', 'Fernández', 'Smith', 'Haddad', 'Ivanova', 'Kim', "O'Brien"];
const COMPANIES = ['Acme Robotics', 'Globex', 'Initech', 'Umbrella Health', 'Stark Logistics', 'Wayne Analytics', 'Hooli', 'Vandelay Imports', 'Soylent Foods', 'Tyrell Systems', 'Cyberdyne Cloud', 'Aperture Labs'];
const TITLES = ['Head of Sales', 'VP Marketing', 'Chief Revenue Officer', 'Sales Development Representative', 'Account Executive', 'Director of Operations', 'CTO', 'Growth Lead', 'Procurement Manager', 'Founder & CEO'];
const CITIES = ['Barcelona, Catalonia, Spain', 'Madrid, Spain', 'Berlin, Germany', 'Paris, Île-de-France, France', 'London, England, United Kingdom', 'New York, NY, United States', 'São Paulo, Brazil', 'Tokyo, Japan', 'Lagos, Nigeria', 'Stockholm, Sweden'];
const COUNTRIES = ['Spain', 'Germany', 'France', 'United Kingdom', 'United States', 'Brazil', 'Japan', 'Nigeria', 'Sweden', 'Italy'];
const INDUSTRIES = ['Software Development', 'Logistics & Supply Chain', 'Hospital & Health Care', 'Financial Services', 'Retail', 'Manufacturing', 'Marketing & Advertising', 'Renewable Energy'];
const SIZES = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001-10000', '10001+'];
const VERIFICATION = ['valid', 'catch_all', 'unknown', 'risky'];
const TAGS = ['interested', 'follow-up', 'pricing', 'demo-booked', 'not-now', 'referral', 'competitor', 'budget-q3'];
const STAGES = ['Lead', 'MQL', 'SQL', 'Opportunity', 'Customer'];
const SKILLS = ['SaaS', 'Negotiation', 'Salesforce', 'HubSpot', 'Lead Generation', 'B2B', 'Team Leadership', 'Forecasting', 'Outbound', 'ABM'];
const WORDS = 'we help revenue teams turn cold outreach into pipeline with data driven sequences across email and linkedin while keeping every touch personal relevant and timely for buyers in fast moving markets'.split(' ');

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

export interface ContactGenerator {
  /** The next contact, as Enginy would send it. */
  next(): Record<string, unknown>;
}

/**
 * `prefix` keeps the externalIds and emails of different data sets apart; `ownerIds` are the ids of
 * active users (the service rejects an unknown owner).
 */
export function contactGenerator(seed: number, prefix: string, ownerIds: readonly string[]): ContactGenerator {
  const random = randomGenerator(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const words = (count: number): string => Array.from({ length: count }, () => pick(WORDS)).join(' ');
  // A random-looking head spreads new ids over the unique index, as opaque lead ids would.
  const head = (length: number): string => Array.from({ length }, () => BASE36[Math.floor(random() * 36)]).join('');
  let counter = 0;
  return {
    next() {
      counter++;
      const first = pick(FIRST);
      const last = pick(LAST);
      const company = pick(COMPANIES);
      const domain = `${company.toLowerCase().replace(/[^a-z]+/g, '')}.example.com`;
      const handle = `${first}.${last}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
      const seq = counter.toString(36);
      return {
        externalId: `${head(10)}-${prefix}-${seq}`,
        email: `${handle}.${prefix}${seq}@${domain}`,
        firstName: first,
        lastName: last,
        phone: `+34 6${int(10, 99)} ${int(100, 999)} ${int(100, 999)}`,
        company,
        title: pick(TITLES),
        linkedinUrl: `https://www.linkedin.com/in/${handle.replace('.', '-')}-${prefix}${seq}/`,
        ownerId: ownerIds.length > 0 ? pick(ownerIds) : undefined,
        location: pick(CITIES),
        leadCountry: pick(COUNTRIES),
        industry: pick(INDUSTRIES),
        companySize: pick(SIZES),
        domain,
        description: `${first} ${last} is ${pick(TITLES)} at ${company}. ${words(int(55, 70))}.`,
        emailVerificationStatus: pick(VERIFICATION),
        campaigns: `Q${int(1, 4)} Outbound ${pick(COUNTRIES)}, ${pick(INDUSTRIES)} nurture, Webinar follow-up`,
        lastContactedBy: `${pick(FIRST)} ${pick(LAST)}`,
        conversationTags: `${pick(TAGS)},${pick(TAGS)},${pick(TAGS)}`,
        enrichments: `headcountGrowth=${int(-10, 60)}%;funding=Series ${pick(['A', 'B', 'C'])};techStack=${pick(SKILLS)},${pick(SKILLS)},${pick(SKILLS)}`,
        leadScore: int(0, 100),
        lifecycleStage: pick(STAGES),
        seniority: pick(['C-Level', 'VP', 'Director', 'Manager', 'Individual Contributor']),
        department: pick(['Sales', 'Marketing', 'Operations', 'Engineering', 'Finance']),
        yearsInRole: int(0, 15),
        skills: [pick(SKILLS), pick(SKILLS), pick(SKILLS), pick(SKILLS)],
        twitterHandle: `@${handle.replace('.', '_')}`,
        websiteVisits: int(0, 40),
        isDecisionMaker: random() < 0.4,
        lastEngagedAt: new Date(Date.UTC(2025, int(0, 11), int(1, 28), int(0, 23), int(0, 59))).toISOString(),
      };
    },
  };
}

const COMPANY_TYPES = ['Privately Held', 'Public Company', 'Partnership', 'Self-Employed', 'Nonprofit'];
const REVENUES = ['<$1M', '$1M-$10M', '$10M-$50M', '$50M-$100M', '$100M-$500M', '$500M+'];

/**
 * Companies as Enginy exports them: every documented field of CompanyInput (lists as the comma-separated
 * text Enginy sends), a few custom fields, unique externalIds and domains; `ownerIds` as for contacts.
 */
export function companyGenerator(seed: number, prefix: string, ownerIds: readonly string[]): ContactGenerator {
  const random = randomGenerator(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const head = (length: number): string => Array.from({ length }, () => BASE36[Math.floor(random() * 36)]).join('');
  let counter = 0;
  return {
    next() {
      counter++;
      const seq = counter.toString(36);
      const name = `${pick(COMPANIES)} ${pick(COUNTRIES)} ${prefix}${seq}`;
      const slug = name.toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '-');
      return {
        externalId: `${head(10)}-co-${prefix}-${seq}`,
        name,
        domain: `https://www.${slug}.example.com/`,
        industry: pick(INDUSTRIES),
        numberOfEmployees: int(1, 20_000),
        linkedinUrl: `https://www.linkedin.com/company/${slug}/`,
        ownerId: ownerIds.length > 0 ? pick(ownerIds) : undefined,
        description: `${name} ${Array.from({ length: int(40, 55) }, () => pick(WORDS)).join(' ')}.`,
        location: pick(CITIES),
        foundedYear: int(1950, 2024),
        revenue: pick(REVENUES),
        companyType: pick(COMPANY_TYPES),
        technologiesUsed: `${pick(SKILLS)}, ${pick(SKILLS)}, ${pick(SKILLS)}`,
        campaigns: `Q${int(1, 4)} Outbound ${pick(COUNTRIES)}, ${pick(INDUSTRIES)} nurture`,
        lastContactedBy: `${pick(FIRST)} ${pick(LAST)}`,
        leadCountries: `${pick(COUNTRIES)}, ${pick(COUNTRIES)}`,
        headcountGrowth: int(-10, 60),
        fundingStage: `Series ${pick(['A', 'B', 'C'])}`,
        isCustomer: random() < 0.2,
        tags: [pick(TAGS), pick(TAGS)],
      };
    },
  };
}
