import { normalizeDomain } from '../../src/companies/domain.js';

describe('normalizeDomain', () => {
  it.each([
    // as typed in a CRM or a spreadsheet
    ['acme.com', 'acme.com'],
    ['Acme.COM', 'acme.com'],
    ['  acme.com  ', 'acme.com'],
    ['www.acme.com', 'acme.com'],
    ['WWW.Acme.com', 'acme.com'],
    ['acme.com.', 'acme.com'],
    ['acme.co.uk', 'acme.co.uk'],
    ['sub.acme.com', 'sub.acme.com'],
    ['www2.acme.com', 'www2.acme.com'],
    ['my-company.io', 'my-company.io'],
    // URLs
    ['http://acme.com', 'acme.com'],
    ['https://www.acme.com/', 'acme.com'],
    ['https://www.Acme.com/about-us?utm_source=enginy#team', 'acme.com'],
    ['HTTPS://ACME.COM', 'acme.com'],
    ['acme.com/contact', 'acme.com'],
    ['acme.com:8080', 'acme.com'],
    ['https://acme.com:443/path', 'acme.com'],
    ['//acme.com/path', 'acme.com'],
    ['ftp://files.acme.com', 'files.acme.com'],
    ['https://user:secret@acme.com/', 'acme.com'],
    ['http://www.acme.com./', 'acme.com'],
    ['acme.com?ref=linkedin', 'acme.com'],
    // email addresses
    ['sales@acme.com', 'acme.com'],
    ['Jane.Doe@WWW.Acme.com', 'acme.com'],
    ['mailto:sales@acme.com', 'acme.com'],
    // international names: stored in their ASCII (punycode) form
    ['müller.de', 'xn--mller-kva.de'],
    ['MÜLLER.de', 'xn--mller-kva.de'],
    ['xn--mller-kva.de', 'xn--mller-kva.de'],
    ['https://www.bücher.example/shop', 'xn--bcher-kva.example'],
    ['例え.jp', 'xn--r8jz45g.jp'],
  ])('reads %j as %j', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    [''],
    ['   '],
    ['acme'],
    ['localhost'],
    ['N/A'],
    ['-'],
    ['Acme Inc'],
    ['acme .com'],
    ['https://'],
    ['http://'],
    ['www.'],
    ['.com'],
    ['192.168.0.1'],
    ['http://10.0.0.1:8080/'],
    ['[::1]'],
    ['acme_corp.com'],
    ['-acme.com'],
    ['acme-.com'],
    [`${'a'.repeat(64)}.com`],
    [`${'abcdefghi.'.repeat(26)}com`],
    ['sales@'],
  ])('finds no usable host in %j', (input) => {
    expect(normalizeDomain(input)).toBeNull();
  });

  it('never throws, whatever the text', () => {
    for (const input of ['%', '%zz.com', '\u0000acme.com', 'http://[', 'a@b@c.com', '\ud800.com', '💥.com', 'a'.repeat(5000)]) {
      expect(() => normalizeDomain(input)).not.toThrow();
    }
  });
});
