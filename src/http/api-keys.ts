// API keys: identified by comparing SHA-256 digests in constant time against every configured key,
// so neither the length nor the content of a key leaks through timing. Keys are never logged; a
// short fingerprint (a digest prefix) names a key in logs.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { sendError, toErrorResponse } from '../errors/error-response.js';
import { isRecordPagePath } from '../records/record-routes.js';

export type KeyRole = 'admin' | 'integration';

export interface KeyIdentity {
  role: KeyRole;
  /** 8 hex characters of the key's digest: enough to tell keys apart in logs, useless to an attacker. */
  fingerprint: string;
  /**
   * 16 bytes of the key's digest, in hex: what scopes data to one key (Idempotency-Key records), where
   * the fingerprint's 4 bytes could let two keys collide. Never logged.
   */
  scope: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: KeyIdentity;
  }
}

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

export class ApiKeyring {
  private readonly entries: { digest: Buffer; role: KeyRole }[];

  constructor(integrationKeys: readonly string[], adminKeys: readonly string[]) {
    this.entries = [
      ...adminKeys.map((key) => ({ digest: digest(key), role: 'admin' as const })),
      ...integrationKeys.map((key) => ({ digest: digest(key), role: 'integration' as const })),
    ];
  }

  identify(presented: string | undefined): KeyIdentity | undefined {
    if (!presented) return undefined;
    const candidate = digest(presented);
    let match: KeyRole | undefined;
    for (const entry of this.entries) {
      // No early exit: every entry is compared, whatever matched before.
      if (timingSafeEqual(entry.digest, candidate) && match === undefined) match = entry.role;
    }
    return match && { role: match, fingerprint: candidate.subarray(0, 4).toString('hex'), scope: candidate.subarray(0, 16).toString('hex') };
  }
}

/** Paths anyone may read: Swagger UI and the raw contract. */
export function isPublicPath(path: string): boolean {
  return path === '/docs' || path.startsWith('/docs/') || path === '/openapi.json' || path === '/openapi.yaml';
}

/**
 * The record pages (/app) are for people with a browser: they take no key header and check a session
 * of their own (recordPages()), mounted right after this middleware. Nothing outside /app is let through.
 *
 * Authentication runs as the first Express middleware, before the body is read, so that a caller
 * without a key cannot make the service parse megabytes of JSON. Authorization (admin-only routes)
 * is the AdminGuard's job.
 */
export function apiKeyMiddleware(config: AppConfig) {
  const keyring = new ApiKeyring(config.apiKeys, config.adminApiKeys);
  const header = config.apiKeyHeader.toLowerCase();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'OPTIONS' || isPublicPath(req.path) || isRecordPagePath(req.path)) return next();
    const value = req.headers[header];
    const identity = keyring.identify(typeof value === 'string' ? value : undefined);
    if (!identity) {
      const error = new DomainError('unauthorized', `A valid API key is required in the ${config.apiKeyHeader} header.`);
      return sendError(res, toErrorResponse(error, config.retryAfterSeconds));
    }
    req.auth = identity;
    next();
  };
}
