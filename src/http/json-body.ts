// Reads a large JSON batch body and parses it item by item, straight from the chunks it arrived in.
//
// Why: `JSON.parse` of a whole export batch (100 contacts, about 150 kB) first needs the body as one
// string, and a string over 128 KiB goes to V8's large-object space, which maps fresh memory for it
// every time. On a virtual machine a page fault costs 10 to 20 µs, and such a string (two bytes a
// character as soon as one name has an accent) takes about 70 of them: measured here, 0.7 to 1.3 ms a
// batch, more than the parse itself (docs/performance.md, "Large bodies"). Parsing each item from its
// own small slice makes the same objects without that string.
//
// The answer is the same value `JSON.parse` would give for the whole body, or nothing: only a body of
// exactly the shape `{"<key>": [item, item, ...]}` is split, each slice is parsed by `JSON.parse`
// itself, and any other shape (a second key, an item that does not parse, a BOM, more items than a
// batch may hold, ...) makes the caller parse the whole body as before, with the same errors. Only a
// body with a Content-Length, no compression and no media-type parameter but `charset=utf-8` comes
// here at all (itemReadLength): every other one goes to Express's parser, which decides.
// test/unit/json-body.spec.ts checks it against `JSON.parse` on random bodies cut into random chunks.

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** The key of a batch body: plain letters, so that the object built here is the one JSON.parse builds. */
const PLAIN_KEY = /^[A-Za-z]{1,64}$/;

/** Where a byte is: which chunk, and where in it. */
interface At {
  chunk: number;
  offset: number;
}

/**
 * `{"<key>": [items]}` parsed item by item from the body's chunks, or `undefined` when the body is not
 * of that shape, an item does not parse, or there are more than `maxItems` items (the caller then
 * parses the whole body: a million tiny items, which no batch may hold, cost one parse, not a million).
 */
export function parseBatchChunks(chunks: readonly Buffer[], maxItems: number): Record<string, unknown[]> | undefined {
  if (chunks.length === 0) return undefined;
  const head = chunks[0];
  // The head `{"key":[`, whitespace allowed, within the first chunk (anything else: the whole parse).
  let i = skipSpace(head, 0);
  if (head[i] !== OPEN_BRACE) return undefined;
  i = skipSpace(head, i + 1);
  if (head[i] !== QUOTE) return undefined;
  const keyEnd = head.indexOf(QUOTE, i + 1);
  if (keyEnd < 0) return undefined;
  const key = head.toString('latin1', i + 1, keyEnd);
  if (!PLAIN_KEY.test(key)) return undefined;
  i = skipSpace(head, keyEnd + 1);
  if (head[i] !== COLON) return undefined;
  i = skipSpace(head, i + 1);
  if (head[i] !== OPEN_BRACKET) return undefined;

  const items: unknown[] = [];
  let start: At = { chunk: 0, offset: i + 1 };
  let depth = 0;
  let inString = false;
  /** Backslashes just before the current byte, inside a string, carried across chunks. */
  let backslashes = 0;
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c];
    let k = c === 0 ? i + 1 : 0;
    while (k < chunk.length) {
      if (inString) {
        // Jump to the next quote; it ends the string unless an odd run of backslashes escapes it.
        const quote = chunk.indexOf(QUOTE, k);
        if (quote < 0) {
          backslashes = trailingBackslashes(chunk, k, chunk.length, backslashes);
          k = chunk.length;
          break;
        }
        const run = trailingBackslashes(chunk, k, quote, backslashes);
        backslashes = 0;
        k = quote + 1;
        if (run % 2 === 0) inString = false;
        continue;
      }
      const byte = chunk[k];
      if (byte === QUOTE) {
        inString = true;
        backslashes = 0;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        depth++;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (depth === 0) {
          if (byte !== CLOSE_BRACKET) return undefined;
          const end = { chunk: c, offset: k };
          const empty = items.length === 0 && isBlank(chunks, start, end);
          if (!empty && (items.length >= maxItems || !pushItem(items, chunks, start, end))) return undefined;
          return isTail(chunks, c, k + 1) ? { [key]: items } : undefined;
        }
        depth--;
      } else if (byte === COMMA && depth === 0) {
        if (items.length >= maxItems || !pushItem(items, chunks, start, { chunk: c, offset: k })) return undefined;
        start = { chunk: c, offset: k + 1 };
      }
      k++;
    }
  }
  return undefined; // the array never closed: not JSON, and the whole parse says so
}

/** The count of backslashes right before `end` (from `from`), plus `carried` when the run reaches `from`. */
function trailingBackslashes(chunk: Buffer, from: number, end: number, carried: number): number {
  let n = 0;
  let k = end - 1;
  while (k >= from && chunk[k] === BACKSLASH) {
    n++;
    k--;
  }
  return k < from ? n + carried : n;
}

function skipSpace(chunk: Buffer, from: number): number {
  let k = from;
  while (k < chunk.length && isSpace(chunk[k])) k++;
  return k;
}

/** The bytes from `start` up to (not including) `end`, as one buffer. */
function slice(chunks: readonly Buffer[], start: At, end: At): Buffer {
  if (start.chunk === end.chunk) return chunks[start.chunk].subarray(start.offset, end.offset);
  const parts = [chunks[start.chunk].subarray(start.offset)];
  for (let c = start.chunk + 1; c < end.chunk; c++) parts.push(chunks[c]);
  parts.push(chunks[end.chunk].subarray(0, end.offset));
  return Buffer.concat(parts);
}

function pushItem(items: unknown[], chunks: readonly Buffer[], start: At, end: At): boolean {
  try {
    items.push(JSON.parse(slice(chunks, start, end).toString('utf8')));
    return true;
  } catch {
    return false;
  }
}

function isBlank(chunks: readonly Buffer[], start: At, end: At): boolean {
  const bytes = slice(chunks, start, end);
  return skipSpace(bytes, 0) === bytes.length;
}

/** After the array: whitespace, the object's `}`, whitespace, and nothing else. */
function isTail(chunks: readonly Buffer[], chunk: number, offset: number): boolean {
  let closed = false;
  for (let c = chunk; c < chunks.length; c++) {
    const bytes = chunks[c];
    for (let k = c === chunk ? offset : 0; k < bytes.length; k++) {
      if (isSpace(bytes[k])) continue;
      if (bytes[k] !== CLOSE_BRACE || closed) return false;
      closed = true;
    }
  }
  return closed;
}

/** Bodies from this size on are read here; smaller ones never reach a large string anyway. */
const ITEM_READ_FROM_BYTES = 64 * 1024;

/**
 * A JSON media type with no parameter but, at most, `charset=utf-8`: the one form read here. Any other
 * parameter or charset goes to Express's parser, which decides (415 for a charset it refuses).
 */
const PLAIN_JSON_TYPE = /^application\/(?:[a-z0-9!#$&^_.+-]+\+)?json[ \t]*(?:;[ \t]*charset[ \t]*=[ \t]*(?:utf-8|"utf-8")[ \t]*)?$/i;

/**
 * The Content-Length of a plain UTF-8 JSON body big enough to be read by readChunks(); undefined for
 * every other body (compressed, with another charset or any other parameter, chunked, small, over the
 * limit), which Express's parser reads as before.
 */
export function itemReadLength(headers: IncomingHttpHeaders, limit: number): number | undefined {
  const { 'content-encoding': encoding, 'content-length': declared, 'transfer-encoding': chunked } = headers;
  if (chunked !== undefined || (encoding !== undefined && encoding.toLowerCase() !== 'identity')) return undefined;
  if (!PLAIN_JSON_TYPE.test(headers['content-type'] ?? '')) return undefined;
  const length = Number(declared);
  return Number.isSafeInteger(length) && length >= ITEM_READ_FROM_BYTES && length <= limit ? length : undefined;
}

/** An error shaped as Express's body parser shapes its own, so that one mapping answers both (error-response.ts). */
export class BodyReadError extends Error {
  constructor(
    message: string,
    readonly type: 'request.aborted' | 'request.size.invalid' | 'entity.parse.failed',
    readonly status: number,
    /** For entity.parse.failed: the text that did not parse, as body-parser gives it. */
    readonly body?: string,
  ) {
    super(message);
  }
}

/**
 * The body's chunks as they arrived, once `length` bytes (the request's Content-Length, at most the
 * body limit: the caller checks) have come; the request ends early or sends more: a 400, as Express's
 * body parser answers.
 */
export function readChunks(req: IncomingMessage, length: number): Promise<Buffer[]> {
  // Nothing is left to read (a request already ended or torn down): answered at once, never left waiting.
  if (req.readableEnded || req.destroyed) return Promise.reject(new BodyReadError('request aborted', 'request.aborted', 400));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('aborted', onGone);
      req.removeListener('close', onGone);
      req.removeListener('error', finish);
      if (error) reject(error);
      else resolve(chunks);
    };
    const sizeMismatch = () => new BodyReadError('request size did not match content length', 'request.size.invalid', 400);
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
      if (received > length) finish(sizeMismatch());
    };
    const onEnd = () => finish(received === length ? undefined : sizeMismatch());
    // Aborted, or closed before its end: nothing more will come.
    const onGone = () => finish(new BodyReadError('request aborted', 'request.aborted', 400));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onGone);
    req.on('close', onGone);
    req.on('error', finish);
  });
}

/**
 * The body parsed as Express's JSON parser (strict) parses it: split by item when it is a batch,
 * whole otherwise. A UTF-8 byte order mark is skipped, as the body parser's decoder skips it.
 */
export function parseJsonChunks(chunks: Buffer[], maxItems: number): unknown {
  const split = parseBatchChunks(chunks, maxItems);
  if (split !== undefined) return split;
  let text = Buffer.concat(chunks).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = /[^ \t\n\r]/.exec(text)?.[0];
  if (first !== '{' && first !== '[') throw new BodyReadError('body is not a JSON object or array', 'entity.parse.failed', 400, text);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BodyReadError((error as Error).message, 'entity.parse.failed', 400, text);
  }
}
