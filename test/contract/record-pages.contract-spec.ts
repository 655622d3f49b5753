// The record pages over HTTP: what the links from Enginy open, who may open them, and what the answers
// carry. HTML, outside the JSON contract; the browser test (test/e2e/record-pages.e2e-spec.ts) shows them.
import { ADMIN_KEY, INTEGRATION_KEY } from '../support/keys.js';
import { CompanyEntity } from '../../src/companies/company.entity.js';
import { formField, PageClient } from '../support/pages.js';
import { seedCompanies } from '../support/seed.js';
import { createTestApp, useTestApp } from '../support/test-app.js';

const CSP = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const UNKNOWN_ID = '0197a3f2-6c1e-7b3a-9d2e-1f4a5b6c7d8e';

function expectPageHeaders(headers: Headers): void {
  expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(headers.get('content-security-policy')).toBe(CSP);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
}

function expectNoKey(text: string): void {
  expect(text).not.toContain(ADMIN_KEY);
  expect(text).not.toContain(INTEGRATION_KEY);
}

describe('the record pages', () => {
  const t = useTestApp();
  let crmId: string;

  let companyId: string;

  beforeAll(async () => {
    // Until POST /companies lands, the company is stored as the companies tests store theirs.
    [companyId] = await seedCompanies(t, [{ externalId: 'page-co-1', name: 'Analytical <b>Engines</b>', domain: 'https://www.Engines.example/about' }]);
    await t.dataSource
      .getRepository(CompanyEntity)
      .update({ crmId: companyId }, { industry: 'Computing', numberOfEmployees: 12, customFields: JSON.stringify({ tier: 'gold' }) });
    const res = await t.api.post('/contacts', {
      contacts: [
        {
          externalId: 'page-lead-1',
          email: 'Ada.Lovelace@Example.com',
          firstName: 'Ada',
          lastName: 'Lovelace',
          company: 'Analytical Engines',
          domain: 'example.com',
          linkedinUrl: 'javascript:alert(1)',
          title: '"><img src=x onerror=alert(1)>',
          campaignEngagementStatus: 'Replied',
          note: '<script>alert(1)</script>',
        },
      ],
    });
    crmId = res.body.results[0].crmId;
    await t.api.post('/associations', { associations: [{ contactCRMId: crmId, companyCRMId: companyId }] });
  });

  it('send a visitor without a session to the login form, remembering the record', async () => {
    const visitor = new PageClient(t.url);
    const res = await visitor.get(`/app/contacts/${crmId}`);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/app/login?next=${encodeURIComponent(`/app/contacts/${crmId}`)}`);
    expect(res.text).not.toContain('Lovelace');
    expect(res.headers.get('cache-control')).toBe('no-store');
    for (const path of ['/app', '/app/contacts', '/app/contacts?q=ada', '/app/no-such-page', '/APP/contacts']) {
      expect((await visitor.get(path)).status).toBe(303);
    }
    expect((await visitor.postForm('/app/logout', { csrf: 'x' })).status).toBe(303);
  });

  it('take no API key in place of a session', async () => {
    const res = await new PageClient(t.url, { 'X-API-Key': ADMIN_KEY }).get(`/app/contacts/${crmId}`);
    expect(res.status).toBe(303);
  });

  it('serve the login form with the pages\' headers, a login cookie and no key', async () => {
    const visitor = new PageClient(t.url);
    const res = await visitor.get(`/app/login?next=${encodeURIComponent(`/app/contacts/${crmId}`)}`);
    expect(res.status).toBe(200);
    expectPageHeaders(res.headers);
    expect(res.text).toContain('<label for="key">Admin key</label>');
    expect(formField(res.text, 'next')).toBe(`/app/contacts/${crmId}`);
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^crm_login=[\w-]+; Path=\/app\/login; Max-Age=3600; HttpOnly; SameSite=Lax$/)]);
    expectNoKey(res.text);
    const css = await visitor.get('/app/assets/app.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('sign an operator in with an admin key and send them back to the record', async () => {
    const operator = new PageClient(t.url);
    const res = await operator.login(ADMIN_KEY, `/app/contacts/${crmId}`);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/app/contacts/${crmId}`);
    const session = res.headers.getSetCookie().find((line) => line.startsWith('crm_session='));
    expect(session).toMatch(/^crm_session=[\w-]+\.[\w-]+; Path=\/app; Max-Age=28800; HttpOnly; SameSite=Lax$/);
    expectNoKey(res.headers.getSetCookie().join('\n'));
    const page = await operator.get(res.location!);
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    expectNoKey(page.text);
    expect(page.text).toContain('<h1>Ada Lovelace</h1>');
    expect(page.text).toContain('Ada.Lovelace@Example.com');
    expect(page.text).toContain('campaignEngagementStatus');
    expect(page.text).toContain('Replied');
    // Stored markup comes back as text; a javascript: URL is not a link.
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page.text).not.toMatch(/<script|<img|href="javascript/i);
  });

  it('show a company with every field, its custom fields and its linked contacts, and link back from the contact', async () => {
    const operator = new PageClient(t.url);
    await operator.login();
    const contact = await operator.get(`/app/contacts/${crmId}`);
    expect(contact.text).toContain(`<a href="/app/companies/${companyId}">Analytical &lt;b&gt;Engines&lt;/b&gt;</a>`);
    const page = await operator.get(`/app/companies/${companyId}`);
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    expect(page.text).toContain('<h1>Analytical &lt;b&gt;Engines&lt;/b&gt;</h1>');
    expect(page.text).toContain('engines.example');
    expect(page.text).toContain('Computing');
    expect(page.text).toContain('<dd>12</dd>');
    expect(page.text).toContain('<dt>tier</dt>');
    expect(page.text).toContain(`<a href="/app/contacts/${crmId}">Ada Lovelace</a>`);
    for (const q of ['analytical', 'engines.example', 'ENGINES.EXAMPLE', 'page-co-1']) {
      expect({ q, found: (await operator.get(`/app/companies?q=${encodeURIComponent(q)}`)).text.includes(`/app/companies/${companyId}`) }).toEqual({ q, found: true });
    }
    expect((await operator.get(`/app/companies/${UNKNOWN_ID}`)).status).toBe(404);
  });

  it('show the activity timeline newest first, bodies as text, and the tasks open first by due date, then completed', async () => {
    const log = (body: Record<string, unknown>) => t.api.post('/activities', { type: 'EMAIL', direction: 'OUTBOUND', contactId: crmId, ...body });
    expect((await log({ subject: 'First touch', body: 'Hello', occurredAt: '2026-11-01T09:00:00.000Z' })).status).toBe(201);
    expect((await log({ subject: 'Reply <i>seen</i>', direction: 'INBOUND', body: '<p>Hi</p><script>alert(1)</script>', occurredAt: '2026-11-20T10:30:00.000Z' })).status).toBe(201);
    expect((await log({ type: 'LINKEDIN_INMAIL', subject: 'Middle note', body: 'Connected', occurredAt: '2026-11-10T08:00:00.000Z' })).status).toBe(201);
    expect((await t.api.post('/activities', { type: 'EMAIL', direction: 'OUTBOUND', companyId, subject: 'Company newsletter', body: 'News' })).status).toBe(201);
    // Created in another order than their due dates, so that the page's order is its own.
    const later = await t.api.post('/tasks', { subject: 'Send contract', dueDate: '2026-12-20', contactId: crmId });
    const sooner = await t.api.post('/tasks', { subject: 'Call Ada', dueDate: '2026-12-05', contactId: crmId, companyId });
    const done = await t.api.post('/tasks', { subject: 'Book demo', dueDate: '2026-11-02', contactId: crmId });
    expect([later.status, sooner.status, done.status]).toEqual([201, 201, 201]);
    expect((await t.api.patch(`/tasks/${done.body.id}`, { completed: true })).status).toBe(200);

    const operator = new PageClient(t.url);
    await operator.login();
    const page = await operator.get(`/app/contacts/${crmId}`);
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    const at = (text: string): number => page.text.indexOf(text);
    expect(page.text).toContain('<h2 id="activities-h">Activity timeline</h2>');
    expect(at('Reply &lt;i&gt;seen&lt;/i&gt;')).toBeGreaterThan(at('Activity timeline'));
    expect(at('Reply &lt;i&gt;seen&lt;/i&gt;')).toBeLessThan(at('Middle note'));
    expect(at('Middle note')).toBeLessThan(at('First touch'));
    expect(page.text).toContain('&lt;p&gt;Hi&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('<time datetime="2026-11-20T10:30:00.000Z">2026-11-20 10:30</time>');
    for (const word of ['INBOUND', 'OUTBOUND', 'LINKEDIN_INMAIL']) expect(page.text).toContain(word);
    expect(page.text).not.toContain('Company newsletter');
    expect(page.text).not.toMatch(/<script|<p>Hi|<i>seen/i);
    expect(at('Call Ada')).toBeGreaterThan(at('<h2 id="tasks-h">Tasks</h2>'));
    expect(at('Call Ada')).toBeLessThan(at('Send contract'));
    expect(at('Send contract')).toBeLessThan(at('Book demo'));
    expect(page.text).toContain('due <time datetime="2026-12-05T00:00:00.000Z">');
    expect(page.text).toMatch(/Book demo <span class="muted">completed <time datetime="[^"]+Z">/);

    const company = await operator.get(`/app/companies/${companyId}`);
    expect(company.status).toBe(200);
    expect(company.text).toContain('Company newsletter');
    expect(company.text).not.toContain('First touch');
    expect(company.text).toContain('Call Ada');
    expect(company.text).not.toContain('Send contract');
  });

  it('refuse a wrong key, an integration key and a form without its CSRF token', async () => {
    const visitor = new PageClient(t.url);
    for (const key of ['not-the-key-but-long-enough-000', INTEGRATION_KEY, '']) {
      const res = await visitor.login(key);
      expect(res.status).toBe(401);
      expectPageHeaders(res.headers);
      expect(res.text).toContain('That is not an admin key of this service.');
      expect(res.headers.getSetCookie().some((line) => line.startsWith('crm_session='))).toBe(false);
      expectNoKey(res.text);
    }
    const form = await visitor.get('/app/login');
    const forged = await visitor.postForm('/app/login', { key: ADMIN_KEY, csrf: 'forged', next: '/app' });
    expect(forged.status).toBe(403);
    const stranger = await new PageClient(t.url).postForm('/app/login', { key: ADMIN_KEY, csrf: formField(form.text, 'csrf'), next: '/app' });
    expect(stranger.status).toBe(403);
    expect(stranger.headers.getSetCookie().some((line) => line.startsWith('crm_session='))).toBe(false);
  });

  it('go back only to a page of their own after login', async () => {
    for (const next of ['https://evil.example/app', '//evil.example/app', '/app/../contacts', '/\\evil.example', '/app/login', 'javascript:alert(1)', '/contacts']) {
      const res = await new PageClient(t.url).login(ADMIN_KEY, next);
      expect({ next, location: res.location }).toEqual({ next, location: '/app' });
    }
    const res = await new PageClient(t.url).login(ADMIN_KEY, '/app/contacts?q=ada');
    expect(res.location).toBe('/app/contacts?q=ada');
  });

  it('answer an unknown or malformed record id, and an unknown page, with a 404 page', async () => {
    const operator = new PageClient(t.url);
    await operator.login();
    for (const path of [`/app/contacts/${UNKNOWN_ID}`, '/app/contacts/not-an-id', '/app/nothing-here', "/app/contacts/1'%20OR%20'1'='1"]) {
      const res = await operator.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expectPageHeaders(res.headers);
      expect(res.text).toContain('<h1>Not found</h1>');
    }
  });

  it('find contacts by email, name, domain or externalId, newest first, a page at a time', async () => {
    // Two batches: the older one's 5 contacts come on the second page.
    await t.api.post('/contacts', {
      contacts: Array.from({ length: 5 }, (_, i) => ({ externalId: `page-old-${i}`, firstName: 'Grace', lastName: `Hopper-old${i}` })),
    });
    await t.api.post('/contacts', {
      contacts: Array.from({ length: 25 }, (_, i) => ({ externalId: `page-new-${i}`, firstName: 'Grace', lastName: `Hopper-new${i}` })),
    });
    const operator = new PageClient(t.url);
    await operator.login();
    for (const q of ['ada.lovelace@example.com', 'Ada', 'ada love', 'EXAMPLE.com', 'page-lead-1']) {
      const res = await operator.get(`/app/contacts?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      expect({ q, found: res.text.includes(`/app/contacts/${crmId}`) }).toEqual({ q, found: true });
    }
    expect((await operator.get('/app/contacts?q=%25')).text).toContain('Nothing matches.');
    const first = await operator.get('/app/contacts?q=grace');
    expect(first.text.match(/href="\/app\/contacts\/[0-9a-f-]{36}"/g)).toHaveLength(25);
    expect(first.text).not.toContain('Hopper-old');
    const more = /href="(\/app\/contacts\?q=grace&amp;cursor=[\w-]+)"/.exec(first.text)![1].replace('&amp;', '&');
    const second = await operator.get(more);
    expect(second.text.match(/href="\/app\/contacts\/[0-9a-f-]{36}"/g)).toHaveLength(5);
    expect(second.text.match(/Grace Hopper-old\d/g)).toHaveLength(5);
    expect((await operator.get('/app/contacts?cursor=%00bad')).status).toBe(400);
    const home = await operator.get('/app');
    expect(home.status).toBe(200);
    expect(home.text).toMatch(/<span class="number">31<\/span> contacts/);
    expect(home.text).toMatch(/<span class="number">1<\/span> companies/);
    expect(home.text).toContain('Hopper-new');
  });

  it('sign out only with the session\'s CSRF token', async () => {
    const operator = new PageClient(t.url);
    await operator.login();
    const page = await operator.get('/app');
    const token = formField(page.text, 'csrf');
    expect((await operator.postForm('/app/logout', { csrf: 'forged' })).status).toBe(403);
    expect((await operator.postForm('/app/logout', {})).status).toBe(403);
    const other = new PageClient(t.url);
    await other.login();
    expect((await other.postForm('/app/logout', { csrf: token })).status).toBe(403);
    const out = await operator.postForm('/app/logout', { csrf: token });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/app/login');
    expect(out.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^crm_session=; Path=\/app; Max-Age=0; HttpOnly; SameSite=Lax$/));
    expect((await operator.get('/app')).status).toBe(303);
  });

  it('leave the API as it was: a session is no key', async () => {
    const operator = new PageClient(t.url);
    await operator.login();
    for (const path of ['/contacts', `/contacts/${crmId}`, '/health', '/users']) {
      expect((await operator.get(path)).status).toBe(401);
    }
  });

  it('are counted in metrics by template, never by raw id', async () => {
    const res = await t.api.get('/metrics', { key: ADMIN_KEY });
    expect(res.text).toMatch(/http_requests_total\{route="\/app\/contacts\/\{crmId\}",method="GET",status="200"\}/);
    expect(res.text).toMatch(/http_requests_total\{route="\/app\/login",method="POST",status="303"\}/);
    expect(res.text).not.toContain(crmId);
  });

  it("show the owner by name, as text, and no direction tag for an activity that says none", async () => {
    const owner = await t.api.post('/users', { name: 'Owner <b>Probe</b><script>alert(1)</script>' }, { key: ADMIN_KEY });
    expect(owner.status).toBe(201);
    const res = await t.api.post('/contacts', { contacts: [{ externalId: 'page-lead-owned', firstName: 'Owned', ownerId: owner.body.id }] });
    const id = res.body.results[0].crmId as string;
    expect((await t.api.post('/activities', { type: 'LINKEDIN', contactId: id, subject: 'No direction said', body: 'Hi' })).status).toBe(201);
    const operator = new PageClient(t.url);
    await operator.login();
    const page = await operator.get(`/app/contacts/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Owner &lt;b&gt;Probe&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toMatch(/<b>Probe|<script/i);
    expect(page.text).toContain('No direction said');
    expect(page.text).toMatch(/<span class="tag">LINKEDIN<\/span> <time/);
    expect(page.text).not.toMatch(/>\s*(null|undefined)\s*</);
  });
});

describe('record page sessions', () => {
  it('are Secure behind an HTTPS proxy when TRUST_PROXY says so', async () => {
    const t = await createTestApp({ TRUST_PROXY: '1' });
    try {
      const res = await new PageClient(t.url, { 'X-Forwarded-Proto': 'https' }).login();
      expect(res.headers.getSetCookie().find((line) => line.startsWith('crm_session='))).toMatch(/; Secure$/);
      const plain = await new PageClient(t.url).login();
      expect(plain.headers.getSetCookie().find((line) => line.startsWith('crm_session='))).not.toMatch(/Secure/);
    } finally {
      await t.close();
    }
  });

  it('end after SESSION_TTL_MINUTES and when their admin key is no longer configured', async () => {
    const t = await createTestApp({ SESSION_TTL_MINUTES: '1', SESSION_SECRET: 's'.repeat(40) });
    let cookie: string;
    try {
      const operator = new PageClient(t.url);
      const res = await operator.login();
      expect(res.headers.getSetCookie().find((line) => line.startsWith('crm_session='))).toContain('Max-Age=60;');
      cookie = operator.cookies.get('crm_session')!;
    } finally {
      await t.close();
    }
    const rotated = await createTestApp({ SESSION_SECRET: 's'.repeat(40), ADMIN_API_KEYS: 'another-admin-key-0123456789' });
    try {
      const visitor = new PageClient(rotated.url);
      visitor.cookies.set('crm_session', cookie);
      expect((await visitor.get('/app')).status).toBe(303);
    } finally {
      await rotated.close();
    }
  });

  it('refuse logins from an address past LOGIN_MAX_FAILURES, the right key included, and only that address', async () => {
    const t = await createTestApp({ LOGIN_MAX_FAILURES: '3', TRUST_PROXY: '1' });
    try {
      const attacker = new PageClient(t.url, { 'X-Forwarded-For': '203.0.113.7' });
      for (let i = 0; i < 3; i++) expect((await attacker.login('wrong-key-but-long-enough-0000')).status).toBe(401);
      const refused = await attacker.login(ADMIN_KEY);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(refused.text).toContain('Too many failed sign-ins');
      expect(refused.headers.getSetCookie().some((line) => line.startsWith('crm_session='))).toBe(false);
      expect((await new PageClient(t.url, { 'X-Forwarded-For': '198.51.100.1' }).login(ADMIN_KEY)).status).toBe(303);
    } finally {
      await t.close();
    }
  });

  it('keep the login form out of the logs', async () => {
    const lines: string[] = [];
    const t = await createTestApp({ LOG_LEVEL: 'trace' }, { logs: { write: (line: string) => void lines.push(line) } });
    try {
      await new PageClient(t.url).login('wrong-key-but-long-enough-0000');
      await new PageClient(t.url).login(ADMIN_KEY);
    } finally {
      await t.close();
    }
    const text = lines.join('\n');
    expect(text).toContain('"route":"/app/login"');
    expect(text).not.toContain(ADMIN_KEY);
    expect(text).not.toContain('wrong-key-but-long-enough-0000');
    expect(text).not.toMatch(/crm_session=|csrf/);
  });
});
