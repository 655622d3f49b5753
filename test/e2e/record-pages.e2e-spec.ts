// The record pages in a real browser, as a sales person meets them: a "view in CRM" link from Enginy
// opens the login form, one sign-in with an admin key, then the record with its fields, company and
// custom fields. Stored script probes in every kind of field never run: no dialog opens and the CSP
// reports nothing. Screenshots (phone and laptop) go to test-artifacts/. Needs Chromium at
// /usr/bin/chromium (scripts/ensure-chromium.sh); skipped with a notice without it, except in CI.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CompanyEntity } from '../../src/companies/company.entity.js';
import { ARTIFACTS, launchChromium, requireChromium } from '../support/chromium.js';
import { ADMIN_KEY, INTEGRATION_KEY } from '../support/keys.js';
import { seedCompanies } from '../support/seed.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** What a stored value might try: close the tag or attribute it lands in and run script. */
const PROBES = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  "'><svg onload=alert(3)>",
  '</textarea></title><script>alert(4)</script>',
  '<a href="javascript:alert(5)">click</a>',
  '<iframe srcdoc="<script>alert(6)</script>"></iframe>',
  '<style>body{display:none}</style>',
];

describe('the record pages in Chromium', () => {
  if (!requireChromium('the record pages browser test')) return;

  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let crmId: string;
  let companyId: string;
  /** Every dialog, CSP violation and console message the pages caused. */
  const dialogs: string[] = [];
  const violations: string[] = [];
  const consoleMessages: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    [companyId] = await seedCompanies(t, [{ externalId: 'e2e-co', name: `Probe Corp ${PROBES[1]}`, domain: 'probe.example' }]);
    await t.dataSource
      .getRepository(CompanyEntity)
      .update({ crmId: companyId }, { industry: PROBES[0], description: PROBES.join('\n'), linkedinUrl: 'javascript:alert(7)', customFields: JSON.stringify({ note: PROBES[2] }) });
    const probes = Object.fromEntries(PROBES.map((probe, i) => [`probe${i}`, probe]));
    const exported = await t.api.post('/contacts', {
      contacts: [
        {
          externalId: 'e2e-lead-1',
          email: 'grace.hopper@probe.example',
          firstName: 'Grace',
          lastName: PROBES[1],
          title: PROBES[0],
          company: PROBES[3],
          phone: '+34 600 000 000',
          linkedinUrl: 'javascript:alert(8)',
          description: PROBES.join('\n'),
          campaigns: PROBES[4],
          campaignEngagementStatus: 'Replied',
          campaignOpens: 3,
          nested: { html: PROBES[5] },
          ...probes,
        },
      ],
    });
    crmId = exported.body.results[0].crmId;
    await t.api.post('/associations', { associations: [{ contactCRMId: crmId, companyCRMId: companyId }] });
    // An e-mail whose HTML body holds the probes, and a task, on the exported contact.
    const logged = await t.api.post('/activities', {
      type: 'EMAIL',
      direction: 'INBOUND',
      subject: `Re: ${PROBES[0]}`,
      body: `<p>Thanks</p>${PROBES.join('')}`,
      occurredAt: '2026-11-27T15:00:00.000Z',
      contactId: crmId,
    });
    const task = await t.api.post('/tasks', { subject: `Follow up ${PROBES[1]}`, dueDate: '2026-12-03', contactId: crmId });
    expect([logged.status, task.status]).toEqual([201, 201]);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Any CSP violation in any page of the context is reported to the test through a binding.
    await context.exposeBinding('reportViolation', (_source, text: string) => void violations.push(text));
    await context.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (event) => window.reportViolation(event.violatedDirective + ' ' + event.blockedURI));",
    });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (message) => consoleMessages.push(message.text()));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('opens a link from Enginy after one sign-in, shows the record, and runs no stored script', async () => {
    // The link Enginy builds from https://<host>/app/contacts/{{crmId}}.
    await page.goto(`${t.url}/app/contacts/${crmId}`);
    expect(new URL(page.url()).pathname).toBe('/app/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}record-pages-login.png`, fullPage: true });
    await page.getByLabel('Admin key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${t.url}/app/contacts/${crmId}`);

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Grace ${PROBES[1]}`);
    const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    for (const expected of ['grace.hopper@probe.example', '+34 600 000 000', 'campaignEngagementStatus', 'Replied', 'campaignOpens', ...PROBES]) {
      expect(text).toContain(expected.replace(/\s+/g, ' '));
    }
    // The activity timeline and the task, their markup as text.
    const timeline = (await page.locator('.timeline').innerText()).replace(/\s+/g, ' ');
    for (const expected of ['EMAIL', 'INBOUND', '2026-11-27 15:00', `Re: ${PROBES[0]}`, `<p>Thanks</p>${PROBES.join('')}`]) {
      expect(timeline).toContain(expected.replace(/\s+/g, ' '));
    }
    const tasks = (await page.locator('.tasks').innerText()).replace(/\s+/g, ' ');
    expect(tasks).toContain(`Follow up ${PROBES[1]}`);
    expect(tasks).toContain('due 2026-12-03 00:00');
    // The linked company, by name, as a link to its page.
    await page.getByRole('link', { name: `Probe Corp ${PROBES[1]}` }).waitFor();
    // A javascript: URL is shown, never linked; no stored markup became an element.
    expect(await page.locator('a[href^="javascript"], main script, main img, main svg, main iframe, main style, main p:has-text("Thanks")').count()).toBe(0);
    expect(await page.content()).not.toContain(ADMIN_KEY);
    await page.screenshot({ path: `${ARTIFACTS}record-pages-contact-laptop.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${ARTIFACTS}record-pages-contact-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('link', { name: `Probe Corp ${PROBES[1]}` }).click();
    await page.waitForURL(`${t.url}/app/companies/${companyId}`);
    const companyText = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    for (const expected of ['probe.example', 'javascript:alert(7)', PROBES[0], PROBES[2], 'Grace']) expect(companyText).toContain(expected);
    expect(await page.locator('a[href^="javascript"], main script, main img, main svg, main iframe, main style').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}record-pages-company.png`, fullPage: true });

    // Search and the overview, in the pages' own navigation.
    await page.getByRole('link', { name: 'Contacts', exact: true }).click();
    await page.getByLabel('Email, name, domain or external id').fill('grace.hopper@probe.example');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: `Grace ${PROBES[1]}` }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}record-pages-search.png`, fullPage: true });
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}record-pages-overview.png`, fullPage: true });

    expect(dialogs).toEqual([]);
    expect(violations).toEqual([]);
    expect(consoleMessages.filter((m) => /Content Security Policy|Refused/i.test(m))).toEqual([]);
  }, 60_000);

  it('signs out, after which the link asks for a sign-in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${t.url}/app/login`);
    await page.goto(`${t.url}/app/contacts/${crmId}`);
    expect(new URL(page.url()).pathname).toBe('/app/login');
    // A wrong key is refused on the page, and the integration key is no operator's key.
    await page.getByLabel('Admin key').fill(INTEGRATION_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('not an admin key');
    expect(await page.content()).not.toContain(INTEGRATION_KEY);
    expect(dialogs).toEqual([]);
    expect(violations).toEqual([]);
  }, 60_000);

  it('would have noticed: a script added to a page is refused by the CSP and reported', async () => {
    await page.evaluate("const s = document.createElement('script'); s.textContent = 'alert(9)'; document.body.append(s);");
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(violations).toEqual([expect.stringMatching(/^script-src/)]);
  }, 60_000);
});
