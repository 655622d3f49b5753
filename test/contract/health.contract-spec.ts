import { createTestApp, useTestApp } from '../support/test-app.js';
import { ADMIN_KEY, INTEGRATION_KEY } from '../support/keys.js';

describe('GET /health', () => {
  const t = useTestApp();

  it('answers 200 with status ok when the database answers', async () => {
    const res = await t.api.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up' });
  });

  it('accepts an admin key too', async () => {
    expect((await t.api.get('/health', { key: ADMIN_KEY })).status).toBe(200);
  });

  it('answers 401 without a key, so that Enginy catches a misconfigured connection', async () => {
    const res = await t.api.get('/health', { key: null });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
  });

  it('answers 401 to a wrong key, including a prefix of a valid one', async () => {
    expect((await t.api.get('/health', { key: 'wrong-key-wrong-key-wrong' })).status).toBe(401);
    expect((await t.api.get('/health', { key: INTEGRATION_KEY.slice(0, -1) })).status).toBe(401);
    expect((await t.api.get('/health', { key: `${INTEGRATION_KEY}x` })).status).toBe(401);
  });

  it('reads the key header whatever its case', async () => {
    const res = await t.api.get('/health', { key: null, headers: { 'x-api-KEY': INTEGRATION_KEY } });
    expect(res.status).toBe(200);
  });

  it('answers 503 in the documented shape, with Retry-After, when the database is gone', async () => {
    const other = await createTestApp();
    try {
      await other.dataSource.destroy();
      const started = Date.now();
      const res = await other.api.get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: 'unavailable',
        database: 'down',
        error: 'service_unavailable',
        message: expect.any(String),
      });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await other.close();
    }
  });
});

describe('API_KEY_HEADER', () => {
  it('moves the key to the configured header, and the served contract says so', async () => {
    const t = await createTestApp({ API_KEY_HEADER: 'Authorization-Key' });
    try {
      expect((await t.api.get('/health')).status).toBe(200);
      const wrongHeader = await t.api.get('/health', { key: null, headers: { 'X-API-Key': INTEGRATION_KEY } });
      expect(wrongHeader.status).toBe(401);
      expect(wrongHeader.body.message).toContain('Authorization-Key');
      const contract = (await (await fetch(`${t.url}/openapi.json`)).json()) as any;
      expect(contract.components.securitySchemes.apiKey.name).toBe('Authorization-Key');
    } finally {
      await t.close();
    }
  });
});
