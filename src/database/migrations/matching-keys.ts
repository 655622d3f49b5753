// Fills a matching-key column for the rows already stored, in batches: the keys are computed by the
// same functions the service uses (percent-decoding and Unicode folding have no portable SQL), then
// written back with one UPDATE ... CASE per batch. Runs on MySQL and SQLite alike.
import type { QueryRunner } from 'typeorm';

const BATCH = 1000;

export async function fillKey(
  queryRunner: QueryRunner,
  table: string,
  source: string,
  target: string,
  key: (value: string) => string | null,
): Promise<void> {
  const q = (name: string) => queryRunner.connection.driver.escape(name);
  let after = '';
  for (;;) {
    const rows: { id: string; value: string }[] = await queryRunner.query(
      `SELECT ${q('crm_id')} AS ${q('id')}, ${q(source)} AS ${q('value')} FROM ${q(table)} ` +
        `WHERE ${q('crm_id')} > ? AND ${q(source)} IS NOT NULL ORDER BY ${q('crm_id')} LIMIT ${BATCH}`,
      [after],
    );
    if (rows.length === 0) return;
    after = rows[rows.length - 1].id;
    const keyed = rows.flatMap((row) => {
      const value = key(row.value);
      return value === null ? [] : [[row.id, value] as const];
    });
    if (keyed.length === 0) continue;
    await queryRunner.query(
      `UPDATE ${q(table)} SET ${q(target)} = CASE ${q('crm_id')} ${keyed.map(() => 'WHEN ? THEN ?').join(' ')} END ` +
        `WHERE ${q('crm_id')} IN (${keyed.map(() => '?').join(', ')})`,
      [...keyed.flat(), ...keyed.map(([id]) => id)],
    );
  }
}
