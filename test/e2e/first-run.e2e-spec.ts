// A newcomer's first `npm start`: the built service, as its own process, on the embedded database.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, startBuiltService } from '../support/built-service.js';

describe('First run (npm start on a fresh machine)', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('starts on the embedded database, prints an integration and an admin key, and a curl line that works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-first-run-'));
    const service = startBuiltService({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    try {
      await service.waitFor(/Try it:.*\n/);
      const output = service.output();
      const integrationKey = /integration key: +(\S+) +kept in (\S+)/.exec(output);
      const adminKey = /admin key: +(\S+) +kept in (\S+)/.exec(output);
      expect(integrationKey).not.toBeNull();
      expect(adminKey).not.toBeNull();
      expect(output).toContain('(a key for API_KEYS)');
      expect(output).toContain('(a key for ADMIN_API_KEYS)');
      // Kept beside each other in the data folder, where the README's commands read them.
      expect(integrationKey![2]).toBe(join(dataDir, 'api-key'));
      expect(adminKey![2]).toBe(join(dataDir, 'admin-api-key'));
      expect(readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim()).toBe(adminKey![1]);
      expect(output).toContain('database: sqlite');
      const url = /curl -H 'X-API-Key: \S+' (http:\/\/\S+)\/health/.exec(output)?.[1];
      expect(url).toBeDefined();
      // PORT=0 picks a free port; the printed URL must be the real one.
      const health = await fetch(`${url}/health`, { headers: { 'X-API-Key': integrationKey![1] } });
      expect(health.status).toBe(200);
      expect((await fetch(`${url}/docs`)).status).toBe(200);
      // The printed admin key manages owners; the integration key is told which setting it lacks.
      const owner = { name: 'First Owner', email: 'first.owner@example.com' };
      const asAdmin = await fetch(`${url}/users`, {
        method: 'POST',
        headers: { 'X-API-Key': adminKey![1], 'Content-Type': 'application/json' },
        body: JSON.stringify(owner),
      });
      expect(asAdmin.status).toBe(201);
      const asIntegration = await fetch(`${url}/users`, {
        method: 'POST',
        headers: { 'X-API-Key': integrationKey![1], 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...owner, email: 'second.owner@example.com' }),
      });
      expect(asIntegration.status).toBe(403);
      expect(((await asIntegration.json()) as { message: string }).message).toContain('ADMIN_API_KEYS');
    } finally {
      await service.stop();
    }
  }, 180_000);

  it('reuses the keys of the data folder at the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-first-run-'));
    const first = startBuiltService({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    await first.waitFor(/Try it:.*\n/);
    await first.stop();
    const second = startBuiltService({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    try {
      await second.waitFor(/Try it:.*\n/);
      expect(second.output()).toContain('using local keys');
      expect(second.output()).toContain(readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim());
    } finally {
      await second.stop();
    }
  }, 180_000);

  it('refuses to start in production without a key, naming the setting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-first-run-'));
    const service = startBuiltService({ DATA_DIR: dataDir, NODE_ENV: 'production' });
    expect(await service.exited).not.toBe(0);
    expect(service.output()).toContain('API_KEYS');
  }, 120_000);

  it('refuses an invalid setting at start-up, naming it', async () => {
    const service = startBuiltService({ PORT: 'eighty' });
    expect(await service.exited).not.toBe(0);
    expect(service.output()).toContain('PORT');
  }, 120_000);
});
