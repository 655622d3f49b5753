import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.setup.js';
import { type AppConfig, loadConfig } from './config/app-config.js';
import { ensureApiKey, type LocalKey } from './config/api-keys.js';
import { describeStartUpError } from './start-up-errors.js';

function printLocalKeys(keys: readonly LocalKey[], config: AppConfig, base: string): void {
  // Only the keys made for a local first run are ever printed, so that a newcomer can use them at once.
  const created = keys.some((key) => key.created);
  console.log(`\nNo API_KEYS or ADMIN_API_KEYS set: ${created ? 'created' : 'using'} local keys (outside production only)`);
  for (const key of keys) {
    console.log(`  ${`${key.role} key:`.padEnd(17)}${key.key}   kept in ${key.file}  (a key for ${key.setting})`);
  }
  const [integration] = keys;
  console.log(`  Try it:  curl -H '${config.apiKeyHeader}: ${integration.key}' ${base}/health`);
  console.log(`  The admin key can also manage users (POST /users) and read /metrics.\n`);
}

async function main(): Promise<void> {
  let config: AppConfig | undefined;
  try {
    const bootstrap = ensureApiKey(loadConfig());
    config = bootstrap.config;
    const app = await createApp(config);
    await app.listen(config.port, config.host);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const base = `http://localhost:${port}`;
    console.log(`Enginy CRM service listening on ${config.host}:${port} (database: ${config.databaseKind})`);
    console.log(`Swagger UI: ${base}/docs   contract: ${base}/openapi.json`);
    if (bootstrap.localKeys) printLocalKeys(bootstrap.localKeys, config, base);
  } catch (error) {
    console.error(describeStartUpError(error, config));
    // Not app.close(): a server that never listened does not close cleanly. Exiting ends the pool too.
    process.exit(1);
  }
}

void main();
