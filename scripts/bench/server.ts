// What both benches need of their command line and of the MySQL server they run on: flags with
// values, the server's connection settings from DATABASE_URL, the URL of one of its databases, and a
// fresh database made as the service's migrations expect it.
import type { Connection, Pool } from 'mysql2/promise';

/** Reads `--flag value` options: `text` (node options as values may start with "--") and positive `number`s. */
export function flagReader(args: readonly string[]) {
  const text = (flag: string, options = false): string | undefined => {
    const at = args.indexOf(flag);
    if (at < 0) return undefined;
    const value = args[at + 1];
    if (value === undefined || (!options && value.startsWith('--'))) throw new Error(`${flag} takes a value`);
    return value;
  };
  const number = (flag: string, fallback: number): number => {
    const value = text(flag);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`${flag} takes a positive whole number`);
    return Number(value);
  };
  return { text, number };
}

/** mysql2's settings for the server of a `mysql://` URL (no database), and the URL of one of its databases. */
export function mysqlServer(databaseUrl: string) {
  const server = new URL(databaseUrl);
  const connection = {
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username),
    password: decodeURIComponent(server.password),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
  };
  const urlFor = (database: string): string => {
    const url = new URL(databaseUrl);
    url.pathname = `/${database}`;
    url.search = '';
    return url.toString();
  };
  return { connection, urlFor };
}

/** A new, empty database in the character set the service's tables use. */
export async function createDatabase(admin: Connection | Pool, name: string): Promise<void> {
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
}
