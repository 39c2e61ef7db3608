import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { QUICK_TIMING, startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { Task } from '@/lib/tasks';

/*
 * POST /api/v1/vms/:id/clone against two vboxsim hosts sharing one storage folder: first as a hostile
 * tenant would try it (another tenant's machine or snapshot, another tenant to clone into, a host or a
 * name not theirs, the quotas), then full and linked clones end to end, placement on the other host,
 * cancel, and the refusals a linked clone causes (deleting its source, the snapshot it builds on, the
 * disk). Only `currentUser` is replaced; route(), the policy, the inventory and the tasks are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-clone-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: clone } = await import('./route');
const vms = await import('../../route');
const vm = await import('../route');
const snapshots = await import('../snapshots/route');
const snapshot = await import('../snapshots/[snapshotId]/route');
const actions = await import('../actions/route');
const media = await import('../../../media/route');
const medium = await import('../../../media/[id]/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { clearMediaCache } = await import('@/lib/media/inventory');
const { cancelTask, waitForTask, getTask } = await import('@/lib/tasks');
const { createTenant, updateTenant } = await import('@/lib/tenants');
const { getDb } = await import('@/lib/db');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blueOp: User = { id: 'u-bo', username: 'bob', realm: 'local', role: 'operator', tenant: 'blue' };
const blueViewer: User = { id: 'u-bv', username: 'bea', realm: 'local', role: 'viewer', tenant: 'blue' };
const redOp: User = { id: 'u-ro', username: 'rita', realm: 'local', role: 'operator', tenant: 'red' };
const [ALPHA, BRAVO] = [0, 1];

let cluster: TestCluster;
let hosts: HostView[];
let storage: string;
let blueSrc: string;
let redSrc: string;
let redSnapshot: string;
let blueTenantId: string;

const ctx = <P extends Record<string, string>>(params: P) => ({ params: Promise.resolve(params) });
const json = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const as = (u: User) => { session.user = u; };
const post = (id: string, body: unknown) => clone(json('POST', `/api/v1/vms/${id}/clone`, body), ctx({ id }));
const inv = () => getInventory();
const byName = (name: string) => inv().machines().find((m) => m.name === name);

async function problem(r: Response, status: number) {
  const p = await r.json();
  expect(r.status, JSON.stringify(p)).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  return p as { title: string; detail: string; errors?: { field: string; message: string }[]; linkedClones?: { id: string; name: string }[] };
}

async function accepted(r: Response): Promise<Task> {
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(202);
  return body as Task;
}

async function succeeded(r: Response): Promise<Task> {
  const t = await waitForTask((await accepted(r)).id, 30_000);
  expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
  await until(`${t.targetName} in the inventory`, () => inv().machine(t.targetId!), 20_000);
  return t;
}

/** Machines registered on each sim host, by name. */
const registeredOn = (i: number) => cluster.sim.hosts[i].sim.machines().map((m) => m.name);
/** No machine, no files, nothing registered: what a refused or failed clone must leave. */
function nothingNamed(name: string) {
  expect(byName(name)).toBeUndefined();
  for (const i of [ALPHA, BRAVO]) expect(registeredOn(i)).not.toContain(name);
}

/** Deletes a machine with its disks as admin, and waits until the inventory drops it. */
async function removeMachine(name: string) {
  as(admin);
  const id = byName(name)!.id;
  const t = await waitForTask((await accepted(await vm.DELETE(json('DELETE', `/api/v1/vms/${id}?deleteDisks=true`), ctx({ id })))).id, 30_000);
  expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
  await until(`${name} gone from the inventory`, () => !byName(name), 20_000);
}

async function createAs(user: User, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  as(user);
  const t = await succeeded(await vms.POST(json('POST', '/api/v1/vms', { name, osTypeId: 'Debian12_64', memoryMB: 64, hostId: hosts[ALPHA].id, disk: { new: { sizeGB: 1 } }, ...extra })));
  return t.targetId!;
}

async function takeSnapshot(user: User, id: string, name: string): Promise<string> {
  as(user);
  await succeeded(await snapshots.POST(json('POST', `/api/v1/vms/${id}/snapshots`, { name }), ctx({ id })));
  const tree = await (await snapshots.GET(json('GET', `/api/v1/vms/${id}/snapshots`), ctx({ id }))).json();
  return tree.current as string;
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0, timing: QUICK_TIMING, vrdeBase: 31000 + Math.floor(Math.random() * 150) * 100, machines: 0, hostsUp: true,
    host: ({ sim, info }) => ({ storagePath: sim.storageDir, vrdePorts: info.vrdePorts }),
  });
  hosts = cluster.hosts;
  storage = cluster.sim.storageDir;
  blueTenantId = (await createTenant({ name: 'blue' })).id;
  await createTenant({ name: 'red' });
  blueSrc = await createAs(blueOp, 'blue-src');
  redSrc = await createAs(redOp, 'red-src');
  redSnapshot = await takeSnapshot(redOp, redSrc, 'red-snap');
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await (await getDb()).destroy();
  dataDir.remove();
});

describe('a hostile tenant', () => {
  it('cannot clone another tenant\'s machine: it looks absent', async () => {
    as(blueOp);
    await problem(await post(redSrc, { name: 'stolen' }), 404);
    as(redOp);
    await problem(await post(blueSrc, { name: 'stolen', tenant: 'red' }), 404);
    nothingNamed('stolen');
  });

  it('cannot clone as a viewer, nor into another tenant', async () => {
    as(blueViewer);
    await problem(await post(blueSrc, { name: 'viewed' }), 403);
    as(blueOp);
    const p = await problem(await post(blueSrc, { name: 'moved', tenant: 'red' }), 403);
    expect(p.errors).toEqual([{ field: 'tenant', message: 'Only tenant blue' }]);
    nothingNamed('viewed');
    nothingNamed('moved');
  });

  it('cannot name another machine\'s snapshot', async () => {
    as(blueOp);
    const p = await problem(await post(blueSrc, { name: 'snapped', snapshotId: redSnapshot }), 404);
    expect(p.errors).toEqual([{ field: 'snapshotId', message: 'No such snapshot of this machine' }]);
    expect(p.detail).not.toContain('red');
  });

  it('learns nothing of the machine holding a name', async () => {
    as(blueOp);
    const p = await problem(await post(blueSrc, { name: 'RED-SRC' }), 409);
    expect(p.detail).toBe('The name "RED-SRC" is taken.');
    expect(p.errors).toEqual([{ field: 'name', message: 'This name is taken' }]);
  });

  it('cannot place the clone on a host the tenant may not use', async () => {
    await updateTenant(blueTenantId, { allowedHostIds: [hosts[ALPHA].id] });
    try {
      as(blueOp);
      const p = await problem(await post(blueSrc, { name: 'elsewhere', hostId: hosts[BRAVO].id }), 409);
      expect(p.errors).toEqual([{ field: 'hostId', message: "Not one of tenant blue's hosts" }]);
    } finally {
      await updateTenant(blueTenantId, { allowedHostIds: [] });
    }
  });

  it("bridges its clone only to the host's default bridge, as its new machines", async () => {
    const { hostCapabilities } = await import('@/lib/cluster/operations');
    const other = (await hostCapabilities(hosts[ALPHA].id)).bridgedInterfaces.find((b) => b !== hosts[ALPHA].bridgeAdapter);
    expect(other).toBeTruthy();
    as(blueOp);
    const p = await problem(await post(blueSrc, { name: 'bridged', nic: { bridgedInterface: other } }), 400);
    expect(p.errors).toEqual([{ field: 'nic.bridgedInterface', message: `Only the host's default bridge (${hosts[ALPHA].bridgeAdapter} on ${hosts[ALPHA].name}), or a cluster network your tenant may use` }]);
    nothingNamed('bridged');
  });

  it('is held to the quotas: machines, memory, and a full clone\'s disks (a linked clone\'s are differencing images)', async () => {
    const used = inv().machines().filter((m) => m.tenant === 'blue');
    await updateTenant(blueTenantId, { maxMachines: used.length });
    as(blueOp);
    let p = await problem(await post(blueSrc, { name: 'over' }), 409);
    expect(p.errors).toEqual([{ field: 'tenant', message: `Exceeds tenant blue's machine-count quota (${used.length}) by 1` }]);
    await updateTenant(blueTenantId, { maxMachines: null, maxMemoryMB: used.reduce((s, m) => s + m.memoryMB, 0) + 100 });
    p = await problem(await post(blueSrc, { name: 'over', memoryMB: 101 }), 409);
    expect(p.errors).toEqual([{ field: 'memoryMB', message: `Exceeds tenant blue's memory quota (${used.reduce((s, m) => s + m.memoryMB, 0) + 100} MB) by 1 MB` }]);
    // blue's disk is 1 GB: a full copy does not fit in 1 GB, a linked clone does.
    await updateTenant(blueTenantId, { maxMemoryMB: null, maxDiskGB: 1 });
    try {
      p = await problem(await post(blueSrc, { name: 'over' }), 409);
      expect(p.errors).toEqual([{ field: 'mode', message: "Exceeds tenant blue's disk quota of 1 GB: 1 GB used, 1 GB asked" }]);
      nothingNamed('over');
      const t = await succeeded(await post(blueSrc, { name: 'thin', mode: 'linked' }));
      expect(inv().machine(t.targetId!)).toMatchObject({ name: 'thin', tenant: 'blue' });
      // What the linked clone writes counts: its differencing image grows (its file, as a guest's writes make it).
      const folder = path.join(storage, 'tenants', 'blue', 'machines', t.targetId!);
      const diff = fs.readdirSync(folder, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.vdi'))!;
      fs.truncateSync(path.join(folder, diff), 600 * 1024 ** 2);
      clearMediaCache();
      p = await problem(await post(blueSrc, { name: 'thin2', mode: 'linked' }), 409);
      expect(p.errors).toEqual([{ field: 'mode', message: expect.stringMatching(/^Exceeds tenant blue's disk quota of 1 GB: 1\.\d+ GB used, 0 GB asked$/) }]);
      nothingNamed('thin2');
    } finally {
      await updateTenant(blueTenantId, { maxDiskGB: null });
    }
  });

  it('sees only its own tenant\'s linked clones in the media list', async () => {
    as(admin);
    // An admin makes a linked clone of blue's machine for red.
    await succeeded(await post(blueSrc, { name: 'red-thin', mode: 'linked', tenant: 'red' }));
    const disk = path.join(storage, 'tenants', 'blue', 'blue-src', 'blue-src.vdi');
    const row = async () => ((await (await media.GET(json('GET', '/api/v1/media'))).json()).items as { id: string; location: string; linkedClones?: { name: string }[] }[])
      .find((r) => r.location === disk);
    expect((await row())?.linkedClones?.map((c) => c.name)).toEqual(['red-thin', 'thin']);
    as(blueOp);
    expect((await row())?.linkedClones?.map((c) => c.name)).toEqual(['thin']);
    // Nor can the disk go.
    const diskId = (await row())!.id;
    const d = await problem(await medium.DELETE(json('DELETE', `/api/v1/media/${diskId}`), ctx({ id: diskId })), 409);
    expect(d.detail).toBe('Cannot delete blue-src.vdi: linked clones thin and 1 other machine build on it. Delete those clones first.');
    // Deleting blue's machine is refused; blue hears of its own clone and that one more exists.
    const p = await problem(await vm.DELETE(json('DELETE', `/api/v1/vms/${blueSrc}`), ctx({ id: blueSrc })), 409);
    expect(p.detail).toBe('Cannot delete blue-src: linked clones thin and 1 other machine build on its disks. Delete those clones first.');
    expect(p.linkedClones).toEqual([{ id: byName('thin')!.id, name: 'thin' }]);
    for (const name of ['thin', 'red-thin']) await removeMachine(name);
  });
});

describe('validation', () => {
  it('answers 400 naming each field', async () => {
    as(blueOp);
    const p = await problem(await post(blueSrc, { name: ' x', mode: 'deep', cpuCount: 0, macPolicy: 'all', snapshotId: 'nope' }), 400);
    expect(p.errors?.map((e) => e.field).sort()).toEqual(['cpuCount', 'macPolicy', 'mode', 'name', 'snapshotId']);
    const q = await problem(await post(blueSrc, { name: 'two-nics', nic: { network: 'lab', bridgedInterface: 'eth0' } }), 400);
    expect(q.errors).toEqual([{ field: 'nic.network', message: 'A cluster network or a bridged interface, not both' }]);
  });
});

describe('clones end to end', () => {
  it('makes a full clone of the current state beside its settings, with the overrides, and a task a tenant follows', async () => {
    as(blueOp);
    const { hostCapabilities } = await import('@/lib/cluster/operations');
    // A tenant bridges to the host's default bridge only (admins to any of its interfaces).
    const bridge = hosts[ALPHA].bridgeAdapter;
    expect((await hostCapabilities(hosts[ALPHA].id)).bridgedInterfaces).toContain(bridge);
    const started = await accepted(await post(blueSrc, { name: 'blue-copy', cpuCount: 2, memoryMB: 96, description: 'copy', macPolicy: 'new', nic: { bridgedInterface: bridge } }));
    expect(started).toMatchObject({ kind: 'vm.clone', targetType: 'vm', targetName: 'blue-copy' });
    const t = await waitForTask(started.id, 30_000);
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    await until('blue-copy in the inventory', () => inv().machine(t.targetId!), 20_000);
    expect(inv().machine(t.targetId!)).toMatchObject({ name: 'blue-copy', tenant: 'blue', cpuCount: 2, memoryMB: 96, hostId: hosts[ALPHA].id, twins: [] });
    const folder = path.join(storage, 'tenants', 'blue', 'machines', t.targetId!);
    expect(fs.readdirSync(folder).sort()).toEqual(expect.arrayContaining(['blue-copy.vbox', 'blue-copy.vdi']));
    const copy = cluster.sim.hosts[ALPHA].sim.machines().find((m) => m.id === t.targetId)!;
    const source = cluster.sim.hosts[ALPHA].sim.machines().find((m) => m.id === blueSrc)!;
    expect(copy.settings.description).toBe('copy');
    expect(copy.settings.nics[0]).toMatchObject({ enabled: true, attachmentType: 'Bridged', bridgedInterface: bridge });
    expect(copy.settings.extraData?.['nimbox/tenant']).toBe('blue');
    expect(copy.settings.nics[0].MACAddress).not.toBe(source.settings.nics[0].MACAddress);
    expect(registeredOn(BRAVO)).not.toContain('blue-copy');
    await removeMachine('blue-copy');
  });

  it('registers a full clone on the other host when asked, keeping every MAC', async () => {
    as(blueOp);
    const t = await succeeded(await post(blueSrc, { name: 'blue-far', hostId: hosts[BRAVO].id, macPolicy: 'keepAll' }));
    await until('blue-far on bravo only', () => inv().machine(t.targetId!)?.hostId === hosts[BRAVO].id && inv().machine(t.targetId!)?.twins.length === 0, 20_000);
    expect(registeredOn(ALPHA)).not.toContain('blue-far');
    const far = cluster.sim.hosts[BRAVO].sim.machines().find((m) => m.id === t.targetId)!;
    const source = cluster.sim.hosts[ALPHA].sim.machines().find((m) => m.id === blueSrc)!;
    expect(far.settings.nics[0].MACAddress).toBe(source.settings.nics[0].MACAddress);
    await removeMachine('blue-far');
  });

  it('makes a linked clone of a snapshot; the snapshot and the source cannot go while it stands', async () => {
    const snap = await takeSnapshot(blueOp, blueSrc, 'base');
    as(blueOp);
    const t = await succeeded(await post(blueSrc, { name: 'blue-link', mode: 'linked', snapshotId: snap }));
    const p = await problem(await snapshot.DELETE(json('DELETE', `/api/v1/vms/${blueSrc}/snapshots/${snap}`), ctx({ id: blueSrc, snapshotId: snap })), 409);
    expect(p).toMatchObject({ title: 'Used by linked clones', linkedClones: [{ id: t.targetId, name: 'blue-link' }] });
    expect(p.detail).toBe('Cannot delete snapshot "base" of blue-src: linked clone blue-link builds on its disks. Delete that clone first.');
    await problem(await vm.DELETE(json('DELETE', `/api/v1/vms/${blueSrc}`), ctx({ id: blueSrc })), 409);
    await removeMachine('blue-link');
    as(blueOp);
    const gone = await waitForTask((await accepted(await snapshot.DELETE(json('DELETE', `/api/v1/vms/${blueSrc}/snapshots/${snap}`), ctx({ id: blueSrc, snapshotId: snap })))).id, 30_000);
    expect(gone.status, JSON.stringify(gone.error)).toBe('succeeded');
  });

  it('leaves nothing behind when canceled, the base snapshot of a linked clone included', async () => {
    const sim = cluster.sim.hosts[ALPHA].sim;
    const was = sim.mediumTaskMs;
    sim.mediumTaskMs = 3000;
    /** Every file under the storage, for what a canceled clone must not leave (its settings, its disks, by any name). */
    const files = () => (fs.readdirSync(storage, { recursive: true, encoding: 'utf8' }) as string[]).sort();
    try {
      // A full clone for the other host is made on the source's (then registered there): canceled while copying too.
      for (const [mode, hostId] of [['full', undefined], ['linked', undefined], ['full', hosts[BRAVO].id]] as const) {
        const before = files();
        const mediaBefore = [ALPHA, BRAVO].map((i) => cluster.sim.hosts[i].sim.media().map((m) => m.rec.location).sort());
        as(blueOp);
        const started = await accepted(await post(blueSrc, { name: 'blue-never', mode, hostId }));
        // Within cloneTo's share of the task (12–85 %).
        await until(`the ${mode} clone copying`, async () => ((await getTask(started.id))?.percent ?? 0) > 12, 20_000);
        await cancelTask(started.id, blueOp);
        const t = await waitForTask(started.id, 30_000);
        expect(t.status).toBe('canceled');
        const why = `${mode}${hostId ? ' on bravo' : ''}: ${JSON.stringify(t.error)}`;
        nothingNamed('blue-never');
        const folder = path.join(storage, 'tenants', 'blue', 'machines', started.targetId!);
        expect(fs.existsSync(folder) ? fs.readdirSync(folder, { recursive: true }) : null, why).toBeNull();
        // No settings file, no disk (nor the source's disk image's differencing child) anywhere on the storage ...
        expect(files(), why).toEqual(before);
        // ... and no medium left in either host's media registry.
        expect([ALPHA, BRAVO].map((i) => cluster.sim.hosts[i].sim.media().map((m) => m.rec.location).sort()), why).toEqual(mediaBefore);
        const source = sim.machines().find((m) => m.id === blueSrc)!;
        expect(source.snapshots().map((x) => x.getName())).not.toContain('Linked base for blue-never');
      }
    } finally {
      sim.mediumTaskMs = was;
    }
  });
});

describe('a failure after the clone was made', () => {
  it('leaves nothing behind: the clone, its differencing images, and the base snapshot taken for it go', async () => {
    as(blueOp);
    // The source changed since its current snapshot: a base snapshot is taken.
    await succeeded(await vm.PATCH(json('PATCH', `/api/v1/vms/${blueSrc}`, { description: 'changed' }), ctx({ id: blueSrc })));
    const { planClone, startClone } = await import('@/lib/cluster/operations');
    const plan = await planClone(blueSrc, { name: 'doomed', mode: 'linked' }, blueOp);
    expect(plan.takeBase).toBe(true);
    // Another machine holds the clone's UUID by the time it registers.
    const impostor = cluster.sim.hosts[ALPHA].sim.addMachine('impostor', (c) => { c.settings.id = plan.id; });
    const t = await waitForTask((await startClone(plan, blueOp)).id, 30_000);
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ step: 'Registering' });
    expect(registeredOn(ALPHA)).toContain('impostor');
    const folder = path.dirname(plan.settingsFile);
    expect(fs.existsSync(folder) ? fs.readdirSync(folder, { recursive: true }) : null).toBeNull();
    const source = cluster.sim.hosts[ALPHA].sim.machines().find((m) => m.id === blueSrc)!;
    expect(source.snapshots().map((x) => x.getName())).not.toContain('Linked base for doomed');
    void impostor;
  });
});

describe('a running source', () => {
  it('gives a linked clone (on a snapshot taken online) but no full clone of its current state', async () => {
    const power = async (action: string, id = blueSrc) => {
      as(blueOp);
      const t = await waitForTask((await accepted(await actions.POST(json('POST', `/api/v1/vms/${id}/actions`, { action }), ctx({ id })))).id, 30_000);
      expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    };
    await power('start');
    try {
      await until('blue-src running in the inventory', () => inv().machine(blueSrc)?.state === 'Running');
      as(blueOp);
      const p = await problem(await post(blueSrc, { name: 'hot-copy' }), 409);
      expect(p).toMatchObject({ title: 'Machine not powered off', detail: 'Cannot clone the current state of blue-src: it is Running on vbox-alpha. Power it off first.' });
      const t = await succeeded(await post(blueSrc, { name: 'hot-link', mode: 'linked' }));
      const source = cluster.sim.hosts[ALPHA].sim.machines().find((m) => m.id === blueSrc)!;
      expect(source.snapshots().map((x) => x.getName())).toContain('Linked base for hot-link');
      // As VirtualBox clones an online snapshot: with its saved state.
      await until('hot-link saved', () => inv().machine(t.targetId!)?.state === 'Saved');
      expect(inv().machine(t.targetId!)).toMatchObject({ tenant: 'blue' });
      await power('discardstate', t.targetId!);
    } finally {
      await power('poweroff');
    }
    await removeMachine('hot-link');
  });
});
