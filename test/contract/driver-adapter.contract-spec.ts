// The driver internals the service relies on (src/database/driver-adapter.ts), exercised on the
// installed typeorm and mysql2: an upgrade that moves them fails here instead of falling back quietly
// to slow SQL text or to pool metrics stuck at zero.
import { Database } from '../../src/database/database.js';
import { destroyConnection, execute, mysqlPoolCounters } from '../../src/database/driver-adapter.js';
import { onMysql, useTestApp } from '../support/test-app.js';

describe('Driver adapter', () => {
  const t = useTestApp({ DB_POOL_SIZE: '2' });

  it('runs a statement on a runner connection (prepared on MySQL), with rows and affected counts', async () => {
    const db = t.app.get(Database);
    const rows = await db.run('adapter select', (manager) => execute(manager.queryRunner!, 'SELECT ? AS v', ['x']));
    expect(rows.records).toEqual([{ v: 'x' }]);
    const written = await db.run('adapter update', (manager) =>
      execute(manager.queryRunner!, 'UPDATE users SET name = name WHERE id = ?', ['nobody']),
    );
    expect(written).toEqual({ records: [], affected: 0 });
  });

  it('reads the pool counters on MySQL, and none on SQLite', async () => {
    const counters = mysqlPoolCounters(t.dataSource);
    if (!onMysql) {
      expect(counters).toBeUndefined();
      return;
    }
    const db = t.app.get(Database);
    let during: ReturnType<typeof mysqlPoolCounters>;
    await db.run('adapter pool', async () => {
      during = mysqlPoolCounters(t.dataSource);
    });
    expect(during!.all - during!.idle).toBe(1);
    expect(mysqlPoolCounters(t.dataSource)).toMatchObject({ waiting: 0 });
  });

  it('destroys a runner connection on MySQL, so that the pool forgets it', async () => {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const before = mysqlPoolCounters(t.dataSource);
      expect(destroyConnection(runner)).toBe(onMysql);
      if (onMysql) expect(mysqlPoolCounters(t.dataSource)!.all).toBe(before!.all - 1);
    } finally {
      await runner.release().catch(() => undefined);
    }
    // The pool still serves.
    expect(await t.app.get(Database).ping(5000)).toBe(true);
  });
});
