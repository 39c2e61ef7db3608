// Snapshots: ISnapshot and the IMachine snapshot operations (takeSnapshot, restoreSnapshot,
// deleteSnapshot…), after VirtualBox's SnapshotImpl.cpp and MachineImpl.cpp.
//
// What a snapshot keeps, as in VirtualBox:
// - the machine's settings at take time. Restore brings back the hardware part (CPU, memory,
//   firmware, NICs, VRDE, storage controllers and attachments, boot order, …); the "user data"
//   (name, description, groups, OS type, teleporter) is shared by the machine and all its
//   snapshots, and extra data is machine-level, so neither is touched by a restore;
// - the execution state: an online snapshot (taken Running or Paused) holds the saved state of the
//   VM, as does one taken of a Saved machine (a copy of its state file). Restoring a snapshot that
//   has a saved state leaves the machine Saved with that state (and screen); otherwise PoweredOff.
//
// Disks, simplified but honest: VirtualBox creates a differencing image per normal hard disk at
// take time, so that restore can throw the current disk contents away and delete can merge them.
// vboxsim creates no differencing images: snapshots record which media are attached (restore puts
// those attachments back, and a medium attached in any snapshot counts as in use), but the disk
// contents are the same image for every snapshot and the current state; restore does not roll
// them back, and delete has nothing to merge.
import type { ScreenState } from '../screen/screen';
import { fail, RUNNING_STATES, sleep, TRANSIENT_STATES, uuid, VBoxFault, type MachineState, type ManagedObject } from './base';
import { Machine, type MachineCore } from './machine';
import { Progress } from './progress';
import { clone, type MachineSettings, type SnapshotFile } from './settings';

/** SETTINGS_SNAPSHOT_DEPTH_MAX (VBox/settings.h). */
const SNAPSHOT_DEPTH_MAX = 250;

/**
 * MachineUserData: what the machine and all its snapshot machines share (plus extra data, which
 * is machine-level). Everything else in MachineSettings is hardware, kept per snapshot.
 */
const USER_DATA_KEYS = ['id', 'name', 'description', 'osTypeId', 'groups', 'teleporter', 'extraData'] as const;

/** The hardware of `snapshot` with the user data of `current`. */
export function snapshotSettingsView(current: MachineSettings, snapshot: MachineSettings): MachineSettings {
  const out = { ...snapshot };
  for (const k of USER_DATA_KEYS) (out as Record<string, unknown>)[k] = current[k];
  return out;
}

const UUID_RE = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
/** As com::Guid reads a string: braces optional, any case; '' (and anything else) is not a valid UUID. */
const guid = (s: string): string | null => (UUID_RE.test(s.trim()) ? s.trim().replace(/[{}]/g, '').toLowerCase() : null);

const isOnline = (st: MachineState) => RUNNING_STATES.has(st);
const isTransient = (st: MachineState) => TRANSIENT_STATES.has(st);

/** ISnapshot. Lives in its machine's tree (MachineCore.firstSnapshot) until deleted. */
export class Snapshot implements ManagedObject {
  readonly iface = 'ISnapshot';
  parent: Snapshot | null = null;
  children: Snapshot[] = [];
  /** Uninitialized: deleted, or its machine unregistered. */
  gone = false;
  private snapshotMachine: Machine | undefined;

  constructor(
    readonly core: MachineCore,
    readonly id: string,
    public name: string,
    public description: string,
    readonly timeStamp: number,
    /** The machine's settings at take time. */
    readonly settings: MachineSettings,
    /** The saved state, when the snapshot has one. */
    readonly savedScreen: ScreenState | undefined,
  ) {}

  get online(): boolean { return this.savedScreen !== undefined; }

  get depth(): number {
    return this.parent ? this.parent.depth + 1 : 1;
  }

  /** This snapshot and all below it, depth first. */
  *walk(): Generator<Snapshot> {
    yield this;
    for (const c of this.children) yield* c.walk();
  }

  private ready(): void {
    // AutoCaller on an uninitialized object.
    if (this.gone) fail('E_ACCESSDENIED', 'The object is not ready', 'ISnapshot');
  }

  getId() { this.ready(); return this.id; }
  getName() { this.ready(); return this.name; }
  /** Snapshot::setName: saves the machine's settings and fires OnSnapshotChanged; no session needed. */
  setName(name: string) {
    // Prohibited so that findSnapshot by name or UUID stays unambiguous (VirtualBox's own wording).
    if (guid(name)) fail('E_INVALIDARG', 'A machine cannot have a UUID as its name', 'ISnapshot');
    this.ready();
    if (this.name !== name) {
      this.name = name;
      this.core.snapshotChanged(this);
    }
  }
  getDescription() { this.ready(); return this.description; }
  setDescription(description: string) {
    this.ready();
    if (this.description !== description) {
      this.description = description;
      this.core.snapshotChanged(this);
    }
  }
  getTimeStamp() { this.ready(); return this.timeStamp; }
  getOnline() { this.ready(); return this.online; }
  /** The snapshot's machine: a read-only IMachine with the snapshot's settings (SnapshotMachine). */
  getMachine() {
    this.ready();
    return (this.snapshotMachine ??= new Machine(this.core, false, this));
  }
  getParent() { this.ready(); return this.parent; }
  getChildren() { this.ready(); return this.children; }
  getChildrenCount() { this.ready(); return this.children.length; }

  toFile(): SnapshotFile {
    return {
      id: this.id, name: this.name, description: this.description, timeStamp: this.timeStamp,
      settings: this.settings, savedScreen: this.savedScreen, children: this.children.map((c) => c.toFile()),
    };
  }

  static fromFile(core: MachineCore, f: SnapshotFile, parent: Snapshot | null): Snapshot {
    const s = new Snapshot(core, f.id, f.name, f.description, f.timeStamp, f.settings, f.savedScreen);
    s.parent = parent;
    s.children = (f.children ?? []).map((c) => Snapshot.fromFile(core, c, s));
    return s;
  }
}

/** Machine::i_checkStateDependency for the two dependencies the snapshot operations use, on a session machine. */
function checkStateDependency(m: Machine, dep: 'MutableOrSaved' | 'MutableOrSavedOrRunning'): void {
  const st = m.core.state;
  const ok = ['Aborted', 'Teleported', 'Saved', 'AbortedSaved', 'PoweredOff'].includes(st) ||
    (dep === 'MutableOrSavedOrRunning' && isOnline(st));
  if (m.core.registered && !ok) {
    m.err('VBOX_E_INVALID_VM_STATE', dep === 'MutableOrSaved'
      ? `The machine is not mutable or saved (state is ${st})`
      : `The machine is not mutable, saved or running (state is ${st})`);
  }
}

/** Machine::i_findSnapshotById: an empty id is the first snapshot; note E_FAIL, not VBOX_E_OBJECT_NOT_FOUND. */
function findSnapshotById(m: Machine, id: string): Snapshot {
  const root = m.core.firstSnapshot;
  if (!root) m.err('E_FAIL', 'This machine does not have any snapshots');
  if (!id) return root;
  for (const s of root.walk()) if (s.id === id) return s;
  m.err('E_FAIL', `Could not find a snapshot with UUID {${id}}`);
}

/** IMachine::findSnapshot: by UUID when the argument is one, else by name; '' is the first snapshot. */
export function findSnapshot(m: Machine, nameOrId: string): Snapshot {
  if (!nameOrId) return findSnapshotById(m, '');
  const id = guid(nameOrId);
  if (id) return findSnapshotById(m, id);
  const root = m.core.firstSnapshot;
  if (!root) m.err('VBOX_E_OBJECT_NOT_FOUND', 'This machine does not have any snapshots');
  for (const s of root.walk()) if (s.name === nameOrId) return s;
  m.err('VBOX_E_OBJECT_NOT_FOUND', `Could not find a snapshot named '${nameOrId}'`);
}

/** A short pause for the server-side steps that do no I/O worth simulating. */
const step = (m: Machine) => sleep(m.core.host.timing.step ?? Math.min(50, Math.max(1, m.core.host.timing.save / 4)));

/** SessionMachine::takeSnapshot. Returns the new snapshot's id at once and the progress of taking it. */
export function takeSnapshot(m: Machine, name: string, description: string, pause: boolean): { id: string; returnval: Progress } {
  const core = m.core;
  const backup = core.state;
  if (isTransient(backup)) {
    m.err('VBOX_E_INVALID_VM_STATE', `Cannot take a snapshot of the virtual machine while it is changing state (machine state: ${backup})`);
  }
  if (!pause && backup !== 'Running') {
    m.err('VBOX_E_INVALID_VM_STATE', 'Cannot take a live snapshot of a virtual machine unless it is running.');
  }
  checkStateDependency(m, 'MutableOrSavedOrRunning');
  const online = isOnline(backup);
  const vm = core.vm;
  if (online && !vm) m.err('VBOX_E_INVALID_VM_STATE', `The machine '${core.name}' has no running VM (machine state: ${backup})`);

  const id = uuid();
  const p = Progress.run({
    description: 'Taking a snapshot of the virtual machine', initiator: m, cancelable: online,
    operations: online ? ['Setting up snapshot operation', 'Saving the machine state', 'Reconfiguring medium attachments'] : ['Setting up snapshot operation'],
  }, async (p) => {
    const settle = () => {
      // Back to where the machine was: the VM resumes if it was paused for the snapshot.
      if (['Snapshotting', 'OnlineSnapshotting', 'LiveSnapshotting'].includes(core.state)) {
        core.setState(online ? (backup === 'Paused' ? 'Paused' : 'Running') : backup);
      }
    };
    let snapshot: Snapshot;
    try {
      if (core.currentSnapshot && core.currentSnapshot.depth >= SNAPSHOT_DEPTH_MAX) {
        m.err('VBOX_E_INVALID_OBJECT_STATE', `Cannot take another snapshot for machine '${core.name}', because it exceeds the maximum snapshot depth limit. Please delete some earlier snapshot which you no longer need`);
      }
      // "This method implicitly calls saveSettings": pending changes of the session become the snapshot's.
      m.commitSettings();
      await step(m);
      let savedScreen: ScreenState | undefined;
      if (online && vm) {
        p.step(34, 1);
        await sleep(core.host.timing.save);
        if (p.isCanceled) return;
        if (vm.isEnded) m.err('E_FAIL', 'The virtual machine is not running any more');
        savedScreen = vm.screen.state();
        p.step(67, 2);
        await step(m);
      } else if (backup === 'Saved' || backup === 'AbortedSaved') {
        // An offline snapshot of a Saved machine takes its saved state along.
        savedScreen = core.savedScreen && clone(core.savedScreen);
      }
      if (p.isCanceled) return;
      snapshot = new Snapshot(core, id, name, description, Date.now(), clone(core.settings), savedScreen);
      snapshot.parent = core.currentSnapshot;
      if (snapshot.parent) snapshot.parent.children.push(snapshot);
      else core.firstSnapshot = snapshot;
      core.currentSnapshot = snapshot;
      // SaveS_ResetCurStateModified for offline snapshots only, as in i_finishTakingSnapshot.
      if (!online) core.currentStateModified = false;
    } finally {
      settle();
    }
    core.host.saveMachine(core);
    p.complete();
    core.host.fireSnapshotEvent('OnSnapshotTaken', core, snapshot.id);
  });
  core.setState(online ? (backup !== 'Paused' && !pause ? 'LiveSnapshotting' : 'OnlineSnapshotting') : 'Snapshotting');
  return { id, returnval: p };
}

/** SessionMachine::restoreSnapshot: only with the machine not running. */
export function restoreSnapshot(m: Machine, snapshot: Snapshot | null): Progress {
  const core = m.core;
  const backup = core.state;
  if (isOnline(backup) || isTransient(backup)) {
    m.err('VBOX_E_INVALID_VM_STATE', `Cannot delete the current state of the running machine (machine state: ${backup})`);
  }
  checkStateDependency(m, 'MutableOrSaved');
  if (!snapshot) {
    if (!core.currentSnapshot) m.err('VBOX_E_OBJECT_NOT_FOUND', 'This VM does not have any current snapshot');
    m.err('E_INVALIDARG', 'The given snapshot is invalid');
  }
  // VirtualBox does not check that the snapshot is one of this machine's; vboxsim refuses others'.
  if (snapshot.core !== core || snapshot.gone) m.err('E_INVALIDARG', 'The given snapshot is invalid');

  const p = Progress.run({
    description: `Restoring snapshot '${snapshot.name}'`, initiator: m, cancelable: false, operations: ['Restoring machine settings'],
  }, async (p) => {
    try {
      // Pending changes of the session are discarded, a saved state is thrown away.
      m.rollback();
      await step(m);
      core.settings = snapshotSettingsView(core.settings, clone(snapshot.settings));
      core.savedScreen = snapshot.savedScreen && clone(snapshot.savedScreen);
      core.currentSnapshot = snapshot;
      core.currentStateModified = false;
      m.rollback(true);
    } catch (e) {
      core.setState(backup);
      throw e;
    }
    core.setState(snapshot.online ? 'Saved' : 'PoweredOff');
    core.host.saveMachine(core);
    core.host.fireDataChanged(core);
    p.complete();
    core.host.fireSnapshotEvent('OnSnapshotRestored', core, snapshot.id);
  });
  core.setState('RestoringSnapshot');
  return p;
}

/**
 * SessionMachine::i_deleteSnapshot, behind deleteSnapshot, deleteSnapshotAndAllChildren and
 * deleteSnapshotRange. As in VirtualBox 7.1, only a single snapshot can be deleted: the "all
 * children" and range variants (start ≠ end) answer E_NOTIMPL.
 */
export function deleteSnapshot(m: Machine, startId: string, endId: string, allChildren: boolean): Progress {
  const core = m.core;
  const start = guid(startId);
  const end = guid(endId);
  // AssertReturn(…, E_INVALIDARG) in VirtualBox: no error info of its own.
  if (!start || !end || /^[0-]+$/.test(start) || /^[0-]+$/.test(end)) throw new VBoxFault('E_INVALIDARG', '');
  if (allChildren || start !== end) m.err('E_NOTIMPL', 'Method i_deleteSnapshot is not implemented');
  const backup = core.state;
  if (isTransient(backup)) {
    m.err('VBOX_E_INVALID_VM_STATE', `Cannot delete a snapshot of the machine while it is changing the state (machine state: ${backup})`);
  }
  if ((isOnline(backup) || isTransient(backup)) && !['PoweredOff', 'Saved', 'Teleported', 'Aborted', 'AbortedSaved', 'Running', 'Paused'].includes(backup)) {
    m.err('VBOX_E_INVALID_VM_STATE', `Invalid machine state: ${backup}`);
  }
  checkStateDependency(m, 'MutableOrSavedOrRunning');
  const snapshot = findSnapshotById(m, start);
  const n = snapshot.children.length;
  if (n > 1) {
    m.err('VBOX_E_INVALID_OBJECT_STATE', `Snapshot '${snapshot.name}' of the machine '${core.name}' cannot be deleted, because it has ${n} child snapshots, which is more than the one snapshot allowed for deletion`);
  }
  const isCurrent = snapshot === core.currentSnapshot;
  if (isCurrent && n >= 1) {
    m.err('VBOX_E_INVALID_OBJECT_STATE', `Snapshot '${snapshot.name}' of the machine '${core.name}' cannot be deleted, because it is the current snapshot and has one child snapshot`);
  }
  // Deleting the current snapshot makes the current settings permanent first.
  if (isCurrent && m.getSettingsModified()) m.commitSettings();

  const p = Progress.run({
    description: `Deleting snapshot '${snapshot.name}'`, initiator: m, cancelable: false,
    operations: snapshot.online ? ['Setting up', 'Deleting the execution state'] : ['Setting up'],
  }, async (p) => {
    await step(m);
    if (snapshot.online) p.step(50, 1);
    // Snapshot::i_beginSnapshotDelete: the parent takes over the children, and the current snapshot.
    if (core.currentSnapshot === snapshot) {
      core.currentSnapshot = snapshot.parent;
      core.currentStateModified = true;
    }
    if (core.firstSnapshot === snapshot) core.firstSnapshot = snapshot.children.length === 1 ? snapshot.children[0] : null;
    const parent = snapshot.parent;
    if (parent) parent.children.splice(parent.children.indexOf(snapshot), 1);
    for (const child of snapshot.children) {
      child.parent = parent;
      parent?.children.push(child);
    }
    snapshot.children = [];
    snapshot.parent = null;
    snapshot.gone = true;
    const deleting: MachineState[] = ['DeletingSnapshot', 'DeletingSnapshotOnline', 'DeletingSnapshotPaused'];
    if (deleting.includes(core.state)) core.setState(backup);
    core.host.saveMachine(core);
    p.complete();
    core.host.fireSnapshotEvent('OnSnapshotDeleted', core, snapshot.id);
  });
  core.setState(backup === 'Running' ? 'DeletingSnapshotOnline' : backup === 'Paused' ? 'DeletingSnapshotPaused' : 'DeletingSnapshot');
  return p;
}
