// The matching keys of companies stored before their migration (LinkedIn company key, folded name)
// are filled by it, so that POST /companies/sync finds those companies.
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/database/data-source.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('The matching keys of companies stored before their migration', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('are filled by the migration, so that sync finds them', async () => {
    t = await createTestApp({ DB_MIGRATE: 'false' });
    const earlier = new DataSource({ ...t.dataSource.options, migrations: MIGRATIONS.filter((m) => Number(/\d+$/.exec(m.name)![0]) < 1764800000000) } as never);
    await earlier.initialize();
    try {
      await earlier.runMigrations();
      const stamp = '2026-01-01 00:00:00.000';
      const rows: [string, string | null, string | null][] = [
        ['co-0', '  Acme   Corp ', 'https://www.linkedin.com/company/Acme-Corp/'],
        ['co-1', 'Globex', 'https://www.linkedin.com/in/not-a-company'],
        ['co-2', null, null],
      ];
      for (const [i, [externalId, name, url]] of rows.entries()) {
        await earlier.query('INSERT INTO companies (crm_id, external_id, name, linkedin_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [
          `0197a3f2-6c1e-7b3a-9d2e-00000000010${i}`,
          externalId,
          name,
          url,
          stamp,
          stamp,
        ]);
      }
    } finally {
      await earlier.destroy();
    }
    await t.dataSource.runMigrations();
    const stored = await t.dataSource.query('SELECT external_id AS e, name_folded AS n, linkedin_normalized AS l FROM companies ORDER BY external_id');
    expect(stored.map((r: { e: string; n: string | null; l: string | null }) => [r.e, r.n, r.l])).toEqual([
      ['co-0', 'acme corp', 'company/acme-corp'],
      ['co-1', 'globex', null],
      ['co-2', null, null],
    ]);
    const sync = await t.api.post('/companies/sync', {
      companies: [
        { externalId: 'new-1', linkedinUrl: 'linkedin.com/company/acme-corp' },
        { externalId: 'new-2', name: 'GLOBEX' },
      ],
    });
    expect(sync.body.results.map((r: { externalId: string; matchedBy: string }) => [r.externalId, r.matchedBy])).toEqual([
      ['new-1', 'linkedinUrl'],
      ['new-2', 'name'],
    ]);
  });
});
