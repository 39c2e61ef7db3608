import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Coord } from '@/lib/coord';
import type { Singleton } from '@/lib/coord/singleton';
import type { DB } from '@/lib/db';
import type { HaManager } from './manager';

/*
 * The HA page's per-machine status (waiting for room, paused, restarting) on every instance (issue 19):
 * two instances (two database handles, two PostgreSQL coords on one database) run the HA service; one runs
 * the manager, and both — and an instance that starts later — answer the same status. After a takeover the
 * new manager's status replaces the old one's everywhere. The statuses are set in the running manager's own
 * map (what its recoveries write, tested on real hosts in capacity.test.ts and safety.test.ts): this test is
 * about how they reach the other instances.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-ha-status-'));
const { openCoord } = await import('@/lib/coord');
const { openDb } = await import('@/lib/db');
const { createTestDatabase, ensureTestPostgres } = await import('@/lib/db/pg-testing');
const { until } = await import('@/lib/cluster/testing');
const { haUnderLease } = await import('./index');
const { followHaStatus } = await import('./status');

const dbs: DB[] = [];
const coords: Coord[] = [];
const stops: Array<() => void> = [];

beforeAll(async () => {
  const url = createTestDatabase(await ensureTestPostgres());
  for (let i = 0; i < 3; i++) {
    const db = await openDb(url);
    dbs.push(db);
    coords.push(await openCoord(db));
  }
});

afterAll(async () => {
  stops.forEach((stop) => stop());
  for (const c of coords) await c.stop();
  for (const db of dbs) await db.destroy();
  dataDir.remove();
});

/** What the running manager's recoveries write (HaManager.waiting). */
const waiting = (s: Singleton<HaManager>) => (s.current() as unknown as { waiting: Map<string, string> }).waiting;

const follow = (c: Coord) => {
  const f = followHaStatus(c);
  stops.push(f.stop);
  return f;
};

describe('the HA status on two instances (PostgreSQL)', () => {
  it('reads the same on every instance, a late one too, and follows the manager when it moves', async () => {
    expect(coords.every((c) => c.shared)).toBe(true);
    const [a, b] = [follow(coords[0]), follow(coords[1])];
    const services = [haUnderLease(coords[0], { tickMs: 200 }), haUnderLease(coords[1], { tickMs: 200 })];
    await Promise.all(services.map((s) => s.ready));
    await until('one instance running the manager', () => (services[0].current() !== null) !== (services[1].current() !== null));
    const [first, second] = services[0].current() ? services : [services[1], services[0]];

    const text = 'waits for capacity: needs 30000 MB, at most 2000 MB free (vbox-bravo)';
    waiting(first).set('vm-1', text);
    await until('both instances showing the status', () => a.get('vm-1') === text && b.get('vm-1') === text);

    // An instance that starts now asks for the status it missed.
    const late = follow(coords[2]);
    await until('the late instance showing the status', () => late.get('vm-1') === text);

    waiting(first).delete('vm-1');
    await until('the status gone everywhere', () => [a, b, late].every((f) => f.get('vm-1') === null));
    waiting(first).set('vm-2', 'automatic restarts are paused by an open split-brain alarm');
    await until('vm-2 paused everywhere', () => [a, b, late].every((f) => f.get('vm-2') !== null));

    // Takeover: the new manager's (empty) status replaces the old one's on every instance.
    const old = waiting(first);
    await first.release();
    await until('the other instance running the manager', () => second.current() !== null, 15_000);
    await until('the old status gone everywhere', () => [a, b, late].every((f) => f.get('vm-2') === null));
    // The stopped manager's late changes (its recoveries winding down) stay its own.
    old.set('vm-4', 'restarting on vbox-bravo');
    waiting(second).set('vm-3', 'restarting on vbox-alpha');
    await until('the new manager status everywhere', () => [a, b, late].every((f) => f.get('vm-3') === 'restarting on vbox-alpha'));
    expect([a, b, late].map((f) => f.get('vm-4'))).toEqual([null, null, null]);
    await second.release();
  }, 60_000);
});
