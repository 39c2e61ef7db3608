import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import type { HostView } from '@/lib/db/hosts';
import type { Task } from '@/lib/tasks';
import { startWebsrv, websrvMissing, type Websrv } from '@/lib/vbox/websrv-harness';

/*
 * lib/cluster against VirtualBox 7.1.12's own vboxwebsrv (../shared/vbox-7.1): the real server is
 * registered as a host in a temporary data folder; the process's inventory scans it and follows it
 * live; machines are created (every wizard option), edited, snapshotted, started (refused: no kernel
 * driver) and deleted through lib/cluster's operations and lib/tasks, as the API routes call them.
 * What VirtualBox did is checked as an administrator would: VBoxManage showvminfo, files on disk.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-real-host-'));

const missing = websrvMissing();
if (missing) console.warn(`lib/cluster against the real vboxwebsrv skipped: ${missing}`);

const { getDb } = await import('@/lib/db');
const { createHost } = await import('@/lib/db/hosts');
const { createTenant } = await import('@/lib/tenants');
const { getInventory } = await import('./inventory');
const { until } = await import('./testing');
const { machineDetail } = await import('./details');
const ops = await import('./operations');
const { startPowerAction } = await import('@/lib/tasks/power');
const { waitForTask } = await import('@/lib/tasks');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const VNC_SECRET = 'vnc-Real-s3cret';

describe.skipIf(missing)('lib/cluster against the real vboxwebsrv', () => {
  let w: Websrv;
  /** A second host on the same shared storage, for twins. */
  let w2: Websrv;
  let host: HostView;
  let host2: HostView;
  let storage: string;
  /** The new disk of full-1, where Nimbox put it on the shared storage. */
  let fullDisk: string;
  const inv = () => getInventory();

  /** VBoxManage showvminfo --machinereadable as key → value. */
  const vminfo = (nameOrId: string): Record<string, string> =>
    Object.fromEntries(w.vboxManage('showvminfo', nameOrId, '--machinereadable').split('\n').filter(Boolean).map((l) => {
      const i = l.indexOf('=');
      return [l.slice(0, i).replace(/^"|"$/g, ''), l.slice(i + 1).replace(/^"|"$/g, '')];
    }));
  const extradata = (nameOrId: string, key: string) => w.vboxManage('getextradata', nameOrId, key).trim();
  const registered = () => w.vboxManage('list', 'vms');
  const rowNamed = (name: string) => inv().machines().find((m) => m.name === name);
  /** What is left in a folder, sorted; null when the folder is gone. */
  const left = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : null);
  /*
   * A machine's settings folder here is named by its UUID, so VirtualBox's deleteConfig, which removes the
   * folder only when it is named after the machine (Machine::i_isInOwnDir), leaves it behind, and
   * IMedium.deleteStorage removes a disk's file, not its folder: empty folders stay on the shared storage.
   */

  /** Plans and starts vm.create as POST /api/v1/vms does, and waits for the task's end. */
  async function create(input: Record<string, unknown>): Promise<Task> {
    const plan = await ops.planCreate({ hostId: host.id, osTypeId: 'Debian12_64', memoryMB: 256, ...input }, admin);
    return waitForTask((await ops.startCreate(plan, admin)).id, 60_000);
  }
  const done = async (started: Promise<Task>) => waitForTask((await started).id, 60_000);
  /**
   * Until the inventory shows the machine powered off again after a snapshot task: the task ends with
   * VirtualBox's IProgress, the row follows the host's events some milliseconds later (Snapshotting,
   * then PoweredOff), and a user sees the row's state before choosing the next action.
   */
  const settled = (id: string) => until(`${id} PoweredOff in the inventory`, () => inv().machine(id)?.state === 'PoweredOff');
  /** Every time a host was not up while the tests ran, with why (a stalled or refused call). */
  const outages: string[] = [];

  beforeAll(async () => {
    [w, w2] = await Promise.all([startWebsrv(), startWebsrv()]);
    storage = path.join(w.home, 'storage');
    fs.mkdirSync(storage);
    // What the administrator made before Nimbox came: two machines, one of them a tenant's, and media on the storage.
    w.vboxManage('createvm', '--name', 'pre-a', '--ostype', 'Debian12_64', '--register');
    w.vboxManage('createvm', '--name', 'pre-b', '--ostype', 'Ubuntu_64', '--register');
    w.vboxManage('modifyvm', 'pre-b', '--cpus', '2', '--memory', '1024');
    w.vboxManage('setextradata', 'pre-b', 'nimbox/tenant', 'blue');
    w.vboxManage('createmedium', 'disk', '--filename', path.join(storage, 'existing.vdi'), '--size', '32');
    w.vboxManage('closemedium', 'disk', path.join(storage, 'existing.vdi'));
    fs.writeFileSync(path.join(storage, 'installer.iso'), Buffer.alloc(1024 * 1024));

    const db = await getDb();
    await createTenant({ name: 'blue', displayName: 'Blue team' }, db);
    await createTenant({ name: 'green', displayName: 'Green team' }, db);
    host = await createHost(db, { name: 'vbox-real', url: w.url, username: 'nimbox', password: 'any', storagePath: storage, bridgeAdapter: 'eth0', vrdePorts: '5900-5949' });
    host2 = await createHost(db, { name: 'vbox-real-2', url: w2.url, username: 'nimbox', password: 'any', storagePath: storage, bridgeAdapter: 'eth0', vrdePorts: '5950-5999' });
    inv().subscribe((e) => {
      if (e.type === 'host' && e.host.health !== 'up' && e.host.lastError) outages.push(`${e.host.name} ${e.host.health}: ${e.host.lastError}`);
    });
    await inv().start();
    await until('the real hosts scanned', () => inv().hosts().every((h) => h.health === 'up') && inv().machines().length === 2, 20_000);
  });

  afterAll(async () => {
    await inv().stop();
    await Promise.all([w?.stop(), w2?.stop()]);
    dataDir.remove();
  });

  describe('the live inventory', () => {
    it('scans the host: VirtualBox 7.1.12, its CPUs and memory, and the machines made with VBoxManage', () => {
      expect(inv().host(host.id)).toMatchObject({ name: 'vbox-real', health: 'up', lastError: null, version: '7.1.12', apiVersion: '7_1', machineCount: 2, runningCount: 0 });
      const h = inv().host(host.id)!;
      expect(h.cpus).toBeGreaterThan(0);
      expect(h.memoryMB).toBeGreaterThan(h.memoryAvailableMB ?? Infinity);
      expect(rowNamed('pre-a')).toMatchObject({ hostName: 'vbox-real', state: 'PoweredOff', sessionState: 'Unlocked', osTypeId: 'Debian12_64', cpuCount: 1, memoryMB: 128, tenant: null, stale: false });
      expect(rowNamed('pre-b')).toMatchObject({ id: vminfo('pre-b').UUID, osTypeId: 'Ubuntu_64', cpuCount: 2, memoryMB: 1024, tenant: 'blue' });
    });

    it('follows machines created, changed, renamed, tagged and deleted with VBoxManage as they happen (the event listener)', async () => {
      // The reconcile (every 15 s) reads registrations and states only: the rest comes through the event listener.
      const live = { timeoutMs: 5_000 };
      w.vboxManage('createvm', '--name', 'live-1', '--ostype', 'Debian12_64', '--register');
      const id = vminfo('live-1').UUID;
      await until('live-1 listed', () => inv().machine(id), live.timeoutMs);
      w.vboxManage('modifyvm', 'live-1', '--cpus', '3', '--memory', '768');
      await until('its new CPUs and memory', () => inv().machine(id)?.cpuCount === 3 && inv().machine(id)?.memoryMB === 768, live.timeoutMs);
      w.vboxManage('modifyvm', 'live-1', '--name', 'live-2');
      await until('its new name', () => inv().machine(id)?.name === 'live-2', live.timeoutMs);
      w.vboxManage('setextradata', 'live-2', 'nimbox/tenant', 'green');
      await until('its tenant', () => inv().machine(id)?.tenant === 'green', live.timeoutMs);
      w.vboxManage('unregistervm', 'live-2', '--delete');
      await until('live-2 gone', () => !inv().machine(id), live.timeoutMs);
      expect(inv().host(host.id)?.machineCount).toBe(2);
    });

    it('reads what the create wizard offers: the host\'s OS types (x86 only), bridged interfaces and storage', async () => {
      const caps = await ops.hostCapabilities(host.id);
      expect(caps).toMatchObject({ hostId: host.id, storagePath: storage, bridgeAdapter: 'eth0', vrdePorts: '5900-5949' });
      expect(caps.bridgedInterfaces).toContain('eth0');
      expect(caps.osTypes).toContainEqual({ id: 'Debian12_64', description: 'Debian 12 Bookworm (64-bit)', familyId: 'Linux', is64Bit: true, recommendedRAM: 2048, recommendedHDDBytes: 20 * 1024 ** 3 });
      expect(caps.osTypes.some((t) => t.id.includes('arm64'))).toBe(false);
    });
  });

  describe('create', () => {
    it('makes a machine with every wizard option: settings, new disk, ISO, bridged NIC, VNC password, tenant', async () => {
      const task = await create({
        name: 'full-1', description: 'every option\nsecond line', osTypeId: 'Debian12_64', cpuCount: 2, memoryMB: 1536,
        hwVirt: false, nestedPaging: false, ioapic: false, acpi: false, hpet: true, rtcUseUTC: false,
        nic: { bridgedInterface: 'eth0', adapterType: 'Virtio', cableConnected: false },
        bootOrder: ['DVD', 'HardDisk'], disk: { new: { sizeGB: 0.05 } }, iso: path.join(storage, 'installer.iso'),
        vrde: { password: VNC_SECRET }, tenant: 'blue',
      });
      expect(task, JSON.stringify(task.error)).toMatchObject({ kind: 'vm.create', status: 'succeeded', percent: 100, message: 'Created full-1 on vbox-real', error: null });
      expect(JSON.stringify(task)).not.toContain(VNC_SECRET);
      const info = vminfo(task.targetId);
      const disk = (fullDisk = info['SATA-0-0']);
      // On the shared storage under its tenant's folder: the disk in a folder of the machine's name, the settings in one of its UUID.
      expect(disk).toBe(path.join(storage, 'tenants', 'blue', 'full-1', 'full-1.vdi'));
      expect(info.CfgFile).toBe(path.join(storage, 'tenants', 'blue', 'machines', task.targetId, 'full-1.vbox'));
      expect(info).toMatchObject({
        name: 'full-1', UUID: task.targetId, ostype: 'Debian 12 Bookworm (64-bit)', cpus: '2', memory: '1536', VMState: 'poweroff',
        hwvirtex: 'off', nestedpaging: 'off', ioapic: 'off', acpi: 'off', hpet: 'on', rtcuseutc: 'off', longmode: 'on', pae: 'on',
        nic1: 'bridged', bridgeadapter1: 'eth0', nictype1: 'virtio', cableconnected1: 'off', nic2: 'none',
        boot1: 'dvd', boot2: 'disk', boot3: 'none', boot4: 'none',
        vrde: 'on', vrdeports: '5900-5949', audio: 'none', clipboard: 'disabled',
        storagecontrollername0: 'SATA', storagecontrollertype0: 'IntelAhci', storagecontrollerportcount0: '2',
        'SATA-0-0': disk, 'SATA-1-0': path.join(storage, 'installer.iso'),
      });
      expect(w.vboxManage('showvminfo', task.targetId, '--machinereadable')).toContain('description="every option\nsecond line"');
      // The VNC password is in the machine's settings file only (VBoxManage does not show it).
      expect(fs.readFileSync(info.CfgFile, 'utf8')).toContain(`<Property name="VNCPassword" value="${VNC_SECRET}"/>`);
      expect(extradata(task.targetId, 'nimbox/tenant')).toBe('Value: blue');
      expect(w.vboxManage('showmediuminfo', disk)).toMatch(/Capacity:\s+51 MBytes/);
      expect(fs.existsSync(disk)).toBe(true);
      await until('full-1 in the inventory', () => inv().machine(task.targetId)?.tenant === 'blue');
      expect(inv().machine(task.targetId)).toMatchObject({ name: 'full-1', cpuCount: 2, memoryMB: 1536, state: 'PoweredOff' });
    });

    it('makes a machine from an existing disk with the defaults, and the machine page reads it', async () => {
      const existing = path.join(storage, 'existing.vdi');
      const task = await create({ name: 'plain-1', disk: { existing } });
      expect(task.status, JSON.stringify(task.error)).toBe('succeeded');
      expect(vminfo('plain-1')).toMatchObject({
        cpus: '1', memory: '256', hwvirtex: 'on', nestedpaging: 'on', ioapic: 'on', acpi: 'on', hpet: 'off', rtcuseutc: 'on',
        nic1: 'bridged', bridgeadapter1: 'eth0', nictype1: '82545EM', cableconnected1: 'on', boot1: 'net', boot2: 'disk', boot3: 'dvd',
        'SATA-0-0': existing, 'SATA-1-0': 'emptydrive',
        // No tenant: the settings in a folder of its UUID under the shared storage's machines folder.
        CfgFile: path.join(storage, 'machines', task.targetId, 'plain-1.vbox'),
      });
      await until('plain-1 in the inventory', () => inv().machine(task.targetId));
      const d = await machineDetail(inv(), task.targetId);
      expect(d).toMatchObject({
        name: 'plain-1', firmware: 'BIOS', chipset: 'PIIX3', ioapic: true, acpi: true, hpet: false, rtcUseUTC: true, hwVirt: true, nestedPaging: true,
        bootOrder: ['Network', 'HardDisk', 'DVD'], vrde: { enabled: true, ports: '5900-5949', activePort: null, hasPassword: false },
      });
      expect(d!.networkAdapters).toHaveLength(8);
      expect(d!.networkAdapters[0]).toMatchObject({ enabled: true, adapterType: 'I82545EM', attachmentType: 'Bridged', bridgedInterface: 'eth0', cableConnected: true });
      expect(d!.disks).toEqual([
        expect.objectContaining({ controller: 'SATA', port: 0, type: 'HardDisk', location: existing, format: 'VDI', logicalSizeBytes: 32 * 1024 ** 2 }),
        expect.objectContaining({ controller: 'SATA', port: 1, type: 'DVD', location: null }),
      ]);
    });

    it('fails at the step VirtualBox refuses, with its text and result code, and leaves no machine, settings or disk behind', async () => {
      const missingDisk = path.join(storage, 'missing.vdi');
      let t = await create({ name: 'rb-1', disk: { new: { sizeGB: 0.02 } }, iso: path.join(storage, 'missing.iso') });
      expect(t).toMatchObject({ status: 'failed', error: { step: 'Attaching ISO', resultCode: 'VBOX_E_OBJECT_NOT_FOUND' } });
      expect(t.error!.detail).toBe(`Could not find file for the medium '${path.join(storage, 'missing.iso')}' (VERR_FILE_NOT_FOUND)`);
      expect(registered()).not.toContain('"rb-1"');
      // Neither the settings (in the folder of the UUID the task targeted) nor the disk file: only their emptied folders.
      expect(left(path.join(storage, 'machines', t.targetId))).toEqual([]);
      expect(left(path.join(storage, 'rb-1'))).toEqual([]);
      expect(w.vboxManage('list', 'hdds')).not.toContain('rb-1');

      t = await create({ name: 'rb-2', disk: { existing: missingDisk } });
      expect(t).toMatchObject({ status: 'failed', error: { step: 'Attaching disk', resultCode: 'VBOX_E_OBJECT_NOT_FOUND' } });
      expect(registered()).not.toContain('"rb-2"');
      expect(left(path.join(storage, 'machines', t.targetId))).toEqual([]);

      // A settings file in the way where VirtualBox is told to create the machine's. That path holds the machine's
      // UUID, which Nimbox picks when it plans the create: the blocker goes there between the plan and the start.
      const plan = await ops.planCreate({ hostId: host.id, osTypeId: 'Debian12_64', memoryMB: 256, name: 'rb-3' }, admin);
      const blocker = path.join(storage, 'machines', plan.id, 'rb-3.vbox');
      fs.mkdirSync(path.dirname(blocker), { recursive: true });
      fs.writeFileSync(blocker, '<VirtualBox/>');
      t = await waitForTask((await ops.startCreate(plan, admin)).id, 60_000);
      expect(t).toMatchObject({ status: 'failed', error: { step: 'Creating machine', resultCode: 'VBOX_E_FILE_ERROR', detail: `Machine settings file '${blocker}' already exists` } });
      expect(fs.readFileSync(blocker, 'utf8')).toBe('<VirtualBox/>');
      expect(fs.readdirSync(path.dirname(blocker))).toEqual(['rb-3.vbox']);
      await new Promise((r) => setTimeout(r, 300));
      expect(inv().machines().some((m) => m.name.startsWith('rb-'))).toBe(false);
    });
  });

  describe('a machine that cannot run here', () => {
    it('start: the task fails with VirtualBox\'s VERR_VM_DRIVER_NOT_INSTALLED; the machine stays powered off and unlocked', async () => {
      const id = rowNamed('plain-1')!.id;
      const t = await done(startPowerAction(id, 'start', admin));
      expect(t).toMatchObject({ kind: 'vm.start', status: 'failed', error: { title: 'The VirtualBox operation failed', resultCode: 'E_FAIL' } });
      expect(t.error!.detail).toMatch(/^VirtualBox kernel driver not Installed\. .*\(VERR_VM_DRIVER_NOT_INSTALLED\)$/s);
      expect(vminfo(id)).toMatchObject({ VMState: 'poweroff' });
      expect(vminfo(id).SessionName).toBeUndefined();
      await until('the inventory back at PoweredOff, unlocked', () => inv().machine(id)?.state === 'PoweredOff' && inv().machine(id)?.sessionState === 'Unlocked');
    });
  });

  describe('edit', () => {
    it('changes every editable field of a powered-off machine', async () => {
      const id = rowNamed('plain-1')!.id;
      const t = await done(ops.startEdit(id, {
        name: 'plain-2', description: 'edited', cpuCount: 3, memoryMB: 640,
        nic: { attachmentType: 'NAT', adapterType: 'Am79C973', cableConnected: false }, bootOrder: ['HardDisk'],
        vrde: { ports: '5950-5959', password: 'n3w-secret' },
      }, admin));
      expect(t, JSON.stringify(t.error)).toMatchObject({ kind: 'vm.edit', status: 'succeeded', targetName: 'plain-2' });
      expect(JSON.stringify(t)).not.toContain('n3w-secret');
      const info = vminfo(id);
      expect(info).toMatchObject({
        name: 'plain-2', description: 'edited', cpus: '3', memory: '640', nic1: 'nat', nictype1: 'Am79C973', cableconnected1: 'off',
        boot1: 'disk', boot2: 'none', vrdeports: '5950-5959',
      });
      // The settings stay where they were: VirtualBox renames only a settings folder named after the machine, and
      // this one is named by its UUID. The disk did not move either, and nothing of the new name appeared.
      expect(info.CfgFile).toBe(path.join(storage, 'machines', id, 'plain-1.vbox'));
      expect(info['SATA-0-0']).toBe(path.join(storage, 'existing.vdi'));
      // (Logs: from the start VirtualBox refused; -prev: its copy of the settings before this save.)
      expect(left(path.join(storage, 'machines', id))).toEqual(['Logs', 'plain-1.vbox', 'plain-1.vbox-prev']);
      expect(fs.existsSync(path.join(storage, 'plain-2'))).toBe(false);
      expect(fs.readFileSync(info.CfgFile, 'utf8')).toContain('<Property name="VNCPassword" value="n3w-secret"/>');
      await until('the new name in the inventory', () => inv().machine(id)?.name === 'plain-2' && inv().machine(id)?.cpuCount === 3);

      // Back to a bridged NIC on the host's interface; the password removed again.
      const back = await done(ops.startEdit(id, { nic: { attachmentType: 'Bridged', bridgedInterface: 'eth0' }, vrde: { password: null } }, admin));
      expect(back.status, JSON.stringify(back.error)).toBe('succeeded');
      expect(vminfo(id)).toMatchObject({ nic1: 'bridged', bridgeadapter1: 'eth0' });
      expect(fs.readFileSync(info.CfgFile, 'utf8')).not.toContain('VNCPassword');
      expect((await machineDetail(inv(), id))!.vrde.hasPassword).toBe(false);
    });

    it('moves a machine to another tenant: extradata nimbox/tenant, written on its session machine', async () => {
      const id = rowNamed('plain-2')!.id;
      const row = await ops.setMachineTenant(id, 'green');
      expect(row.tenant).toBe('green');
      expect(extradata(id, 'nimbox/tenant')).toBe('Value: green');
      await until('the tenant in the inventory', () => inv().machine(id)?.tenant === 'green');
      await ops.setMachineTenant(id, null);
      expect(extradata(id, 'nimbox/tenant')).toBe('No value set!');
    });

    it('a change VirtualBox refuses fails the task with its text and result code, and changes nothing', async () => {
      const id = rowNamed('plain-2')!.id;
      const cfg = path.join(storage, 'machines', id, 'plain-1.vbox');
      // A folder where VirtualBox writes the new settings before it swaps them in (`<settings file>-tmp`): the save fails.
      fs.mkdirSync(`${cfg}-tmp`);
      try {
        const t = await done(ops.startEdit(id, { name: 'taken', memoryMB: 700 }, admin));
        expect(t).toMatchObject({ status: 'failed', error: { title: 'VirtualBox refused the operation', step: 'Saving name, memoryMB on vbox-real', resultCode: 'E_FAIL' } });
        // VirtualBox's text goes on with where in its source it failed (a build path): the first line is what it says.
        expect(t.error!.detail.split('\n')[0]).toBe(`Runtime error opening '${cfg}-tmp' for overwriting VERR_IS_A_DIRECTORY (A non-directory operation was attempted on a directory object.).`);
        expect(vminfo(id)).toMatchObject({ name: 'plain-2', memory: '640', CfgFile: cfg });
        expect(fs.readFileSync(cfg, 'utf8')).not.toContain('taken');
      } finally {
        fs.rmSync(`${cfg}-tmp`, { recursive: true, force: true });
      }
    });
  });

  describe('snapshots of a powered-off machine', () => {
    it('takes, lists, restores and deletes snapshots', async () => {
      const id = rowNamed('full-1')!.id;
      let t = await done(ops.startTakeSnapshot(id, { name: 'before', description: 'clean install' }, admin));
      expect(t, JSON.stringify(t.error)).toMatchObject({ kind: 'snapshot.take', status: 'succeeded', message: 'Took snapshot "before"' });
      await settled(id);
      // A change after the snapshot, then a second snapshot.
      expect((await done(ops.startEdit(id, { memoryMB: 2048 }, admin))).status).toBe('succeeded');
      t = await done(ops.startTakeSnapshot(id, { name: 'after' }, admin));
      expect(t.status).toBe('succeeded');
      await settled(id);

      const tree = await ops.snapshotTree(id);
      expect(tree.tree).toHaveLength(1);
      const [before] = tree.tree;
      expect(before).toMatchObject({ name: 'before', description: 'clean install', online: false });
      expect(before.children).toHaveLength(1);
      const after = before.children[0];
      expect(after).toMatchObject({ name: 'after', online: false, children: [] });
      expect(tree.current).toBe(after.id);
      expect(vminfo(id)).toMatchObject({ SnapshotName: 'before', 'SnapshotName-1': 'after', CurrentSnapshotName: 'after', memory: '2048' });
      // The disk now writes to a differencing image in the Snapshots folder next to the machine's settings.
      expect(vminfo(id)['SATA-0-0']).toMatch(new RegExp(`^${path.join(storage, 'tenants', 'blue', 'machines', id, 'Snapshots')}/\\{[0-9a-f-]+\\}\\.vdi$`));

      t = await done(ops.startRestoreSnapshot(id, before.id, admin));
      expect(t, JSON.stringify(t.error)).toMatchObject({ kind: 'snapshot.restore', status: 'succeeded', title: 'Restore snapshot "before" of full-1' });
      expect(vminfo(id)).toMatchObject({ CurrentSnapshotName: 'before', memory: '1536', VMState: 'poweroff' });
      await until('the restored memory in the inventory', () => inv().machine(id)?.memoryMB === 1536);
      await settled(id);

      t = await done(ops.startDeleteSnapshot(id, after.id, admin));
      expect(t, JSON.stringify(t.error)).toMatchObject({ kind: 'snapshot.delete', status: 'succeeded' });
      expect((await ops.snapshotTree(id)).tree).toEqual([expect.objectContaining({ name: 'before', children: [] })]);
      expect(w.vboxManage('snapshot', id, 'list', '--machinereadable')).not.toContain('after');
      await settled(id);
    });

    it('answers 404 for a snapshot the machine does not have', async () => {
      const id = rowNamed('plain-2')!.id;
      await expect(ops.startRestoreSnapshot(id, '00000000-0000-4000-8000-000000000000', admin)).rejects.toMatchObject({ problem: { status: 404 } });
      const full = rowNamed('full-1')!.id;
      await expect(ops.startDeleteSnapshot(full, '00000000-0000-4000-8000-000000000000', admin)).rejects.toMatchObject({ problem: { status: 404 } });
    });
  });

  describe('delete', () => {
    it('without its disks: the machine and its settings go, the disk file stays and the host forgets it', async () => {
      const id = rowNamed('plain-2')!.id;
      const existing = path.join(storage, 'existing.vdi');
      const t = await done(ops.startDelete(id, false, admin));
      expect(t, JSON.stringify(t.error)).toMatchObject({ kind: 'vm.delete', status: 'succeeded', message: 'Deleted plain-2' });
      expect(registered()).not.toContain(id);
      // The settings, their backup and the Logs folder went; the emptied settings folder stays.
      expect(left(path.join(storage, 'machines', id))).toEqual([]);
      expect(fs.existsSync(existing)).toBe(true);
      expect(w.vboxManage('list', 'hdds')).not.toContain(existing);
      await until('plain-2 gone from the inventory', () => !inv().machine(id));
    });

    it('with its disks: the disk file and the snapshots\' differencing images go too', async () => {
      const id = rowNamed('full-1')!.id;
      const disk = fullDisk;
      const t = await done(ops.startDelete(id, true, admin));
      expect(t, JSON.stringify(t.error)).toMatchObject({ status: 'succeeded', title: 'Delete full-1 and its disks', message: 'Deleted full-1 and its disks' });
      expect(registered()).not.toContain(id);
      expect(fs.existsSync(disk)).toBe(false);
      // What VirtualBox's deleteConfig leaves, as VBoxManage unregistervm --delete does: in the settings folder, the VRDE
      // certificate it made when VRDE was enabled (the settings and the Snapshots folder went); the disk's folder, empty.
      expect(left(path.join(storage, 'tenants', 'blue', 'machines', id))).toEqual(['VRDEAutoGeneratedCert.pem', 'VRDEAutoGeneratedPrivateKey.pem']);
      expect(left(path.dirname(disk))).toEqual([]);
      expect(w.vboxManage('list', 'hdds')).not.toContain('full-1');
      await until('full-1 gone from the inventory', () => !inv().machine(id));
    });
  });

  describe('a machine registered on two hosts (twins)', () => {
    const vminfo2 = (nameOrId: string) => w2.vboxManage('showvminfo', nameOrId, '--machinereadable');

    it('is created on both with the same UUID and disk, edited on both, and deleted from both with its disk', async () => {
      const created = await create({ name: 'twin-1', disk: { new: { sizeGB: 0.02 } }, registerOnOtherHosts: [host2.id] });
      expect(created, JSON.stringify(created.error)).toMatchObject({ status: 'succeeded', message: 'Created twin-1 on vbox-real, registered on vbox-real-2' });
      const id = created.targetId;
      const disk = path.join(storage, 'twin-1', 'twin-1.vdi');
      expect(vminfo(id)).toMatchObject({ name: 'twin-1', 'SATA-0-0': disk, vrdeports: '5900-5949' });
      expect(vminfo2(id)).toContain(`"SATA-0-0"="${disk}"`);
      expect(vminfo2(id)).toContain('vrdeports="5950-5999"');
      // The machine's own host keeps its settings on the shared storage (where HA opens them); the other host in its default folder.
      expect(vminfo(id).CfgFile).toBe(path.join(storage, 'machines', id, 'twin-1.vbox'));
      expect(vminfo2(id)).toContain(`CfgFile="${path.join(w2.home, 'machines', 'twin-1', 'twin-1.vbox')}"`);
      await until('one row with its twin', () => inv().machine(id)?.twins.length === 1);
      expect(inv().machine(id)).toMatchObject({ hostName: 'vbox-real', twins: [{ hostName: 'vbox-real-2', state: 'PoweredOff' }] });

      const edited = await done(ops.startEdit(id, { name: 'twin-2', cpuCount: 2 }, admin));
      expect(edited.status, JSON.stringify(edited.error)).toBe('succeeded');
      expect(vminfo(id)).toMatchObject({ name: 'twin-2', cpus: '2' });
      expect(vminfo2(id)).toMatch(/^name="twin-2"$/m);
      expect(vminfo2(id)).toMatch(/^cpus=2$/m);
      // The rename left the shared settings and the disk where they were (VirtualBox renamed only the second host's own
      // settings folder, named after the machine): both copies still use the same disk, and the second host can read it.
      expect(vminfo(id)).toMatchObject({ CfgFile: path.join(storage, 'machines', id, 'twin-1.vbox'), 'SATA-0-0': disk });
      expect(vminfo2(id)).toContain(`CfgFile="${path.join(w2.home, 'machines', 'twin-2', 'twin-2.vbox')}"`);
      expect(vminfo2(id)).toContain(`"SATA-0-0"="${disk}"`);
      expect(fs.existsSync(disk)).toBe(true);
      expect(w2.vboxManage('showmediuminfo', disk)).toMatch(/^State:\s+created$/m);

      const deleted = await done(ops.startDelete(id, true, admin));
      expect(deleted.status, JSON.stringify(deleted.error)).toBe('succeeded');
      expect(registered()).not.toContain(id);
      expect(w2.vboxManage('list', 'vms')).not.toContain(id);
      expect(fs.existsSync(disk)).toBe(false);
      expect(left(path.join(storage, 'machines', id))).toEqual([]);
      // The second host forgot the disk it had opened.
      expect(w2.vboxManage('list', 'hdds')).not.toContain(disk);
      await until('twin-2 gone from the inventory', () => !inv().machine(id));
    });

    it('when the second host refuses, the machine and disk made on the first go too', async () => {
      const blocker = path.join(w2.home, 'machines', 'twin-3', 'twin-3.vbox');
      fs.mkdirSync(path.dirname(blocker), { recursive: true });
      fs.writeFileSync(blocker, '<VirtualBox/>');
      const t = await create({ name: 'twin-3', disk: { new: { sizeGB: 0.02 } }, registerOnOtherHosts: [host2.id] });
      expect(t).toMatchObject({ status: 'failed', error: { step: 'Registering on vbox-real-2', resultCode: 'VBOX_E_FILE_ERROR', detail: `Machine settings file '${blocker}' already exists` } });
      expect(registered()).not.toContain('"twin-3"');
      expect(left(path.join(storage, 'twin-3'))).toEqual([]);
      expect(left(path.join(storage, 'machines', t.targetId))).toEqual([]);
      expect(w.vboxManage('list', 'hdds')).not.toContain('twin-3');
    });
  });

  it('kept both hosts up throughout: no call stalled or failed on the way', () => {
    expect(outages).toEqual([]);
    expect(inv().hosts().map((h) => [h.name, h.health, h.lastError])).toEqual([['vbox-real', 'up', null], ['vbox-real-2', 'up', null]]);
  });
});
