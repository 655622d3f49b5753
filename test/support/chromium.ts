// Debian's Chromium for the browser tests, driven by playwright-core (`npx playwright install` cannot
// download browsers on this network; scripts/ensure-chromium.sh installs the package).
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Flags for a headless Chromium on a closed network: no sandbox (containers), no GPU, and none of the
// background connections (QUIC, component updates, sync) that would be refused and slow it down.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots the browser tests keep (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/**
 * Whether the browser is there. Without it, a describe block registers one test instead of its own:
 * skipped with a notice on a developer's machine, failing in CI, where a missing browser is a broken
 * pipeline, not a reason to skip the proof. Call at the top of the describe block and return when false.
 */
export function requireChromium(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (!process.env.CI) console.warn(`Skipping ${what}: no Chromium at ${CHROMIUM}. Install it with scripts/ensure-chromium.sh.`);
  (process.env.CI ? it : it.skip)(`needs Chromium at ${CHROMIUM}`, () => {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run scripts/ensure-chromium.sh before the tests.`);
  });
  return false;
}

/** A new browser with an empty profile of its own; artifacts' folder made. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
