// Custom fields are updated as a JSON Merge Patch (RFC 7396): the database applies it inside the
// UPDATE (JSON_MERGE_PATCH on MySQL and MariaDB, json_patch on SQLite), so concurrent updates of
// different keys of one record all survive. This file is the service's side of it: the same merge
// in JavaScript, only to check what the result would be before it is written (limits, what the
// databases' JSON functions refuse, and whether anything changes), never to write it.

/** MariaDB's JSON functions answer NULL past 32 levels of nesting; the custom-fields object is level 1. */
export const MAX_CUSTOM_DEPTH = 30;

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** RFC 7396: `null` removes a key, an object merges into an object, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      delete result[key];
      continue;
    }
    const merged = mergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value);
    // Assignment to `__proto__` would set the prototype: that one key (JSON.parse makes it an own
    // property) is defined instead. Defining every key would cost the object its fast shape.
    if (key === '__proto__') Object.defineProperty(result, key, { value: merged, enumerable: true, writable: true, configurable: true });
    else result[key] = merged;
  }
  return result;
}

/** JSON values equal as JSON: objects whatever their key order, arrays item by item. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}

/** Levels of nesting: a scalar is 0, `{}` and `[]` are 1. Stops counting past `limit`. */
export function depthOf(value: Json, limit = MAX_CUSTOM_DEPTH + 1): number {
  if (value === null || typeof value !== 'object') return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const item of Object.values(value as object)) deepest = Math.max(deepest, depthOf(item, limit - 1));
  return 1 + deepest;
}

/**
 * True when JSON text holds a `\ud800`-style escape of a lone surrogate (JSON.stringify writes lone
 * surrogates that way). SQLite keeps them; MariaDB's JSON functions answer NULL for the whole value.
 */
export function hasEscapedLoneSurrogate(json: string): boolean {
  if (!json.includes('\\u')) return false; // no escape at all: the common case, without the regex
  return /(?:^|[^\\])(?:\\\\)*\\u(?:d[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2}\\u)d[c-f][0-9a-f]{2})/i.test(json);
}
