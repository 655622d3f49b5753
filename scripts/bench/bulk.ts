// Fills the contacts table up to a given size fast, outside the service: multi-row INSERTs of a few
// thousand realistic rows over two connections, UUIDv7 crmIds (time-ordered, as the service makes
// them), unique externalIds, emails and LinkedIn profiles spread over their indexes like real ones.
import type { Pool } from 'mysql2/promise';
import mysql from 'mysql2';
import { v7 as uuidv7 } from 'uuid';
import { contactGenerator, randomGenerator } from './contacts.js';
import { linkedinKey } from '../../src/matching/linkedin-url.js';
import { COLUMN_LIST, escapedTail, sqlDateTime } from './rows.js';

const ROWS_PER_INSERT = 2000;
const TEMPLATES = 1000;
const CONNECTIONS = 2;

export interface BulkLoadOptions {
  pool: Pool;
  table: string;
  rows: number;
  ownerIds: readonly string[];
  onProgress?: (loaded: number) => void;
}

export async function bulkLoad(options: BulkLoadOptions): Promise<number> {
  const now = sqlDateTime(new Date());
  // Realistic bodies (1.5 kB) from a pool of templates; what must be unique is made per row.
  const generator = contactGenerator(7, 'seed', options.ownerIds);
  const templates = Array.from({ length: TEMPLATES }, () => {
    const contact = generator.next();
    const email = String(contact.email);
    const linkedinUrl = String(contact.linkedinUrl);
    return {
      local: email.slice(0, email.indexOf('.seed')),
      domain: email.slice(email.indexOf('@')),
      profile: linkedinUrl.slice(0, linkedinUrl.lastIndexOf('-seed')),
      tail: escapedTail(contact, now),
    };
  });
  const random = randomGenerator(11);
  const head = (): string => Math.floor(random() * 36 ** 8).toString(36).padStart(8, '0');

  let nextRow = 0;
  let loaded = 0;
  const statement = (): string | undefined => {
    if (nextRow >= options.rows) return undefined;
    const count = Math.min(ROWS_PER_INSERT, options.rows - nextRow);
    const tuples: string[] = new Array(count);
    for (let i = 0; i < count; i++, nextRow++) {
      const template = templates[nextRow % TEMPLATES];
      const seq = nextRow.toString(36);
      const email = `${template.local}.seed${seq}${template.domain}`;
      const linkedinUrl = `${template.profile}-seed-${seq}/`;
      const varying =
        `${mysql.escape(uuidv7())},'${head()}-seed-${seq}',${mysql.escape(email)},${mysql.escape(email.toLowerCase())},` +
        `${mysql.escape(linkedinUrl)},${mysql.escape(linkedinKey(linkedinUrl, 'person'))}`;
      tuples[i] = `(${varying}${template.tail})`;
    }
    return `INSERT INTO \`${options.table}\` (${COLUMN_LIST}) VALUES ${tuples.join(',')}`;
  };

  const worker = async () => {
    const connection = await options.pool.getConnection();
    try {
      for (let sql = statement(); sql !== undefined; sql = statement()) {
        const [result] = await connection.query(sql);
        loaded += (result as { affectedRows: number }).affectedRows;
        options.onProgress?.(loaded);
      }
    } finally {
      connection.release();
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return loaded;
}
