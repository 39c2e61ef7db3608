import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import type { MachineDetail } from '@/lib/cluster/types';
import type { HostView } from '@/lib/db/hosts';
import type { Task } from '@/lib/tasks';
import type { Sim } from '@/sim/index';

/*
 * Creating, editing and deleting machines through the API, against three real vboxsim hosts
 * registered in a SQLite file. Only `currentUser` (the session boundary next-auth owns) is
 * replaced; route(), the policy, validation, the inventory and the task framework are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-vm-ops-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: create } = await import('./route');
const { GET: detail, PATCH: edit, DELETE: remove } = await import('./[id]/route');
const { GET: capabilities } = await import('../hosts/[id]/capabilities/route');
const { getDb } = await import('@/lib/db');
const { updateHost } = await import('@/lib/db/hosts');
const { getInventory } = await import('@/lib/cluster/inventory');
const { forgetCapabilities } = await import('@/lib/cluster/operations');
const { cancelTask, onTaskChanged, waitForTask } = await import('@/lib/tasks');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const viewer: User = { id: 'u2', username: 'viewer', realm: 'local', role: 'viewer' };
const VNC_SECRET = 'vnc-s3cret';
let cluster: TestCluster;
let sim: Sim;
const hosts: HostView[] = [];
const vrdeBase = 30000 + Math.floor(Math.random() * 200) * 100;
/** The VRDE range Nimbox gives new machines on host i (the demo machines use the lower part of the sim's range). */
const rangeOf = (i: number) => `${vrdeBase + 1000 * i + 500}-${vrdeBase + 1000 * i + 599}`;

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const json = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const post = (body: unknown) => create(json('POST', '/api/v1/vms', body));

/** A 202 with a task: waits for its end. */
async function finished(r: Response): Promise<Task> {
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(202);
  expect(r.headers.get('location')).toBe(`/api/v1/tasks/${body.id}`);
  return waitForTask(body.id, 20_000);
}

async function problem(r: Response, status: number) {
  const p = await r.json();
  expect(r.status, JSON.stringify(p)).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  return p as { title: string; detail: string; errors?: { field: string; message: string }[]; resultCode?: string };
}

const fieldsOf = (p: { errors?: { field: string }[] }) => (p.errors ?? []).map((e) => e.field).sort();
const core = (hostIndex: number, id: string) => sim.hosts[hostIndex].sim.findCore(id);
const base = (name: string, extra: Record<string, unknown> = {}) => ({ name, osTypeId: 'Debian12_64', memoryMB: 1024, ...extra });

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 3, port: 0, vms: 2, vrdeBase,
    host: ({ sim: s, index }) => ({ storagePath: s.storageDir, vrdePorts: rangeOf(index), bridgeAdapter: 'vbox0' }),
    machines: 6, hostsUp: true,
  });
  ({ sim } = cluster);
  hosts.push(...cluster.hosts);
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('GET /api/v1/hosts/:id/capabilities', () => {
  it("lists the host's OS types, bridged interfaces, free memory, CPUs and storage path", async () => {
    // A tenant's viewer (a non-admin without a tenant may use no host).
    session.user = { ...viewer, tenant: 'blue' };
    const r = await capabilities(new Request('http://localhost/x'), ctx(hosts[0].id));
    expect(r.status).toBe(200);
    const c = await r.json();
    // A tenant bridges only to the default bridge: the host's other interfaces are named to admins only (issue 15).
    expect(c).toMatchObject({ hostId: hosts[0].id, bridgedInterfaces: ['vbox0'], storagePath: sim.storageDir, bridgeAdapter: 'vbox0', vrdePorts: rangeOf(0), maintenance: false });
    expect(c.cpus).toBeGreaterThan(0);
    expect(c.memoryAvailableMB).toBeGreaterThan(0);
    expect(c.osTypes).toContainEqual({ id: 'Debian12_64', description: 'Debian 12 Bookworm (64-bit)', familyId: 'Linux', is64Bit: true, recommendedRAM: 2048, recommendedHDDBytes: 20 * 1024 ** 3 });
    expect((await capabilities(new Request('http://localhost/x'), ctx('no-such-host'))).status).toBe(404);
    session.user = admin;
    expect((await (await capabilities(new Request('http://localhost/x'), ctx(hosts[0].id))).json()).bridgedInterfaces).toEqual(['eno1', 'br0', 'vbox0']);
  });

  it('tells each caller where it may name disks and ISO images from: a tenant its folder and the ISO library', async () => {
    session.user = { ...viewer, tenant: 'blue' };
    const c = await (await capabilities(new Request('http://localhost/x'), ctx(hosts[0].id))).json();
    expect(c.mediaFolders).toEqual({ disks: `${sim.storageDir}/tenants/blue`, isos: [`${sim.storageDir}/iso`, `${sim.storageDir}/tenants/blue`] });
    session.user = admin;
    expect((await (await capabilities(new Request('http://localhost/x'), ctx(hosts[0].id))).json()).mediaFolders).toEqual({ disks: sim.storageDir, isos: [sim.storageDir] });
  });
});

describe('POST /api/v1/vms', () => {
  it('creates a machine with a new disk on the chosen host: settings as asked, disk on the shared storage, runnable, in the inventory', async () => {
    session.user = admin;
    const messages: string[] = [];
    const off = onTaskChanged((t) => { if (t.kind === 'vm.create') messages.push(t.message); });
    const task = await finished(await post({
      name: 'app-01', description: 'made by the test', hostId: hosts[0].id, osTypeId: 'Debian12_64', cpuCount: 2, memoryMB: 2048,
      hpet: true, disk: { new: { sizeGB: 8 } }, vrde: { password: VNC_SECRET },
    }));
    off();
    expect(task).toMatchObject({ kind: 'vm.create', status: 'succeeded', percent: 100, title: 'Create app-01 on vbox-alpha', targetName: 'app-01', hostId: hosts[0].id, error: null });
    expect(task.targetId).toMatch(/^[0-9a-f-]{36}$/);
    // Progress events are at most ~10/s, so quick steps may be folded together; the disk's IProgress is followed.
    expect(messages).toContain('Creating disk');
    expect(messages.some((m) => m.includes('medium storage unit'))).toBe(true);
    expect(task.message).toBe('Created app-01 on vbox-alpha');
    expect(JSON.stringify(messages) + JSON.stringify(task)).not.toContain(VNC_SECRET);

    const disk = path.join(sim.storageDir, 'app-01', 'app-01.vdi');
    expect(fs.existsSync(disk)).toBe(true);
    const inv = getInventory();
    await until('the machine in the inventory', () => inv.machine(task.targetId));
    expect(inv.machine(task.targetId)).toMatchObject({ name: 'app-01', hostName: 'vbox-alpha', state: 'PoweredOff', cpuCount: 2, memoryMB: 2048, osTypeId: 'Debian12_64' });

    const d: MachineDetail = await (await detail(new Request('http://localhost/x'), ctx(task.targetId))).json();
    expect(d).toMatchObject({
      description: 'made by the test', ioapic: true, acpi: true, hpet: true, rtcUseUTC: true, hwVirt: true, nestedPaging: true,
      bootOrder: ['Network', 'HardDisk', 'DVD'], vrde: { enabled: true, ports: rangeOf(0), hasPassword: true },
    });
    expect(d.networkAdapters[0]).toMatchObject({ enabled: true, adapterType: 'I82545EM', attachmentType: 'Bridged', bridgedInterface: 'vbox0', cableConnected: true });
    expect(d.disks).toEqual([
      expect.objectContaining({ controller: 'SATA', port: 0, type: 'HardDisk', location: disk, format: 'VDI', logicalSizeBytes: 8 * 1024 ** 3 }),
      expect.objectContaining({ controller: 'SATA', port: 1, type: 'DVD', location: null }),
    ]);
    expect(JSON.stringify(d)).not.toContain(VNC_SECRET);
    const settings = core(0, task.targetId)!.settings;
    expect(settings).toMatchObject({ audioEnabled: false, clipboardMode: 'Disabled', id: task.targetId });

    // It runs, with its VNC screen on a port of the host's range.
    const c = core(0, task.targetId)!;
    await sim.hosts[0].sim.powerOn(c);
    expect(c.state).toBe('Running');
    const [lo, hi] = rangeOf(0).split('-').map(Number);
    expect(c.vm!.vrdePort).toBeGreaterThanOrEqual(lo);
    expect(c.vm!.vrdePort).toBeLessThanOrEqual(hi);
    await c.vm!.end('PoweredOff');
  });

  it('places automatically on the up host with the most free memory, skipping maintenance and hosts without the bridge', async () => {
    session.user = admin;
    const db = await getDb();
    const placed = async (name: string) => {
      const t = await finished(await post(base(name)));
      expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
      return t.hostId;
    };
    // charlie has the most memory (192 GB), then bravo (128 GB), then alpha (64 GB).
    expect(await placed('auto-1')).toBe(hosts[2].id);
    await updateHost(db, hosts[2].id, { maintenance: true });
    expect(await placed('auto-2')).toBe(hosts[1].id);
    // bravo loses its vbox0 interface: only alpha has the bridge.
    const bravo = sim.hosts[1].sim.host;
    const saved = [...bravo.interfaces];
    bravo.interfaces.splice(bravo.interfaces.findIndex((i) => i.spec.name === 'vbox0'), 1);
    forgetCapabilities();
    try {
      expect(await placed('auto-3')).toBe(hosts[0].id);
      // No host has this interface: 409 saying why each host was passed over.
      const p = await problem(await post(base('auto-4', { nic: { bridgedInterface: 'nope0' } })), 409);
      expect(p.detail).toContain('vbox-charlie is in maintenance');
      expect(p.detail).toContain('vbox-alpha has no bridged interface nope0');
    } finally {
      bravo.interfaces.splice(0, bravo.interfaces.length, ...saved);
      forgetCapabilities();
      await updateHost(db, hosts[2].id, { maintenance: false });
    }
    // A host chosen by hand that is in maintenance is refused too.
    await updateHost(db, hosts[1].id, { maintenance: true });
    const p = await problem(await post(base('auto-5', { hostId: hosts[1].id })), 409);
    expect(fieldsOf(p)).toEqual(['hostId']);
    await updateHost(db, hosts[1].id, { maintenance: false });
  });

  it('registers the same machine (same UUID, same disk) on another host too: the twins', async () => {
    session.user = admin;
    const task = await finished(await post(base('twin-01', { hostId: hosts[0].id, disk: { new: { sizeGB: 4 } }, registerOnOtherHosts: [hosts[1].id] })));
    expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
    expect(task.message).toBe('Created twin-01 on vbox-alpha, registered on vbox-bravo');
    const [a, b] = [core(0, task.targetId), core(1, task.targetId)];
    expect(a?.name).toBe('twin-01');
    expect(b?.name).toBe('twin-01');
    expect(b!.settings.vrde.properties['TCP/Ports']).toBe(rangeOf(1));
    const disk = path.join(sim.storageDir, 'twin-01', 'twin-01.vdi');
    const diskOn = (i: number, id: string) => sim.hosts[i].sim.findMedium(sim.hosts[i].sim.findCore(id)!.settings.attachments.find((x) => x.type === 'HardDisk')!.mediumId!)!;
    expect(diskOn(0, task.targetId).rec.location).toBe(disk);
    expect(diskOn(1, task.targetId).rec.id).toBe(diskOn(0, task.targetId).rec.id);
    await until('one row with its twin', () => getInventory().machine(task.targetId)?.twins.length === 1);
    const row = getInventory().machine(task.targetId)!;
    expect([row.hostName, ...row.twins.map((x) => x.hostName)].sort()).toEqual(['vbox-alpha', 'vbox-bravo']);
  });

  it('refuses a taken name with 409 naming the field', async () => {
    session.user = admin;
    for (const name of ['web-a1', 'WEB-A1', 'db-c2']) {
      const p = await problem(await post(base(name)), 409);
      expect(p.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
    }
  });

  it('answers 400 naming each invalid field, before anything is made', async () => {
    session.user = admin;
    let p = await problem(await post({
      name: 'bad/name', osTypeId: '', memoryMB: 0, cpuCount: 100, nic: { adapterType: 'E1000' }, bootOrder: ['Disk'], disk: { new: { sizeGB: 0 } }, extra: true,
    }), 400);
    expect(fieldsOf(p)).toEqual(['body', 'bootOrder.0', 'cpuCount', 'disk.new.sizeGB', 'memoryMB', 'name', 'nic.adapterType', 'osTypeId']);
    // What the chosen host cannot do is named too.
    p = await problem(await post(base('bad-2', {
      hostId: hosts[0].id, osTypeId: 'Amiga_64', nic: { bridgedInterface: 'nope0' }, disk: { existing: '/etc/passwd' }, iso: `${sim.storageDir}/../escape.iso`,
    })), 400);
    expect(fieldsOf(p)).toEqual(['disk.existing', 'iso', 'nic.bridgedInterface', 'osTypeId']);
    p = await problem(await post(base('bad-3', { hostId: 'no-such-host' })), 400);
    expect(fieldsOf(p)).toEqual(['hostId']);
    // A new disk needs the host's shared-storage path.
    const db = await getDb();
    await updateHost(db, hosts[2].id, { storagePath: null });
    try {
      p = await problem(await post(base('bad-4', { hostId: hosts[2].id, disk: { new: { sizeGB: 1 } } })), 400);
      expect(fieldsOf(p)).toEqual(['disk']);
    } finally {
      await updateHost(db, hosts[2].id, { storagePath: sim.storageDir });
    }
    expect(fs.existsSync(path.join(sim.storageDir, 'bad-4'))).toBe(false);
    expect(getInventory().machines().some((m) => m.name.startsWith('bad'))).toBe(false);
    // Others may read but not create.
    session.user = viewer;
    expect((await post(base('viewer-1'))).status).toBe(403);
  });

  it('rolls back when a step fails, on every host, and names the step', async () => {
    session.user = admin;
    const alpha = sim.hosts[0].sim;
    const bravo = sim.hosts[1].sim;
    // Nimbox puts a machine's settings on the shared storage, in a folder named by its UUID.
    const settingsLeft = (id: string) => fs.existsSync(path.join(sim.storageDir, 'machines', id));

    // An existing disk that is not there: VirtualBox refuses it at "Attaching disk" (openMedium answers
    // VBOX_E_OBJECT_NOT_FOUND, with the file error's text); the registered machine goes again.
    let t = await finished(await post(base('rb-1', { hostId: hosts[0].id, disk: { existing: path.join(sim.storageDir, 'missing.vdi') } })));
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ step: 'Attaching disk', resultCode: 'VBOX_E_OBJECT_NOT_FOUND' });
    expect(t.error!.detail).toContain('missing.vdi');
    expect(alpha.machines().some((c) => c.name === 'rb-1' || c.id === t.targetId)).toBe(false);
    expect(settingsLeft(t.targetId)).toBe(false);

    // A new disk and an ISO that is not there: the disk made before goes too.
    t = await finished(await post(base('rb-2', { hostId: hosts[0].id, disk: { new: { sizeGB: 2 } }, iso: path.join(sim.storageDir, 'missing.iso') })));
    expect(t.error).toMatchObject({ step: 'Attaching ISO', resultCode: 'VBOX_E_OBJECT_NOT_FOUND' });
    expect(t.error!.detail).toContain('missing.iso');
    expect(fs.existsSync(path.join(sim.storageDir, 'rb-2', 'rb-2.vdi'))).toBe(false);
    expect(alpha.media().some((m) => m.rec.location.includes('rb-2'))).toBe(false);
    expect(alpha.machines().some((c) => c.name === 'rb-2')).toBe(false);

    // The twin's host refuses (a settings file is in the way): the machine and disk made on alpha go too.
    const blocker = path.join(sim.stateDir, 'vbox-bravo', 'Machines', 'rb-3', 'rb-3.vbox');
    fs.mkdirSync(path.dirname(blocker), { recursive: true });
    fs.writeFileSync(blocker, '{}');
    t = await finished(await post(base('rb-3', { hostId: hosts[0].id, disk: { new: { sizeGB: 2 } }, registerOnOtherHosts: [hosts[1].id] })));
    expect(t.error).toMatchObject({ step: 'Registering on vbox-bravo', resultCode: 'VBOX_E_FILE_ERROR' });
    expect(t.error!.detail).toContain('already exists');
    expect(alpha.machines().some((c) => c.name === 'rb-3')).toBe(false);
    expect(bravo.machines().some((c) => c.name === 'rb-3')).toBe(false);
    expect(fs.existsSync(path.join(sim.storageDir, 'rb-3', 'rb-3.vdi'))).toBe(false);
    expect(settingsLeft(t.targetId)).toBe(false);
    fs.rmSync(path.dirname(blocker), { recursive: true });

    // Canceled by a user: undone the same way, and the task ends canceled.
    const r = await post(base('rb-4', { hostId: hosts[0].id, disk: { new: { sizeGB: 2 } } }));
    expect(r.status).toBe(202);
    const started: Task = await r.json();
    expect(started.cancelable).toBe(true);
    await cancelTask(started.id, { id: admin.id, username: admin.username });
    t = await waitForTask(started.id, 20_000);
    expect(t).toMatchObject({ status: 'canceled', message: 'Canceled by admin' });
    expect(alpha.machines().some((c) => c.name === 'rb-4')).toBe(false);
    expect(fs.existsSync(path.join(sim.storageDir, 'rb-4', 'rb-4.vdi'))).toBe(false);

    // Nothing is left in the inventory, and the name is free again.
    await new Promise((r) => setTimeout(r, 300));
    expect(getInventory().machines().some((m) => m.name.startsWith('rb-'))).toBe(false);
    t = await finished(await post(base('rb-1', { hostId: hosts[0].id })));
    expect(t.status).toBe('succeeded');
  });
});

describe('PATCH /api/v1/vms/:id', () => {
  it('changes a powered-off machine on every host it is registered on', async () => {
    session.user = admin;
    const id = getInventory().machines().find((m) => m.name === 'twin-01')!.id;
    const t = await finished(await edit(json('PATCH', `/api/v1/vms/${id}`, {
      name: 'twin-02', description: 'renamed', cpuCount: 3, memoryMB: 3072,
      nic: { bridgedInterface: 'br0', adapterType: 'Virtio', cableConnected: false }, bootOrder: ['HardDisk', 'Network'],
      vrde: { ports: '7100-7110', password: 'n3w-secret' },
    }), ctx(id)));
    expect(t).toMatchObject({ kind: 'vm.edit', status: 'succeeded', targetName: 'twin-02' });
    expect(JSON.stringify(t)).not.toContain('n3w-secret');
    for (const i of [0, 1]) {
      const s = core(i, id)!.settings;
      expect(s).toMatchObject({ name: 'twin-02', description: 'renamed', cpuCount: 3, memorySize: 3072, bootOrder: ['HardDisk', 'Network', 'Null', 'Null'] });
      expect(s.nics[0]).toMatchObject({ bridgedInterface: 'br0', adapterType: 'Virtio', cableConnected: false });
      expect(s.vrde.properties).toMatchObject({ 'TCP/Ports': '7100-7110', VNCPassword: 'n3w-secret' });
    }
    await until('the new name in the inventory', () => getInventory().machine(id)?.name === 'twin-02');
    // The password can be removed again.
    expect((await finished(await edit(json('PATCH', `/api/v1/vms/${id}`, { vrde: { password: null } }), ctx(id)))).status).toBe('succeeded');
    expect(core(1, id)!.settings.vrde.properties.VNCPassword).toBeUndefined();
  });

  it('answers 409 when the machine runs, 400 naming invalid fields, 404 for an unknown machine', async () => {
    session.user = admin;
    const web = getInventory().machines().find((m) => m.name === 'web-a1')!;
    let p = await problem(await edit(json('PATCH', `/api/v1/vms/${web.id}`, { memoryMB: 4096 }), ctx(web.id)), 409);
    expect(p.detail).toContain('Running');
    p = await problem(await edit(json('PATCH', `/api/v1/vms/${web.id}`, { cpuCount: 0, vrde: { ports: 'abc' }, nic: { adapterType: 'X' }, colour: 'red' }), ctx(web.id)), 400);
    expect(fieldsOf(p)).toEqual(['body', 'cpuCount', 'nic.adapterType', 'vrde.ports']);
    p = await problem(await edit(json('PATCH', `/api/v1/vms/${web.id}`, {}), ctx(web.id)), 400);
    expect(fieldsOf(p)).toEqual(['body']);
    const db = getInventory().machines().find((m) => m.name === 'db-a2')!;
    p = await problem(await edit(json('PATCH', `/api/v1/vms/${db.id}`, { name: 'web-b1' }), ctx(db.id)), 409);
    expect(fieldsOf(p)).toEqual(['name']);
    p = await problem(await edit(json('PATCH', `/api/v1/vms/${db.id}`, { nic: { bridgedInterface: 'nope0' } }), ctx(db.id)), 400);
    expect(fieldsOf(p)).toEqual(['nic.bridgedInterface']);
    await problem(await edit(json('PATCH', '/api/v1/vms/00000000-0000-0000-0000-000000000000', { cpuCount: 2 }), ctx('00000000-0000-0000-0000-000000000000')), 404);
  });
});

describe('DELETE /api/v1/vms/:id', () => {
  it('unregisters the machine on every host, keeping its disk unless asked', async () => {
    session.user = admin;
    const id = getInventory().machines().find((m) => m.name === 'twin-02')!.id;
    const disk = path.join(sim.storageDir, 'twin-01', 'twin-01.vdi');
    const t = await finished(await remove(json('DELETE', `/api/v1/vms/${id}?deleteDisks=false`), ctx(id)));
    expect(t).toMatchObject({ kind: 'vm.delete', status: 'succeeded' });
    expect(core(0, id)).toBeUndefined();
    expect(core(1, id)).toBeUndefined();
    expect(fs.existsSync(disk)).toBe(true);
    await until('gone from the inventory', () => !getInventory().machine(id));
  });

  it('deletes the disk files when asked', async () => {
    session.user = admin;
    const id = getInventory().machines().find((m) => m.name === 'app-01')!.id;
    const disk = path.join(sim.storageDir, 'app-01', 'app-01.vdi');
    const t = await finished(await remove(json('DELETE', `/api/v1/vms/${id}?deleteDisks=true`), ctx(id)));
    expect(t).toMatchObject({ status: 'succeeded', title: 'Delete app-01 and its disks' });
    expect(core(0, id)).toBeUndefined();
    expect(fs.existsSync(disk)).toBe(false);
    expect(sim.hosts[0].sim.media().some((m) => m.rec.location === disk)).toBe(false);
  });

  it('answers 409 while the machine runs, 400 for a bad query, 404 for an unknown machine', async () => {
    session.user = admin;
    const web = getInventory().machines().find((m) => m.name === 'web-a1')!;
    const p = await problem(await remove(json('DELETE', `/api/v1/vms/${web.id}?deleteDisks=true`), ctx(web.id)), 409);
    expect(p.detail).toContain('Running');
    expect(core(0, web.id)?.state).toBe('Running');
    expect(fieldsOf(await problem(await remove(json('DELETE', `/api/v1/vms/${web.id}?deleteDisks=maybe`), ctx(web.id)), 400))).toEqual(['deleteDisks']);
    await problem(await remove(json('DELETE', '/api/v1/vms/00000000-0000-0000-0000-000000000000'), ctx('00000000-0000-0000-0000-000000000000')), 404);
    session.user = viewer;
    expect((await remove(json('DELETE', `/api/v1/vms/${web.id}`), ctx(web.id))).status).toBe(403);
  });
});
