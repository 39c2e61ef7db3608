/**
 * npm run backup -- <file | directory>
 *
 * A consistent copy of Nimbox's database, taken while Nimbox runs (docs/install.md, "Backups"):
 * - SQLite (the default, `<data dir>/nimbox.sqlite`): SQLite's online backup API (better-sqlite3's
 *   backup()), page by page; writes by the running server meanwhile are allowed (WAL), and a copy
 *   that a write overtook starts again.
 * - PostgreSQL (DATABASE_URL=postgres://…): `pg_dump --format=custom` (restore with pg_restore).
 *
 * The database is found as the server finds it: DATABASE_URL, else NIMBOX_DATA_DIR, from the
 * environment or the .env files `npm start` reads. A directory as target gets
 * `nimbox-<UTC time>.sqlite` / `.pgdump`. The copy is written to `<file>.part`, readable by its
 * owner only, and renamed when complete: a file of that name is always a whole backup.
 * The server secret is NOT in the backup (see "The secret key" in docs/install.md).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import nextEnv from '@next/env';
import SQLite from 'better-sqlite3';
import { defaultLocation } from '@/lib/db';

export type BackupKind = 'sqlite' | 'postgres';

export interface BackupResult {
  kind: BackupKind;
  file: string;
  bytes: number;
}

/** Where each step stands, one line per call (pages for SQLite, tables for PostgreSQL). */
export type Progress = (line: string) => void;

const kindOf = (location: string): BackupKind => (/^postgres(ql)?:\/\//i.test(location) ? 'postgres' : 'sqlite');

/** `2026-12-06T17:05:09.123Z` → `20261206-170509`. */
const stamp = (d: Date) => d.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');

/** The backup's file name: a directory gets a dated file inside; an existing file is never overwritten. */
export function targetFile(target: string, kind: BackupKind, now = new Date()): string {
  const resolved = path.resolve(target);
  if (fs.statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) {
    return path.join(resolved, `nimbox-${stamp(now)}.${kind === 'sqlite' ? 'sqlite' : 'pgdump'}`);
  }
  if (fs.existsSync(resolved)) throw new Error(`${resolved} exists already; name a new file (or a directory)`);
  return resolved;
}

async function backupSqlite(location: string, tmp: string, progress: Progress): Promise<void> {
  const file = location.startsWith('file:') ? location.slice(5) : location;
  // Never create an empty database where the server's should be (a wrong NIMBOX_DATA_DIR).
  if (!fs.existsSync(file)) throw new Error(`no SQLite database at ${file}: are DATABASE_URL / NIMBOX_DATA_DIR the server's?`);
  const db = new SQLite(file, { fileMustExist: true });
  try {
    let last = Infinity;
    const { totalPages } = await db.backup(tmp, {
      progress({ totalPages: total, remainingPages: remaining }) {
        progress(`backup: ${total - remaining} of ${total} pages`);
        // The server wrote meanwhile, so SQLite started the copy again: this time in one step, which a write cannot overtake.
        const restarted = remaining > last;
        last = remaining;
        return restarted ? 0x7fffffff : Math.max(100, Math.ceil(total / 10));
      },
    });
    progress(`backup: ${totalPages} of ${totalPages} pages`);
  } finally {
    db.close();
  }
}

async function backupPostgres(url: string, tmp: string, progress: Progress): Promise<void> {
  // The password goes to pg_dump in its environment, not on its command line (which `ps` shows to every user).
  const u = new URL(url);
  const env = { ...process.env };
  if (u.password) {
    env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
  }
  const args = ['--format=custom', '--verbose', '--no-password', `--file=${tmp}`, `--dbname=${u.toString()}`];
  const child = spawn('pg_dump', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const said: string[] = [];
  let tables = 0;
  createInterface({ input: child.stderr }).on('line', (line) => {
    const table = /dumping contents of table "?([^"]+)"?/.exec(line);
    if (table) progress(`backup: table ${++tables} (${table[1]})`);
    else if (/\b(error|warning|detail|hint):/i.test(line)) said.push(line);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new Error('pg_dump not found: install postgresql-client (the server\'s major version or newer)') : e),
    );
    child.on('close', resolve);
  });
  for (const line of said) console.error(line);
  if (code !== 0) throw new Error(`pg_dump failed (exit ${code})${said.length ? `: ${said.at(-1)}` : ''}`);
}

/** Backs up the database at `location` (a postgres:// URL or a SQLite file) to `target` (a new file, or a directory). */
export async function backupDatabase(location: string, target: string, progress: Progress = () => {}): Promise<BackupResult> {
  const kind = kindOf(location);
  const file = targetFile(target, kind);
  const tmp = `${file}.part`;
  // The copy holds password hashes and encrypted host passwords: its owner's only, from the first byte.
  const umask = process.umask(0o077);
  try {
    fs.rmSync(tmp, { force: true });
    if (kind === 'sqlite') await backupSqlite(location, tmp, progress);
    else await backupPostgres(location, tmp, progress);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    process.umask(umask);
  }
  return { kind, file, bytes: fs.statSync(file).size };
}

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    console.error('usage: npm run backup -- <file | directory>   (a directory gets nimbox-<UTC time>.sqlite / .pgdump)');
    return 2;
  }
  // The .env files `npm start` reads (Next's loader); the environment comes first, as for the server.
  nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: (...a: unknown[]) => console.error(...a) });
  const location = defaultLocation();
  // Progress: one line rewritten on a terminal, a line per step in a log (systemd's journal).
  const tty = process.stderr.isTTY;
  const progress: Progress = (line) => process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  try {
    const r = await backupDatabase(location, argv[0], progress);
    if (tty) process.stderr.write('\n');
    console.log(`backup: ${r.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database saved to ${r.file} (${r.bytes} bytes)`);
    console.log('backup: the server secret is not in it; keep NIMBOX_SECRET or <data dir>/secret.key safe apart (docs/install.md)');
    return 0;
  } catch (e) {
    if (tty) process.stderr.write('\n');
    console.error(`backup failed: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
