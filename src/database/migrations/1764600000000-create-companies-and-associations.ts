// Companies (Enginy creates a lead's company before the lead) and the links between contacts and
// companies. Written with TypeORM's schema builder so that the same file runs on MySQL and on SQLite.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { exactCollation, isMysqlFamily } from './exact-collation.js';

const text = (name: string) => ({ name, type: 'text', isNullable: true });
// 'integer': what SQLite's schema builder reads back for an entity's 'int' (MySQL makes and reads it as int).
const int = (name: string) => ({ name, type: 'integer', isNullable: true });
const varchar = (name: string, length: number, isNullable = true) => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});
const timestamp = (name: string) => ({ name, type: 'datetime', precision: 3 });

export class CreateCompaniesAndAssociations1764600000000 implements MigrationInterface {
  name = 'CreateCompaniesAndAssociations1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'companies',
        columns: [
          { ...varchar('crm_id', 36, false), isPrimary: true },
          varchar('external_id', 255, false),
          varchar('name', 255),
          varchar('domain', 255),
          varchar('domain_normalized', 255),
          varchar('industry', 255),
          int('number_of_employees'),
          varchar('linkedin_url', 1024),
          varchar('owner_id', 64),
          text('description'),
          varchar('location', 255),
          int('founded_year'),
          varchar('revenue', 255),
          varchar('company_type', 255),
          text('technologies_used'),
          text('campaigns'),
          varchar('last_contacted_by', 255),
          text('lead_countries'),
          text('custom_fields'),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_companies_external_id', columnNames: ['external_id'], isUnique: true }),
          new TableIndex({ name: 'ix_companies_domain_normalized', columnNames: ['domain_normalized'] }),
          new TableIndex({ name: 'ix_companies_owner_id', columnNames: ['owner_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'contact_companies',
        columns: [
          { ...varchar('contact_crm_id', 36, false), isPrimary: true },
          { ...varchar('company_crm_id', 36, false), isPrimary: true },
          timestamp('created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_contact_companies_company', columnNames: ['company_crm_id'] })],
      }),
    );
    if (isMysqlFamily(queryRunner)) {
      // The crm id columns keep the contacts table's collation, so that joins on them use the indexes.
      for (const table of ['companies', 'contact_companies']) {
        await queryRunner.query(`ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      }
      // Enginy's company id is equal only to itself (see 1764400000000-exact-external-id), and the
      // normalized domain is what the service lower-cased and punycoded itself: both byte for byte.
      const exact = await exactCollation(queryRunner);
      await queryRunner.query(
        `ALTER TABLE \`companies\` MODIFY \`external_id\` varchar(255) CHARACTER SET utf8mb4 COLLATE ${exact} NOT NULL, ` +
          `MODIFY \`domain_normalized\` varchar(255) CHARACTER SET utf8mb4 COLLATE ${exact} NULL`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('contact_companies');
    await queryRunner.dropTable('companies');
  }
}
