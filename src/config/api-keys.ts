// First-run convenience: outside production, a service started with no key makes one, keeps it in
// the data folder and reuses it, so that `npm start` on a fresh machine is usable at once.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './app-config.js';

export interface KeyBootstrap {
  config: AppConfig;
  /** Set when the key came from the data folder rather than the environment. */
  generatedKey?: { key: string; file: string; created: boolean };
}

export function ensureApiKey(config: AppConfig): KeyBootstrap {
  if (config.apiKeys.length + config.adminApiKeys.length > 0 || config.isProduction) return { config };
  const file = join(config.dataDir, 'api-key');
  let key = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const created = key === '';
  if (created) {
    key = randomBytes(24).toString('base64url');
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  return { config: config.withApiKeys([key]), generatedKey: { key, file, created } };
}
