// Idempotency-Key: the first request with a key claims it (a row under a unique (scope, key) index:
// the index, not a read before the write, decides who is first), does the work, and keeps its answer;
// a later request with the same key and the same request gets that answer again, with another request
// a 409. Only successes are kept: an error releases the key, so that the request can be sent again.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { newId } from '../common/ids.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { IdempotencyRepository } from './idempotency.repository.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** Visible ASCII, as the contract's pattern says. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** How long a second request waits for the first one's answer before it is told to retry (409). */
const WAIT_MS = 5000;
/** A claim without an answer this long after it was made belongs to a request that died with its process. */
const MIN_ABANDONED_MS = 60000;
/** Expired keys are deleted at most this often, by the request that claims a key. */
const PURGE_EVERY_MS = 10 * 60000;

export type Claim = { kind: 'owner'; id: string } | { kind: 'replay'; status: number; body: unknown };

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** JSON with object keys sorted, so that key order does not make two bodies different. */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) =>
      item !== null && typeof item === 'object' && !Array.isArray(item)
        ? Object.fromEntries(Object.keys(item).sort().map((key) => [key, (item as Record<string, unknown>)[key]]))
        : item,
    ) ?? 'null';
  } catch {
    // Only nesting deeper than the JSON serializer's stack can do this; no DTO takes such a body.
    throw new DomainError('bad_request', 'The body is nested too deep.');
  }
}

@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger('Idempotency');
  private readonly ttlMs: number;
  private readonly abandonedMs: number;
  private lastPurge = 0;

  constructor(
    @Inject(IdempotencyRepository) private readonly keys: IdempotencyRepository,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.ttlMs = config.idempotencyTtlHours * 3600_000;
    this.abandonedMs = Math.max(MIN_ABANDONED_MS, 2 * config.requestTimeoutMs);
  }

  /** The header's value, checked; a 400 when it is not a key the contract allows. */
  parseKey(header: string | string[]): string {
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw new DomainError('bad_request', `${IDEMPOTENCY_HEADER} must be 1 to 255 visible ASCII characters, sent once.`);
    }
    return header;
  }

  /** What identifies a request for a key: method, path and body (object key order aside). */
  requestHash(method: string, path: string, body: unknown): string {
    return sha256(`${method} ${path}\n${canonicalJson(body)}`);
  }

  /** Claims `key` for this request, or answers what the first request with it answered. */
  async claim(scope: string, key: string, requestHash: string): Promise<Claim> {
    const keyHash = sha256(key);
    const deadline = Date.now() + WAIT_MS;
    for (let pause = 25; ; pause = Math.min(pause * 2, 250)) {
      const now = new Date();
      const id = newId();
      const claimed = await this.keys.insert(
        Object.assign(new IdempotencyKeyEntity(), {
          id,
          scope,
          keyHash,
          requestHash,
          status: null,
          response: null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + this.ttlMs),
        }),
      );
      if (claimed) {
        this.purgeExpired(now);
        return { kind: 'owner', id };
      }
      const existing = await this.keys.find(scope, keyHash);
      if (!existing) continue; // released or expired meanwhile: claim again
      const expired = new Date(existing.expiresAt).getTime() <= now.getTime();
      const abandoned = existing.status === null && now.getTime() - new Date(existing.createdAt).getTime() > this.abandonedMs;
      if (expired || abandoned) {
        await this.keys.remove(existing.id);
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new DomainError('conflict', `This ${IDEMPOTENCY_HEADER} was used with a different request; use a new key for a new request.`);
      }
      if (existing.status !== null) return { kind: 'replay', status: existing.status, body: existing.response };
      if (Date.now() + pause > deadline) {
        throw new DomainError('conflict', `The first request with this ${IDEMPOTENCY_HEADER} is still running; retry in a few seconds.`);
      }
      await sleep(pause);
    }
  }

  /** Keeps the answer of the request that claimed the key. */
  async complete(id: string, status: number, body: unknown): Promise<void> {
    try {
      await this.keys.complete(id, status, body);
    } catch (error) {
      // The record is stored and its answer is on its way: a retry with this key waits, then, once the
      // claim counts as abandoned, is done again. Better than failing an answer that succeeded.
      this.logger.warn(`could not keep an idempotent answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Gives the key up after a failure, so that the request can be sent again. */
  async release(id: string): Promise<void> {
    await this.keys.remove(id).catch((error: unknown) => {
      this.logger.warn(`could not release an idempotency key: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private purgeExpired(now: Date): void {
    if (now.getTime() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now.getTime();
    this.keys.removeExpired(now).catch((error: unknown) => {
      this.logger.warn(`could not forget expired idempotency keys: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
