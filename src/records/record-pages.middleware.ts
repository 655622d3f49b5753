// The door to the record pages (/app): runs where the API-key check would, which lets /app through to
// this session check instead. Every answer under /app gets the pages' headers (a strict CSP, no-store);
// a visitor without a valid session is sent to the login form (and, for a GET, back to the page after
// it). Only the login form and its stylesheet are open. Forms are read here, small and urlencoded: the
// JSON body parser does not see /app, and nothing here logs a body.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { isRecordPagePath, PUBLIC_PAGE_PATHS } from './record-routes.js';
import { safeReturnPath } from './return-path.js';
import { readCookie, SESSION_COOKIE, SessionCodec } from './session.js';

/** No script at all, styles from our one stylesheet, forms only to ourselves, never in a frame. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const FORM_LIMIT = '8kb';

export function recordPages(config: AppConfig) {
  const sessions = new SessionCodec(config);
  const form = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 10 });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!isRecordPagePath(req.path)) return next();
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Frame-Options', 'DENY');
    req.pageSession = sessions.read(readCookie(req, SESSION_COOKIE));
    if (!req.pageSession && !PUBLIC_PAGE_PATHS.has(req.path)) {
      const back = req.method === 'GET' || req.method === 'HEAD' ? safeReturnPath(req.originalUrl) : '/app';
      res.redirect(303, back === '/app' ? '/app/login' : `/app/login?next=${encodeURIComponent(back)}`);
      return;
    }
    if (req.method !== 'POST') return next();
    form(req, res, (error?: unknown) => {
      if (error) {
        const status = (error as { status?: number }).status ?? 400;
        res.status(status >= 400 && status < 500 ? status : 400).type('text/plain').send('The form could not be read.');
        return;
      }
      next();
    });
  };
}
