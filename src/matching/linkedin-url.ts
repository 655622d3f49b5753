// The key under which a LinkedIn URL is matched. Enginy, its users and the CRM write the same profile
// many ways (https://www.linkedin.com/in/jane-doe/, http://es.linkedin.com/in/Jane-Doe?trk=x,
// linkedin.com/in/jane%2Ddoe, ...): they all reduce to one key, `in/jane-doe`.
//
// Rules: any protocol or none; the host is linkedin.com or any sub-domain of it (www., a country such
// as es., m.), any case, any port; query and fragment dropped; percent-encoding decoded; case folded;
// empty segments (a trailing or doubled slash) dropped. `/in/<slug>` is a person, `/company/<slug>` a
// company; what follows the slug (`/details/experience`, `/about`, a language) names the same one. Any
// other path (`/pub/...`, `/school/...`, `/feed`) and any other host match nothing.

export type LinkedinKind = 'person' | 'company';

const PREFIX: Record<LinkedinKind, string> = { person: 'in', company: 'company' };

/** Keys longer than this are not indexed (LinkedIn's own slugs stop at 100 characters). */
export const LINKEDIN_KEY_MAX_LENGTH = 255;

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\/|^\/\//i;
const HOST = /^(?:[a-z0-9-]+\.)*linkedin\.com\.?$/;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray '%' is kept as the text it is
  }
}

/** `in/<slug>` or `company/<slug>`, or null when the URL identifies no person or company. */
export function linkedinKey(url: string | null | undefined, kind: LinkedinKind): string | null {
  if (typeof url !== 'string') return null;
  let rest = url.trim().replace(SCHEME, '');
  const cut = rest.search(/[?#]/);
  if (cut >= 0) rest = rest.slice(0, cut);
  const slash = rest.indexOf('/');
  if (slash < 0) return null;
  const host = rest
    .slice(0, slash)
    .replace(/^[^@]*@/, '')
    .replace(/:\d*$/, '')
    .toLowerCase();
  if (!HOST.test(host)) return null;
  const segments = rest
    .slice(slash + 1)
    .split('/')
    .filter((segment) => segment !== '');
  if (segments.length < 2 || segments[0].toLowerCase() !== PREFIX[kind]) return null;
  const slug = decode(segments[1]).normalize('NFC').toLowerCase().trim();
  if (slug === '' || /[\s/]/.test(slug)) return null;
  const key = `${PREFIX[kind]}/${slug}`;
  return key.length > LINKEDIN_KEY_MAX_LENGTH ? null : key;
}
