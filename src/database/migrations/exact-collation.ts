import type { QueryRunner } from 'typeorm';

/** Binary, no-pad collations in order of preference: MariaDB 10.2+, MySQL 8.0+; then binary (pads). */
const EXACT_COLLATIONS = ['utf8mb4_nopad_bin', 'utf8mb4_0900_bin', 'utf8mb4_bin'];

export const isMysqlFamily = (queryRunner: QueryRunner): boolean =>
  ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);

/** The best collation this server has for comparing text byte for byte. */
export async function exactCollation(queryRunner: QueryRunner): Promise<string> {
  const available: { name: string }[] = await queryRunner.query(
    'SELECT COLLATION_NAME AS name FROM INFORMATION_SCHEMA.COLLATIONS WHERE COLLATION_NAME IN (?, ?, ?)',
    EXACT_COLLATIONS,
  );
  return EXACT_COLLATIONS.find((name) => available.some((row) => row.name === name)) ?? 'utf8mb4_bin';
}
