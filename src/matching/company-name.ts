// The key under which a company name is matched: case and spacing folded, nothing else.
// "ACME  Corp", " acme corp " and "Acme\u00a0Corp" are one name. Punctuation and legal suffixes are
// kept on purpose: "Acme Inc." and "Acme", or "A.C.M.E." and "ACME", may well be different companies,
// and a sync that answers the wrong crmId makes Enginy update the wrong record; a miss only makes it
// create one. Unicode is compared in NFC, so a composed and a decomposed "é" are the same letter.

/** Longer names are not indexed (the column holds the name's own bound). */
export const COMPANY_NAME_KEY_MAX_LENGTH = 255;

export function companyNameKey(name: string | null | undefined): string | null {
  if (typeof name !== 'string') return null;
  const key = name.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim();
  if (key === '' || [...key].length > COMPANY_NAME_KEY_MAX_LENGTH) return null;
  return key;
}
