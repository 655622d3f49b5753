// The database can hold what the spec allows: for every documented field of a batch item schema with
// a maxLength, the column of the entity property of the same name, as the migrated database reports
// it (SQLite's declared type, MySQL's information_schema), is text and holds at least that many
// characters; a whole-number field's column is an integer column that holds its bounds. A spec change
// the schema cannot hold fails here, on either database.
import type { DataSource } from 'typeorm';
import { contractSchema } from '../../src/contract/contract.js';
import { CompanyEntity } from '../../src/companies/company.entity.js';
import { ContactEntity } from '../../src/contacts/contact.entity.js';
import { onMysql, useTestApp } from '../support/test-app.js';

/** The batch item schemas and the entity that stores each. */
const RECORD_TYPES = [
  { schema: 'ContactInput', entity: ContactEntity },
  { schema: 'CompanyInput', entity: CompanyEntity },
];

/** What a 4-byte INT column holds (MySQL's INT, and well within SQLite's INTEGER). */
const INT_RANGE = { minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };

interface ColumnCapacity {
  type: string;
  /** Characters the column holds at most, whatever they are (4 bytes each, in the worst case). */
  characters: number;
}

async function capacities(dataSource: DataSource, table: string): Promise<Map<string, ColumnCapacity>> {
  const result = new Map<string, ColumnCapacity>();
  if (onMysql) {
    const rows: { name: string; type: string; chars: string | number | null; bytes: string | number | null; maxlen: string | number }[] =
      await dataSource.query(
        `SELECT c.COLUMN_NAME AS name, c.DATA_TYPE AS type, c.CHARACTER_MAXIMUM_LENGTH AS chars, c.CHARACTER_OCTET_LENGTH AS bytes, s.MAXLEN AS maxlen
           FROM information_schema.COLUMNS c LEFT JOIN information_schema.CHARACTER_SETS s ON s.CHARACTER_SET_NAME = c.CHARACTER_SET_NAME
          WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = ?`,
        [table],
      );
    for (const row of rows) {
      const type = String(row.type).toLowerCase();
      // A VARCHAR(n) holds n characters; a TEXT holds a number of bytes: characters at 4 bytes each.
      // (An INT column has no character set: hence the LEFT JOIN.)
      const characters = type.endsWith('text') ? Math.floor(Number(row.bytes) / Number(row.maxlen)) : Number(row.chars);
      result.set(row.name, { type, characters });
    }
  } else {
    const rows: { name: string; type: string }[] = await dataSource.query(`SELECT name, type FROM pragma_table_info(?)`, [table]);
    for (const row of rows) {
      const type = row.type.toLowerCase();
      // SQLite stores TEXT of any length; a declared varchar(n) says n, and is what MySQL gets.
      const declared = /^(?:var)?char\((\d+)\)$/.exec(type);
      const characters = declared ? Number(declared[1]) : type === 'text' ? Number.MAX_SAFE_INTEGER : 0;
      result.set(row.name, { type, characters });
    }
  }
  return result;
}

describe('The migrated database holds what the spec allows', () => {
  const t = useTestApp();

  it.each(RECORD_TYPES.map((r) => [r.schema, r.entity] as const))('%s: each documented field fits its column', async (schemaName, entity) => {
    const metadata = t.dataSource.getMetadata(entity);
    const columns = await capacities(t.dataSource, metadata.tableName);
    const properties = contractSchema(schemaName).properties as Record<string, { maxLength?: number; type?: string[]; minimum?: number; maximum?: number }>;
    const checked: string[] = [];
    for (const [field, property] of Object.entries(properties)) {
      const column = metadata.findColumnWithPropertyName(field);
      expect([field, column?.databaseName !== undefined]).toEqual([field, true]);
      const capacity = columns.get(column!.databaseName);
      if (property.type?.includes('integer')) {
        expect([field, capacity?.type]).toEqual([field, expect.stringMatching(/^int(eger)?$/)]);
        expect([field, property.minimum! >= INT_RANGE.minimum && property.maximum! <= INT_RANGE.maximum]).toEqual([field, true]);
        checked.push(field);
        continue;
      }
      expect([field, capacity?.type]).toEqual([field, expect.stringMatching(/char|text/)]);
      // Every documented field is bounded: an unbounded one could not be stored as sent.
      expect([field, typeof property.maxLength]).toEqual([field, 'number']);
      expect([field, capacity!.characters >= property.maxLength!]).toEqual([field, true]);
      checked.push(field);
    }
    expect(checked).toContain('externalId');
  });
});
