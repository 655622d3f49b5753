// POST /companies/sync matches a company by its normalized LinkedIn URL and by its folded name (see
// src/matching/): indexed columns hold those keys, filled here for the companies already stored. The
// normalized domain comes with the companies table (1764600000000). On MySQL they compare byte for
// byte, as email_lower does: the service folded case itself.
import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { COMPANY_NAME_KEY_MAX_LENGTH, companyNameKey } from '../../matching/company-name.js';
import { LINKEDIN_KEY_MAX_LENGTH, linkedinKey } from '../../matching/linkedin-url.js';
import { exactCollation, isMysqlFamily } from './exact-collation.js';
import { fillKey } from './matching-keys.js';

const KEYS = [
  { column: 'linkedin_normalized', source: 'linkedin_url', length: LINKEDIN_KEY_MAX_LENGTH, key: (url: string) => linkedinKey(url, 'company') },
  { column: 'name_folded', source: 'name', length: COMPANY_NAME_KEY_MAX_LENGTH, key: companyNameKey },
];

export class CompanyMatchingKeys1764800000000 implements MigrationInterface {
  name = 'CompanyMatchingKeys1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const collation = isMysqlFamily(queryRunner) ? { charset: 'utf8mb4', collation: await exactCollation(queryRunner) } : {};
    await queryRunner.addColumns(
      'companies',
      KEYS.map(({ column, length }) => new TableColumn({ name: column, type: 'varchar', length: String(length), isNullable: true, ...collation })),
    );
    for (const { column, source, key } of KEYS) {
      await fillKey(queryRunner, 'companies', source, column, key);
      await queryRunner.createIndex('companies', new TableIndex({ name: `ix_companies_${column}`, columnNames: [column] }));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { column } of KEYS) {
      await queryRunner.dropIndex('companies', `ix_companies_${column}`);
      await queryRunner.dropColumn('companies', column);
    }
  }
}
