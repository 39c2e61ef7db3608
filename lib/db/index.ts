import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
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

export type Dialect = 'sqlite' | 'postgres';

const isPostgresUrl = (s: string) => /^postgres(ql)?:\/\//i.test(s);

/** Which database each open handle talks to, and PostgreSQL's URL (lib/coord opens its LISTEN connection with it). */
const opened = new WeakMap<object, { dialect: Dialect; url: string | null }>();

/** 'postgres' for a handle opened on a postgres:// URL, else 'sqlite'. Transactions share their database's dialect. */
export function dialectOf(db: Kysely<unknown> | DB): Dialect {
  return opened.get(db)?.dialect ?? (db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite');
}

/**
 * In a transaction: waits until no other transaction holds `key`, then holds it until this one ends. SQLite runs
 * one transaction at a time anyway; PostgreSQL's run side by side, so a check-then-write takes this lock there.
 */
export async function lockInTransaction(trx: Kysely<unknown> | DB, key: string): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}

/** Whether `e` is a unique-constraint (or primary key) violation, on either database. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The postgres:// URL a handle was opened with; null for SQLite. */
export function postgresUrlOf(db: DB): string | null {
  return opened.get(db)?.url ?? null;
}

/** Where the server's database is: DATABASE_URL (postgres://… or file:…), else `<data dir>/nimbox.sqlite`. */
export function defaultLocation(): string {
  return process.env.DATABASE_URL?.trim() || path.join(dataDir(), 'nimbox.sqlite');
}

async function postgres(url: string): Promise<DB> {
  // pg is loaded only when PostgreSQL is asked for: a SQLite install does not load it.
  const pg = (await import('pg')).default;
  // COUNT(*) and bigint columns (sizes, epoch milliseconds) come back as numbers, as SQLite gives them; Nimbox's stay below 2^53.
  pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v: string) => Number(v));
  // PostgreSQL's text cannot hold NUL, which SQLite takes: a NUL in a parameter (a path segment, a typed name) becomes
  // U+FFFD, so that such input finds nothing or is stored as on SQLite, instead of failing the request.
  const clean = (v: unknown) => (typeof v === 'string' && v.includes('\0') ? v.replaceAll('\0', '\uFFFD') : v);
  class Client extends pg.Client {
    query(...args: unknown[]): never {
      if (Array.isArray(args[1])) args[1] = args[1].map(clean);
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  }
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.NIMBOX_DB_POOL) || 10, Client });
  // An idle client's error (the server restarted) must not end the process: the pool replaces the client.
  pool.on('error', (e) => console.error(JSON.stringify({ level: 'warn', msg: 'database connection lost', error: e.message })));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function sqlite(file: string): DB {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: db }) });
}

/**
 * Opens a database and brings its schema up to date: a postgres:// URL opens PostgreSQL, anything else
 * is a SQLite file (an optional `file:` prefix is dropped). Default: DATABASE_URL, else the data dir's SQLite file.
 */
export async function openDb(location = defaultLocation()): Promise<DB> {
  const pg = isPostgresUrl(location);
  const db = pg ? await postgres(location) : sqlite(location.startsWith('file:') ? location.slice(5) : location);
  opened.set(db, { dialect: pg ? 'postgres' : 'sqlite', url: pg ? location : null });
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
