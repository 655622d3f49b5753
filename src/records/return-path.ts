// Where a login sends the visitor back to: only a page of this service, as a relative path under
// /app. Anything else (another origin, `//host`, a backslash, `..`, a control character, the login
// page itself) falls back to /app, so the login cannot be used as an open redirect.
const SAFE = /^\/app(\/[A-Za-z0-9._~%!$&'()*+,;=:@-]*)*(\?[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*)?$/;

export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048 || !SAFE.test(value)) return '/app';
  const path = value.split('?')[0];
  if (path.includes('//') || /(^|\/)\.\.?(\/|$)/.test(path) || /%2e|%2f|%5c/i.test(path)) return '/app';
  if (path === '/app/login' || path === '/app/logout') return '/app';
  return value;
}
