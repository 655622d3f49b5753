// A company's domain as Enginy's users type it ("https://www.Acme.com/about", "acme.com.",
// "sales@acme.com") reduced to the bare host that matching compares ("acme.com"). The host is read by
// the WHATWG URL parser (Node's own), which also lower-cases it, decodes percent escapes, drops a
// port, user info, path, query and fragment, and turns an international name into its ASCII
// (punycode) form: "Müller.de" and "xn--mller-kva.de" are one domain, stored as the latter, so that
// the column holds ASCII only and is compared byte for byte.

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const ALL_DIGITS = /^[0-9]+$/;
/** DNS allows 253 characters in a name; the column holds 255. */
const MAX_HOST_LENGTH = 253;

/**
 * The bare host of `input`, or null when it has none that could be a public domain name (blank,
 * a bare word, an IP address, spaces or other characters no host name holds). Never throws.
 */
export function normalizeDomain(input: string): string | null {
  let text = input.trim();
  if (text === '') return null;
  // Any scheme reads as http, so that the parser treats the rest as a host (it would keep the host of
  // an unknown scheme opaque: neither lower-cased nor punycoded). A bare "//host" is a URL too.
  text = text.replace(SCHEME, '').replace(/^\/\//, '');
  let host: string;
  try {
    // "sales@acme.com" and "mailto:sales@acme.com" parse as user info before the host.
    host = new URL(`http://${text}`).hostname;
  } catch {
    return null;
  }
  host = host.replace(/\.+$/, '');
  if (host.startsWith('www.') && host.indexOf('.', 4) > 0) host = host.slice(4);
  if (host.length === 0 || host.length > MAX_HOST_LENGTH) return null;
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
  // A dotted number is an IPv4 address (the parser writes every IPv4 spelling that way), not a domain.
  if (ALL_DIGITS.test(labels[labels.length - 1])) return null;
  return host;
}
