import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, teleportHosts, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { Task } from '@/lib/tasks';
import type { Preflight } from '@/lib/teleport';
import type { Sim } from '@/sim/index';
import { HostNetworkInterface } from '@/sim/model/hostinfo';
import type { MachineCore } from '@/sim/model/machine';
import { Medium } from '@/sim/model/medium';

/*
 * Machines follow their cluster networks, against three real vboxsim hosts over HTTP: the cluster network
 * "lab" is a bridge with another interface name on each host (br-lab-a on alpha, br-lab-b on bravo,
 * br-lab-c on charlie), defined at first on alpha only. A teleport, a drain, a create and a start pick
 * only hosts that have it, say which network is missing where, and bind the copy that runs to its
 * host's name for the network. Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-net-placement-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: teleportRoute } = await import('@/app/api/v1/vms/[id]/teleport/route');
const { GET: preflightRoute } = await import('@/app/api/v1/vms/[id]/teleport/preflight/route');
const { POST: createRoute } = await import('@/app/api/v1/vms/route');
const { POST: actionRoute } = await import('@/app/api/v1/vms/[id]/actions/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { waitForTask } = await import('@/lib/tasks');
const { setMaintenance, startDrain, stopTeleportJanitor } = await import('@/lib/teleport');
const { createNetwork, updateNetwork } = await import('@/lib/networks/store');
const { forgetHostNetworks } = await import('@/lib/networks/hosts');
const { createTenant, updateTenant } = await import('@/lib/tenants');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const acmeOp: User = { id: 'u-ao', username: 'ann', realm: 'local', role: 'operator', tenant: 'acme' };
const vrdeBase = 20000 + Math.floor(Math.random() * 150) * 100;
const teleportBase = 36000 + Math.floor(Math.random() * 80) * 100;
let cluster: TestCluster;
let sim: Sim;
let hosts: HostView[] = [];
const [ALPHA, BRAVO, CHARLIE] = [0, 1, 2];
const BRIDGE = ['br-lab-a', 'br-lab-b', 'br-lab-c'];
let labId = '';
let acmeId = '';

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const request = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const core = (i: number, id: string): MachineCore | undefined => sim.hosts[i].sim.findCore(id);

async function preflight(id: string, target: number): Promise<Preflight> {
  const r = await preflightRoute(request('GET', `/api/v1/vms/${id}/teleport/preflight?target=${hosts[target].id}`), ctx(id));
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body as Preflight;
}
const networkCheck = (p: Preflight) => p.checks.find((c) => c.id === 'network')!;

/** lab mapped on these hosts (each its own bridge name), the hosts' facts read again. */
async function labOn(...which: number[]): Promise<void> {
  await updateNetwork(labId, { hosts: which.map((i) => ({ hostId: hosts[i].id, name: BRIDGE[i] })) });
  forgetHostNetworks();
}

/** A machine on a host, its disk on the shared storage: NIC 1 bridged to vbox0 (raw), NIC 2 on lab (br-lab-a). */
function addMachine(i: number, name: string, o: { run?: boolean; memoryMB?: number } = {}): MachineCore {
  const h = sim.hosts[i].sim;
  const disk = Medium.create(h, 'VDI', path.join(sim.storageDir, `${name}.vdi`), 'HardDisk');
  disk.rec.logicalSize = 1024 ** 3;
  disk.writeImage();
  disk.state = 'Created';
  h.registerMedium(disk);
  const c = h.addMachine(name, (m) => {
    const s = m.settings;
    s.osTypeId = 'Debian12_64';
    s.memorySize = o.memoryMB ?? 1024;
    s.ioapicEnabled = true;
    s.nics[0] = { ...s.nics[0], enabled: true, adapterType: 'I82545EM', attachmentType: 'Bridged', bridgedInterface: 'vbox0' };
    s.nics[1] = { ...s.nics[1], enabled: true, adapterType: 'I82545EM', MACAddress: `080027AB00${(10 + i).toString(16)}${name.length % 10}`, attachmentType: 'Bridged', bridgedInterface: BRIDGE[i] };
    s.storageControllers = [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, useHostIOCache: false, instance: 0 }];
    s.attachments = [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk', mediumId: disk.rec.id }];
    s.vrde = { ...s.vrde, enabled: true, extPack: 'VNC', properties: { 'TCP/Ports': sim.hosts[i].vrdePorts } };
    s.extraData = { 'nimbox/network/1': 'lab' };
  });
  return c;
}

const M: Record<string, MachineCore> = {};

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 3, port: 0, vms: 0, vrdeBase, host: teleportHosts(teleportBase), machines: 2, hostsUp: true, timeoutMs: 20_000,
    prepare: async (started) => {
      sim = started;
      for (const [i, h] of sim.hosts.entries()) {
        h.sim.host.interfaces.push(new HostNetworkInterface({ name: BRIDGE[i], ip: '', mask: '', mac: `3c:ec:ef:00:03:0${i}`, type: 'Bridged' }, h.sim.host.interfaces.length));
      }
      M.tp = addMachine(ALPHA, 'net-tp');
      await sim.hosts[ALPHA].sim.powerOn(M.tp);
      // Off on charlie, whose host lab is not defined on yet.
      M.off = addMachine(CHARLIE, 'net-off');
    },
  });
  hosts = cluster.hosts;
  session.user = admin;
  labId = (await createNetwork({ name: 'lab', kind: 'bridged', hosts: [{ hostId: hosts[ALPHA].id, name: BRIDGE[ALPHA] }] })).id;
  acmeId = (await createTenant({ name: 'acme' })).id;
}, 60_000);

afterAll(async () => {
  stopTeleportJanitor();
  await cluster?.stop();
  dataDir.remove();
});

describe('teleport and drain follow cluster networks', () => {
  it('refuses a teleport to a host without the network, naming the network and the host', async () => {
    session.user = admin;
    const p = await preflight(M.tp.id, BRAVO);
    expect(p.ok).toBe(false);
    const c = networkCheck(p);
    expect(c.status).toBe('failed');
    expect(c.detail).toMatch(/^NIC 2 is on cluster network lab, which vbox-bravo lacks \(.*lab.*vbox-bravo.*\)\.$/);
    expect(c.fix).toContain('Define lab on vbox-bravo');
    const r = await teleportRoute(request('POST', `/api/v1/vms/${M.tp.id}/teleport`, { target: hosts[BRAVO].id }), ctx(M.tp.id));
    expect(r.status).toBe(409);
    expect(JSON.stringify(await r.json())).toContain('NIC 2 is on cluster network lab, which vbox-bravo lacks');
    // Nothing was made on bravo.
    expect(core(BRAVO, M.tp.id)).toBeUndefined();
  });

  it('teleports once the network is on the target, the copy there bound to its own bridge', async () => {
    session.user = admin;
    await labOn(ALPHA, BRAVO);
    const p = await preflight(M.tp.id, BRAVO);
    expect(networkCheck(p)).toMatchObject({ status: 'passed', detail: 'cluster network lab, vbox0 are on vbox-bravo too.' });
    expect(p.ok, JSON.stringify(p.checks.filter((x) => x.status === 'failed'))).toBe(true);
    const r = await teleportRoute(request('POST', `/api/v1/vms/${M.tp.id}/teleport`, { target: hosts[BRAVO].id }), ctx(M.tp.id));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(202);
    const task = await waitForTask(body.id, 30_000);
    expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
    const there = core(BRAVO, M.tp.id)!;
    expect(there.state).toBe('Running');
    expect(there.settings.nics[1]).toMatchObject({ attachmentType: 'Bridged', bridgedInterface: 'br-lab-b' });
    expect(there.settings.nics[0]).toMatchObject({ attachmentType: 'Bridged', bridgedInterface: 'vbox0' });
    expect(there.settings.extraData['nimbox/network/1']).toBe('lab');
    // The copy left on alpha keeps alpha's bridge; the two compare equal (same network), so going back needs no update.
    expect(core(ALPHA, M.tp.id)!.settings.nics[1].bridgedInterface).toBe('br-lab-a');
    await until('the inventory shows it on bravo', () => getInventory().machine(M.tp.id)?.hostId === hosts[BRAVO].id);
    const back = await preflight(M.tp.id, ALPHA);
    expect(back.twin).toBe('ready');
    expect(networkCheck(back).status).toBe('passed');
  }, 60_000);

  it('drains past a host without the network, and says why', async () => {
    session.user = admin;
    // charlie has the most free memory, but not lab: the machine goes to alpha.
    await setMaintenance(hosts[BRAVO].id, true);
    try {
      const started = await startDrain(hosts[BRAVO].id, admin, { inventory: getInventory() });
      const task: Task = await waitForTask(started.id, 60_000);
      expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
      expect(task.message).toMatch(/net-tp → vbox-alpha \(not vbox-charlie: .*lab.*vbox-charlie.*\)/);
      expect(core(ALPHA, M.tp.id)!.state).toBe('Running');
      expect(core(ALPHA, M.tp.id)!.settings.nics[1].bridgedInterface).toBe('br-lab-a');
      expect(core(CHARLIE, M.tp.id)).toBeUndefined();
    } finally {
      await setMaintenance(hosts[BRAVO].id, false);
    }
  }, 90_000);
});

describe('starting a machine on a host', () => {
  it('refuses a start where the network is missing (409 naming it and the host), and binds the adapter where it is not', async () => {
    session.user = admin;
    const refused = await actionRoute(request('POST', `/api/v1/vms/${M.off.id}/actions`, { action: 'start' }), ctx(M.off.id));
    const problem = await refused.json();
    expect(refused.status).toBe(409);
    expect(problem.detail).toMatch(/^net-off is on cluster network lab, which vbox-charlie lacks: .*lab.*vbox-charlie/);
    expect(core(CHARLIE, M.off.id)!.state).toBe('PoweredOff');

    // The machine came from alpha: its NIC 2 still names alpha's bridge. Once lab is on charlie, the start binds it to charlie's.
    core(CHARLIE, M.off.id)!.settings.nics[1].bridgedInterface = 'br-lab-a';
    await labOn(ALPHA, BRAVO, CHARLIE);
    const ok = await actionRoute(request('POST', `/api/v1/vms/${M.off.id}/actions`, { action: 'start' }), ctx(M.off.id));
    const body = await ok.json();
    expect(ok.status, JSON.stringify(body)).toBe(202);
    const task = await waitForTask(body.id, 20_000);
    expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
    expect(core(CHARLIE, M.off.id)!.state).toBe('Running');
    expect(core(CHARLIE, M.off.id)!.settings.nics[1]).toMatchObject({ attachmentType: 'Bridged', bridgedInterface: 'br-lab-c' });
    await labOn(ALPHA, BRAVO);
  }, 60_000);
});

describe('POST /api/v1/vms with nic.network', () => {
  const create = (body: Record<string, unknown>) => createRoute(request('POST', '/api/v1/vms', { osTypeId: 'Debian12_64', memoryMB: 256, ...body }));

  it('places the machine only on a host that has the network, adapter 1 on that host\'s bridge', async () => {
    session.user = admin;
    // charlie has the most free memory but not lab; twins only where lab is.
    const r = await create({ name: 'net-new', nic: { network: 'lab' }, registerOnOtherHosts: true });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(202);
    const task = await waitForTask(body.id, 20_000);
    expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
    const id = task.targetId;
    const made = sim.hosts.map((h) => h.sim.findCore(id));
    expect(made[CHARLIE]).toBeUndefined();
    for (const i of [ALPHA, BRAVO]) {
      expect(made[i]!.settings.nics[0]).toMatchObject({ enabled: true, attachmentType: 'Bridged', bridgedInterface: BRIDGE[i] });
      expect(made[i]!.settings.extraData['nimbox/network/0']).toBe('lab');
    }
  }, 60_000);

  it('refuses a host without the network, naming nic.network', async () => {
    session.user = admin;
    const r = await create({ name: 'net-charlie', hostId: hosts[CHARLIE].id, nic: { network: 'lab' } });
    const body = await r.json();
    expect(r.status).toBe(400);
    expect(body.errors).toEqual([{ field: 'nic.network', message: expect.stringMatching(/lab.*vbox-charlie/) }]);
  });

  it('refuses a tenant a network it may not use (400 nic.network), and an unknown one alike', async () => {
    session.user = acmeOp;
    for (const network of ['lab', 'nowhere']) {
      const r = await create({ name: `acme-${network}`, nic: { network } });
      const body = await r.json();
      expect(r.status).toBe(400);
      expect(body.errors).toEqual([{ field: 'nic.network', message: `No cluster network ${network} you may use` }]);
    }
    expect(getInventory().machines().some((m) => m.name.startsWith('acme-'))).toBe(false);

    // Allowed by an admin: the tenant's machine goes on lab.
    await updateTenant(acmeId, { allowedNetworkIds: [labId] });
    const r = await create({ name: 'acme-lab', nic: { network: 'lab' } });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(202);
    const task = await waitForTask(body.id, 20_000);
    expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
    const made = sim.hosts.map((h) => h.sim.findCore(task.targetId));
    expect(made[BRAVO]!.settings.nics[0]).toMatchObject({ attachmentType: 'Bridged', bridgedInterface: 'br-lab-b' });
    expect(made[BRAVO]!.settings.extraData).toMatchObject({ 'nimbox/network/0': 'lab', 'nimbox/tenant': 'acme' });
  }, 30_000);
});
