// Written with TypeORM's schema builder so that the same file runs on MySQL and on SQLite.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { isMysqlFamily } from './exact-collation.js';

const text = (name: string) => ({ name, type: 'text', isNullable: true });
const varchar = (name: string, length: number, isNullable = true) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});
const timestamp = (name: string) => ({ name, type: 'datetime', precision: 3 });

export class CreateContactsAndUsers1764324000000 implements MigrationInterface {
  name = 'CreateContactsAndUsers1764324000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { ...varchar('id', 36, false), isPrimary: true },
          varchar('name', 255, false),
          varchar('email', 320),
          varchar('email_lower', 320),
          { name: 'active', type: 'boolean' },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_users_email_lower', columnNames: ['email_lower'], isUnique: true }),
          new TableIndex({ name: 'ix_users_active_name', columnNames: ['active', 'name'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'contacts',
        columns: [
          { ...varchar('crm_id', 36, false), isPrimary: true },
          varchar('external_id', 255, false),
          varchar('email', 320),
          varchar('email_lower', 320),
          varchar('first_name', 255),
          varchar('last_name', 255),
          varchar('phone', 64),
          varchar('company', 255),
          varchar('title', 255),
          varchar('linkedin_url', 1024),
          varchar('owner_id', 64),
          varchar('location', 255),
          varchar('lead_country', 255),
          varchar('industry', 255),
          varchar('company_size', 255),
          varchar('domain', 255),
          text('description'),
          varchar('email_verification_status', 255),
          text('campaigns'),
          varchar('last_contacted_by', 255),
          text('conversation_tags'),
          text('enrichments'),
          text('custom_fields'),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_contacts_external_id', columnNames: ['external_id'], isUnique: true }),
          new TableIndex({ name: 'ix_contacts_email_lower', columnNames: ['email_lower'] }),
          new TableIndex({ name: 'ix_contacts_owner_id', columnNames: ['owner_id'] }),
        ],
      }),
    );
    if (isMysqlFamily(queryRunner)) {
      // Whatever the database's default, names and emails from anywhere in the world must fit.
      for (const table of ['users', 'contacts']) {
        await queryRunner.query(`ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('contacts');
    await queryRunner.dropTable('users');
  }
}
