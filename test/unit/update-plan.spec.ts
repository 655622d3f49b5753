// How an update decides, from the records read under lock, what to write (src/sync/update-plan.ts):
// in particular the shortcut that leaves a merge uncomputed when a named field changes anyway and
// bounds read off the two texts show that no limit can refuse it.
import fc from 'fast-check';
import { CUSTOM_FIELD_LIMITS } from '../../src/batch/item-rules.js';
import type { UpdateError } from '../../src/contract/api-types.js';
import type { LockedRecord } from '../../src/database/record-matching-store.js';
import { MAX_CUSTOM_DEPTH } from '../../src/sync/merge-patch.js';
import { mergeCustom, mergeSurelyFits, planRounds, type RecordChange } from '../../src/sync/update-plan.js';

const keys = (count: number, prefix = 'k') => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, i]));
const nested = (depth: number): unknown => (depth <= 1 ? {} : { n: nested(depth - 1) });

function plan(stored: Record<string, { customFields: unknown; title?: string }>, changes: Omit<RecordChange, 'index' | 'externalId'>[]) {
  const records = new Map<string, LockedRecord>(
    Object.entries(stored).map(([crmId, { customFields, title }]) => [
      crmId,
      { externalId: `ext-${crmId}`, customFields: customFields === null ? null : JSON.stringify(customFields), values: { title: title ?? 'Old' } },
    ]),
  );
  const errors: UpdateError[] = [];
  const rounds = planRounds(
    changes.map((change, index) => ({ ...change, index, externalId: null })),
    records,
    'contact',
    errors,
    (change) => change.index,
  );
  return { rounds, errors };
}

describe('mergeSurelyFits', () => {
  it('says true only when computing the merge would find no limit passed', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const object = (maxKeys: number) => fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys });
    // Objects near each limit: many keys, deep nesting, long texts, and a stored lone surrogate.
    // Text of 1 to 4 bytes a character in UTF-8, long enough to pass the byte limit or come near it.
    const long = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀'), minLength: 3000, maxLength: 6000 });
    const stored = fc.oneof(
      object(8),
      object(70),
      fc.integer({ min: 1, max: MAX_CUSTOM_DEPTH + 3 }).map(nested),
      long.map((text) => ({ text })),
      fc.constant({ lone: 'x\ud800' }),
      fc.constant(null),
    );
    const patches = fc.oneof(object(8), object(45), fc.integer({ min: 1, max: MAX_CUSTOM_DEPTH + 3 }).map((depth) => ({ deep: nested(depth) })), long.map((text) => ({ text })));
    fc.assert(
      fc.property(stored, patches, (base, patch) => {
        const baseText = base === null ? null : JSON.stringify(base);
        const patchText = JSON.stringify(patch);
        if (mergeSurelyFits(baseText, patchText)) expect(mergeCustom(baseText, patchText, 'contact')).not.toHaveProperty('problem');
      }),
      { numRuns: 2000 },
    );
  });

  it('says false at each limit, and true for custom fields as an export stores them', () => {
    expect(mergeSurelyFits(JSON.stringify(keys(60)), JSON.stringify(keys(41, 'p')))).toBe(false);
    expect(mergeSurelyFits(JSON.stringify(nested(MAX_CUSTOM_DEPTH + 1)), '{"a":1}')).toBe(false);
    expect(mergeSurelyFits('{"a":1}', JSON.stringify({ deep: nested(MAX_CUSTOM_DEPTH) }))).toBe(false);
    expect(mergeSurelyFits(JSON.stringify({ text: 'x'.repeat(CUSTOM_FIELD_LIMITS.maxBytes / 3) }), '{"a":1}')).toBe(false);
    expect(mergeSurelyFits(JSON.stringify({ lone: 'x\ud800' }), '{"a":1}')).toBe(false);
    expect(mergeSurelyFits(JSON.stringify({ campaigns: 'Q1 Outbound', leadScore: 40, skills: ['a', 'b'] }), '{"campaignOpens":2}')).toBe(true);
    expect(mergeSurelyFits(null, '{"campaignOpens":2}')).toBe(true);
    // At the limits themselves: 100 keys, 30 levels.
    expect(mergeSurelyFits(JSON.stringify(keys(60)), JSON.stringify(keys(40, 'p')))).toBe(true);
    expect(mergeSurelyFits(JSON.stringify(nested(MAX_CUSTOM_DEPTH)), '{"a":1}')).toBe(true);
    // A patch that is not an object replaces the whole: its own length counts.
    expect(mergeSurelyFits('{}', JSON.stringify(Array(101).fill(0)))).toBe(false);
  });
});

describe('planRounds', () => {
  it('refuses a merge past a limit even when a named field changes as well', () => {
    const { rounds, errors } = plan({ a: { customFields: keys(99) } }, [{ crmId: 'a', fields: { title: 'New' }, patch: JSON.stringify({ x: 1, y: 2 }) }]);
    expect(rounds).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ index: 0, code: 'TOO_MANY_CUSTOM_FIELDS' })]);
  });

  it('compares a later change of a record with what the earlier one left, merged or not', () => {
    const stored = { a: { customFields: { keep: 1, opens: 1 } }, b: { customFields: null } };
    const { rounds, errors } = plan(stored, [
      { crmId: 'a', fields: { title: 'New' }, patch: '{"opens":2}' }, // written (title), its merge left for later
      { crmId: 'b', fields: { title: 'New' }, patch: '{"opens":2}' },
      { crmId: 'a', fields: { title: 'New' }, patch: '{"opens":2}' }, // what the first left: nothing to write
      { crmId: 'b', fields: {}, patch: '{"opens":3}' }, // changes opens: a second round
      { crmId: 'a', fields: {}, patch: '{"keep":null}' }, // removes a stored key: a second round
      { crmId: 'a', fields: {}, patch: '{"keep":null,"opens":2}' }, // nothing left to change
    ]);
    expect(errors).toEqual([]);
    expect(rounds).toEqual([[0, 1], [3, 4]]);
  });

  it('leaves a record as it was after a refused change, for the next change of it', () => {
    const { rounds, errors } = plan({ a: { customFields: keys(99) } }, [
      { crmId: 'a', fields: { title: 'New' }, patch: JSON.stringify({ x: 1, y: 2 }) }, // refused: 101 keys
      { crmId: 'a', fields: { title: 'New' }, patch: null }, // the title is still to change
      { crmId: 'a', fields: {}, patch: JSON.stringify({ x: 1 }) }, // 100 keys: y was never added
    ]);
    expect(errors).toEqual([expect.objectContaining({ index: 0, code: 'TOO_MANY_CUSTOM_FIELDS' })]);
    expect(rounds).toEqual([[1], [2]]);
  });

  it('merges into no stored custom fields when a later change needs what the first left', () => {
    const { rounds, errors } = plan({ b: { customFields: null } }, [
      { crmId: 'b', fields: { title: 'New' }, patch: '{"opens":2,"gone":null}' },
      { crmId: 'b', fields: {}, patch: '{"opens":2}' }, // what the first left: nothing to write
    ]);
    expect(errors).toEqual([]);
    expect(rounds).toEqual([[0]]);
  });

  it('counts the keys an earlier change added against the limit', () => {
    const { rounds, errors } = plan({ a: { customFields: keys(60) } }, [
      { crmId: 'a', fields: { title: 'New' }, patch: JSON.stringify(keys(30, 'p')) },
      { crmId: 'a', fields: { title: 'Newer' }, patch: JSON.stringify(keys(11, 'q')) },
    ]);
    expect(rounds).toEqual([[0]]);
    expect(errors).toEqual([expect.objectContaining({ index: 1, code: 'TOO_MANY_CUSTOM_FIELDS' })]);
  });
});
