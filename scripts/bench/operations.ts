// The batch operations the benches send besides POST /contacts, each with the check of its answers,
// and the association pairs an export sends: shared by `npm run bench` and `npm run bench:compare`.
import type { HttpPhase } from './measure.js';
import type { Pair } from './rows.js';
import { checkSync, checkUpdate } from './sync.js';

const BATCH = 100;

export type Operation = NonNullable<HttpPhase['operation']>;

/** POST /companies: 201, no item error, 100 results, each `created`. */
function checkCompanies(body: unknown): string | undefined {
  const parsed = body as { results?: { status?: string }[]; errors?: { code?: string }[] };
  if ((parsed.errors?.length ?? 0) > 0) return `${parsed.errors!.length} item error(s), first code ${parsed.errors![0].code}`;
  if (parsed.results?.length !== BATCH) return `${parsed.results?.length} results for ${BATCH} companies`;
  const wrong = parsed.results.filter((r) => r.status !== 'created').length;
  return wrong > 0 ? `${wrong} result(s) not "created"` : undefined;
}

/** POST /associations of new pairs: 200, every pair `created`, no error. */
function checkAssociations(body: unknown): string | undefined {
  const parsed = body as { created?: number; existing?: number; errors?: { code?: string }[] };
  if ((parsed.errors?.length ?? 0) > 0) return `${parsed.errors!.length} pair error(s), first code ${parsed.errors![0].code}`;
  return parsed.created === BATCH ? undefined : `created ${parsed.created}, existing ${parsed.existing} for ${BATCH} new pairs`;
}

export const POST_COMPANIES: Operation = { method: 'POST', path: '/companies', status: 201, check: checkCompanies };
export const POST_ASSOCIATIONS: Operation = { method: 'POST', path: '/associations', status: 200, check: checkAssociations };

/** `count` new pairs from stored ids: each contact once, five contacts to a company, as an export links them. */
export function pairsOf(contactIds: readonly string[], companyIds: readonly string[], count: number): Pair[] {
  if (contactIds.length < count || companyIds.length * 5 < count) throw new Error(`too few stored records for ${count} pairs`);
  return Array.from({ length: count }, (_, k) => ({ contactCRMId: contactIds[k], companyCRMId: companyIds[Math.floor(k / 5)] }));
}

/** POST /contacts/sync of a batch of leads: 200, each match by the expected rule. */
export const POST_CONTACTS_SYNC: Operation = { method: 'POST', path: '/contacts/sync', status: 200, check: checkSync };

/** PUT /contacts of a batch of changes: 200, every item applied. */
export const PUT_CONTACTS: Operation = { method: 'PUT', path: '/contacts', status: 200, check: checkUpdate };
