import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { Task } from '@/lib/tasks';
import type { Sim } from '@/sim/index';
import type { MachineCore } from '@/sim/model/machine';
import { Medium } from '@/sim/model/medium';

/*
 * Whose media a machine may use, tried as a hostile tenant would, against two real vboxsim hosts
 * sharing one storage folder: a tenant's users name only their tenant's disks and the ISO library,
 * and nobody (admins included) attaches a medium that a machine on any host has attached, nor
 * deletes one another machine still uses. Only `currentUser` is replaced; route(), the policy,
 * the inventory, the tasks and the media checks are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-vm-media-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: create } = await import('./route');
const { DELETE: remove } = await import('./[id]/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { waitForTask } = await import('@/lib/tasks');
const { createTenant } = await import('@/lib/tenants');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blueOp: User = { id: 'u-bo', username: 'bob', realm: 'local', role: 'operator', tenant: 'blue' };
const [ALPHA, BRAVO] = [0, 1];
const vrdeBase = 24000 + Math.floor(Math.random() * 150) * 100;
let cluster: TestCluster;
let sim: Sim;
let storage: string;
const hosts: HostView[] = [];

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const json = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const post = (body: unknown) => create(json('POST', '/api/v1/vms', body));
const base = (name: string, extra: Record<string, unknown> = {}) => ({ name, osTypeId: 'Debian12_64', memoryMB: 64, hostId: hosts[ALPHA].id, ...extra });
const as = (u: User) => { session.user = u; };
const at = (...parts: string[]) => path.join(storage, ...parts);

async function problem(r: Response, status: number) {
  const p = await r.json();
  expect(r.status, JSON.stringify(p)).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  return p as { title: string; detail: string; errors?: { field: string; message: string }[] };
}

async function finished(r: Response): Promise<Task> {
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(202);
  return waitForTask(body.id, 20_000);
}

/** Machines (on any host) with a medium at `location` attached. */
function usersOf(location: string): string[] {
  return sim.hosts.flatMap((h) => h.sim.machines()
    .filter((c) => c.settings.attachments.some((a) => a.mediumId && h.sim.findMedium(a.mediumId)?.rec.location === location))
    .map((c) => `${c.name}@${h.sim.name}`)).sort();
}

/** A medium file on the shared storage, registered on host i (a new VDI, or an ISO). */
function medium(i: number, location: string, deviceType: 'HardDisk' | 'DVD' = 'HardDisk', type?: string): Medium {
  const h = sim.hosts[i].sim;
  if (fs.existsSync(location)) {
    const m = h.openMedium(location, deviceType);
    if (type) m.rec.type = type;
    return m;
  }
  fs.mkdirSync(path.dirname(location), { recursive: true });
  const m = Medium.create(h, deviceType === 'DVD' ? 'RAW' : 'VDI', location, deviceType);
  m.rec.logicalSize = 64 * 1024 ** 2;
  if (deviceType === 'DVD') fs.writeFileSync(location, Buffer.alloc(2048));
  else m.writeImage();
  m.state = 'Created';
  if (type) m.rec.type = type;
  h.registerMedium(m);
  return m;
}

/** A powered-off machine on host i with these media attached (a disk on port 0, a DVD on port 1). */
function machine(i: number, name: string, o: { disk?: Medium; dvd?: Medium; tenant?: string }): MachineCore {
  return sim.hosts[i].sim.addMachine(name, (c) => {
    const s = c.settings;
    s.osTypeId = 'Debian12_64';
    s.memorySize = 64;
    s.storageControllers = [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, useHostIOCache: false, instance: 0 }];
    s.attachments = [
      ...(o.disk ? [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk' as const, mediumId: o.disk.rec.id }] : []),
      ...(o.dvd ? [{ controller: 'SATA', port: 1, device: 0, type: 'DVD' as const, mediumId: o.dvd.rec.id }] : []),
    ];
    s.extraData = o.tenant ? { 'nimbox/tenant': o.tenant } : {};
  });
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0, vrdeBase, control: true,
    host: ({ sim: s, index }) => ({ storagePath: s.storageDir, vrdePorts: `${vrdeBase + 1000 * index + 500}-${vrdeBase + 1000 * index + 599}`, bridgeAdapter: 'vbox0' }),
    prepare: (s) => {
      sim = s;
      storage = s.storageDir;
      // Tenant red's database on bravo, its disk in red's folder.
      machine(BRAVO, 'red-db', { disk: medium(BRAVO, at('tenants', 'red', 'red-db', 'red-db.vdi')), tenant: 'red' });
      // A disk in blue's folder that a red machine uses (moved there by an admin, say).
      machine(BRAVO, 'red-legacy', { disk: medium(BRAVO, at('tenants', 'blue', 'old-data.vdi')), tenant: 'red' });
      // One disk attached to two machines on two hosts (what the hole allowed): a blue one and a red one ...
      machine(ALPHA, 'blue-dup', { disk: medium(ALPHA, at('tenants', 'blue', 'dup.vdi')), tenant: 'blue' });
      machine(BRAVO, 'red-dup', { disk: medium(BRAVO, at('tenants', 'blue', 'dup.vdi')), tenant: 'red' });
      // ... and two without a tenant.
      machine(ALPHA, 'dup-a', { disk: medium(ALPHA, at('dup.vdi')) });
      machine(BRAVO, 'dup-b', { disk: medium(BRAVO, at('dup.vdi')) });
      // A shareable cluster disk, and an installer ISO of the library in a DVD drive.
      machine(BRAVO, 'cluster-b', { disk: medium(BRAVO, at('cluster.vdi'), 'HardDisk', 'Shareable') });
      machine(BRAVO, 'iso-user', { dvd: medium(BRAVO, at('iso', 'installer.iso'), 'DVD') });
      // Files nobody uses.
      for (const f of [at('free-1.vdi'), at('free-2.vdi'), at('race.vdi'), at('tenants', 'blue', 'spare.vdi')]) {
        medium(ALPHA, f).close();
      }
      for (const f of [at('other.iso'), at('tenants', 'red', 'red.iso')]) fs.writeFileSync(f, Buffer.alloc(2048));
    },
    machines: 8, hostsUp: true,
  });
  hosts.push(...cluster.hosts);
  as(admin);
  await createTenant({ name: 'blue' });
  await createTenant({ name: 'red' });
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe("a tenant's media", () => {
  it("puts a tenant's new machine's disk in the tenant's folder", async () => {
    as(blueOp);
    const t = await finished(await post(base('blue-new', { disk: { new: { sizeGB: 1 } } })));
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(fs.existsSync(at('tenants', 'blue', 'blue-new', 'blue-new.vdi'))).toBe(true);
    expect(usersOf(at('tenants', 'blue', 'blue-new', 'blue-new.vdi'))).toEqual(['blue-new@vbox-alpha']);
    await until('the machine, blue', () => getInventory().machine(t.targetId!)?.tenant === 'blue');
  });

  it("refuses another tenant's disk on another host (403 on disk.existing), however the path is spelt", async () => {
    as(blueOp);
    const theirs = at('tenants', 'red', 'red-db', 'red-db.vdi');
    for (const existing of [theirs, `${at('tenants', 'blue')}/../red/red-db/red-db.vdi`, at('dup.vdi'), at('iso', 'installer.iso')]) {
      const p = await problem(await post(base('thief-1', { disk: { existing } })), 403);
      expect(p.errors).toEqual([{ field: 'disk.existing', message: `Not a disk of tenant blue: name one under ${at('tenants', 'blue')}` }]);
    }
    expect(usersOf(theirs)).toEqual(['red-db@vbox-bravo']);
    expect(getInventory().machines().some((m) => m.name === 'thief-1')).toBe(false);
  });

  it('refuses a disk in its own folder that a machine of another tenant has attached (409), without saying whose', async () => {
    as(blueOp);
    const p = await problem(await post(base('thief-2', { disk: { existing: at('tenants', 'blue', 'old-data.vdi') } })), 409);
    expect(p.errors).toEqual([{ field: 'disk.existing', message: 'In use by another machine: choose another' }]);
    const said = JSON.stringify(p);
    for (const secret of ['red-legacy', 'vbox-bravo', 'red']) expect(said).not.toContain(secret);
    expect(usersOf(at('tenants', 'blue', 'old-data.vdi'))).toEqual(['red-legacy@vbox-bravo']);
  });

  it('takes ISO images from the library (in use elsewhere, read-only) or its own folder only', async () => {
    as(blueOp);
    for (const iso of [at('other.iso'), at('tenants', 'red', 'red.iso')]) {
      const p = await problem(await post(base('iso-1', { iso })), 403);
      expect(p.errors).toEqual([{ field: 'iso', message: `Not an ISO image of the library (${at('iso')}) or of tenant blue (${at('tenants', 'blue')})` }]);
    }
    const t = await finished(await post(base('iso-1', { iso: at('iso', 'installer.iso') })));
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(usersOf(at('iso', 'installer.iso'))).toEqual(['iso-1@vbox-alpha', 'iso-user@vbox-bravo']);
  });

  it('takes a free disk of its own folder', async () => {
    as(blueOp);
    const t = await finished(await post(base('blue-spare', { disk: { existing: at('tenants', 'blue', 'spare.vdi') } })));
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(usersOf(at('tenants', 'blue', 'spare.vdi'))).toEqual(['blue-spare@vbox-alpha']);
  });
});

describe('a medium attached anywhere', () => {
  it("refuses an admin a disk attached to a machine on another host (409 naming the field, and the holder)", async () => {
    as(admin);
    let p = await problem(await post(base('admin-1', { disk: { existing: at('tenants', 'red', 'red-db', 'red-db.vdi') } })), 409);
    expect(p.title).toBe('Medium in use');
    expect(p.errors).toEqual([{ field: 'disk.existing', message: 'In use: attached to red-db on vbox-bravo' }]);
    // An ISO image in DVD drives (here and elsewhere) is not a disk to write to.
    p = await problem(await post(base('admin-1', { disk: { existing: at('iso', 'installer.iso') } })), 409);
    expect(p.errors).toEqual([{ field: 'disk.existing', message: 'In use: attached to iso-1 on vbox-alpha, iso-user on vbox-bravo' }]);
    expect(usersOf(at('tenants', 'red', 'red-db', 'red-db.vdi'))).toEqual(['red-db@vbox-bravo']);
  });

  it('lets a shareable disk be attached on another host too', async () => {
    as(admin);
    const t = await finished(await post(base('cluster-a', { disk: { existing: at('cluster.vdi') } })));
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(usersOf(at('cluster.vdi'))).toEqual(['cluster-a@vbox-alpha', 'cluster-b@vbox-bravo']);
  });

  it('lets two creates racing for one free disk give it to one machine only', async () => {
    as(admin);
    const [a, b] = await Promise.all([
      post(base('race-a', { disk: { existing: at('race.vdi') } })),
      post(base('race-b', { disk: { existing: at('race.vdi') }, hostId: hosts[BRAVO].id })),
    ]);
    const outcomes = await Promise.all([a, b].map(async (r) => (r.status === 202 ? (await waitForTask((await r.json()).id, 20_000)).status : r.status)));
    expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(1);
    expect(usersOf(at('race.vdi'))).toHaveLength(1);
  });

  it('refuses any medium while a host cannot be asked', async () => {
    const r = await fetch(`${sim.hosts[BRAVO].control}/soap/down`, { method: 'POST' });
    expect(r.ok).toBe(true);
    try {
      as(admin);
      let p = await problem(await post(base('blind-1', { disk: { existing: at('free-1.vdi') } })), 409);
      expect(p.errors).toEqual([{ field: 'disk.existing', message: expect.stringMatching(/^Not checked on every host \(vbox-bravo .*\)/) }]);
      as(blueOp);
      p = await problem(await post(base('blind-2', { iso: at('iso', 'installer.iso') })), 409);
      expect(p.errors).toEqual([{ field: 'iso', message: 'Not every host could be checked for it: try again shortly' }]);
    } finally {
      await fetch(`${sim.hosts[BRAVO].control}/soap/up`, { method: 'POST' });
    }
    await until('bravo up again', () => getInventory().host(hosts[BRAVO].id)?.health === 'up', 20_000);
    as(admin);
    const t = await finished(await post(base('blind-1', { disk: { existing: at('free-1.vdi') } })));
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
  });
});

describe('DELETE …?deleteDisks=true', () => {
  const idOf = (name: string) => getInventory().machines().find((m) => m.name === name)!.id;
  const del = async (name: string) => finished(await remove(json('DELETE', `/api/v1/vms/x?deleteDisks=true`), ctx(idOf(name))));

  it('keeps a disk another machine on another host still uses, and says so', async () => {
    as(admin);
    const t = await del('dup-a');
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(t.message).toBe(`Deleted dup-a and none of its disks; kept ${at('dup.vdi')} (attached to dup-b on vbox-bravo)`);
    expect(fs.existsSync(at('dup.vdi'))).toBe(true);
    expect(usersOf(at('dup.vdi'))).toEqual(['dup-b@vbox-bravo']);
  });

  it("tells a tenant's operator only that another machine uses it", async () => {
    as(blueOp);
    const t = await del('blue-dup');
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(t.message).toBe(`Deleted blue-dup and none of its disks; kept ${at('tenants', 'blue', 'dup.vdi')} (another machine uses it)`);
    expect(JSON.stringify(t)).not.toContain('red-dup');
    expect(fs.existsSync(at('tenants', 'blue', 'dup.vdi'))).toBe(true);
    expect(usersOf(at('tenants', 'blue', 'dup.vdi'))).toEqual(['red-dup@vbox-bravo']);
  });

  it('keeps a shareable disk another machine uses', async () => {
    as(admin);
    const t = await del('cluster-a');
    expect(t.message).toBe(`Deleted cluster-a and none of its disks; kept ${at('cluster.vdi')} (attached to cluster-b on vbox-bravo)`);
    expect(usersOf(at('cluster.vdi'))).toEqual(['cluster-b@vbox-bravo']);
  });

  it("deletes a disk only the machine's own copies (its twins) use", async () => {
    as(admin);
    const made = await finished(await post(base('twin-del', { disk: { new: { sizeGB: 1 } }, registerOnOtherHosts: [hosts[BRAVO].id] })));
    expect(made.status, JSON.stringify(made.error)).toBe('succeeded');
    await until('the twin', () => getInventory().machine(made.targetId!)?.twins.length === 1);
    const t = await del('twin-del');
    expect(t).toMatchObject({ status: 'succeeded', message: 'Deleted twin-del and its disks' });
    expect(fs.existsSync(at('twin-del', 'twin-del.vdi'))).toBe(false);
  });
});
