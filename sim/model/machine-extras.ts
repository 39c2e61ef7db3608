// IMachine's other settings (issue 16 S1): CPU hot plug, HID types, paravirtualization, I/O cache,
// autostart, tracing, PCI passthrough, the saved screen, encryption (without a crypto module), and the
// sub-objects IGuestDebugControl, IRecordingSettings / IRecordingScreenSettings and ICPUProfile.
// State rules, defaults and error texts as VirtualBox 7.1.12's MachineImpl.cpp, GuestDebugControlImpl.cpp,
// RecordingSettingsImpl.cpp, RecordingScreenSettingsImpl.cpp and Settings.cpp.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bare, fail, notReady, RUNNING_STATES, VBoxFault, type ManagedObject } from './base';
import {
  ClipboardFileTransferModeChangedEvent, ClipboardModeChangedEvent, CPUChangedEvent, CPUExecutionCapChangedEvent,
  DnDModeChangedEvent, HostPCIDevicePlugEvent, type EventSource,
} from './events';
import type { Machine } from './machine';
import { applyNvramDefaults } from './firmware';
import { findGuestOSType } from './ostypes';
import { Progress } from './progress';
import { Screen, type ScreenState } from '../screen/screen';

/** One screen's recording settings (settings::RecordingScreen). */
export interface RecordingScreenData {
  enabled: boolean;
  features: string[];
  destination: string;
  /** '' : the default file (<settings file without .vbox>-screen<n>.webm). */
  filename: string;
  maxTime: number;
  maxFileSize: number;
  options: string;
  audioCodec: string;
  audioDeadline: string;
  audioHz: number;
  audioBits: number;
  audioChannels: number;
  videoCodec: string;
  videoDeadline: string;
  videoWidth: number;
  videoHeight: number;
  videoRate: number;
  videoFPS: number;
}

/** A host PCI device passed through (settings::HostPCIDeviceAttachment). */
export interface PCIAssignment {
  name: string;
  hostAddress: number;
  guestAddress: number;
}

/** IMachine's settings of this part as the settings file keeps them; absent fields: a new machine's values (DEFAULTS). */
export interface MachineExtras {
  /** The icon's bytes, base64. */
  icon?: string;
  hardwareVersion?: string;
  cpuHotPlug?: boolean;
  /** The CPUs attached while hot plug is on. */
  cpuAttached?: number[];
  cpuIdPortabilityLevel?: number;
  cpuProfile?: string;
  pageFusion?: boolean;
  pointingHID?: string;
  keyboardHID?: string;
  /** As VirtualBox stores it: relative to the machine's folder when inside it. */
  snapshotFolder?: string;
  usbCardReader?: boolean;
  clipboardFileTransfers?: boolean;
  dndMode?: string;
  paravirtProvider?: string;
  paravirtDebug?: string;
  ioCache?: boolean;
  ioCacheSize?: number;
  pciAssignments?: PCIAssignment[];
  tracingEnabled?: boolean;
  tracingConfig?: string;
  allowTracingToAccessVM?: boolean;
  autostartEnabled?: boolean;
  autostartDelay?: number;
  autostopType?: string;
  defaultFrontend?: string;
  vmProcessPriority?: string;
  vmExecutionEngine?: string;
  guestDebug?: { provider: string; ioProvider: string; address: string; port: number };
  recording?: { enabled: boolean; screens: Record<string, Partial<RecordingScreenData>> };
}

type Scalar = Exclude<keyof MachineExtras, 'cpuAttached' | 'pciAssignments' | 'guestDebug' | 'recording'>;

/** A new machine's values (Machine::init, settings::Hardware's defaults). */
const DEFAULTS: Required<Pick<MachineExtras, Scalar>> = {
  icon: '', hardwareVersion: '2', cpuHotPlug: false, cpuIdPortabilityLevel: 0, cpuProfile: 'host', pageFusion: false,
  pointingHID: 'PS2Mouse', keyboardHID: 'PS2Keyboard', snapshotFolder: 'Snapshots', usbCardReader: false,
  clipboardFileTransfers: false, dndMode: 'Disabled', paravirtProvider: 'Default', paravirtDebug: '', ioCache: true,
  ioCacheSize: 5, tracingEnabled: false, tracingConfig: '', allowTracingToAccessVM: false, autostartEnabled: false,
  autostartDelay: 0, autostopType: 'Disabled', defaultFrontend: '', vmProcessPriority: 'Default', vmExecutionEngine: 'Default',
};

/** settings::RecordingScreen(id): only screen 0 is enabled; video only, VP8 at 1024x768, 25 fps. */
function defaultScreen(id: number): RecordingScreenData {
  return {
    enabled: id === 0, features: ['Video'], destination: 'File', filename: '', maxTime: 0, maxFileSize: 0,
    options: 'vc_enabled=true,ac_enabled=false,ac_profile=med', audioCodec: 'None', audioDeadline: 'Default', audioHz: 22050,
    audioBits: 16, audioChannels: 2, videoCodec: 'VP8', videoDeadline: 'Default', videoWidth: 1024, videoHeight: 768,
    videoRate: 512, videoFPS: 25,
  };
}

/** SchemaDefs::MaxCPUCount. */
const MAX_CPUS = 64;

/** VirtualBox's x86 CPU database (CPUMR3DbGetEntries), in its order: name, full name, architecture. */
export const CPU_PROFILES: readonly { name: string; fullName: string; architecture: string }[] = [
  ['Intel Core i7-6700K', 'Intel(R) Core(TM) i7-6700K CPU @ 4.00GHz', 'AMD64'],
  ['Intel Core i7-5600U', 'Intel(R) Core(TM) i7-5600U CPU @ 2.60GHz', 'AMD64'],
  ['Intel Core i5-3570', 'Intel(R) Core(TM) i5-3570 CPU @ 3.40GHz', 'AMD64'],
  ['Intel Core i7-3960X', 'Intel(R) Core(TM) i7-3960X CPU @ 3.30GHz', 'AMD64'],
  ['Intel Core i7-2635QM', 'Intel(R) Core(TM) i7-2635QM CPU @ 2.00GHz', 'AMD64'],
  ['Intel Pentium N3530 2.16GHz', 'Intel(R) Pentium(R) CPU  N3530  @ 2.16GHz', 'AMD64'],
  ['Intel Atom 330 1.60GHz', 'Intel(R) Atom(TM) CPU  330   @ 1.60GHz', 'AMD64'],
  ['Intel Pentium M processor 2.00GHz', 'Intel(R) Pentium(R) M processor 2.00GHz', 'x86'],
  ['Intel Xeon X5482 3.20GHz', 'Intel(R) Xeon(R) CPU           X5482  @ 3.20GHz', 'AMD64'],
  ['Intel Core2 X6800 2.93GHz', 'Intel(R) Core(TM)2 CPU         X6800  @ 2.93GHz', 'AMD64'],
  ['Intel Core2 T7600 2.33GHz', 'Intel(R) Core(TM)2 CPU         T7600  @ 2.33GHz', 'AMD64'],
  ['Intel Core Duo T2600 2.16GHz', 'Genuine Intel(R) CPU           T2600  @ 2.16GHz', 'x86'],
  ['Intel Pentium 4 3.00GHz', 'Intel(R) Pentium(R) 4 CPU 3.00GHz', 'AMD64'],
  ['Intel 80486', 'Intel(R) 80486DX2', 'x86'],
  ['Intel 80386', 'Intel(R) 80386', 'x86'],
  ['Intel 80286', 'Intel(R) 80286', 'x86'],
  ['Intel 80186', 'Intel(R) 80186', 'x86'],
  ['Intel 8086', 'Intel(R) 8086', 'x86'],
  ['AMD Ryzen 7 1800X Eight-Core', 'AMD Ryzen 7 1800X Eight-Core Processor', 'AMD64'],
  ['AMD FX-8150 Eight-Core', 'AMD FX(tm)-8150 Eight-Core Processor', 'AMD64'],
  ['AMD Phenom II X6 1100T', 'AMD Phenom(tm) II X6 1100T Processor', 'AMD64'],
  ['Quad-Core AMD Opteron 2384', 'Quad-Core AMD Opteron(tm) Processor 2384', 'AMD64'],
  ['AMD Athlon 64 X2 Dual Core 4200+', 'AMD Athlon(tm) 64 X2 Dual Core Processor 4200+', 'AMD64'],
  ['AMD Athlon 64 3200+', 'AMD Athlon(tm) 64 Processor 3200+', 'AMD64'],
  ['ZHAOXIN KaiXian KX-U5581 1.8GHz', 'ZHAOXIN KaiXian KX-U5581@1.8GHz', 'AMD64'],
  ['VIA QuadCore L4700 1.2+ GHz', 'VIA QuadCore L4700 @ 1.2+ GHz', 'AMD64'],
  ['Hygon C86 7185 32-core', 'Hygon C86 7185 32-core Processor', 'AMD64'],
].map(([name, fullName, architecture]) => ({ name, fullName, architecture }));

/** ICPUProfile: one entry of the CPU database. */
export class CPUProfile implements ManagedObject {
  readonly iface = 'ICPUProfile';
  constructor(readonly name: string, readonly fullName: string, readonly architecture: string) {}
  getName() { return this.name; }
  getFullName() { return this.fullName; }
  getArchitecture() { return this.architecture; }
}

/** IPCIDeviceAttachment (a struct on the wire). */
export class PCIDeviceAttachment implements ManagedObject {
  readonly iface = 'IPCIDeviceAttachment';
  readonly isPhysicalDevice = true;
  constructor(readonly name: string, readonly hostAddress: number, readonly guestAddress: number) {}
}

/** The console of the machine's running VM, when this is the VM's own session machine (SessionMachine's direct control). */
function liveConsole(m: Machine): { events: EventSource; state: string } | null {
  const vm = m.core.vm;
  if (!m.isSession || !vm || vm.isEnded || vm.machine !== m) return null;
  return { events: vm.console.getEventSource(), state: m.core.state };
}

/** Console::i_onXxxChange: the VM must be Running (or teleporting, live-snapshotting) to take a change. */
function requireConsoleRunning(state: string): void {
  if (!['Running', 'Teleporting', 'LiveSnapshotting'].includes(state)) {
    fail('VBOX_E_INVALID_VM_STATE', `Invalid machine state: ${state}`, 'IConsole', 'Console');
  }
}

/**
 * The change reaches the running VM first (SessionMachine::i_onXxxChange → Console), which may refuse it;
 * then the console's event is fired.
 */
function tellConsole(m: Machine, event: (events: EventSource) => Parameters<EventSource['fire']>[0]): void {
  const c = liveConsole(m);
  if (!c) return;
  requireConsoleRunning(c.state);
  c.events.fire(event(c.events));
}

/** "Save settings if online" (@bugref{6818}): a change made while the machine runs goes to its settings file at once. */
function saveIfOnline(m: Machine): void {
  if (RUNNING_STATES.has(m.core.state)) m.commitSettings();
}

/** VirtualBox's %Rrc of the IPRT statuses an autostart database file can meet. */
function iprtStatus(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'VERR_FILE_NOT_FOUND' : code === 'EACCES' || code === 'EPERM' ? 'VERR_ACCESS_DENIED' : 'VERR_GENERAL_FAILURE';
}

/** The part of IMachine in this file, for one machine object. */
export class MachineExtrasPart {
  constructor(private readonly m: Machine) {}

  private get x(): MachineExtras { return this.m.s.extras ?? {}; }
  private val<K extends Scalar>(k: K): NonNullable<MachineExtras[K]> {
    return (this.x[k] ?? DEFAULTS[k]) as NonNullable<MachineExtras[K]>;
  }
  /** Writes one value into the settings in view (the working copy of a session). */
  private put<K extends keyof MachineExtras>(k: K, v: MachineExtras[K]): void {
    (this.m.s.extras ??= {})[k] = v;
  }
  private change<K extends Scalar>(k: K, v: MachineExtras[K], dep: Parameters<Machine['mutable']>[0] = 'Mutable'): void {
    this.m.mutable(dep);
    this.put(k, v);
    this.m.changed();
  }

  /** Machine::i_saveHardware: hardware version 1 becomes the current one (2) unless there is a saved state. */
  beforeSave(): void {
    if (this.x.hardwareVersion === '1' && !this.m.core.savedScreen) this.put('hardwareVersion', '2');
    // GuestDebugControl::i_saveSettings copies its whole settings::Debugging over the machine's, tracing
    // included: the tracing values go back to those the machine was loaded with (a VirtualBox quirk).
    const loaded = this.m.isSession ? this.m.core.settings.extras : undefined;
    for (const k of ['tracingEnabled', 'tracingConfig', 'allowTracingToAccessVM'] as const) {
      if (this.x[k] !== loaded?.[k]) this.put(k, loaded?.[k] as never);
    }
  }

  // --- simple attributes
  getIcon() { return this.val('icon'); }
  setIcon(icon: string) { this.change('icon', icon ?? '', 'MutableOrSaved'); }
  getHardwareVersion() { return this.val('hardwareVersion'); }
  setHardwareVersion(v: string) {
    if (v !== '1' && v !== '2') this.m.err('E_INVALIDARG', `Invalid hardware version: ${v}\n`);
    this.change('hardwareVersion', v);
  }
  /** Machine::setHardwareUUID: an invalid UUID is a bare E_INVALIDARG; the machine's own id clears it. */
  setHardwareUUID(uuid: string) {
    const m = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(uuid.trim());
    if (!m) return bare('E_INVALIDARG');
    this.m.mutable();
    const id = m[1].toLowerCase();
    this.m.s.hardwareUUID = id === this.m.s.id.toLowerCase() ? '' : id;
    this.m.changed();
  }
  getCPUIDPortabilityLevel() { return this.val('cpuIdPortabilityLevel'); }
  setCPUIDPortabilityLevel(n: number) { this.change('cpuIdPortabilityLevel', n); }
  getCPUProfile() { return this.val('cpuProfile'); }
  /** Any name is taken ('' is "host"); the VM checks it against the database at power-up. */
  setCPUProfile(p: string) { this.change('cpuProfile', p || 'host'); }
  getPageFusionEnabled() { return this.val('pageFusion'); }
  setPageFusionEnabled(v: boolean) { this.change('pageFusion', !!v); }
  getPointingHIDType() { return this.val('pointingHID'); }
  setPointingHIDType(t: string) { this.change('pointingHID', t); }
  getKeyboardHIDType() { return this.val('keyboardHID'); }
  setKeyboardHIDType(t: string) { this.change('keyboardHID', t); }
  getEmulatedUSBCardReaderEnabled() { return this.val('usbCardReader'); }
  setEmulatedUSBCardReaderEnabled(v: boolean) { this.change('usbCardReader', !!v, 'MutableOrSaved'); }
  getParavirtProvider() { return this.val('paravirtProvider'); }
  setParavirtProvider(p: string) { this.change('paravirtProvider', p); }
  getParavirtDebug() { return this.val('paravirtDebug'); }
  setParavirtDebug(d: string) { this.change('paravirtDebug', d); }
  getIOCacheEnabled() { return this.val('ioCache'); }
  setIOCacheEnabled(v: boolean) { this.change('ioCache', !!v); }
  getIOCacheSize() { return this.val('ioCacheSize'); }
  setIOCacheSize(n: number) { this.change('ioCacheSize', n); }
  getTracingEnabled() { return this.val('tracingEnabled'); }
  setTracingEnabled(v: boolean) { this.change('tracingEnabled', !!v); }
  getTracingConfig() { return this.val('tracingConfig'); }
  setTracingConfig(c: string) { this.change('tracingConfig', c); }
  getAllowTracingToAccessVM() { return this.val('allowTracingToAccessVM'); }
  setAllowTracingToAccessVM(v: boolean) { this.change('allowTracingToAccessVM', !!v); }
  getAutostartDelay() { return this.val('autostartDelay'); }
  setAutostartDelay(n: number) { this.change('autostartDelay', n, 'MutableOrSavedOrRunning'); }
  getDefaultFrontend() { return this.val('defaultFrontend'); }
  setDefaultFrontend(f: string) { this.change('defaultFrontend', f, 'MutableOrSaved'); }
  getVMProcessPriority() { return this.val('vmProcessPriority'); }
  /** Taken in every state but Saved's transient ones; a running VM's process changes priority (no event). */
  setVMProcessPriority(p: string) { this.change('vmProcessPriority', p, 'MutableOrSavedOrRunning'); }
  getVMExecutionEngine() { return this.val('vmExecutionEngine'); }
  setVMExecutionEngine(e: string) { this.change('vmExecutionEngine', e, 'MutableOrSaved'); }
  getMemoryBalloonSize() { return this.m.s.memoryBalloonSize ?? 0; }
  /** Machine::setMemoryBalloonSize: below VMMDEV_MAX_MEMORY_BALLOON (90 % of the RAM), checked before the state. */
  setMemoryBalloonSize(mb: number) {
    const max = Math.floor((9 * this.m.s.memorySize) / 10);
    if (mb >= max) this.m.err('E_INVALIDARG', `Invalid memory balloon size: ${mb} MB (must be in range [0, ${max}] MB)`);
    this.m.mutable('MutableOrRunning');
    this.m.s.memoryBalloonSize = mb;
    this.m.changed();
  }

  /** Machine::getEffectiveParavirtProvider: Default and Legacy resolved for the OS type. */
  getEffectiveParavirtProvider() {
    const p = this.val('paravirtProvider');
    if (['None', 'HyperV', 'KVM', 'Minimal'].includes(p)) return p;
    const os = findGuestOSType(this.m.s.osTypeId);
    if (!os) return 'None';
    const mac = os.familyId === 'MacOS';
    if (p === 'Legacy') return mac ? 'Minimal' : 'None';
    const id = os.id;
    const hyperV = ['Windows11_64', 'Windows10', 'Windows10_64', 'Windows81', 'Windows81_64', 'Windows8', 'Windows8_64', 'Windows7',
      'Windows7_64', 'WindowsVista', 'WindowsVista_64', 'Windows2012', 'Windows2012_64', 'Windows2008', 'Windows2008_64'].includes(id) ||
      ((id.startsWith('Windows202') || id.startsWith('Windows201')) && id.endsWith('_64'));
    if (mac) return 'Minimal';
    if (hyperV) return 'HyperV';
    if (os.familyId === 'Linux' && !['Linux22', 'Linux24', 'Linux24_64'].includes(id)) return 'KVM';
    return 'None';
  }

  /** Machine::getSnapshotFolder: the full path (relative ones are in the machine's folder). */
  getSnapshotFolder() { return path.resolve(path.dirname(this.m.core.settingsFile), this.val('snapshotFolder')); }
  setSnapshotFolder(folder: string) {
    this.m.mutable();
    if (this.m.core.currentSnapshot) {
      this.m.err('E_FAIL', 'The snapshot folder of a machine with snapshots cannot be changed (please delete all snapshots first)');
    }
    const dir = path.dirname(this.m.core.settingsFile);
    const full = path.resolve(dir, folder || 'Snapshots');
    // Machine::i_copyPathRelativeToMachine: kept relative when inside the machine's folder.
    const rel = path.relative(dir, full);
    this.put('snapshotFolder', rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : full);
    this.m.changed();
  }

  // --- live changes (the running VM's console hears of them)
  /** Machine::setClipboardMode. */
  setClipboardMode(mode: string) {
    this.m.mutable('MutableOrRunning');
    tellConsole(this.m, (es) => new ClipboardModeChangedEvent(es, mode));
    this.m.s.clipboardMode = mode;
    this.m.changed();
    saveIfOnline(this.m);
  }
  getClipboardFileTransfersEnabled() { return this.val('clipboardFileTransfers'); }
  setClipboardFileTransfersEnabled(v: boolean) {
    this.m.mutable('MutableOrRunning');
    tellConsole(this.m, (es) => new ClipboardFileTransferModeChangedEvent(es, !!v));
    this.put('clipboardFileTransfers', !!v);
    this.m.changed();
    saveIfOnline(this.m);
  }
  getDnDMode() { return this.val('dndMode'); }
  setDnDMode(mode: string) {
    this.m.mutable('MutableOrRunning');
    tellConsole(this.m, (es) => new DnDModeChangedEvent(es, mode));
    this.put('dndMode', mode);
    this.m.changed();
    saveIfOnline(this.m);
  }
  /** Machine::setCPUExecutionCap (range checked by the caller, before the state). */
  setCPUExecutionCap(cap: number) {
    this.m.mutable('MutableOrRunning');
    tellConsole(this.m, (es) => new CPUExecutionCapChangedEvent(es, cap));
    this.m.s.cpuExecutionCap = cap;
    this.m.changed();
    saveIfOnline(this.m);
  }

  // --- CPU hot plug
  private attached(): number[] { return this.x.cpuAttached ?? []; }
  getCPUHotPlugEnabled() { return this.val('cpuHotPlug'); }
  /** Machine::setCPUHotPlugEnabled: on attaches the CPUs there are; off only when exactly those are attached. */
  setCPUHotPlugEnabled(v: boolean) {
    this.m.mutable();
    const on = !!v;
    if (on !== this.val('cpuHotPlug')) {
      const n = this.m.s.cpuCount;
      if (on) {
        this.put('cpuAttached', [...new Set([...this.attached(), ...Array.from({ length: n }, (_, i) => i)])].sort((a, b) => a - b));
      } else {
        const att = this.attached();
        if (att.length !== n || Math.max(...att, 0) >= n) {
          this.m.err('E_INVALIDARG', "CPU hotplugging can't be disabled because the maximum number of CPUs is not equal to the amount of CPUs attached");
        }
      }
      this.m.changed();
    }
    this.put('cpuHotPlug', on);
  }
  /** Machine::setCPUCount with hot plug on: no attached CPU may be left beyond the count (VirtualBox prints the count as the socket). */
  checkCPUCount(n: number): void {
    if (this.val('cpuHotPlug') && this.attached().some((c) => c >= n)) {
      this.m.err('E_INVALIDARG', `There is still a CPU attached to socket ${n}.Detach the CPU before removing the socket`);
    }
  }
  /** Machine::getCPUStatus: without hot plug the first cpuCount CPUs are there. */
  getCPUStatus(cpu: number) {
    if (!this.val('cpuHotPlug')) return cpu < this.m.s.cpuCount;
    return cpu < MAX_CPUS && this.attached().includes(cpu);
  }
  hotPlugCPU(cpu: number) {
    if (!this.val('cpuHotPlug')) this.m.err('E_INVALIDARG', 'CPU hotplug is not enabled');
    const n = this.m.s.cpuCount;
    if (cpu >= n) this.m.err('E_INVALIDARG', `CPU id exceeds number of possible CPUs [0:${n - 1}]`);
    if (this.attached().includes(cpu)) this.m.err('VBOX_E_OBJECT_IN_USE', `CPU ${cpu} is already attached`);
    this.m.mutable('MutableOrRunning');
    this.cpuChange(cpu, false);
    this.put('cpuAttached', [...this.attached(), cpu].sort((a, b) => a - b));
    this.m.changed();
    saveIfOnline(this.m);
  }
  hotUnplugCPU(cpu: number) {
    if (!this.val('cpuHotPlug')) this.m.err('E_INVALIDARG', 'CPU hotplug is not enabled');
    if (cpu >= MAX_CPUS) this.m.err('E_INVALIDARG', `CPU index exceeds maximum CPU count (must be in range [0:${MAX_CPUS}])`);
    if (!this.attached().includes(cpu)) this.m.err('VBOX_E_OBJECT_NOT_FOUND', `CPU ${cpu} is not attached`);
    if (cpu === 0) this.m.err('E_INVALIDARG', 'It is not possible to detach CPU 0');
    this.m.mutable('MutableOrRunning');
    this.cpuChange(cpu, true);
    this.put('cpuAttached', this.attached().filter((c) => c !== cpu));
    this.m.changed();
    saveIfOnline(this.m);
  }
  /**
   * Console::i_onCPUChange: a running VM adds or removes the CPU (i_doCPUAdd / i_doCPURemove need it
   * Running; vboxsim's guest ejects a CPU when asked), then ICPUChangedEvent.
   */
  private cpuChange(cpu: number, remove: boolean): void {
    tellConsole(this.m, (es) => new CPUChangedEvent(es, cpu, remove));
  }

  // --- autostart (AutostartDb on Linux: a counter file per user in the database folder)
  getAutostartEnabled() { return this.val('autostartEnabled'); }
  setAutostartEnabled(v: boolean) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (!!v === this.val('autostartEnabled')) return;
    this.autostartDb('start', !!v);
    this.put('autostartEnabled', !!v);
    this.m.changed();
  }
  getAutostopType() { return this.val('autostopType'); }
  setAutostopType(t: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (t === this.val('autostopType')) return;
    this.autostartDb('stop', t !== 'Disabled');
    this.put('autostopType', t);
    this.m.changed();
  }
  /** AutostartDb::autostartModifyDb: <db>/<user>.start|stop counts the machines; the file goes at 0. */
  private autostartDb(kind: 'start' | 'stop', add: boolean): void {
    const props = (this.m.core.host.parent as unknown as { getSystemProperties(): { autostartDatabasePath: string } }).getSystemProperties();
    const dir = props.autostartDatabasePath;
    const what = kind === 'start' ? 'autostart' : 'autostop';
    if (!dir) this.m.err('E_FAIL', 'The path to the autostart database is not set');
    const file = path.join(dir, `${os.userInfo().username}.${kind}`);
    try {
      if (!add && !fs.existsSync(file)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const n = (parseInt(text, 10) || 0) + (add ? 1 : -1);
      if (n > 0) fs.writeFileSync(file, String(n));
      else fs.rmSync(file, { force: true });
    } catch (e) {
      if (!(e as NodeJS.ErrnoException).code) throw e;
      const verb = add ? `Adding machine '${this.m.s.name}' to` : `Removing machine '${this.m.s.name}' from`;
      this.m.err('E_UNEXPECTED', `${verb} the ${what} database failed with ${iprtStatus(e)}`);
    }
  }

  // --- host PCI passthrough
  getPCIDeviceAssignments() {
    return (this.x.pciAssignments ?? []).map((a) => new PCIDeviceAttachment(a.name, a.hostAddress, a.guestAddress));
  }
  /** Machine::attachHostPCIDevice: ICH9 only; plugged at the next power-up. */
  attachHostPCIDevice(hostAddress: number, desiredGuestAddress: number, _tryToUnbind: boolean) {
    this.m.mutable();
    if (this.m.s.chipsetType !== 'ICH9') this.m.err('E_INVALIDARG', 'Host PCI attachment only supported with ICH9 chipset');
    const list = this.x.pciAssignments ?? [];
    if (list.some((a) => a.hostAddress === hostAddress)) this.m.err('E_INVALIDARG', 'Device with host PCI address already attached to this VM');
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    const name = `host${hex((hostAddress >> 8) & 0xff)}:${hex((hostAddress & 0xf8) >> 3)}.${(hostAddress & 7).toString(16)}`;
    this.put('pciAssignments', [...list, { name, hostAddress, guestAddress: desiredGuestAddress }]);
    this.m.changed();
  }
  /** Machine::detachHostPCIDevice: IHostPCIDevicePlugEvent (unplugged) on VirtualBox's event source. */
  detachHostPCIDevice(hostAddress: number) {
    this.m.mutable();
    const list = this.x.pciAssignments ?? [];
    const found = list.find((a) => a.hostAddress === hostAddress);
    if (!found) this.m.err('VBOX_E_OBJECT_NOT_FOUND', `No host PCI device ${(hostAddress >>> 0).toString(16).padStart(8, '0')} attached`);
    this.put('pciAssignments', list.filter((a) => a !== found));
    this.m.changed();
    const es = (this.m.core.host.parent as unknown as { getEventSource(): EventSource }).getEventSource();
    es.fire(new HostPCIDevicePlugEvent(es, this.m.s.id, false, true, new PCIDeviceAttachment(found.name, found.hostAddress, found.guestAddress), ''));
  }

  // --- the console window (headless VMs veto showing one)
  private requireLocked(code: 'VBOX_E_INVALID_VM_STATE' | 'E_FAIL'): void {
    const st = this.m.core.sessionState;
    if (st !== 'Locked') this.m.err(code, `Machine is not locked for session (session state: ${st})`);
  }
  /** Machine::canShowConsoleWindow: VBoxHeadless vetoes ICanShowWindowEvent. */
  canShowConsoleWindow() {
    this.requireLocked('VBOX_E_INVALID_VM_STATE');
    return false;
  }
  /** Machine::showConsoleWindow: no window, id 0. */
  showConsoleWindow() {
    this.requireLocked('E_FAIL');
    return 0;
  }

  // --- the saved state's screen (core.savedScreen of a Saved machine)
  private savedScreen(): Screen | null {
    const st = this.m.core.state;
    const state = this.m.snapshot ? undefined : this.m.core.savedScreen;
    if (!state || (st !== 'Saved' && st !== 'AbortedSaved')) return null;
    return new Screen({ machineName: this.m.core.name, hostName: '', state });
  }
  querySavedGuestScreenInfo(screenId: number) {
    const s = this.savedScreen();
    if (!s || screenId !== 0) this.m.err('VBOX_E_IPRT_ERROR', `Saved guest size is not available (${s ? 'VERR_NOT_FOUND' : 'VERR_NOT_SUPPORTED'})`);
    return { originX: 0, originY: 0, width: s.width, height: s.height, enabled: true };
  }
  querySavedScreenshotInfo(screenId: number) {
    if (screenId !== 0) bare('E_NOTIMPL');
    const s = this.savedScreen();
    if (!s) this.m.err('VBOX_E_IPRT_ERROR', 'Saved screenshot data is not available (VERR_NOT_SUPPORTED)');
    return { width: s.width, height: s.height, returnval: ['PNG'] };
  }
  /** The thumbnail the VM saves: a quarter of the screen's size (DisplayImpl's thumbnail), in the format asked for. */
  readSavedThumbnailToArray(screenId: number, format: string) {
    return this.savedImage(screenId, format, 'Saved thumbnail data is not available', 4);
  }
  readSavedScreenshotToArray(screenId: number, format: string) {
    if (screenId !== 0) bare('E_NOTIMPL');
    if (format !== 'PNG') this.m.err('E_NOTIMPL', `Unsupported saved screenshot format 0x${bitmapFormatCode(format)}`);
    return this.savedImage(screenId, format, 'Saved screenshot thumbnail data is not available', 1);
  }
  private savedImage(screenId: number, format: string, missing: string, scale: number) {
    if (screenId !== 0) bare('E_NOTIMPL');
    if (!['BGR0', 'BGRA', 'RGBA', 'PNG'].includes(format)) this.m.err('E_NOTIMPL', `Unsupported saved thumbnail format 0x${bitmapFormatCode(format)}`);
    const s = this.savedScreen();
    if (!s) this.m.err('VBOX_E_IPRT_ERROR', `${missing} (VERR_NOT_SUPPORTED)`);
    const width = Math.max(1, Math.floor(s.width / scale));
    const height = Math.max(1, Math.floor(s.height / scale));
    if (format === 'PNG') return { width, height, returnval: s.png(width, height).toString('base64') };
    const src = s.render();
    const out = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const si = ((y * scale) * s.width + x * scale) * 4;
        const di = (y * width + x) * 4;
        const [b, g, r] = [src[si], src[si + 1], src[si + 2]];
        if (format === 'RGBA') { out[di] = r; out[di + 1] = g; out[di + 2] = b; } else { out[di] = b; out[di + 1] = g; out[di + 2] = r; }
        out[di + 3] = format === 'BGR0' ? 0 : 255;
      }
    }
    return { width, height, returnval: out.toString('base64') };
  }

  /**
   * Machine::applyDefaults: the OS type's recommended RAM, CPUs, graphics, audio, storage controllers,
   * USB controllers, HID types, Secure Boot keys and the default recording settings. The platform,
   * firmware, TPM and network adapter defaults are a new machine's already (settings.ts, firmware.ts).
   */
  applyDefaults(_flags: string) {
    const m = this.m;
    const os = findGuestOSType(m.s.osTypeId);
    if (!os) fail('VBOX_E_OBJECT_NOT_FOUND', `'${m.s.osTypeId}' is not a valid Guest OS type`);
    delete (m.s.extras ??= {}).recording;
    m.s.memorySize = os.recommendedRAM;
    m.s.cpuCount = os.recommendedCPUCount;
    const call = (obj: unknown, method: string, ...args: unknown[]) => {
      const f = (obj as Record<string, unknown> | null)?.[method];
      return typeof f === 'function' ? (f as (...a: unknown[]) => unknown).apply(obj, args) : undefined;
    };
    const gfx = m.getGraphicsAdapter();
    call(gfx, 'setGraphicsControllerType', os.recommendedGraphicsController);
    call(gfx, 'setVRAMSize', os.recommendedVRAM);
    const audio = call(call(m, 'getAudioSettings'), 'getAdapter');
    call(audio, 'setAudioController', os.recommendedAudioController);
    call(audio, 'setAudioCodec', os.recommendedAudioCodec);
    applyNvramDefaults(m, os);
    // StorageController::i_controllerNameFromBusType names them as the GUI does.
    const nameOf = (bus: string) => (bus === 'PCIe' ? 'NVMe' : bus);
    if (os.recommendedFloppy) m.addStorageController('Floppy', 'Floppy');
    const dvd = m.addStorageController(nameOf(os.recommendedDVDStorageBus), os.recommendedDVDStorageBus);
    dvd.setControllerType(os.recommendedDVDStorageController);
    let hd = dvd;
    if (os.recommendedHDStorageBus !== os.recommendedDVDStorageBus && os.recommendedHDStorageController !== os.recommendedDVDStorageController) {
      hd = m.addStorageController(nameOf(os.recommendedHDStorageBus), os.recommendedHDStorageBus);
      hd.setControllerType(os.recommendedHDStorageController);
    }
    // Windows has trouble with many AHCI ports: one per drive.
    if (os.recommendedHDStorageController === 'IntelAhci') hd.setPortCount(1 + (os.recommendedDVDStorageController === 'IntelAhci' ? 1 : 0));
    else if (os.recommendedDVDStorageController === 'IntelAhci') hd.setPortCount(1);
    if (os.recommendedHDStorageController === 'VirtioSCSI') hd.setPortCount(2);
    // USB controllers (xHCI includes OHCI), then the HID types the OS type recommends.
    const usb = (name: string, type: string) => call(m, 'addUSBController', name, type);
    let ohci = false;
    if (os.recommendedUSB3) { usb('XHCI', 'XHCI'); ohci = true; }
    if (!ohci && os.recommendedUSB) { usb('OHCI', 'OHCI'); usb('EHCI', 'EHCI'); ohci = true; }
    if (os.recommendedUSBHID) {
      this.put('keyboardHID', 'USBKeyboard');
      this.put('pointingHID', 'USBMouse');
      if (!ohci) { usb('OHCI', 'OHCI'); ohci = true; }
    }
    if (os.recommendedUSBTablet) {
      this.put('pointingHID', 'USBTablet');
      if (!ohci) usb('OHCI', 'OHCI');
    }
    m.changed();
  }

  /**
   * SessionMachine::adoptSavedState: a powered-off machine takes a saved state file and is Saved (its
   * screen as the file keeps it, else a fresh one); Machine's own object answers E_NOTIMPL once mutable.
   */
  adoptSavedState(file: string) {
    this.m.mutable();
    if (!this.m.isSession) bare('E_NOTIMPL');
    const st = this.m.core.state;
    if (!['PoweredOff', 'Teleported', 'Aborted'].includes(st)) {
      this.m.err('VBOX_E_INVALID_VM_STATE', `Cannot adopt the saved machine state as the machine is not in Powered Off, Teleported or Aborted state (machine state: ${st})`);
    }
    this.m.core.savedScreen = readScreenState(path.resolve(path.dirname(this.m.core.settingsFile), file));
    this.m.core.setState('Saved');
  }

  // --- encryption: no extension pack provides VirtualBox's cryptographic module
  /** VirtualBox::i_retainCryptoIf's error (VirtualBox's own object raises it). */
  private noCrypto(): never {
    return fail('VBOX_E_OBJECT_NOT_FOUND', NO_CRYPTO);
  }
  getEncryptionSettings() { return this.noCrypto(); }
  checkEncryptionPassword(_password: string) { return this.noCrypto(); }
  /** Machine::addEncryptionPassword: the key store takes it (nothing uses it without the module). */
  addEncryptionPassword(_id: string, _password: string) { /* kept by VirtualBox's key store only */ }
  addEncryptionPasswords(_ids: string[], _passwords: string[]) { /* as addEncryptionPassword */ }
  removeEncryptionPassword(_id: string) { /* nothing to remove without a module */ }
  clearAllEncryptionPasswords() { /* as removeEncryptionPassword */ }
  /** Machine::changeEncryption: the task starts and fails for want of the module. */
  changeEncryption() {
    const p = new Progress({ description: 'Change encryption', initiator: this.m, cancelable: true });
    p.failWith(new VBoxFault('VBOX_E_OBJECT_NOT_FOUND', NO_CRYPTO, 'VirtualBoxWrap', 'IVirtualBox'));
    return p;
  }
}

/** A saved screen as vboxsim's saved state files hold it (JSON), else a screen that starts afresh. */
function readScreenState(file: string): ScreenState {
  try {
    const st = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ScreenState>;
    if (typeof st.bootedAt === 'number' && typeof st.typed === 'string') return { bootedAt: st.bootedAt, typed: st.typed };
  } catch {
    // not one of vboxsim's: the guest's screen starts afresh
  }
  return { bootedAt: Date.now(), typed: '' };
}

/** VirtualBox's text (with its typo, U+0143) when no extension pack has a cryptographic module. */
const NO_CRYPTO = '\u0143o extension pack providing a cryptographic support module could be found';

/** BitmapFormat's values (FOURCC codes), as VirtualBox prints an unsupported one. */
function bitmapFormatCode(format: string): string {
  const codes: Record<string, number> = { Opaque: 0, BGR: 0x20524742, BGR0: 0x30524742, BGRA: 0x41524742, RGBA: 0x41424752, PNG: 0x20474e50, JPEG: 0x4745504a };
  return (codes[format] ?? 0).toString(16).toUpperCase().padStart(8, '0');
}

/** IGuestDebugControl: the guest debugger's settings (MutableOrSavedOrRunning). */
export class GuestDebugControl implements ManagedObject {
  readonly iface = 'IGuestDebugControl';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  private get d() { return this.m.s.extras?.guestDebug ?? { provider: 'None', ioProvider: 'None', address: '', port: 0 }; }
  private set(k: keyof NonNullable<MachineExtras['guestDebug']>, v: string | number) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (this.d[k] === v) return;
    (this.m.s.extras ??= {}).guestDebug = { ...this.d, [k]: v };
    this.m.changed();
  }
  getDebugProvider() { return this.d.provider; }
  setDebugProvider(v: string) { this.set('provider', v); }
  getDebugIoProvider() { return this.d.ioProvider; }
  setDebugIoProvider(v: string) { this.set('ioProvider', v); }
  getDebugAddress() { return this.d.address; }
  setDebugAddress(v: string) { this.set('address', v); }
  getDebugPort() { return this.d.port; }
  setDebugPort(v: number) { this.set('port', v); }
}

/**
 * IRecordingSettings. This build has no recording (VBOX_WITH_RECORDING off, as the real server here):
 * start and progress are not implemented; the settings are kept.
 */
export class RecordingSettings implements ManagedObject {
  readonly iface = 'IRecordingSettings';
  private readonly screens = new Map<number, RecordingScreenSettings>();
  /** Changes made through a registered machine's own (immutable) object: kept by the object, never saved. */
  private local: NonNullable<MachineExtras['recording']> | null = null;
  constructor(readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  get data() { return this.local ?? this.m.s.extras?.recording ?? { enabled: false, screens: {} }; }
  write(f: (r: NonNullable<MachineExtras['recording']>) => void): void {
    const r = structuredClone(this.data);
    f(r);
    if (this.m.core.registered && !this.m.isSession) this.local = r;
    else (this.m.s.extras ??= {}).recording = r;
  }
  getEnabled() { return this.data.enabled; }
  /** RecordingSettings::setEnabled: backed up, but the machine is not marked modified. */
  setEnabled(v: boolean) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (!!v !== this.data.enabled) this.write((r) => { r.enabled = !!v; });
  }
  /** One per monitor of the graphics adapter (i_syncToMachineDisplays). */
  getScreens() {
    const n = Number(this.m.getGraphicsAdapter().getMonitorCount());
    return Array.from({ length: n }, (_, i) => this.screen(i));
  }
  getScreenSettings(screenId: number) {
    const n = Number(this.m.getGraphicsAdapter().getMonitorCount());
    if (screenId + 1 > n) fail('E_INVALIDARG', 'Invalid screen ID specified', this.iface);
    return this.screen(screenId);
  }
  private screen(id: number): RecordingScreenSettings {
    let s = this.screens.get(id);
    if (!s) this.screens.set(id, (s = new RecordingScreenSettings(this, id)));
    return s;
  }
  getProgress(): never { return fail('E_NOTIMPL', 'Method getProgress is not implemented', this.iface); }
  start(): never { return fail('E_NOTIMPL', 'Method start is not implemented', this.iface); }
  /** RecordingSettings::i_canChangeSettings: not while recording is on and the machine runs. */
  canChange(): boolean { return !(RUNNING_STATES.has(this.m.core.state) && this.data.enabled); }
}

type ScreenKey = keyof RecordingScreenData;

/** IRecordingScreenSettings of one monitor. Its setters check no machine state (RecordingScreenSettingsImpl.cpp). */
export class RecordingScreenSettings implements ManagedObject {
  readonly iface = 'IRecordingScreenSettings';
  constructor(private readonly parent: RecordingSettings, readonly id: number) {}
  ready() { notReady(this.parent.m, this.iface); }
  private get d(): RecordingScreenData { return { ...defaultScreen(this.id), ...(this.parent.data.screens[this.id] ?? {}) }; }
  private set<K extends ScreenKey>(what: string, k: K, v: RecordingScreenData[K]): void {
    if (!this.parent.canChange()) fail('E_INVALIDARG', `Cannot change ${what} while recording is enabled`, this.iface);
    if (JSON.stringify(this.d[k]) === JSON.stringify(v)) return;
    this.parent.write((r) => { r.screens[this.id] = { ...(r.screens[this.id] ?? {}), [k]: v }; });
    this.parent.m.changed();
  }
  private check(what: string): void {
    if (!this.parent.canChange()) fail('E_INVALIDARG', `Cannot change ${what} while recording is enabled`, this.iface);
  }
  getId() { return this.id; }
  getEnabled() { return this.d.enabled; }
  setEnabled(v: boolean) {
    if (!this.parent.canChange()) fail('E_INVALIDARG', 'Cannot change enabled state of screen while recording is enabled', this.iface);
    this.set('enabled state of screen', 'enabled', !!v);
  }
  getFeatures() { return this.d.features; }
  /** Video and Audio are kept (in the feature map's enum order), anything else is dropped. */
  setFeatures(features: string[]) {
    this.set('features', 'features', ['Video', 'Audio'].filter((f) => features.includes(f)));
  }
  isFeatureEnabled(feature: string) { return this.d.features.includes(feature); }
  getDestination() { return this.d.destination; }
  setDestination(dest: string) {
    this.check('destination type');
    if (dest !== 'File') fail('E_INVALIDARG', 'Destination type invalid / not supported', this.iface);
    this.set('destination type', 'destination', dest);
  }
  /** '' or '.': the default file next to the settings file. */
  getFilename() {
    const f = this.d.filename;
    return f && f !== '.' ? f : `${this.parent.m.core.settingsFile.replace(/\.[^./]*$/, '')}-screen${this.id}.webm`;
  }
  /** RecordingSettings::i_getFilename: absolute only; the name always ends in -screen<n>.webm. */
  setFilename(name: string) {
    this.check('file name');
    if (name && !path.isAbsolute(name)) fail('E_INVALIDARG', `Recording file name '${name}' is not absolute`, this.iface);
    if (name === this.d.filename) return;
    let f = name;
    if (!f) f = `${this.parent.m.core.settingsFile.replace(/\.[^./]*$/, '')}-screen${this.id}.webm`;
    else {
      f = f.replace(/\.[^./]*$/, '');
      const suffix = `-screen${this.id}`;
      if (!f.toLowerCase().endsWith(suffix)) {
        if (f.toLowerCase().endsWith('-screen0')) f = f.slice(0, -'-screen0'.length);
        f += suffix;
      }
      f += '.webm';
    }
    this.set('file name', 'filename', f);
  }
  getMaxTime() { return this.d.maxTime; }
  setMaxTime(v: number) { this.set('maximum time', 'maxTime', v); }
  getMaxFileSize() { return this.d.maxFileSize; }
  setMaxFileSize(v: number) { this.set('maximum file size', 'maxFileSize', v); }
  getOptions() { return this.d.options; }
  setOptions(v: string) { this.set('options', 'options', v); }
  getAudioCodec() { return this.d.audioCodec; }
  setAudioCodec(v: string) {
    this.check('audio codec');
    if (v !== 'OggVorbis') fail('E_INVALIDARG', 'Audio codec not supported', this.iface);
    this.set('audio codec', 'audioCodec', v);
  }
  getAudioDeadline() { return this.d.audioDeadline; }
  setAudioDeadline(v: string) { this.set('audio deadline', 'audioDeadline', v); }
  getAudioRateControlMode() { return 'VBR'; }
  /** Not implemented in VirtualBox: a bare E_NOTIMPL once the state allows a change. */
  setAudioRateControlMode(_v: string) { this.check('audio rate control mode'); bare('E_NOTIMPL'); }
  getAudioHz() { return this.d.audioHz; }
  setAudioHz(v: number) { this.set('audio Hertz rate', 'audioHz', v & 0xffff); }
  getAudioBits() { return this.d.audioBits; }
  setAudioBits(v: number) { this.set('audio bits', 'audioBits', v & 0xff); }
  getAudioChannels() { return this.d.audioChannels; }
  setAudioChannels(v: number) { this.set('audio channels', 'audioChannels', v & 0xff); }
  getVideoCodec() { return this.d.videoCodec; }
  setVideoCodec(v: string) {
    this.check('video codec');
    if (v !== 'VP8') fail('E_INVALIDARG', 'Video codec not supported', this.iface);
    this.set('video codec', 'videoCodec', v);
  }
  getVideoDeadline() { return this.d.videoDeadline; }
  setVideoDeadline(v: string) { this.set('video deadline', 'videoDeadline', v); }
  getVideoWidth() { return this.d.videoWidth; }
  setVideoWidth(v: number) { this.set('video width', 'videoWidth', v); }
  getVideoHeight() { return this.d.videoHeight; }
  setVideoHeight(v: number) { this.set('video height', 'videoHeight', v); }
  getVideoRate() { return this.d.videoRate; }
  setVideoRate(v: number) { this.set('video rate', 'videoRate', v); }
  getVideoRateControlMode() { return 'VBR'; }
  setVideoRateControlMode(_v: string) { this.check('video rate control mode'); bare('E_NOTIMPL'); }
  getVideoFPS() { return this.d.videoFPS; }
  setVideoFPS(v: number) { this.set('video FPS', 'videoFPS', v); }
  getVideoScalingMode() { return 'None'; }
  setVideoScalingMode(_v: string) { this.check('video scaling mode'); bare('E_NOTIMPL'); }
}
