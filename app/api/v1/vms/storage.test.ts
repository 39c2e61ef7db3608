import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ctx, json, problem, taskEnded, taskSucceeded } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, blueViewer, createBlueAndRed, redOp, withSessionUser } from '@/lib/auth/testing';
import { ALPHA, BRAVO, cleanUpAfterAll, copyOn, startTwoHosts, teleportHosts, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { Sim } from '@/sim/index';
import { Medium } from '@/sim/model/medium';

/*
 * A machine's storage through the API, against two real vboxsim hosts sharing one storage folder,
 * with the machine registered on both (twins): every change lands on both copies or on neither,
 * a running machine takes media and hot-plugged disks where VirtualBox allows it (and the refusal
 * says why otherwise), and a hostile tenant names nothing that is not theirs. Only `currentUser`
 * is replaced; route(), the policy, the inventory, the tasks and the media checks are real. What
 * each copy holds is read from the sim (what `VBoxManage showvminfo` on each host would show).
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-vm-storage-'));
cleanUpAfterAll(dataDir);
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: getStorage } = await import('./[id]/storage/route');
const { POST: addController } = await import('./[id]/storage/controllers/route');
const { PATCH: editController, DELETE: removeController } = await import('./[id]/storage/controllers/[name]/route');
const { POST: attach } = await import('./[id]/storage/attachments/route');
const { PATCH: editAttachment, DELETE: detach } = await import('./[id]/storage/attachments/[controller]/[port]/[device]/route');
const { PUT: mount } = await import('./[id]/storage/attachments/[controller]/[port]/[device]/medium/route');
const { GET: preflightRoute } = await import('./[id]/teleport/preflight/route');
const { POST: teleportRoute } = await import('./[id]/teleport/route');
const { waitForTask } = await import('@/lib/tasks');
const { createTwin, powerAction } = await import('@/lib/ha/testing');

const vrdeBase = 26000 + Math.floor(Math.random() * 150) * 100;
const teleportBase = 41000 + Math.floor(Math.random() * 100) * 200;
let cluster: TestCluster;
let sim: Sim;
let storage: string;
const hosts: HostView[] = [];
let web: string;

const as = (u: User) => { session.user = u; };
const at = (...parts: string[]) => path.join(storage, ...parts);
const base = (id: string) => `/api/v1/vms/${id}/storage`;
const slot = (id: string, controller: string, port: number, device = 0) => ({ id, controller, port: String(port), device: String(device) });

const api = {
  get: (id: string) => getStorage(json('GET', base(id)), ctx({ id })),
  addController: (id: string, body: unknown) => addController(json('POST', `${base(id)}/controllers`, body), ctx({ id })),
  editController: (id: string, name: string, body: unknown) => editController(json('PATCH', `${base(id)}/controllers/${name}`, body), ctx({ id, name })),
  removeController: (id: string, name: string) => removeController(json('DELETE', `${base(id)}/controllers/${name}`), ctx({ id, name })),
  attach: (id: string, body: unknown) => attach(json('POST', `${base(id)}/attachments`, body), ctx({ id })),
  flags: (id: string, c: string, port: number, body: unknown) => editAttachment(json('PATCH', `${base(id)}/attachments/${c}/${port}/0`, body), ctx(slot(id, c, port))),
  detach: (id: string, c: string, port: number) => detach(json('DELETE', `${base(id)}/attachments/${c}/${port}/0`), ctx(slot(id, c, port))),
  mount: (id: string, c: string, port: number, body: unknown) => mount(json('PUT', `${base(id)}/attachments/${c}/${port}/0/medium`, body), ctx(slot(id, c, port))),
};

const finished = (r: Response) => taskEnded(r, 'vm.storage');
const succeeded = (r: Response) => taskSucceeded(r, 'vm.storage');

/** A copy's controllers ("SATA:SATA:IntelAhci:2") and attachments ("SATA/0/0 HardDisk /…/web.vdi"), as its host has them. */
function layoutOn(i: number, id: string): { controllers: string[]; attachments: string[] } {
  const c = copyOn(i, id);
  const loc = (mediumId: string | null) => (mediumId ? sim.hosts[i].sim.findMedium(mediumId)?.rec.location ?? `lost ${mediumId}` : 'empty');
  return {
    controllers: c.settings.storageControllers.map((x) => `${x.name}:${x.bus}:${x.controllerType}:${x.portCount}`).sort(),
    attachments: c.settings.attachments.map((a) => `${a.controller}/${a.port}/${a.device} ${a.type} ${loc(a.mediumId)}`).sort(),
  };
}

/** Both copies hold the same layout; that layout. */
function twinsAlike(id: string) {
  const a = layoutOn(ALPHA, id);
  expect(layoutOn(BRAVO, id)).toEqual(a);
  return a;
}

const flagsOn = (i: number, id: string, controller: string, port: number) => {
  const a = copyOn(i, id).settings.attachments.find((x) => x.controller === controller && x.port === port);
  return { hotPluggable: !!a?.hotPluggable, nonRotational: !!a?.nonRotational, discard: !!a?.discard };
};

/** Whether host i has a medium at this location registered. */
const registeredOn = (i: number, location: string) => sim.hosts[i].sim.media().some((m) => m.rec.location === location);

/** A VDI on the shared storage, not registered anywhere (made through host i and closed). */
function diskFile(i: number, location: string): void {
  const h = sim.hosts[i].sim;
  fs.mkdirSync(path.dirname(location), { recursive: true });
  const m = Medium.create(h, 'VDI', location, 'HardDisk');
  m.rec.logicalSize = 64 * 1024 ** 2;
  m.writeImage();
  m.state = 'Created';
  h.registerMedium(m);
  m.close();
}

beforeAll(async () => {
  cluster = await startTwoHosts({
    vrdeBase, host: teleportHosts(teleportBase, { bridgeAdapter: 'vbox0' }),
    prepare: (s) => {
      sim = s;
      storage = s.storageDir;
      for (const f of ['data-1.vdi', 'data-2.vdi', 'data-3.vdi']) diskFile(ALPHA, at('tenants', 'blue', f));
      diskFile(ALPHA, at('tenants', 'red', 'red.vdi'));
      fs.mkdirSync(at('iso'), { recursive: true });
      for (const f of [at('iso', 'installer.iso'), at('iso', 'tools.iso'), at('tenants', 'red', 'red.iso')]) fs.writeFileSync(f, Buffer.alloc(4096));
      // A blue disk that a blue machine on bravo has attached.
      diskFile(BRAVO, at('tenants', 'blue', 'taken.vdi'));
      const h = s.hosts[BRAVO].sim;
      const taken = h.openMedium(at('tenants', 'blue', 'taken.vdi'), 'HardDisk');
      h.addMachine('holder', (c) => {
        c.settings.osTypeId = 'Debian12_64';
        c.settings.memorySize = 64;
        c.settings.storageControllers = [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 1, useHostIOCache: false, instance: 0 }];
        c.settings.attachments = [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk', mediumId: taken.rec.id }];
        c.settings.extraData = { 'nimbox/tenant': 'blue' };
      });
    },
    machines: 1,
  });
  hosts.push(...cluster.hosts);
  as(admin);
  await createBlueAndRed({ allowTeleport: true });
  // Blue's machine, registered on both hosts (a disk on port 0 and an empty DVD drive on port 1 of "SATA").
  as(blueOp);
  web = await createTwin(hosts[ALPHA], 'web', { memoryMB: 128 });
}, 60_000);

describe('hostile callers', () => {
  it("answers another tenant's machine as if it did not exist", async () => {
    as(redOp);
    await problem(await api.get(web), 404);
    await problem(await api.addController(web, { name: 'NVMe', bus: 'PCIe' }), 404);
    await problem(await api.attach(web, { controller: 'SATA', port: 1, device: 0, type: 'DVD', location: null }), 404);
    await problem(await api.mount(web, 'SATA', 1, { location: at('tenants', 'red', 'red.iso') }), 404);
    await problem(await api.detach(web, 'SATA', 0), 404);
    await problem(await api.removeController(web, 'SATA'), 404);
    expect(twinsAlike(web).controllers).toEqual(['SATA:SATA:IntelAhci:2']);
  });

  it('lets a viewer look but not change', async () => {
    as(blueViewer);
    const r = await api.get(web);
    expect(r.status).toBe(200);
    const view = await r.json();
    expect(view.controllers.map((c: { name: string }) => c.name)).toEqual(['SATA']);
    await problem(await api.addController(web, { name: 'NVMe', bus: 'PCIe' }), 403);
    await problem(await api.mount(web, 'SATA', 1, { location: at('iso', 'installer.iso') }), 403);
  });

  it("refuses another tenant's disk (403), a path outside the storage (400) and a disk another machine uses (409)", async () => {
    as(blueOp);
    // Ports 0 and 1 are taken (disk, DVD drive): a free port, so that the refusals are about the medium.
    await succeeded(await api.editController(web, 'SATA', { portCount: 4 }));
    let p = await problem(await api.attach(web, { controller: 'SATA', port: 2, device: 0, type: 'HardDisk', location: at('tenants', 'red', 'red.vdi') }), 403);
    expect(p.errors).toEqual([{ field: 'location', message: expect.stringContaining('Not a disk of tenant blue') }]);
    p = await problem(await api.mount(web, 'SATA', 1, { location: at('tenants', 'red', 'red.iso') }), 403);
    expect(p.errors?.[0].field).toBe('location');
    p = await problem(await api.attach(web, { controller: 'SATA', port: 2, device: 0, type: 'HardDisk', location: '/etc/passwd' }), 400);
    expect(p.errors?.[0].field).toBe('location');
    p = await problem(await api.attach(web, { controller: 'SATA', port: 2, device: 0, type: 'HardDisk', location: `${at('tenants', 'blue')}/../red/red.vdi` }), 403);
    expect(p.errors?.[0].field).toBe('location');
    p = await problem(await api.attach(web, { controller: 'SATA', port: 2, device: 0, type: 'HardDisk', location: at('tenants', 'blue', 'taken.vdi') }), 409);
    expect(p.errors).toEqual([{ field: 'location', message: 'In use by another machine: choose another' }]);
    expect(layoutOn(ALPHA, web).attachments).toHaveLength(2);
    expect(registeredOn(ALPHA, at('tenants', 'red', 'red.vdi'))).toBe(false);
  });
  it('refuses a floppy image of the read-only ISO library to a tenant (a floppy drive writes to its image)', async () => {
    as(blueOp);
    fs.writeFileSync(at('iso', 'boot.img'), Buffer.alloc(1474560));
    await succeeded(await api.addController(web, { name: 'FD', bus: 'Floppy' }));
    try {
      const r = await api.attach(web, { controller: 'FD', port: 0, device: 0, type: 'Floppy', location: at('iso', 'boot.img') });
      if (r.status === 202) await finished(r.clone());
      const p = await problem(r, 403);
      expect(p.errors?.[0].field).toBe('location');
      expect(twinsAlike(web).attachments.some((a) => a.startsWith('FD/'))).toBe(false);
    } finally {
      await succeeded(await api.removeController(web, 'FD'));
    }
  });
});

describe('a powered-off machine: every change on both twins', () => {
  it('adds a controller and attaches a disk to it on both copies', async () => {
    as(blueOp);
    await succeeded(await api.addController(web, { name: 'SCSI', bus: 'SCSI' }));
    expect(twinsAlike(web).controllers).toEqual(['SATA:SATA:IntelAhci:4', 'SCSI:SCSI:LsiLogic:16']);
    const t = await succeeded(await api.attach(web, { controller: 'SCSI', port: 0, device: 0, type: 'HardDisk', location: at('tenants', 'blue', 'data-1.vdi'), nonRotational: true }));
    expect(t.title).toBe('Attach data-1.vdi to web');
    expect(twinsAlike(web).attachments).toContain(`SCSI/0/0 HardDisk ${at('tenants', 'blue', 'data-1.vdi')}`);
    for (const i of [ALPHA, BRAVO]) expect(flagsOn(i, web, 'SCSI', 0).nonRotational).toBe(true);

    const view = await (await api.get(web)).json();
    const scsi = view.controllers.find((c: { name: string }) => c.name === 'SCSI');
    expect(scsi).toMatchObject({ bus: 'SCSI', controllerType: 'LsiLogic', portCount: 16, hotplugCapable: false });
    expect(scsi.attachments).toEqual([expect.objectContaining({
      port: 0, device: 0, type: 'HardDisk', nonRotational: true,
      medium: expect.objectContaining({ name: 'data-1.vdi', location: at('tenants', 'blue', 'data-1.vdi'), format: 'VDI', logicalSizeBytes: 64 * 1024 ** 2 }),
    })]);
    const sata = view.buses.find((b: { bus: string }) => b.bus === 'SATA');
    expect(sata).toMatchObject({ controllerTypes: ['IntelAhci'], minPortCount: 1, maxPortCount: 30, hotplugCapable: true });
    expect(view.running).toBe(false);
  });

  it('names the field that is wrong', async () => {
    as(blueOp);
    let p = await problem(await api.addController(web, { name: 'X', bus: 'SATA', controllerType: 'LsiLogic' }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['controllerType']);
    p = await problem(await api.addController(web, { name: 'X', bus: 'SATA', portCount: 31 }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['portCount']);
    p = await problem(await api.addController(web, { name: 'SCSI', bus: 'SAS' }), 409);
    expect(p.errors?.map((e) => e.field)).toEqual(['name']);
    p = await problem(await api.addController(web, { name: 'X', bus: 'Tape' }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['bus']);
    p = await problem(await api.editController(web, 'SATA', { portCount: 0 }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['portCount']);
    p = await problem(await api.editController(web, 'SATA', { portCount: 1 }), 400);
    expect(p.errors).toEqual([{ field: 'portCount', message: 'Port 1 is in use: detach what is attached there first' }]);
    p = await problem(await api.attach(web, { controller: 'NVMe', port: 0, device: 0, type: 'HardDisk', location: at('tenants', 'blue', 'data-2.vdi') }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['controller']);
    p = await problem(await api.attach(web, { controller: 'SATA', port: 9, device: 1, type: 'HardDisk', location: at('tenants', 'blue', 'data-2.vdi') }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['port', 'device']);
    p = await problem(await api.attach(web, { controller: 'SATA', port: 2, device: 0, type: 'HardDisk' }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['location']);
    p = await problem(await api.flags(web, 'SCSI', 0, { hotPluggable: true }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['hotPluggable']);
    p = await problem(await api.attach(web, { controller: 'SATA', port: 0, device: 0, type: 'DVD' }), 409);
    expect(p.detail).toContain('SATA port 0 of web holds a disk');
    await problem(await api.detach(web, 'SATA', 3), 404);
    await problem(await api.removeController(web, 'NVMe'), 404);
    expect(twinsAlike(web).controllers).toEqual(['SATA:SATA:IntelAhci:4', 'SCSI:SCSI:LsiLogic:16']);
  });

  it('changes port counts, flags and empty drives on both copies, and detaches and removes again', async () => {
    as(blueOp);
    await succeeded(await api.editController(web, 'SATA', { portCount: 5, useHostIOCache: true }));
    expect(twinsAlike(web).controllers).toContain('SATA:SATA:IntelAhci:5');
    for (const i of [ALPHA, BRAVO]) expect(copyOn(i, web).settings.storageControllers.find((c) => c.name === 'SATA')?.useHostIOCache).toBe(true);
    await succeeded(await api.flags(web, 'SATA', 0, { discard: true }));
    for (const i of [ALPHA, BRAVO]) expect(flagsOn(i, web, 'SATA', 0).discard).toBe(true);
    // An empty DVD drive (attachDeviceWithoutMedium).
    await succeeded(await api.attach(web, { controller: 'SATA', port: 4, device: 0, type: 'DVD', location: null }));
    expect(twinsAlike(web).attachments).toContain('SATA/4/0 DVD empty');
    await succeeded(await api.detach(web, 'SATA', 4));
    await succeeded(await api.detach(web, 'SCSI', 0));
    expect(twinsAlike(web).attachments.some((a) => a.startsWith('SCSI/'))).toBe(false);
    await succeeded(await api.removeController(web, 'SCSI'));
    // An IDE controller with an empty DVD drive stays for the running tests: IDE (PIIX4) cannot hot-plug.
    await succeeded(await api.addController(web, { name: 'IDE', bus: 'IDE' }));
    await succeeded(await api.attach(web, { controller: 'IDE', port: 0, device: 0, type: 'DVD' }));
    expect(twinsAlike(web)).toEqual({
      controllers: ['IDE:IDE:PIIX4:2', 'SATA:SATA:IntelAhci:5'],
      attachments: [
        'IDE/0/0 DVD empty',
        `SATA/0/0 HardDisk ${at('tenants', 'blue', 'web', 'web.vdi')}`,
        'SATA/1/0 DVD empty',
      ],
    });
    // Detached, the disk is free for another machine again.
    const holder = sim.hosts[BRAVO].sim.machines().find((m) => m.name === 'holder')!;
    as(admin);
    await succeeded(await api.editController(holder.id, 'SATA', { portCount: 2 }));
    await succeeded(await api.attach(holder.id, { controller: 'SATA', port: 1, device: 0, type: 'HardDisk', location: at('tenants', 'blue', 'data-1.vdi') }));
    await succeeded(await api.detach(holder.id, 'SATA', 1));
  });
});

describe('a change that one twin refuses', () => {
  it('sets the copies already changed back and names the host that refused', async () => {
    as(blueOp);
    // Bravo's copy has drifted: something sits on SATA port 3 there only.
    const drift = copyOn(BRAVO, web);
    drift.settings.attachments.push({ controller: 'SATA', port: 3, device: 0, type: 'DVD', mediumId: null });
    const before = layoutOn(ALPHA, web);
    try {
      const t = await finished(await api.attach(web, { controller: 'SATA', port: 3, device: 0, type: 'HardDisk', location: at('tenants', 'blue', 'data-2.vdi') }));
      expect(t.status).toBe('failed');
      expect(t.error).toMatchObject({
        resultCode: 'VBOX_E_OBJECT_IN_USE',
        detail: `${hosts[BRAVO].name}: Device is already attached to port 3, device 0 of controller 'SATA' of this virtual machine`,
      });
      // Alpha took the disk first and gave it back: its layout is as before, and the disk is not left registered there.
      expect(layoutOn(ALPHA, web)).toEqual(before);
      expect(registeredOn(ALPHA, at('tenants', 'blue', 'data-2.vdi'))).toBe(false);
    } finally {
      drift.settings.attachments = drift.settings.attachments.filter((a) => !(a.controller === 'SATA' && a.port === 3));
    }
    twinsAlike(web);
  });

  it('gives a removed controller back with its drive and image when the twin refuses the removal', async () => {
    as(blueOp);
    const installer = at('iso', 'installer.iso');
    await succeeded(await api.mount(web, 'IDE', 0, { location: installer }));
    const before = twinsAlike(web);
    expect(before.attachments).toContain(`IDE/0/0 DVD ${installer}`);
    // Bravo's copy has drifted: its IDE controller is gone there.
    const drift = copyOn(BRAVO, web);
    const kept = { controllers: drift.settings.storageControllers, attachments: drift.settings.attachments };
    drift.settings.storageControllers = kept.controllers.filter((c) => c.name !== 'IDE');
    drift.settings.attachments = kept.attachments.filter((a) => a.controller !== 'IDE');
    try {
      const t = await finished(await api.removeController(web, 'IDE'));
      expect(t.status).toBe('failed');
      expect(t.error).toMatchObject({ resultCode: 'VBOX_E_OBJECT_NOT_FOUND', detail: expect.stringMatching(new RegExp(`^${hosts[BRAVO].name}: `)) });
      // Alpha removed it first and took it back: the controller, its type and ports, the drive and the image in it.
      expect(layoutOn(ALPHA, web)).toEqual(before);
    } finally {
      drift.settings.storageControllers = kept.controllers;
      drift.settings.attachments = kept.attachments;
    }
    await succeeded(await api.mount(web, 'IDE', 0, { location: null }));
    expect(twinsAlike(web).attachments).toContain('IDE/0/0 DVD empty');
  });
});

describe('a twin whose host does not answer', () => {
  it('refuses before anything changes, naming the host', async () => {
    as(blueOp);
    const { getInventory } = await import('@/lib/cluster/inventory');
    const control = (what: string) => fetch(`${sim.hosts[BRAVO].control}/${what}`, { method: 'POST' });
    const before = layoutOn(ALPHA, web);
    expect((await control('soap/down')).status).toBe(200);
    try {
      await until('bravo not up', () => getInventory().host(hosts[BRAVO].id)?.health !== 'up', 20_000);
      const p = await problem(await api.attach(web, { controller: 'SATA', port: 3, device: 0, type: 'DVD' }), 409);
      expect(p.detail).toMatch(new RegExp(`^Host ${hosts[BRAVO].name} is `));
      expect(layoutOn(ALPHA, web)).toEqual(before);
    } finally {
      expect((await control('soap/up')).status).toBe(200);
      await until('bravo up', () => getInventory().host(hosts[BRAVO].id)?.health === 'up', 20_000);
    }
  }, 60_000);
});

describe('a running machine', () => {
  beforeAll(async () => {
    as(blueOp);
    expect((await powerAction(web, 'start')).taskStatus).toBe('succeeded');
    await until('web running', async () => (await (await api.get(web)).json()).running === true);
  });

  it('takes an ISO, swaps it and ejects it; the powered-off twin follows', async () => {
    as(blueOp);
    const installer = at('iso', 'installer.iso');
    await succeeded(await api.mount(web, 'SATA', 1, { location: installer }));
    expect(copyOn(ALPHA, web).state).toBe('Running');
    expect(twinsAlike(web).attachments).toContain(`SATA/1/0 DVD ${installer}`);
    let view = await (await api.get(web)).json();
    expect(view.running).toBe(true);
    expect(view.controllers.find((c: { name: string }) => c.name === 'SATA').attachments.find((a: { port: number }) => a.port === 1).medium)
      .toMatchObject({ name: 'installer.iso', location: installer });

    await succeeded(await api.mount(web, 'SATA', 1, { location: at('iso', 'tools.iso') }));
    expect(twinsAlike(web).attachments).toContain(`SATA/1/0 DVD ${at('iso', 'tools.iso')}`);

    const t = await succeeded(await api.mount(web, 'SATA', 1, { location: null }));
    expect(t.title).toBe('Eject tools.iso from web');
    expect(twinsAlike(web).attachments).toContain('SATA/1/0 DVD empty');
    view = await (await api.get(web)).json();
    expect(view.controllers.find((c: { name: string }) => c.name === 'SATA').attachments.find((a: { port: number }) => a.port === 1).medium).toBeNull();
    await problem(await api.mount(web, 'SATA', 1, { location: null }), 409);
  });

  it('hot-plugs a disk on a SATA port and unplugs it again', async () => {
    as(blueOp);
    const disk = at('tenants', 'blue', 'data-2.vdi');
    await succeeded(await api.attach(web, { controller: 'SATA', port: 2, device: 0, type: 'HardDisk', location: disk }));
    expect(twinsAlike(web).attachments).toContain(`SATA/2/0 HardDisk ${disk}`);
    // VirtualBox marks a hot-plugged disk hot-pluggable; the twin is marked alike.
    for (const i of [ALPHA, BRAVO]) expect(flagsOn(i, web, 'SATA', 2).hotPluggable).toBe(true);
    await succeeded(await api.detach(web, 'SATA', 2));
    expect(twinsAlike(web).attachments.some((a) => a.startsWith('SATA/2/'))).toBe(false);
  });

  it('says why it cannot hot-plug or change what only a powered-off machine changes', async () => {
    as(blueOp);
    let p = await problem(await api.detach(web, 'SATA', 0), 409);
    expect(p.detail).toBe('SATA port 0 is not marked hot-pluggable; mark it while the machine is powered off.');
    p = await problem(await api.attach(web, { controller: 'IDE', port: 1, device: 0, type: 'HardDisk', location: at('tenants', 'blue', 'data-3.vdi') }), 409);
    expect(p.detail).toContain('IDE (PIIX4) does not support hot-plugging');
    p = await problem(await api.addController(web, { name: 'NVMe', bus: 'PCIe' }), 409);
    expect(p.detail).toContain(`while web runs on ${hosts[ALPHA].name}: power it off first`);
    await problem(await api.flags(web, 'SATA', 0, { hotPluggable: true }), 409);
    await problem(await api.editController(web, 'SATA', { portCount: 6 }), 409);
    await problem(await api.attach(web, { controller: 'SATA', port: 3, device: 0, type: 'DVD' }), 409);
    expect(twinsAlike(web).controllers).toEqual(['IDE:IDE:PIIX4:2', 'SATA:SATA:IntelAhci:5']);
  });

  it('unplugs a hot-plugged disk from the running copy again when the twin refuses it', async () => {
    as(blueOp);
    const drift = copyOn(BRAVO, web);
    drift.settings.attachments.push({ controller: 'SATA', port: 3, device: 0, type: 'DVD', mediumId: null });
    const before = layoutOn(ALPHA, web);
    const disk = at('tenants', 'blue', 'data-3.vdi');
    try {
      const t = await finished(await api.attach(web, { controller: 'SATA', port: 3, device: 0, type: 'HardDisk', location: disk }));
      expect(t.status).toBe('failed');
      expect(t.error).toMatchObject({ resultCode: 'VBOX_E_OBJECT_IN_USE', detail: expect.stringMatching(new RegExp(`^${hosts[BRAVO].name}: `)) });
      expect(copyOn(ALPHA, web).state).toBe('Running');
      expect(layoutOn(ALPHA, web)).toEqual(before);
      expect(registeredOn(ALPHA, disk)).toBe(false);
    } finally {
      drift.settings.attachments = drift.settings.attachments.filter((a) => !(a.controller === 'SATA' && a.port === 3));
    }
  });

  it('passes the teleport preflight with two controllers, a disk and an ISO in a DVD drive', async () => {
    as(blueOp);
    await succeeded(await api.mount(web, 'IDE', 0, { location: at('iso', 'installer.iso') }));
    as(admin);
    const r = await preflightRoute(json('GET', `/api/v1/vms/${web}/teleport/preflight?target=${hosts[BRAVO].id}`), ctx({ id: web }));
    const p = await r.json();
    expect(r.status, JSON.stringify(p)).toBe(200);
    const check = (id: string) => p.checks.find((c: { id: string }) => c.id === id);
    expect(check('storage'), JSON.stringify(check('storage'))).toMatchObject({ status: 'passed', detail: expect.stringContaining('All 2 images') });
    // The twin's storage matches the source's exactly (vm.create gives twins their own MAC address: a warning the teleport mends).
    expect(['passed', 'warning'], JSON.stringify(check('twin'))).toContain(check('twin').status);
    expect(check('twin').detail).not.toMatch(/disks|storage controllers/);
  });

  it('teleports with that layout, and takes changes on its new host', async () => {
    as(admin);
    const r = await teleportRoute(json('POST', `/api/v1/vms/${web}/teleport`, { target: hosts[BRAVO].id }), ctx({ id: web }));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(202);
    const t = await waitForTask(body.id, 30_000);
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    expect(copyOn(BRAVO, web).state).toBe('Running');
    expect(twinsAlike(web).attachments).toContain(`IDE/0/0 DVD ${at('iso', 'installer.iso')}`);
    as(blueOp);
    await until('web running on bravo in the inventory', async () => (await (await api.get(web)).json()).hostId === hosts[BRAVO].id);
    await succeeded(await api.mount(web, 'IDE', 0, { location: null }));
    expect(twinsAlike(web).attachments).toContain('IDE/0/0 DVD empty');
  });

  it('refuses any change while a copy holds a saved state, naming it', async () => {
    as(blueOp);
    expect((await powerAction(web, 'savestate')).taskStatus).toBe('succeeded');
    // The route reads the state from the inventory (and asks the host only when that is not a refusal): wait for it.
    await until('web saved in the inventory', async () => (await (await api.get(web)).json()).state === 'Saved');
    const p = await problem(await api.mount(web, 'SATA', 1, { location: at('iso', 'tools.iso') }), 409);
    expect(p.detail).toBe(`Cannot change the storage of web: it is Saved on ${hosts[BRAVO].name}. Start it or discard its saved state first.`);
    expect(twinsAlike(web).attachments).toContain('SATA/1/0 DVD empty');
  });
});
