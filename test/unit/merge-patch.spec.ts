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
