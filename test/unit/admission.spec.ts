import { Admission } from '../../src/http/admission.js';

const limits = { maxBodyBytesInFlight: 1000, maxBatchesInFlight: 4, maxRequestsPerKey: 3, keySharePercent: 50 };

describe('Admission (bytes and batches in flight, and each key’s share)', () => {
  it('lets a key take up to its share of the bytes, then answers key_share; another key still gets in', () => {
    const admission = new Admission(limits);
    expect(admission.admit('a', true, 400)).toBeUndefined();
    expect(admission.admit('a', true, 200)).toBe('key_share'); // 600 > 500, a's half
    expect(admission.admit('b', true, 500)).toBeUndefined();
    expect(admission.inFlight).toEqual({ requests: 2, batches: 2, bytes: 900 });
  });

  it('answers busy when the whole service is full, whoever asks', () => {
    const admission = new Admission({ ...limits, keySharePercent: 100 });
    expect(admission.admit('a', true, 900)).toBeUndefined();
    expect(admission.admit('b', true, 200)).toBe('busy');
    admission.release('a', true, 900);
    expect(admission.admit('b', true, 200)).toBeUndefined();
    expect(admission.inFlight).toEqual({ requests: 1, batches: 1, bytes: 200 });
  });

  it('bounds the batches in flight, and a key to its share of them', () => {
    const admission = new Admission(limits);
    expect(admission.admit('a', true, 0)).toBeUndefined();
    expect(admission.admit('a', true, 0)).toBeUndefined();
    expect(admission.admit('a', true, 0)).toBe('key_share'); // 2 of 4 batches is a's half
    expect(admission.admit('a', false, 0)).toBeUndefined(); // a read is not a batch
    expect(admission.admit('b', true, 0)).toBeUndefined();
    expect(admission.admit('c', true, 0)).toBeUndefined();
    expect(admission.admit('d', true, 0)).toBe('busy');
  });

  it('bounds the requests of one key in flight, reads included', () => {
    const admission = new Admission(limits);
    for (let i = 0; i < 3; i++) expect(admission.admit('a', false, 0)).toBeUndefined();
    expect(admission.admit('a', false, 0)).toBe('key_share');
    admission.release('a', false, 0);
    expect(admission.admit('a', false, 0)).toBeUndefined();
  });

  it('counts a chunked body as it grows, and refuses the chunk that would pass a bound', () => {
    const admission = new Admission({ ...limits, keySharePercent: 100 });
    expect(admission.admit('a', true, 0)).toBeUndefined();
    expect(admission.grow('a', 600)).toBeUndefined();
    expect(admission.admit('b', true, 300)).toBeUndefined();
    expect(admission.grow('a', 200)).toBe('busy');
    expect(admission.inFlight.bytes).toBe(900);
  });
});
