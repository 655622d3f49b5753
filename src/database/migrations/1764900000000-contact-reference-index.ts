// POST /associations (and every check that a contact exists) reads only crm_id, but the primary key
// of an InnoDB table is the table itself: looking a contact up by crm_id reads the page that holds
// its whole row (1.5 kB for an exported lead, ten to a page), from disk once contacts outgrow the
// buffer pool. A unique index on crm_id alone holds hundreds of ids a page: the link statement reads
// that instead (src/associations/associations.repository.ts). On SQLite the primary key is such an
// index already; the entity declares it for both, so that the schema is one.
import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

export class ContactReferenceIndex1764900000000 implements MigrationInterface {
  name = 'ContactReferenceIndex1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('contacts', new TableIndex({ name: 'uq_contacts_crm_id', columnNames: ['crm_id'], isUnique: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('contacts', 'uq_contacts_crm_id');
  }
}
