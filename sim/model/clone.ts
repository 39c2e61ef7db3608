// IMachine::cloneTo (MachineImplCloneVM.cpp, Machine::cloneTo in MachineImpl.cpp) and IMachine::moveTo
// (MachineImplMoveVM.cpp). Facts (checks, error texts, operations and their weights, disk names and
// places, what a failure or cancel removes) follow VirtualBox 7.1.12; the code is vboxsim's.
//
// vboxsim's snapshots make no differencing images (snapshot.ts): a machine's snapshots and its current
// state attach the same images, so a clone's media chains are as long as vboxsim's are — the rules
// below are VirtualBox's whatever the chains.
import fs from 'node:fs';
import path from 'node:path';
import { bare, fail, uuid, VBoxFault } from './base';
import { randomMac, clone, type AttachmentSettings, type MachineSettings, type SnapshotFile } from './settings';
import { Progress, type ProgressOptions } from './progress';
import * as tasks from './medium-tasks';
import type { Machine, MachineCore } from './machine';
import type { Medium } from './medium';
import type { Snapshot } from './snapshot';
import type { ScreenState } from '../screen/screen';

export type CloneMode = 'MachineState' | 'MachineAndChildStates' | 'AllStates';
const MIB = 1024 * 1024;

/** An IProgress whose operations have weights (Progress::init with ulTotalOperationsWeight, SetNextOperation's weight). */
export class WeightedProgress extends Progress {
  private opPercent = 0;
  private readonly total: number;

  constructor(opts: ProgressOptions, readonly weights: number[]) {
    super(opts);
    this.total = weights.reduce((a, b) => a + b, 0) || 1;
  }

  /** Progress::SetNextOperation / SetCurrentOperationProgress: the overall percent follows the weights done. */
  at(operation: number, opPercent = 0): void {
    const op = Math.min(operation, this.weights.length - 1);
    this.opPercent = Math.max(0, Math.min(100, opPercent));
    const done = this.weights.slice(0, op).reduce((a, b) => a + b, 0);
    this.step(((done + (this.weights[op] * this.opPercent) / 100) / this.total) * 100, op);
  }

  /** SetNextOperation's description for an operation known only later. */
  describe(operation: number, text: string): void {
    if (operation >= 0 && operation < this.operations.length) this.operations[operation] = text;
  }

  override getOperationWeight() { return this.weights[this.getOperation()] ?? 1; }
  override getOperationPercent() { return this.getCompleted() ? 100 : Math.min(99, Math.floor(this.opPercent)); }
}

/** One image to copy (MEDIUMTASK): its base name for naming the copy, its weight in MB. */
interface MediumTask { medium: Medium; baseName: string; weight: number }
/** The images behind one attachment, attached one first, base last (MEDIUMTASKCHAIN). */
interface MediumChain { chain: MediumTask[]; devType: string; createDiffs: boolean; linked: boolean }
/** A saved state to copy (FILECOPYTASK): into a snapshot (its id), or the current state (null). */
interface StateTask { snapshotId: string | null; file: string; screen: ScreenState; weight: number }

/** A machine of the clone's list: the current state (snapshot null) or a snapshot's machine. */
interface SourceState { snapshot: Snapshot | null; settings: MachineSettings; stateFile: string; screen?: ScreenState }

const mbWeight = (bytes: number) => Math.floor((bytes + MIB - 1) / MIB);

function sourceState(core: MachineCore, snapshot: Snapshot | null): SourceState {
  const m = snapshot ? snapshot.getMachine() : core.primary;
  const screen = snapshot ? snapshot.savedScreen : (core.state === 'Saved' || core.state === 'AbortedSaved' ? core.savedScreen : undefined);
  return { snapshot, settings: snapshot ? snapshot.settings : core.settings, stateFile: m.getStateFilePath(), screen };
}

/** A medium's base's name (queryBaseName). */
const baseName = (m: Medium) => m.getBase().getName();

/**
 * Machine::cloneTo and MachineCloneVM::start: the checks made before the work, the list of states and
 * media to copy, and the progress whose operations those make.
 */
export function cloneTo(src: Machine, target: Machine | null, mode: string, options: string[]): Progress {
  if (options.includes('Link')) {
    if (!src.snapshot) src.err('E_INVALIDARG', 'Linked clone can only be created from a snapshot');
    if (mode !== 'MachineState') src.err('E_INVALIDARG', 'Linked clone can only be created for a single machine state');
  }
  // AssertReturn: no error info.
  if (options.includes('KeepAllMACs') && options.includes('KeepNATMACs')) bare('E_INVALIDARG');
  // VirtualBox dereferences a null target; vboxsim refuses it.
  if (!target) src.err('E_INVALIDARG', 'Argument target is NULL');
  if (src.isSession) src.err('E_INVALIDARG', 'The source machine is mutable');
  const core = src.core;
  let cloneMode = mode as CloneMode;
  let srcSnapshot = src.snapshot ?? null;
  // A full clone of all states from a snapshot's machine is one of the machine.
  if (cloneMode === 'AllStates') srcSnapshot = null;
  let subtreeIncludesCurrent = false;
  if (cloneMode === 'MachineAndChildStates') {
    if (srcSnapshot) {
      if (!core.currentSnapshot) bare('VBOX_E_OBJECT_NOT_FOUND');
      for (let s: Snapshot | null = core.currentSnapshot; s; s = s.parent) {
        if (s === srcSnapshot) {
          subtreeIncludesCurrent = true;
          break;
        }
      }
    } else {
      // Only the current state: as MachineState, which is easier to follow.
      cloneMode = 'MachineState';
    }
  }

  // The states to copy: the current one (or the snapshot's), and the snapshots below.
  const states: SourceState[] = [];
  let oldMachineState: SourceState | null = null;
  if (cloneMode === 'MachineState') states.push(sourceState(core, srcSnapshot));
  if (cloneMode === 'AllStates') states.push(sourceState(core, null));
  if (cloneMode !== 'MachineState' && core.firstSnapshot) {
    const top = cloneMode === 'MachineAndChildStates' ? (srcSnapshot as Snapshot) : core.firstSnapshot;
    const list = [...top.walk()].map((s) => sourceState(core, s));
    states.push(...list);
    if (cloneMode === 'MachineAndChildStates') {
      if (subtreeIncludesCurrent) states.push(sourceState(core, null));
      else oldMachineState = list[0];
    }
  }

  const linked = options.includes('Link');
  const chains = cloneMode === 'MachineAndChildStates'
    ? childStatesMedia(core, states, oldMachineState)
    : cloneMode === 'AllStates' ? allStatesMedia(core, states, oldMachineState) : machineStateMedia(core, states, linked);
  const stateFiles = saveStates(states, cloneMode === 'MachineState', oldMachineState);

  // "Initialize Cloning" and the machine's creation weigh one each; a linked attachment one (1 MB).
  const ops: string[] = ['Initialize Cloning'];
  const weights: number[] = [1];
  for (const c of chains) {
    for (const t of [...c.chain].reverse()) {
      ops.push(`Cloning Disk '${t.medium.getName()}' ...`);
      weights.push(c.linked ? 1 : t.weight);
    }
  }
  for (const f of stateFiles) {
    ops.push(`Copy save state file '${path.basename(f.file)}' ...`);
    weights.push(f.weight);
  }
  const nvram = states.some((st) => !st.snapshot) ? nvramFile(core) : null;
  if (nvram) {
    ops.push(`Copy NVRAM file '${path.basename(nvram.file)}' ...`);
    weights.push(nvram.weight);
  }
  ops.push(`Create Machine Clone '${target.getName()}' ...`);
  weights.push(1);

  const initiator = cloneMode === 'AllStates' ? core.primary : src;
  const p = new WeightedProgress({ description: 'Cloning Machine', initiator, cancelable: true, operations: ops }, weights);
  const job = new CloneJob(p, core, target, cloneMode, options, srcSnapshot, subtreeIncludesCurrent, chains, stateFiles, nvram);
  setImmediate(() => {
    job.run().then(
      () => p.complete(),
      // Closing the images made (the clean-up) clears the worker's error info: the progress then has none.
      (e: unknown) => p.failWith(e instanceof VBoxFault ? e : new VBoxFault('VBOX_E_IPRT_ERROR', String((e as Error)?.message ?? e)), !job.madeMedia),
    );
  });
  return p;
}

/** The disks and floppies a state attaches, with their media (an attachment without one is skipped). */
function attachedMedia(core: MachineCore, st: SourceState): { a: AttachmentSettings; medium: Medium }[] {
  return st.settings.attachments.flatMap((a) => {
    if ((a.type !== 'HardDisk' && a.type !== 'Floppy') || !a.mediumId) return [];
    const medium = core.host.findMedium(a.mediumId);
    if (!medium) return [];
    medium.refreshState();
    return [{ a, medium }];
  });
}

/**
 * queryMediaForMachineState: each attached image alone (a full clone merges its parents into it).
 * updateProgressStats: a linked attachment weighs 1, a copy the image's size in MB.
 */
function machineStateMedia(core: MachineCore, states: SourceState[], linked: boolean): MediumChain[] {
  return states.flatMap((st) => attachedMedia(core, st).map(({ a, medium }) => ({
    devType: a.type, createDiffs: false, linked,
    chain: [{ medium, baseName: baseName(medium), weight: linked ? 0 : mbWeight(medium.getSize()) }],
  })));
}

/** A chain's weights as updateProgressStats leaves them: each image also counts the biggest one above it. */
function weighChain(c: MediumChain): MediumChain {
  let max = 0;
  for (let i = c.chain.length - 1; i >= 0; i--) {
    c.chain[i].weight += max;
    max = Math.max(max, c.chain[i].weight);
  }
  return c;
}

/** Each attachment's image and all its parents (queryMediaForAllStates: an exact copy of every chain). */
function fullChains(core: MachineCore, states: SourceState[], oldMachineState: SourceState | null): MediumChain[] {
  return states.flatMap((st) => attachedMedia(core, st).map(({ a, medium }) => ({
    devType: a.type, createDiffs: st === oldMachineState, linked: false,
    chain: medium.chain().map((m) => { m.refreshState(); return { medium: m, baseName: '', weight: mbWeight(m.getSize()) }; }),
  })));
}

function allStatesMedia(core: MachineCore, states: SourceState[], old: SourceState | null): MediumChain[] {
  return fullChains(core, states, old).map(weighChain);
}

/**
 * queryMediaForMachineAndChildStates: of each chain, only the images attached directly or where another
 * branch of the clone leaves the chain (a step in the usage histogram) are copied; the others are merged.
 */
function childStatesMedia(core: MachineCore, states: SourceState[], old: SourceState | null): MediumChain[] {
  const chains = fullChains(core, states, old);
  const hist = new Map<Medium, number>();
  for (const c of chains) for (const t of c.chain) hist.set(t.medium, (hist.get(t.medium) ?? 0) + 1);
  return chains.map((c) => {
    let used = 0;
    const kept: MediumTask[] = [];
    for (const t of c.chain) {
      const n = hist.get(t.medium) ?? 0;
      if (n > used) {
        kept.push(t);
        used = n;
      }
    }
    // The old base name stays the new base's, even where the new base is a differencing image.
    const last = kept[kept.length - 1];
    last.baseName = baseName(last.medium);
    return weighChain({ ...c, chain: kept });
  });
}

/**
 * addSaveState: a state's saved state, into the target's current state (MachineState mode) or its
 * snapshot; the snapshot that becomes the current state brings its saved state to it as well.
 */
function saveStates(states: SourceState[], attachCurrent: boolean, old: SourceState | null): StateTask[] {
  const out: StateTask[] = [];
  const add = (st: SourceState, current: boolean) => {
    if (!st.stateFile || !st.screen) return;
    // vboxsim keeps a saved state in the settings file; its size stands for the .sav file's.
    const weight = Math.floor((2 * (Buffer.byteLength(JSON.stringify(st.screen)) + MIB - 1)) / MIB);
    out.push({ snapshotId: current ? null : st.snapshot?.id ?? null, file: st.stateFile, screen: st.screen, weight });
  };
  for (const st of states) {
    add(st, attachCurrent);
    if (st === old) add(st, true);
  }
  return out;
}

/** addNVRAM for the current state: the machine's NVRAM file when there is one (vboxsim's snapshots keep none). */
function nvramFile(core: MachineCore): { file: string; weight: number } | null {
  const file = core.primary.getNonVolatileStore().getNonVolatileStorageFile();
  if (!file || !fs.existsSync(file)) return null;
  return { file, weight: mbWeight(2 * fs.statSync(file).size) };
}

/** updateStorageLists: a list's disk and floppy attachments of one image now attach another. */
function replaceMedium(list: AttachmentSettings[], from: string, to: string): void {
  for (const a of list) if ((a.type === 'HardDisk' || a.type === 'Floppy') && a.mediumId === from) a.mediumId = to;
}

/** Each snapshot of a settings file's snapshot tree, depth first. */
function walkFiles(list: SnapshotFile[], f: (s: SnapshotFile) => void): void {
  for (const s of list) {
    f(s);
    walkFiles(s.children ?? [], f);
  }
}

/** MachineCloneVM::run: the copy itself, and the clean-up of everything it made when it fails or is canceled. */
class CloneJob {
  private readonly newMedia: Medium[] = [];
  private readonly newFiles: string[] = [];
  private child: Progress | null = null;
  /** The image whose task runs. */
  private pending: Medium | null = null;
  private cleaned = false;
  private readonly trgFolder: string;
  private trgSnapshotFolder = '';

  constructor(
    private readonly p: WeightedProgress,
    private readonly core: MachineCore,
    private readonly target: Machine,
    private readonly mode: CloneMode,
    private readonly options: string[],
    private readonly srcSnapshot: Snapshot | null,
    private readonly subtreeIncludesCurrent: boolean,
    private readonly chains: MediumChain[],
    private readonly stateFiles: StateTask[],
    private readonly nvram: { file: string; weight: number } | null,
  ) {
    this.trgFolder = path.dirname(target.core.settingsFile);
    // A cancel leaves nothing behind at once: the disk being copied stops, what was made goes.
    p.onCancel(() => {
      this.child?.cancel();
      this.cleanUp();
    });
  }

  private get canceled() { return this.p.isCanceled; }
  /** Images were made (and so closed again on a failure). */
  get madeMedia() { return this.newMedia.length > 0; }

  async run(): Promise<void> {
    try {
      await this.work();
    } catch (e) {
      this.cleanUp();
      throw e;
    }
  }

  private async work(): Promise<void> {
    const { core, target, mode, options } = this;
    const src = core.settings;
    let op = 0;
    this.p.at(op);
    // The source's whole configuration as its settings file has it (pMachineConfigFile).
    let hardware = clone(src);
    let snapshots: SnapshotFile[] = core.firstSnapshot ? [clone(core.firstSnapshot.toFile())] : [];
    let currentSnapshot = core.currentSnapshot?.id;
    if (options.includes('KeepHwUUIDs')) {
      hardware.hardwareUUID ||= src.id;
      walkFiles(snapshots, (s) => { s.settings.hardwareUUID ||= src.id; });
    }
    let sn: SnapshotFile | undefined;
    if (this.srcSnapshot) {
      walkFiles(snapshots, (s) => { if (s.id === this.srcSnapshot?.id) sn = s; });
      if (!sn) fail('E_FAIL', `Could not find data to snapshots '${this.srcSnapshot.id}'`, 'IMachine', 'Machine');
    }
    if (mode === 'MachineState') {
      if (sn) hardware = clone(sn.settings);
      snapshots = [];
      currentSnapshot = undefined;
    } else if (mode === 'MachineAndChildStates' && sn) {
      if (!this.subtreeIncludesCurrent) {
        hardware = clone(sn.settings);
        currentSnapshot = sn.id;
      }
      snapshots = [sn];
    }
    // The user data is the source's (snapshots keep hardware only): name and UUID are the target's.
    for (const k of ['description', 'osTypeId', 'groups', 'teleporter', 'extraData'] as const) (hardware as unknown as Record<string, unknown>)[k] = clone(src[k]);
    if (!options.includes('KeepAllMACs')) {
      const newMacs = (s: MachineSettings) => {
        for (const n of s.nics) {
          // An adapter never set up (off, no address) is not in the settings file's list: it stays without one.
          if (!n.enabled && !n.MACAddress) continue;
          if (!(options.includes('KeepNATMACs') && n.attachmentType === 'NAT')) n.MACAddress = randomMac();
        }
      };
      newMacs(hardware);
      walkFiles(snapshots, (s) => newMacs(s.settings));
    }
    // An absolute snapshot folder goes back to the default one, inside the new machine's folder.
    const extras = (hardware.extras ??= {});
    if (extras.snapshotFolder && path.isAbsolute(extras.snapshotFolder)) extras.snapshotFolder = 'Snapshots';
    const oldName = src.name;
    const newName = target.getName();
    hardware.name = newName;
    hardware.id = target.getId();
    const srcSnapshotFolder = core.primary.getSnapshotFolder();
    this.trgSnapshotFolder = path.join(this.trgFolder, extras.snapshotFolder ?? 'Snapshots');
    const keepDiskNames = options.includes('KeepDiskNames');
    const host = core.host;

    const made = new Map<string, Medium>();
    let disks = 0;
    for (const c of this.chains) {
      let newParent: Medium | null = null;
      for (const t of [...c.chain].reverse()) {
        this.p.at(++op);
        const m = t.medium;
        if (c.linked) {
          if (m.getBase().getReadOnly()) {
            newParent = await this.diff(m);
            made.set(m.rec.id, newParent);
          } else {
            // Attached as it is: its type makes no differencing image. (VirtualBox would delete it on a failure; vboxsim does not.)
            made.set(m.rec.id, m);
            newParent = m;
          }
        } else if (made.has(m.rec.id)) {
          newParent = made.get(m.rec.id) as Medium;
        } else {
          const fileBased = !m.fmt || m.fmt.has('File');
          const format = fileBased ? m.rec.format : c.devType === 'HardDisk' ? defaultHardDiskFormat(target) : 'RAW';
          const variant = fileBased ? m.rec.variant : ['Standard'];
          const id = uuid();
          const srcName = m.getName();
          let name = srcName;
          if (!keepDiskNames) {
            const test = stripSuffix(t.baseName || srcName);
            const suffix = path.extname(srcName);
            if (test === oldName) name = `${newName}${suffix}`;
            else if (/^\{[0-9a-f-]{36}\}$/i.test(test)) name = `{${id}}${suffix}`;
            else name = `${newName}-disk${++disks}${suffix}`;
          }
          const fromSnapshots = m.loc.startsWith(srcSnapshotFolder) && (keepDiskNames || !t.baseName);
          const file = path.join(fromSnapshots ? this.trgSnapshotFolder : this.trgFolder, name);
          const copy = host.createMedium(format, file, c.devType);
          copy.rec.id = id;
          await this.follow(op, tasks.resizeAndCloneTo(m, copy, 0, variant, newParent), copy);
          if (this.canceled) return;
          if (m.rec.type) copy.rec.type = m.rec.type;
          made.set(m.rec.id, copy);
          newParent = copy;
        }
        if (this.canceled) return;
      }
      const from = c.chain[0].medium.rec.id;
      let to = (newParent as Medium).rec.id;
      walkFiles(snapshots, (s) => replaceMedium(s.settings.attachments, from, to));
      // A new current state below the snapshot it was cloned from: a differencing image of its own.
      if (c.createDiffs && newParent) {
        if (c.chain[0].medium.getBase().getReadOnly()) {
          const d = await this.diff(newParent);
          to = d.rec.id;
        }
        if (this.canceled) return;
      }
      replaceMedium(hardware.attachments, from, to);
    }

    // Saved states: copied (vboxsim keeps them in the settings file) into the current state or their snapshot.
    let currentScreen: ScreenState | undefined;
    for (const f of this.stateFiles) {
      this.p.at(++op);
      if (f.snapshotId === null) currentScreen = clone(f.screen);
      else walkFiles(snapshots, (s) => { if (s.id === f.snapshotId) s.savedScreen = clone(f.screen); });
    }
    if (this.nvram) {
      this.p.at(++op);
      const to = path.join(this.trgFolder, `${newName}.nvram`);
      if (!this.newFiles.includes(to)) {
        fs.mkdirSync(this.trgFolder, { recursive: true, mode: 0o700 });
        fs.copyFileSync(this.nvram.file, to);
        this.newFiles.push(to);
      }
      hardware.firmware = { ...(hardware.firmware ?? {}), nvramPath: path.basename(to) === `${path.parse(target.core.settingsFile).name}.nvram` ? '' : to } as MachineSettings['firmware'];
    }
    if (this.canceled) return;

    this.p.at(++op);
    // The target must be mutable: not registered (i_checkStateDependency(MutableStateDep) on it).
    target.mutable();
    const trg = target.core;
    trg.settings = hardware;
    trg.loadSnapshots({ settings: hardware, state: 'PoweredOff', lastStateChange: Date.now(), snapshot: snapshots[0], currentSnapshot, currentStateModified: true });
    // "Current state modified" as the clone's logic has it, not as loading guesses.
    trg.currentStateModified = mode === 'MachineState' || (mode === 'MachineAndChildStates' && !!sn && !this.subtreeIncludesCurrent)
      ? false : core.currentStateModified;
    trg.savedScreen = currentScreen;
    trg.state = currentScreen ? 'Saved' : 'PoweredOff';
    trg.pathFor = { name: hardware.name, group: hardware.groups[0] ?? '/' };
    host.saveMachine(trg);
  }

  /** createDifferencingMedium: a new differencing image of `parent` in the target's snapshot folder, named by its UUID. */
  private async diff(parent: Medium): Promise<Medium> {
    const format = parent.fmt?.has('Differencing') ? parent.rec.format : defaultHardDiskFormat(this.target);
    const ext = parent.fmt?.has('Differencing') ? parent.fmt.spec.extensions[0]?.[0] ?? 'vdi' : 'vdi';
    const id = uuid();
    const d = this.core.host.createMedium(format, path.join(this.trgSnapshotFolder, `{${id}}.${ext}`), 'HardDisk');
    d.rec.id = id;
    fs.mkdirSync(this.trgSnapshotFolder, { recursive: true, mode: 0o700 });
    await this.follow(this.p.getOperation(), tasks.createDiffStorage(parent, d, ['Standard']), d);
    return d;
  }

  /**
   * WaitForOtherProgressCompletion: this operation's percent follows the medium task's; its failure is the
   * clone's. The image counts as made (newMedia) once its task succeeded: a failed task removes its own.
   */
  private async follow(op: number, child: Progress, made: Medium): Promise<void> {
    this.child = child;
    this.pending = made;
    while (!child.isCompleted) {
      await child.wait(20);
      if (!this.canceled) this.p.at(op, child.getPercent());
    }
    this.child = null;
    this.pending = null;
    if (this.canceled) return;
    if (child.failed) {
      const e = child.error;
      throw e ? e.fault : new VBoxFault('E_FAIL', '');
    }
    this.newMedia.push(made);
  }

  /** On failure or cancel: the files and images made go (children first), and the target's folders if empty. */
  private cleanUp(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const f of this.newFiles) fs.rmSync(f, { force: true });
    for (const m of [...this.newMedia, ...(this.pending ? [this.pending] : [])].reverse()) {
      fs.rmSync(m.loc, { force: true });
      m.host.unregisterMedium(m);
      m.state = 'NotCreated';
      m.uninit();
    }
    for (const dir of [this.trgSnapshotFolder, this.trgFolder]) {
      try {
        if (dir) fs.rmdirSync(dir);
      } catch {
        // not empty, or not there
      }
    }
  }
}

/** Utf8Str::stripSuffix: the name without its last extension. */
function stripSuffix(name: string): string {
  const ext = path.extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

function defaultHardDiskFormat(m: Machine): string {
  const vbox = m.core.host.parent as unknown as { getSystemProperties(): { getDefaultHardDiskFormat(): string } };
  return vbox.getSystemProperties().getDefaultHardDiskFormat();
}

// ---------------------------------------------------------------------------------------------
// IMachine::moveTo (MachineImplMoveVM.cpp)

/** IPRT's status for a file system call's errno (RTErrConvertFromErrno). */
function iprtStatus(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  return ({
    ENOENT: 'VERR_FILE_NOT_FOUND', ENOTDIR: 'VERR_PATH_NOT_FOUND', EACCES: 'VERR_ACCESS_DENIED', EPERM: 'VERR_ACCESS_DENIED',
    EROFS: 'VERR_WRITE_PROTECT', ENOSPC: 'VERR_DISK_FULL', EEXIST: 'VERR_ALREADY_EXISTS',
  } as Record<string, string>)[code ?? ''] ?? 'VERR_GENERAL_FAILURE';
}

/** Global::vboxStatusCodeToCOM for the statuses above. */
function statusToCOM(vrc: string) {
  return vrc === 'VERR_ACCESS_DENIED' ? 'E_ACCESSDENIED' as const : vrc === 'VERR_FILE_NOT_FOUND' ? 'VBOX_E_OBJECT_NOT_FOUND' as const
    : vrc === 'VERR_GENERAL_FAILURE' ? 'E_FAIL' as const : 'VBOX_E_IPRT_ERROR' as const;
}

/** A medium to move (MEDIUMTASKMOVE): where it was, whether it is in the snapshot folder, its weight. */
interface MoveTask { medium: Medium; from: string; inSnapshots: boolean; weight: number }

/** The files of a folder and its subfolders (MachineMoveVM::getFilesList), none for a folder that is not there. */
function filesIn(dir: string): string[] {
  if (!dir || !fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesIn(full) : e.isFile() ? [full] : [];
  });
}

/** Moves a file, across file systems too. */
function moveFile(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
  try {
    fs.renameSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
    fs.rmSync(from, { force: true });
  }
}

/**
 * Machine::moveTo and MachineMoveVM::init: the target folder must exist and take a file and the data;
 * the images in the machine's folder (of the current state and every snapshot), its logs and its
 * settings file go to <target>/<machine name>/. The machine's settings are saved first (a registered
 * machine moves through a session's machine only).
 */
export function moveTo(m: Machine, targetPath: string, type: string): Progress {
  const core = m.core;
  const machineFolder = path.dirname(core.settingsFile);
  // An empty path: the machine's own folder (i_calculateFullPath(".")).
  let target = targetPath || machineFolder;
  if (!target.endsWith('/')) target += '/';
  const basic = (type || 'basic') === 'basic';
  let free = 0;
  try {
    const st = fs.statfsSync(target);
    free = st.bavail * st.bsize;
  } catch (e) {
    m.err('VBOX_E_IPRT_ERROR', `Unable to determine free space of target destination ('${target}'): ${iprtStatus(e)}`);
  }
  try {
    fs.readdirSync(target);
  } catch (e) {
    const vrc = iprtStatus(e);
    m.err(statusToCOM(vrc), vrc);
  }
  try {
    fs.closeSync(fs.openSync(path.join(target, 'test.txt'), 'a'));
    fs.rmSync(path.join(target, 'test.txt'), { force: true });
  } catch (e) {
    m.err(statusToCOM(iprtStatus(e)), `Can't create file 'test.txt' in folder '${target}'. Check the access rights of the destination folder.`);
  }

  // The machine's folders: the log and snapshot folders go along when inside it ("basic").
  const inFolder = (p: string) => p === machineFolder || p.startsWith(machineFolder + '/');
  const logFolder = m.getLogFolder();
  const snapshotFolder = m.getSnapshotFolder();
  const vmLogFolder = basic && inFolder(logFolder) ? logFolder : '';
  const vmSnapshotFolder = basic && inFolder(snapshotFolder) ? snapshotFolder : '';

  // Every image of the current state and the snapshots (and their parents) in the machine's folder, once each.
  const lists = [m.s.attachments, ...core.snapshots().map((s) => s.settings.attachments)];
  const tasks: MoveTask[] = [];
  for (const a of lists.flat()) {
    let medium = a.mediumId ? core.host.findMedium(a.mediumId) ?? null : null;
    if (!medium || !movable(medium)) continue;
    for (; medium; medium = medium.getParent()) {
      medium.refreshState();
      const from = medium.loc;
      if (!from.startsWith(machineFolder) || tasks.some((t) => t.from === from)) continue;
      tasks.push({ medium, from, inSnapshots: !!vmSnapshotFolder && from.startsWith(vmSnapshotFolder), weight: mbWeight(medium.getSize()) });
    }
  }
  // std::map order: by location.
  tasks.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : 0));
  const logs = filesIn(vmLogFolder);
  const needed = tasks.reduce((n, t) => n + t.medium.getSize(), 0) + logs.reduce((n, f) => n + fs.statSync(f).size, 0);
  if (free - needed <= MIB) m.err('VBOX_E_IPRT_ERROR', `Insufficient disk space available (${needed} needed, ${free} free)`);

  // One operation per image, log file and the settings file; as many again for a rollback.
  const name = m.getName();
  const ops = ['Initialize Moving', ...tasks.map((t) => `Moving medium '${t.medium.getName()}' ...`),
    `Copying Machine settings file '${name}' ...`, ...logs.map((f) => `Copying log file '${path.basename(f)}' ...`)];
  const weights = [1, ...tasks.map((t) => t.weight), 1, ...logs.map((f) => mbWeight(fs.statSync(f).size))];
  for (let i = ops.length; i < 2 * (tasks.length + 2) + logs.length * 2; i++) {
    ops.push(`Skipping empty operation ${i + 1}...`);
    weights.push(1);
  }
  // "save all VM data": a registered machine must be a session's (Machine::saveSettings' state check).
  m.saveSettings();
  const p = new WeightedProgress({ description: 'Moving Machine', initiator: m, cancelable: true, operations: ops }, weights);
  const job = new MoveJob(p, m, `${target}${name}`, tasks, logs, vmLogFolder, vmSnapshotFolder);
  setImmediate(() => {
    job.run().then(() => p.complete(), (e: unknown) => p.failWith(e instanceof VBoxFault ? e : new VBoxFault('VBOX_E_IPRT_ERROR', String((e as Error)?.message ?? e))));
  });
  return p;
}

/** MachineMoveVM::isMediumTypeSupportedForMoving: file images VirtualBox can write, and ISO images of DVDs. */
function movable(m: Medium): boolean {
  if ((m.fmt?.id ?? m.rec.format).toUpperCase() === 'VHDX') return false;
  if (m.fmt && !m.fmt.has('File')) return false;
  if (m.rec.hostDrive) return false;
  return m.rec.deviceType !== 'DVD' || m.loc.toLowerCase().endsWith('.iso');
}

/** MachineMoveVM::i_MoveVMThreadTask: the move, and its rollback on a failure or a cancel. */
class MoveJob {
  private readonly moved: MoveTask[] = [];
  private readonly newFiles: string[] = [];
  private child: Progress | null = null;
  private rolledBack = false;

  constructor(
    private readonly p: WeightedProgress,
    private readonly m: Machine,
    private readonly folder: string,
    private readonly tasks: MoveTask[],
    private readonly logs: string[],
    private readonly logFolder: string,
    private readonly snapshotFolder: string,
  ) {
    p.onCancel(() => {
      this.child?.cancel();
      this.rollback();
    });
  }

  async run(): Promise<void> {
    try {
      await this.work();
    } catch (e) {
      this.rollback();
      throw e;
    }
  }

  private async work(): Promise<void> {
    const { p, m, folder } = this;
    const core = m.core;
    let op = 0;
    for (const t of this.tasks) {
      p.at(++op);
      const to = t.inSnapshots ? path.join(folder, path.basename(path.dirname(t.from)), t.medium.getName()) : path.join(folder, t.medium.getName());
      const child = tasks.moveTo(t.medium, to);
      this.child = child;
      while (!child.isCompleted) {
        await child.wait(20);
        if (!this.p.isCanceled) p.at(op, child.getPercent());
      }
      this.child = null;
      if (p.isCanceled) return;
      if (child.failed) throw child.error ? child.error.fault : new VBoxFault('E_FAIL', '');
      this.moved.push(t);
    }
    p.at(++op);
    const oldFile = core.settingsFile;
    const newFile = path.join(folder, `${m.getName()}.vbox`);
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    fs.copyFileSync(oldFile, newFile);
    this.newFiles.push(newFile);
    // VirtualBox keeps the settings' previous version beside them (.vbox-prev; init's save made one): it goes too.
    const originals = [oldFile, `${oldFile}-prev`];
    for (const f of this.logs) {
      p.at(++op);
      const to = path.join(folder, 'Logs', path.basename(f));
      fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
      fs.copyFileSync(f, to);
      this.newFiles.push(to);
      originals.push(f);
    }
    if (p.isCanceled) return;
    // The settings (and the NVRAM file beside them) are written at the new place, the old files go.
    core.settingsFile = newFile;
    core.host.saveMachine(core);
    // The originals are deleted, each an operation of its own: the last one ends the progress.
    originals.forEach((f, i) => p.describe(p.operations.length - originals.length + i, `Deleting file ${f}...`));
    for (const f of originals) fs.rmSync(f, { force: true });
    for (const dir of [this.snapshotFolder, this.logFolder, path.dirname(oldFile)]) {
      try {
        if (dir) fs.rmdirSync(dir);
      } catch {
        // not empty, or not there
      }
    }
  }

  /** The images go back where they were, the files made go, and the new folder if nothing else is there. */
  private rollback(): void {
    if (this.rolledBack) return;
    this.rolledBack = true;
    for (const t of this.moved) {
      if (t.medium.loc === t.from) continue;
      moveFile(t.medium.loc, t.from);
      t.medium.rec.location = t.from;
      t.medium.host.saveRegistry();
      t.medium.host.mediumChanged(t.medium);
    }
    for (const f of this.newFiles) fs.rmSync(f, { force: true });
    for (const dir of [path.join(this.folder, 'Logs'), this.folder]) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // not empty, or not there
      }
    }
  }
}
