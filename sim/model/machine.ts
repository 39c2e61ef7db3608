import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fail, RUNNING_STATES, VBoxFault, type MachineState, type ManagedObject, type SessionState } from './base';
import { findGuestOSType } from './ostypes';
import { convertMachineGroups, parseGuid } from './virtualbox';
import type { ResultCodeName } from '../soap/faults';
import type { Medium, MediumRecord } from './medium';
import { BandwidthControl, type BandwidthGroup } from './bandwidth';
import { MachineStorage, StorageController, type AttachmentStruct } from './storage';
import type { Progress } from './progress';
import type { Session } from './session';
import { clone, fitNics, type MachineFile, type MachineSettings, type AttachmentSettings, type NatRule } from './settings';
import { NetworkAdapter, nicsRolledBack } from './network-adapter';
import * as snapshotOps from './snapshot';
import * as guestProps from './guest-properties';
import type { Snapshot } from './snapshot';
import type { SnapshotEventType } from './events';
import { USBControllerChangedEvent } from './events'; // issue 16 S4
import type { Timing, VM } from './vm';
import type { ScreenState } from '../screen/screen';
import { AudioSettings, devicesRolledBack, GraphicsAdapter, ParallelPort, SerialPort, SERIAL_PORT_COUNT, PARALLEL_PORT_COUNT, VRDEServer, vmOf } from './devices';
import { folderObject, MACHINE_FOLDER, newFolder, SharedFolder } from './shared-folders';
import { FirmwareSettings, nvramStoreOf, Platform, TrustedPlatformModule } from './firmware';
import { GuestDebugControl, MachineExtrasPart, RecordingSettings } from './machine-extras';
import * as logs from './logs';
import * as usb from './usb';
import * as applianceExport from './appliance-export'; // issue 17 C2
import * as cloneOps from './clone'; // issue 17 C1

/** What a machine needs from the host it is registered on. */
export interface MachineHost {
  readonly parent: ManagedObject;
  readonly platformProperties: ManagedObject;
  settingsFilePath(name: string, groups: string[]): string;
  /** Names of the registered machines (a machine group may not be named as one). */
  machineNames(): string[];
  findMedium(id: string): Medium | undefined;
  isRegistered(core: MachineCore): boolean;
  unregisterMachine(core: MachineCore): void;
  deleteMachineFiles(core: MachineCore, media: Medium[]): Progress;
  /** Persists the machine's settings file (and the registry entry when registered). */
  saveMachine(core: MachineCore): void;
  fireStateChanged(core: MachineCore): void;
  fireSessionStateChanged(core: MachineCore): void;
  fireDataChanged(core: MachineCore): void;
  fireExtraDataChanged(machineId: string, key: string, value: string): void;
  fireSnapshotEvent(type: SnapshotEventType, core: MachineCore, snapshotId: string): void;
  /** VirtualBox::i_onStorageControllerChanged, i_onStorageDeviceChanged, i_onMediumChanged (VirtualBox's event source). */
  fireStorageControllerChanged(core: MachineCore, controllerName: string): void;
  fireStorageDeviceChanged(attachment: AttachmentStruct, removed: boolean, silent: boolean): void;
  fireMediumChanged(attachment: AttachmentStruct): void;
  /** VirtualBox::i_onNatRedirectChanged: INATRedirectEvent on VirtualBox's event source. */
  fireNATRedirect(core: MachineCore, slot: number, remove: boolean, rule: NatRule): void;
  /** VirtualBox::i_natNetworkRefInc / i_natNetworkRefDec: machines running on a NAT network keep it started. */
  natNetworkRef?(name: string, delta: 1 | -1): void;
  /** A running machine's adapter changed live (after its console's INetworkAdapterChangedEvent); for the guest's view. */
  nicChanged?(core: MachineCore, slot: number): void;
  /** VirtualBox::i_onGuestPropertyChanged: IGuestPropertyChangedEvent on VirtualBox's event source. */
  fireGuestPropertyChanged?(machineId: string, change: guestProps.GuestPropertyChange): void;
  /** IVirtualBox::createMedium (for the differencing image of an immutable disk). */
  createMedium(format: string, location: string, deviceType: string): Medium;
  /** The lock a running machine holds on the medium (MediumHost.vmLock), or null. */
  vmLock(m: Medium): 'LockedRead' | 'LockedWrite' | null;
  launch(core: MachineCore, session: Session, frontend: string): Progress;
  readonly maxGuestRAM: number;
  readonly maxGuestCPUs: number;
  readonly timing: Timing;
  /** The host's boot count: objects of an earlier boot (a power loss ago) write nothing any more. */
  readonly epoch: number;
}

/**
 * What is shared by every IMachine object of one machine: the committed settings,
 * the state, the session lock and the running VM (if any).
 */
export class MachineCore {
  state: MachineState = 'PoweredOff';
  lastStateChange = Date.now();
  sessionState: SessionState = 'Unlocked';
  /** The session holding the write lock: a client's (WriteLock) or the VM process's. */
  lockedBy: Session | 'vm' | null = null;
  vm: VM | null = null;
  /** Saved-state contents (the .sav file), so that a restore resumes the same screen. */
  savedScreen?: ScreenState;
  readonly primary: Machine;
  settingsFile: string;
  /** The first snapshot (the root of the snapshot tree) and the current one (snapshot.ts). */
  firstSnapshot: Snapshot | null = null;
  currentSnapshot: Snapshot | null = null;
  /** VirtualBox's mCurrentStateModified: true for a new machine, as there. */
  currentStateModified = true;
  /** The media registry read from the settings file: records of media this host may not know (yet). */
  fileMedia: MediumRecord[] = [];
  /** The host boot this machine object belongs to (MachineHost.epoch). */
  readonly epoch: number;
  /** The name and primary group the settings file's path was made for (a rename moves it, Machine::i_prepareSaveSettings). */
  pathFor: { name: string; group: string };

  constructor(readonly host: MachineHost, public settings: MachineSettings) {
    fitNics(settings);
    this.settingsFile = host.settingsFilePath(settings.name, settings.groups);
    this.pathFor = { name: settings.name, group: settings.groups[0] ?? '/' };
    this.epoch = host.epoch;
    this.primary = new Machine(this, false);
  }

  get id(): string { return this.settings.id; }
  get name(): string { return this.settings.name; }
  get registered(): boolean { return this.host.isRegistered(this); }

  setState(state: MachineState): void {
    if (state === this.state) return;
    this.state = state;
    this.lastStateChange = Date.now();
    this.host.fireStateChanged(this);
    this.host.saveMachine(this);
  }

  setSessionState(state: SessionState): void {
    if (state === this.sessionState) return;
    this.sessionState = state;
    this.host.fireSessionStateChanged(this);
  }

  /** Every snapshot of the machine, depth first from the first one. */
  snapshots(): Snapshot[] {
    return this.firstSnapshot ? [...this.firstSnapshot.walk()] : [];
  }

  /** The snapshot part of the settings file. */
  snapshotFile(): Pick<MachineFile, 'snapshot' | 'currentSnapshot' | 'currentStateModified'> {
    return {
      snapshot: this.firstSnapshot?.toFile(), currentSnapshot: this.currentSnapshot?.id, currentStateModified: this.currentStateModified,
    };
  }

  loadSnapshots(mf: MachineFile): void {
    this.firstSnapshot = mf.snapshot ? snapshotOps.Snapshot.fromFile(this, mf.snapshot, null) : null;
    this.currentSnapshot = this.snapshots().find((s) => s.id === mf.currentSnapshot) ?? null;
    this.currentStateModified = mf.currentStateModified ?? true;
  }

  /** Drops the snapshot tree (unregistering); its objects answer "not ready" from then on. */
  clearSnapshots(): void {
    for (const s of this.snapshots()) s.gone = true;
    this.firstSnapshot = this.currentSnapshot = null;
  }

  /** SnapshotMachine::i_onSnapshotChange: a snapshot's name or description changed. */
  snapshotChanged(s: Snapshot): void {
    this.host.saveMachine(this);
    this.host.fireSnapshotEvent('OnSnapshotChanged', this, s.id);
  }
}


/** VirtualBox's StateDependency values used by the setters (Machine::i_checkStateDependency). */
export type StateDep = 'Mutable' | 'MutableOrSaved' | 'MutableOrRunning' | 'MutableOrSavedOrRunning';
const DEP_TEXT: Record<StateDep, string> = {
  Mutable: 'mutable', MutableOrSaved: 'mutable or saved', MutableOrRunning: 'mutable or running', MutableOrSavedOrRunning: 'mutable, saved or running',
};

/**
 * IMachine. The registered machine's own object reads the committed settings and
 * refuses changes; a session's machine (ISession::machine) holds a working copy
 * that saveSettings commits, as in VirtualBox. A snapshot's machine (ISnapshot::machine)
 * shows the snapshot's settings with the machine's user data, read-only.
 */
export class Machine implements ManagedObject {
  readonly iface = 'IMachine';
  private work: MachineSettings | null;
  private modified = false;
  private gone = false;
  /** Counts commits and rollbacks: what the adapters' backups (Backupable) are relative to. */
  settingsGeneration = 0;
  /** Machine::IsModified_NetworkAdapters: without it, discardSettings leaves the adapters as they are. */
  nicsModified = false;
  private readonly children = new Map<string, ManagedObject>();

  constructor(readonly core: MachineCore, readonly isSession: boolean, readonly snapshot?: Snapshot) {
    this.work = isSession ? this.workingCopy() : null;
  }

  /**
   * The committed attachment each working one stands for (VirtualBox's session machine shares the
   * MediumAttachment objects with the machine until they change): how IMediumAttachment.machine and
   * discardSettings tell saved attachments from new ones.
   */
  private origin = new WeakMap<AttachmentSettings, AttachmentSettings>();

  /** A working copy of the committed settings, its attachments tied to theirs. */
  private workingCopy(): MachineSettings {
    const w = clone(this.core.settings);
    w.attachments.forEach((a, i) => this.origin.set(a, this.core.settings.attachments[i]));
    return w;
  }

  get s(): MachineSettings {
    if (this.snapshot) return snapshotOps.snapshotSettingsView(this.core.settings, this.snapshot.settings);
    return this.work ?? this.core.settings;
  }
  private get host() { return this.core.host; }

  /** SessionMachine::uninit: the session that owned this machine object unlocked it. */
  uninit(): void { this.gone = true; }
  get isGone(): boolean { return this.gone; }

  /** AutoCaller: an uninitialised object answers every call with "not ready" (the SOAP layer asks first). */
  ready(): void {
    if (this.gone) this.err('E_ACCESSDENIED', 'The object is not ready');
  }

  /** The component VirtualBox names in this object's errors: SessionMachine, SnapshotMachine or MachineWrap. */
  get component(): string {
    return this.isSession ? 'SessionMachine' : this.snapshot ? 'SnapshotMachine' : 'MachineWrap';
  }

  /** Raises an error as this IMachine object (its component, interface IMachine). */
  err(code: ResultCodeName, text: string): never {
    fail(code, text, 'IMachine', this.component);
  }

  /**
   * Machine::i_checkStateDependency: a registered machine changes only through a session's machine,
   * and only in the states the dependency allows.
   */
  mutable(dep: StateDep = 'Mutable'): void {
    if (!this.core.registered) return;
    const st = this.core.state;
    const ok = this.isSession && (['Aborted', 'Teleported', 'PoweredOff'].includes(st) ||
      (dep.includes('Saved') && (st === 'Saved' || st === 'AbortedSaved')) ||
      (dep.includes('Running') && RUNNING_STATES.has(st)));
    if (!ok) this.err('VBOX_E_INVALID_VM_STATE', `The machine is not ${DEP_TEXT[dep]} (state is ${st})`);
  }

  /** Records a change; an unregistered machine's changes go straight to its settings. */
  changed(): void {
    this.modified = true;
  }

  /** Changes not saved yet (VirtualBox's flModifications). */
  get hasChanges(): boolean { return this.modified; }

  private child<T extends ManagedObject>(key: string, make: () => T): T {
    let c = this.children.get(key) as T | undefined;
    if (!c) this.children.set(key, (c = make()));
    return c;
  }

  private set<K extends keyof MachineSettings>(key: K, value: MachineSettings[K], dep: StateDep = 'Mutable'): void {
    this.mutable(dep);
    this.s[key] = value;
    this.changed();
  }

  getParent() { return this.host.parent; }
  getAccessible() { return true; }
  getAccessError() { return null; }
  getName() { return this.s.name; }
  /** Machine::setName: a name that reads as a UUID ('' does, to com::Guid) could never be found by findMachine. */
  setName(name: string) {
    if (name === '' || parseGuid(name)) this.err('E_INVALIDARG', 'A machine cannot have a UUID as its name');
    this.set('name', name, 'MutableOrSaved');
  }
  getDescription() { return this.s.description; }
  setDescription(d: string) { this.set('description', d, 'MutableOrSavedOrRunning'); }
  getId() { return this.s.id; }
  getGroups() { return this.s.groups; }
  setGroups(groups: string[]) {
    const list = convertMachineGroups(groups, this.host.machineNames());
    this.set('groups', list, 'MutableOrSaved');
  }
  getOSTypeId() { return this.s.osTypeId; }
  /** Any id is taken; one VirtualBox knows is stored as VirtualBox spells it. */
  setOSTypeId(id: string) { this.set('osTypeId', findGuestOSType(id)?.id ?? id); }
  getHardwareUUID() { return this.s.hardwareUUID || this.s.id; }
  getCPUCount() { return this.s.cpuCount; }
  setCPUCount(n: number) {
    if (n < 1 || n > this.host.maxGuestCPUs) {
      this.err('E_INVALIDARG', `Invalid virtual CPU count: ${n} (must be in range [1, ${this.host.maxGuestCPUs}])`);
    }
    this.x1.checkCPUCount(n); // issue 16 S1: not below a hot-plugged CPU
    this.set('cpuCount', n);
  }
  getCPUExecutionCap() { return this.s.cpuExecutionCap; }
  setCPUExecutionCap(n: number) {
    if (n < 1 || n > 100) this.err('E_INVALIDARG', `Invalid CPU execution cap value: ${n} (must be in range [1, 100])`);
    this.x1.setCPUExecutionCap(n);
  }
  getMemorySize() { return this.s.memorySize; }
  setMemorySize(mb: number) {
    if (mb < 4 || mb > this.host.maxGuestRAM) {
      this.err('E_INVALIDARG', `Invalid RAM size: ${mb} MB (must be in range [4, ${this.host.maxGuestRAM}] MB)`);
    }
    this.set('memorySize', mb);
  }
  getGraphicsAdapter() { return this.child('gfx', () => new GraphicsAdapter(this)); }
  getPlatform() { return this.child('platform', () => new Platform(this)); }
  getFirmwareSettings() { return this.child('firmware', () => new FirmwareSettings(this)); }
  getVRDEServer() { return this.child('vrde', () => new VRDEServer(this)); }
  getAudioSettings() { return this.child('audio', () => new AudioSettings(this)); }
  getMediumAttachments() { return this.s.attachments.map((a) => this.attachmentStruct(a)); }
  getStorageControllers() { return this.s.storageControllers.map((c) => this.controllerObject(c.name)); }
  getSettingsFilePath() { return this.core.settingsFile; }
  /** Machine::getSettingsModified: true for a machine whose settings file is not written yet. */
  getSettingsModified() {
    this.mutable('MutableOrSavedOrRunning');
    return this.modified || !fs.existsSync(this.core.settingsFile);
  }
  getSessionState() { return this.core.sessionState; }
  getSessionName() { return this.core.lockedBy === 'vm' ? 'headless' : ''; }
  /** The process holding the session: the VM process, or the web service's for a client lock; NIL_RTPROCESS (~0) when unlocked. */
  getSessionPID() { return this.core.vm?.pid ?? (this.core.lockedBy ? process.pid : 0xffffffff); }
  getState() { return this.core.state; }
  getLastStateChange() { return this.core.lastStateChange; }
  getStateFilePath() {
    if (this.snapshot) return this.snapshot.online ? this.core.settingsFile.replace(/[^/]+\.vbox$/, `Snapshots/{${this.snapshot.id}}.sav`) : '';
    return this.core.state === 'Saved' || this.core.state === 'AbortedSaved'
      ? this.core.settingsFile.replace(/[^/]+\.vbox$/, 'Snapshots/' + this.s.id + '.sav') : '';
  }
  getLogFolder() { return this.core.settingsFile.replace(/[^/]+\.vbox$/, 'Logs'); }
  getCurrentSnapshot() { return this.core.currentSnapshot; }
  getSnapshotCount() { return this.core.snapshots().length; }
  /** Always false for a machine without snapshots, as Machine::getCurrentStateModified answers. */
  getCurrentStateModified() { return this.core.firstSnapshot ? this.core.currentStateModified : false; }
  getClipboardMode() { return this.s.clipboardMode; }
  setClipboardMode(m: string) { this.x1.setClipboardMode(m); }
  getTeleporterEnabled() { return this.s.teleporter.enabled; }
  /** As Machine::setTeleporterEnabled: turning it on needs a machine that is not running; clearing it is always permitted (a session's machine). */
  setTeleporterEnabled(v: boolean) {
    if (v && this.core.registered && (!this.isSession || !['PoweredOff', 'Teleported', 'Aborted'].includes(this.core.state))) {
      this.err('VBOX_E_INVALID_VM_STATE', `The machine is not powered off (state is ${this.core.state})`);
    }
    this.s.teleporter.enabled = v;
    this.changed();
  }
  getTeleporterPort() { return this.s.teleporter.port; }
  setTeleporterPort(v: number) {
    if (v > 65535) this.err('E_INVALIDARG', `Invalid port number ${v}`);
    this.mutable('MutableOrSaved'); this.s.teleporter.port = v; this.changed();
  }
  getTeleporterAddress() { return this.s.teleporter.address; }
  setTeleporterAddress(v: string) { this.mutable('MutableOrSaved'); this.s.teleporter.address = v; this.changed(); }
  getTeleporterPassword() { return this.s.teleporter.password; }
  /** Machine::setTeleporterPassword: kept hashed ("#SHA-512##<hex>"); MutableOrSavedStateDep, so not while the machine runs. */
  setTeleporterPassword(v: string) {
    if (/^#SHA-512#[0-9a-fA-F]*#[0-9a-fA-F]{128}$/.test(v)) {
      this.err('E_INVALIDARG', 'Cannot set an already hashed password, only plain text password please');
    }
    this.mutable('MutableOrSaved');
    this.s.teleporter.password = v && `#SHA-512##${createHash('sha512').update(v, 'utf8').digest('hex')}`;
    this.changed();
  }

  lockMachine(session: Session | null, lockType: string) {
    if (!session) this.err('E_INVALIDARG', 'Argument session is NULL');
    session.lock(this, lockType);
  }

  launchVMProcess(session: Session | null, name: string, _env: string[]) {
    if (!session) this.err('E_INVALIDARG', 'Argument session is NULL');
    if (!this.core.registered || this.snapshot) this.err('E_UNEXPECTED', 'The machine is not registered');
    if (!['', 'headless', 'gui', 'sdl', 'separate'].includes(name)) {
      this.err('E_INVALIDARG', `Invalid frontend name: '${name}'`);
    }
    if (session.state !== 'Unlocked') this.err('VBOX_E_INVALID_OBJECT_STATE', 'The given session is busy');
    if (this.core.sessionState !== 'Unlocked') {
      this.err('VBOX_E_INVALID_OBJECT_STATE', `The machine '${this.s.name}' is already locked by a session (or being locked or unlocked)`);
    }
    if (RUNNING_STATES.has(this.core.state)) {
      this.err('VBOX_E_INVALID_VM_STATE', `The machine '${this.s.name}' is already running (state ${this.core.state})`);
    }
    return this.host.launch(this.core, session, name || 'headless');
  }

  setBootOrder(position: number, device: string) {
    if (position < 1 || position > 4) this.err('E_INVALIDARG', `Invalid boot position: ${position} (must be in range [1, 4])`);
    if (device === 'USB') this.err('E_NOTIMPL', 'Booting from USB device is currently not supported');
    this.mutable();
    this.s.bootOrder[position - 1] = device;
    this.changed();
  }
  getBootOrder(position: number) {
    if (position < 1 || position > 4) this.err('E_INVALIDARG', `Invalid boot position: ${position} (must be in range [1, 4])`);
    return this.s.bootOrder[position - 1];
  }

  /** The storage part of IMachine (storage.ts). */
  get storage(): MachineStorage { return (this.storagePart ??= new MachineStorage(this)); }
  private storagePart: MachineStorage | undefined;

  private controllerObject(name: string): StorageController {
    return this.child(`ctl:${name}`, () => new StorageController(this, name));
  }

  /** StorageController::setName: the controller's object answers to its new name. */
  renameControllerObject(from: string, to: string): void {
    const o = this.children.get(`ctl:${from}`);
    this.children.delete(`ctl:${from}`);
    if (o) this.children.set(`ctl:${to}`, o);
  }

  /**
   * SessionMachine::i_onStorageControllerChange: VirtualBox's listeners hear of it, and the running
   * VM's console when the VM holds the lock; a machine without a session tells nobody.
   */
  storageControllerChanged(name: string): void {
    if (!this.isSession || !this.core.registered) return;
    this.host.fireStorageControllerChanged(this.core, name);
    const vm = this.core.vm;
    if (vm && !vm.isEnded && vm.machine === this) vm.console.storageControllerChange(this.core.id, name);
  }

  /** SessionMachine::i_onBandwidthGroupChange: only the running VM hears of it (its console's event). */
  bandwidthGroupChanged(g: BandwidthGroup): void {
    const vm = this.core.vm;
    if (this.isSession && vm && !vm.isEnded && vm.machine === this) vm.console.bandwidthGroupChange(g);
  }

  getBandwidthControl(): BandwidthControl { return this.child('bwctl', () => new BandwidthControl(this)); }

  /**
   * IMediumAttachment.machine: the machine itself once the attachment is saved, the session's
   * machine while it is not (VirtualBox's commit hands the attachments over to the machine).
   */
  attachmentOwner(a: AttachmentSettings): Machine {
    if (this.snapshot || !this.isSession) return this;
    const o = this.origin.get(a);
    return o && this.core.settings.attachments.includes(o) ? this.core.primary : this;
  }

  private attachmentStruct(a: AttachmentSettings) { return this.storage.struct(a); }

  attachDevice(name: string, port: number, device: number, type: string, medium: Medium | null) {
    return this.storage.attachDevice(name, port, device, type, medium);
  }
  attachDeviceWithoutMedium(name: string, port: number, device: number, type: string) {
    return this.storage.attachDevice(name, port, device, type, null);
  }
  detachDevice(name: string, port: number, device: number) { return this.storage.detachDevice(name, port, device); }
  passthroughDevice(name: string, port: number, device: number, v: boolean) { this.storage.passthroughDevice(name, port, device, v); }
  temporaryEjectDevice(name: string, port: number, device: number, v: boolean) { this.storage.temporaryEjectDevice(name, port, device, v); }
  nonRotationalDevice(name: string, port: number, device: number, v: boolean) { this.storage.nonRotationalDevice(name, port, device, v); }
  setAutoDiscardForDevice(name: string, port: number, device: number, v: boolean) { this.storage.setAutoDiscardForDevice(name, port, device, v); }
  setHotPluggableForDevice(name: string, port: number, device: number, v: boolean) { this.storage.setHotPluggableForDevice(name, port, device, v); }
  /** A group of another machine's bandwidth control is "invalid" to VirtualBox too (it only knows its own). */
  setBandwidthGroupForDevice(name: string, port: number, device: number, group: BandwidthGroup | null) {
    this.storage.setBandwidthGroupForDevice(name, port, device, group);
  }
  setNoBandwidthGroupForDevice(name: string, port: number, device: number) { this.storage.setBandwidthGroupForDevice(name, port, device, null); }
  mountMedium(name: string, port: number, device: number, medium: Medium | null, force: boolean) {
    this.storage.mountMedium(name, port, device, medium, force);
  }
  unmountMedium(name: string, port: number, device: number, force: boolean) { this.storage.mountMedium(name, port, device, null, force); }
  getMedium(name: string, port: number, device: number) { return this.storage.getMedium(name, port, device); }

  /** Machine::getMediumAttachmentsOfController: no such controller, no attachments (no error). */
  getMediumAttachmentsOfController(name: string) {
    return this.s.attachments.filter((a) => a.controller === name).map((a) => this.attachmentStruct(a));
  }

  getMediumAttachment(name: string, port: number, device: number) {
    const a = this.storage.find(name, port, device);
    if (!a) this.err('VBOX_E_OBJECT_NOT_FOUND', `No storage device attached to device slot ${device} on port ${port} of controller '${name}'`);
    return this.attachmentStruct(a);
  }

  addStorageController(name: string, bus: string) {
    const o = this.controllerObject(this.storage.addStorageController(name, bus).name);
    o.created = this.isSession;
    return o;
  }

  removeStorageController(name: string) {
    this.storage.removeStorageController(name);
    this.children.delete(`ctl:${name}`);
  }

  getStorageControllerByName(name: string) {
    this.storage.controller(name);
    return this.controllerObject(name);
  }

  getStorageControllerByInstance(bus: string, instance: number) {
    return this.controllerObject(this.storage.getStorageControllerByInstance(bus, instance).name);
  }

  setStorageControllerBootable(name: string, bootable: boolean) { this.storage.setStorageControllerBootable(name, bootable); }

  /** As many adapters as the chipset allows (IPlatformProperties::getMaxNetworkAdapters); after a chipset change, as Platform::setChipsetType and the commit leave them. */
  getNetworkAdapter(slot: number) {
    const total = this.s.nics.length;
    if (slot >= total) this.err('E_INVALIDARG', `No network adapter in slot ${slot} (total ${total} adapters)`);
    return this.child(`nic:${slot}`, () => new NetworkAdapter(this, slot));
  }

  // Guest properties (guest-properties.ts): the running VM's, else the settings'.
  getGuestProperty(name: string) { return guestProps.getGuestProperty(this, name); }
  getGuestPropertyValue(property: string) { return guestProps.getGuestProperty(this, property).value; }
  getGuestPropertyTimestamp(property: string) { return guestProps.getGuestProperty(this, property).timestamp; }
  setGuestProperty(property: string, value: string, flags: string) { guestProps.setGuestProperty(this, property, value, flags); }
  setGuestPropertyValue(property: string, value: string) { guestProps.setGuestProperty(this, property, value, ''); }
  deleteGuestProperty(name: string) { guestProps.deleteGuestProperty(this, name); }
  enumerateGuestProperties(patterns: string) { return guestProps.enumerateGuestProperties(this, patterns); }

  getExtraDataKeys() { return Object.keys(this.s.extraData); }
  getExtraData(key: string) { return this.s.extraData[key] ?? ''; }
  /**
   * Machine::setExtraData: through a session's machine only once registered (or on a new machine),
   * written through at once — the settings file is saved, whatever else is pending.
   */
  setExtraData(key: string, value: string) {
    // Control characters in a key are refused with no error text (a bare E_INVALIDARG).
    if (value && /[\x00-\x1f\x7f]/.test(key)) throw new VBoxFault('E_INVALIDARG', '');
    if (this.snapshot) this.err('VBOX_E_INVALID_VM_STATE', 'Cannot set extradata for a snapshot');
    if (this.core.registered && !this.isSession) this.err('VBOX_E_INVALID_VM_STATE', 'Cannot set extradata for an immutable machine');
    if ((this.core.settings.extraData[key] ?? '') === value) return;
    for (const t of new Set([this.core.settings, this.s])) {
      if (value === '') delete t.extraData[key];
      else t.extraData[key] = value;
    }
    this.host.saveMachine(this.core);
    this.host.fireExtraDataChanged(this.s.id, key, value);
  }

  saveSettings() {
    this.mutable('MutableOrSavedOrRunning');
    this.commitSettings();
  }

  /** Machine::i_saveSettings: commits the working copy (a change marks the current state modified). */
  commitSettings() {
    this.x1.beforeSave(); // issue 16 S1: Machine::i_saveHardware's upgrades
    if (this.isSession) {
      if (this.modified) this.core.currentStateModified = true;
      // SessionMachine::i_commit: the adapters follow the chipset from here on (new ones with defaults).
      fitNics(this.s);
      this.core.settings = clone(this.s);
      this.settingsGeneration++;
      this.nicsModified = false;
      this.storage.committed();
      this.s.attachments.forEach((a, i) => this.origin.set(a, this.core.settings.attachments[i]));
    }
    const before = this.core.settingsFile;
    this.core.settingsFile = this.renamedSettingsFile();
    this.host.saveMachine(this.core);
    if (before !== this.core.settingsFile) removeOldSettingsFile(before);
    this.modified = false;
    if (this.core.registered) this.host.fireDataChanged(this.core);
  }

  /**
   * Machine::i_prepareSaveSettings: a new name or primary group moves the settings file, if it is in a
   * folder of its own (named as the file: fNameSync, Machine::i_isInOwnDir). A file in the default
   * machine folder follows composeMachineFilename; one elsewhere (a path given to createMachine) has its
   * folder renamed only when that ends in <group>/<name>, and its file named after the machine.
   */
  private renamedSettingsFile(): string {
    const core = this.core;
    const old = core.pathFor;
    const name = core.settings.name;
    const group = core.settings.groups[0] ?? '/';
    core.pathFor = { name, group };
    if (old.name === name && old.group === group) return core.settingsFile;
    const dir = path.dirname(core.settingsFile);
    if (path.basename(dir) !== path.parse(core.settingsFile).name) return core.settingsFile;
    if (core.settingsFile === this.host.settingsFilePath(old.name, [old.group])) return this.host.settingsFilePath(name, core.settings.groups);
    const oldTail = `${old.group === '/' ? '' : old.group}/${old.name}`;
    const newTail = `${group === '/' ? '' : group}/${name}`;
    const newDir = dir.endsWith(oldTail) ? dir.slice(0, dir.length - oldTail.length) + newTail : dir;
    return path.join(newDir, `${name}.vbox`);
  }

  /** Machine::discardSettings: the changes go, the "modified" flag stays (i_rollback leaves it). */
  async discardSettings() {
    this.mutable('MutableOrSavedOrRunning');
    const implicit = this.isSession ? this.storage.implicitOf(this.s.attachments) : [];
    this.rollback();
    await this.storage.deleteImplicit(implicit);
  }

  /** SessionMachine::uninit without saving: the implicit differencing images made in the session go. */
  async dropImplicit(): Promise<void> {
    const implicit = this.storage.implicitOf(this.s.attachments);
    if (!implicit.length) return;
    this.s.attachments = this.s.attachments.filter((a) => !implicit.includes(a));
    await this.storage.deleteImplicit(implicit);
  }

  /** Back to the committed settings (discardSettings; restoreSnapshot, which saves them: then nothing is modified). */
  rollback(saved = false) {
    if (!this.isSession) {
      if (saved) this.modified = false;
      return;
    }
    const storage = (x: MachineSettings) => JSON.stringify([x.storageControllers, x.attachments, x.bandwidthGroups ?? []]);
    const storageChanged = !!this.work && storage(this.work) !== storage(this.core.settings);
    const before = this.work;
    this.work = this.workingCopy();
    this.settingsGeneration++;
    // Machine::i_rollback: adapters go back only when marked modified; the array follows the chipset.
    if (before && !saved && !this.nicsModified) this.work.nics = before.nics.slice(0, this.work.nics.length);
    this.nicsModified = false;
    if (saved) this.modified = false;
    // With implicit images, i_deleteImplicitDiffs rolls the list back too.
    else if (before && !this.storage.implicitOf(before.attachments).length) {
      // Machine::i_rollback restores each attachment's own data but not the list (i_deleteImplicitDiffs,
      // which would, returns early without implicit diffs): attached and detached devices stay so.
      this.work.attachments = before.attachments.map((a) => {
        const o = this.origin.get(a);
        if (!o || !this.core.settings.attachments.includes(o)) return a;
        const back = clone(o);
        this.origin.set(back, o);
        return back;
      });
    }
    // Controller objects follow their (restored) names; Machine::i_rollback tells of each controller.
    for (const k of [...this.children.keys()]) if (k.startsWith('ctl:') && !this.s.storageControllers.some((c) => `ctl:${c.name}` === k)) this.children.delete(k);
    if (storageChanged && !saved) for (const c of this.s.storageControllers) this.storageControllerChanged(c.name);
    if (before && !saved) nicsRolledBack(this, before.nics);
    if (before && !saved) this.usbRolledBack(before);
    if (before && !saved) devicesRolledBack(this, before); // issue 16 S3: Machine::i_rollback tells the VM of folders, VRDE and ports
  }

  /**
   * Machine::unregister: refused while locked, otherwise it detaches every medium of the machine and its
   * snapshots whatever the mode (VirtualBox 7.1 no longer refuses UnregisterOnly for attached disks or
   * snapshots), and returns those the mode names: none, the hard disks, or all. Asked again, it
   * answers with nothing left to return.
   */
  unregister(cleanupMode: string) {
    if (this.core.sessionState !== 'Unlocked') {
      this.err('VBOX_E_INVALID_OBJECT_STATE', `Cannot unregister the machine '${this.s.name}' while it is locked`);
    }
    // The machine's media first, then those of the snapshots, youngest first.
    const taken = this.core.snapshots();
    const all = [this.core.settings.attachments, ...taken.reverse().map((t) => t.settings.attachments)].flat();
    const returned = all.filter((a) => a.mediumId && (
      cleanupMode === 'Full' || cleanupMode === 'DetachAllReturnHardDisksAndVMRemovable' ||
      (cleanupMode === 'DetachAllReturnHardDisksOnly' && a.type === 'HardDisk')));
    const ids = [...new Set(returned.map((a) => a.mediumId as string))];
    const media = ids.map((id) => this.host.findMedium(id)).filter((m): m is Medium => !!m);
    this.core.settings.attachments = [];
    this.core.clearSnapshots();
    if (this.core.registered) this.host.unregisterMachine(this.core);
    return media;
  }

  deleteConfig(media: (Medium | null)[]) {
    this.mutable();
    if (this.core.registered) this.err('VBOX_E_INVALID_VM_STATE', 'Cannot delete settings of a registered machine');
    return this.host.deleteMachineFiles(this.core, media.filter((m): m is Medium => !!m));
  }

  saveState() {
    if (!this.isSession) this.err('VBOX_E_INVALID_VM_STATE', `The machine is not mutable (state is ${this.core.state})`);
    const vm = this.core.vm;
    if (!vm || !['Running', 'Paused'].includes(this.core.state)) {
      this.err('VBOX_E_INVALID_VM_STATE', `Cannot save the execution state as the machine is not running or paused (machine state: ${this.core.state})`);
    }
    return vm.saveState();
  }

  findSnapshot(nameOrId: string) { return snapshotOps.findSnapshot(this, nameOrId); }

  // Machine::takeSnapshot and friends answer E_NOTIMPL: they work on a session's machine only (SessionMachine).
  private sessionOnly(method: string): void {
    if (!this.isSession) this.err('E_NOTIMPL', `Method ${method} is not implemented`);
  }

  takeSnapshot(name: string, description: string, pause: boolean) {
    this.sessionOnly('takeSnapshot');
    return snapshotOps.takeSnapshot(this, name, description, pause);
  }

  restoreSnapshot(snapshot: Snapshot | null) {
    this.sessionOnly('restoreSnapshot');
    return snapshotOps.restoreSnapshot(this, snapshot);
  }

  deleteSnapshot(id: string) {
    this.sessionOnly('deleteSnapshot');
    return snapshotOps.deleteSnapshot(this, id, id, false);
  }

  deleteSnapshotAndAllChildren(id: string) {
    this.sessionOnly('deleteSnapshotAndAllChildren');
    return snapshotOps.deleteSnapshot(this, id, id, true);
  }

  deleteSnapshotRange(startId: string, endId: string) {
    this.sessionOnly('deleteSnapshotRange');
    return snapshotOps.deleteSnapshot(this, startId, endId, false);
  }

  discardSavedState(_removeFile: boolean) {
    if (!this.isSession) this.err('VBOX_E_INVALID_VM_STATE', `The machine is not mutable (state is ${this.core.state})`);
    if (this.core.state !== 'Saved' && this.core.state !== 'AbortedSaved') {
      this.err('VBOX_E_INVALID_VM_STATE', `Cannot discard the saved state as the machine is not in the Saved or Aborted-Saved state (machine state: ${this.core.state})`);
    }
    this.core.savedScreen = undefined;
    this.core.setState(this.core.state === 'Saved' ? 'PoweredOff' : 'Aborted');
  }
  // Issue 16: each part below is edited by one engineer only (its own files hold the classes).
  // --- S1: IMachine's other attributes and methods (machine-extras.ts)
  /** This machine object's part of machine-extras.ts (live changes tell the running VM's console). */
  private get x1(): MachineExtrasPart { return (this.extrasPart ??= new MachineExtrasPart(this)); }
  private extrasPart: MachineExtrasPart | undefined;
  getIcon() { return this.x1.getIcon(); }
  setIcon(icon: string) { this.x1.setIcon(icon); }
  getHardwareVersion() { return this.x1.getHardwareVersion(); }
  setHardwareVersion(v: string) { this.x1.setHardwareVersion(v); }
  setHardwareUUID(uuid: string) { this.x1.setHardwareUUID(uuid); }
  getCPUHotPlugEnabled() { return this.x1.getCPUHotPlugEnabled(); }
  setCPUHotPlugEnabled(v: boolean) { this.x1.setCPUHotPlugEnabled(v); }
  hotPlugCPU(cpu: number) { this.x1.hotPlugCPU(cpu); }
  hotUnplugCPU(cpu: number) { this.x1.hotUnplugCPU(cpu); }
  getCPUStatus(cpu: number) { return this.x1.getCPUStatus(cpu); }
  getCPUIDPortabilityLevel() { return this.x1.getCPUIDPortabilityLevel(); }
  setCPUIDPortabilityLevel(n: number) { this.x1.setCPUIDPortabilityLevel(n); }
  getCPUProfile() { return this.x1.getCPUProfile(); }
  setCPUProfile(p: string) { this.x1.setCPUProfile(p); }
  getMemoryBalloonSize() { return this.x1.getMemoryBalloonSize(); }
  setMemoryBalloonSize(mb: number) { this.x1.setMemoryBalloonSize(mb); }
  getPageFusionEnabled() { return this.x1.getPageFusionEnabled(); }
  setPageFusionEnabled(v: boolean) { this.x1.setPageFusionEnabled(v); }
  getPointingHIDType() { return this.x1.getPointingHIDType(); }
  setPointingHIDType(t: string) { this.x1.setPointingHIDType(t); }
  getKeyboardHIDType() { return this.x1.getKeyboardHIDType(); }
  setKeyboardHIDType(t: string) { this.x1.setKeyboardHIDType(t); }
  getSnapshotFolder() { return this.x1.getSnapshotFolder(); }
  setSnapshotFolder(f: string) { this.x1.setSnapshotFolder(f); }
  getEmulatedUSBCardReaderEnabled() { return this.x1.getEmulatedUSBCardReaderEnabled(); }
  setEmulatedUSBCardReaderEnabled(v: boolean) { this.x1.setEmulatedUSBCardReaderEnabled(v); }
  /** Machine::getSettingsAuxFilePath: not implemented in VirtualBox. */
  getSettingsAuxFilePath(): never { return this.err('E_NOTIMPL', 'Method getSettingsAuxFilePath is not implemented'); }
  getClipboardFileTransfersEnabled() { return this.x1.getClipboardFileTransfersEnabled(); }
  setClipboardFileTransfersEnabled(v: boolean) { this.x1.setClipboardFileTransfersEnabled(v); }
  getDnDMode() { return this.x1.getDnDMode(); }
  setDnDMode(m: string) { this.x1.setDnDMode(m); }
  getParavirtProvider() { return this.x1.getParavirtProvider(); }
  setParavirtProvider(p: string) { this.x1.setParavirtProvider(p); }
  getEffectiveParavirtProvider() { return this.x1.getEffectiveParavirtProvider(); }
  getParavirtDebug() { return this.x1.getParavirtDebug(); }
  setParavirtDebug(d: string) { this.x1.setParavirtDebug(d); }
  getIOCacheEnabled() { return this.x1.getIOCacheEnabled(); }
  setIOCacheEnabled(v: boolean) { this.x1.setIOCacheEnabled(v); }
  getIOCacheSize() { return this.x1.getIOCacheSize(); }
  setIOCacheSize(n: number) { this.x1.setIOCacheSize(n); }
  getPCIDeviceAssignments() { return this.x1.getPCIDeviceAssignments(); }
  attachHostPCIDevice(host: number, guest: number, unbind: boolean) { this.x1.attachHostPCIDevice(host, guest, unbind); }
  detachHostPCIDevice(host: number) { this.x1.detachHostPCIDevice(host); }
  getTracingEnabled() { return this.x1.getTracingEnabled(); }
  setTracingEnabled(v: boolean) { this.x1.setTracingEnabled(v); }
  getTracingConfig() { return this.x1.getTracingConfig(); }
  setTracingConfig(c: string) { this.x1.setTracingConfig(c); }
  getAllowTracingToAccessVM() { return this.x1.getAllowTracingToAccessVM(); }
  setAllowTracingToAccessVM(v: boolean) { this.x1.setAllowTracingToAccessVM(v); }
  getAutostartEnabled() { return this.x1.getAutostartEnabled(); }
  setAutostartEnabled(v: boolean) { this.x1.setAutostartEnabled(v); }
  getAutostartDelay() { return this.x1.getAutostartDelay(); }
  setAutostartDelay(n: number) { this.x1.setAutostartDelay(n); }
  getAutostopType() { return this.x1.getAutostopType(); }
  setAutostopType(t: string) { this.x1.setAutostopType(t); }
  getDefaultFrontend() { return this.x1.getDefaultFrontend(); }
  setDefaultFrontend(f: string) { this.x1.setDefaultFrontend(f); }
  getVMProcessPriority() { return this.x1.getVMProcessPriority(); }
  setVMProcessPriority(p: string) { this.x1.setVMProcessPriority(p); }
  getVMExecutionEngine() { return this.x1.getVMExecutionEngine(); }
  setVMExecutionEngine(e: string) { this.x1.setVMExecutionEngine(e); }
  // No full VM encryption in use (no crypto module): the key ids and stores are empty.
  getStateKeyId() { return ''; }
  getStateKeyStore() { return ''; }
  getLogKeyId() { return ''; }
  getLogKeyStore() { return ''; }
  getGuestDebugControl() { return this.child('gdc', () => new GuestDebugControl(this)); }
  getRecordingSettings() { return this.child('recording', () => new RecordingSettings(this)); }
  /** Machine::setSettingsFilePath: not implemented in VirtualBox. */
  setSettingsFilePath(_p: string): never { return this.err('E_NOTIMPL', 'Method setSettingsFilePath is not implemented'); }
  canShowConsoleWindow() { return this.x1.canShowConsoleWindow(); }
  showConsoleWindow() { return this.x1.showConsoleWindow(); }
  querySavedGuestScreenInfo(screenId: number) { return this.x1.querySavedGuestScreenInfo(screenId); }
  querySavedScreenshotInfo(screenId: number) { return this.x1.querySavedScreenshotInfo(screenId); }
  readSavedThumbnailToArray(screenId: number, format: string) { return this.x1.readSavedThumbnailToArray(screenId, format); }
  readSavedScreenshotToArray(screenId: number, format: string) { return this.x1.readSavedScreenshotToArray(screenId, format); }
  adoptSavedState(file: string) { this.x1.adoptSavedState(file); }
  getEncryptionSettings() { return this.x1.getEncryptionSettings(); }
  checkEncryptionPassword(p: string) { return this.x1.checkEncryptionPassword(p); }
  addEncryptionPassword(id: string, p: string) { this.x1.addEncryptionPassword(id, p); }
  addEncryptionPasswords(ids: string[], ps: string[]) { this.x1.addEncryptionPasswords(ids, ps); }
  removeEncryptionPassword(id: string) { this.x1.removeEncryptionPassword(id); }
  clearAllEncryptionPasswords() { this.x1.clearAllEncryptionPasswords(); }
  changeEncryption() { return this.x1.changeEncryption(); }
  applyDefaults(flags: string) { this.x1.applyDefaults(flags); }
  // --- end S1
  // --- S2: firmware, platform, NVRAM, TPM (firmware.ts)
  getTrustedPlatformModule() { return this.child('tpm', () => new TrustedPlatformModule(this)); }
  getNonVolatileStore() { return nvramStoreOf(this); }
  // --- end S2
  // --- S3: graphics, audio, VRDE, serial and parallel ports, shared folders (devices.ts, shared-folders.ts)
  getSerialPort(slot: number) {
    if (slot >= SERIAL_PORT_COUNT) this.err('E_INVALIDARG', `Serial port slot ${slot} is out of bounds (max ${SERIAL_PORT_COUNT})`);
    return this.child(`serial:${slot}`, () => new SerialPort(this, slot));
  }
  getParallelPort(slot: number) {
    if (slot >= PARALLEL_PORT_COUNT) this.err('E_INVALIDARG', `Parallel port slot ${slot} is out of bounds (max ${PARALLEL_PORT_COUNT})`);
    return this.child(`parallel:${slot}`, () => new ParallelPort(this, slot));
  }
  private get folders() { return (this.s.sharedFolders ??= []); }
  getSharedFolders() {
    // A snapshot's folders are copies of its own (SnapshotMachine), not the machine's objects.
    if (this.snapshot) return this.folders.map((f) => new SharedFolder({ read: () => f, write: (w) => w(f) }, f));
    return this.folders.map((f) => folderObject(this.core, f));
  }
  /** Machine::createSharedFolder: also while running (the VM's console then shares it, ISharedFolderChangedEvent). */
  createSharedFolder(name: string, hostPath: string, writable: boolean, automount: boolean, autoMountPoint: string) {
    this.mutable('MutableOrRunning');
    if (this.folders.some((f) => f.name === name)) this.err('VBOX_E_OBJECT_IN_USE', `Shared folder named '${name}' already exists`);
    const f = newFolder(name, hostPath, writable, automount, autoMountPoint, MACHINE_FOLDER);
    // A new object: the one that had this name before keeps its own data.
    folderObject(this.core, f, true);
    this.folders.push(f);
    this.changed();
    vmOf(this)?.console.sharedFolderChange('Machine');
  }
  removeSharedFolder(name: string) {
    this.mutable('MutableOrRunning');
    const i = this.folders.findIndex((f) => f.name === name);
    if (i < 0) this.err('VBOX_E_OBJECT_NOT_FOUND', `Could not find a shared folder named '${name}'`);
    this.folders.splice(i, 1);
    this.changed();
    vmOf(this)?.console.sharedFolderChange('Machine');
  }
  // --- end S3
  // --- S4: USB controllers, device filters (usb.ts)
  getUSBControllers() { return usb.machineUsb.controllers(this).map((c) => this.usbControllerObject(c.id)); }
  getUSBDeviceFilters() { return this.child('usbfilters', () => new usb.USBDeviceFilters(this)); }
  /** Built with VBOX_WITH_USB, as Oracle's builds are. */
  getUSBProxyAvailable() { return true; }
  addUSBController(name: string, type: string) { return this.usbControllerObject(usb.machineUsb.add(this, name, type).id); }
  removeUSBController(name: string) { usb.machineUsb.remove(this, name); }
  getUSBControllerByName(name: string) { return this.usbControllerObject(usb.machineUsb.find(this, name).id); }
  getUSBControllerCountByType(type: string) { return usb.machineUsb.count(this, type); }
  private usbControllerObject(id: string): usb.USBController {
    return this.child(`usbctl:${id}`, () => new usb.USBController(this, id));
  }
  /** The IUSBDeviceFilter object of a filter in this machine's list (by its id). */
  usbFilterObject(id: string): usb.USBDeviceFilter { return this.child(`usbf:${id}`, () => new usb.USBDeviceFilter(this, null, id)); }
  adoptUsbFilterObject(f: usb.USBDeviceFilter): void { this.children.set(`usbf:${f.id}`, f); }
  dropUsbFilterObject(id: string): void { this.children.delete(`usbf:${id}`); }
  /**
   * Machine::i_rollback(aNotify) with IsModified_USB: the running VM's console hears of it
   * (SessionMachine::i_onUSBControllerChange → IUSBControllerChangedEvent). Called by rollback().
   */
  usbRolledBack(before: MachineSettings): void {
    const vm = this.core.vm;
    if (!vm || vm.isEnded || vm.machine !== this || JSON.stringify(before.usb ?? null) === JSON.stringify(this.s.usb ?? null)) return;
    const source = vm.console.getEventSource();
    source.fire(new USBControllerChangedEvent(source));
  }
  // --- end S4
  // --- S5: logs (logs.ts)
  queryLogFilename(idx: number) { return logs.queryLogFilename(this, idx); }
  readLog(idx: number, offset: number, size: number) { return logs.readLog(this, idx, offset, size); }
  // --- end S5
  // --- C1: cloneTo, moveTo (clone.ts, issue 17)
  cloneTo(target: Machine | null, mode: string, options: string[]) { return cloneOps.cloneTo(this, target, mode, options ?? []); }
  moveTo(targetPath: string, type: string) { return cloneOps.moveTo(this, targetPath, type); }
  // --- end C1
  // --- C2: exportTo (appliance-export.ts, issue 17)
  exportTo(appliance: import('./appliance').Appliance | null, location: string) { return applianceExport.exportTo(this, appliance, location); }
  // --- end C2
}

/** After a rename the old settings file goes (VirtualBox renames it), and its folder if nothing else is left there. */
function removeOldSettingsFile(file: string): void {
  try {
    fs.rmSync(file, { force: true });
    const dir = path.dirname(file);
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  } catch {
    // already gone, or the folder holds other files
  }
}

export { StorageController, NetworkAdapter };
export { NATEngine } from './network-adapter';
