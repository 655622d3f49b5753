// Admission control: what the service lets in, decided before a body is read, so that memory stays
// bounded by configuration whatever the load (OWASP API4). Three bounds:
//
// - the bytes of request bodies in flight (MAX_BODY_BYTES_IN_FLIGHT, sized from the heap): a body is
//   counted from its admission until its answer is out, which covers its raw bytes, the parsed JSON
//   and the work done on it. A body announced by Content-Length is counted whole at once; a chunked
//   body is counted as its chunks arrive, and cut when it would pass the bound;
// - the batches (requests with a body) being processed at once (MAX_BATCHES_IN_FLIGHT);
// - each key's share: at most MAX_REQUESTS_PER_KEY requests in flight, and at most KEY_SHARE_PERCENT
//   of each of the two bounds above, so that one key flooding the service leaves room for the others.
//
// Past a key's share: 429; past a bound of the whole service: 503 "busy". Both carry Retry-After and
// are answered without reading the body: `Connection: close` ends the connection behind the answer,
// and Node discards whatever the client still sends until then.
import type { NextFunction, Request, Response } from 'express';
import { sendError, toErrorResponse } from '../errors/error-response.js';
import type { AppConfig } from '../config/app-config.js';
import { Refusal } from './refusals.js';

export type AdmissionRefusal = 'busy' | 'key_share';

interface Load {
  requests: number;
  batches: number;
  bytes: number;
}

export interface AdmissionLimits {
  maxBodyBytesInFlight: number;
  maxBatchesInFlight: number;
  maxRequestsPerKey: number;
  keySharePercent: number;
}

/** The counters behind the middleware, apart so that a unit test can drive them. */
export class Admission {
  private readonly total: Load = { requests: 0, batches: 0, bytes: 0 };
  private readonly byKey = new Map<string, Load>();
  private readonly keyBytes: number;
  private readonly keyBatches: number;

  constructor(private readonly limits: AdmissionLimits) {
    this.keyBytes = Math.floor((limits.maxBodyBytesInFlight * limits.keySharePercent) / 100);
    this.keyBatches = Math.max(1, Math.floor((limits.maxBatchesInFlight * limits.keySharePercent) / 100));
  }

  /** What is in flight now (for metrics and tests). */
  get inFlight(): Readonly<Load> {
    return { ...this.total };
  }

  /** Lets a request in and counts it, or says why not (counting nothing). */
  admit(key: string, batch: boolean, bytes: number): AdmissionRefusal | undefined {
    const mine = this.byKey.get(key) ?? { requests: 0, batches: 0, bytes: 0 };
    const batches = batch ? 1 : 0;
    if (
      mine.requests + 1 > this.limits.maxRequestsPerKey ||
      mine.batches + batches > this.keyBatches ||
      mine.bytes + bytes > this.keyBytes
    ) {
      return 'key_share';
    }
    if (this.total.batches + batches > this.limits.maxBatchesInFlight || this.total.bytes + bytes > this.limits.maxBodyBytesInFlight) {
      return 'busy';
    }
    mine.requests++;
    mine.batches += batches;
    mine.bytes += bytes;
    this.byKey.set(key, mine);
    this.total.requests++;
    this.total.batches += batches;
    this.total.bytes += bytes;
    return undefined;
  }

  /** More bytes of an admitted (chunked) body; refused, nothing is counted. */
  grow(key: string, bytes: number): AdmissionRefusal | undefined {
    const mine = this.byKey.get(key)!;
    if (mine.bytes + bytes > this.keyBytes) return 'key_share';
    if (this.total.bytes + bytes > this.limits.maxBodyBytesInFlight) return 'busy';
    mine.bytes += bytes;
    this.total.bytes += bytes;
    return undefined;
  }

  release(key: string, batch: boolean, bytes: number): void {
    const mine = this.byKey.get(key);
    if (!mine) return;
    const batches = batch ? 1 : 0;
    mine.requests--;
    mine.batches -= batches;
    mine.bytes -= bytes;
    this.total.requests--;
    this.total.batches -= batches;
    this.total.bytes -= bytes;
    if (mine.requests === 0) this.byKey.delete(key);
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function refusal(reason: AdmissionRefusal, retryAfterSeconds: number): Refusal {
  // The body is not read: the connection ends behind the answer.
  const headers = { Connection: 'close' };
  return reason === 'busy'
    ? new Refusal('service_unavailable', `The service is busy; retry after ${retryAfterSeconds} s. Nothing was read or written.`, retryAfterSeconds, reason, headers)
    : new Refusal(
        'too_many_requests',
        `This key has its full share of the service in flight; retry after ${retryAfterSeconds} s. Nothing was read or written.`,
        retryAfterSeconds,
        reason,
        headers,
      );
}

/** Runs after the key check (requests are counted by key) and before the body parser. */
export function admissionControl(config: AppConfig, admission = new Admission(config)) {
  const refuse = (res: Response, reason: AdmissionRefusal) =>
    sendError(res, toErrorResponse(refusal(reason, config.retryAfterSeconds), config.retryAfterSeconds));
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = req.auth?.fingerprint;
    if (key === undefined) return next();
    const batch = BODY_METHODS.has(req.method);
    const length = req.headers['content-length'];
    const chunked = batch && length === undefined && req.headers['transfer-encoding'] !== undefined;
    // Over BODY_LIMIT is the body parser's 413 (it reads nothing either): count at most the limit.
    let bytes = batch && length !== undefined ? Math.min(Number(length) || 0, config.bodyLimitBytes) : 0;
    const refused = admission.admit(key, batch, bytes);
    if (refused) return refuse(res, refused);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      admission.release(key, batch, bytes);
    };
    res.once('finish', release);
    res.once('close', release);
    if (chunked) {
      const count = (chunk: Buffer) => {
        const cut = admission.grow(key, chunk.length);
        if (cut === undefined) {
          bytes += chunk.length;
          return;
        }
        // Cut at the bound: answer now, then drop the connection once the answer is written, which
        // ends the body parser's read (its buffer goes with the request).
        req.off('data', count);
        if (!res.headersSent) refuse(res, cut);
        res.once('finish', () => req.destroy());
      };
      req.on('data', count);
    }
    next();
  };
}
