// Turns one pair of Enginy's POST /associations into the two crmIds to link, or into the reason it
// cannot be linked. Never throws on odd input.
import { isUuid } from '../common/ids.js';
import type { AssociationError } from '../contract/api-types.js';
import type { Pair } from './associations.repository.js';

/** The ids as sent, for an error report: only those that are text of a sane length. */
export type GivenIds = Partial<Pick<AssociationError, 'contactCRMId' | 'companyCRMId'>>;

export interface ParsedPair extends Pair {
  /** Position in the request's `associations` array. */
  index: number;
  given: GivenIds;
}

export type PairOutcome = { pair: ParsedPair } | { error: AssociationError };

const SIDES = [
  { field: 'contactCRMId', key: 'contactCrmId' },
  { field: 'companyCRMId', key: 'companyCrmId' },
] as const;

/** Ids are echoed in an error only when they are text of a sane length: never a whole megabyte back. */
const MAX_ECHO = 255;

const NOT_BLANK = /\S/;

export function normalizePair(item: unknown, index: number): PairOutcome {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return {
      error: { index, code: 'INVALID_FIELD', error: 'Invalid association', message: 'Each association must be a JSON object.' },
    };
  }
  const record = item as Record<string, unknown>;
  const echo: GivenIds = {};
  for (const { field } of SIDES) {
    const value = record[field];
    if (typeof value === 'string' && value.length <= MAX_ECHO) echo[field] = value;
  }
  const pair = { index, given: echo } as ParsedPair;
  for (const { field, key } of SIDES) {
    const value = record[field];
    if (value === undefined || value === null || (typeof value === 'string' && !NOT_BLANK.test(value))) {
      return { error: { index, ...echo, code: 'MISSING_FIELD', error: `Missing ${field}`, field, message: `${field} is required.` } };
    }
    if (typeof value !== 'string' || !isUuid(value.trim())) {
      return {
        error: {
          index,
          ...echo,
          code: 'INVALID_FIELD',
          error: `Invalid ${field}`,
          field,
          message: `${field} must be a crmId this service answered (a UUID).`,
        },
      };
    }
    pair[key] = value.trim().toLowerCase();
  }
  return { pair };
}
