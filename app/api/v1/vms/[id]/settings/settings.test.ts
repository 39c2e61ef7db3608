import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answer, problem, settingsApi, taskEnded, taskSucceeded } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, withSessionUser } from '@/lib/auth/testing';
import { ALPHA, BRAVO, copiesListed, startTwoHosts, until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { MachineSettingsView, MachineUsbView } from '@/lib/settings/types';
import type { IMachine } from '@/lib/vbox/objects';
import type { VBoxClient } from '@/lib/vbox/client';
import type { Sim } from '@/sim/index';
import { holdWriteLock } from '@/sim/soap/testing';

/*
 * A machine's settings through the API, area by area, against two real vboxsim hosts with the machine
 * registered on both (twins): each change lands on every copy (read back through each host's own
 * VirtualBox API, as VBoxManage showvminfo there would show it); what VirtualBox allows only while powered
 * off is a 409 before any task while it runs, and what it allows live changes the running VM (VRDE
 * switched on answers on its console port, a transient shared folder); a twin that refuses leaves
 * nothing changed anywhere, and a refusal inside the task carries VirtualBox's text and result code.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-settings-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const api = await settingsApi();
const { createTenant } = await import('@/lib/tenants');
const { control, createOn, powerAction } = await import('@/lib/ha/testing');
const { getInventory } = await import('@/lib/cluster/inventory');
const { VBoxClient: Client } = await import('@/lib/vbox/client');

const vrdeBase = 33000 + Math.floor(Math.random() * 150) * 100;
let cluster: TestCluster;
let sim: Sim;
let hosts: HostView[] = [];
let web: string;
const clients: VBoxClient[] = [];
const top = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-settings-roots-'));
// A tenant's users share from their tenant's folder in a root (lib/settings/roots.ts).
const share = path.join(top, 'tenants', 'blue', 'share');

const as = (u: User) => { session.user = u; };
const finished = (r: Response) => taskEnded(r, 'vm.settings');
const succeeded = (r: Response) => taskSucceeded(r, 'vm.settings');

const view = async (id: string) => answer<MachineSettingsView>(await api.get(id));

/** Reads the machine on each host through that host's VirtualBox: [alpha's, bravo's]. */
async function onBoth<T>(id: string, read: (m: IMachine) => Promise<T>): Promise<T[]> {
  return Promise.all(clients.map((c) => c.scope(async (vbox) => read(await vbox.findMachine(id)))));
}

/** Both copies give the same value; that value. */
async function twins<T>(id: string, read: (m: IMachine) => Promise<T>): Promise<T> {
  const [a, b] = await onBoth(id, read);
  expect(b).toEqual(a);
  return a;
}

beforeAll(async () => {
  fs.mkdirSync(share, { recursive: true });
  fs.mkdirSync(path.join(top, 'autostart'), { recursive: true });
  cluster = await startTwoHosts({ vrdeBase, prepare: (s) => { sim = s; } });
  hosts = cluster.hosts;
  for (const h of sim.hosts) clients.push(new Client({ url: h.url, username: 'vbox', password: 'vbox' }));
  // Autostart needs each host's autostart database (an admin's host setup, as VBoxManage setproperty autostartdbpath).
  for (const c of clients) await c.scope(async (vbox) => (await vbox.getSystemProperties()).setAutostartDatabasePath(path.join(top, 'autostart')));
  await createTenant({ name: 'blue' });
  as(admin);
  for (const h of hosts) expect((await api.host(h.id, { sharedFolderRoots: [top] })).status).toBe(200);
  as(blueOp);
  web = await createOn(hosts[ALPHA], 'web', { memoryMB: 256, registerOnOtherHosts: true });
  // And in the inventory (its monitors see the registration a moment later): the view lists the copies it shows.
  await copiesListed(web);
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await cluster?.stop();
  dataDir.remove();
  fs.rmSync(top, { recursive: true, force: true });
});

describe('reading', () => {
  it('shows every area, the state rules and the host\'s choices', async () => {
    as(blueOp);
    const v = await view(web);
    expect(v).toMatchObject({ id: web, name: 'web', state: 'PoweredOff', hostId: hosts[ALPHA].id, hostName: hosts[ALPHA].name });
    expect(v.copies.map((c) => c.hostName)).toEqual([hosts[ALPHA].name, hosts[BRAVO].name]);
    expect(v.system.memoryMB).toBe(256);
    expect(v.serialPorts.map((p) => p.slot)).toEqual([0, 1, 2, 3]);
    expect(v.remoteDisplay).toMatchObject({ enabled: true, ports: hosts[ALPHA].vrdePorts, hasPassword: false, port: null });
    expect(v.live).toMatchObject({
      'system.memoryMB': 'off', 'system.firmware': 'off', 'general.name': 'saved', 'general.description': 'running', 'general.clipboardMode': 'running',
      'remoteDisplay.enabled': 'running', 'usb.filters': 'running', 'usb.controllers': 'off', 'serialPorts.hostMode': 'running', 'sharedFolders': 'running',
    });
    expect(v.choices.osTypes.map((o) => o.id)).toContain('Debian12_64');
    expect(v.choices.firmwareTypes).toContain('EFI');
    expect(v.choices.tpmTypes).toContain('v2_0');
    expect(v.choices.serialModes).not.toContain('HostDevice');
    // A tenant's user: its tenant's folder in the root.
    expect(v.choices.sharedFolderRoots).toEqual([path.join(top, 'tenants', 'blue')]);
    expect(v.choices.autostart).toEqual({ available: true });
  });
});

describe('a powered-off machine: each area on every copy', () => {
  it('general', async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 'general', {
      osTypeId: 'Ubuntu_64', description: 'the web server', clipboardMode: 'Bidirectional', dndMode: 'HostToGuest',
      autostartEnabled: true, autostartDelay: 30, autostopType: 'AcpiShutdown',
    }));
    expect(await twins(web, async (m) => [await m.getOSTypeId(), await m.getDescription(), await m.getClipboardMode(), await m.getDnDMode(),
      await m.getAutostartEnabled(), await m.getAutostartDelay(), await m.getAutostopType()]))
      .toEqual(['Ubuntu_64', 'the web server', 'Bidirectional', 'HostToGuest', true, 30, 'AcpiShutdown']);
    expect((await view(web)).general).toMatchObject({ osTypeId: 'Ubuntu_64', description: 'the web server', autostartDelay: 30 });
    const p = await problem(await api.patch(web, 'general', { osTypeId: 'NoSuchOS' }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['osTypeId']);
  });

  it('system: EFI with TPM 2.0 and Secure Boot, and the rest', async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 'system', {
      memoryMB: 384, cpuCount: 2, cpuExecutionCap: 80, bootOrder: ['DVD', 'HardDisk'], chipset: 'ICH9', firmware: 'EFI', secureBoot: true, tpm: 'v2_0',
      ioApic: true, hpet: true, rtcUseUTC: true, pae: true, nestedPaging: true, nestedHwVirt: true, paravirtProvider: 'KVM', pointingHIDType: 'USBTablet',
    }));
    expect(await twins(web, async (m) => {
      const platform = await m.getPlatform();
      const x86 = await platform.getX86();
      const fw = await m.getFirmwareSettings();
      const store = await (await m.getNonVolatileStore()).getUefiVariableStore();
      return [
        await m.getMemorySize(), await m.getCPUCount(), await m.getCPUExecutionCap(), await m.getBootOrder(1), await m.getBootOrder(2), await m.getBootOrder(3),
        await platform.getChipsetType(), await fw.getFirmwareType(), await store.getSecureBootEnabled(), await (await m.getTrustedPlatformModule()).getType(),
        await fw.getIOAPICEnabled(), await x86.getHPETEnabled(), await platform.getRTCUseUTC(), await x86.getCPUProperty('PAE'),
        await x86.getHWVirtExProperty('NestedPaging'), await x86.getCPUProperty('HWVirt'), await m.getParavirtProvider(), await m.getPointingHIDType(),
      ];
    })).toEqual([384, 2, 80, 'DVD', 'HardDisk', 'Null', 'ICH9', 'EFI', true, 'v2_0', true, true, true, true, true, true, 'KVM', 'USBTablet']);
    expect((await view(web)).system).toMatchObject({ firmware: 'EFI', secureBoot: true, tpm: 'v2_0', memoryMB: 384 });
    // Off again, and back to BIOS: Secure Boot goes first.
    await succeeded(await api.patch(web, 'system', { firmware: 'BIOS', secureBoot: false, tpm: 'None' }));
    expect(await twins(web, async (m) => (await m.getFirmwareSettings()).getFirmwareType())).toBe('BIOS');
    expect((await view(web)).system).toMatchObject({ firmware: 'BIOS', secureBoot: false, tpm: 'None' });
    const p = await problem(await api.patch(web, 'system', { secureBoot: true }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['secureBoot']);
  });

  it('display, audio', async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 'display', { graphicsController: 'VMSVGA', vramMB: 64, monitorCount: 2, accelerate3D: false }));
    expect(await twins(web, async (m) => {
      const g = await m.getGraphicsAdapter();
      return [await g.getGraphicsControllerType(), await g.getVRAMSize(), await g.getMonitorCount(), await g.isFeatureEnabled('Acceleration3D')];
    })).toEqual(['VMSVGA', 64, 2, false]);
    // vboxsim's hosts, like a VirtualBox built without 3D, offer no 3D acceleration (IPlatformProperties::getSupportedGfxFeaturesForType).
    const p = await problem(await api.patch(web, 'display', { accelerate3D: true }), 400);
    expect(p.errors).toEqual([{ field: 'accelerate3D', message: `VirtualBox on ${hosts[ALPHA].name} has no 3D acceleration for VMSVGA` }]);
    await succeeded(await api.patch(web, 'audio', { enabled: true, controller: 'HDA', codec: 'STAC9221', driver: 'Null', input: true, output: true }));
    expect(await twins(web, async (m) => {
      const a = await (await m.getAudioSettings()).getAdapter();
      return [await a.getEnabled(), await a.getAudioController(), await a.getAudioCodec(), await a.getAudioDriver(), await a.getEnabledIn(), await a.getEnabledOut()];
    })).toEqual([true, 'HDA', 'STAC9221', 'Null', true, true]);
  });

  it('remote display: ports, authentication, multiple connections and a password that is never shown', async () => {
    as(blueOp);
    const range = hosts[ALPHA].vrdePorts;
    const first = Number(range.split('-')[0]);
    const p = await problem(await api.patch(web, 'remote-display', { ports: '3389' }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['ports']);
    // Bravo's range differs from alpha's: a tenant keeps within both, so an admin sets alpha's first port on both.
    as(admin);
    await succeeded(await api.patch(web, 'remote-display', { ports: String(first), authType: 'Null', allowMultiConnection: true, password: 'secret12' }));
    expect(await twins(web, async (m) => {
      const v = await m.getVRDEServer();
      return [await v.getVRDEProperty('TCP/Ports'), await v.getAuthType(), await v.getAllowMultiConnection(), await v.getVRDEProperty('VNCPassword')];
    })).toEqual([String(first), 'Null', true, 'secret12']);
    as(blueOp);
    const v = await view(web);
    expect(v.remoteDisplay).toMatchObject({ ports: String(first), hasPassword: true, allowMultiConnection: true });
    expect(JSON.stringify(v)).not.toContain('secret12');
    await succeeded(await api.patch(web, 'remote-display', { password: null }));
    expect((await view(web)).remoteDisplay.hasPassword).toBe(false);
  });

  it('USB controllers and device filters (admins)', async () => {
    as(admin);
    const filter = { name: 'stick', active: true, vendorId: '0781', productId: '5581', revision: '', manufacturer: '', product: '', serialNumber: '', port: '', remote: '', maskedInterfaces: 0 };
    await succeeded(await api.patch(web, 'usb', { controllers: ['XHCI'], filters: [filter] }));
    expect(await twins(web, async (m) => Promise.all((await m.getUSBControllers()).map((c) => c.getType())))).toEqual(['XHCI']);
    expect(await twins(web, async (m) => Promise.all((await (await m.getUSBDeviceFilters()).getDeviceFilters()).map(async (f) => [await f.getName(), await f.getVendorId(), await f.getProductId()]))))
      .toEqual([['stick', '0781', '5581']]);
    expect((await view(web)).usb).toEqual({ controllers: ['XHCI'], filters: [filter] });
    // A tenant's operator may change the controllers, sees no filters.
    as(blueOp);
    await succeeded(await api.patch(web, 'usb', { controllers: ['XHCI', 'OHCI'] }));
    expect((await view(web)).usb).toEqual({ controllers: expect.arrayContaining(['XHCI', 'OHCI']), filters: [] });
    await succeeded(await api.patch(web, 'usb', { controllers: ['XHCI'] }));
  });

  it("serial ports: a raw file in the machine's folder and a TCP server", async () => {
    as(blueOp);
    // Twins registered apart have folders of their own: the file is in each copy's folder.
    const [folder, twinFolder] = await onBoth(web, async (m) => path.dirname(await m.getSettingsFilePath()));
    const file = path.join(folder, 'com1.log');
    await succeeded(await api.patch(web, 'serial-ports', { ports: [
      { slot: 0, enabled: true, hostMode: 'RawFile', path: file },
      { slot: 1, enabled: true, hostMode: 'TCP', server: true, path: '50123', uartType: 'U16750' },
    ] }));
    const ports = await onBoth(web, async (m) => Promise.all([0, 1].map(async (slot) => {
      const s = await m.getSerialPort(slot);
      return [await s.getEnabled(), await s.getHostMode(), await s.getPath(), await s.getServer(), await s.getUartType()];
    })));
    expect(ports).toEqual([
      [[true, 'RawFile', file, false, 'U16550A'], [true, 'TCP', '50123', true, 'U16750']],
      [[true, 'RawFile', path.join(twinFolder, 'com1.log'), false, 'U16550A'], [true, 'TCP', '50123', true, 'U16750']],
    ]);
    expect((await view(web)).serialPorts[1]).toMatchObject({ slot: 1, enabled: true, hostMode: 'TCP', path: '50123', server: true });
    // Back to disconnected: the mode goes before the empty path.
    await succeeded(await api.patch(web, 'serial-ports', { ports: [{ slot: 0, enabled: false, hostMode: 'Disconnected', path: '' }] }));
    expect(await twins(web, async (m) => (await m.getSerialPort(0)).getHostMode())).toBe('Disconnected');
  });

  it('shared folders: added to and removed from every copy', async () => {
    as(blueOp);
    await succeeded(await api.addFolder(web, { name: 'data', hostPath: `${share}/`, writable: false, autoMount: true, autoMountPoint: '/mnt/data' }));
    expect(await twins(web, async (m) => Promise.all((await m.getSharedFolders()).map(async (f) =>
      [await f.getName(), await f.getHostPath(), await f.getWritable(), await f.getAutoMount(), await f.getAutoMountPoint(), await f.getSymlinkPolicy()]))))
      .toEqual([['data', share, false, true, '/mnt/data', 'Forbidden']]);
    expect((await view(web)).sharedFolders).toEqual([
      expect.objectContaining({ name: 'data', hostPath: share, writable: false, autoMount: true, autoMountPoint: '/mnt/data', transient: false }),
    ]);
    await problem(await api.removeFolder(web, 'nosuch'), 404);
    await problem(await api.addFolder(web, { name: 'tmp', hostPath: share, transient: true }), 409);
    await succeeded(await api.removeFolder(web, 'data'));
    expect(await twins(web, async (m) => (await m.getSharedFolders()).length)).toBe(0);
  });
});

describe('refusals', () => {
  it('a twin that refuses: nothing changed anywhere, the host named with VirtualBox\'s text and result code', async () => {
    as(blueOp);
    const before = await twins(web, (m) => m.getDescription());
    // Someone holds bravo's copy open for writing (as VirtualBox's GUI would while editing it).
    const release = await holdWriteLock(sim.hosts[BRAVO].url, web);
    try {
      const t = await finished(await api.patch(web, 'general', { description: 'half done?', clipboardMode: 'Disabled' }));
      expect(t.status).toBe('failed');
      expect(t.error).toMatchObject({ detail: expect.stringMatching(new RegExp(`^${hosts[BRAVO].name}: `)), resultCode: expect.stringMatching(/^VBOX_E_|^E_/) });
    } finally {
      await release();
    }
    expect(await twins(web, (mm) => mm.getDescription())).toBe(before);
    expect(await twins(web, (mm) => mm.getClipboardMode())).toBe('Bidirectional');
  });

  it('a twin whose host is down: 409 naming the host before any task, nothing changed', async () => {
    as(blueOp);
    const before = await twins(web, (m) => m.getDescription());
    await control(sim.hosts[BRAVO].control!, 'soap/down');
    try {
      await until('bravo down', () => getInventory().host(hosts[BRAVO].id)?.health === 'down', 20_000);
      const p = await problem(await api.patch(web, 'general', { description: 'only on alpha?' }), 409);
      expect(p.detail).toContain(hosts[BRAVO].name);
    } finally {
      await control(sim.hosts[BRAVO].control!, 'soap/up');
    }
    await until('bravo up', () => getInventory().host(hosts[BRAVO].id)?.health === 'up', 20_000);
    expect(await twins(web, (m) => m.getDescription())).toBe(before);
  });

  it('a saved machine takes what VirtualBox allows in the Saved state, and refuses the rest', async () => {
    as(blueOp);
    expect((await powerAction(web, 'start')).taskStatus).toBe('succeeded');
    expect((await powerAction(web, 'savestate')).taskStatus).toBe('succeeded');
    await until('web saved in the inventory', async () => (await view(web)).state === 'Saved');
    const p = await problem(await api.patch(web, 'general', { clipboardMode: 'GuestToHost' }), 409);
    expect(p.detail).toBe(`clipboardMode can only change while web is powered off or running; it is Saved on ${hosts[ALPHA].name}.`);
    await succeeded(await api.patch(web, 'general', { description: 'saved and described' }));
    await succeeded(await api.patch(web, 'audio', { driver: 'Default' }));
    expect(await twins(web, async (m) => [await m.getDescription(), await (await (await m.getAudioSettings()).getAdapter()).getAudioDriver()]))
      .toEqual(['saved and described', 'Default']);
    expect((await powerAction(web, 'discardstate')).taskStatus).toBe('succeeded');
    await until('web off in the inventory', async () => (await view(web)).state === 'PoweredOff');
  });

  it("a value VirtualBox refuses fails the task with VirtualBox's text and result code, and leaves the port as it was", async () => {
    as(admin);
    // SerialPort::setHostMode: a TCP port needs its address first.
    const t = await finished(await api.patch(web, 'serial-ports', { ports: [{ slot: 2, enabled: true, hostMode: 'TCP' }] }));
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ resultCode: 'E_INVALIDARG', detail: expect.stringContaining(hosts[ALPHA].name) });
    expect(t.error?.detail).toContain('Cannot set the host device mode of the serial port 2 because the server address or TCP port is invalid');
    expect(await twins(web, async (m) => [await (await m.getSerialPort(2)).getEnabled(), await (await m.getSerialPort(2)).getHostMode()])).toEqual([false, 'Disconnected']);
  });
});

describe('a running machine', () => {
  it('refuses what only a powered-off machine may change with a 409 before any task, naming the fields', async () => {
    as(blueOp);
    // A machine whose VRDE ports were never set (VirtualBox answers its default 3389), switched off: the next test turns it on.
    await succeeded(await api.patch(web, 'remote-display', { enabled: false }));
    for (const i of [ALPHA, BRAVO]) delete sim.hosts[i].sim.machines().find((c) => c.id === web)!.settings.vrde.properties['TCP/Ports'];
    expect((await powerAction(web, 'start')).taskStatus).toBe('succeeded');
    await until('web running in the inventory', async () => (await view(web)).state === 'Running');
    let p = await problem(await api.patch(web, 'system', { firmware: 'EFI', memoryMB: 512 }), 409);
    expect(p.fields).toEqual(['memoryMB', 'firmware']);
    expect(p.detail).toBe(`memoryMB (and firmware) can only change while web is powered off; it is Running on ${hosts[ALPHA].name}.`);
    const v = await view(web);
    p = await problem(await api.patch(web, 'audio', { controller: v.audio.controller === 'AC97' ? 'HDA' : 'AC97' }), 409);
    expect(p.fields).toEqual(['controller']);
    // The same value is no change: a form sent whole is fine.
    await succeeded(await api.patch(web, 'system', { memoryMB: v.system.memoryMB, cpuExecutionCap: 50 }));
    expect(await twins(web, (m) => m.getCPUExecutionCap())).toBe(50);
  });

  it("fails the task with VirtualBox's text and result code when the running VM refuses a live change", async () => {
    as(admin);
    const t = await finished(await api.patch(web, 'serial-ports', { ports: [{ slot: 3, hostMode: 'TCP' }] }));
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({
      resultCode: 'E_INVALIDARG',
      detail: `${hosts[ALPHA].name}: Cannot set the host device mode of the serial port 3 because the server address or TCP port is invalid`,
    });
    expect(await twins(web, async (m) => (await m.getSerialPort(3)).getHostMode())).toBe('Disconnected');
  });

  it('changes description and clipboard live, on the running VM and the twin', async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 'general', { description: 'changed while running', clipboardMode: 'HostToGuest' }));
    expect(await twins(web, async (m) => [await m.getDescription(), await m.getClipboardMode()])).toEqual(['changed while running', 'HostToGuest']);
    expect((await view(web)).general).toMatchObject({ description: 'changed while running', clipboardMode: 'HostToGuest' });
  });

  it("switches VRDE on for a machine that had no ports: each host's console ports, and the console answers", async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 'remote-display', { enabled: true }));
    const [a, b] = await onBoth(web, async (m) => (await m.getVRDEServer()).getVRDEProperty('TCP/Ports'));
    expect([a, b]).toEqual([hosts[ALPHA].vrdePorts, hosts[BRAVO].vrdePorts]);
    const port = await until('the VRDE port', async () => (await view(web)).remoteDisplay.port);
    const banner = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('data', (d) => { resolve(d.toString('latin1')); sock.destroy(); });
      sock.once('error', reject);
    });
    expect(banner).toMatch(/^RFB 003\.00\d\n/);
  });

  it('shares a transient folder with the running VM only, and removes it', async () => {
    as(blueOp);
    await succeeded(await api.addFolder(web, { name: 'scratch', hostPath: share, transient: true }));
    expect((await view(web)).sharedFolders).toEqual([expect.objectContaining({ name: 'scratch', hostPath: share, transient: true })]);
    expect(await twins(web, async (m) => (await m.getSharedFolders()).length)).toBe(0);
    await succeeded(await api.removeFolder(web, 'scratch', true));
    expect((await view(web)).sharedFolders).toEqual([]);
  });

  it("attaches a host's USB device and detaches it (admins)", async () => {
    as(admin);
    const list = async () => { const r = await api.usb(web); expect(r.status).toBe(200); return (await r.json()) as MachineUsbView; };
    // The machine's filter "stick" (0781:5581) captured the SanDisk when it started.
    const before = await until('the filter captures the stick', async () => { const l = await list(); return l.attached.length ? l : null; });
    expect(before).toMatchObject({ hostId: hosts[ALPHA].id, hostName: hosts[ALPHA].name, running: true });
    const stick = before.attached[0];
    expect(stick).toMatchObject({ vendorId: '0781', productId: '5581', manufacturer: 'SanDisk', attachedTo: 'web', state: 'Captured' });
    expect((await api.detach(web, stick.id)).status).toBe(200);
    const other = (await list()).available.find((d) => d.vendorId !== '0781' && d.state !== 'Captured');
    expect(other).toBeTruthy();
    let r = await api.attach(web, { id: other!.id });
    expect(r.status, JSON.stringify(await r.clone().json())).toBe(200);
    expect((await r.json()).device).toMatchObject({ id: other!.id, attachedTo: 'web' });
    expect((await list()).attached.map((d) => d.id)).toContain(other!.id);
    r = await api.detach(web, other!.id);
    expect(r.status).toBe(200);
    expect((await list()).attached.map((d) => d.id)).not.toContain(other!.id);
    await problem(await api.detach(web, other!.id), 404);
    expect((await powerAction(web, 'poweroff')).taskStatus).toBe('succeeded');
  });
});
