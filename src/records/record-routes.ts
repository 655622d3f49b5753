// The record pages' routes: HTML for people, not part of the JSON contract (not in openapi.yaml).
// This explicit list is what the route walk in the tests, the metrics labels and the request logs
// accept beside the contract's paths; a page route missing from it fails those tests.
export const RECORD_PAGE_ROUTES = [
  { method: 'GET', path: '/app' },
  { method: 'GET', path: '/app/login' },
  { method: 'POST', path: '/app/login' },
  { method: 'POST', path: '/app/logout' },
  { method: 'GET', path: '/app/assets/app.css' },
  { method: 'GET', path: '/app/contacts' },
  { method: 'GET', path: '/app/contacts/{crmId}' },
  { method: 'GET', path: '/app/companies' },
  { method: 'GET', path: '/app/companies/{crmId}' },
  /** Any other page: the 404 page (counted as `unmatched`). */
  { method: 'GET', path: '/app/*rest' },
] as const;

/** The pages' path templates, for metrics labels and request logs. */
export const RECORD_PAGE_TEMPLATES = [...new Set(RECORD_PAGE_ROUTES.map((route) => route.path).filter((path) => !path.includes('*')))];

/** Paths reachable without a session: the login form and the stylesheet it uses. */
export const PUBLIC_PAGE_PATHS: ReadonlySet<string> = new Set(['/app/login', '/app/assets/app.css']);

/**
 * Whether Express will route this path to the record pages: exactly `/app` or below `/app/`. Express
 * matches routes case-insensitively, so the check does too; only the records controller serves there.
 */
export function isRecordPagePath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === '/app' || lower === '/app/' || lower.startsWith('/app/');
}
