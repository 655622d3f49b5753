import { companyNameKey } from '../../src/matching/company-name.js';
import { linkedinKey } from '../../src/matching/linkedin-url.js';

describe('linkedinKey: the spellings of one LinkedIn profile reduce to one key', () => {
  it.each([
    ['https://www.linkedin.com/in/jane-doe', 'in/jane-doe'],
    ['https://www.linkedin.com/in/jane-doe/', 'in/jane-doe'],
    ['http://www.linkedin.com/in/jane-doe', 'in/jane-doe'],
    ['https://linkedin.com/in/jane-doe', 'in/jane-doe'],
    ['www.linkedin.com/in/jane-doe', 'in/jane-doe'],
    ['linkedin.com/in/jane-doe/', 'in/jane-doe'],
    ['//www.linkedin.com/in/jane-doe', 'in/jane-doe'],
    ['HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE', 'in/jane-doe'],
    ['https://www.linkedin.com/in/Jane-Doe', 'in/jane-doe'],
    ['https://es.linkedin.com/in/jane-doe', 'in/jane-doe'],
    ['https://uk.linkedin.com/in/jane-doe/', 'in/jane-doe'],
    ['https://m.linkedin.com/in/jane-doe', 'in/jane-doe'],
    ['https://www.linkedin.com:443/in/jane-doe', 'in/jane-doe'],
    ['https://www.linkedin.com/in/jane-doe?trk=public_profile_browsemap', 'in/jane-doe'],
    ['https://www.linkedin.com/in/jane-doe/?originalSubdomain=es', 'in/jane-doe'],
    ['https://www.linkedin.com/in/jane-doe#experience', 'in/jane-doe'],
    ['https://www.linkedin.com/in/jane-doe/?utm_source=share&utm_medium=member_desktop#top', 'in/jane-doe'],
    ['https://www.linkedin.com//in//jane-doe//', 'in/jane-doe'],
    ['  https://www.linkedin.com/in/jane-doe  ', 'in/jane-doe'],
    ['https://www.linkedin.com/in/jane%2Ddoe', 'in/jane-doe'],
    ['https://www.linkedin.com/in/jos%C3%A9-n%C3%BA%C3%B1ez', 'in/josé-núñez'],
    ['https://www.linkedin.com/in/JOS%C3%89-N%C3%9A%C3%91EZ/', 'in/josé-núñez'],
    ['https://www.linkedin.com/in/jose\u0301-nu\u0301n\u0303ez', 'in/josé-núñez'],
    ['https://www.linkedin.com/in/jane-doe/details/experience/', 'in/jane-doe'],
    ['https://www.linkedin.com/in/jane-doe/en', 'in/jane-doe'],
    ['https://www.linkedin.com/in/100%25-sales', 'in/100%-sales'],
    ['https://www.linkedin.com/in/bad%escape', 'in/bad%escape'],
    ['https://www.linkedin.com/in/ACoAAB12345', 'in/acoaab12345'],
  ])('%s is the person %s', (url, key) => {
    expect(linkedinKey(url, 'person')).toBe(key);
  });

  it.each([
    ['https://www.linkedin.com/company/acme', 'company/acme'],
    ['https://www.linkedin.com/company/acme/', 'company/acme'],
    ['http://es.linkedin.com/company/Acme/about/', 'company/acme'],
    ['linkedin.com/company/acme?trk=companies_directory', 'company/acme'],
    ['https://www.linkedin.com/company/1234567/', 'company/1234567'],
    ['HTTPS://WWW.LINKEDIN.COM/COMPANY/ACME-INC', 'company/acme-inc'],
  ])('%s is the company %s', (url, key) => {
    expect(linkedinKey(url, 'company')).toBe(key);
  });

  it.each([
    ['https://www.linkedin.com/company/acme', 'person'],
    ['https://www.linkedin.com/in/jane-doe', 'company'],
    ['https://www.linkedin.com/pub/jane-doe/1/2/3', 'person'],
    ['https://www.linkedin.com/school/harvard-university/', 'company'],
    ['https://www.linkedin.com/feed/', 'person'],
    ['https://www.linkedin.com/in/', 'person'],
    ['https://www.linkedin.com/in', 'person'],
    ['https://www.linkedin.com/', 'person'],
    ['https://www.linkedin.com', 'person'],
    ['https://linkedin.com.evil.example/in/jane-doe', 'person'],
    ['https://notlinkedin.com/in/jane-doe', 'person'],
    ['https://www.facebook.com/in/jane-doe', 'person'],
    ['jane-doe', 'person'],
    ['', 'person'],
    ['https://www.linkedin.com/in/%20', 'person'],
    [`https://www.linkedin.com/in/${'a'.repeat(300)}`, 'person'],
  ] as const)('%s identifies no %s', (url, kind) => {
    expect(linkedinKey(url, kind)).toBeNull();
  });

  it('reads no key from a value that is not text', () => {
    expect(linkedinKey(null, 'person')).toBeNull();
    expect(linkedinKey(undefined, 'company')).toBeNull();
  });
});

describe('companyNameKey: case and spacing folded, punctuation and legal suffixes kept', () => {
  it.each([
    ['Acme', 'acme'],
    ['ACME', 'acme'],
    ['  Acme  ', 'acme'],
    ['Acme   Corp', 'acme corp'],
    ['Acme\tCorp', 'acme corp'],
    ['Acme\u00a0Corp', 'acme corp'],
    ['Café Olé', 'café olé'],
    ['Cafe\u0301 Ole\u0301', 'café olé'],
    ['Acme Inc.', 'acme inc.'],
    ['A.C.M.E.', 'a.c.m.e.'],
  ])('%j folds to %j', (name, key) => {
    expect(companyNameKey(name)).toBe(key);
  });

  it('keeps different companies apart', () => {
    expect(companyNameKey('Acme Inc.')).not.toBe(companyNameKey('Acme'));
    expect(companyNameKey('Acme, S.L.')).not.toBe(companyNameKey('Acme SL'));
  });

  it('reads no key from a blank name', () => {
    expect(companyNameKey('   ')).toBeNull();
    expect(companyNameKey(null)).toBeNull();
  });
});
