import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, blueViewer, redOp, withSessionUser } from '@/lib/auth/testing';
import type { HostView } from '@/lib/db/hosts';
import { startWebsrv, vmInfo, websrvMissing, type Websrv } from '@/lib/vbox/websrv-harness';

/*
 * Appliances through the API against VirtualBox 7.1.12's own vboxwebsrv (it reads, writes and imports
 * OVAs without a kernel driver): one real server whose storage folder this Nimbox server mounts at the
 * same path. Hostile tenants first (another tenant's folder, file and machines), then an export → import
 * round trip read back with VBoxManage, a malformed OVA, quotas, and failed imports that leave nothing.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-appliances-real-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const missing = websrvMissing();
if (missing) console.warn(`appliances against the real vboxwebsrv skipped: ${missing}`);

const { json, answer, problem, errorFields, taskEnded, taskSucceeded } = await import('@/lib/api/testing');
const list = await import('./route');
const inspect = await import('./inspect/route');
const imp = await import('./import/route');
const exp = await import('./export/route');
const download = await import('./download/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { createThroughOps, registerWebsrvs, until } = await import('@/lib/cluster/testing');
const { createBlueAndRed } = await import('@/lib/auth/testing');
const { getTenantByName, updateTenant } = await import('@/lib/tenants');
const { getDb } = await import('@/lib/db');
const { withWriteLock } = await import('@/lib/cluster/operations/common');
const { updateHost } = await import('@/lib/db/hosts');

const as = (u: User) => {
  session.user = u;
};
const post = (mod: { POST: (r: Request) => Promise<Response> }, url: string, body: unknown) => mod.POST(json('POST', url, body));
const doInspect = (body: unknown) => post(inspect, '/api/v1/appliances/inspect', body);
const doImport = (body: unknown) => post(imp, '/api/v1/appliances/import', body);
const doExport = (body: unknown) => post(exp, '/api/v1/appliances/export', body);
const doDownload = (p: string) => download.GET(json('GET', `/api/v1/appliances/download?path=${encodeURIComponent(p)}`));

describe.skipIf(missing)('appliances against the real vboxwebsrv', () => {
  let w: Websrv;
  let host: HostView;
  let storage: string;
  let blueId: string;
  let redId: string;
  const at = (...p: string[]) => path.join(storage, ...p);
  const blueOva = () => at('tenants', 'blue', 'appliances', 'blue-src.ova');
  const redOva = () => at('tenants', 'red', 'appliances', 'red-src.ova');
  const registered = () => w.vboxManage('list', 'vms');
  const hdds = () => w.vboxManage('list', 'hdds');

  beforeAll(async () => {
    w = await startWebsrv();
    storage = path.join(w.home, 'storage');
    fs.mkdirSync(storage);
    await createBlueAndRed();
    [host] = await registerWebsrvs([w], { storagePath: storage, localStoragePath: storage });
    const disk = { new: { sizeGB: 0.02 } };
    blueId = await createThroughOps({ name: 'blue-src', hostId: host.id, osTypeId: 'Debian12_64', cpuCount: 2, memoryMB: 256, disk, tenant: 'blue' }, admin);
    redId = await createThroughOps({ name: 'red-src', hostId: host.id, osTypeId: 'Debian12_64', memoryMB: 128, disk, tenant: 'red' }, admin);
    // A second adapter of another type, as VBoxManage sets it.
    w.vboxManage('modifyvm', blueId, '--nic2', 'nat', '--nictype2', 'virtio');
    as(admin);
    await taskSucceeded(await doExport({ machineIds: [redId], path: redOva() }), 'appliance.export', 60_000);
  }, 180_000);

  // vboxwebsrv 7.1.12 on a loaded machine has been seen to leave a call unanswered past the monitor's 10 s while it
  // imports (issue 15's stall): the host is marked down until the monitor reconnects. Each test starts with it up.
  beforeEach(async () => {
    await until('vbox-real up', () => getInventory().host(host.id)?.health === 'up', 60_000);
  }, 70_000);

  afterAll(async () => {
    await getInventory().stop();
    await w?.stop();
    dataDir.remove();
  });

  describe('a hostile tenant', () => {
    it('cannot inspect, import or download another tenant\'s appliance, nor climb out of its folder', async () => {
      expect(fs.existsSync(redOva())).toBe(true);
      as(blueOp);
      for (const p of [redOva(), at('tenants', 'blue', '..', 'red', 'appliances', 'red-src.ova'), at('appliances', 'x.ova')]) {
        expect(errorFields(await problem(await doInspect({ path: p }), 403))).toEqual(['path']);
        expect(errorFields(await problem(await doImport({ path: p, systems: [] }), 403))).toEqual(['path']);
        await problem(await doDownload(p), 404);
      }
      // A relative path, or one that is not an appliance, is a 400 naming the field.
      expect(errorFields(await problem(await doInspect({ path: 'tenants/blue/x.ova' }), 400))).toEqual(['path']);
      expect(errorFields(await problem(await doInspect({ path: at('tenants', 'blue', 'disk.vdi') }), 400))).toEqual(['path']);
      // Nor import into another tenant.
      await problem(await doImport({ path: blueOva(), tenant: 'red', systems: [] }), 403);
    });

    it('cannot export another tenant\'s machine (404, nothing written), nor into another tenant\'s folder', async () => {
      as(blueOp);
      const target = at('tenants', 'blue', 'appliances', 'stolen.ova');
      const p = await problem(await doExport({ machineIds: [blueId, redId], path: target }), 404);
      expect(errorFields(p)).toEqual(['machineIds.1']);
      expect(JSON.stringify(p)).not.toContain('red-src');
      expect(fs.existsSync(target)).toBe(false);
      expect(errorFields(await problem(await doExport({ machineIds: [blueId], path: at('tenants', 'red', 'appliances', 'mine.ova') }), 403))).toEqual(['path']);
      // A viewer exports nothing.
      as(blueViewer);
      await problem(await doExport({ machineIds: [blueId], path: target }), 403);
      expect(fs.existsSync(target)).toBe(false);
    });

    it('lists only its own folder', async () => {
      as(redOp);
      const r = await answer<{ appliances: { path: string }[]; folders: { path: string }[] }>(await list.GET(json('GET', '/api/v1/appliances')));
      expect(r.appliances.map((a) => a.path)).toEqual([redOva()]);
      expect(r.folders).toEqual([expect.objectContaining({ hostId: host.id, path: at('tenants', 'red', 'appliances'), uploadable: true })]);
      as(blueOp);
      const b = await answer<{ appliances: { path: string }[] }>(await list.GET(json('GET', '/api/v1/appliances')));
      expect(b.appliances).toEqual([]);
    });
  });

  describe('export then import', () => {
    it('exports a powered-off machine to an OVA: a tar with the descriptor first, listed and downloadable', async () => {
      as(blueOp);
      const t = await taskSucceeded(await doExport({ machineIds: [blueId], path: blueOva(), product: 'Blue appliance', vendor: 'Blue Inc.', version: '1.2' }), 'appliance.export', 60_000);
      expect(t).toMatchObject({ targetType: 'medium', targetName: 'blue-src.ova' });
      const head = fs.readFileSync(blueOva()).subarray(0, 512);
      expect(head.subarray(0, 100).toString('latin1').replace(/\0+$/, '')).toBe('blue-src.ovf');
      expect(head.subarray(257, 262).toString('latin1')).toBe('ustar');
      // The same file again is a 409 naming the path.
      expect(errorFields(await problem(await doExport({ machineIds: [blueId], path: blueOva() }), 409))).toEqual(['path']);
      const r = await answer<{ appliances: { path: string; sizeBytes: number; downloadable: boolean; modified: string }[] }>(await list.GET(json('GET', '/api/v1/appliances')));
      expect(r.appliances).toEqual([expect.objectContaining({ path: blueOva(), sizeBytes: fs.statSync(blueOva()).size, downloadable: true, modified: expect.stringMatching(/^20/) })]);
      const d = await doDownload(blueOva());
      expect(d.status).toBe(200);
      expect(d.headers.get('content-disposition')).toContain('attachment; filename="blue-src.ova"');
      expect(Buffer.from(await d.arrayBuffer()).equals(fs.readFileSync(blueOva()))).toBe(true);
    });

    it('inspects it as VirtualBox reads it: CPUs, memory, the disk and both adapters', async () => {
      as(blueOp);
      const v = await answer<{ systems: Record<string, unknown>[]; certificate: unknown; hostId: string }>(await doInspect({ path: blueOva() }));
      expect(v).toMatchObject({ hostId: host.id, certificate: null });
      expect(v.systems).toEqual([expect.objectContaining({
        // VirtualBox suggests a name its host does not have yet.
        index: 0, name: 'blue-src 1', osTypeId: 'Debian12_64', cpuCount: 2, memoryMB: 256, product: 'Blue appliance', vendor: 'Blue Inc.', version: '1.2',
        disks: [expect.objectContaining({ index: 0, source: 'blue-src-disk001.vmdk', sizeMB: 20, controller: expect.stringContaining('SATA') })],
        networks: [
          expect.objectContaining({ index: 0, adapterType: 'I82545EM', attachment: 'Bridged' }),
          expect.objectContaining({ index: 1, adapterType: 'Virtio', attachment: 'NAT' }),
        ],
        other: [{ type: 'CDROM', ovf: '', vbox: '' }, { type: 'HardDiskControllerSATA', ovf: 'AHCI', vbox: 'AHCI' }],
      })]);
    });

    it('imports it as a new machine of the tenant with the same CPUs, memory, disk and adapters, on the shared storage', async () => {
      as(blueOp);
      const t = await taskSucceeded(await doImport({ path: blueOva(), systems: [{ index: 0, name: 'blue-copy' }] }), 'vm.import', 60_000);
      const id = t.targetId;
      await until('blue-copy in the inventory as blue\'s', () => getInventory().machine(id)?.tenant === 'blue', 20_000);
      const src = vmInfo(w, blueId);
      const copy = vmInfo(w, id);
      expect(copy).toMatchObject({ name: 'blue-copy', cpus: '2', memory: '256', nictype1: src.nictype1, nictype2: 'virtio', nic1: 'bridged', bridgeadapter1: 'eth0', vrde: 'on' });
      expect(copy.nic2).toBe('bridged');
      expect(copy.CfgFile).toMatch(new RegExp(`^${at('tenants', 'blue', 'machines')}/[0-9a-f-]{36}/blue-copy\\.vbox$`));
      const disk = copy['SATA-0-0'];
      expect(path.dirname(disk)).toBe(path.dirname(copy.CfgFile));
      expect(w.vboxManage('showmediuminfo', disk)).toMatch(/Capacity:\s+20 MBytes/);
      expect(w.vboxManage('getextradata', id, 'nimbox/tenant')).toContain('Value: blue');
    });

    it('refuses a malformed OVA with VirtualBox\'s reason', async () => {
      as(blueOp);
      const bad = at('tenants', 'blue', 'appliances', 'broken.ova');
      fs.writeFileSync(bad, 'not a tar '.repeat(100));
      const p = await problem(await doInspect({ path: bad }), 422);
      expect(p).toMatchObject({ resultCode: 'VBOX_E_IPRT_ERROR', detail: `Error reading OVA '${bad}' (VERR_TAR_BAD_CHKSUM_FIELD)` });
      expect(await problem(await doImport({ path: bad, systems: [] }), 422)).toMatchObject({ resultCode: 'VBOX_E_IPRT_ERROR' });
      expect(await problem(await doInspect({ path: at('tenants', 'blue', 'appliances', 'none.ova') }), 422)).toMatchObject({ resultCode: 'VBOX_E_OBJECT_NOT_FOUND' });
    });
  });

  describe('what a tenant must not get from an appliance\'s <vbox:Machine>', () => {
    it('imports a machine an admin laid traps in without the host\'s paths, USB devices, recording or other tenants\' networks', async () => {
      // An admin's machine with everything a tenant's machine never gets, as VBoxManage sets it.
      const trapId = await createThroughOps({ name: 'trap-src', hostId: host.id, osTypeId: 'Debian12_64', memoryMB: 128 }, admin);
      const hostFile = (n: string) => path.join(w.home, n);
      const hostPaths = [hostFile('secrets'), hostFile('tty.log'), hostFile('pipe'), hostFile('rec.webm'), hostFile('trace.pcap'), hostFile('snaps'), hostFile('lpt')];
      fs.mkdirSync(hostFile('secrets'));
      w.vboxManage('sharedfolder', 'add', trapId, '--name', 'hostroot', '--hostpath', hostFile('secrets'), '--automount');
      w.vboxManage('modifyvm', trapId,
        '--uart1', '0x3f8', '4', '--uart-mode1', 'file', hostFile('tty.log'),
        '--uart2', '0x2f8', '3', '--uart-mode2', 'server', hostFile('pipe'),
        '--lpt1', '0x378', '7', '--lpt-mode1', hostFile('lpt'),
        '--usb-ohci', 'on',
        '--nic-trace1', 'on', '--nic-trace-file1', hostFile('trace.pcap'),
        '--snapshot-folder', hostFile('snaps'),
        '--nic2', 'intnet', '--intnet2', 'red-lan',
        '--nic3', 'intnet', '--intnet3', 'red-db');
      // Adapter 3 left off on red's network: turning it on later would join it.
      w.vboxManage('modifyvm', trapId, '--nic3', 'none');
      w.vboxManage('usbfilter', 'add', '0', '--target', trapId, '--name', 'any-stick', '--vendorid', '0781');
      w.vboxManage('setextradata', trapId, 'nimbox/tenant', 'red');
      // This VBoxManage is built without recording: through the SOAP client.
      await getInventory().monitor(host.id)!.client.write((vbox, wsm) => withWriteLock(vbox, wsm, trapId, async (m) => {
        const rec = await m.getRecordingSettings();
        await rec.setEnabled(true);
        for (const screen of await rec.getScreens()) await screen.setFilename(hostFile('rec.webm'));
      }), { release: true });
      const src = vmInfo(w, trapId);
      expect(src).toMatchObject({ SharedFolderNameMachineMapping1: 'hostroot', uartmode1: `file,${hostFile('tty.log')}`, intnet2: 'red-lan', nic3: 'none', USBFilterName1: 'any-stick', SnapFldr: hostFile('snaps') });
      // showvminfo --machinereadable says nothing of recording here (built without it) nor of packet traces: the settings file does.
      const recordingOn = (cfg: string) => /<Recording[^>]*\benabled="true"/.test(fs.readFileSync(cfg, 'utf8'));
      const tracing = (cfg: string) => /<Adapter[^>]*\btrace="true"/.test(fs.readFileSync(cfg, 'utf8'));
      expect([recordingOn(src.CfgFile), tracing(src.CfgFile)]).toEqual([true, true]);
      as(admin);
      const trapOva = at('tenants', 'blue', 'appliances', 'trap.ova');
      await taskSucceeded(await doExport({ machineIds: [trapId], path: trapOva }), 'appliance.export', 60_000);

      as(blueOp);
      const t = await taskSucceeded(await doImport({ path: trapOva, systems: [{ index: 0, name: 'blue-trap' }] }), 'vm.import', 60_000);
      const id = t.targetId;
      await until('blue-trap in the inventory as blue\'s', () => getInventory().machine(id)?.tenant === 'blue', 20_000);
      const copy = vmInfo(w, id);
      expect(w.vboxManage('getextradata', id, 'nimbox/tenant')).toContain('Value: blue');
      expect(Object.keys(copy).filter((k) => /^SharedFolder|^USBFilter/.test(k))).toEqual([]);
      expect(copy).toMatchObject({ uartmode1: 'disconnected', uartmode2: 'disconnected', lpt1: 'off' });
      expect([recordingOn(copy.CfgFile), tracing(copy.CfgFile)]).toEqual([false, false]);
      // Both enabled adapters follow the plan (the host's bridge), the one that was off stays off and attached to nothing.
      expect(copy).toMatchObject({ nic1: 'bridged', nic2: 'bridged', nic3: 'none' });
      expect(copy.SnapFldr).toBe(path.join(path.dirname(copy.CfgFile), 'Snapshots'));
      // The settings file names none of it (a disabled adapter keeps its attachment there).
      const settings = fs.readFileSync(copy.CfgFile, 'utf8');
      for (const s of [...hostPaths, 'red-lan', 'red-db', 'any-stick', 'hostroot']) expect(settings).not.toContain(s);
    }, 120_000);
  });

  describe('quotas and failures', () => {
    it('holds the tenant\'s quotas: machines, memory and the disks the descriptor declares', async () => {
      as(blueOp);
      const blue = (await getTenantByName('blue'))!;
      await updateTenant(blue.id, { maxMemoryMB: 600 });
      expect(errorFields(await problem(await doImport({ path: blueOva(), systems: [{ index: 0, name: 'blue-3' }] }), 409))).toEqual(['systems']);
      await updateTenant(blue.id, { maxMemoryMB: null, maxDiskGB: 0 });
      // Nothing more fits a quota of 0 GB: the disk the descriptor declares is refused before anything is made.
      expect(errorFields(await problem(await doImport({ path: blueOva(), systems: [{ index: 0, name: 'blue-3' }] }), 409))).toEqual(['systems.0.disks.0']);
      await updateTenant(blue.id, { maxDiskGB: null });
      expect(registered()).not.toContain('blue-3');
    });

    it('a failed import leaves nothing: VirtualBox refuses a disk over an existing file', async () => {
      as(blueOp);
      const folder = at('tenants', 'blue', 'taken');
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, 'blue-src-disk001.vmdk'), 'mine');
      const before = { vms: registered(), hdds: hdds() };
      const t = await taskEnded(await doImport({ path: blueOva(), systems: [{ index: 0, name: 'blue-fail', diskFolder: folder }] }), 'vm.import', 60_000);
      expect(t.status).toBe('failed');
      expect(t.error?.resultCode).toBeTruthy();
      expect(registered()).toBe(before.vms);
      expect(hdds()).toBe(before.hdds);
      expect(fs.readFileSync(path.join(folder, 'blue-src-disk001.vmdk'), 'utf8')).toBe('mine');
      expect(fs.readdirSync(at('tenants', 'blue', 'machines')).filter((d) => fs.readdirSync(at('tenants', 'blue', 'machines', d)).some((f) => f.startsWith('blue-fail')))).toEqual([]);
    });

    it('a failed import leaves nothing: the disks over quota once imported (descriptor not readable here) are removed', async () => {
      as(blueOp);
      const blue = (await getTenantByName('blue'))!;
      // This server no longer mounts the storage: the capacities are known only after the import.
      await updateHost(await getDb(), host.id, { localStoragePath: null });
      await updateTenant(blue.id, { maxDiskGB: 0 });
      try {
        const before = { vms: registered(), hdds: hdds() };
        const t = await taskEnded(await doImport({ path: blueOva(), systems: [{ index: 0, name: 'blue-over' }] }), 'vm.import', 60_000);
        expect(t.status).toBe('failed');
        expect(t.error?.detail).toMatch(/disk quota of 0 GB/);
        expect(registered()).toBe(before.vms);
        expect(hdds()).toBe(before.hdds);
        expect(JSON.stringify(fs.readdirSync(at('tenants', 'blue', 'machines'), { recursive: true }))).not.toContain('blue-over');
      } finally {
        await updateTenant(blue.id, { maxDiskGB: null });
        await updateHost(await getDb(), host.id, { localStoragePath: storage });
      }
    });
  });
});
