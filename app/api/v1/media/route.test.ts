import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import { withLockedMachine } from '@/lib/vbox/session';
import type { HostView } from '@/lib/db/hosts';
import type { MediumRow } from '@/lib/media/inventory';
import type { Sim } from '@/sim/index';
import type { MachineCore } from '@/sim/model/machine';
import { Medium } from '@/sim/model/medium';

/*
 * GET /api/v1/media against two real vboxsim hosts sharing one storage folder: one row per medium
 * whatever the number of hosts it is registered on, who uses it where, and what a tenant's users
 * see of it, tried as a hostile tenant would first. Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-media-list-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET } = await import('./route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { createTenant } = await import('@/lib/tenants');
const { clearMediaCache } = await import('@/lib/media/inventory');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blue: User = { id: 'u-blue', username: 'bea', realm: 'local', role: 'viewer', tenant: 'blue' };
const red: User = { id: 'u-red', username: 'rob', realm: 'local', role: 'operator', tenant: 'red' };
const loner: User = { id: 'u-none', username: 'nat', realm: 'local', role: 'operator', tenant: null };
const [ALPHA, BRAVO] = [0, 1];
let cluster: TestCluster;
let sim: Sim;
let storage: string;
const hosts: HostView[] = [];
const at = (...parts: string[]) => path.join(storage, ...parts);

async function list(u: User, qs = ''): Promise<{ items: MediumRow[]; total: number; readAt: string }> {
  session.user = u;
  const r = await GET(new Request(`http://localhost/api/v1/media${qs}`));
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body;
}
const row = (items: MediumRow[], file: string) => items.find((m) => m.location === file);

/**
 * A medium file on the shared storage, registered on host i (created on first use, opened after);
 * `parent`: a differencing image of that disk.
 */
function medium(i: number, location: string, deviceType: 'HardDisk' | 'DVD' | 'Floppy' = 'HardDisk', parent?: Medium): Medium {
  const h = sim.hosts[i].sim;
  if (fs.existsSync(location)) return h.openMedium(location, deviceType);
  fs.mkdirSync(path.dirname(location), { recursive: true });
  // Created with its storage (and so its UUID), as VirtualBox registers an existing image.
  const m = new Medium(h, {
    id: randomUUID(), location, format: deviceType === 'HardDisk' ? 'VDI' : 'RAW', deviceType, logicalSize: deviceType === 'Floppy' ? 1440 * 1024 : 64 * 1024 ** 2, description: '', variant: ['Standard'],
    ...(parent ? { parentId: parent.rec.id } : {}),
  }, true);
  if (deviceType === 'DVD') fs.writeFileSync(location, Buffer.alloc(2048));
  else if (deviceType === 'Floppy') fs.writeFileSync(location, Buffer.alloc(1440 * 1024));
  else m.writeImage();
  h.registerMedium(m);
  return m;
}

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
    hosts: 2, port: 0, vms: 0, control: true,
    host: ({ sim: s }) => ({ storagePath: s.storageDir }),
    prepare: (s) => {
      sim = s;
      storage = s.storageDir;
      // Blue's web disk, registered on both hosts (its machine on alpha).
      machine(ALPHA, 'blue-web', { disk: medium(ALPHA, at('tenants', 'blue', 'web.vdi')), tenant: 'blue' });
      medium(BRAVO, at('tenants', 'blue', 'web.vdi'));
      // Red's secret database, and red's machine with the library's installer in its drive.
      machine(BRAVO, 'red-secret-db', { disk: medium(BRAVO, at('tenants', 'red', 'db.vdi')), tenant: 'red' });
      machine(BRAVO, 'red-installing', { dvd: medium(BRAVO, at('iso', 'installer.iso'), 'DVD'), tenant: 'red' });
      medium(ALPHA, at('iso', 'installer.iso'), 'DVD');
      // An admin's disk outside every tenant's folder; a template disk with a differencing image
      // (a linked clone's) that has one of its own; a floppy image.
      medium(ALPHA, at('scratch.vdi'));
      const golden = medium(ALPHA, at('golden.vdi'));
      const clone = medium(ALPHA, at('clone.vdi'), 'HardDisk', golden);
      medium(ALPHA, at('clone-child.vdi'), 'HardDisk', clone);
      medium(ALPHA, at('boot.img'), 'Floppy');
    },
    machines: 3, hostsUp: true,
  });
  hosts.push(...cluster.hosts);
  session.user = admin;
  await createTenant({ name: 'blue' });
  await createTenant({ name: 'red' });
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('GET /api/v1/media as a hostile tenant', () => {
  it("shows blue neither red's disk nor red's machine using the shared ISO", async () => {
    const { items, total } = await list(blue);
    expect(items.map((m) => m.location).sort()).toEqual([at('iso', 'installer.iso'), at('tenants', 'blue', 'web.vdi')].sort());
    expect(total).toBe(2);
    expect(JSON.stringify(items)).not.toContain('red-');
    expect(row(items, at('iso', 'installer.iso'))!.usedBy).toEqual([]);
    // Asking for red's disk by name does not find it either.
    expect((await list(blue, '?q=db.vdi')).items).toEqual([]);
  });

  it('shows red its own machines using the ISO, and not blue\'s disk', async () => {
    const { items } = await list(red);
    expect(items.map((m) => m.location).sort()).toEqual([at('iso', 'installer.iso'), at('tenants', 'red', 'db.vdi')].sort());
    expect(row(items, at('iso', 'installer.iso'))!.usedBy.map((u) => u.machineName)).toEqual(['red-installing']);
  });

  it('refuses a non-admin without a tenant', async () => {
    session.user = loner;
    const r = await GET(new Request('http://localhost/api/v1/media'));
    expect(r.status).toBe(403);
  });

  it("does not make blue's image red's medium by claiming its UUID (rows are files, merged by location only)", async () => {
    // An image blue wrote itself (say, uploaded) carrying the UUID of red's disk, opened on the other host.
    const redDb = sim.hosts[BRAVO].sim.media().find((m) => m.rec.location === at('tenants', 'red', 'db.vdi'))!;
    const claim = new Medium(sim.hosts[ALPHA].sim, {
      id: redDb.rec.id, location: at('tenants', 'blue', 'claim.vdi'), format: 'VDI', deviceType: 'HardDisk', logicalSize: 64 * 1024 ** 2,
      description: '', variant: ['Standard'],
    }, true);
    claim.writeImage();
    sim.hosts[ALPHA].sim.registerMedium(claim);
    try {
      clearMediaCache();
      const mine = row((await list(blue)).items, at('tenants', 'blue', 'claim.vdi'));
      expect(mine?.hosts.map((h) => h.hostName)).toEqual(['vbox-alpha']);
      expect(mine?.usedBy).toEqual([]);
      const theirs = row((await list(red)).items, at('tenants', 'red', 'db.vdi'));
      expect(theirs?.hosts.map((h) => h.hostName)).toEqual(['vbox-bravo']);
      expect(theirs?.usedBy.map((u) => u.machineName)).toEqual(['red-secret-db']);
    } finally {
      sim.hosts[ALPHA].sim.unregisterMedium(claim);
      fs.rmSync(at('tenants', 'blue', 'claim.vdi'), { force: true });
      clearMediaCache();
    }
  });
});

describe('GET /api/v1/media as an admin', () => {
  it('lists every medium once, with every host it is registered on and who uses it', async () => {
    const { items, total, readAt } = await list(admin);
    expect(total).toBe(8);
    expect(Date.parse(readAt)).not.toBeNaN();
    const web = row(items, at('tenants', 'blue', 'web.vdi'))!;
    expect(web.hosts.map((h) => h.hostName).sort()).toEqual([hosts[ALPHA].name, hosts[BRAVO].name].sort());
    expect(web).toMatchObject({ name: 'web.vdi', format: 'VDI', deviceType: 'HardDisk', logicalSizeBytes: 64 * 1024 ** 2, type: 'Normal', stale: false });
    expect(web.usedBy).toEqual([expect.objectContaining({ machineName: 'blue-web', hostId: hosts[ALPHA].id, hostName: hosts[ALPHA].name })]);
    const iso = row(items, at('iso', 'installer.iso'))!;
    expect(iso.deviceType).toBe('DVD');
    expect(iso.hosts).toHaveLength(2);
    expect(iso.usedBy.map((u) => `${u.machineName}@${u.hostName}`)).toEqual([`red-installing@${hosts[BRAVO].name}`]);
    expect(row(items, at('scratch.vdi'))!.hosts.map((h) => h.hostId)).toEqual([hosts[ALPHA].id]);
  });

  it('shows differencing images as a tree: each with its parent, each parent with its children', async () => {
    const { items } = await list(admin);
    const [golden, clone, child] = ['golden.vdi', 'clone.vdi', 'clone-child.vdi'].map((f) => row(items, at(f))!);
    expect(golden).toMatchObject({ parentId: null, children: [clone.id] });
    expect(clone).toMatchObject({ parentId: golden.id, children: [child.id], deviceType: 'HardDisk', format: 'VDI' });
    expect(child).toMatchObject({ parentId: clone.id, children: [] });
    // Each once, however the host lists them.
    expect(items.filter((m) => m.id === clone.id)).toHaveLength(1);
    expect(clone.hosts).toEqual([expect.objectContaining({ hostId: hosts[ALPHA].id })]);
  });

  it('floppy images are listed with their type and format', async () => {
    const boot = row((await list(admin)).items, at('boot.img'))!;
    expect(boot).toMatchObject({ name: 'boot.img', deviceType: 'Floppy', format: 'RAW', logicalSizeBytes: 1440 * 1024 });
    expect(boot.hosts.map((h) => h.hostId)).toEqual([hosts[ALPHA].id]);
  });

  it('tells which snapshots use a disk, and whether the current state does', async () => {
    const before = row((await list(admin)).items, at('tenants', 'blue', 'web.vdi'))!;
    expect(before.usedBy).toEqual([expect.objectContaining({ machineName: 'blue-web', inCurrentState: true, snapshotIds: [] })]);
    const client = getInventory().monitor(hosts[ALPHA].id)!.client;
    const snapshotId = await client.write((vbox, wsm) => withLockedMachine(vbox, wsm, 'blue-web', 'Shared', async (session) => {
      const { id, progress } = await (await session.getMachine()).takeSnapshot('before the upgrade', '', true);
      await progress.wait({ intervalMs: 20 });
      return id;
    }), { release: true });
    clearMediaCache();
    const after = row((await list(admin)).items, at('tenants', 'blue', 'web.vdi'))!;
    expect(after.usedBy).toEqual([expect.objectContaining({ machineName: 'blue-web', hostId: hosts[ALPHA].id, inCurrentState: true, snapshotIds: [snapshotId] })]);
    // A tenant sees it on its own disk, as the admin does.
    expect(row((await list(blue)).items, at('tenants', 'blue', 'web.vdi'))!.usedBy[0].snapshotIds).toEqual([snapshotId]);
  });

  it("keeps each medium's reference in vboxwebsrv across reads, and lets go of a medium's once it is gone", async () => {
    const h = sim.hosts[ALPHA].sim;
    const websession = getInventory().monitor(hosts[ALPHA].id)!.client.websession!;
    // The reference alpha's vboxwebsrv holds for an object in Nimbox's websession, if any.
    const refOf = (m: Medium) => (h.soap.websessions.websessionOf(`${websession}-0000000000000000`) as unknown as { byObject: Map<object, string> }).byObject.get(m);
    const golden = h.media().find((m) => m.rec.location === at('golden.vdi'))!;
    clearMediaCache();
    await list(admin);
    const ref = refOf(golden);
    expect(ref).toBeDefined();
    for (let i = 0; i < 2; i++) {
      clearMediaCache();
      await list(admin);
    }
    // Read after read the same reference: not released and handed out anew each time (one call more per medium).
    expect(refOf(golden)).toBe(ref);
    const gone = medium(ALPHA, at('gone.vdi'));
    clearMediaCache();
    expect(row((await list(admin)).items, at('gone.vdi'))).toBeDefined();
    expect(refOf(gone)).toBeDefined();
    h.unregisterMedium(gone);
    clearMediaCache();
    expect(row((await list(admin)).items, at('gone.vdi'))).toBeUndefined();
    await until("the gone medium's reference released", () => refOf(gone) === undefined, 5_000);
    expect(refOf(golden)).toBe(ref);
  });

  it('filters by host, type and text', async () => {
    expect((await list(admin, '?type=DVD')).items.map((m) => m.name)).toEqual(['installer.iso']);
    expect((await list(admin, '?type=Floppy')).items.map((m) => m.name)).toEqual(['boot.img']);
    expect((await list(admin, `?host=${hosts[BRAVO].id}&type=HardDisk`)).items.map((m) => m.name)).toEqual(['db.vdi', 'web.vdi']);
    expect((await list(admin, '?q=SCRATCH')).items.map((m) => m.location)).toEqual([at('scratch.vdi')]);
    session.user = admin;
    const bad = await GET(new Request('http://localhost/api/v1/media?type=Tape'));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('type');
  });

  it("keeps a host's rows, marked stale, while it does not answer", async () => {
    clearMediaCache();
    await list(admin);
    const control = async (what: string) => {
      const r = await fetch(`${sim.hosts[BRAVO].control}${what}`, { method: 'POST' });
      expect(r.ok).toBe(true);
    };
    await control('/soap/down');
    try {
      await until('bravo down', () => getInventory().host(hosts[BRAVO].id)?.health === 'down', 20_000);
      const { items } = await list(admin);
      const db = row(items, at('tenants', 'red', 'db.vdi'))!;
      expect(db.stale).toBe(true);
      expect(db.hosts).toEqual([expect.objectContaining({ hostId: hosts[BRAVO].id, stale: true })]);
      const web = row(items, at('tenants', 'blue', 'web.vdi'))!;
      expect(web.hosts.find((h) => h.hostId === hosts[ALPHA].id)!.stale).toBe(false);
      expect(web.hosts.find((h) => h.hostId === hosts[BRAVO].id)!.stale).toBe(true);
      expect(row(items, at('scratch.vdi'))!.stale).toBe(false);
    } finally {
      await control('/soap/up');
    }
  });
});
