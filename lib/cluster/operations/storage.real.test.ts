import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { admin } from '@/lib/auth/testing';
import type { HostView } from '@/lib/db/hosts';
import { startWebsrv, vmInfo, websrvMissing, type Websrv } from '@/lib/vbox/websrv-harness';

/*
 * A machine's storage settings (lib/cluster/operations/storage.ts) against VirtualBox 7.1.12's own
 * vboxwebsrv: two real servers sharing one storage folder, a machine registered on both (twins).
 * Every change made while the machine is powered off lands on both registrations, or, when one
 * server refuses, on neither; what VirtualBox holds is read back with VBoxManage on each server.
 * (A running machine needs the kernel driver: that part is held against vboxsim, app/api/v1/vms/storage.test.ts.)
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-real-storage-'));

const missing = websrvMissing();
if (missing) console.warn(`storage settings against the real vboxwebsrv skipped: ${missing}`);

const { getInventory } = await import('../inventory');
const { createThroughOps, registerWebsrvs, taskEnded, taskSucceeded } = await import('../testing');
const ops = await import('./index');

describe.skipIf(missing)('storage settings against the real vboxwebsrv', () => {
  let w: Websrv;
  let w2: Websrv;
  let host: HostView;
  let host2: HostView;
  let storage: string;
  let id: string;
  const inv = () => getInventory();
  /** The storage keys of both registrations (controllers, their ports and what is attached): they must be equal. */
  const storageOf = (server: Websrv) => Object.fromEntries(Object.entries(vmInfo(server, id))
    .filter(([k]) => /^storagecontroller|^(SATA|SCSI|IDE)-/.test(k) && !/ImageUUID/.test(k)));
  const alike = () => {
    const a = storageOf(w);
    expect(storageOf(w2)).toEqual(a);
    return a;
  };

  beforeAll(async () => {
    [w, w2] = await Promise.all([startWebsrv(), startWebsrv()]);
    storage = path.join(w.home, 'storage');
    fs.mkdirSync(storage);
    for (const f of ['data.vdi', 'spare.vdi']) {
      w.vboxManage('createmedium', 'disk', '--filename', path.join(storage, f), '--size', '16');
      w.vboxManage('closemedium', 'disk', path.join(storage, f));
    }
    fs.writeFileSync(path.join(storage, 'installer.iso'), Buffer.alloc(1024 * 1024));
    [host, host2] = await registerWebsrvs([w, w2], { storagePath: storage });
    id = await createThroughOps({ name: 'disks-1', hostId: host.id, osTypeId: 'Debian12_64', memoryMB: 128, disk: { new: { sizeGB: 0.02 } }, registerOnOtherHosts: [host2.id] }, admin);
  }, 120_000);

  afterAll(async () => {
    await inv().stop();
    await Promise.all([w?.stop(), w2?.stop()]);
    dataDir.remove();
  });

  it('reads the controllers, attachments and the limits of every bus from VirtualBox', async () => {
    const view = await ops.machineStorage(id);
    expect(view).toMatchObject({ running: false, state: 'PoweredOff', hostId: host.id });
    expect(view.controllers).toEqual([expect.objectContaining({
      name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, minPortCount: 1, maxPortCount: 30, maxDevicesPerPort: 1, hotplugCapable: true,
      attachments: [
        expect.objectContaining({ port: 0, device: 0, type: 'HardDisk', hotPluggable: false, medium: expect.objectContaining({ name: 'disks-1.vdi', format: 'VDI' }) }),
        expect.objectContaining({ port: 1, device: 0, type: 'DVD', medium: null }),
      ],
    })]);
    const bus = (b: string) => view.buses.find((x) => x.bus === b);
    expect(bus('IDE')).toMatchObject({ controllerTypes: ['PIIX4', 'PIIX3', 'ICH6'], minPortCount: 2, maxPortCount: 2, maxDevicesPerPort: 2, hotplugCapable: false, maxInstances: 1 });
    expect(bus('SATA')).toMatchObject({ controllerTypes: ['IntelAhci'], maxPortCount: 30, deviceTypes: ['DVD', 'HardDisk'], hotplugCapable: true });
    expect(bus('Floppy')).toMatchObject({ deviceTypes: ['Floppy'], maxDevicesPerPort: 2 });
    expect(bus('PCIe')).toMatchObject({ controllerTypes: ['NVMe'] });
  });

  it('adds a controller, attaches, flags, mounts and changes port counts on both registrations', async () => {
    await taskSucceeded(ops.startAddController(id, { name: 'SCSI', bus: 'SCSI' }, admin));
    await taskSucceeded(ops.startAttach(id, { controller: 'SCSI', port: 0, device: 0, type: 'HardDisk', location: path.join(storage, 'data.vdi'), nonRotational: true }, admin));
    await taskSucceeded(ops.startAttach(id, { controller: 'SCSI', port: 1, device: 0, type: 'DVD', location: null }, admin));
    await taskSucceeded(ops.startMount(id, { controller: 'SATA', port: '1', device: '0' }, { location: path.join(storage, 'installer.iso') }, admin));
    await taskSucceeded(ops.startEditAttachment(id, { controller: 'SATA', port: '0', device: '0' }, { hotPluggable: true, discard: true }, admin));
    await taskSucceeded(ops.startEditController(id, 'SATA', { portCount: 4, useHostIOCache: true }, admin));
    const s = alike();
    expect(s).toMatchObject({
      storagecontrollername1: 'SCSI', storagecontrollertype1: 'LsiLogic', storagecontrollermaxportcount1: '16',
      storagecontrollerportcount0: '4',
      'SCSI-0-0': path.join(storage, 'data.vdi'), 'SCSI-1-0': 'emptydrive',
      'SATA-1-0': path.join(storage, 'installer.iso'),
      'SATA-0-0': path.join(storage, 'disks-1', 'disks-1.vdi'),
    });
    const view = await ops.machineStorage(id);
    const scsi = view.controllers.find((c) => c.name === 'SCSI')!;
    expect(scsi.attachments[0]).toMatchObject({ nonRotational: true, medium: expect.objectContaining({ location: path.join(storage, 'data.vdi') }) });
    expect(view.controllers.find((c) => c.name === 'SATA')).toMatchObject({ useHostIOCache: true });
    expect(view.controllers.find((c) => c.name === 'SATA')!.attachments[0]).toMatchObject({ hotPluggable: true, discard: true });
    // And the same on the twin, read through its own server.
    const { readStorage } = ops;
    const twin = await inv().monitor(host2.id)!.client.scope(async (vbox) => readStorage(await vbox.findMachine(id)));
    expect(twin.controllers).toEqual(view.controllers.map((c) => ({ ...c, attachments: c.attachments.map((a) => ({ ...a, medium: a.medium && { ...a.medium, id: expect.any(String) } })) })));
  });

  it('sets the first registration back when the second refuses, and says which and why', async () => {
    // The twin has drifted: its SCSI port 2 holds a drive the first registration does not have.
    w2.vboxManage('storageattach', id, '--storagectl', 'SCSI', '--port', '2', '--device', '0', '--type', 'dvddrive', '--medium', 'emptydrive');
    const before = storageOf(w);
    const spare = path.join(storage, 'spare.vdi');
    const t = await taskEnded(ops.startAttach(id, { controller: 'SCSI', port: 2, device: 0, type: 'HardDisk', location: spare }, admin));
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({
      resultCode: 'VBOX_E_OBJECT_IN_USE',
      detail: "vbox-real-2: Device is already attached to port 2, device 0 of controller 'SCSI' of this virtual machine",
    });
    expect(storageOf(w)).toEqual(before);
    // Neither server keeps the disk registered: the first closed it again, the second never kept it.
    expect(w.vboxManage('list', 'hdds')).not.toContain(spare);
    expect(w2.vboxManage('list', 'hdds')).not.toContain(spare);
    w2.vboxManage('storageattach', id, '--storagectl', 'SCSI', '--port', '2', '--device', '0', '--medium', 'none');
    alike();
  });

  it('ejects, detaches and removes on both registrations', async () => {
    await taskSucceeded(ops.startMount(id, { controller: 'SATA', port: '1', device: '0' }, { location: null }, admin));
    await taskSucceeded(ops.startDetach(id, { controller: 'SCSI', port: '0', device: '0' }, admin));
    await taskSucceeded(ops.startRemoveController(id, 'SCSI', admin));
    const s = alike();
    expect(s['SATA-1-0']).toBe('emptydrive');
    expect(s.storagecontrollername1).toBeUndefined();
    expect(JSON.stringify(s)).not.toContain('data.vdi');
  });
});
