// email_lower holds what the service lower-cased itself, so it is compared byte for byte. Under MySQL's
// default collation "josé@example.com" and "jose@example.com" were one key of the users' unique index
// (a 409 for a different person) and one value for the contacts' email filter.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { exactCollation, isMysqlFamily } from './exact-collation.js';

export class ExactLoweredEmails1764500000000 implements MigrationInterface {
  name = 'ExactLoweredEmails1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!isMysqlFamily(queryRunner)) return;
    await this.collate(queryRunner, await exactCollation(queryRunner));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (isMysqlFamily(queryRunner)) await this.collate(queryRunner, 'utf8mb4_unicode_ci');
  }

  private async collate(queryRunner: QueryRunner, collation: string): Promise<void> {
    for (const table of ['users', 'contacts']) {
      await queryRunner.query(
        `ALTER TABLE \`${table}\` MODIFY \`email_lower\` varchar(320) CHARACTER SET utf8mb4 COLLATE ${collation} NULL`,
      );
    }
  }
}
