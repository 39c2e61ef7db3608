import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCoord, type Coord } from '@/lib/coord';
import { openDb, type DB } from '@/lib/db';
import { createTestDatabase, ensureTestPostgres } from '@/lib/db/pg-testing';
import { choosePort, releasePort, type SharedPorts } from './ports';

/*
 * Teleporter ports of two instances on one PostgreSQL (two database handles, two coords): two teleports to
 * one host, one from each instance, never get the same port, and the preflight of either sees both.
 */

/** Ports nothing listens on (each probe is refused): below 10, where no service of this machine lives. */
const closedRange = (n: number) => ({ spec: `2-${1 + n}`, first: 2 });

const dbs: DB[] = [];
const coords: Coord[] = [];
let one: SharedPorts;
let two: SharedPorts;

beforeAll(async () => {
  const url = createTestDatabase(await ensureTestPostgres());
  for (let i = 0; i < 2; i++) {
    dbs.push(await openDb(url));
    coords.push(await openCoord(dbs[i]));
  }
  [one, two] = [{ db: dbs[0], coord: coords[0] }, { db: dbs[1], coord: coords[1] }];
});

afterAll(async () => {
  for (const c of coords) await c.stop();
  for (const db of dbs) await db.destroy();
});

describe('teleporter ports on two instances (PostgreSQL)', () => {
  it('gives two teleports to one host, one per instance, different ports, even at once', async () => {
    expect(coords.every((c) => c.shared)).toBe(true);
    const { spec, first } = closedRange(8);
    const a = await choosePort('host-x', '127.0.0.1', spec, new Set(), { reserve: true, shared: one });
    const b = await choosePort('host-x', '127.0.0.1', spec, new Set(), { reserve: true, shared: two });
    expect([a.port, b.port]).toEqual([first, first + 1]);
    // Either instance's preflight sees both taken.
    expect((await choosePort('host-x', '127.0.0.1', spec, new Set(), { reserve: false, shared: two })).port).toBe(first + 2);

    const both = await Promise.all([one, two, one, two].map((shared) => choosePort('host-x', '127.0.0.1', spec, new Set(), { reserve: true, shared })));
    const ports = both.map((c) => c.port);
    expect(new Set(ports).size).toBe(4);
    expect(ports.every((p) => p !== null && p >= first + 2 && p < first + 8)).toBe(true);

    // A released port is free again for the other instance.
    await releasePort('host-x', a.port!, one);
    expect((await choosePort('host-x', '127.0.0.1', spec, new Set(), { reserve: true, shared: two })).port).toBe(first);
  });
});
