import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answer, ctx, errorFields, problem } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { admin, blueViewer, redOp, withSessionUser } from '@/lib/auth/testing';
import { ALPHA, BRAVO, QUICK_TIMING, startTestCluster, teleportHosts, until, type TestCluster } from '@/lib/cluster/testing';
import type { Sim } from '@/sim/index';
import type { MachineCore } from '@/sim/model/machine';

/*
 * The load history (issue 18): two vboxsim hosts with a running machine, sampled by the real sampler
 * through SOAP into a SQLite file; its rows held against what vboxsim's collector reports; the
 * roll-ups and pruning driven by injected times on a database of their own; the routes called as
 * the API is, with a hostile tenant. Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-history-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { openDb } = await import('@/lib/db');
const { testDbLocation } = await import('@/lib/db/pg-testing');
const { Medium } = await import('@/sim/model/medium');
const { getInventory } = await import('@/lib/cluster/inventory');
const { startTeleport } = await import('@/lib/teleport');
const { waitForTask } = await import('@/lib/tasks');
const { createBlueAndRed } = await import('@/lib/auth/testing');
const { latestSample, readHistory, sampleOnce, seedHistory, writeSamples } = await import('./index');
const { GET: vmHistory } = await import('@/app/api/v1/vms/[id]/history/route');
const { GET: hostHistory } = await import('@/app/api/v1/hosts/[id]/history/route');
type HistorySample = import('./types').HistorySample;
type History = import('./types').History;

let cluster: TestCluster;
let sim: Sim;
let machine: MachineCore;

/** A running machine on alpha, of tenant red, with a disk on the shared storage and a bridged adapter. */
function addMachine(s: Sim): MachineCore {
  const h = s.hosts[ALPHA].sim;
  const disk = Medium.create(h, 'VDI', path.join(s.storageDir, 'h-tele.vdi'), 'HardDisk');
  disk.rec.logicalSize = 2 * 1024 ** 3;
  disk.writeImage();
  disk.state = 'Created';
  h.registerMedium(disk);
  return h.addMachine('h-tele', (c) => {
    const st = c.settings;
    st.osTypeId = 'Debian12_64';
    st.memorySize = 1024;
    st.cpuCount = 2;
    st.nics[0] = { ...st.nics[0], enabled: true, adapterType: 'I82545EM', attachmentType: 'Bridged', bridgedInterface: 'vbox0' };
    st.storageControllers = [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, useHostIOCache: false, instance: 0 }];
    st.attachments = [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk', mediumId: disk.rec.id }];
    st.vrde = { ...st.vrde, enabled: true, extPack: 'VNC', properties: { 'TCP/Ports': s.hosts[ALPHA].vrdePorts } };
    st.extraData = { 'nimbox/tenant': 'red' };
  });
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0, control: true, timing: QUICK_TIMING, vrdeBase: 23000 + Math.floor(Math.random() * 150) * 100,
    host: teleportHosts(39000 + Math.floor(Math.random() * 80) * 100),
    async prepare(started) {
      sim = started;
      machine = addMachine(started);
      await started.hosts[ALPHA].sim.powerOn(machine);
    },
    machines: 1, hostsUp: true, timeoutMs: 20_000,
  });
  await createBlueAndRed();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

/** A tick with every object sampled (VirtualBox's first sample comes a second after the setup). */
const fullTick = () => until('a tick with the host and machine sampled', async () => {
  const s = await sampleOnce();
  return s.filter((x) => x.kind === 'host').length === 2 && s.some((x) => x.kind === 'vm' && x.cpu !== null && x.netRxBps !== null) ? s : null;
}, 15_000);

/** vboxsim's collector, asked directly: the newest two samples of each named metric of an object (value / scale). */
function collector(host: number, object: unknown, names: string): Map<string, number[]> {
  const r = sim.hosts[host].sim.perf.queryMetricsData([names], [object as never]);
  const out = new Map<string, number[]>();
  r.returnMetricNames.forEach((n, i) => {
    const v = r.returnval.slice(r.returnDataIndices[i], r.returnDataIndices[i] + r.returnDataLengths[i]).map((x) => x / r.returnScales[i]);
    out.set(n, v.slice(-2));
  });
  return out;
}

/** `value` is one of the collector's newest two (a period may end between the two reads). */
function oneOf(value: number | null | undefined, candidates: number[], digits = 6) {
  expect(value).not.toBeNull();
  expect(candidates.map((c) => Math.round(c * 10 ** digits))).toContain(Math.round((value as number) * 10 ** digits));
}

describe('the sampler', () => {
  it("writes 5-s rows of the host and the running machine with what VirtualBox's collector reports", async () => {
    const samples = await fullTick();
    const vm = samples.find((s) => s.kind === 'vm')!;
    expect(vm.id).toBe(machine.id);
    const c = collector(ALPHA, machine.primary, 'CPU/Load/User,CPU/Load/Kernel,RAM/Usage/Used,Net/Rate/Rx,Net/Rate/Tx');
    const [user, kernel] = [c.get('CPU/Load/User')!, c.get('CPU/Load/Kernel')!];
    oneOf(vm.cpu, user.map((u, i) => u + kernel[i]));
    oneOf(vm.memUsedMB, c.get('RAM/Usage/Used')!.map((kb) => kb / 1024));
    oneOf(vm.netRxBps, c.get('Net/Rate/Rx')!);
    oneOf(vm.netTxBps, c.get('Net/Rate/Tx')!);
    expect(vm.netRxBps).toBeGreaterThan(0);
    expect(vm.memTotalMB).toBe(1024);

    const alpha = samples.find((s) => s.kind === 'host' && s.id === cluster.hosts[ALPHA].id)!;
    const h = collector(ALPHA, sim.hosts[ALPHA].sim.host, 'CPU/Load/User,CPU/Load/Kernel,RAM/Usage/Used,RAM/Usage/Total,Disk/*/Load/Util,Net/*/Load/Rx,Net/*/LinkSpeed');
    oneOf(alpha.cpu, h.get('CPU/Load/User')!.map((u, i) => u + h.get('CPU/Load/Kernel')![i]));
    oneOf(alpha.memTotalMB, h.get('RAM/Usage/Total')!.map((kb) => kb / 1024));
    oneOf(alpha.diskUtil, h.get('Disk/sda/Load/Util')!);
    // Each interface's load is a percentage of its link speed: together, in bytes per second.
    const nics = [...h.keys()].filter((n) => /^Net\/.+\/Load\/Rx$/.test(n));
    expect(nics).toEqual(['Net/eno1/Load/Rx', 'Net/br0/Load/Rx', 'Net/vbox0/Load/Rx']);
    const rxBps = [0, 1].map((i) => nics.reduce((a, n) => a + (h.get(n)![i] / 100) * h.get(n.replace('Load/Rx', 'LinkSpeed'))![i] * 125_000, 0));
    oneOf(alpha.netRxBps, rxBps, 0);
    // The machine's traffic goes over alpha's interfaces.
    expect(alpha.netRxBps!).toBeGreaterThanOrEqual(vm.netRxBps!);

    // What was written is what was sampled.
    const row = await latestSample('vm', machine.id);
    expect(row?.cpu).toBe(Math.round(vm.cpu! * 100) / 100);
    expect(row?.memUsedMB).toBe(Math.round(vm.memUsedMB! * 10) / 10);
    expect(row?.netRxBps).toBe(Math.round(vm.netRxBps!));
    expect(Date.parse(row!.t) % 5000).toBe(0);
    const hostRow = await latestSample('host', cluster.hosts[ALPHA].id);
    expect(hostRow?.diskUtil).toBe(Math.round(alpha.diskUtil! * 100) / 100);
    // A host's machines: one queryMetricsData round per host and tick.
    const queries = vi.spyOn(sim.hosts[ALPHA].sim.perf, 'queryMetricsData');
    await sampleOnce();
    expect(queries).toHaveBeenCalledTimes(1);
    queries.mockRestore();
  });

  it('keeps one history for a machine teleported to the other host, sampling only the copy that runs', async () => {
    const bucket = (d: Date) => new Date(Math.floor(d.getTime() / 5000) * 5000).toISOString();
    await fullTick();
    const onAlpha = (await latestSample('vm', machine.id))!.t;
    const { task } = await startTeleport({ machineId: machine.id, targetHostId: cluster.hosts[BRAVO].id }, admin);
    const ended = await waitForTask(task.id, 30_000);
    expect(ended.status, JSON.stringify(ended.error)).toBe('succeeded');
    await until('h-tele running on bravo', () => {
      const m = getInventory().machine(machine.id);
      return m?.hostId === cluster.hosts[BRAVO].id && m.state === 'Running';
    }, 20_000);
    expect(getInventory().copies(machine.id)).toHaveLength(2);
    // The next tick 5 s on (its own bucket), from bravo's collector.
    const at = new Date(Date.now() + 5_000);
    const samples = await until('h-tele sampled on bravo', async () => {
      const s = await sampleOnce(at);
      return s.some((x) => x.kind === 'vm' && x.cpu !== null) ? s : null;
    }, 15_000);
    expect(samples.filter((s) => s.kind === 'vm')).toHaveLength(1);
    const bravo = sim.hosts[BRAVO].sim.machines().find((m) => m.id === machine.id)!;
    const c = collector(BRAVO, bravo.primary, 'CPU/Load/User,CPU/Load/Kernel');
    oneOf(samples.find((s) => s.kind === 'vm')!.cpu, c.get('CPU/Load/User')!.map((u, i) => u + c.get('CPU/Load/Kernel')![i]));
    const history = await readHistory('vm', machine.id, 'hour', at);
    // One history: alpha's samples from before the teleport, bravo's after.
    expect(history.points.map((p) => p.t)).toContain(onAlpha);
    expect(history.points.at(-1)!.t).toBe(bucket(at));
  });
});

describe('roll-ups and retention', () => {
  const T0 = Date.parse('2026-03-01T10:00:00Z');
  const at = (s: number) => new Date(T0 + s * 1000);
  const dbs: { destroy(): Promise<void> }[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-history-db-'));
  afterAll(async () => {
    for (const d of dbs) await d.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const freshDb = async () => {
    const db = await openDb(testDbLocation(path.join(dir, `${dbs.length}.sqlite`)));
    dbs.push(db);
    return db;
  };
  const vm = (cpu: number | null, memUsedMB: number, memTotalMB: number, extra: Partial<HistorySample> = {}): HistorySample => ({ kind: 'vm', id: 'm-1', cpu, memUsedMB, memTotalMB, ...extra });

  it('averages a completed minute into a 1-min row (the last installed memory), when the next minute starts', async () => {
    const db = await freshDb();
    // Twelve 5-s ticks of 10:00: cpu 0..11, a missing value that does not count as zero, memory growing.
    for (let k = 0; k < 12; k++) await writeSamples(db, [vm(k === 3 ? null : k, 100 + k, k < 11 ? 1000 : 2000, { netRxBps: 10 * k })], at(5 * k));
    let day = await readHistory('vm', 'm-1', 'day', at(59), db);
    expect(day.points).toEqual([]);
    await writeSamples(db, [vm(50, 200, 2000)], at(60));
    day = await readHistory('vm', 'm-1', 'day', at(60), db);
    const cpus = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11];
    expect(day.points).toEqual([{
      t: '2026-03-01T10:00:00.000Z', cpu: Math.round((cpus.reduce((a, b) => a + b, 0) / cpus.length) * 100) / 100,
      memUsedMB: 105.5, memTotalMB: 2000, netRxBps: 55, netTxBps: null,
    }]);
    expect(day.stepSeconds).toBe(60);
    // The hour shows the 5-s rows themselves.
    const hour = await readHistory('vm', 'm-1', 'hour', at(60), db);
    expect(hour.points.map((p) => p.cpu)).toEqual([0, 1, 2, null, 4, 5, 6, 7, 8, 9, 10, 11, 50]);
    expect(hour.stepSeconds).toBe(5);
  });

  it('averages 1-min rows into 15-min rows, and 15-min rows into hours for 90 days', async () => {
    const db = await freshDb();
    await seedHistory(db, 'host', 'h-1', Array.from({ length: 15 }, (_, i) => ({ t: at(60 * i), cpu: i, memUsedMB: 10, memTotalMB: 64, diskUtil: 2 })), 60);
    await writeSamples(db, [], at(899));
    expect((await readHistory('host', 'h-1', 'week', at(899), db)).points).toEqual([]);
    await writeSamples(db, [], at(900));
    const week = await readHistory('host', 'h-1', 'week', at(900), db);
    expect(week.points).toEqual([{ t: '2026-03-01T10:00:00.000Z', cpu: 7, memUsedMB: 10, memTotalMB: 64, netRxBps: null, netTxBps: null, diskUtil: 2 }]);
    await seedHistory(db, 'host', 'h-1', [10, 20, 30, 40].map((cpu, i) => ({ t: at(3600 + 900 * i), cpu, memUsedMB: cpu, memTotalMB: 64 + i })), 900);
    const ninety = await readHistory('host', 'h-1', '90d', at(7200), db);
    expect(ninety.stepSeconds).toBe(3600);
    expect(ninety.points.map((p) => [p.t, p.cpu, p.memUsedMB, p.memTotalMB])).toEqual([
      ['2026-03-01T10:00:00.000Z', 7, 10, 64], ['2026-03-01T11:00:00.000Z', 25, 25, 67],
    ]);
  });

  it('deletes 5-s rows after an hour, 1-min rows after a day and 15-min rows after 90 days, to the second', async () => {
    const db = await freshDb();
    const T = 100 * 86_400;
    const point = (s: number) => ({ t: at(T + s), cpu: 1, memUsedMB: 1, memTotalMB: 1 });
    await seedHistory(db, 'vm', 'm-2', [point(-3605), point(-3600)], 5);
    await seedHistory(db, 'vm', 'm-2', [point(-86_460), point(-86_400)], 60);
    await seedHistory(db, 'vm', 'm-2', [point(-90 * 86_400 - 900), point(-90 * 86_400)], 900);
    await writeSamples(db, [], at(T));
    const left = await db.selectFrom('metric_samples').select(['resolution', 'ts']).where('object_id', '=', 'm-2').orderBy('resolution').orderBy('ts').execute();
    const t0 = T0 / 1000 + T;
    // (What the tick rolled up from the seeded rows is beside the point here.)
    const seeded = [[5, -3605], [5, -3600], [60, -86_460], [60, -86_400], [900, -90 * 86_400 - 900], [900, -90 * 86_400]];
    expect(left.filter((r) => seeded.some(([res, s]) => r.resolution === res && r.ts === t0 + s)))
      .toEqual([{ resolution: 5, ts: t0 - 3600 }, { resolution: 60, ts: t0 - 86_400 }, { resolution: 900, ts: t0 - 90 * 86_400 }]);
  });

  it('shows a seeded day of minutes on range=day, and keeps it bounded', async () => {
    const db = await freshDb();
    const now = at(86_400);
    await seedHistory(db, 'vm', 'm-3', Array.from({ length: 1441 }, (_, i) => ({ t: new Date(now.getTime() - (1440 - i) * 60_000), cpu: i % 100, memUsedMB: 512, memTotalMB: 1024 })));
    const day = await readHistory('vm', 'm-3', 'day', now, db);
    expect(day.points).toHaveLength(1441);
    expect(day.from).toBe(at(0).toISOString());
    await writeSamples(db, [], new Date(now.getTime() + 60_000));
    expect((await readHistory('vm', 'm-3', 'day', new Date(now.getTime() + 60_000), db)).points).toHaveLength(1440);
  });
});

describe('GET /api/v1/vms/:id/history and /hosts/:id/history', () => {
  const get = (route: typeof vmHistory, what: string, id: string, user: User, query = '') => {
    session.user = user;
    return route(new Request(`http://localhost/api/v1/${what}/${id}/history${query}`), ctx({ id }));
  };

  it("answers the machine's tenant and admins; another tenant's user gets 404, as for a machine that does not exist", async () => {
    await fullTick();
    const own = await answer<History>(await get(vmHistory, 'vms', machine.id, redOp));
    expect(own.range).toBe('hour');
    expect(own.points.length).toBeGreaterThan(0);
    expect(own.points.every((p) => p.cpu !== null && !('diskUtil' in p))).toBe(true);
    const all = await answer<History>(await get(vmHistory, 'vms', machine.id, admin, '?range=day'));
    expect([all.range, all.stepSeconds]).toEqual(['day', 60]);
    const foreign = await problem(await get(vmHistory, 'vms', machine.id, blueViewer), 404);
    const absent = await problem(await get(vmHistory, 'vms', '00000000-0000-4000-8000-00000000dead', blueViewer), 404);
    expect(foreign.detail).not.toContain('h-tele');
    expect(foreign.title).toBe(absent.title);
    await problem(await get(vmHistory, 'vms', '00000000-0000-4000-8000-00000000dead', admin), 404);
  });

  it('refuses another range with a 400 naming the field range', async () => {
    for (const [route, what, id] of [[vmHistory, 'vms', machine.id], [hostHistory, 'hosts', cluster.hosts[ALPHA].id]] as const) {
      const p = await problem(await get(route, what, id, admin, '?range=year'), 400);
      expect(errorFields(p)).toEqual(['range']);
    }
  });

  it("answers a host's history with its disk load; 404 for a host that does not exist", async () => {
    const h = await answer<History>(await get(hostHistory, 'hosts', cluster.hosts[ALPHA].id, admin, '?range=hour'));
    expect(h.points.length).toBeGreaterThan(0);
    expect(h.points.at(-1)!.diskUtil).toBeGreaterThan(0);
    expect(h.points.at(-1)!.memTotalMB).toBeGreaterThan(0);
    await problem(await get(hostHistory, 'hosts', 'no-such-host', admin), 404);
  });
});
