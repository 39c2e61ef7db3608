import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import { control, copies, createOn, fastHa, fenceByScript, haCluster, json, powerAction, protect, remembered } from './testing';

/*
 * Not enough room on the surviving host: the protected machines of a dead host restart highest priority
 * first; the lowest waits, says why on the HA page and in its task, and restarts once room frees up.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-ha-capacity-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: overview } = await import('@/app/api/v1/ha/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { listTasks } = await import('@/lib/tasks');
const { startHa, stopHa } = await import('@/lib/ha');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
let cluster: TestCluster;
let alpha: HostView;
let bravo: HostView;

const running = async (id: string, host: string) => (await copies(id)).some((c) => c.host === host && c.state === 'Running');

beforeAll(async () => {
  cluster = await haCluster(48000 + Math.floor(Math.random() * 100) * 100);
  [alpha, bravo] = cluster.hosts;
  await fenceByScript(alpha, dataDir.dir);
  session.user = admin;
  await startHa(fastHa(500));
}, 60_000);

afterAll(async () => {
  await stopHa();
  await cluster?.stop();
  dataDir.remove();
});

describe('HA without enough capacity', () => {
  it('restarts by priority while room lasts; the lowest waits and says so, then restarts when room frees up', async () => {
    // bravo has 128 GB; a 50 GB machine already runs there, so about 74 GB are free.
    const hog = await createOn(bravo, 'hog', { memoryMB: 50_000 });
    const high = await createOn(alpha, 'cap-high', { memoryMB: 40_000 });
    const mid = await createOn(alpha, 'cap-mid', { memoryMB: 30_000 });
    const low = await createOn(alpha, 'cap-low', { memoryMB: 30_000 });
    for (const id of [hog, high, mid, low]) expect((await powerAction(id, 'start')).taskStatus).toBe('succeeded');
    for (const [id, priority] of [[high, 90], [mid, 50], [low, 10]] as const) {
      await protect(id, { priority });
      await remembered(id, alpha);
    }
    await until('bravo free memory known', () => (getInventory().host(bravo.id)?.memoryAvailableMB ?? 1e9) < 80_000);

    await control(cluster.sim.hosts[0].control!, 'power/off');
    await until('cap-high and cap-mid on bravo', async () => (await running(high, 'vbox-bravo')) && (await running(mid, 'vbox-bravo')), 20_000);
    const waits = async () => (await (await overview(json('GET', '/api/v1/ha'))).json()).machines.find((m: { id: string }) => m.id === low)?.status as string | undefined;
    await until('cap-low waits', async () => /waits for capacity/.test((await waits()) ?? ''));
    expect(await waits()).toMatch(/^waits for capacity: needs 30000 MB, at most \d+ MB free \(vbox-bravo\)$/);
    expect(await running(low, 'vbox-bravo')).toBe(false);
    const recover = (await listTasks({})).find((t) => t.kind === 'ha.recover');
    expect(recover).toMatchObject({ status: 'running', message: expect.stringContaining('waiting for capacity: cap-low') });
    expect((await listTasks({})).filter((t) => t.kind === 'ha.restart').map((t) => t.targetName).sort()).toEqual(['cap-high', 'cap-mid']);

    // Room frees up on bravo: the waiting machine restarts, and the recovery ends.
    expect((await powerAction(hog, 'poweroff')).taskStatus).toBe('succeeded');
    await until('cap-low on bravo', () => running(low, 'vbox-bravo'), 20_000);
    await until('recovery done', async () => (await listTasks({})).find((t) => t.id === recover!.id)?.status === 'succeeded', 10_000);
    expect(await waits()).toBeNull();
  }, 90_000);
});
