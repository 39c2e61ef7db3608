import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrations } from './migrations';
import type { Database } from './schema';

export type { Database } from './schema';
export type DB = Kysely<Database>;

/** The folder Nimbox keeps its data in (NIMBOX_DATA_DIR, default ./data). */
export function dataDir(): string {
  const dir = path.resolve(/*turbopackIgnore: true*/ process.env.NIMBOX_DATA_DIR || 'data');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Opens a database and brings its schema up to date. SQLite file by default. */
export async function openDb(file = path.join(dataDir(), 'nimbox.sqlite')): Promise<DB> {
  const url = process.env.DATABASE_URL;
  if (url && !url.startsWith('file:') && file === path.join(dataDir(), 'nimbox.sqlite')) {
    throw new Error(`DATABASE_URL ${url.split(':')[0]}: only SQLite is supported in this version (unset DATABASE_URL)`);
  }
  const sqlite = new SQLite(url?.startsWith('file:') ? url.slice(5) : file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error, results } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    await db.destroy();
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message}`);
  }
  return db;
}

// One database per server process; kept on globalThis so Next's dev reloads reuse it.
const g = globalThis as typeof globalThis & { __nimboxDb?: Promise<DB> };

export function getDb(): Promise<DB> {
  g.__nimboxDb ??= openDb();
  return g.__nimboxDb;
}
