import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { dialectOf, openDb, type DB } from './index';
import { createTestDatabase, ensureTestPostgres } from './pg-testing';

describe('test PostgreSQL', () => {
  const dbs: DB[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.destroy();
  });

  it('gives each test its own migrated database on a real server', async () => {
    const admin = await ensureTestPostgres();
    expect(admin).toMatch(/^postgres:\/\/\w+@127\.0\.0\.1:\d+\/postgres$/);
    const [a, b] = [createTestDatabase(), createTestDatabase(admin)];
    expect(a).not.toBe(b);
    for (const url of [a, b]) dbs.push(await openDb(url));
    const [dbA, dbB] = dbs;
    expect(dialectOf(dbA)).toBe('postgres');
    await dbA.insertInto('machine_tenants').values({ machine_id: 'm1', tenant: 'blue', updated_at: 'now' }).execute();
    expect(await dbA.selectFrom('machine_tenants').select('tenant').execute()).toEqual([{ tenant: 'blue' }]);
    expect(await dbB.selectFrom('machine_tenants').select('tenant').execute()).toEqual([]);
    // initdb --locale=C: text sorts byte-wise, as SQLite's default collation does.
    const { rows } = await sql<{ s: string }>`select s from (values ('b'), ('B'), ('a')) v(s) order by s`.execute(dbB);
    expect(rows.map((r) => r.s)).toEqual(['B', 'a', 'b']);
  });
});
