// externalId is Enginy's lead id: an opaque string, equal only to itself. MySQL's default collation
// (utf8mb4_unicode_ci) makes "lead-1", "LEAD-1", "léad-1" and "lead-1 " one key of the unique index,
// so a second lead would be taken for the first. The column is compared byte for byte instead, and
// without padding where the server has such a collation. SQLite already compares with BINARY.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation, isMysqlFamily } from './exact-collation.js';

export class ExactExternalId1764400000000 implements MigrationInterface {
  name = 'ExactExternalId1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!isMysqlFamily(queryRunner)) return;
    await this.collate(queryRunner, await exactCollation(queryRunner));
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
