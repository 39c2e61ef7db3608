import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, blueViewer, redOp, withSessionUser } from '@/lib/auth/testing';
import type { HostView } from '@/lib/db/hosts';

/*
 * Appliances through the API on two vboxsim hosts sharing one storage, which this server mounts: a
 * hostile tenant first (another's folder, file and machines, a running machine, a network it may not
 * use), uploads of an .ova (put in place, never opened as a DVD), then an export of a machine registered
 * on both hosts and its import on the other host, its adapters on a cluster network, read back through
 * VirtualBox's API. (Against VirtualBox's own vboxwebsrv: appliances.real.test.ts.)
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-appliances-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { json, ctx, answer, problem, errorFields, taskEnded, taskSucceeded } = await import('@/lib/api/testing');
const list = await import('./route');
const inspect = await import('./inspect/route');
const imp = await import('./import/route');
const exp = await import('./export/route');
const download = await import('./download/route');
const uploads = await import('@/app/api/v1/media/uploads/route');
const upload = await import('@/app/api/v1/media/uploads/[id]/route');
const media = await import('@/app/api/v1/media/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { ALPHA, BRAVO, cleanUpAfterAll, copiesListed, createThroughOps, sharedStorageHosts, startTwoHosts, until } = await import('@/lib/cluster/testing');
const { createBlueAndRed } = await import('@/lib/auth/testing');
const { createNetwork } = await import('@/lib/networks/store');
const { startPowerAction } = await import('@/lib/tasks/power');
const { cancelTask, getTask, waitForTask } = await import('@/lib/tasks');
const simOf = () => cluster.sim;
const { getDb } = await import('@/lib/db');
const { updateHost } = await import('@/lib/db/hosts');

cleanUpAfterAll(dataDir);

const as = (u: User) => {
  session.user = u;
};
const post = (mod: { POST: (r: Request, c: never) => Promise<Response> }, url: string, body: unknown) => mod.POST(json('POST', url, body), ctx({}) as never);
const doInspect = (body: unknown) => post(inspect, '/api/v1/appliances/inspect', body);
const doImport = (body: unknown) => post(imp, '/api/v1/appliances/import', body);
const doExport = (body: unknown) => post(exp, '/api/v1/appliances/export', body);
const doDownload = (p: string) => download.GET(json('GET', `/api/v1/appliances/download?path=${encodeURIComponent(p)}`));
const doList = () => list.GET(json('GET', '/api/v1/appliances'));

let cluster: Awaited<ReturnType<typeof startTwoHosts>>;
let hosts: HostView[];
let storage: string;
let blueId: string;
let runningId: string;
let redId: string;
const at = (...p: string[]) => path.join(storage, ...p);
const blueFolder = (...p: string[]) => at('tenants', 'blue', 'appliances', ...p);

/** What VirtualBox on host i says of a machine: CPUs, memory, enabled adapters (type, attachment, network), disks. */
async function machineOn(i: number, id: string) {
  return getInventory().monitor(hosts[i].id)!.client.scope(async (vbox) => {
    const m = await vbox.findMachine(id);
    const adapters = [];
    for (let slot = 0; slot < 8; slot++) {
      const a = await m.getNetworkAdapter(slot);
      if (!(await a.getEnabled())) continue;
      adapters.push({ slot, type: await a.getAdapterType(), attachment: await a.getAttachmentType(), internal: await a.getInternalNetwork(), bridge: await a.getBridgedInterface() });
    }
    const disks = [];
    for (const a of await m.getMediumAttachments()) if (a.type === 'HardDisk' && a.medium) disks.push({ location: await a.medium.getLocation(), logicalSize: await a.medium.getLogicalSize() });
    return { cpus: await m.getCPUCount(), memoryMB: await m.getMemorySize(), settingsFile: await m.getSettingsFilePath(), tenant: await m.getExtraData('nimbox/tenant'), adapters, disks };
  });
}

beforeAll(async () => {
  cluster = await startTwoHosts({
    vrdeBase: 51_000 + Math.floor(Math.random() * 40) * 100,
    host: sharedStorageHosts({ bridgeAdapter: 'vbox0' }),
    prepare: (sim) => {
      storage = sim.storageDir;
    },
  });
  hosts = cluster.hosts;
  for (const h of hosts) await updateHost(await getDb(), h.id, { localStoragePath: storage });
  as(admin);
  const lab = await createNetwork({ name: 'lab', kind: 'internal', hosts: hosts.map((h) => ({ hostId: h.id })) });
  await createNetwork({ name: 'secret', kind: 'internal', hosts: hosts.map((h) => ({ hostId: h.id })) });
  await createBlueAndRed({ allowedNetworkIds: [lab.id] });
  const disk = { new: { sizeGB: 0.02 } };
  blueId = await createThroughOps({ name: 'web', hostId: hosts[ALPHA].id, osTypeId: 'Debian12_64', cpuCount: 2, memoryMB: 192, disk, tenant: 'blue', registerOnOtherHosts: [hosts[BRAVO].id] }, admin);
  runningId = await createThroughOps({ name: 'busy', hostId: hosts[ALPHA].id, osTypeId: 'Debian12_64', memoryMB: 64, tenant: 'blue' }, admin);
  redId = await createThroughOps({ name: 'red-db', hostId: hosts[ALPHA].id, osTypeId: 'Debian12_64', memoryMB: 64, tenant: 'red' }, admin);
  await copiesListed(blueId);
  const started = await waitForTask((await startPowerAction(runningId, 'start', admin)).id);
  expect(started.status).toBe('succeeded');
  await until('busy running in the inventory', () => getInventory().machine(runningId)?.state === 'Running');
  fs.mkdirSync(at('tenants', 'red', 'appliances'), { recursive: true });
  fs.writeFileSync(at('tenants', 'red', 'appliances', 'red.ova'), 'red tenant\'s file');
}, 120_000);

afterAll(async () => {
  await getInventory().stop();
});

describe('a hostile tenant', () => {
  it('names nothing outside its folder: inspect and import are 403 naming path, a download 404', async () => {
    as(blueOp);
    const red = at('tenants', 'red', 'appliances', 'red.ova');
    for (const p of [red, at('tenants', 'blue', '..', 'red', 'appliances', 'red.ova'), at('appliances', 'admin.ova'), '/etc/x.ova']) {
      expect(errorFields(await problem(await doInspect({ path: p }), 403))).toEqual(['path']);
      expect(errorFields(await problem(await doImport({ path: p }), 403))).toEqual(['path']);
      await problem(await doDownload(p), 404);
    }
    // A link in its own folder to another tenant's file does not lead this server out of it.
    fs.mkdirSync(blueFolder(), { recursive: true });
    fs.symlinkSync(red, blueFolder('link.ova'));
    await problem(await doDownload(blueFolder('link.ova')), 404);
    fs.rmSync(blueFolder('link.ova'));
    // Another tenant's host-independent refusals come before VirtualBox reads anything: the file is untouched.
    expect(fs.readFileSync(red, 'utf8')).toBe('red tenant\'s file');
    // Import into another tenant: only admins.
    await problem(await doImport({ path: blueFolder('x.ova'), tenant: 'red' }), 403);
    // A viewer imports and exports nothing.
    as(blueViewer);
    await problem(await doImport({ path: blueFolder('x.ova') }), 403);
    await problem(await doExport({ machineIds: [blueId], path: blueFolder('x.ova') }), 403);
  });

  it('exports only its own powered-off machines, into its own folder', async () => {
    as(blueOp);
    const target = blueFolder('grab.ova');
    const p = await problem(await doExport({ machineIds: [blueId, redId], path: target }), 404);
    expect(errorFields(p)).toEqual(['machineIds.1']);
    expect(JSON.stringify(p)).not.toContain('red-db');
    const running = await problem(await doExport({ machineIds: [runningId], path: target }), 409);
    expect(running.detail).toBe(`Cannot export busy: it is Running on ${hosts[ALPHA].name}. Power it off first.`);
    expect(errorFields(await problem(await doExport({ machineIds: [blueId], path: at('tenants', 'red', 'appliances', 'w.ova') }), 403))).toEqual(['path']);
    expect(errorFields(await problem(await doExport({ machineIds: [blueId], path: blueFolder('w.vdi') }), 400))).toEqual(['path']);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('lists only its own folder; red sees its file, blue none', async () => {
    as(redOp);
    const r = await answer<{ appliances: { path: string; hostId: string }[]; folders: { hostId: string; path: string; uploadable: boolean }[] }>(await doList());
    expect(r.appliances.map((a) => a.path)).toEqual([at('tenants', 'red', 'appliances', 'red.ova')]);
    expect(r.folders).toEqual(hosts.map((h) => ({ hostId: h.id, hostName: h.name, path: at('tenants', 'red', 'appliances'), uploadable: true })));
    as(blueOp);
    expect((await answer<{ appliances: unknown[] }>(await doList())).appliances).toEqual([]);
  });
});

describe('uploads of an appliance', () => {
  it('puts an .ova in the tenant\'s folder without opening it as a DVD, and refuses other names', async () => {
    as(blueOp);
    const create = (body: unknown) => uploads.POST(json('POST', '/api/v1/media/uploads', body), ctx({}) as never);
    expect(errorFields(await problem(await create({ hostId: hosts[ALPHA].id, folder: blueFolder(), name: 'x.iso', sizeBytes: 4, kind: 'appliance' }), 400))).toEqual(['name']);
    expect(errorFields(await problem(await create({ hostId: hosts[ALPHA].id, folder: blueFolder(), name: 'x.ova', sizeBytes: 4 }), 400))).toEqual(['name']);
    expect(errorFields(await problem(await create({ hostId: hosts[ALPHA].id, folder: at('tenants', 'red', 'appliances'), name: 'x.ova', sizeBytes: 4, kind: 'appliance' }), 403))).toEqual(['folder']);
    const made = await answer<{ id: string }>(await create({ hostId: hosts[ALPHA].id, folder: blueFolder(), name: 'up.ova', sizeBytes: 4, kind: 'appliance' }), 201);
    const put = new Request(`http://localhost/api/v1/media/uploads/${made.id}`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', 'Upload-Offset': '0' }, body: 'abcd' });
    const done = await answer<{ done: boolean; hosts: unknown[] }>(await upload.PUT(put, ctx({ id: made.id })));
    expect(done).toMatchObject({ done: true, hosts: [] });
    expect(fs.readFileSync(blueFolder('up.ova'), 'utf8')).toBe('abcd');
    const rows = await answer<{ media?: { location: string }[]; items?: { location: string }[] }>(await media.GET(json('GET', '/api/v1/media'), ctx({}) as never));
    expect(JSON.stringify(rows)).not.toContain('up.ova');
    const l = await answer<{ appliances: { path: string; downloadable: boolean }[] }>(await doList());
    expect(l.appliances).toEqual([expect.objectContaining({ path: blueFolder('up.ova'), downloadable: true })]);
    // Not a real appliance: VirtualBox's reason, as a 422.
    const bad = await problem(await doInspect({ path: blueFolder('up.ova') }), 422);
    expect(bad.detail).toBeTruthy();
    expect((bad as unknown as { resultCode: string }).resultCode).toMatch(/^VBOX_E_|^E_/);
    fs.rmSync(blueFolder('up.ova'));
  });
});

describe('export then import on vboxsim', () => {
  it('exports a machine registered on both hosts, and imports it on the other host with its adapters on a cluster network', async () => {
    as(blueOp);
    const ova = blueFolder('web.ova');
    await taskSucceeded(await doExport({ machineIds: [blueId], path: ova, format: 'ovf-1.0', vendor: 'Blue' }), 'appliance.export', 60_000);
    expect(fs.readFileSync(ova).subarray(257, 262).toString('latin1')).toBe('ustar');
    const v = await answer<{ systems: { cpuCount: number; memoryMB: number; vendor: string; disks: unknown[]; networks: unknown[] }[] }>(await doInspect({ path: ova, hostId: hosts[BRAVO].id }));
    expect(v.systems).toEqual([expect.objectContaining({ cpuCount: 2, memoryMB: 192, vendor: 'Blue', disks: [expect.objectContaining({ sizeMB: 20 })], networks: [expect.objectContaining({ index: 0 })] })]);
    // A network the tenant may not use is a 400 naming the adapter's field; nothing is made.
    const refused = await problem(await doImport({ path: ova, hostId: hosts[BRAVO].id, systems: [{ index: 0, name: 'web-2', networks: [{ index: 0, network: 'secret' }] }] }), 400);
    expect(errorFields(refused)).toEqual(['systems.0.networks.0.network']);
    // Disks only into the caller's own folder.
    expect(errorFields(await problem(await doImport({ path: ova, systems: [{ index: 0, name: 'web-2', diskFolder: at('tenants', 'red') }] }), 403))).toEqual(['systems.0.diskFolder']);
    // A taken name is a 409 naming the system's name.
    expect(errorFields(await problem(await doImport({ path: ova, systems: [{ index: 0, name: 'web' }] }), 409))).toEqual(['systems.0.name']);
    const t = await taskSucceeded(await doImport({ path: ova, hostId: hosts[BRAVO].id, systems: [{ index: 0, name: 'web-2', cpuCount: 3, networks: [{ index: 0, network: 'lab' }] }] }), 'vm.import', 60_000);
    const id = t.targetId;
    await until('web-2 in the inventory', () => getInventory().machine(id)?.tenant === 'blue', 20_000);
    const src = await machineOn(ALPHA, blueId);
    const copy = await machineOn(BRAVO, id);
    expect(copy).toMatchObject({ cpus: 3, memoryMB: 192, tenant: 'blue', adapters: [{ slot: 0, type: src.adapters[0].type, attachment: 'Internal', internal: 'lab' }] });
    expect(copy.settingsFile).toMatch(new RegExp(`^${at('tenants', 'blue', 'machines')}/[0-9a-f-]{36}/web-2\\.vbox$`));
    expect(copy.disks).toEqual([expect.objectContaining({ logicalSize: src.disks[0].logicalSize })]);
    expect(path.dirname(copy.disks[0].location)).toBe(path.dirname(copy.settingsFile));
  });

  it('keeps MAC addresses only when the export and the import both keep them; the disks go to the folder chosen', async () => {
    as(blueOp);
    const { startDelete } = await import('@/lib/cluster/operations');
    const macOf = (i: number, id: string) => simOf().hosts[i].sim.machines().find((m) => m.id === id)!.settings.nics[0].MACAddress;
    const srcMac = macOf(ALPHA, blueId);
    expect(srcMac).toMatch(/^[0-9A-F]{12}$/);
    const made: string[] = [];
    const importAs = async (ova: string, name: string, body: Record<string, unknown>, system: Record<string, unknown> = {}) => {
      const t = await taskSucceeded(await doImport({ path: ova, hostId: hosts[ALPHA].id, ...body, systems: [{ index: 0, name, ...system }] }), 'vm.import', 60_000);
      made.push(t.targetId!);
      return t.targetId!;
    };
    try {
      const keep = blueFolder('keep.ova');
      await taskSucceeded(await doExport({ machineIds: [blueId], path: keep, macPolicy: 'keepAll', product: 'Web', vendor: 'Blue' }), 'appliance.export', 60_000);
      const folder = at('tenants', 'blue', 'disks-keep');
      fs.mkdirSync(folder, { recursive: true });
      const kept = await importAs(keep, 'web-kept', { macPolicy: 'keepAll' }, { diskFolder: folder });
      expect(macOf(ALPHA, kept)).toBe(srcMac);
      const disks = (await machineOn(ALPHA, kept)).disks;
      expect(disks).toHaveLength(1);
      expect(path.dirname(disks[0].location)).toBe(folder);
      // The import's default gives new MAC addresses.
      const fresh = await importAs(keep, 'web-fresh', {});
      expect(macOf(ALPHA, fresh)).not.toBe(srcMac);
      // An export that strips them leaves none to keep.
      const strip = blueFolder('strip.ova');
      await taskSucceeded(await doExport({ machineIds: [blueId], path: strip, macPolicy: 'stripAll' }), 'appliance.export', 60_000);
      const stripped = await importAs(strip, 'web-stripped', { macPolicy: 'keepAll' });
      expect(macOf(ALPHA, stripped)).not.toBe(srcMac);
    } finally {
      for (const id of made) expect((await waitForTask((await startDelete(id, true, admin)).id, 30_000)).status).toBe('succeeded');
      for (const f of ['keep.ova', 'strip.ova']) fs.rmSync(blueFolder(f), { force: true });
    }
  });

  it('exports two machines into one OVA (OVF 2.0) and imports both, each as it was', async () => {
    const { startDelete } = await import('@/lib/cluster/operations');
    const dbId = await createThroughOps({ name: 'db', hostId: hosts[ALPHA].id, osTypeId: 'Ubuntu_64', cpuCount: 1, memoryMB: 96, disk: { new: { sizeGB: 0.01 } }, tenant: 'blue' }, admin);
    const made: string[] = [dbId];
    const ova = blueFolder('pair.ova');
    try {
      as(blueOp);
      await taskSucceeded(await doExport({ machineIds: [blueId, dbId], path: ova, format: 'ovf-2.0', product: 'Pair' }), 'appliance.export', 60_000);
      const v = await answer<{ systems: { index: number; cpuCount: number; memoryMB: number; osTypeId: string; disks: { sizeMB: number }[] }[] }>(await doInspect({ path: ova }));
      expect(v.systems.map((s) => [s.index, s.cpuCount, s.memoryMB, s.osTypeId, s.disks.map((d) => d.sizeMB)]))
        .toEqual([[0, 2, 192, 'Debian12_64', [20]], [1, 1, 96, 'Ubuntu_64', [10]]]);
      const t = await taskSucceeded(await doImport({ path: ova, hostId: hosts[ALPHA].id, systems: [{ index: 0, name: 'pair-web' }, { index: 1, name: 'pair-db' }] }), 'vm.import', 60_000);
      const ids = ['pair-web', 'pair-db'].map((n) => simOf().hosts[ALPHA].sim.machines().find((m) => m.name === n)?.id);
      expect(ids.every(Boolean), JSON.stringify(t)).toBe(true);
      made.push(...(ids as string[]));
      const [web, db] = await Promise.all((ids as string[]).map((id) => machineOn(ALPHA, id)));
      expect([web.cpus, web.memoryMB, web.tenant, web.disks.length, db.cpus, db.memoryMB, db.tenant, db.disks.length]).toEqual([2, 192, 'blue', 1, 1, 96, 'blue', 1]);
      expect(db.disks[0].logicalSize).toBe((await machineOn(ALPHA, dbId)).disks[0].logicalSize);
    } finally {
      for (const id of made.reverse()) {
        await until(`${id} in the inventory`, () => getInventory().machine(id), 20_000);
        expect((await waitForTask((await startDelete(id, true, admin)).id, 30_000)).status).toBe('succeeded');
      }
      fs.rmSync(ova, { force: true });
    }
  });

  it('a failed import leaves nothing: VirtualBox refuses a disk over an existing file', async () => {
    as(blueOp);
    const folder = at('tenants', 'blue', 'taken');
    fs.mkdirSync(folder, { recursive: true });
    const names = () => getInventory().machines().map((m) => m.name).sort();
    const before = names();
    const v = await answer<{ systems: { disks: { target: string }[] }[] }>(await doInspect({ path: blueFolder('web.ova') }));
    const existing = path.join(folder, path.basename(v.systems[0].disks[0].target));
    fs.writeFileSync(existing, 'mine');
    const t = await taskEnded(await doImport({ path: blueFolder('web.ova'), systems: [{ index: 0, name: 'web-fail', diskFolder: folder }] }), 'vm.import', 60_000);
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ resultCode: 'VBOX_E_FILE_ERROR' });
    expect(fs.readdirSync(folder)).toEqual([path.basename(existing)]);
    expect(fs.readFileSync(existing, 'utf8')).toBe('mine');
    expect(JSON.stringify(fs.readdirSync(at('tenants', 'blue', 'machines'), { recursive: true }))).not.toContain('web-fail');
    for (const h of simOf().hosts) expect(h.sim.machines().map((m) => m.name)).not.toContain('web-fail');
    expect(names()).toEqual(before);
  });

  it('a canceled export leaves no file', async () => {
    as(blueOp);
    const ova = blueFolder('slow.ova');
    simOf().hosts[ALPHA].sim.mediumTaskMs = 3000;
    try {
      const r = await doExport({ machineIds: [blueId], path: ova });
      const started = await answer<{ id: string }>(r, 202);
      await until('the export cancelable', async () => (await getTask(started.id))?.cancelable, 20_000);
      await cancelTask(started.id, { id: blueOp.id, username: blueOp.username });
      expect((await waitForTask(started.id, 30_000)).status).toBe('canceled');
      expect(fs.readdirSync(blueFolder()).filter((n) => n.startsWith('slow'))).toEqual([]);
    } finally {
      simOf().hosts[ALPHA].sim.mediumTaskMs = 40;
    }
  });

  it('downloads only where this server mounts the storage', async () => {
    as(blueOp);
    expect((await doDownload(blueFolder('web.ova'))).status).toBe(200);
    for (const h of hosts) await updateHost(await getDb(), h.id, { localStoragePath: null });
    try {
      await problem(await doDownload(blueFolder('web.ova')), 404);
      const l = await answer<{ appliances: { downloadable: boolean; modified: string }[]; folders: { uploadable: boolean }[] }>(await doList());
      expect(l.appliances).toEqual([expect.objectContaining({ downloadable: false, modified: '' })]);
      expect(l.folders.every((f) => !f.uploadable)).toBe(true);
    } finally {
      for (const h of hosts) await updateHost(await getDb(), h.id, { localStoragePath: storage });
    }
  });
});

describe('a hostile appliance', () => {
  const plain = path.join(process.cwd(), 'sim', 'testing', 'appliances');
  /** blue's .ovf: the test appliance's descriptor with its disk's href and declared capacity changed. */
  function blueOvf(name: string, href: string, capacityMB = 4) {
    const text = fs.readFileSync(path.join(plain, 'plain.ovf'), 'utf8')
      .replace('ovf:href="plain-disk1.vmdk"', `ovf:href="${href}"`).replace('ovf:capacity="4"', `ovf:capacity="${capacityMB}"`);
    fs.mkdirSync(blueFolder(), { recursive: true });
    fs.writeFileSync(blueFolder(name), text);
    return blueFolder(name);
  }
  const names = () => getInventory().machines().map((m) => m.name).sort();

  it("cannot import another tenant's disk through an .ovf whose file reference climbs out of its folder", async () => {
    as(blueOp);
    const secret = at('tenants', 'red', 'appliances', 'secret.vmdk');
    fs.copyFileSync(path.join(plain, 'plain-disk1.vmdk'), secret);
    const before = names();
    for (const href of ['../../red/appliances/secret.vmdk', `../../../tenants/red/appliances/secret.vmdk`]) {
      const ovf = blueOvf('evil.ovf', href);
      const p = await problem(await doImport({ path: ovf, systems: [{ index: 0, name: 'stolen' }] }), 403);
      expect(errorFields(p)).toEqual(['path']);
      expect(JSON.stringify(p)).not.toContain('secret');
    }
    expect(names()).toEqual(before);
    for (const h of simOf().hosts) expect(h.sim.machines().map((m) => m.name)).not.toContain('stolen');
    // Its own disk beside the .ovf is fine (the same appliance, the file in its folder).
    fs.copyFileSync(path.join(plain, 'plain-disk1.vmdk'), blueFolder('own-disk1.vmdk'));
    const own = await answer<{ systems: { disks: { source: string }[] }[] }>(await doInspect({ path: blueOvf('own.ovf', 'own-disk1.vmdk') }));
    expect(own.systems[0].disks.map((d) => d.source)).toEqual(['own-disk1.vmdk']);
  });

  it("takes no owner from the appliance: an admin's import into no tenant is no tenant's, whatever its extradata says", async () => {
    // web.ova (exported above from blue's web) carries web's settings in <vbox:Machine>, extradata nimbox/tenant=blue included.
    as(admin);
    const t = await taskSucceeded(await doImport({ path: blueFolder('web.ova'), tenant: null, hostId: hosts[ALPHA].id, systems: [{ index: 0, name: 'adm-web' }] }), 'vm.import', 60_000);
    expect((await machineOn(ALPHA, t.targetId!)).tenant).toBe('');
    await until('adm-web in the inventory, no tenant\'s', () => getInventory().machine(t.targetId!) && getInventory().machine(t.targetId!)!.tenant === null, 20_000);
  });

  it("gets none of the host's resources its <vbox:Machine> settings name: an adapter left off on another tenant's network is cut", async () => {
    as(blueOp);
    const { tarIndex, readTarEntry, writeTar } = await import('@/sim/model/tar');
    const src = blueFolder('web.ova');
    const entries = await tarIndex(src);
    const ovf = (await readTarEntry(src, entries[0])).toString('utf8');
    expect(ovf).toContain('<Network>');
    // Adapter 2 off, on red's internal network: enabling it later would join red's network.
    const wired = ovf.replace('<Network>', '<Network><Adapter slot="1" type="82540EM"><InternalNetwork name="red-lan"/></Adapter>');
    await writeTar(blueFolder('wired.ova'), [
      { name: entries[0].name, data: Buffer.from(wired) },
      ...await Promise.all(entries.slice(1).filter((e) => !/\.mf$/i.test(e.name)).map(async (e) => ({ name: e.name, data: await readTarEntry(src, e) }))),
    ]);
    const t = await taskSucceeded(await doImport({ path: blueFolder('wired.ova'), hostId: hosts[ALPHA].id, systems: [{ index: 0, name: 'wired' }] }), 'vm.import', 60_000);
    const nics = simOf().hosts[ALPHA].sim.machines().find((m) => m.id === t.targetId)!.settings.nics;
    expect(nics[1]).toMatchObject({ enabled: false, attachmentType: 'Null' });
  });

  it('cannot dodge the disk quota with a descriptor declaring a small disk: the real size counts, nothing is left', async () => {
    as(blueOp);
    const { writeStreamVmdk } = await import('@/sim/model/vmdk-stream');
    // A 3 GB disk with no data (a small file), declared as 1 MB; blue may hold 1 GB.
    const chunks: Buffer[] = [];
    await writeStreamVmdk({ size: 3 * 1024 ** 3, read: (_o, n) => Buffer.alloc(n), ranges: () => [] }, 'big-disk1.vmdk', '8c5a3ae5-0d8e-4f65-9d37-5a2c3c1f0b11', (b) => { chunks.push(Buffer.from(b)); });
    fs.writeFileSync(blueFolder('big-disk1.vmdk'), Buffer.concat(chunks));
    const ovf = blueOvf('big.ovf', 'big-disk1.vmdk', 1);
    const { getTenantByName, updateTenant } = await import('@/lib/tenants');
    const blue = (await getTenantByName('blue'))!;
    await updateTenant(blue.id, { maxDiskGB: 1 });
    try {
      const before = names();
      const t = await taskEnded(await doImport({ path: ovf, systems: [{ index: 0, name: 'big' }] }), 'vm.import', 60_000);
      expect(t.status).toBe('failed');
      expect(JSON.stringify(t.error)).toContain("Exceeds tenant blue's disk quota of 1 GB");
      await until('big gone from the inventory', () => JSON.stringify(names()) === JSON.stringify(before), 20_000);
      for (const h of simOf().hosts) expect(h.sim.machines().map((m) => m.name)).not.toContain('big');
      expect(JSON.stringify(fs.readdirSync(at('tenants', 'blue', 'machines'), { recursive: true }))).not.toContain('big');
    } finally {
      await updateTenant(blue.id, { maxDiskGB: null });
    }
  });
});
