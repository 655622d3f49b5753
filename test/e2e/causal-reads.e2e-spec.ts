// On a Galera node every pooled connection sets wsrep_sync_wait = 1 before its first query, so that a
// record written through one replica is read through another at once (docs/scaling.md, "Reads after
// writes"; the cluster load test checks the effect on a real Galera cluster). Here, on the plain
// MariaDB the suite runs on, which knows the variable but has no cluster: the detection says so, and
// the pool the service builds for a Galera node really sets it on every connection, the first one
// (opened while TypeORM starts) included, while the pool for a plain server leaves it alone.
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config.js';
import { dataSourceOptions, detectMysqlServer, type MysqlServer } from '../../src/database/data-source.js';
import { onMysql } from '../support/test-app.js';

if (!onMysql) {
  console.log('causal-reads.e2e-spec: skipped, it needs MySQL (set DATABASE_URL); .ci/run runs it in its MySQL pass');
}
const describeOnMysql = onMysql ? describe : describe.skip;

describeOnMysql('causal reads on Galera (MySQL)', () => {
  const config = loadConfig({ ...process.env, API_KEYS: 'causal-reads-test-key-0123456789' });

  /** wsrep_sync_wait as each of `count` connections held at once by the pool sees it. */
  async function syncWaitOfConnections(server: MysqlServer, count: number): Promise<number[]> {
    const dataSource = new DataSource({ ...dataSourceOptions(config, server), migrations: [] });
    await dataSource.initialize();
    const runners = Array.from({ length: count }, () => dataSource.createQueryRunner());
    try {
      // Held at once: each is its own pooled connection.
      await Promise.all(runners.map((runner) => runner.connect()));
      const rows = await Promise.all(runners.map((runner) => runner.query('SELECT @@SESSION.wsrep_sync_wait AS v, CONNECTION_ID() AS id')));
      expect(new Set(rows.map((row) => String(row[0].id))).size).toBe(count);
      return rows.map((row) => Number(row[0].v));
    } finally {
      await Promise.all(runners.map((runner) => runner.release()));
      await dataSource.destroy();
    }
  }

  it('detects a MariaDB server without Galera here', async () => {
    await expect(detectMysqlServer(config)).resolves.toEqual({ flavor: 'mariadb', galera: false });
  });

  it("sets wsrep_sync_wait = 1 on every connection of a Galera node's pool, the first one included", async () => {
    expect(await syncWaitOfConnections({ flavor: 'mariadb', galera: true }, 4)).toEqual([1, 1, 1, 1]);
  });

  it('leaves it alone on a server without Galera', async () => {
    expect(await syncWaitOfConnections({ flavor: 'mariadb', galera: false }, 4)).toEqual([0, 0, 0, 0]);
  });
});
