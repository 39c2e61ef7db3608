import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProblemError } from '@/lib/api/problem';
import { SoloCoord } from '@/lib/coord';
import { openDb, type DB } from '@/lib/db';
import { createTestDatabase, ensureTestPostgres } from '@/lib/db/pg-testing';

/*
 * Quota reservations of two instances on one PostgreSQL (two database handles, two coords): each sees the
 * other's reservations, parallel requests on both never overrun a quota, and a check drops only its own
 * stale rows and those of instances no longer alive.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-reservations-'));
const { reserveQuota } = await import('./reservations');
const { createTenant, updateTenant } = await import('./index');

/** A coord whose view of the live instances the test decides (PostgreSQL's heartbeats are lib/coord's to test). */
class Instance extends SoloCoord {
  constructor(id: string, private readonly live: Set<string>) {
    super(id);
  }

  override async alive(): Promise<string[]> {
    return [...this.live];
  }
}

const live = new Set(['instance-a', 'instance-b']);
const [coordA, coordB] = [new Instance('instance-a', live), new Instance('instance-b', live)];
let a: DB;
let b: DB;

beforeAll(async () => {
  const url = createTestDatabase(await ensureTestPostgres());
  [a, b] = [await openDb(url), await openDb(url)];
});

afterAll(async () => {
  await a?.destroy();
  await b?.destroy();
  dataDir.remove();
});

const machine = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const request = (n: number) => ({ tenant: 'blue', machineId: machine(n), demand: { machines: 1, memoryMB: 64 }, machines: () => [] });
const outcome = (p: Promise<unknown>) => p.then(() => 'reserved', (e: unknown) => {
  if (e instanceof ProblemError && e.problem.status === 409) return 'refused';
  throw e;
});
const rows = async () => (await a.selectFrom('quota_reservations').select(['machine_id', 'instance_id']).orderBy('machine_id').execute());

describe('quota reservations on two instances (PostgreSQL)', () => {
  it("counts the other instance's reservations, and drops only its own stale rows or a dead instance's", async () => {
    const blue = await createTenant({ name: 'blue', maxMachines: 2 }, a);
    const one = await reserveQuota(request(1), a, coordA);
    const two = await reserveQuota(request(2), b, coordB);
    // Full: B's check counts A's reservation (and does not drop it as today's single process did).
    expect(await outcome(reserveQuota(request(3), b, coordB))).toBe('refused');
    expect(await outcome(reserveQuota(request(3), a, coordA))).toBe('refused');
    expect(await rows()).toEqual([
      { machine_id: machine(1), instance_id: 'instance-a' },
      { machine_id: machine(2), instance_id: 'instance-b' },
    ]);

    // A row of A that no job of A holds (the job ended without releasing): B leaves it, A's next check drops it.
    await one.release();
    await a.insertInto('quota_reservations').values({
      id: 'left-behind', tenant: 'blue', task_id: null, machine_id: machine(9), machines: 1, vcpus: 0, memory_mb: 0, disk_gb: 0,
      created_at: new Date().toISOString(), instance_id: 'instance-a',
    }).execute();
    expect(await outcome(reserveQuota(request(4), b, coordB))).toBe('refused');
    const four = await reserveQuota(request(4), a, coordA);
    expect((await rows()).map((r) => r.machine_id)).toEqual([machine(2), machine(4)]);

    // B dies: its reservation stops counting at A's next check.
    live.delete('instance-b');
    const five = await reserveQuota(request(5), a, coordA);
    expect(await rows()).toEqual([
      { machine_id: machine(4), instance_id: 'instance-a' },
      { machine_id: machine(5), instance_id: 'instance-a' },
    ]);
    live.add('instance-b');
    await Promise.all([two.release(), four.release(), five.release()]);
    await updateTenant(blue.id, { maxMachines: 3 }, a);
  });

  it('never overruns a quota when both instances reserve at once', async () => {
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => 10 + i).map((n) => outcome(reserveQuota(request(n), n % 2 ? b : a, n % 2 ? coordB : coordA))));
    expect(results.filter((r) => r === 'reserved')).toHaveLength(3);
    expect(await rows()).toHaveLength(3);
  });
});
