// Large JSON bodies parsed item by item from their chunks (src/http/json-body.ts): the value is always
// the one JSON.parse gives for the whole body, and whatever JSON.parse refuses is refused too.
import { once } from 'node:events';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { BodyReadError, itemReadLength, parseBatchChunks, parseJsonChunks, readChunks } from '../../src/http/json-body.js';

/** The largest batch the service takes (MAX_BATCH_SIZE's bound): the split gives up past it. */
const MAX_ITEMS = 1000;

/** The body cut at the given points, as a socket may deliver it. */
function cut(body: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (body.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...at, body.length]) {
    if (point > from) chunks.push(body.subarray(from, point));
    from = point;
  }
  return chunks;
}

/** What Express's strict JSON parser says of the whole body: its value, or that it refuses it. */
function wholeParse(given: string): { value: unknown } | 'refused' {
  const text = given.charCodeAt(0) === 0xfeff ? given.slice(1) : given;
  if (!/^[ \t\n\r]*[{[]/.test(text)) return 'refused'; // strict: an object or an array
  try {
    return { value: JSON.parse(text) };
  } catch {
    return 'refused';
  }
}

function chunkedParse(chunks: Buffer[]): { value: unknown } | 'refused' {
  try {
    return { value: parseJsonChunks(chunks, MAX_ITEMS) };
  } catch (error) {
    expect(error).toBeInstanceOf(BodyReadError);
    expect((error as BodyReadError).type).toBe('entity.parse.failed');
    return 'refused';
  }
}

const space = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ');
/** Strings that stress the splitter: quotes, backslashes, brackets, commas and multi-byte characters. */
const tricky = fc.stringMatching(/^[a-z"\\,[\]{}:é€😀 ]{0,12}$/);
const item = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(tricky, fc.oneof(tricky, fc.jsonValue())),
  fc.array(tricky),
  tricky,
);

describe('parseJsonChunks', () => {
  it('splits every batch body item by item, into what JSON.parse gives, however the chunks fall', () => {
    fc.assert(
      fc.property(fc.constantFrom('contacts', 'associations'), fc.array(item, { maxLength: 12 }), space, space, fc.array(fc.nat(), { maxLength: 8 }), (key, items, a, b, points) => {
        const text = `${a}{${b}"${key}"${a}:${b}[${items.map((value) => `${a}${JSON.stringify(value)}${b}`).join(',')}]${a}}${b}`;
        // The head (`{"contacts":[`) arrives in the first chunk, as it does from a socket; the rest anywhere.
        const head = text.indexOf('[') + 1;
        const body = Buffer.from(text);
        const chunks = cut(body, [head, ...points.map((point) => head + (point % (body.length - head + 1)))]);
        expect(chunkedParse(chunks)).toEqual(wholeParse(text));
        // And the split itself answered it: the whole parse behind it does not hide a split that failed.
        expect(parseBatchChunks(chunks, MAX_ITEMS)).toEqual(JSON.parse(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses what JSON.parse refuses, and accepts what it accepts, for bodies damaged at random', () => {
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom('', ',', ']', '}', '"', '\\', '[', '{', ' ,', 'x', ':'),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (items, where, insert, removed, points) => {
          const good = `{"contacts":[${items.map((value) => JSON.stringify(value)).join(',')}]}`;
          const at = where % (good.length + 1);
          // Bytes inserted, deleted (removed > 0, nothing inserted) or replaced (both).
          const text = good.slice(0, at) + insert + good.slice(Math.min(good.length, at + removed));
          const body = Buffer.from(text);
          expect(chunkedParse(cut(body, points))).toEqual(wholeParse(body.toString('utf8')));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['an escaped quote and backslashes', '{"contacts":[{"a":"x\\\\\\"],"},{"b":"\\\\"},"\\\\\\\\"]}'],
    ['an empty batch', '{"contacts":[ ]}'],
    ['nested arrays and objects', '{"contacts":[[1,[2,{"c":[3]}]],{"d":{"e":[]}}]}'],
    ['a second key', '{"contacts":[1],"contacts":[2]}'],
    ['a trailing comma', '{"contacts":[1,]}'],
    ['a missing comma', '{"contacts":[{"a":1}{"b":2}]}'],
    ['an unclosed array', '{"contacts":[1,2'],
    ['text after the object', '{"contacts":[1]} x'],
    ['a __proto__ key', '{"__proto__":[1]}'],
    ['an item with __proto__', '{"contacts":[{"__proto__":{"polluted":1}}]}'],
    ['a byte order mark', '\ufeff{"contacts":[1]}'],
    ['no colon after the key', '{"contacts"x[1]}'],
    ['something before the array', '{"contacts":x[1]}'],
    ['something before the key', '{x"contacts":[1]}'],
    ['no object around the array', '"contacts":[1]'],
    ['an unclosed object', '{"contacts":[1]'],
    ['the array closed by a brace', '{"contacts":[1}}'],
    ['a number, not an object', '42'],
    ['an empty body', ''],
  ])('matches JSON.parse with %s, cut at every byte', (_name, text) => {
    const body = Buffer.from(text);
    for (let point = 0; point <= body.length; point++) {
      for (const size of [1, 2, 3, 7]) {
        // Cut once at `point`, then the rest in pieces of `size` bytes (a multi-byte character split too).
        const points = [point];
        for (let p = point + size; p < body.length; p += size) points.push(p);
        const expected = text === '' ? { value: {} } : wholeParse(text);
        expect(chunkedParse(cut(body, points))).toEqual(expected);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('splits only what is exactly {"key": [items]}', () => {
    for (const text of ['{"contacts"x[1]}', '{"contacts":x[1]}', '{x"contacts":[1]}', '{"contacts":[1]', '{"contacts":[1]}}', '{"contacts":[1}}', '{"a b":[1]}', '[{"contacts":[1]}]']) {
      expect(parseBatchChunks([Buffer.from(text)], MAX_ITEMS)).toBeUndefined();
    }
    expect(parseBatchChunks([Buffer.from(' {\n "companies" : [ {"a":[1,{"b":"]"}]} , 2 ] \n} ')], MAX_ITEMS)).toEqual({ companies: [{ a: [1, { b: ']' }] }, 2] });
  });

  it('leaves a body of more items than a batch may hold to the whole parse, with the same value', () => {
    const body = [Buffer.from(`{"contacts":[${new Array(1001).fill('0').join(',')}]}`)];
    expect(parseBatchChunks(body, MAX_ITEMS)).toBeUndefined();
    expect(parseBatchChunks(body, 1001)).toEqual({ contacts: new Array(1001).fill(0) });
    expect(parseJsonChunks(body, MAX_ITEMS)).toEqual({ contacts: new Array(1001).fill(0) });
  });

  it('splits an export batch item by item, a multi-byte character cut between two chunks', () => {
    const contacts = Array.from({ length: 100 }, (_, i) => ({ externalId: `lead-${i}`, lastName: 'García', note: 'say "hi" \\ bye', tags: ['a', 'b'] }));
    const body = Buffer.from(JSON.stringify({ contacts }));
    const accent = body.indexOf(Buffer.from('í')) + 1; // between the two bytes of "í"
    const chunks = cut(body, [accent, 65536, 131072]);
    expect(parseBatchChunks(chunks, MAX_ITEMS)).toEqual({ contacts });
  });
});

describe('readChunks', () => {
  const request = () => new IncomingMessage(new Socket());
  const listeners = (req: IncomingMessage) => ['data', 'end', 'aborted', 'close', 'error'].map((event) => req.listenerCount(event));

  it('answers the chunks once the announced bytes have come, and leaves no listener behind', async () => {
    const req = request();
    const read = readChunks(req, 6);
    req.push(Buffer.from('abc'));
    req.push(Buffer.from('def'));
    req.push(null);
    expect(Buffer.concat(await read).toString()).toBe('abcdef');
    expect(listeners(req)).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses a body shorter than announced (request.size.invalid) and one cut off (request.aborted), with 400', async () => {
    const short = request();
    const shortRead = readChunks(short, 6);
    short.push(Buffer.from('abc'));
    short.push(null);
    await expect(shortRead).rejects.toMatchObject({ type: 'request.size.invalid', status: 400 });
    const cut = request();
    const cutRead = readChunks(cut, 6);
    cut.push(Buffer.from('abc'));
    cut.emit('aborted');
    await expect(cutRead).rejects.toMatchObject({ type: 'request.aborted', status: 400 });
    expect(listeners(cut)).toEqual([0, 0, 0, 0, 0]);
  });

  it('answers at once for a request that has nothing left to read', async () => {
    const ended = request();
    ended.push(null);
    ended.resume();
    await once(ended, 'end');
    await expect(readChunks(ended, 6)).rejects.toBeInstanceOf(BodyReadError);
    const destroyed = request();
    destroyed.destroy();
    await expect(readChunks(destroyed, 6)).rejects.toMatchObject({ type: 'request.aborted' });
  });
});

describe('itemReadLength', () => {
  const LIMIT = 2 * 1024 * 1024;
  const length = String(150_000);

  it.each([
    ['application/json', {}, 150_000],
    ['application/json; charset=utf-8', {}, 150_000],
    ['application/json;charset="UTF-8"', {}, 150_000],
    ['application/merge-patch+json', {}, 150_000],
    ['application/json', { 'content-encoding': 'identity' }, 150_000],
    ['application/json; charset=utf8', {}, undefined],
    ['application/json; charset=latin1', {}, undefined],
    ['application/json; charset=utf-8 latin1', {}, undefined],
    ['application/json; x="; charset=utf-8"; charset=latin1', {}, undefined],
    ['application/json; charset=utf-8; q=1', {}, undefined],
    ['text/plain', {}, undefined],
    ['application/json', { 'content-encoding': 'gzip' }, undefined],
    ['application/json', { 'transfer-encoding': 'chunked' }, undefined],
    ['application/json', { 'content-length': '1000' }, undefined],
    ['application/json', { 'content-length': String(LIMIT + 1) }, undefined],
    ['application/json', { 'content-length': undefined }, undefined],
  ])('%s %j: %s', (contentType, extra, expected) => {
    expect(itemReadLength({ 'content-type': contentType, 'content-length': length, ...extra }, LIMIT)).toBe(expected);
  });
});
