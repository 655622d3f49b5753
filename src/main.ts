import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.setup.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { ensureApiKey } from './config/api-keys.js';

async function main(): Promise<void> {
  const { config, generatedKey } = ensureApiKey(loadConfig());
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://localhost:${port}`;
  console.log(`Enginy CRM service listening on ${config.host}:${port} (database: ${config.databaseKind})`);
  console.log(`Swagger UI: ${base}/docs   contract: ${base}/openapi.json`);
  if (generatedKey) {
    // Only the key made for a local first run is ever printed, so that a newcomer can use it at once.
    console.log(`\nNo API_KEYS set: ${generatedKey.created ? 'created' : 'using'} a local key, kept in ${generatedKey.file}`);
    console.log(`  API key: ${generatedKey.key}`);
    console.log(`  Try it:  curl -H '${config.apiKeyHeader}: ${generatedKey.key}' ${base}/health\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
