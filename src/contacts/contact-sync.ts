// Turns one item of POST /contacts/sync into its matching keys, or into the reason it cannot be read.
// It reads externalId, email and linkedinUrl with create's rules (contact-input.ts); other keys are
// not read.
import type { ContactMatchRule, SyncError, SyncErrorCode } from '../contract/api-types.js';
import { linkedinKey } from '../matching/linkedin-url.js';
import type { SyncCandidate } from '../matching/sync.js';
import { CONTACT_TEXT_FIELDS } from './contact-fields.js';
import { externalIdOf, isEmail, ItemError, text } from './contact-input.js';

/** The order in which the rules are tried: first hit wins. */
export const CONTACT_MATCH_RULES = ['externalId', 'email', 'linkedinUrl'] as const satisfies readonly ContactMatchRule[];

const maxLength = (name: string) => CONTACT_TEXT_FIELDS.find((f) => f.field === name)!.maxLength;

export type SyncItemOutcome = { candidate: SyncCandidate<ContactMatchRule> } | { error: SyncError };

export function readSyncContact(item: unknown, index: number): SyncItemOutcome {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return { error: { index, code: 'NOT_AN_OBJECT', message: 'Each contact must be a JSON object.' } };
  }
  const record = item as Record<string, unknown>;
  let externalId: string | undefined;
  try {
    externalId = externalIdOf(record);
    const email = text(record.email, 'email', maxLength('email'));
    if (email !== null && !isEmail(email)) throw new ItemError('INVALID_EMAIL', 'email', 'email is not a valid email address.');
    const linkedinUrl = text(record.linkedinUrl, 'linkedinUrl', maxLength('linkedinUrl'));
    return {
      candidate: {
        index,
        externalId,
        keys: { externalId, email: email?.toLowerCase() ?? null, linkedinUrl: linkedinKey(linkedinUrl, 'person') },
      },
    };
  } catch (error) {
    if (!(error instanceof ItemError)) throw error;
    const report: SyncError = { index, code: error.code as SyncErrorCode, message: error.message };
    if (externalId !== undefined) report.externalId = externalId;
    if (error.field !== undefined) report.field = error.field;
    return { error: report };
  }
}
