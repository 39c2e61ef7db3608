// A machine's storage: controllers (IStorageController), medium attachments and the IMachine
// members that change them, as MachineImpl.cpp and StorageControllerImpl.cpp define them, and what
// a running machine does with such changes (ConsoleImpl.cpp: hot-plug, removable media).
// Machine keeps thin delegating methods, since the SOAP layer dispatches by member name.
import path from 'node:path';
import { fail, RUNNING_STATES, TRANSIENT_STATES, VBoxFault, type ManagedObject } from './base';
import type { Machine } from './machine';
import type { Medium } from './medium';
import type { AttachmentSettings, StorageControllerSettings } from './settings';

/** What each storage bus takes (PlatformPropertiesImpl.cpp, x86; StorageController::init's defaults). */
export interface BusFacts {
  /** Controller types, the default (StorageController::init) first. */
  types: string[];
  defaultPorts: number;
  minPorts: number;
  maxPorts: number;
  devicesPerPort: number;
  deviceTypes: string[];
}

export const BUSES: Record<string, BusFacts> = {
  IDE: { types: ['PIIX4', 'PIIX3', 'ICH6'], defaultPorts: 2, minPorts: 2, maxPorts: 2, devicesPerPort: 2, deviceTypes: ['DVD', 'HardDisk'] },
  SATA: { types: ['IntelAhci'], defaultPorts: 30, minPorts: 1, maxPorts: 30, devicesPerPort: 1, deviceTypes: ['DVD', 'HardDisk'] },
  SCSI: { types: ['LsiLogic', 'BusLogic'], defaultPorts: 16, minPorts: 16, maxPorts: 16, devicesPerPort: 1, deviceTypes: ['DVD', 'HardDisk'] },
  Floppy: { types: ['I82078'], defaultPorts: 1, minPorts: 1, maxPorts: 1, devicesPerPort: 2, deviceTypes: ['Floppy'] },
  SAS: { types: ['LsiLogicSas'], defaultPorts: 8, minPorts: 1, maxPorts: 255, devicesPerPort: 1, deviceTypes: ['DVD', 'HardDisk'] },
  USB: { types: ['USB'], defaultPorts: 8, minPorts: 8, maxPorts: 8, devicesPerPort: 1, deviceTypes: ['DVD', 'HardDisk'] },
  PCIe: { types: ['NVMe'], defaultPorts: 1, minPorts: 1, maxPorts: 255, devicesPerPort: 1, deviceTypes: ['HardDisk'] },
  VirtioSCSI: { types: ['VirtioSCSI'], defaultPorts: 1, minPorts: 1, maxPorts: 256, devicesPerPort: 1, deviceTypes: ['DVD', 'HardDisk'] },
};

/** The enums' numeric values, as VirtualBox prints a refused one (%d). */
export const STORAGE_BUSES = ['Null', 'IDE', 'SATA', 'SCSI', 'Floppy', 'SAS', 'USB', 'PCIe', 'VirtioSCSI'];
export const CONTROLLER_TYPES = ['Null', 'LsiLogic', 'BusLogic', 'IntelAhci', 'PIIX3', 'PIIX4', 'ICH6', 'I82078', 'LsiLogicSas', 'USB', 'NVMe', 'VirtioSCSI'];

/** PlatformProperties::getSupportedStorageBuses / ControllerTypes (x86), in VirtualBox's order. */
export const SUPPORTED_BUSES = ['SATA', 'IDE', 'SCSI', 'Floppy', 'SAS', 'USB', 'PCIe', 'VirtioSCSI'];
export const SUPPORTED_CONTROLLER_TYPES = ['IntelAhci', 'PIIX4', 'PIIX3', 'ICH6', 'LsiLogic', 'BusLogic', 'I82078', 'LsiLogicSas', 'USB', 'NVMe', 'VirtioSCSI'];

/** PlatformProperties::getStorageControllerHotplugCapable: only AHCI and USB. */
export const hotplugCapable = (controllerType: string): boolean => controllerType === 'IntelAhci' || controllerType === 'USB';

/** PlatformProperties::getMaxInstancesOfStorageBus: 8 of the PCI buses with ICH9, else 1. */
export function maxInstances(chipset: string, bus: string): number {
  if (['SATA', 'SCSI', 'SAS', 'PCIe', 'VirtioSCSI'].includes(bus)) return chipset === 'ICH9' || chipset === 'ARMv8Virtual' ? 8 : 1;
  return BUSES[bus] ? 1 : 0;
}

export function busOfControllerType(t: string): string | undefined {
  return Object.keys(BUSES).find((b) => BUSES[b].types.includes(t));
}

/** Global::IsOnlineOrTransient. */
const onlineOrTransient = (state: string) => RUNNING_STATES.has(state) || TRANSIENT_STATES.has(state);

/** The build folder VirtualBox's assertion texts name (the conversations normalise it). */
const VBOX_BUILD_DIR = '/build/virtualbox';

const slotText = (name: string, port: number, device: number) =>
  `No storage device attached to device slot ${device} on port ${port} of controller '${name}'`;

/** IStorageController of one machine object, found by name (a rename re-keys it). */
export class StorageController implements ManagedObject {
  readonly iface = 'IStorageController';
  /** Made by addStorageController on a session's machine: saved, the object passes to the machine (Machine::i_commit). */
  created = false;
  constructor(private m: Machine, public name: string) {}
  ready() {
    if (!this.m.isGone) return;
    if (this.created && this.m.core.settings.storageControllers.some((c) => c.name === this.name)) this.m = this.m.core.primary;
    else fail('E_ACCESSDENIED', 'The object is not ready', this.iface);
  }
  get c(): StorageControllerSettings {
    const c = this.m.s.storageControllers.find((x) => x.name === this.name);
    if (!c) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a storage controller named '${this.name}'`, this.iface);
    return c;
  }
  private get facts(): BusFacts { return BUSES[this.c.bus]; }
  /** A setter's change: marks the machine modified and tells the session (OnStorageControllerChanged). */
  private changed(): void {
    this.m.changed();
    this.m.storageControllerChanged(this.c.name);
  }

  getName() { return this.c.name; }
  /** StorageController::setName: names are unique; the attachments move with the controller. */
  setName(name: string) {
    this.m.mutable();
    const c = this.c;
    if (c.name === name) return;
    if (this.m.s.storageControllers.some((x) => x.name === name)) {
      fail('VBOX_E_OBJECT_IN_USE', `Storage controller named '${name}' already exists`, this.iface);
    }
    for (const a of this.m.s.attachments) if (a.controller === c.name) a.controller = name;
    this.m.renameControllerObject(c.name, name);
    c.name = name;
    this.name = name;
    this.changed();
  }
  getMaxDevicesPerPortCount() { return this.facts.devicesPerPort; }
  getMinPortCount() { return this.facts.minPorts; }
  getMaxPortCount() { return this.facts.maxPorts; }
  getInstance() { return this.c.instance; }
  /** StorageController::setInstance: any number, unchecked. */
  setInstance(n: number) {
    this.m.mutable();
    if (this.c.instance === n) return;
    this.c.instance = n;
    this.changed();
  }
  getPortCount() { return this.c.portCount; }
  setPortCount(n: number) {
    this.m.mutable();
    const { minPorts, maxPorts } = this.facts;
    if (n < minPorts || n > maxPorts) fail('E_INVALIDARG', `Invalid port count: ${n} (must be in range [${minPorts}, ${maxPorts}])`, this.iface);
    if (this.c.portCount === n) return;
    this.c.portCount = n;
    this.changed();
  }
  getBus() { return this.c.bus; }
  getControllerType() { return this.c.controllerType; }
  setControllerType(t: string) {
    this.m.mutable();
    if (!this.facts.types.includes(t)) fail('E_INVALIDARG', `Invalid controller type ${CONTROLLER_TYPES.indexOf(t)}`, this.iface);
    if (this.c.controllerType === t) return;
    this.c.controllerType = t;
    this.changed();
  }
  getUseHostIOCache() { return this.c.useHostIOCache; }
  setUseHostIOCache(v: boolean) {
    this.m.mutable();
    if (this.c.useHostIOCache === v) return;
    this.c.useHostIOCache = v;
    this.changed();
  }
  getBootable() { return this.c.bootable ?? true; }
}

/** The IMediumAttachment struct of one attachment (its bandwidth group as the object). */
export interface AttachmentStruct {
  machine: Machine;
  medium: Medium | null;
  controller: string;
  port: number;
  device: number;
  type: string;
  passthrough: boolean;
  temporaryEject: boolean;
  isEjected: boolean;
  nonRotational: boolean;
  discard: boolean;
  hotPluggable: boolean;
  bandwidthGroup: ManagedObject | null;
}

/**
 * The storage part of IMachine, one object per Machine. Every method follows the Machine:: method
 * of its name; `m.s` is the machine object's settings (the session's working copy).
 */
export class MachineStorage {
  /**
   * Attachments of differencing images made by attachDevice for an immutable disk, not saved yet
   * (MediumAttachment's fImplicit): discardSettings and an unlock without saving delete them.
   */
  private readonly implicit = new WeakSet<AttachmentSettings>();

  constructor(private readonly m: Machine) {}

  /** Saved (Machine::i_commitMedia): the images are the machine's own from now on. */
  committed(): void {
    for (const a of this.s.attachments) this.implicit.delete(a);
  }

  /** Attachments whose implicit images a rollback deletes. */
  implicitOf(list: AttachmentSettings[]): AttachmentSettings[] {
    return list.filter((a) => this.implicit.has(a));
  }

  /** Machine::i_deleteImplicitDiffs: the images of these (already removed) attachments are deleted. */
  async deleteImplicit(list: AttachmentSettings[]): Promise<void> {
    for (const a of list) {
      const d = a.mediumId ? this.m.core.host.findMedium(a.mediumId) : undefined;
      if (!d) continue;
      try {
        await d.deleteStorage().wait();
      } catch {
        // still in use elsewhere: left as it is, as VirtualBox logs and goes on
      }
    }
  }

  /**
   * The differencing image Machine::attachDevice puts between an immutable disk and the machine:
   * in the snapshot folder, named by its UUID, in the base's format when that has differencing images.
   * The machine reads SettingUp while it is made.
   */
  private async implicitDiff(base: Medium): Promise<Medium> {
    const core = this.m.core;
    const format = ['VDI', 'VMDK', 'VHD'].includes(base.rec.format) ? base.rec.format : 'VDI';
    const folder = path.join(path.dirname(core.settingsFile), 'Snapshots');
    const diff = core.host.createMedium(format, path.join(folder, 'diff'), 'HardDisk');
    diff.rec.location = path.join(folder, `{${diff.rec.id}}.${format.toLowerCase()}`);
    const old = core.state;
    core.setState('SettingUp');
    try {
      const p = base.createDiffStorage(diff, ['Standard']);
      await p.wait();
      if (p.failed) throw p.error?.fault ?? new VBoxFault('E_FAIL', '');
    } finally {
      core.setState(old);
    }
    return diff;
  }

  private get s() { return this.m.s; }
  private err(code: Parameters<Machine['err']>[0], text: string): never { this.m.err(code, text); }

  controller(name: string): StorageControllerSettings {
    const c = this.s.storageControllers.find((x) => x.name === name);
    if (!c) this.err('VBOX_E_OBJECT_NOT_FOUND', `Could not find a storage controller named '${name}'`);
    return c;
  }

  find(name: string, port: number, device: number): AttachmentSettings | undefined {
    return this.s.attachments.find((a) => a.controller === name && a.port === port && a.device === device);
  }

  private found(name: string, port: number, device: number): AttachmentSettings {
    const a = this.find(name, port, device);
    if (!a) this.err('VBOX_E_OBJECT_NOT_FOUND', slotText(name, port, device));
    return a;
  }

  /** The machine runs (or is between states): changes reach the VM (fHotplug in MachineImpl.cpp). */
  private get online(): boolean {
    return this.m.isSession && onlineOrTransient(this.m.core.state);
  }

  /** VBoxInternal2/SilentReconfigureWhilePaused on a paused machine: changes reach the VM without telling the guest. */
  private get silent(): boolean {
    return this.m.core.state === 'Paused' && this.m.getExtraData('VBoxInternal2/SilentReconfigureWhilePaused') === '1';
  }

  /** The running VM whose session machine this is (the VM takes changes only through it: LockType_VM). */
  private get vm() {
    const vm = this.m.core.vm;
    return vm && !vm.isEnded && vm.machine === this.m ? vm : null;
  }

  /** Machine::attachDevice (and attachDeviceWithoutMedium). */
  async attachDevice(name: string, port: number, device: number, type: string, medium: Medium | null): Promise<void> {
    this.m.mutable('MutableOrRunning');
    if (!this.m.core.registered) this.err('VBOX_E_INVALID_OBJECT_STATE', 'Cannot attach storage devices to an unregistered machine');
    const ctl = this.controller(name);
    const silent = this.silent;
    const hotplug = !silent && this.online;
    if (hotplug && !hotplugCapable(ctl.controllerType)) this.err('VBOX_E_INVALID_VM_STATE', `Controller '${name}' does not support hot-plugging`);
    // StorageController::i_checkPortAndDeviceValid, raised by the controller.
    const perPort = BUSES[ctl.bus].devicesPerPort;
    if (port < 0 || port >= ctl.portCount || device < 0 || device >= perPort) {
      fail('E_INVALIDARG', `The port and/or device parameter are out of range: port=${port} (must be in range [0, ${ctl.portCount - 1}]), device=${device} (must be in range [0, ${perPort - 1}])`, 'IStorageController');
    }
    const taken = this.find(name, port, device);
    if (taken) {
      const there = taken.mediumId ? this.m.core.host.findMedium(taken.mediumId) : undefined;
      this.err('VBOX_E_OBJECT_IN_USE', there
        ? `Medium '${there.rec.location}' is already attached to port ${port}, device ${device} of controller '${name}' of this virtual machine`
        : `Device is already attached to port ${port}, device ${device} of controller '${name}' of this virtual machine`);
    }
    // One medium once per machine; a read-only DVD image may be in several drives.
    if (medium && this.s.attachments.some((a) => a.mediumId === medium.rec.id) && !(medium.getType() === 'Readonly' && medium.rec.deviceType === 'DVD')) {
      this.err('VBOX_E_OBJECT_IN_USE', `Medium '${medium.rec.location}' is already attached to this virtual machine`);
    }
    // A hard disk slot without a medium: a bare E_INVALIDARG (MediumAttachment::init's assertion). A medium
    // of another device type is taken as it is.
    if (type === 'HardDisk' && !medium) throw new VBoxFault('E_INVALIDARG', '');
    if (medium && medium.state !== 'Created' && medium.state !== 'LockedRead' && medium.state !== 'LockedWrite') {
      this.err('VBOX_E_INVALID_OBJECT_STATE', `Medium '${medium.rec.location}' is not accessible (state ${medium.state})`);
    }
    // Medium::i_isReadOnly: an immutable or multi-attach disk is used through a new differencing image (fIndirect).
    const indirect = !!medium && medium.rec.deviceType === 'HardDisk' && ['Immutable', 'MultiAttach'].includes(medium.getType());
    const used = indirect ? await this.implicitDiff(medium) : medium;
    const a: AttachmentSettings = {
      controller: name, port, device, type, mediumId: used?.rec.id ?? null,
      // New attachments are hot-pluggable when hot-plugged, and always on USB.
      hotPluggable: hotplug || ctl.controllerType === 'USB',
    };
    if ((hotplug || silent) && medium) {
      // The running VM locks the medium (a disk for writing, read-only media for reading) before the
      // device is plugged in; another running machine's lock stands in the way (Medium::i_setStateError).
      const lock = this.m.core.host.vmLock(medium);
      // DVD and floppy images are locked for reading whatever IMedium readOnly says (it is false for a DVD image).
      const writes = medium.rec.deviceType === 'HardDisk' && !['Immutable', 'Readonly'].includes(medium.getType());
      if (lock === 'LockedWrite' || (lock === 'LockedRead' && writes)) {
        fail('VBOX_E_INVALID_OBJECT_STATE', `Medium '${medium.rec.location}' is locked for ${lock === 'LockedWrite' ? 'writing' : 'reading'} by another task`, 'IMedium');
      }
    }
    this.s.attachments.push(a);
    if (indirect) this.implicit.add(a);
    this.m.changed();
    if ((hotplug || silent) && this.vm) this.vm.console.storageDeviceChange(this.struct(a), false, silent);
    this.m.core.host.fireStorageDeviceChanged(this.struct(a), false, silent);
  }

  /** Machine::detachDevice: while running, only from a hot-pluggable slot of a hot-plug capable controller. */
  async detachDevice(name: string, port: number, device: number): Promise<void> {
    this.m.mutable('MutableOrRunning');
    const ctl = this.controller(name);
    const silent = this.silent;
    const hotplug = !silent && this.online;
    if (hotplug && !hotplugCapable(ctl.controllerType)) this.err('VBOX_E_INVALID_VM_STATE', `Controller '${name}' does not support hot-plugging`);
    const a = this.found(name, port, device);
    if (hotplug && !a.hotPluggable) {
      this.err('VBOX_E_NOT_SUPPORTED', `The device slot ${device} on port ${port} of controller '${name}' does not support hot-plugging`);
    }
    const struct = this.struct(a);
    if ((hotplug || silent) && this.vm) this.vm.console.storageDeviceChange(struct, true, silent);
    // Machine::i_detachDevice deletes an implicit image first — which refuses while the machine
    // still refers to it, so the device stays (VirtualBox 7.1.12 does so).
    if (this.implicit.has(a)) {
      const d = a.mediumId ? this.m.core.host.findMedium(a.mediumId) : undefined;
      if (d) await d.deleteStorage().wait();
    }
    this.s.attachments.splice(this.s.attachments.indexOf(a), 1);
    this.m.changed();
    this.m.core.host.fireStorageDeviceChanged(struct, true, silent);
  }

  /** Machine::passthroughDevice: DVD drives only; while running only on a hot-plug capable controller. */
  passthroughDevice(name: string, port: number, device: number, on: boolean) {
    this.m.mutable('MutableOrRunning');
    const ctl = this.controller(name);
    if (!this.silent && this.online && !hotplugCapable(ctl.controllerType)) {
      this.err('VBOX_E_INVALID_VM_STATE', `Controller '${name}' does not support hot-plugging which is required to change the passthrough setting while the VM is running`);
    }
    const a = this.found(name, port, device);
    this.m.changed();
    if (a.type !== 'DVD') {
      this.err('E_INVALIDARG', `Setting passthrough rejected as the device attached to device slot ${device} on port ${port} of controller '${name}' is not a DVD`);
    }
    const changed = !!a.passthrough !== on;
    a.passthrough = on;
    if (this.vm) this.vm.console.storageDeviceChange(this.struct(a), false, false);
    if (changed) this.m.core.host.fireStorageDeviceChanged(this.struct(a), false, false);
  }

  /** Machine::temporaryEjectDevice: DVD drives only (also on a saved or running machine). */
  temporaryEjectDevice(name: string, port: number, device: number, on: boolean) {
    this.m.mutable('MutableOrSavedOrRunning');
    const a = this.found(name, port, device);
    this.m.changed();
    if (a.type !== 'DVD') {
      this.err('E_INVALIDARG', `Setting temporary eject flag rejected as the device attached to device slot ${device} on port ${port} of controller '${name}' is not a DVD`);
    }
    a.tempEject = on;
  }

  /** The flags that only a machine that does not run may change (nonRotational, discard). */
  private offlineFlag(name: string, port: number, device: number): AttachmentSettings {
    this.m.mutable();
    if (onlineOrTransient(this.m.core.state)) this.err('VBOX_E_INVALID_VM_STATE', `Invalid machine state: ${this.m.core.state}`);
    return this.found(name, port, device);
  }

  nonRotationalDevice(name: string, port: number, device: number, on: boolean) {
    const a = this.offlineFlag(name, port, device);
    this.m.changed();
    if (a.type !== 'HardDisk') {
      this.err('E_INVALIDARG', `Setting the non-rotational medium flag rejected as the device attached to device slot ${device} on port ${port} of controller '${name}' is not a hard disk`);
    }
    a.nonRotational = on;
  }

  setAutoDiscardForDevice(name: string, port: number, device: number, on: boolean) {
    const a = this.offlineFlag(name, port, device);
    this.m.changed();
    if (a.type !== 'HardDisk') {
      this.err('E_INVALIDARG', `Setting the discard medium flag rejected as the device attached to device slot ${device} on port ${port} of controller '${name}' is not a hard disk`);
    }
    a.discard = on;
  }

  /** Machine::setHotPluggableForDevice: only on hot-plug capable controllers (USB silently ignored), never a floppy. */
  setHotPluggableForDevice(name: string, port: number, device: number, on: boolean) {
    const a = this.offlineFlag(name, port, device);
    const ctl = this.controller(name);
    if (!hotplugCapable(ctl.controllerType)) {
      this.err('VBOX_E_NOT_SUPPORTED', `Controller '${name}' does not support changing the hot-pluggable device flag`);
    }
    if (ctl.controllerType === 'USB') return;
    this.m.changed();
    if (a.type === 'Floppy') {
      this.err('E_INVALIDARG', `Setting the hot-pluggable device flag rejected as the device attached to device slot ${device} on port ${port} of controller '${name}' is a floppy drive`);
    }
    a.hotPluggable = on;
  }

  /** Machine::setBandwidthGroupForDevice (null: setNoBandwidthGroupForDevice). */
  setBandwidthGroupForDevice(name: string, port: number, device: number, group: { name: string; owner: Machine } | null) {
    this.m.mutable('MutableOrSaved');
    if (onlineOrTransient(this.m.core.state)) this.err('VBOX_E_INVALID_VM_STATE', `Invalid machine state: ${this.m.core.state}`);
    const a = this.found(name, port, device);
    this.m.changed();
    a.bandwidthGroup = group ? group.name : '';
  }

  /**
   * Machine::mountMedium (null: unmountMedium): DVD and floppy drives only. On a running machine the
   * VM changes the medium at once (Console::i_doMediumChange); a medium the guest has locked goes
   * only with force. The change is kept (rolled back if the VM refuses) until saveSettings.
   */
  mountMedium(name: string, port: number, device: number, medium: Medium | null, force: boolean) {
    this.m.mutable('MutableOrRunning');
    const a = this.s.attachments.find((x) => x.controller === name && x.port === port && x.device === device);
    if (!a) this.err('VBOX_E_OBJECT_NOT_FOUND', `No drive attached to device slot ${device} on port ${port} of controller '${name}'`);
    const old = a.mediumId;
    if ((medium?.rec.id ?? null) === old) return;
    if (medium && a.type !== 'DVD' && a.type !== 'Floppy') {
      this.err('VBOX_E_INVALID_OBJECT_STATE', `The device at port ${port}, device ${device} of controller '${name}' of this virtual machine is not removeable`);
    }
    a.mediumId = medium?.rec.id ?? null;
    this.m.changed();
    try {
      if (this.vm) this.vm.console.mediumChange(this.struct(a), force, medium, !!old);
    } catch (e) {
      a.mediumId = old;
      throw e;
    }
    // SessionMachine::i_onMediumChange tells VirtualBox's listeners (a session's machine only).
    if (this.m.isSession) this.m.core.host.fireMediumChanged(this.struct(a));
  }

  getMedium(name: string, port: number, device: number) {
    const a = this.found(name, port, device);
    return a.mediumId ? this.m.core.host.findMedium(a.mediumId) ?? null : null;
  }

  /** Machine::addStorageController: the bus's default type and ports; one bootable controller per bus; instances per chipset. */
  addStorageController(name: string, bus: string): StorageControllerSettings {
    if (!BUSES[bus]) this.err('E_INVALIDARG', `Invalid connection type: ${STORAGE_BUSES.indexOf(bus)}`);
    this.m.mutable();
    if (this.s.storageControllers.some((c) => c.name === name)) this.err('VBOX_E_OBJECT_IN_USE', `Storage controller named '${name}' already exists`);
    const same = this.s.storageControllers.filter((c) => c.bus === bus);
    const instance = same.reduce((n, c) => Math.max(n, c.instance + 1), 0);
    // StorageController::init's ComAssertRet, raised by the new controller.
    if (!name) {
      throw new VBoxFault('E_FAIL', `Assertion failed: [aParent && !aName.isEmpty()] at '${VBOX_BUILD_DIR}/src/VBox/Main/src-server/StorageControllerImpl.cpp' (106) ` +
        'in nsresult StorageController::init(Machine*, const com::Utf8Str&, StorageBus_T, PRUint32, bool).\nPlease contact the product vendor!', 'StorageControllerWrap', 'IStorageController', 'E_INVALIDARG');
    }
    if (instance >= maxInstances(this.s.chipsetType, bus)) fail('E_INVALIDARG', 'Too many storage controllers of this type', 'IStorageController');
    const f = BUSES[bus];
    const c: StorageControllerSettings = {
      name, bus, controllerType: f.types[0], portCount: f.defaultPorts, useHostIOCache: bus === 'IDE' || bus === 'Floppy', instance,
      bootable: !same.some((x) => x.bootable ?? true),
    };
    this.s.storageControllers.push(c);
    this.m.changed();
    this.m.storageControllerChanged(name);
    return c;
  }

  /** Machine::removeStorageController: its devices are detached (each an OnStorageDeviceChanged) first. */
  removeStorageController(name: string) {
    this.m.mutable();
    this.controller(name);
    const gone = this.s.attachments.filter((a) => a.controller === name);
    const structs = gone.map((a) => this.struct(a));
    this.s.attachments = this.s.attachments.filter((a) => a.controller !== name);
    for (const st of structs) this.m.core.host.fireStorageDeviceChanged(st, true, false);
    this.s.storageControllers = this.s.storageControllers.filter((c) => c.name !== name);
    this.m.changed();
    this.m.storageControllerChanged(name);
  }

  getStorageControllerByInstance(bus: string, instance: number): StorageControllerSettings {
    const c = this.s.storageControllers.find((x) => x.bus === bus && x.instance === instance);
    if (!c) this.err('VBOX_E_OBJECT_NOT_FOUND', `Could not find a storage controller with instance number '${instance}'`);
    return c;
  }

  /** Machine::setStorageControllerBootable: making one bootable clears another of the same bus and type. */
  setStorageControllerBootable(name: string, bootable: boolean) {
    this.m.mutable();
    const c = this.controller(name);
    if (bootable) {
      const other = this.s.storageControllers.find((x) => x.name !== name && (x.bootable ?? true) && x.bus === c.bus && x.controllerType === c.controllerType);
      if (other) other.bootable = false;
    }
    c.bootable = bootable;
    this.m.changed();
    this.m.storageControllerChanged(name);
  }

  /** The IMediumAttachment struct (its machine: see Machine.attachmentOwner). */
  struct(a: AttachmentSettings): AttachmentStruct {
    const medium = a.mediumId ? this.m.core.host.findMedium(a.mediumId) ?? null : null;
    return {
      machine: this.m.attachmentOwner(a), medium, controller: a.controller, port: a.port, device: a.device, type: a.type,
      passthrough: !!a.passthrough, temporaryEject: !!a.tempEject, isEjected: false, nonRotational: !!a.nonRotational,
      discard: !!a.discard, hotPluggable: !!a.hotPluggable,
      bandwidthGroup: a.bandwidthGroup ? this.m.getBandwidthControl().groupObject(a.bandwidthGroup) ?? null : null,
    };
  }
}
