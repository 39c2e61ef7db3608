import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, teleportHosts, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { Task } from '@/lib/tasks';
import type { Sim } from '@/sim/index';
import type { MachineCore } from '@/sim/model/machine';
import { Medium } from '@/sim/model/medium';

/*
 * Maintenance and the drain through the API, against three real vboxsim hosts: alpha runs ten
 * machines and goes into maintenance; the drain teleports every one of them to the other hosts, a
 * few at a time, each as its own task, by free memory and within the hosts each machine may use.
 * Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-drain-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: maintenanceRoute } = await import('./route');
const { POST: drainRoute } = await import('../drain/route');
const { getDb } = await import('@/lib/db');
const { getHost } = await import('@/lib/db/hosts');
const { getInventory } = await import('@/lib/cluster/inventory');
const { listTasks, onTaskChanged, waitForTask } = await import('@/lib/tasks');
const { runningOn, setAllowedHostsResolver, stopTeleportJanitor } = await import('@/lib/teleport');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const viewer: User = { id: 'u2', username: 'viewer', realm: 'local', role: 'viewer' };
const vrdeBase = 24000 + Math.floor(Math.random() * 100) * 100;
const teleportBase = 44000 + Math.floor(Math.random() * 80) * 100;
let cluster: TestCluster;
let sim: Sim;
const hosts: HostView[] = [];
const [ALPHA, BRAVO, CHARLIE] = [0, 1, 2];
const machines: MachineCore[] = [];

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

async function addMachine(i: number, name: string, memoryMB: number, run: boolean, extraData: Record<string, string> = {}): Promise<MachineCore> {
  const h = sim.hosts[i].sim;
  const disk = Medium.create(h, 'VDI', path.join(sim.storageDir, `${name}.vdi`), 'HardDisk');
  disk.rec.logicalSize = 2 * 1024 ** 3;
  disk.writeImage();
  disk.state = 'Created';
  h.registerMedium(disk);
  const c = h.addMachine(name, (m) => {
    const s = m.settings;
    s.osTypeId = 'Debian12_64';
    s.memorySize = memoryMB;
    s.cpuCount = 1 + (memoryMB % 3);
    s.nics[0] = { ...s.nics[0], enabled: true, adapterType: 'I82545EM', attachmentType: 'Bridged', bridgedInterface: 'vbox0' };
    s.storageControllers = [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, useHostIOCache: false, instance: 0 }];
    s.attachments = [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk', mediumId: disk.rec.id }];
    s.vrde = { ...s.vrde, enabled: true, extPack: 'VNC', properties: { 'TCP/Ports': sim.hosts[i].vrdePorts } };
    s.extraData = extraData;
  });
  if (run) await h.powerOn(c);
  return c;
}

async function prepare(started: Sim) {
  sim = started; // addMachine() works on it
  // Ten running machines on alpha (two of them the tenant "acme"'s), one powered off, and one running on bravo.
  for (let j = 0; j < 10; j++) {
    machines.push(await addMachine(ALPHA, `dr-${j + 1}`, 512 * (1 + (j % 4)), true, j < 2 ? { 'nimbox/tenant': 'acme' } : {}));
  }
  await addMachine(ALPHA, 'dr-off', 1024, false);
  await addMachine(BRAVO, 'dr-bravo', 1024, true);
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 3, port: 0, vms: 0, control: true, vrdeBase, prepare,
    host: teleportHosts(teleportBase), machines: 12, hostsUp: true, timeoutMs: 20_000,
  });
  hosts.push(...cluster.hosts);
});

afterAll(async () => {
  setAllowedHostsResolver(null);
  stopTeleportJanitor();
  await cluster?.stop();
  dataDir.remove();
});

describe('POST /api/v1/hosts/:id/maintenance and /drain', () => {
  it('refuses a drain of a host not in maintenance, and viewers', async () => {
    session.user = admin;
    let r = await drainRoute(post(`/api/v1/hosts/${hosts[ALPHA].id}/drain`), ctx(hosts[ALPHA].id));
    expect(r.status).toBe(409);
    expect((await r.json()).title).toBe('Host not in maintenance');
    r = await maintenanceRoute(post(`/api/v1/hosts/x/maintenance`, { enabled: false, drain: true }), ctx(hosts[ALPHA].id));
    expect(r.status).toBe(400);
    r = await maintenanceRoute(post(`/api/v1/hosts/x/maintenance`, { enabled: true }), ctx('no-such-host'));
    expect(r.status).toBe(404);
    session.user = viewer;
    expect((await maintenanceRoute(post(`/api/v1/hosts/x/maintenance`, { enabled: true }), ctx(hosts[ALPHA].id))).status).toBe(403);
    expect((await drainRoute(post(`/api/v1/hosts/x/drain`), ctx(hosts[ALPHA].id))).status).toBe(403);
  });

  it('puts a host in maintenance and drains it: ten machines teleported to the best hosts, a few at a time, each reported', async () => {
    session.user = admin;
    // Tenant acme may use bravo only (what issue 7's allowed hosts will answer).
    setAllowedHostsResolver((m) => (m.tenant === 'acme' ? new Set([hosts[BRAVO].id]) : null));
    let running = 0;
    let most = 0;
    const seen = new Set<string>();
    const off = onTaskChanged((t) => {
      if (t.kind !== 'vm.teleport') return;
      if (t.status === 'running' && !seen.has(t.id)) {
        seen.add(t.id);
        most = Math.max(most, ++running);
      } else if (t.status !== 'running' && seen.has(t.id)) running--;
    });
    const started = Date.now();
    const r = await maintenanceRoute(post(`/api/v1/hosts/${hosts[ALPHA].id}/maintenance`, { enabled: true, drain: true }), ctx(hosts[ALPHA].id));
    const body = (await r.json()) as { host: HostView; task: Task };
    expect(r.status, JSON.stringify(body)).toBe(202);
    expect(r.headers.get('location')).toBe(`/api/v1/tasks/${body.task.id}`);
    expect(body.host).toMatchObject({ id: hosts[ALPHA].id, maintenance: true });
    expect(body.task).toMatchObject({ kind: 'host.drain', title: 'Drain vbox-alpha', targetType: 'host', targetId: hosts[ALPHA].id });
    // A second drain of the same host while this one runs: 409 Busy.
    const again = await drainRoute(post(`/api/v1/hosts/${hosts[ALPHA].id}/drain`), ctx(hosts[ALPHA].id));
    expect(again.status).toBe(409);
    expect((await again.json()).title).toBe('Busy');

    const task = await waitForTask(body.task.id, 120_000);
    off();
    const totalMs = Date.now() - started;
    expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
    expect(task.message).toMatch(/^All 10 machines moved off vbox-alpha: /);
    console.log(`drain of 10 machines: ${totalMs} ms, at most ${most} teleports at once`);
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(3);

    // Every machine runs elsewhere now, once: acme's on bravo, the others on charlie (the most free memory).
    const inv = getInventory();
    await until('no machine running on alpha', () => runningOn(inv, hosts[ALPHA].id).length === 0);
    for (const [j, m] of machines.entries()) {
      const states = sim.hosts.map((h) => h.sim.findCore(m.id)?.state ?? null);
      expect(states.filter((s) => s === 'Running'), `${m.name}: ${states}`).toHaveLength(1);
      expect(states[ALPHA]).toBe('Teleported');
      expect(states[j < 2 ? BRAVO : CHARLIE], m.name).toBe('Running');
      expect(sim.hosts[j < 2 ? BRAVO : CHARLIE].sim.findCore(m.id)!.settings.teleporter.enabled).toBe(false);
    }
    expect(sim.hosts[ALPHA].sim.machines().find((c) => c.name === 'dr-off')!.state).toBe('PoweredOff');
    // Each move was its own task, and each succeeded.
    const moves = (await listTasks({ limit: 50 })).filter((t) => t.kind === 'vm.teleport');
    expect(moves).toHaveLength(10);
    expect(moves.every((t) => t.status === 'succeeded')).toBe(true);
    // The host stays in maintenance until told otherwise.
    expect((await getHost(await getDb(), hosts[ALPHA].id))!.maintenance).toBe(true);
  });

  it('takes the host out of maintenance when told (200 with the host)', async () => {
    session.user = admin;
    const r = await maintenanceRoute(post(`/api/v1/hosts/${hosts[ALPHA].id}/maintenance`, { enabled: false }), ctx(hosts[ALPHA].id));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: hosts[ALPHA].id, maintenance: false });
  });

  it('a drain of a host with nothing running ends at once', async () => {
    session.user = admin;
    const r = await maintenanceRoute(post(`/api/v1/hosts/${hosts[ALPHA].id}/maintenance`, { enabled: true, drain: true }), ctx(hosts[ALPHA].id));
    expect(r.status).toBe(202);
    const task = await waitForTask(((await r.json()) as { task: Task }).task.id, 10_000);
    expect(task).toMatchObject({ status: 'succeeded', message: 'No machine runs on vbox-alpha' });
  });
});
