// Activities, tasks and Idempotency-Key records. Written with TypeORM's schema builder so that the same
// file runs on MySQL and on SQLite. Ids are UUIDv7 made by the service; references are plain columns
// (no foreign keys): the service checks them, and a CRM id is what Enginy holds.
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { isMysqlFamily } from './exact-collation.js';

const varchar = (name: string, length: number, isNullable = true) => ({ name, type: 'varchar', length: String(length), isNullable });
const text = (name: string) => ({ name, type: 'text', isNullable: true });
const timestamp = (name: string, isNullable = false) => ({ name, type: 'datetime', precision: 3, isNullable });
const id = () => ({ ...varchar('id', 36, false), isPrimary: true });

const TABLES = ['activities', 'tasks', 'idempotency_keys'];

export class CreateActivitiesTasksIdempotencyKeys1764700000000 implements MigrationInterface {
  name = 'CreateActivitiesTasksIdempotencyKeys1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'activities',
        columns: [
          id(),
          varchar('type', 32, false),
          varchar('direction', 16),
          varchar('subject', 1000),
          text('body'),
          varchar('owner_id', 64),
          timestamp('occurred_at'),
          varchar('contact_id', 64),
          varchar('company_id', 64),
          text('metadata'),
          text('custom_fields'),
          varchar('message_key', 64),
          timestamp('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_activities_message_key', columnNames: ['message_key'], isUnique: true }),
          new TableIndex({ name: 'ix_activities_contact', columnNames: ['contact_id', 'occurred_at', 'id'] }),
          new TableIndex({ name: 'ix_activities_company', columnNames: ['company_id', 'occurred_at', 'id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tasks',
        columns: [
          id(),
          varchar('subject', 500, false),
          text('description'),
          varchar('type', 100),
          varchar('owner_id', 64),
          timestamp('due_date', true),
          varchar('contact_id', 64),
          varchar('company_id', 64),
          { name: 'completed', type: 'boolean' },
          timestamp('completed_at', true),
          text('custom_fields'),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_tasks_owner_id', columnNames: ['owner_id'] }),
          new TableIndex({ name: 'ix_tasks_due_date', columnNames: ['due_date'] }),
          new TableIndex({ name: 'ix_tasks_contact_id', columnNames: ['contact_id'] }),
          new TableIndex({ name: 'ix_tasks_company_id', columnNames: ['company_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          id(),
          varchar('scope', 32, false),
          varchar('key_hash', 64, false),
          varchar('request_hash', 64, false),
          { name: 'status', type: 'integer', isNullable: true },
          { name: 'response', type: 'json', isNullable: true },
          timestamp('created_at'),
          timestamp('expires_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_idempotency_keys_scope_key', columnNames: ['scope', 'key_hash'], isUnique: true }),
          new TableIndex({ name: 'ix_idempotency_keys_expires_at', columnNames: ['expires_at'] }),
        ],
      }),
    );
    if (isMysqlFamily(queryRunner)) {
      // Subjects, bodies and metadata from anywhere in the world must fit, whatever the database's default.
      for (const table of TABLES) {
        await queryRunner.query(`ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await queryRunner.dropTable(table);
  }
}
