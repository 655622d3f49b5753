// externalId is Enginy's lead id: an opaque string, equal only to itself. MySQL's default collation
// (utf8mb4_unicode_ci) makes "lead-1", "LEAD-1", "léad-1" and "lead-1 " one key of the unique index,
// so a second lead would be taken for the first. The column is compared byte for byte instead, and
// without padding where the server has such a collation. SQLite already compares with BINARY.
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Binary, no-pad collations in order of preference: MariaDB 10.2+, MySQL 8.0+; then binary (pads). */
const EXACT_COLLATIONS = ['utf8mb4_nopad_bin', 'utf8mb4_0900_bin', 'utf8mb4_bin'];

const isMysqlFamily = (queryRunner: QueryRunner) => ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);

export class ExactExternalId1764400000000 implements MigrationInterface {
  name = 'ExactExternalId1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!isMysqlFamily(queryRunner)) return;
    const available: { name: string }[] = await queryRunner.query(
      'SELECT COLLATION_NAME AS name FROM INFORMATION_SCHEMA.COLLATIONS WHERE COLLATION_NAME IN (?, ?, ?)',
      EXACT_COLLATIONS,
    );
    const collation = EXACT_COLLATIONS.find((name) => available.some((row) => row.name === name)) ?? 'utf8mb4_bin';
    await this.collate(queryRunner, collation);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (isMysqlFamily(queryRunner)) await this.collate(queryRunner, 'utf8mb4_unicode_ci');
  }

  private collate(queryRunner: QueryRunner, collation: string): Promise<unknown> {
    return queryRunner.query(
      `ALTER TABLE \`contacts\` MODIFY \`external_id\` varchar(255) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`,
    );
  }
}
