import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { admin } from '@/lib/auth/testing';
import { ALPHA, BRAVO, QUICK_TIMING, startTestCluster, teleportHosts, until, type TestCluster } from '@/lib/cluster/testing';
import type { InventoryEvent } from '@/lib/cluster/types';
import type { Sim } from '@/sim/index';
import type { MachineCore } from '@/sim/model/machine';
import { Medium } from '@/sim/model/medium';

/*
 * Usage recorded from a real vboxsim cluster (two hosts over HTTP, a SQLite file): the recorder follows the
 * live inventory, and the expected figures come from the lastStateChange times the inventory (or VirtualBox,
 * across a restart) reported, never from guesses about the wall clock.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-usage-'));

const { getDb } = await import('@/lib/db');
const { getInventory } = await import('@/lib/cluster/inventory');
const { startUsage, stopUsage, usageFor, usageState } = await import('./index');
const { readOpenIntervals } = await import('./store');
const { diskBytesByMachine } = await import('./disk');
const { startTeleport } = await import('@/lib/teleport');
const { waitForTask } = await import('@/lib/tasks');
const { createBlueAndRed } = await import('@/lib/auth/testing');

const DAY = 86_400_000;
const GIB = 1024 ** 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: TestCluster;
let sim: Sim;
const M: Record<string, MachineCore> = {};
const disks: Record<string, Medium> = {};

/** A machine on host i with a disk of `gib` GiB on the shared storage, registered before the inventory starts. */
function addMachine(i: number, name: string, o: { tenant: string; cpus: number; memoryMB: number; gib: number }): MachineCore {
  const h = sim.hosts[i].sim;
  const disk = Medium.create(h, 'VDI', path.join(sim.storageDir, `${name}.vdi`), 'HardDisk');
  disk.rec.logicalSize = o.gib * GIB;
  disk.writeImage();
  disk.state = 'Created';
  h.registerMedium(disk);
  disks[name] = disk;
  return h.addMachine(name, (c) => {
    const s = c.settings;
    s.osTypeId = 'Debian12_64';
    s.memorySize = o.memoryMB;
    s.cpuCount = o.cpus;
    s.nics[0] = { ...s.nics[0], enabled: true, adapterType: 'I82545EM', attachmentType: 'Bridged', bridgedInterface: 'vbox0' };
    s.storageControllers = [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, useHostIOCache: false, instance: 0 }];
    s.attachments = [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk', mediumId: disk.rec.id }];
    s.vrde = { ...s.vrde, enabled: true, extPack: 'VNC', properties: { 'TCP/Ports': sim.hosts[i].vrdePorts } };
    s.extraData = { 'nimbox/tenant': o.tenant };
  });
}

/** Every class change of a machine the inventory reported: the new class and its lastStateChange (ms). */
const changes = new Map<string, { state: string; at: number }[]>();
function follow(e: InventoryEvent): void {
  if (e.type !== 'machine') return;
  const list = changes.get(e.machine.id) ?? [];
  const state = usageState(e.machine.state);
  if (list.at(-1)?.state !== state) list.push({ state, at: Date.parse(e.machine.lastStateChange) });
  changes.set(e.machine.id, list);
}

const stateOf = (name: string) => getInventory().machine(M[name].id)?.state;
const until_ = (name: string, state: string) => until(`${name} ${state}`, () => stateOf(name) === state, 20_000);

/** The machine's usage over [from, now] (its only tenant's row). */
async function usage(name: string, from: number, now: number) {
  const tenants = await usageFor(await getDb(), { from, to: now, now, exact: true });
  return tenants.flatMap((t) => t.machines).find((m) => m.id === M[name].id)!;
}

/** Seconds, for comparisons the reader can follow. */
const s = (hours: number) => hours * 3600;
const secs = (ms: number) => ms / 1000;

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0, control: true, timing: QUICK_TIMING, vrdeBase: 21000 + Math.floor(Math.random() * 150) * 100,
    host: teleportHosts(38000 + Math.floor(Math.random() * 80) * 100),
    async prepare(started) {
      sim = started;
      M['u-life'] = addMachine(ALPHA, 'u-life', { tenant: 'blue', cpus: 2, memoryMB: 2048, gib: 4 });
      M['u-restart'] = addMachine(ALPHA, 'u-restart', { tenant: 'blue', cpus: 1, memoryMB: 1024, gib: 1 });
      M['u-tele'] = addMachine(ALPHA, 'u-tele', { tenant: 'red', cpus: 4, memoryMB: 1024, gib: 2 });
      await sim.hosts[ALPHA].sim.powerOn(M['u-restart']);
      await sim.hosts[ALPHA].sim.powerOn(M['u-tele']);
    },
    machines: 3, hostsUp: true, timeoutMs: 20_000,
  });
  await createBlueAndRed();
  getInventory().subscribe(follow);
  const recorder = (await startUsage({ timing: { settleMs: 10_000 } }))!;
  await recorder.ready;
  await recorder.sampleNow();
}, 60_000);

afterAll(async () => {
  await stopUsage();
  await cluster?.stop();
  dataDir.remove();
});

describe('usage from state changes', () => {
  it('counts a machine started, saved, started again and powered off by the times of its state changes', async () => {
    const host = sim.hosts[ALPHA].sim;
    const id = M['u-life'].id;
    await host.powerOn(M['u-life']);
    await until_('u-life', 'Running');
    await sleep(300);
    await M['u-life'].vm!.saveState().wait();
    await until_('u-life', 'Saved');
    await sleep(300);
    await host.powerOn(M['u-life']);
    await until_('u-life', 'Running');
    await sleep(300);
    await M['u-life'].vm!.end('PoweredOff');
    await until_('u-life', 'PoweredOff');
    await sleep(200);
    const now = Date.now();
    const c = changes.get(id)!.slice(-4);
    expect(c.map((x) => x.state)).toEqual(['running', 'saved', 'running', 'off']);
    const [run1, saved, run2, off] = c.map((x) => x.at);
    const u = await usage('u-life', run1, now);
    const running = secs(saved - run1 + (off - run2));
    expect(s(u.hours.running)).toBeCloseTo(running, 1);
    expect(s(u.hours.saved)).toBeCloseTo(secs(run2 - saved), 1);
    expect(s(u.hours.off)).toBeCloseTo(secs(now - off), 1);
    // 2 vCPUs and 2 GiB while running only.
    expect(s(u.vcpuHours)).toBeCloseTo(2 * running, 1);
    expect(s(u.memoryGiBHours)).toBeCloseTo(2 * running, 1);
  });

  it('leaves no gap and counts nothing twice across a restart of Nimbox, a state change while it was down included', async () => {
    const inv = getInventory();
    const db = await getDb();
    const before = Date.now();
    await sleep(100);
    const openBefore = await readOpenIntervals(db);
    expect(openBefore.get(M['u-restart'].id)?.state).toBe('running');

    // Nimbox stops; while it is down, u-restart is powered off (VirtualBox notes when).
    await stopUsage();
    await inv.stop();
    await sleep(200);
    await M['u-restart'].vm!.end('PoweredOff');
    const changedAt = M['u-restart'].lastStateChange;
    await sleep(300);

    // Nimbox starts again on the same database: a new inventory scan, a new recorder.
    await inv.start();
    await until('the hosts scanned again', () => inv.hosts().every((h) => h.health === 'up') && inv.machines().length === 3, 20_000);
    const recorder = (await startUsage({ timing: { settleMs: 10_000 } }))!;
    await recorder.ready;
    await sleep(200);
    const now = Date.now();

    const u = await usage('u-restart', before, now);
    // Running until VirtualBox's change, off from there: together exactly the range.
    expect(s(u.hours.running)).toBeCloseTo(secs(changedAt - before), 2);
    expect(s(u.hours.off)).toBeCloseTo(secs(now - changedAt), 2);
    expect(s(u.hours.running + u.hours.off + u.hours.saved)).toBeCloseTo(secs(now - before), 2);

    // u-life did not change: its interval simply continues (the same row), counted once.
    const openAfter = await readOpenIntervals(db);
    expect(openAfter.get(M['u-life'].id)?.startedAt).toBe(openBefore.get(M['u-life'].id)?.startedAt);
    const life = await usage('u-life', before, now);
    expect(s(life.hours.off)).toBeCloseTo(secs(now - before), 2);
    expect(life.hours.running + life.hours.saved).toBe(0);
  });

  it('counts a machine teleported between hosts once, running all along', async () => {
    const before = Date.now();
    await sleep(100);
    const { task } = await startTeleport({ machineId: M['u-tele'].id, targetHostId: cluster.hosts[BRAVO].id }, admin);
    const ended = await waitForTask(task.id, 30_000);
    expect(ended.status, JSON.stringify(ended.error)).toBe('succeeded');
    await until('u-tele running on bravo', () => getInventory().machine(M['u-tele'].id)?.hostId === cluster.hosts[BRAVO].id && stateOf('u-tele') === 'Running', 20_000);
    // Both hosts have it registered now: one machine.
    expect(getInventory().copies(M['u-tele'].id)).toHaveLength(2);
    await sleep(200);
    const now = Date.now();
    const tenants = await usageFor(await getDb(), { from: before, to: now, now, exact: true });
    const rows = tenants.flatMap((t) => t.machines.map((m) => ({ tenant: t.tenant, ...m }))).filter((m) => m.id === M['u-tele'].id);
    expect(rows).toHaveLength(1);
    expect(rows[0].tenant).toBe('red');
    expect(s(rows[0].hours.running)).toBeCloseTo(secs(now - before), 2);
    expect(rows[0].hours.saved + rows[0].hours.off).toBe(0);
    expect(s(rows[0].vcpuHours)).toBeCloseTo(4 * secs(now - before), 2);
    // Its disk on the shared storage, listed by both hosts, is one disk.
    expect((await diskBytesByMachine(getInventory())).get(M['u-tele'].id)).toBe(2 * GIB);
  });
});

describe('a host that stops answering', () => {
  it('keeps the last known state of its machines until the host is back, and counts their time once', async () => {
    const inv = getInventory();
    const bravo = cluster.hosts[BRAVO].id;
    const before = Date.now();
    await sleep(100);
    const control = (what: string) => fetch(`${sim.hosts[BRAVO].control}${what}`, { method: 'POST' });
    expect((await control('/soap/down')).ok).toBe(true);
    try {
      await until('bravo down', () => inv.host(bravo)?.health === 'down' && inv.copyOn(bravo, M['u-tele'].id)?.stale, 20_000);
      await sleep(300);
      // Nothing is known of u-tele now but its last state: still running, the same interval open, seen
      // running until the host's last answer (a change found later is never dated before it).
      const open = (await readOpenIntervals(await getDb())).get(M['u-tele'].id);
      expect(open?.state).toBe('running');
      expect(open!.seenAt).toBeGreaterThanOrEqual(Date.parse(inv.host(bravo)!.lastContact!));
    } finally {
      await control('/soap/up');
    }
    await until('bravo up', () => inv.host(bravo)?.health === 'up' && inv.copyOn(bravo, M['u-tele'].id)?.stale === false, 30_000);
    await sleep(200);
    const now = Date.now();
    const u = await usage('u-tele', before, now);
    expect(s(u.hours.running)).toBeCloseTo(secs(now - before), 2);
    expect(u.hours.saved + u.hours.off).toBe(0);
  });
});

describe('disk usage', () => {
  it("samples the disks' logical size, and a size holds until the next sample", async () => {
    const recorder = (await startUsage({ timing: { settleMs: 10_000 } }))!;
    await recorder.ready;
    await recorder.sampleNow();
    // A day from now on (the open interval counted up to then): u-life's 4 GiB disk for a day.
    let now = Date.now();
    expect((await usage('u-life', now, now + DAY)).diskGiBDays).toBeCloseTo(4, 3);
    // Its disk grows to 10 GiB: the next sample notes it, and from then on a day is 10 GiB-days.
    disks['u-life'].rec.logicalSize = 10 * GIB;
    await recorder.sampleNow();
    now = Date.now();
    expect((await usage('u-life', now, now + DAY)).diskGiBDays).toBeCloseTo(10, 3);
    // The other machines' disks did not change.
    expect((await usage('u-restart', now, now + DAY)).diskGiBDays).toBeCloseTo(1, 3);
  });
});
