// The set-based partial update behind PUT /contacts and PUT /companies: a batch of changes goes to the
// database as a join of the table against a derived table of the batch's rows (one `SELECT ? AS ...`
// per item, glued with UNION ALL), so 100 items cost one statement, not 100 round trips.
//
// Each row of the derived table carries, for every column some item of the batch sets, a flag (does
// this item set it?) and the value, and the item's custom-fields patch as JSON text. Custom fields are
// merged by the database itself (JSON_MERGE_PATCH / json_patch) inside the UPDATE: no read-modify-write,
// so two concurrent updates of different keys of one record both survive.
//
// One statement, in the caller's transaction, which also moves `updated_at`: the caller writes only the
// rows where some value really changes (update-plan.ts decides that from the values it read under lock).
//
// Why grouped: the bench's update floors (docs/performance.md, "Sync and update") send the same 100
// changes as one joined UPDATE and as 100 single-row UPDATEs in one transaction; on MariaDB 10.11 the
// grouped form was 2.7x faster at concurrency 8. A join against a derived table also keeps one
// statement shape whatever fields each item touches (a flag per column), where grouping items by the
// fields they touch would send one statement per distinct shape.
import type { EntityManager } from 'typeorm';
import { paddedLength } from '../batch/batch-store.js';
import { isMysqlFamily } from './data-source.js';
import { execute } from './driver-adapter.js';

export interface MergeTarget {
  table: string;
  /** The primary key column. */
  id: string;
  customFields: string;
  updatedAt: string;
}

export interface MergeRow {
  id: string;
  /** Column name → new value (null clears). Columns absent here are left as stored. */
  values: ReadonlyMap<string, unknown>;
  /** The custom-fields JSON Merge Patch as JSON text, or null to leave them alone. */
  patch: string | null;
}

/** SQLite bounds a compound SELECT at 500 terms; a power of two, as the padding below makes every statement. */
const ROWS_PER_STATEMENT = 256;

export async function mergeUpdate(
  manager: EntityManager,
  target: MergeTarget,
  rows: readonly MergeRow[],
  timestamp: unknown,
): Promise<void> {
  if (rows.length === 0) return;
  const sqlite = !isMysqlFamily(manager.connection);
  const q = (name: string) => manager.connection.driver.escape(name);
  // Prepared on MariaDB only. MySQL 8.0.22 and later fix each parameter's type when the statement is
  // prepared, and these stand alone in a SELECT list, with no column to take a type from (a 16 KB patch,
  // a long description); that is not tried here (CI runs MariaDB), so MySQL keeps the SQL text, whose
  // literals carry their own types. SQLite: TypeORM's query either way.
  const send = (sql: string, values: unknown[]): Promise<unknown> =>
    manager.connection.options.type === 'mariadb' ? execute(manager.queryRunner!, sql, values) : manager.query(sql, values);
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const columns = [...new Set(chunk.flatMap((row) => [...row.values.keys()]))].sort();
    const patched = chunk.some((row) => row.patch != null);
    if (columns.length === 0 && !patched) continue;

    // The derived table: id, p (patch), then s<i> (1 when the item sets column i) and v<i> (its value).
    const names = ['id', 'p', ...columns.flatMap((_, i) => [`s${i}`, `v${i}`])];
    const params: unknown[] = [];
    for (const row of chunk) {
      params.push(row.id, row.patch ?? null);
      for (const column of columns) {
        const set = row.values.has(column);
        params.push(set ? 1 : 0, set ? (row.values.get(column) ?? null) : null);
      }
    }
    // Padded to a power of two with rows that join nothing (a NULL id, setting nothing), so that a few
    // statement shapes serve every batch size: on MariaDB the statement goes prepared, and mysql2 keeps
    // it per connection (maxPreparedStatements in data-source.ts).
    const size = paddedLength(chunk.length);
    for (let r = chunk.length; r < size; r++) params.push(null, null, ...columns.flatMap(() => [0, null]));
    const first = `SELECT ${names.map((name) => `? AS ${q(name)}`).join(', ')}`;
    const derived = `(${first}${` UNION ALL SELECT ${'?, '.repeat(names.length - 1)}?`.repeat(size - 1)}) AS v`;

    const t = (column: string) => `t.${q(column)}`;
    const stored = `COALESCE(${t(target.customFields)}, '{}')`;
    const merged = `${sqlite ? 'json_patch' : 'JSON_MERGE_PATCH'}(${stored}, v.${q('p')})`;
    // A merge the database refuses answers NULL on MariaDB: keep what is stored rather than lose it
    // (the service checks beforehand what the databases refuse, so this is a last guard).
    const assignments = [
      ...columns.map((column, i) => [column, `CASE WHEN v.${q(`s${i}`)} = 1 THEN v.${q(`v${i}`)} ELSE ${t(column)} END`]),
      ...(patched
        ? [[target.customFields, `CASE WHEN v.${q('p')} IS NULL THEN ${t(target.customFields)} ELSE COALESCE(${merged}, ${t(target.customFields)}) END`]]
        : []),
    ];
    const table = `${q(target.table)}`;
    const joined = `t.${q(target.id)} = v.${q('id')}`;
    if (sqlite) {
      const set = [`${q(target.updatedAt)} = ?`, ...assignments.map(([column, value]) => `${q(column)} = ${value}`)].join(', ');
      await send(`UPDATE ${table} AS t SET ${set} FROM ${derived} WHERE ${joined}`, [timestamp, ...params]);
    } else {
      const set = [`${t(target.updatedAt)} = ?`, ...assignments.map(([column, value]) => `${t(column)} = ${value}`)].join(', ');
      await send(`UPDATE ${table} t JOIN ${derived} ON ${joined} SET ${set}`, [...params, timestamp]);
    }
  }
}
