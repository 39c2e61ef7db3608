import { fail, RUNNING_STATES, type MachineState, type ManagedObject, type SessionState } from './base';
import type { Medium } from './medium';
import type { Progress } from './progress';
import type { Session } from './session';
import { clone, NETWORK_ADAPTER_COUNT, type MachineFile, type MachineSettings, type NicSettings, type StorageControllerSettings } from './settings';
import * as snapshotOps from './snapshot';
import type { Snapshot } from './snapshot';
import type { SnapshotEventType } from './events';
import type { Timing, VM } from './vm';
import type { ScreenState } from '../screen/screen';

/** What a machine needs from the host it is registered on. */
export interface MachineHost {
  readonly parent: ManagedObject;
  readonly platformProperties: ManagedObject;
  settingsFilePath(name: string, groups: string[]): string;
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
  launch(core: MachineCore, session: Session, frontend: string): Progress;
  readonly maxGuestRAM: number;
  readonly maxGuestCPUs: number;
  readonly timing: Timing;
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

  constructor(readonly host: MachineHost, public settings: MachineSettings) {
    this.settingsFile = host.settingsFilePath(settings.name, settings.groups);
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

type StateDep = 'mutable' | 'mutableOrSaved' | 'mutableOrRunning';

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
  private readonly children = new Map<string, ManagedObject>();

  constructor(readonly core: MachineCore, readonly isSession: boolean, readonly snapshot?: Snapshot) {
    this.work = isSession ? clone(core.settings) : null;
  }

  get s(): MachineSettings {
    if (this.snapshot) return snapshotOps.snapshotSettingsView(this.core.settings, this.snapshot.settings);
    return this.work ?? this.core.settings;
  }
  private get host() { return this.core.host; }

  /** VirtualBox's state dependency check before a change. */
  mutable(dep: StateDep = 'mutable'): void {
    const st = this.core.state;
    if (!this.core.registered) return;
    const ok = this.isSession && (
      ['PoweredOff', 'Aborted', 'Teleported'].includes(st) ||
      (dep === 'mutableOrSaved' && (st === 'Saved' || st === 'AbortedSaved')) ||
      (dep === 'mutableOrRunning' && ['Running', 'Paused', 'Saved', 'AbortedSaved'].includes(st)));
    if (!ok) fail('VBOX_E_INVALID_VM_STATE', `The machine is not mutable (state is ${st})`, 'IMachine', 'SessionMachine');
  }

  /** Records a change; an unregistered machine's changes go straight to its settings. */
  changed(): void {
    this.modified = true;
  }

  private child<T extends ManagedObject>(key: string, make: () => T): T {
    let c = this.children.get(key) as T | undefined;
    if (!c) this.children.set(key, (c = make()));
    return c;
  }

  private set<K extends keyof MachineSettings>(key: K, value: MachineSettings[K], dep: StateDep = 'mutable'): void {
    this.mutable(dep);
    this.s[key] = value;
    this.changed();
  }

  getParent() { return this.host.parent; }
  getAccessible() { return true; }
  getAccessError() { return null; }
  getName() { return this.s.name; }
  setName(name: string) {
    if (!name.trim()) fail('E_INVALIDARG', 'Machine name cannot be empty', 'IMachine', 'Machine');
    this.set('name', name, 'mutableOrSaved');
  }
  getDescription() { return this.s.description; }
  setDescription(d: string) { this.set('description', d, 'mutableOrRunning'); }
  getId() { return this.s.id; }
  getGroups() { return this.s.groups; }
  setGroups(groups: string[]) {
    for (const g of groups) {
      if (!g.startsWith('/') || (g.length > 1 && g.endsWith('/')) || g.includes('//')) {
        fail('E_INVALIDARG', `Invalid machine group '${g}'`, 'IMachine', 'Machine');
      }
    }
    this.set('groups', groups.length ? groups : ['/'], 'mutableOrRunning');
  }
  getOSTypeId() { return this.s.osTypeId; }
  setOSTypeId(id: string) { this.set('osTypeId', id, 'mutableOrSaved'); }
  getHardwareUUID() { return this.s.hardwareUUID || this.s.id; }
  getCPUCount() { return this.s.cpuCount; }
  setCPUCount(n: number) {
    if (n < 1 || n > this.host.maxGuestCPUs) {
      fail('E_INVALIDARG', `Invalid virtual CPU count: ${n} (must be in range [1, ${this.host.maxGuestCPUs}])`, 'IMachine', 'Machine');
    }
    this.set('cpuCount', n);
  }
  getCPUExecutionCap() { return this.s.cpuExecutionCap; }
  setCPUExecutionCap(n: number) {
    if (n < 1 || n > 100) fail('E_INVALIDARG', `Invalid CPU execution cap value: ${n} (must be in range [1, 100])`, 'IMachine', 'Machine');
    this.set('cpuExecutionCap', n, 'mutableOrRunning');
  }
  getMemorySize() { return this.s.memorySize; }
  setMemorySize(mb: number) {
    if (mb < 4 || mb > this.host.maxGuestRAM) {
      fail('E_INVALIDARG', `Invalid RAM size: ${mb} MB (must be in range [4, ${this.host.maxGuestRAM}] MB)`, 'IMachine', 'Machine');
    }
    this.set('memorySize', mb);
  }
  getGraphicsAdapter() { return this.child('gfx', () => new GraphicsAdapter(this)); }
  getPlatform() { return this.child('platform', () => new Platform(this)); }
  getFirmwareSettings() { return this.child('firmware', () => new FirmwareSettings(this)); }
  getVRDEServer() { return this.child('vrde', () => new VRDEServer(this)); }
  getAudioSettings() { return this.child('audio', () => new AudioSettings(this)); }
  getUSBControllers() { return []; }
  getMediumAttachments() { return this.s.attachments.map((a) => this.attachmentStruct(a)); }
  getStorageControllers() { return this.s.storageControllers.map((c) => this.controllerObject(c.name)); }
  getSettingsFilePath() { return this.core.settingsFile; }
  getSettingsModified() { return this.modified; }
  getSessionState() { return this.core.sessionState; }
  getSessionName() { return this.core.lockedBy === 'vm' ? 'headless' : ''; }
  getSessionPID() { return this.core.vm?.pid ?? 0; }
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
  setClipboardMode(m: string) { this.set('clipboardMode', m, 'mutableOrRunning'); }
  getTeleporterEnabled() { return this.s.teleporter.enabled; }
  /** As Machine::setTeleporterEnabled: turning it on needs a machine that is not running; clearing it is always permitted (a session's machine). */
  setTeleporterEnabled(v: boolean) {
    if (v || !this.isSession) this.mutable('mutableOrSaved');
    this.s.teleporter.enabled = v;
    this.changed();
  }
  getTeleporterPort() { return this.s.teleporter.port; }
  setTeleporterPort(v: number) {
    if (v > 65535) fail('E_INVALIDARG', `Invalid port number ${v}`, 'IMachine', 'Machine');
    this.mutable('mutableOrSaved'); this.s.teleporter.port = v; this.changed();
  }
  getTeleporterAddress() { return this.s.teleporter.address; }
  setTeleporterAddress(v: string) { this.mutable('mutableOrSaved'); this.s.teleporter.address = v; this.changed(); }
  getTeleporterPassword() { return this.s.teleporter.password; }
  /** As Machine::setTeleporterPassword: MutableOrSavedStateDep, so not while the machine runs. */
  setTeleporterPassword(v: string) { this.mutable('mutableOrSaved'); this.s.teleporter.password = v; this.changed(); }

  lockMachine(session: Session | null, lockType: string) {
    if (!session) fail('E_INVALIDARG', 'Argument session is NULL', 'IMachine', 'Machine');
    // A snapshot's machine is a read-only copy, never locked itself.
    if (!this.core.registered || this.snapshot) fail('E_UNEXPECTED', 'The machine is not registered', 'IMachine', 'Machine');
    session.lock(this.core, lockType);
  }

  launchVMProcess(session: Session | null, name: string, _env: string[]) {
    if (!session) fail('E_INVALIDARG', 'Argument session is NULL', 'IMachine', 'Machine');
    if (!this.core.registered || this.snapshot) fail('E_UNEXPECTED', 'The machine is not registered', 'IMachine', 'Machine');
    if (!['', 'headless', 'gui', 'sdl', 'separate'].includes(name)) {
      fail('E_INVALIDARG', `Invalid frontend name: '${name}'`, 'IMachine', 'Machine');
    }
    session.checkFree();
    if (this.core.sessionState !== 'Unlocked') {
      fail('VBOX_E_INVALID_OBJECT_STATE', `The machine '${this.s.name}' is already locked by a session (or being locked or unlocked)`, 'IMachine', 'Machine');
    }
    if (RUNNING_STATES.has(this.core.state)) {
      fail('VBOX_E_INVALID_VM_STATE', `The machine '${this.s.name}' is already running (state ${this.core.state})`, 'IMachine', 'Machine');
    }
    return this.host.launch(this.core, session, name || 'headless');
  }

  setBootOrder(position: number, device: string) {
    if (position < 1 || position > 4) fail('E_INVALIDARG', `Invalid boot position: ${position} (must be in range [1, 4])`, 'IMachine', 'Machine');
    if (!['Null', 'Floppy', 'DVD', 'HardDisk', 'Network'].includes(device)) {
      fail('E_INVALIDARG', `Booting from the device type ${device} is not supported`, 'IMachine', 'Machine');
    }
    this.mutable();
    this.s.bootOrder[position - 1] = device;
    this.changed();
  }
  getBootOrder(position: number) {
    if (position < 1 || position > 4) fail('E_INVALIDARG', `Invalid boot position: ${position} (must be in range [1, 4])`, 'IMachine', 'Machine');
    return this.s.bootOrder[position - 1];
  }

  private findController(name: string): StorageControllerSettings {
    const c = this.s.storageControllers.find((x) => x.name === name);
    if (!c) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a storage controller named '${name}'`, 'IMachine', 'Machine');
    return c;
  }

  private controllerObject(name: string): StorageController {
    return this.child(`ctl:${name}`, () => new StorageController(this, name));
  }

  private attachmentStruct(a: MachineSettings['attachments'][number]) {
    const medium = a.mediumId ? this.host.findMedium(a.mediumId) ?? null : null;
    return {
      machine: this, medium, controller: a.controller, port: a.port, device: a.device, type: a.type,
      passthrough: false, temporaryEject: false, isEjected: false, nonRotational: false, discard: false,
      hotPluggable: false, bandwidthGroup: '',
    };
  }

  attachDevice(name: string, port: number, device: number, type: string, medium: Medium | null) {
    this.mutable();
    const ctl = this.findController(name);
    if (port < 0 || port >= ctl.portCount || device < 0 || device > (ctl.bus === 'IDE' ? 1 : 0)) {
      fail('E_INVALIDARG', `Invalid port number ${port} or device ${device} on the controller '${name}'`, 'IMachine', 'Machine');
    }
    if (!['HardDisk', 'DVD', 'Floppy'].includes(type)) fail('E_INVALIDARG', `Invalid device type ${type}`, 'IMachine', 'Machine');
    const taken = this.s.attachments.find((a) => a.controller === name && a.port === port && a.device === device);
    if (taken) {
      fail('VBOX_E_OBJECT_IN_USE', `Medium '${taken.mediumId ? this.host.findMedium(taken.mediumId)?.rec.location ?? '' : ''}' is already attached to port ${port}, device ${device} of controller '${name}' of this virtual machine`, 'IMachine', 'Machine');
    }
    if (type === 'HardDisk') {
      if (!medium) fail('E_INVALIDARG', 'A hard disk attachment needs a medium', 'IMachine', 'Machine');
      if (medium.rec.deviceType !== 'HardDisk') fail('E_INVALIDARG', `The medium '${medium.rec.location}' is not a hard disk`, 'IMachine', 'Machine');
      if (this.s.attachments.some((a) => a.mediumId === medium.rec.id)) {
        fail('VBOX_E_OBJECT_IN_USE', `Medium '${medium.rec.location}' is already attached to this virtual machine`, 'IMachine', 'Machine');
      }
    }
    if (medium && medium.state !== 'Created') {
      fail('VBOX_E_INVALID_OBJECT_STATE', `Medium '${medium.rec.location}' is not accessible (state ${medium.state})`, 'IMachine', 'Machine');
    }
    this.s.attachments.push({ controller: name, port, device, type, mediumId: medium?.rec.id ?? null });
    this.changed();
  }

  detachDevice(name: string, port: number, device: number) {
    this.mutable();
    this.findController(name);
    const i = this.s.attachments.findIndex((a) => a.controller === name && a.port === port && a.device === device);
    if (i < 0) fail('VBOX_E_OBJECT_NOT_FOUND', `No storage device attached to device slot ${device} on port ${port} of controller '${name}'`, 'IMachine', 'Machine');
    this.s.attachments.splice(i, 1);
    this.changed();
  }

  getMedium(name: string, port: number, device: number) {
    const a = this.s.attachments.find((x) => x.controller === name && x.port === port && x.device === device);
    if (!a) fail('VBOX_E_OBJECT_NOT_FOUND', `No storage device attached to device slot ${device} on port ${port} of controller '${name}'`, 'IMachine', 'Machine');
    return a.mediumId ? this.host.findMedium(a.mediumId) ?? null : null;
  }

  getMediumAttachmentsOfController(name: string) {
    this.findController(name);
    return this.s.attachments.filter((a) => a.controller === name).map((a) => this.attachmentStruct(a));
  }

  getMediumAttachment(name: string, port: number, device: number) {
    const a = this.s.attachments.find((x) => x.controller === name && x.port === port && x.device === device);
    if (!a) fail('VBOX_E_OBJECT_NOT_FOUND', `No storage device attached to device slot ${device} on port ${port} of controller '${name}'`, 'IMachine', 'Machine');
    return this.attachmentStruct(a);
  }

  addStorageController(name: string, bus: string) {
    this.mutable();
    if (!name) fail('E_INVALIDARG', 'Storage controller name cannot be empty', 'IMachine', 'Machine');
    if (this.s.storageControllers.some((c) => c.name === name)) {
      fail('VBOX_E_OBJECT_IN_USE', `Storage controller named '${name}' already exists`, 'IMachine', 'Machine');
    }
    const types: Record<string, [string, number]> = {
      IDE: ['PIIX4', 2], SATA: ['IntelAhci', 30], SCSI: ['LsiLogic', 16], SAS: ['LsiLogicSas', 8],
      Floppy: ['I82078', 1], USB: ['USB', 8], PCIe: ['NVMe', 1], VirtioSCSI: ['VirtioSCSI', 1],
    };
    const t = types[bus];
    if (!t) fail('E_INVALIDARG', `Invalid connection type: ${bus}`, 'IMachine', 'Machine');
    const instance = this.s.storageControllers.filter((c) => c.bus === bus).length;
    this.s.storageControllers.push({ name, bus, controllerType: t[0], portCount: t[1], useHostIOCache: bus !== 'SATA', instance });
    this.changed();
    return this.controllerObject(name);
  }

  removeStorageController(name: string) {
    this.mutable();
    this.findController(name);
    this.s.storageControllers = this.s.storageControllers.filter((c) => c.name !== name);
    this.s.attachments = this.s.attachments.filter((a) => a.controller !== name);
    this.children.delete(`ctl:${name}`);
    this.changed();
  }

  getStorageControllerByName(name: string) {
    this.findController(name);
    return this.controllerObject(name);
  }

  getNetworkAdapter(slot: number) {
    if (slot >= NETWORK_ADAPTER_COUNT) {
      fail('E_INVALIDARG', `Invalid slot number: ${slot} (must be in range [0, ${NETWORK_ADAPTER_COUNT - 1}])`, 'IMachine', 'Machine');
    }
    return this.child(`nic:${slot}`, () => new NetworkAdapter(this, slot));
  }

  getExtraDataKeys() { return Object.keys(this.s.extraData); }
  getExtraData(key: string) { return this.s.extraData[key] ?? ''; }
  /** Extra data is written through at once, session or not, as VirtualBox does. */
  setExtraData(key: string, value: string) {
    if (!key) fail('E_INVALIDARG', 'Argument key is empty', 'IMachine', 'Machine');
    const targets = new Set([this.core.settings, this.s]);
    for (const t of targets) {
      if (value === '') delete t.extraData[key];
      else t.extraData[key] = value;
    }
    if (this.core.registered) this.host.saveMachine(this.core);
    this.host.fireExtraDataChanged(this.s.id, key, value);
  }

  saveSettings() {
    if (this.core.registered && !this.isSession) {
      fail('VBOX_E_INVALID_VM_STATE', `The machine is not mutable (state is ${this.core.state})`, 'IMachine', 'Machine');
    }
    this.commitSettings();
  }

  /** Machine::i_saveSettings: commits the working copy (a change marks the current state modified). */
  commitSettings() {
    if (this.isSession) {
      if (this.modified) this.core.currentStateModified = true;
      this.core.settings = clone(this.s);
    }
    this.core.settingsFile = this.host.settingsFilePath(this.core.settings.name, this.core.settings.groups);
    this.host.saveMachine(this.core);
    this.modified = false;
    if (this.core.registered) this.host.fireDataChanged(this.core);
  }

  discardSettings() {
    if (this.isSession) this.work = clone(this.core.settings);
    this.children.clear();
    this.modified = false;
  }

  unregister(cleanupMode: string) {
    if (!this.core.registered) fail('VBOX_E_INVALID_OBJECT_STATE', 'The machine is not registered', 'IMachine', 'Machine');
    if (this.core.sessionState !== 'Unlocked') {
      fail('VBOX_E_INVALID_OBJECT_STATE', `Cannot unregister the machine '${this.s.name}' while it is locked`, 'IMachine', 'Machine');
    }
    const attached = this.core.settings.attachments;
    if (cleanupMode === 'UnregisterOnly' && attached.some((a) => a.type === 'HardDisk')) {
      fail('VBOX_E_INVALID_OBJECT_STATE', `Cannot unregister the machine '${this.s.name}' because it has ${attached.length} storage devices attached`, 'IMachine', 'Machine');
    }
    const taken = this.core.snapshots();
    if (cleanupMode === 'UnregisterOnly' && taken.length) {
      // xidl: with UnregisterOnly "the call will fail if the machine has any snapshots" (the wording is vboxsim's).
      fail('VBOX_E_INVALID_OBJECT_STATE', `Cannot unregister the machine '${this.s.name}' because it has ${taken.length} snapshots`, 'IMachine', 'Machine');
    }
    // The machine's media first, then those of the snapshots, youngest first (Machine::unregister).
    const all = [attached, ...taken.reverse().map((t) => t.settings.attachments)].flat();
    const ids = new Set(all
      .filter((a) => a.mediumId && (cleanupMode === 'Full' || cleanupMode === 'DetachAllReturnHardDisksAndVMRemovable' || (cleanupMode === 'DetachAllReturnHardDisksOnly' && a.type === 'HardDisk')))
      .map((a) => a.mediumId as string));
    const media = [...ids].map((id) => this.host.findMedium(id)).filter((m): m is Medium => !!m);
    if (cleanupMode !== 'UnregisterOnly') {
      this.core.settings.attachments = [];
      this.core.clearSnapshots();
    }
    this.host.unregisterMachine(this.core);
    return media;
  }

  deleteConfig(media: (Medium | null)[]) {
    if (this.core.registered) fail('VBOX_E_INVALID_VM_STATE', `Cannot delete settings of a registered machine`, 'IMachine', 'Machine');
    return this.host.deleteMachineFiles(this.core, media.filter((m): m is Medium => !!m));
  }

  saveState() {
    if (!this.isSession) fail('VBOX_E_INVALID_VM_STATE', `The machine is not mutable (state is ${this.core.state})`, 'IMachine', 'Machine');
    const vm = this.core.vm;
    if (!vm || !['Running', 'Paused'].includes(this.core.state)) {
      fail('VBOX_E_INVALID_VM_STATE', `Cannot save the execution state as the machine is not running or paused (machine state: ${this.core.state})`, 'IMachine', 'SessionMachine');
    }
    return vm.saveState();
  }

  findSnapshot(nameOrId: string) { return snapshotOps.findSnapshot(this.core, nameOrId); }

  // Machine::takeSnapshot and friends answer E_NOTIMPL: they work on a session's machine only (SessionMachine).
  private sessionOnly(method: string): void {
    if (!this.isSession) fail('E_NOTIMPL', `Method ${method} is not implemented`, 'IMachine', 'Machine');
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
    if (!this.isSession) fail('VBOX_E_INVALID_VM_STATE', `The machine is not mutable (state is ${this.core.state})`, 'IMachine', 'Machine');
    if (this.core.state !== 'Saved' && this.core.state !== 'AbortedSaved') {
      fail('VBOX_E_INVALID_VM_STATE', `Cannot discard the saved state as the machine is not in the Saved or Aborted-Saved state (machine state: ${this.core.state})`, 'IMachine', 'SessionMachine');
    }
    this.core.savedScreen = undefined;
    this.core.setState(this.core.state === 'Saved' ? 'PoweredOff' : 'Aborted');
  }
}

export class GraphicsAdapter implements ManagedObject {
  readonly iface = 'IGraphicsAdapter';
  constructor(private readonly m: Machine) {}
  getGraphicsControllerType() { return this.m.s.graphicsControllerType; }
  setGraphicsControllerType(t: string) { this.m.mutable(); this.m.s.graphicsControllerType = t; this.m.changed(); }
  getVRAMSize() { return this.m.s.vramSize; }
  setVRAMSize(n: number) {
    if (n > 256) fail('E_INVALIDARG', `Invalid VRAM size: ${n} MB (must be in range [0, 256] MB)`, 'IGraphicsAdapter', 'GraphicsAdapter');
    this.m.mutable(); this.m.s.vramSize = n; this.m.changed();
  }
  getMonitorCount() { return 1; }
}

export class Platform implements ManagedObject {
  readonly iface = 'IPlatform';
  constructor(private readonly m: Machine) {}
  getArchitecture() { return 'x86'; }
  getChipsetType() { return this.m.s.chipsetType; }
  setChipsetType(t: string) {
    if (!['PIIX3', 'ICH9'].includes(t)) fail('E_INVALIDARG', `Invalid chipset type for x86: ${t}`, 'IPlatform', 'Platform');
    this.m.mutable(); this.m.s.chipsetType = t; this.m.changed();
  }
  getRTCUseUTC() { return this.m.s.rtcUseUTC; }
  setRTCUseUTC(v: boolean) { this.m.mutable(); this.m.s.rtcUseUTC = v; this.m.changed(); }
  getX86() { return this.x86 ??= new PlatformX86(this.m); }
  getProperties() { return this.m.core.host.platformProperties; }
  private x86: PlatformX86 | undefined;
}

export class PlatformX86 implements ManagedObject {
  readonly iface = 'IPlatformX86';
  constructor(private readonly m: Machine) {}
  getHPETEnabled() { return this.m.s.hpetEnabled; }
  setHPETEnabled(v: boolean) { this.m.mutable(); this.m.s.hpetEnabled = v; this.m.changed(); }
  getCPUProperty(p: string) {
    if (p === 'Null') fail('E_INVALIDARG', 'Invalid CPU property Null', 'IPlatformX86', 'PlatformX86');
    return this.m.s.cpuProperties[p] ?? false;
  }
  setCPUProperty(p: string, v: boolean) {
    if (p === 'Null') fail('E_INVALIDARG', 'Invalid CPU property Null', 'IPlatformX86', 'PlatformX86');
    this.m.mutable(); this.m.s.cpuProperties[p] = v; this.m.changed();
  }
  getHWVirtExProperty(p: string) {
    if (p === 'Null') fail('E_INVALIDARG', 'Invalid hardware virtualization property Null', 'IPlatformX86', 'PlatformX86');
    return this.m.s.hwVirtExProperties[p] ?? false;
  }
  setHWVirtExProperty(p: string, v: boolean) {
    if (p === 'Null') fail('E_INVALIDARG', 'Invalid hardware virtualization property Null', 'IPlatformX86', 'PlatformX86');
    this.m.mutable(); this.m.s.hwVirtExProperties[p] = v; this.m.changed();
  }
}

export class FirmwareSettings implements ManagedObject {
  readonly iface = 'IFirmwareSettings';
  constructor(private readonly m: Machine) {}
  getFirmwareType() { return this.m.s.firmwareType; }
  setFirmwareType(t: string) { this.m.mutable(); this.m.s.firmwareType = t; this.m.changed(); }
  getACPIEnabled() { return this.m.s.acpiEnabled; }
  setACPIEnabled(v: boolean) { this.m.mutable(); this.m.s.acpiEnabled = v; this.m.changed(); }
  getIOAPICEnabled() { return this.m.s.ioapicEnabled; }
  setIOAPICEnabled(v: boolean) { this.m.mutable(); this.m.s.ioapicEnabled = v; this.m.changed(); }
  getBootMenuMode() { return this.m.s.bootMenuMode; }
  setBootMenuMode(v: string) { this.m.mutable(); this.m.s.bootMenuMode = v; this.m.changed(); }
}

export class AudioSettings implements ManagedObject {
  readonly iface = 'IAudioSettings';
  private readonly adapter: AudioAdapter;
  constructor(m: Machine) { this.adapter = new AudioAdapter(m); }
  getAdapter() { return this.adapter; }
}

export class AudioAdapter implements ManagedObject {
  readonly iface = 'IAudioAdapter';
  constructor(private readonly m: Machine) {}
  getEnabled() { return this.m.s.audioEnabled; }
  setEnabled(v: boolean) { this.m.mutable(); this.m.s.audioEnabled = v; this.m.changed(); }
}

export class NetworkAdapter implements ManagedObject {
  readonly iface = 'INetworkAdapter';
  constructor(private readonly m: Machine, private readonly slot: number) {}
  private get n(): NicSettings { return this.m.s.nics[this.slot]; }
  private set<K extends keyof NicSettings>(k: K, v: NicSettings[K], running = false) {
    this.m.mutable(running ? 'mutableOrRunning' : 'mutable');
    this.n[k] = v;
    this.m.changed();
  }
  getAdapterType() { return this.n.adapterType; }
  setAdapterType(t: string) {
    if (t === 'Null') fail('E_INVALIDARG', 'Invalid network adapter type Null', 'INetworkAdapter', 'NetworkAdapter');
    this.set('adapterType', t);
  }
  getSlot() { return this.slot; }
  getEnabled() { return this.n.enabled; }
  setEnabled(v: boolean) { this.set('enabled', v); }
  getMACAddress() { return this.n.MACAddress; }
  setMACAddress(mac: string) {
    const v = mac.replace(/[:-]/g, '').toUpperCase();
    if (!/^[0-9A-F]{12}$/.test(v) || parseInt(v[1], 16) & 1) {
      fail('E_INVALIDARG', `Invalid MAC address format '${mac}'`, 'INetworkAdapter', 'NetworkAdapter');
    }
    this.set('MACAddress', v);
  }
  getAttachmentType() { return this.n.attachmentType; }
  setAttachmentType(t: string) { this.set('attachmentType', t, true); }
  getBridgedInterface() { return this.n.bridgedInterface; }
  setBridgedInterface(v: string) { this.set('bridgedInterface', v, true); }
  getInternalNetwork() { return this.n.internalNetwork; }
  setInternalNetwork(v: string) { this.set('internalNetwork', v, true); }
  getCableConnected() { return this.n.cableConnected; }
  setCableConnected(v: boolean) { this.set('cableConnected', v, true); }
  getBootPriority() { return this.n.bootPriority; }
  setBootPriority(v: number) { this.set('bootPriority', v); }
}

export class VRDEServer implements ManagedObject {
  readonly iface = 'IVRDEServer';
  constructor(private readonly m: Machine) {}
  private get v() { return this.m.s.vrde; }
  private change(f: () => void) { this.m.mutable('mutableOrRunning'); f(); this.m.changed(); }
  getEnabled() { return this.v.enabled; }
  setEnabled(e: boolean) { this.change(() => { this.v.enabled = e; }); }
  getAuthType() { return this.v.authType; }
  setAuthType(t: string) { this.change(() => { this.v.authType = t; }); }
  getAuthTimeout() { return this.v.authTimeout; }
  setAuthTimeout(t: number) { this.change(() => { this.v.authTimeout = t; }); }
  getAllowMultiConnection() { return this.v.allowMultiConnection; }
  setAllowMultiConnection(b: boolean) { this.change(() => { this.v.allowMultiConnection = b; }); }
  getVRDEExtPack() { return this.v.extPack; }
  setVRDEExtPack(p: string) {
    if (p && p !== 'VNC' && p !== 'Oracle VM VirtualBox Extension Pack') {
      fail('E_INVALIDARG', `Extension pack '${p}' does not exist`, 'IVRDEServer', 'VRDEServer');
    }
    this.change(() => { this.v.extPack = p; });
  }
  getVRDEProperties() {
    return ['TCP/Ports', 'TCP/Address', 'VideoChannel/Enabled', 'VideoChannel/Quality', 'VideoChannel/DownscaleProtection',
      'Client/DisableDisplay', 'Client/DisableInput', 'Client/DisableAudio', 'Client/DisableUSB', 'Client/DisableClipboard',
      'Client/DisableUpstreamAudio', 'Client/DisableRDPDR', 'H3DRedirect/Enabled', 'Security/Method',
      'Security/ServerCertificate', 'Security/ServerPrivateKey', 'Security/CACertificate', 'Audio/RateCorrectionMode',
      'Audio/LogPath', 'VNCPassword'];
  }
  getVRDEProperty(key: string) {
    if (key === 'TCP/Ports') return this.v.properties[key] || '3389';
    return this.v.properties[key] ?? '';
  }
  setVRDEProperty(key: string, value: string) {
    if (key === 'TCP/Ports' && value && !/^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/.test(value)) {
      fail('E_INVALIDARG', `Invalid TCP/Ports value '${value}': expected a port, a list or a range`, 'IVRDEServer', 'VRDEServer');
    }
    this.change(() => {
      if (value === '') delete this.v.properties[key];
      else this.v.properties[key] = value;
    });
  }
}

export class StorageController implements ManagedObject {
  readonly iface = 'IStorageController';
  constructor(private readonly m: Machine, private readonly name: string) {}
  private get c(): StorageControllerSettings {
    const c = this.m.s.storageControllers.find((x) => x.name === this.name);
    if (!c) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a storage controller named '${this.name}'`, 'IStorageController', 'StorageController');
    return c;
  }
  getName() { return this.c.name; }
  getMaxPortCount() { return ({ IDE: 2, SATA: 30, SCSI: 16, SAS: 255, Floppy: 1, USB: 8, PCIe: 255, VirtioSCSI: 256 } as Record<string, number>)[this.c.bus] ?? 1; }
  getInstance() { return this.c.instance; }
  getPortCount() { return this.c.portCount; }
  setPortCount(n: number) {
    if (n < 1 || n > this.getMaxPortCount()) {
      fail('E_INVALIDARG', `Invalid port count: ${n} (must be in range [1, ${this.getMaxPortCount()}])`, 'IStorageController', 'StorageController');
    }
    this.m.mutable(); this.c.portCount = n; this.m.changed();
  }
  getBus() { return this.c.bus; }
  getControllerType() { return this.c.controllerType; }
  setControllerType(t: string) { this.m.mutable(); this.c.controllerType = t; this.m.changed(); }
  getUseHostIOCache() { return this.c.useHostIOCache; }
  setUseHostIOCache(v: boolean) { this.m.mutable(); this.c.useHostIOCache = v; this.m.changed(); }
  getBootable() { return true; }
}
