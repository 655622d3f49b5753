// The JavaScript side of the custom-fields merge (src/sync/merge-patch.ts, src/sync/update-plan.ts):
// what the databases' JSON functions refuse, and how an update tells whether custom fields changed.
import { hasEscapedLoneSurrogate, jsonEqual, mergePatch } from '../../src/sync/merge-patch.js';

describe('hasEscapedLoneSurrogate', () => {
  it.each([
    ['{"a":"plain text"}', false],
    ['{"a":"é and \\u00e9"}', false],
    ['{"a":"\\ud83d\\ude00"}', false], // a pair: one emoji
    ['{"a":"\\ud83d"}', true], // a lone high surrogate
    ['{"a":"x\\ude00"}', true], // a lone low surrogate
    ['{"a":"\\\\ud800"}', false], // an escaped backslash, then the text "ud800"
    [JSON.stringify({ a: 'lone \ud800 here' }), true], // as JSON.stringify writes one
  ])('%s → %s', (json, expected) => {
    expect(hasEscapedLoneSurrogate(json)).toBe(expected);
  });
});

describe('jsonEqual', () => {
  it('compares objects whatever their key order, arrays item by item, numbers by value', () => {
    expect(jsonEqual({ a: 1, b: { c: [1, 2], d: null } }, { b: { d: null, c: [1, 2] }, a: 1.0 })).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(jsonEqual({ a: '1' }, { a: 1 })).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
  });

  it('says a merge that sets a key to the value it has changes nothing', () => {
    const stored = { keep: { a: 1 }, score: 5 };
    expect(jsonEqual(stored, mergePatch(stored, { score: 5, keep: { a: 1 } }))).toBe(true);
    expect(jsonEqual(stored, mergePatch(stored, { score: 6 }))).toBe(false);
    expect(jsonEqual(stored, mergePatch(stored, { missing: null }))).toBe(true);
  });
});

describe('mergePatch', () => {
  it('follows RFC 7396: null removes, objects merge key by key, anything else replaces', () => {
    const stored = { a: 1, nested: { x: 1, y: 2 }, list: [1, 2], gone: 'yes' };
    expect(mergePatch(stored, { a: 2, nested: { y: null, z: 3 }, list: [3], gone: null, added: { b: null } })).toEqual({
      a: 2,
      nested: { x: 1, z: 3 },
      list: [3],
      added: {},
    });
    expect(stored).toEqual({ a: 1, nested: { x: 1, y: 2 }, list: [1, 2], gone: 'yes' }); // the stored value is not changed
  });

  it('keeps a "__proto__" key as data, never as the prototype', () => {
    const merged = mergePatch(JSON.parse('{"__proto__":{"a":1}}'), JSON.parse('{"__proto__":{"b":2},"x":1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.hasOwn(merged, '__proto__')).toBe(true);
    expect(JSON.stringify(merged)).toBe('{"__proto__":{"a":1,"b":2},"x":1}');
    expect(({} as Record<string, unknown>).b).toBeUndefined();
  });

  it('does not merge into what an object inherits ("constructor", "toString")', () => {
    expect(mergePatch({}, { constructor: { a: 1 }, toString: 'text' })).toEqual({ constructor: { a: 1 }, toString: 'text' });
  });
});
