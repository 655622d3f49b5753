// What a JSON Schema cannot say about a batch item, written once, beside the validator that reads the
// item schema from the contract (item-validator.ts). The spec's descriptions (ContactInput,
// ContactErrorCode) say the same in words:
// - blank = absent: a documented field holding null, or text that is only whitespace, is absent;
// - numbers and booleans in a documented field are kept as their text (`3` is stored as "3");
// - a documented field whose schema also allows an array (a list field) takes an array of strings,
//   stored joined by LIST_SEPARATOR; the joined text must fit the field's maxLength;
// - any other key is a custom field, kept as JSON, within CUSTOM_FIELD_LIMITS; keys that could reach
//   an object's prototype (FORBIDDEN_KEYS) are dropped;
// - the key of idempotency must be storable exactly as sent: no lone UTF-16 surrogate in it.
import { hasLoneSurrogate } from '../common/unicode.js';

/** Custom (undocumented) fields: limits per item. */
export const CUSTOM_FIELD_LIMITS = { maxKeys: 100, maxKeyLength: 100, maxBytes: 16384 } as const;

/** Keys that could reach an object's prototype: dropped, never stored. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** How the items of a list field are joined into the stored text. */
export const LIST_SEPARATOR = ', ';

const NOT_BLANK = /\S/;

/** Same whitespace set as trim(), without making a trimmed copy of every value. */
export const isBlank = (text: string): boolean => !NOT_BLANK.test(text);

/** Characters as the database counts them (code points), computed only when the cheap bound fails. */
export function longerThan(value: string, maxLength: number): boolean {
  return value.length > maxLength && [...value].length > maxLength;
}

/**
 * A documented field's value as the validator should see it: undefined when absent or blank, text for
 * a string, number or boolean, the value itself otherwise (an array, an object: the schema decides).
 */
export function presentValue(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return isBlank(value) ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}

/** A list field's array (already checked by the schema: strings only) as the stored text; undefined when blank. */
export function joinedList(items: readonly string[]): string | undefined {
  const text = items.join(LIST_SEPARATOR);
  return isBlank(text) ? undefined : text;
}

export { hasLoneSurrogate };

export class CustomFieldsProblem {
  constructor(
    readonly code: 'CUSTOM_FIELD_KEY_TOO_LONG' | 'TOO_MANY_CUSTOM_FIELDS' | 'CUSTOM_FIELDS_TOO_LARGE',
    readonly field: string | undefined,
    readonly message: string,
  ) {}
}

/** The JSON text of an item's custom fields (null when none), or the limit it breaks. */
export function customFieldsOf(
  item: Record<string, unknown>,
  documented: ReadonlySet<string>,
  noun: string,
): string | null | CustomFieldsProblem {
  // Plain assignment is safe here: '__proto__', the one key that assignment treats specially, is
  // among the forbidden keys skipped below.
  const custom: Record<string, unknown> = {};
  let count = 0;
  for (const key of Object.keys(item)) {
    if (documented.has(key) || FORBIDDEN_KEYS.has(key)) continue;
    if (key.length > CUSTOM_FIELD_LIMITS.maxKeyLength) {
      return new CustomFieldsProblem(
        'CUSTOM_FIELD_KEY_TOO_LONG',
        key.slice(0, 40),
        `A custom field name is longer than ${CUSTOM_FIELD_LIMITS.maxKeyLength} characters.`,
      );
    }
    custom[key] = item[key];
    count++;
  }
  if (count === 0) return null;
  if (count > CUSTOM_FIELD_LIMITS.maxKeys) {
    return new CustomFieldsProblem(
      'TOO_MANY_CUSTOM_FIELDS',
      undefined,
      `The ${noun} has ${count} custom fields; at most ${CUSTOM_FIELD_LIMITS.maxKeys} are kept.`,
    );
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(custom);
  } catch {
    json = undefined; // nesting too deep to serialize
  }
  // A UTF-16 unit never takes more than 3 bytes of UTF-8: count bytes only when that bound is over.
  if (
    json === undefined ||
    (json.length * 3 > CUSTOM_FIELD_LIMITS.maxBytes && Buffer.byteLength(json, 'utf8') > CUSTOM_FIELD_LIMITS.maxBytes)
  ) {
    return new CustomFieldsProblem('CUSTOM_FIELDS_TOO_LARGE', undefined, `The custom fields take more than ${CUSTOM_FIELD_LIMITS.maxBytes} bytes of JSON.`);
  }
  return json;
}
