/**
 * `npm run backup` (scripts/backup.ts): a SQLite database backed up while another process writes to
 * it, and a PostgreSQL database dumped and restored with pg_restore into a fresh database, each copy
 * opened and its rows found, as docs/install.md tells an admin to do.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type DB } from '@/lib/db';
import { createTestDatabase, ensureTestPostgres } from '@/lib/db/pg-testing';
import { backupDatabase, targetFile } from './backup';

const root = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-backup-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** `n` audit rows of about 1 KB each, action `action`. */
async function addRows(db: DB, action: string, n: number, from = 0): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `${action}-${from + i}`, at: new Date().toISOString(), user_id: null, username: 'admin', tenant: null,
    action, target: null, result: 'success', address: '127.0.0.1', detail: 'x'.repeat(1000),
  }));
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('audit').values(rows.slice(i, i + 200)).execute();
}

/** Runs `npm run backup -- <args>` in the checkout, the database named by `env` alone; its exit code and output. */
function npmBackup(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'backup', '--', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '', NIMBOX_DATA_DIR: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run backup on SQLite', () => {
  it('copies a database another process is writing to, whole and consistent', async () => {
    const data = tempDir();
    const db = await openDb(path.join(data, 'nimbox.sqlite'));
    await addRows(db, 'before', 3000);
    // The server goes on writing while the backup runs (another process, as in production).
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await addRows(db, 'during', 1, written++);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const target = path.join(tempDir(), 'copy.sqlite');
    const r = await npmBackup([target], { NIMBOX_DATA_DIR: data });
    const writtenWhileBackingUp = written;
    writing = false;
    await writer;
    await db.destroy();

    expect(r.stderr).toMatch(/backup: (\d+) of \1 pages/);
    expect(r.stdout).toContain(`database saved to ${target}`);
    expect(r.code).toBe(0);
    expect(writtenWhileBackingUp).toBeGreaterThan(0);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${target}.part`)).toBe(false);

    const copy = new SQLite(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const count = (action: string) => (copy.prepare('SELECT COUNT(*) AS n FROM audit WHERE action = ?').get(action) as { n: number }).n;
      expect(count('before')).toBe(3000);
      // Rows written meanwhile are in or not, as of one moment: never more than were written.
      expect(count('during')).toBeLessThanOrEqual(written);
      const source = new SQLite(path.join(data, 'nimbox.sqlite'), { readonly: true });
      const migrations = (d: SQLite.Database) => d.prepare('SELECT name FROM kysely_migration ORDER BY name').all();
      expect(migrations(copy)).toEqual(migrations(source));
      source.close();
    } finally {
      copy.close();
    }
  });

  it('refuses to overwrite a file, names a dated file in a directory, and leaves nothing behind a failure', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'old.sqlite'), 'keep me');
    expect(() => targetFile(path.join(dir, 'old.sqlite'), 'sqlite')).toThrow(/exists already/);
    expect(targetFile(dir, 'postgres', new Date('2026-12-06T17:05:09Z'))).toBe(path.join(dir, 'nimbox-20261206-170509.pgdump'));
    // A wrong data folder: no empty database is made there, and no backup file appears.
    await expect(backupDatabase(path.join(dir, 'missing', 'nimbox.sqlite'), path.join(dir, 'new.sqlite'))).rejects.toThrow(/no SQLite database/);
    expect(fs.readdirSync(dir)).toEqual(['old.sqlite']);
    const usage = await npmBackup([], {});
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npm run backup -- <file | directory>');
  });
});

describe('npm run backup on PostgreSQL', () => {
  it('dumps the database, which pg_restore brings back into a fresh database', async () => {
    const admin = await ensureTestPostgres();
    const url = createTestDatabase(admin);
    const db = await openDb(url);
    await addRows(db, 'before', 500);

    const lines: string[] = [];
    const dir = tempDir();
    const r = await backupDatabase(url, dir, (l) => lines.push(l));
    await addRows(db, 'after', 5); // not in the backup
    await db.destroy();
    expect(r.kind).toBe('postgres');
    expect(path.basename(r.file)).toMatch(/^nimbox-\d{8}-\d{6}\.pgdump$/);
    expect(fs.statSync(r.file).mode & 0o777).toBe(0o600);
    expect(lines.some((l) => /^backup: table \d+ \(public\.audit\)$/.test(l))).toBe(true);

    // docs/install.md's restore: an empty database, then pg_restore --no-owner --exit-on-error -d <url> <file>.
    const fresh = new URL(admin);
    fresh.pathname = `/restored_${process.pid}_${Date.now()}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE "${fresh.pathname.slice(1)}" TEMPLATE template0`);
    await client.end();
    const restore = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', '-d', fresh.toString(), r.file], { encoding: 'utf8' });
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);

    // Every migration the source had is recorded (Nimbox opens it as it is), and the rows are there.
    const migrations = async (u: string) => {
      const c = new pg.Client({ connectionString: u });
      await c.connect();
      try {
        return (await c.query('SELECT name FROM kysely_migration ORDER BY name')).rows;
      } finally {
        await c.end();
      }
    };
    const names = await migrations(fresh.toString());
    expect(names.length).toBeGreaterThan(20);
    expect(names).toEqual(await migrations(url));
    const restored = await openDb(fresh.toString());
    try {
      const count = async (action: string) =>
        (await restored.selectFrom('audit').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', action).executeTakeFirstOrThrow()).n;
      expect(await count('before')).toBe(500);
      expect(await count('after')).toBe(0);
    } finally {
      await restored.destroy();
    }
  });
});
