// Issue 14: a machine's storage while it runs, as a vboxwebsrv client sees it — removable media
// swapped at once (ConsoleImpl.cpp i_doMediumChange, "force" against a guest that locked the drive),
// hot-plug only where VirtualBox allows it (MachineImpl.cpp attachDevice/detachDevice), the medium
// locks that follow, the storage events, and the layout kept in the settings file that a twin opens.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './index';
import { finished, launch, list, listen, lockWrite, logon, newMachine, nextEvent, ok, refused, soap, TIMING, type Args } from './soap/testing';

const MIB = 1024 * 1024;
const E_FAIL = 0x80004005 | 0;
const VBOX_E_INVALID_VM_STATE = 0x80bb0002 | 0;
const VBOX_E_NOT_SUPPORTED = 0x80bb0009 | 0;

async function struct(url: string, op: string, args: Args): Promise<Record<string, string>> {
  const a = await soap(url, op, args);
  if (a.fault) throw new Error(`${op}: ${a.fault.faultstring}`);
  return a.result?.returnval as Record<string, string>;
}

async function newMedium(url: string, vbox: string, location: string, type: 'HardDisk' | 'DVD'): Promise<string> {
  const d = await ok(url, 'IVirtualBox_createMedium', { _this: vbox, format: type === 'DVD' ? 'RAW' : 'VDI', location, accessMode: 'ReadWrite', aDeviceTypeType: type });
  const p = await ok(url, 'IMedium_createBaseStorage', { _this: d, logicalSize: 4 * MIB, variant: type === 'DVD' ? ['Fixed'] : ['Standard'] });
  expect((await finished(url, p)).rc).toBe(0);
  return d;
}

describe('a running machine\'s storage', () => {
  let sim: Sim | undefined;
  let stateDir = '';

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  /**
   * Host A runs "store-1": SATA (boot disk at port 0, not hot-pluggable), IDE (an empty DVD drive at
   * 1/0), bandwidth group "g"; a spare disk and an ISO wait on the shared storage. `s`/`sm`: a shared session on the running VM.
   */
  async function running() {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-test-'));
    sim = await startSim({ hosts: 2, port: 0, vms: 0, stateDir, timing: TIMING });
    const url = sim.urls[0];
    const vbox = await logon(url);
    const at = (f: string) => path.join(sim!.storageDir, f);
    const boot = await newMedium(url, vbox, at('store-boot.vdi'), 'HardDisk');
    const spare = await newMedium(url, vbox, at('store-spare.vdi'), 'HardDisk');
    const iso = await newMedium(url, vbox, at('installer.iso'), 'DVD');
    const { m, w, wm } = await newMachine(url, vbox, 'store-1');
    await ok(url, 'IMachine_addStorageController', { _this: wm, name: 'SATA', connectionType: 'SATA' });
    await ok(url, 'IMachine_addStorageController', { _this: wm, name: 'IDE', connectionType: 'IDE' });
    await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: boot });
    await ok(url, 'IMachine_attachDeviceWithoutMedium', { _this: wm, name: 'IDE', controllerPort: 1, device: 0, type: 'DVD' });
    await ok(url, 'IBandwidthControl_createBandwidthGroup', { _this: await ok(url, 'IMachine_getBandwidthControl', { _this: wm }), name: 'g', type: 'Disk', maxBytesPerSec: MIB });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });
    const { s, sm, console } = await launch(url, vbox, m);
    const id = await ok(url, 'IMachine_getId', { _this: m });
    const core = sim.hosts[0].sim.findCore(id)!;
    expect(core.state).toBe('Running');
    return { url, vbox, m, s, sm, console, id, core, boot, spare, iso, at };
  }

  it('mounts and ejects an ISO at once, telling the console and VirtualBox (IMediumChangedEvent)', async () => {
    const r = await running();
    const { url } = r;
    const vboxEvents = await ok(url, 'IVirtualBox_getEventSource', { _this: r.vbox });
    const consoleEvents = await ok(url, 'IConsole_getEventSource', { _this: r.console });
    const lv = await listen(url, vboxEvents, ['OnMediumChanged']);
    const lc = await listen(url, consoleEvents, ['OnMediumChanged']);

    await ok(url, 'IMachine_mountMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0, medium: r.iso, force: false });
    const isoId = await ok(url, 'IMedium_getId', { _this: r.iso });
    // The running VM has it now: the image is locked for reading by the VM.
    expect(await ok(url, 'IMedium_getId', { _this: await ok(url, 'IMachine_getMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0 }) })).toBe(isoId);
    expect(await ok(url, 'IMedium_getState', { _this: r.iso })).toBe('LockedRead');
    for (const [source, l] of [[vboxEvents, lv], [consoleEvents, lc]]) {
      const e = await nextEvent(url, source, l);
      expect(await ok(url, 'IEvent_getType', { _this: e })).toBe('OnMediumChanged');
      const att = await struct(url, 'IMediumChangedEvent_getMediumAttachment', { _this: e });
      expect([att.controller, att.port, att.device, att.type]).toEqual(['IDE', '1', '0', 'DVD']);
      expect(await ok(url, 'IMedium_getId', { _this: att.medium })).toBe(isoId);
    }

    // Saved, the machine's settings file holds it.
    await ok(url, 'IMachine_saveSettings', { _this: r.sm });
    expect(await ok(url, 'IMedium_getId', { _this: await ok(url, 'IMachine_getMedium', { _this: r.m, name: 'IDE', controllerPort: 1, device: 0 }) })).toBe(isoId);
    expect(JSON.parse(fs.readFileSync(r.core.settingsFile, 'utf8')).settings.attachments).toContainEqual(expect.objectContaining({ controller: 'IDE', port: 1, mediumId: isoId }));

    // Ejected: the drive is empty, the image free, and the listeners hear of it.
    await ok(url, 'IMachine_unmountMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0, force: false });
    expect(await ok(url, 'IMachine_getMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0 })).toBe('');
    expect(await ok(url, 'IMedium_getState', { _this: r.iso })).toBe('Created');
    const eject = await struct(url, 'IMediumChangedEvent_getMediumAttachment', { _this: await nextEvent(url, consoleEvents, lc) });
    expect(eject.medium).toBe('');
    // A hard disk is not removable, running or not.
    const hd = await refused(url, 'IMachine_mountMedium', { _this: r.sm, name: 'SATA', controllerPort: 0, device: 0, medium: r.spare, force: true });
    expect(hd.text).toContain("The device at port 0, device 0 of controller 'SATA' of this virtual machine is not removeable");
  });

  it('takes a medium the guest has locked only by force, leaving the drive as it was when refused', async () => {
    const r = await running();
    const { url } = r;
    await ok(url, 'IMachine_mountMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0, medium: r.iso, force: false });
    r.core.vm!.guestLocksMedia = true;
    const no = await refused(url, 'IMachine_unmountMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0, force: false });
    expect(no.code).toBe(E_FAIL);
    expect(no.text).toContain('Could not unmount the currently mounted media/drive (VERR_PDM_MEDIA_LOCKED)');
    const other = await newMedium(url, r.vbox, r.at('other.iso'), 'DVD');
    const swap = await refused(url, 'IMachine_mountMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0, medium: other, force: false });
    expect(swap.text).toContain(`Could not mount the media/drive '${r.at('other.iso')}' (VERR_PDM_MEDIA_LOCKED)`);
    expect(await ok(url, 'IMedium_getId', { _this: await ok(url, 'IMachine_getMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0 }) }))
      .toBe(await ok(url, 'IMedium_getId', { _this: r.iso }));
    // Forced, it goes.
    await ok(url, 'IMachine_mountMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0, medium: other, force: true });
    expect(await ok(url, 'IMedium_getId', { _this: await ok(url, 'IMachine_getMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0 }) }))
      .toBe(await ok(url, 'IMedium_getId', { _this: other }));
  });

  it('hot-plugs a disk on SATA (locked for writing by the VM), refuses IDE and slots not marked hot-pluggable', async () => {
    const r = await running();
    const { url } = r;
    const consoleEvents = await ok(url, 'IConsole_getEventSource', { _this: r.console });
    const lc = await listen(url, consoleEvents, ['OnStorageDeviceChanged']);
    const vboxEvents = await ok(url, 'IVirtualBox_getEventSource', { _this: r.vbox });
    const lv = await listen(url, vboxEvents, ['OnStorageDeviceChanged']);

    await ok(url, 'IMachine_attachDevice', { _this: r.sm, name: 'SATA', controllerPort: 1, device: 0, type: 'HardDisk', medium: r.spare });
    expect(await ok(url, 'IMedium_getState', { _this: r.spare })).toBe('LockedWrite');
    const att = await struct(url, 'IMachine_getMediumAttachment', { _this: r.sm, name: 'SATA', controllerPort: 1, device: 0 });
    expect(att.hotPluggable).toBe('true');
    for (const [source, l] of [[consoleEvents, lc], [vboxEvents, lv]]) {
      const e = await nextEvent(url, source, l);
      expect(await ok(url, 'IStorageDeviceChangedEvent_getRemoved', { _this: e })).toBe('false');
      expect((await struct(url, 'IStorageDeviceChangedEvent_getStorageDevice', { _this: e })).port).toBe('1');
    }

    const ide = await refused(url, 'IMachine_attachDeviceWithoutMedium', { _this: r.sm, name: 'IDE', controllerPort: 0, device: 0, type: 'DVD' });
    expect(ide.code).toBe(VBOX_E_INVALID_VM_STATE);
    expect(ide.text).toContain("Controller 'IDE' does not support hot-plugging");
    const bootDisk = await refused(url, 'IMachine_detachDevice', { _this: r.sm, name: 'SATA', controllerPort: 0, device: 0 });
    expect(bootDisk.code).toBe(VBOX_E_NOT_SUPPORTED);
    expect(bootDisk.text).toContain("The device slot 0 on port 0 of controller 'SATA' does not support hot-plugging");
    const flag = await refused(url, 'IMachine_setHotPluggableForDevice', { _this: r.sm, name: 'SATA', controllerPort: 0, device: 0, hotPluggable: true });
    // Its MutableStateDep comes first (the "Invalid machine state" branch is for transient states).
    expect(flag.text).toContain('The machine is not mutable (state is Running)');
    const ctl = await refused(url, 'IMachine_addStorageController', { _this: r.sm, name: 'SCSI', connectionType: 'SCSI' });
    expect(ctl.text).toContain('The machine is not mutable (state is Running)');

    // Unplugged again: the disk is free, and the VM's listeners hear of it.
    await ok(url, 'IMachine_detachDevice', { _this: r.sm, name: 'SATA', controllerPort: 1, device: 0 });
    expect(await ok(url, 'IMedium_getState', { _this: r.spare })).toBe('Created');
    const gone = await nextEvent(url, consoleEvents, lc);
    expect(await ok(url, 'IStorageDeviceChangedEvent_getRemoved', { _this: gone })).toBe('true');
  });

  it('keeps a disk a running machine uses from another machine that starts with it', async () => {
    const r = await running();
    const { url } = r;
    const { m: m2, w, wm } = await newMachine(url, r.vbox, 'store-2');
    await ok(url, 'IMachine_addStorageController', { _this: wm, name: 'SATA', connectionType: 'SATA' });
    // VirtualBox attaches a Normal disk to a second machine that does not run...
    await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: r.boot });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });
    // ...but it cannot lock it for writing while the first one runs.
    const launcher = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: r.vbox });
    const start = await finished(url, await ok(url, 'IMachine_launchVMProcess', { _this: m2, session: launcher, name: 'headless', environmentChanges: [] }));
    expect(start.rc).not.toBe(0);
    expect(start.text).toBe('Locking of attached media failed. A possible reason is that one of the media is attached to a running VM');
    expect(await ok(url, 'IMachine_getState', { _this: m2 })).toBe('PoweredOff');
  });

  it('starts other machines with the ISO image the first one runs with, and two with one shareable disk (SessionMachine::i_lockMedia locks them for reading)', async () => {
    const r = await running();
    const { url } = r;
    await ok(url, 'IMachine_mountMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0, medium: r.iso, force: false });
    expect(await ok(url, 'IMedium_getState', { _this: r.iso })).toBe('LockedRead');
    // A fixed disk made Shareable.
    const shared = await ok(url, 'IVirtualBox_createMedium', { _this: r.vbox, format: 'VDI', location: r.at('shared.vdi'), accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
    expect((await finished(url, await ok(url, 'IMedium_createBaseStorage', { _this: shared, logicalSize: 4 * MIB, variant: ['Fixed'] }))).rc).toBe(0);
    await ok(url, 'IMedium_setType', { _this: shared, type: 'Shareable' });

    const launcher = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: r.vbox });
    for (const name of ['store-3', 'store-4']) {
      const { m, w, wm } = await newMachine(url, r.vbox, name);
      await ok(url, 'IMachine_addStorageController', { _this: wm, name: 'SATA', connectionType: 'SATA' });
      await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'SATA', controllerPort: 0, device: 0, type: 'DVD', medium: r.iso });
      await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'SATA', controllerPort: 1, device: 0, type: 'HardDisk', medium: shared });
      await ok(url, 'IMachine_saveSettings', { _this: wm });
      await ok(url, 'ISession_unlockMachine', { _this: w });
      const start = await finished(url, await ok(url, 'IMachine_launchVMProcess', { _this: m, session: launcher, name: 'headless', environmentChanges: [] }));
      expect(start.rc, `${name}: ${start.text}`).toBe(0);
      expect(await ok(url, 'IMachine_getState', { _this: m })).toBe('Running');
      await ok(url, 'ISession_unlockMachine', { _this: launcher });
    }
    expect(await ok(url, 'IMedium_getState', { _this: r.iso })).toBe('LockedRead');
    expect(await ok(url, 'IMedium_getState', { _this: shared })).toBe('LockedRead');
  });

  it('keeps the layout in the settings file: a twin on another host opens the same controllers, devices and bandwidth groups', async () => {
    const r = await running();
    const { url } = r;
    // Powered off, the machine gets a second controller, flags and a bandwidth group.
    await ok(url, 'ISession_unlockMachine', { _this: r.s });
    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: r.console }))).rc).toBe(0);
    const { w, wm } = await lockWrite(url, r.vbox, r.m);
    const nvme = await ok(url, 'IMachine_addStorageController', { _this: wm, name: 'NVMe', connectionType: 'PCIe' });
    await ok(url, 'IStorageController_setPortCount', { _this: nvme, portCount: 4 });
    await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'NVMe', controllerPort: 3, device: 0, type: 'HardDisk', medium: r.spare });
    await ok(url, 'IMachine_nonRotationalDevice', { _this: wm, name: 'NVMe', controllerPort: 3, device: 0, nonRotational: true });
    await ok(url, 'IMachine_setHotPluggableForDevice', { _this: wm, name: 'SATA', controllerPort: 0, device: 0, hotPluggable: true });
    const bc = await ok(url, 'IMachine_getBandwidthControl', { _this: wm });
    await ok(url, 'IBandwidthControl_createBandwidthGroup', { _this: bc, name: 'slow', type: 'Disk', maxBytesPerSec: 10 * MIB });
    await ok(url, 'IMachine_setBandwidthGroupForDevice', { _this: wm, name: 'NVMe', controllerPort: 3, device: 0, bandwidthGroup: await ok(url, 'IBandwidthControl_getBandwidthGroup', { _this: bc, name: 'slow' }) });
    await ok(url, 'IMachine_mountMedium', { _this: wm, name: 'IDE', controllerPort: 1, device: 0, medium: r.iso, force: false });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });

    // Host B opens the same settings file.
    const b = sim!.urls[1];
    const vb = await logon(b);
    const twin = await ok(b, 'IVirtualBox_openMachine', { _this: vb, settingsFile: r.core.settingsFile, password: '' });
    await ok(b, 'IVirtualBox_registerMachine', { _this: vb, machine: twin });
    const names = await Promise.all((await list(b, 'IMachine_getStorageControllers', { _this: twin })).map((c) => ok(b, 'IStorageController_getName', { _this: c })));
    expect(names).toEqual(['SATA', 'IDE', 'NVMe']);
    expect(await ok(b, 'IStorageController_getPortCount', { _this: await ok(b, 'IMachine_getStorageControllerByName', { _this: twin, name: 'NVMe' }) })).toBe('4');
    const disk = await struct(b, 'IMachine_getMediumAttachment', { _this: twin, name: 'NVMe', controllerPort: 3, device: 0 });
    expect([disk.nonRotational, disk.hotPluggable]).toEqual(['true', 'false']);
    expect(await ok(b, 'IMedium_getLocation', { _this: disk.medium })).toBe(r.at('store-spare.vdi'));
    expect(await ok(b, 'IBandwidthGroup_getName', { _this: disk.bandwidthGroup })).toBe('slow');
    expect(await ok(b, 'IBandwidthGroup_getMaxBytesPerSec', { _this: disk.bandwidthGroup })).toBe(String(10 * MIB));
    expect((await struct(b, 'IMachine_getMediumAttachment', { _this: twin, name: 'SATA', controllerPort: 0, device: 0 })).hotPluggable).toBe('true');
    const dvd = await ok(b, 'IMachine_getMedium', { _this: twin, name: 'IDE', controllerPort: 1, device: 0 });
    expect(await ok(b, 'IMedium_getLocation', { _this: dvd })).toBe(r.at('installer.iso'));
  });

  it('tells the running VM of a bandwidth limit and of controller changes (IBandwidthGroupChangedEvent, IStorageControllerChangedEvent)', async () => {
    const r = await running();
    const { url } = r;
    const consoleEvents = await ok(url, 'IConsole_getEventSource', { _this: r.console });
    const lc = await listen(url, consoleEvents, ['OnBandwidthGroupChanged', 'OnStorageControllerChanged']);
    // Groups are made while the machine is off; their limit changes while it runs.
    expect((await refused(url, 'IBandwidthControl_createBandwidthGroup', { _this: await ok(url, 'IMachine_getBandwidthControl', { _this: r.sm }), name: 'h', type: 'Disk', maxBytesPerSec: 1 })).text)
      .toContain('The machine is not mutable or saved (state is Running)');
    const g = await ok(url, 'IBandwidthControl_getBandwidthGroup', { _this: await ok(url, 'IMachine_getBandwidthControl', { _this: r.sm }), name: 'g' });
    await ok(url, 'IBandwidthGroup_setMaxBytesPerSec', { _this: g, maxBytesPerSec: 2 * MIB });
    const e = await nextEvent(url, consoleEvents, lc);
    expect(await ok(url, 'IEvent_getType', { _this: e })).toBe('OnBandwidthGroupChanged');
    expect(await ok(url, 'IBandwidthGroup_getMaxBytesPerSec', { _this: await ok(url, 'IBandwidthGroupChangedEvent_getBandwidthGroup', { _this: e }) })).toBe(String(2 * MIB));
    // Controllers change only while the machine is off (a refused change tells nobody); storage changes
    // discarded while it runs are told controller by controller (Machine::i_rollback).
    await refused(url, 'IStorageController_setUseHostIOCache', { _this: await ok(url, 'IMachine_getStorageControllerByName', { _this: r.sm, name: 'SATA' }), useHostIOCache: true });
    expect(await nextEvent(url, consoleEvents, lc)).toBe('');
    await ok(url, 'IMachine_attachDevice', { _this: r.sm, name: 'SATA', controllerPort: 1, device: 0, type: 'HardDisk', medium: r.spare });
    await ok(url, 'IMachine_discardSettings', { _this: r.sm });
    const told: string[] = [];
    for (let e2 = await nextEvent(url, consoleEvents, lc); e2; e2 = await nextEvent(url, consoleEvents, lc)) {
      told.push(await ok(url, 'IStorageControllerChangedEvent_getControllerName', { _this: e2 }));
    }
    expect(told).toEqual(['SATA', 'IDE']);
  });

  it('teleports a machine with several controllers, hot-plugged disk and mounted ISO: the locks move with it', async () => {
    const r = await running();
    const { url } = r;
    await ok(url, 'IMachine_attachDevice', { _this: r.sm, name: 'SATA', controllerPort: 1, device: 0, type: 'HardDisk', medium: r.spare });
    await ok(url, 'IMachine_mountMedium', { _this: r.sm, name: 'IDE', controllerPort: 1, device: 0, medium: r.iso, force: false });
    await ok(url, 'IMachine_saveSettings', { _this: r.sm });

    // The twin on host B waits for it.
    const b = sim!.urls[1];
    const vb = await logon(b);
    const twin = await ok(b, 'IVirtualBox_openMachine', { _this: vb, settingsFile: r.core.settingsFile, password: '' });
    await ok(b, 'IVirtualBox_registerMachine', { _this: vb, machine: twin });
    const { w, wm } = await lockWrite(b, vb, twin);
    await ok(b, 'IMachine_setTeleporterEnabled', { _this: wm, teleporterEnabled: true });
    await ok(b, 'IMachine_setTeleporterPassword', { _this: wm, teleporterPassword: 'secret' });
    await ok(b, 'IMachine_saveSettings', { _this: wm });
    await ok(b, 'ISession_unlockMachine', { _this: w });
    const launcher = await ok(b, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vb });
    expect((await finished(b, await ok(b, 'IMachine_launchVMProcess', { _this: twin, session: launcher, name: 'headless', environmentChanges: [] }))).rc).toBe(0);
    const target = sim!.hosts[1].sim.findCore(r.id)!;
    expect(target.state).toBe('TeleportingIn');

    const p = await ok(url, 'IConsole_teleport', { _this: r.console, hostname: '127.0.0.1', tcpport: target.settings.teleporter.port, password: 'secret', maxDowntime: 250 });
    expect((await finished(url, p)).rc).toBe(0);
    expect(await ok(url, 'IMachine_getState', { _this: r.m })).toBe('Teleported');
    expect(await ok(b, 'IMachine_getState', { _this: twin })).toBe('Running');
    // Host A holds no lock any more; host B's VM holds them.
    for (const d of [r.boot, r.spare]) expect(await ok(url, 'IMedium_getState', { _this: d })).toBe('Created');
    const onB = async (file: string) => ok(b, 'IMedium_getState', { _this: await ok(b, 'IVirtualBox_openMedium', { _this: vb, location: r.at(file), deviceType: file.endsWith('.iso') ? 'DVD' : 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false }) });
    expect(await onB('store-boot.vdi')).toBe('LockedWrite');
    expect(await onB('store-spare.vdi')).toBe('LockedWrite');
    expect(await onB('installer.iso')).toBe('LockedRead');
    expect((await list(b, 'IMachine_getMediumAttachments', { _this: twin })).length).toBe(3);
  });
});
