// Swagger UI in a real browser, as an integrator meets the service: open /docs, authorize with a key,
// "Try it out" on POST /contacts with the spec's own example, and see a 201 with a crmId on the page.
// Needs Chromium at /usr/bin/chromium (Debian's `chromium` package; scripts/ensure-chromium.sh installs
// it). Without it the test is skipped with a notice, except in CI, where it fails.
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium, requireChromium } from '../support/chromium.js';
import { INTEGRATION_KEY } from '../support/keys.js';
import { assertMatchesSpec, spec } from '../support/spec.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('Swagger UI in Chromium', () => {
  if (!requireChromium('the Swagger UI browser test')) return;

  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await createTestApp();
    // launch() gives the browser a new, empty profile (user data dir) of its own.
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('authorizes with a key, runs "Try it out" on POST /contacts with the spec example, and shows a 201 with a crmId', async () => {
    try {
      await page.goto(`${t.url}/docs`);
      await page.locator('.information-container .title').filter({ hasText: spec.info.title }).waitFor();

      // Authorize: the apiKey scheme, in the header the service is configured for.
      await page.locator('.auth-wrapper .btn.authorize').click();
      const dialog = page.locator('.dialog-ux .modal-ux');
      await dialog.getByText(t.config.apiKeyHeader).first().waitFor();
      await dialog.locator('input').fill(INTEGRATION_KEY);
      await dialog.locator('.auth-btn-wrapper .btn.modal-btn.auth.authorize').click();
      await dialog.locator('.auth-btn-wrapper .btn-done').click();

      // POST /contacts: open it; "Try it out" is on by default and the body editor holds the example.
      const operation = page.locator('#operations-Contacts-createContacts');
      await operation.locator('.opblock-summary').click();
      const tryItOut = operation.locator('.try-out__btn');
      if ((await tryItOut.textContent())?.trim() === 'Try it out') await tryItOut.click();
      const editor = operation.locator('textarea.body-param__text');
      await editor.waitFor();
      const sent = JSON.parse(await editor.inputValue());
      expect(sent).toEqual(spec.paths['/contacts'].post.requestBody.content['application/json'].example);

      const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/contacts');
      await operation.locator('.btn.execute').click();
      // What the browser received goes through the spec validator, like every other answer.
      const answer = await answered;
      expect(answer.request().headers()[t.config.apiKeyHeader.toLowerCase()]).toBe(INTEGRATION_KEY);
      assertMatchesSpec({
        method: 'POST',
        url: answer.url(),
        status: answer.status(),
        headers: new Headers(answer.headers()),
        body: await answer.json(),
      });
      const live = operation.locator('.live-responses-table .response');
      await live.waitFor({ timeout: 15_000 });
      expect((await live.locator('.response-col_status').first().textContent())?.trim()).toBe('201');
      const body = JSON.parse((await live.locator('.response-col_description pre.microlight').first().textContent()) ?? '');
      expect(body.errors).toEqual([]);
      expect(body.results.map((r: { externalId: string }) => r.externalId)).toEqual(['lead-0001', 'lead-0002']);
      for (const result of body.results) expect(result.crmId).toMatch(/^[0-9a-f-]{36}$/);
      await operation.getByText(body.results[0].crmId).first().waitFor();
      await page.screenshot({ path: `${ARTIFACTS}swagger-ui-try-it-out.png`, fullPage: true });
      await operation.locator('.responses-wrapper .live-responses-table').screenshot({ path: `${ARTIFACTS}swagger-ui-response.png` });

      // What the page showed is what is stored.
      const rows = await t.dataSource.query(
        "SELECT crm_id, external_id, email FROM contacts WHERE external_id IN ('lead-0001', 'lead-0002') ORDER BY external_id",
      );
      expect(rows.map((r: Record<string, string>) => [r.crm_id, r.external_id])).toEqual(
        body.results.map((r: { crmId: string; externalId: string }) => [r.crmId, r.externalId]),
      );
    } catch (error) {
      await page.screenshot({ path: `${ARTIFACTS}swagger-ui-failure.png`, fullPage: true }).catch(() => undefined);
      throw error;
    }
  }, 60_000);
});
