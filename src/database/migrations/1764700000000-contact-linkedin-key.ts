// POST /contacts/sync matches a lead by its normalized LinkedIn URL (see src/matching/linkedin-url.ts):
// an indexed column holds that key, filled here for the contacts already stored. On MySQL it compares
// byte for byte, as email_lower does: the service folded case itself.
import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { LINKEDIN_KEY_MAX_LENGTH, linkedinKey } from '../../matching/linkedin-url.js';
import { exactCollation, isMysqlFamily } from './exact-collation.js';
import { fillKey } from './matching-keys.js';

export class ContactLinkedinKey1764700000000 implements MigrationInterface {
  name = 'ContactLinkedinKey1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysqlFamily(queryRunner);
    await queryRunner.addColumn(
      'contacts',
      new TableColumn({
        name: 'linkedin_normalized',
        type: 'varchar',
        length: String(LINKEDIN_KEY_MAX_LENGTH),
        isNullable: true,
        ...(mysql ? { charset: 'utf8mb4', collation: await exactCollation(queryRunner) } : {}),
      }),
    );
    await fillKey(queryRunner, 'contacts', 'linkedin_url', 'linkedin_normalized', (url) => linkedinKey(url, 'person'));
    await queryRunner.createIndex('contacts', new TableIndex({ name: 'ix_contacts_linkedin_normalized', columnNames: ['linkedin_normalized'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('contacts', 'ix_contacts_linkedin_normalized');
    await queryRunner.dropColumn('contacts', 'linkedin_normalized');
  }
}
