// The record pages' sessions: a signed cookie, no server-side store, so that any instance of the
// service (one process or several behind a balancer) reads it with the same SESSION_SECRET.
// A session names the admin key it was opened with by that key's fingerprint only; a key removed
// from ADMIN_API_KEYS ends its sessions at once. CSRF tokens are HMACs bound to the session (or,
// before login, to a random login cookie): a page of another site can neither read nor compute one.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';

export const SESSION_COOKIE = 'crm_session';
export const LOGIN_COOKIE = 'crm_login';

export interface PageSession {
  /** Random per login: CSRF tokens are bound to it, and a new login makes a new one. */
  nonce: string;
  keyFingerprint: string;
  expiresAt: number;
}

declare module 'express-serve-static-core' {
  interface Request {
    pageSession?: PageSession;
  }
}

export const keyFingerprint = (key: string): string => createHash('sha256').update(key, 'utf8').digest().subarray(0, 4).toString('hex');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export class SessionCodec {
  private readonly adminFingerprints: ReadonlySet<string>;

  constructor(
    private readonly config: AppConfig,
    private readonly now: () => number = Date.now,
  ) {
    if (!config.sessionSecret) throw new Error('The record pages need a session secret (SESSION_SECRET).');
    this.adminFingerprints = new Set(config.adminApiKeys.map(keyFingerprint));
  }

  private sign(text: string): string {
    return createHmac('sha256', this.config.sessionSecret!).update(text, 'utf8').digest('base64url');
  }

  open(keyFingerprint: string): { session: PageSession; cookie: string } {
    const session = {
      nonce: randomBytes(16).toString('base64url'),
      keyFingerprint,
      expiresAt: this.now() + this.config.sessionTtlMinutes * 60_000,
    };
    const payload = Buffer.from(JSON.stringify([session.nonce, session.keyFingerprint, session.expiresAt]), 'utf8').toString('base64url');
    return { session, cookie: `${payload}.${this.sign(`session|${payload}`)}` };
  }

  /** The session a cookie holds, when its signature is ours, it has not expired and its key is still an admin key. */
  read(cookie: string | undefined): PageSession | undefined {
    if (!cookie || cookie.length > 512) return undefined;
    const [payload, signature, extra] = cookie.split('.');
    if (!payload || !signature || extra !== undefined || !sameText(signature, this.sign(`session|${payload}`))) return undefined;
    try {
      const [nonce, fingerprint, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string, number];
      if (typeof expiresAt !== 'number' || expiresAt <= this.now() || !this.adminFingerprints.has(fingerprint)) return undefined;
      return { nonce, keyFingerprint: fingerprint, expiresAt };
    } catch {
      return undefined;
    }
  }

  /** A CSRF token for forms of one purpose (`login`, `logout`), bound to a session nonce or the login cookie. */
  csrfToken(purpose: string, binding: string): string {
    return this.sign(`csrf|${purpose}|${binding}`);
  }

  checkCsrf(purpose: string, binding: string | undefined, token: unknown): boolean {
    return typeof token === 'string' && binding !== undefined && binding !== '' && sameText(token, this.csrfToken(purpose, binding));
  }
}

/** Set-Cookie for one of the pages' cookies: HttpOnly, SameSite=Lax, Secure when the request came over HTTPS. */
export function setCookie(req: Request, res: Response, name: string, value: string, path: string, maxAgeSeconds: number): void {
  const parts = [`${name}=${value}`, `Path=${path}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax'];
  if (req.secure) parts.push('Secure');
  res.append('Set-Cookie', parts.join('; '));
}

export const newLoginNonce = (): string => randomBytes(16).toString('base64url');
