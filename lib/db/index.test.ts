import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrations } from './migrations';
import { dialectOf, openDb, postgresUrlOf, type DB } from './index';
import { createTestDatabase, ensureTestPostgres } from './pg-testing';

/** Every table's columns, sorted: SQLite's catalog or PostgreSQL's information_schema. */
async function columnsOf(db: DB): Promise<Record<string, string[]>> {
  const { rows } = dialectOf(db) === 'postgres'
    ? await sql<{ t: string; c: string }>`select table_name as t, column_name as c from information_schema.columns where table_schema = 'public'`.execute(db)
    : await sql<{ t: string; c: string }>`select m.name as t, p.name as c from sqlite_master m, pragma_table_info(m.name) p where m.type = 'table'`.execute(db);
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.t] ??= []).push(r.c);
  for (const cols of Object.values(out)) cols.sort();
  return out;
}

describe('database', () => {
  it('creates the schema in a new SQLite file and opens it again without re-running migrations', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-db-'));
    const file = path.join(dir, 'test.sqlite');
    const db = await openDb(file);
    expect(dialectOf(db)).toBe('sqlite');
    expect(postgresUrlOf(db)).toBeNull();
    const now = new Date().toISOString();
    await db.insertInto('hosts').values({
      id: 'h1', name: 'alpha', url: 'http://127.0.0.1:18083/', username: 'vbox', password_enc: 'x',
      console_address: '', teleport_address: '', storage_path: '', created_at: now, updated_at: now,
    }).execute();
    await db.destroy();
    const again = await openDb(file);
    expect(await again.selectFrom('hosts').select('name').execute()).toEqual([{ name: 'alpha' }]);
    await again.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes DATABASE_URL: postgres:// opens PostgreSQL, file: or unset a SQLite file (the data folder\'s by default)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-db-'));
    const saved = { url: process.env.DATABASE_URL, data: process.env.NIMBOX_DATA_DIR };
    const restore = (k: 'DATABASE_URL' | 'NIMBOX_DATA_DIR', v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
    const opened: DB[] = [];
    try {
      process.env.NIMBOX_DATA_DIR = dir;
      process.env.DATABASE_URL = createTestDatabase(await ensureTestPostgres());
      opened.push(await openDb());
      expect(dialectOf(opened[0])).toBe('postgres');
      expect(postgresUrlOf(opened[0])).toBe(process.env.DATABASE_URL);
      process.env.DATABASE_URL = `file:${path.join(dir, 'named.sqlite')}`;
      opened.push(await openDb());
      delete process.env.DATABASE_URL;
      opened.push(await openDb());
      expect(opened.slice(1).map((db) => dialectOf(db))).toEqual(['sqlite', 'sqlite']);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.sqlite')).sort()).toEqual(['named.sqlite', 'nimbox.sqlite']);
    } finally {
      for (const db of opened) await db.destroy();
      restore('DATABASE_URL', saved.url);
      restore('NIMBOX_DATA_DIR', saved.data);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens PostgreSQL by URL, runs the same migrations there, and gives back big integers and counts as numbers', async () => {
    const url = createTestDatabase(await ensureTestPostgres(), { empty: true });
    const db = await openDb(url);
    try {
      expect(dialectOf(db)).toBe('postgres');
      expect(postgresUrlOf(db)).toBe(url);
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
      // The same tables and columns as on SQLite, and no 4-byte floats.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-db-'));
      const lite = await openDb(path.join(dir, 'test.sqlite'));
      expect(await columnsOf(db)).toEqual(await columnsOf(lite));
      await lite.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
      const types = await sql<{ t: string }>`select distinct data_type as t from information_schema.columns where table_schema = 'public'`.execute(db);
      expect(types.rows.map((r) => r.t)).not.toContain('real');

      // A 5 TiB upload (past 2^31 and 2^32) and a time in epoch ms: bigint columns, numbers in JavaScript.
      const big = 5 * 2 ** 40;
      const now = new Date().toISOString();
      for (const id of ['u1', 'u2']) {
        await db.insertInto('media_uploads').values({ id, user_id: 'admin', tenant: null, host_id: 'h1', folder: '/iso', name: `${id}.iso`, size_bytes: big, created_at: now }).execute();
      }
      const row = await db.selectFrom('media_uploads').select('size_bytes').where('id', '=', 'u1').executeTakeFirstOrThrow();
      expect(row.size_bytes).toBe(big);
      const ms = Date.now();
      await db.insertInto('metric_samples').values({ kind: 'host', object_id: 'h1', resolution: 5, ts: ms, cpu: 0.125, mem_used_mb: null, mem_total_mb: null, net_rx_bps: null, net_tx_bps: null, disk_util: null }).execute();
      expect(await db.selectFrom('metric_samples').select(['ts', 'cpu']).execute()).toEqual([{ ts: ms, cpu: 0.125 }]);
      const counted = await db.selectFrom('media_uploads').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size_bytes').as('total')]).executeTakeFirstOrThrow();
      expect(counted).toEqual({ n: 2, total: 2 * big });
      // A NUL typed into a name (PostgreSQL's text cannot hold it) finds nothing, as on SQLite, instead of failing.
      expect(await db.selectFrom('media_uploads').select('id').where('name', '=', 'u1\0.iso').execute()).toEqual([]);
      await db.destroy();

      // Opened again: nothing left to migrate, the rows still there.
      const again = await openDb(url);
      expect(await again.selectFrom('media_uploads').select('id').orderBy('id').execute()).toEqual([{ id: 'u1' }, { id: 'u2' }]);
      await again.destroy();
    } catch (e) {
      await db.destroy().catch(() => {});
      throw e;
    }
  });
});
