// First-run convenience, like the API key: outside production, a service started without
// SESSION_SECRET makes one, keeps it in the data folder and reuses it, so that sessions survive a
// restart. In production the setting is required (loadConfig refuses to start without it).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './app-config.js';

export function ensureSessionSecret(config: AppConfig): AppConfig {
  if (config.sessionSecret !== undefined) return config;
  if (config.isProduction) throw new Error('SESSION_SECRET must be set when NODE_ENV=production');
  const file = join(config.dataDir, 'session-secret');
  let secret = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (secret.length < 32) {
    secret = randomBytes(32).toString('base64url');
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  }
  return config.withSessionSecret(secret);
}
