// First-run convenience: outside production, a service started with no key at all makes two, an
// integration key and an admin key, keeps them in the data folder and reuses them, so that
// `npm start` on a fresh machine is usable at once, owner management included.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './app-config.js';

export interface LocalKey {
  role: 'integration' | 'admin';
  /** The setting a key of this role would be listed in. */
  setting: 'API_KEYS' | 'ADMIN_API_KEYS';
  key: string;
  file: string;
  created: boolean;
}

export interface KeyBootstrap {
  config: AppConfig;
  /** Set when the keys came from the data folder rather than the environment. */
  localKeys?: [LocalKey, LocalKey];
}

function localKey(dir: string, fileName: string, role: LocalKey['role'], setting: LocalKey['setting']): LocalKey {
  const file = join(dir, fileName);
  let key = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const created = key === '';
  if (created) {
    key = randomBytes(24).toString('base64url');
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  return { role, setting, key, file, created };
}

export function ensureApiKey(config: AppConfig): KeyBootstrap {
  if (config.apiKeys.length + config.adminApiKeys.length > 0 || config.isProduction) return { config };
  const integration = localKey(config.dataDir, 'api-key', 'integration', 'API_KEYS');
  const admin = localKey(config.dataDir, 'admin-api-key', 'admin', 'ADMIN_API_KEYS');
  return { config: config.withApiKeys([integration.key], [admin.key]), localKeys: [integration, admin] };
}
