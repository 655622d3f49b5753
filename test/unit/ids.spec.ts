// Record ids (src/common/ids.ts): UUIDs of version 7 that carry the time they were made and sort in
// the order this process made them, also many in one millisecond.
import { validate, version } from 'uuid';
import { newId } from '../../src/common/ids.js';

describe('newId', () => {
  it('makes valid, unique version-7 UUIDs of the RFC variant, in the order they were made', () => {
    const before = Date.now();
    const ids = Array.from({ length: 20_000 }, () => newId());
    const after = Date.now();
    expect(new Set(ids).size).toBe(ids.length);
    for (const [i, id] of ids.entries()) {
      expect(validate(id) && version(id) === 7 && /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)).toBe(true);
      if (i > 0) expect(id > ids[i - 1]).toBe(true);
    }
    // The first 48 bits are the Unix time in ms (at most a few ms ahead when more than 2048 ids share one).
    const msOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(msOf(ids[0])).toBeGreaterThanOrEqual(before);
    expect(msOf(ids.at(-1)!)).toBeLessThanOrEqual(after + 10);
  });

  it('keeps its order when 5,000 ids fall in one millisecond', () => {
    const realNow = Date.now;
    const frozen = realNow();
    Date.now = () => frozen;
    try {
      const ids = Array.from({ length: 5_000 }, () => newId());
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      Date.now = realNow;
    }
  });
});
