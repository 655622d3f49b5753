// A transaction that the server rolls back for a deadlock (on Galera, also how another node's commit
// of the same unique key shows) runs again inside the service, once, and is counted. A real deadlock
// on the real server: another connection takes locks in the opposite order. MySQL only: SQLite
// serializes writers and never deadlocks.
import mysql from 'mysql2/promise';
import { Database } from '../../src/database/database.js';
import { ADMIN_KEY } from '../support/keys.js';
import { onMysql, useTestApp } from '../support/test-app.js';

if (!onMysql) {
  console.log('deadlock-retry.e2e-spec: skipped, it needs MySQL (set DATABASE_URL); .ci/run runs it in its MySQL pass');
}
const describeOnMysql = onMysql ? describe : describe.skip;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeOnMysql('Database.transaction on a deadlock (MySQL)', () => {
  const t = useTestApp();

  it('runs the whole transaction again and commits it, and crm_db_retries_total counts it', async () => {
    await t.dataSource.query('CREATE TABLE deadlock_probe (id INT PRIMARY KEY, v INT NOT NULL)');
    await t.dataSource.query(`INSERT INTO deadlock_probe VALUES ${Array.from({ length: 50 }, (_, i) => `(${i + 1}, 0)`).join(', ')}`);
    const url = new URL(t.config.databaseUrl!);
    const other = await mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
    });
    try {
      // The other transaction holds rows 2..50 (the heavier one: InnoDB rolls back the lighter).
      await other.query('BEGIN');
      await other.query('UPDATE deadlock_probe SET v = v + 1 WHERE id >= 2');
      let runs = 0;
      let firstLockTaken!: () => void;
      const ourFirstLock = new Promise<void>((resolve) => (firstLockTaken = resolve));
      const ours = t.app.get(Database).transaction('deadlock probe', async (manager) => {
        runs += 1;
        await manager.query('UPDATE deadlock_probe SET v = v + 10 WHERE id = 1');
        if (runs === 1) firstLockTaken();
        await manager.query('UPDATE deadlock_probe SET v = v + 10 WHERE id = 2'); // waits for the other
        return runs;
      });
      await ourFirstLock;
      await sleep(300);
      // Row 1 is ours and row 2 is theirs, each waiting for the other: the server rolls ours back.
      await other.query('UPDATE deadlock_probe SET v = v + 1 WHERE id = 1');
      await other.query('COMMIT');
      expect(await ours).toBe(2);
      const [rows] = await other.query<mysql.RowDataPacket[]>('SELECT id, v FROM deadlock_probe WHERE id <= 2 ORDER BY id');
      // Both transactions whole, ours once: 1 + 10 on row 1, 1 + 10 on row 2.
      expect(rows.map((row) => [row.id, row.v])).toEqual([
        [1, 11],
        [2, 11],
      ]);
      const metrics = await t.api.get<string>('/metrics', { key: ADMIN_KEY, headers: { accept: 'text/plain' } });
      expect(metrics.text).toMatch(/^crm_db_retries_total\{reason="deadlock"\} 1$/m);
      expect(metrics.text).toMatch(/^crm_db_retries_total\{reason="node_not_ready"\} 0$/m);
    } finally {
      await other.end();
    }
  });
});
