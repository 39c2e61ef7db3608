import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Coord } from '@/lib/coord';
import type { Singleton } from '@/lib/coord/singleton';
import type { DB } from '@/lib/db';

/*
 * Work that must run once among the instances sharing a database (contract 2): two instances (two database
 * handles, two PostgreSQL coords on one database) start the HA manager and the history sampler; one runs
 * each, and the other takes it over when the first gives its lease up. On SQLite the lease is this
 * instance's at once: the start resolves with the work running, as before.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-ha-lease-'));
const { openCoord, SoloCoord } = await import('@/lib/coord');
const { openDb } = await import('@/lib/db');
const { createTestDatabase, ensureTestPostgres } = await import('@/lib/db/pg-testing');
const { until } = await import('@/lib/cluster/testing');
const { haUnderLease } = await import('./index');
const { historyUnderLease } = await import('@/lib/metrics/history');

const dbs: DB[] = [];
const coords: Coord[] = [];

beforeAll(async () => {
  const url = createTestDatabase(await ensureTestPostgres());
  for (let i = 0; i < 2; i++) {
    const db = await openDb(url);
    dbs.push(db);
    coords.push(await openCoord(db));
  }
});

afterAll(async () => {
  for (const c of coords) await c.stop();
  for (const db of dbs) await db.destroy();
  dataDir.remove();
});

/** Starts `make` on both instances; exactly one runs it; when that one gives the lease up, the other runs it. */
async function oneAtATime<T>(make: (c: Coord) => Singleton<T>): Promise<void> {
  const [a, b] = coords.map(make);
  await Promise.all([a.ready, b.ready]);
  await until('one instance running it', () => (a.current() !== null) !== (b.current() !== null));
  const [first, second] = a.current() ? [a, b] : [b, a];
  expect(second.current()).toBeNull();
  await first.release();
  expect(first.current()).toBeNull();
  await until('the other instance taking it over', () => second.current() !== null, 15_000);
  await second.release();
  expect(second.current()).toBeNull();
}

describe('work under a lease on two instances (PostgreSQL)', () => {
  it('runs the HA manager on one instance, and moves it when that one lets go', async () => {
    expect(coords.every((c) => c.shared)).toBe(true);
    await oneAtATime((c) => haUnderLease(c, { tickMs: 200 }));
  });

  it('runs the history sampler on one instance, and moves it when that one lets go', async () => {
    await oneAtATime((c) => historyUnderLease(c));
  });
});

describe('work under a lease on SQLite (one instance)', () => {
  it('runs at once: started when ready settles, stopped at release', async () => {
    const ha = haUnderLease(new SoloCoord(), { tickMs: 200 });
    await ha.ready;
    expect(ha.current()).not.toBeNull();
    await ha.release();
    expect(ha.current()).toBeNull();
  });
});
