// Request bodies for property-based tests, generated from the contract's schemas and then spoiled:
// wrong types, missing and extra fields, huge strings, deep nesting, odd unicode, prototype keys.
// Bodies are built as JSON text, so that they can hold what JSON.stringify cannot make (nesting
// too deep for it, duplicate keys) and reach the service exactly as written.
import fc from 'fast-check';
import { spec } from './spec.js';

type Schema = Record<string, any>;

/** JSON text to put as is into a generated body. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** The JSON text of a generated value. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An object with exactly these own keys, `__proto__` included (Object.fromEntries defines, never sets). */
const objectOf = (entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(entries);

export function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const target = (schema.$ref as string)
    .slice(2)
    .split('/')
    .reduce((node: Schema, key) => node[key], spec);
  return resolve(target);
}

/** Strings a validator or a database might choke on. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800', // a lone surrogate: not UTF-8 encodable
  '\udfff\ud800',
  '👩🏽‍💻🇪🇸',
  '𝄞𝕳𝖊𝖑𝖑𝖔',
  'e\u0301\u0301\u0301',
  '\u202eevil\u202c',
  '\u200b\u200d\ufeff',
  'Ǆǅǆ ß ẞ İı',
  "'; DROP TABLE contacts; --",
  '" OR 1=1 --',
  '%s%n%x',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  '-0',
  '1e309',
];

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

export const pollution = (): Record<string, unknown> =>
  objectOf([
    ['__proto__', { polluted: 'yes', isAdmin: true }],
    ['constructor', { prototype: { polluted: 'yes' } }],
    ['prototype', { polluted: 'yes' }],
  ]);

const oddString = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

const key = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, 'hasOwnProperty', 'toString', 'valueOf', '$where', '$ne', 'isAdmin') },
  { weight: 1, arbitrary: oddString },
  { weight: 1, arbitrary: fc.constant('k'.repeat(101)) },
);

/** A value of JSON that is out of place almost anywhere. */
export const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 53 + 1, 1e308, -1e-308),
  oddString,
  fc.constant({}),
  fc.constant([]),
  fc.constant(pollution()),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((d) => objectOf(Object.entries(d))),
  // Huge strings: mostly just over a field's bound, now and then hundreds of kilobytes.
  fc
    .oneof({ weight: 10, arbitrary: fc.integer({ min: 256, max: 17_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 17_000, max: 600_000 }) })
    .map((n) => 'é'.repeat(n)),
  // Deep nesting, arrays or objects: mostly past any sane depth, now and then past what
  // JSON.stringify or a recursive copy survives.
  fc
    .oneof({ weight: 5, arbitrary: fc.integer({ min: 20, max: 2_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 50_000 }) })
    .map((depth) => new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`)),
  fc
    .oneof({ weight: 5, arbitrary: fc.integer({ min: 20, max: 1_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }) })
    .map((depth) => new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
);

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 200;
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength, maxLength: Math.min(maxLength, 30) }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, 30) }) },
    // Exactly at the bound, counted in code points as the database counts.
    { weight: 1, arbitrary: fc.constant('ü'.repeat(maxLength)) },
  );
}

/** Values valid for `schema` (the contract's subset of JSON Schema). */
export function valid(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type: string) => valid({ ...s, type }, depth)));
  switch (s.type) {
    case 'string':
      return stringArbitrary(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valid(s.items ?? {}, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 6, 6) });
    case 'object':
    case undefined: {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set<string>(s.required ?? []);
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valid(property, depth + 1)])),
        { requiredKeys: [...required] },
      );
      if (s.additionalProperties === false || depth > 3) return record;
      return fc
        .tuple(record, fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }))
        .map(([known, extra]) => objectOf([...Object.entries(extra), ...Object.entries(known as object)]));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * Values from `schema`, spoiled here and there: any node may be replaced by a weird value, an
 * object may lose a required field or gain odd ones (prototype keys among them).
 */
export function fuzzed(schema: Schema, spoilRate = 6, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const spoilt = (arbitrary: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: spoilRate, arbitrary }, { weight: 1, arbitrary: weird });
  if (s.type === 'array' && s.items) {
    return spoilt(fc.array(fuzzed(s.items, spoilRate, depth + 1), { maxLength: Math.min(s.maxItems ?? 6, 6) }));
  }
  if ((s.type === 'object' || s.properties) && depth < 4) {
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    const required = new Set<string>(s.required ?? []);
    const fields = fc.record(
      Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, fuzzed(property, spoilRate, depth + 1)])),
      { requiredKeys: [...required] },
    );
    const object = fc
      .tuple(
        fields,
        fc.oneof({ weight: 4, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.subarray([...required]) }),
        fc.array(fc.tuple(key, fc.oneof(fc.jsonValue({ maxDepth: 2 }), weird)), { maxLength: 3 }),
      )
      .map(([known, dropped, extra]) =>
        objectOf([...Object.entries(known as object).filter(([name]) => !dropped.includes(name)), ...extra]),
      );
    return spoilt(object);
  }
  return spoilt(valid(s, depth));
}

/**
 * The promise of every batch answer with `results` and `errors` (201 or 422): each item of `items`
 * exactly once, errors by distinct index in order, results in request order; answers the stored
 * indexes.
 */
export function expectEveryItemOnce(items: unknown[], status: number, body: { results: { externalId: string }[]; errors: { index: number }[] }): number[] {
  const { results, errors } = body;
  expect(status === 201).toBe(results.length > 0);
  const failed = errors.map((e) => e.index);
  expect(failed).toEqual([...new Set(failed)].sort((a, b) => a - b));
  expect(failed.every((i) => i >= 0 && i < items.length)).toBe(true);
  const stored = items.map((_, i) => i).filter((i) => !failed.includes(i));
  expect(results).toHaveLength(stored.length);
  stored.forEach((index, k) => {
    expect(results[k].externalId).toBe(String((items[index] as { externalId: unknown }).externalId));
  });
  return stored;
}
