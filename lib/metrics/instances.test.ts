import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Coord } from '@/lib/coord';
import type { DB } from '@/lib/db';

/*
 * GET /metrics' load gauges on an instance that does not run the history sampler (issue 19): two instances on
 * one PostgreSQL; the other one holds the lease `history` and writes its ticks (writeSamples, as its sampler
 * does); this process's instance watches a vboxsim host and fills the gauges from the newest tick in the
 * database — while it is recent, as with a tick of its own.
 */
const dataDir = await vi.hoisted(async () => {
  const dir = (await import('@/lib/cluster/testing')).tempDataDir('nimbox-metrics-instances-');
  const { createTestDatabase, ensureTestPostgres } = await import('@/lib/db/pg-testing');
  process.env.DATABASE_URL = createTestDatabase(await ensureTestPostgres());
  return dir;
});

const { QUICK_TIMING, startTestCluster, until } = await import('@/lib/cluster/testing');
const { getInventory } = await import('@/lib/cluster/inventory');
const { getCoord, openCoord } = await import('@/lib/coord');
const { openDb } = await import('@/lib/db');
const { latestTick, writeSamples } = await import('./history');
const { scrape, stopPrometheus } = await import('./prometheus');

let cluster: Awaited<ReturnType<typeof startTestCluster>>;
let other: { db: DB; coord: Coord; release: () => Promise<void> };

beforeAll(async () => {
  cluster = await startTestCluster({ hosts: 1, port: 0, vms: 2, timing: QUICK_TIMING, machines: 2, hostsUp: true });
  const db = await openDb(process.env.DATABASE_URL!);
  const coord = await openCoord(db);
  let held = false;
  const release = coord.lease('history', { acquired: () => void (held = true), lost: () => void (held = false) });
  await until('the other instance holding the lease history', () => held);
  other = { db, coord, release };
}, 60_000);

afterAll(async () => {
  stopPrometheus();
  await other?.release();
  await other?.coord.stop();
  await other?.db.destroy();
  await cluster?.stop();
  await (await getCoord()).stop();
  dataDir.remove();
});

/** The value of the one series `name{labels}` in a scrape's text, or undefined. */
function gauge(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('the load gauges on an instance not running the sampler (PostgreSQL)', () => {
  it('shows the newest tick the sampling instance wrote, and nothing from a stale one', async () => {
    const coord = await getCoord();
    expect(coord.shared).toBe(true);
    expect(await coord.holder('history')).toBe(other.coord.instanceId);
    expect(latestTick()).toBeNull();
    const inv = getInventory();
    const host = cluster.hosts[0];
    const vm = inv.machines().find((m) => m.state === 'Running') ?? inv.machines()[0];

    // A tick of a minute ago only: too old for the gauges.
    await writeSamples(other.db, [{ kind: 'host', id: host.id, cpu: 80, memUsedMB: 1000, memTotalMB: 4000 }], new Date(Date.now() - 60_000));
    let text = (await scrape(inv)).body;
    expect(gauge(text, 'nimbox_host_cpu_load_percent', { host: host.name })).toBeUndefined();

    await writeSamples(other.db, [
      { kind: 'host', id: host.id, cpu: 37.5, memUsedMB: 1000, memTotalMB: 4000 },
      { kind: 'vm', id: vm.id, cpu: 12.5, memUsedMB: 300, memTotalMB: vm.memoryMB },
    ], new Date());
    text = (await scrape(inv)).body;
    expect(gauge(text, 'nimbox_host_cpu_load_percent', { host: host.name })).toBe(37.5);
    expect(gauge(text, 'nimbox_machine_cpu_load_percent', { id: vm.id })).toBe(12.5);
    expect(gauge(text, 'nimbox_machine_memory_used_bytes', { id: vm.id })).toBe(300 * 1024 * 1024);
  }, 30_000);
});
