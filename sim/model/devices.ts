// IGraphicsAdapter, IAudioSettings / IAudioAdapter / IHostAudioDevice, IVRDEServer, ISerialPort and
// IParallelPort of a machine, as VirtualBox 7.1.12 has them (GraphicsAdapterImpl.cpp, AudioSettingsImpl.cpp,
// AudioAdapterImpl.cpp, HostAudioDeviceImpl.cpp, VRDEServerImpl.cpp, SerialPortImpl.cpp, ParallelPortImpl.cpp;
// defaults from Settings.cpp and the i_applyDefaults of each). Live changes reach a running machine through
// the VM process's session machine (SessionMachine::i_on…Change → Console::i_on…Change).
import { bare, fail, notReady, type ManagedObject } from './base';
import type { Machine, MachineCore, StateDep } from './machine';
import type { MachineSettings } from './settings';
import { supportedVRAMRange } from './system-properties';
import type { VM } from './vm';

// ---------------------------------------------------------------------------------------------
// Settings (the S3 fields of MachineSettings; absent in older files: VirtualBox's defaults)

/** <Display> beyond the controller type and VRAM size (settings::GraphicsAdapter). */
export interface DisplaySettings {
  monitorCount: number;
  accelerate3D: boolean;
  accelerate2DVideo: boolean;
}

/** <AudioAdapter> beyond "enabled" (settings::AudioAdapter). */
export interface AudioSettingsData {
  enabledIn: boolean;
  enabledOut: boolean;
  controller: string;
  codec: string;
  driver: string;
  properties: Record<string, string>;
}

/** <RemoteDisplay> beyond MachineSettings.vrde (settings::VRDESettings). */
export interface VrdeExtraSettings {
  reuseSingleConnection: boolean;
  authLibrary: string;
}

/** <Port> of <UART> (settings::SerialPort). */
export interface SerialPortSettings {
  slot: number;
  enabled: boolean;
  ioAddress: number;
  irq: number;
  hostMode: string;
  server: boolean;
  path: string;
  uartType: string;
}

/** <Port> of <LPT> (settings::ParallelPort). */
export interface ParallelPortSettings {
  slot: number;
  enabled: boolean;
  ioBase: number;
  irq: number;
  path: string;
}

/** SchemaDefs::SerialPortCount, ParallelPortCount, MaxGuestMonitors. */
export const SERIAL_PORT_COUNT = 4;
export const PARALLEL_PORT_COUNT = 2;
export const MAX_GUEST_MONITORS = 64;

/** SerialPort::i_applyDefaults: the PC's COM1–COM4 (no OS type vboxsim knows enables one). */
const COM = [[0x3f8, 4], [0x2f8, 3], [0x3e8, 4], [0x2e8, 3]];
/** ParallelPort::i_applyDefaults: LPT1 and LPT2. */
const LPT = [[0x378, 7], [0x278, 5]];

export const defaultSerialPort = (slot: number): SerialPortSettings => ({
  slot, enabled: false, ioAddress: COM[slot][0], irq: COM[slot][1], hostMode: 'Disconnected', server: false, path: '', uartType: 'U16550A',
});
export const defaultParallelPort = (slot: number): ParallelPortSettings => ({ slot, enabled: false, ioBase: LPT[slot][0], irq: LPT[slot][1], path: '' });

/** A machine's device settings, the defaults filled in where its settings (an older file) have none. */
export function displayOf(s: MachineSettings): DisplaySettings {
  return (s.display ??= { monitorCount: 1, accelerate3D: false, accelerate2DVideo: false });
}
/** AudioAdapter::init: driver Default, input and output off, AC97 with STAC9700 (settings::AudioAdapter). */
export function audioOf(s: MachineSettings): AudioSettingsData {
  return (s.audio ??= { enabledIn: false, enabledOut: false, controller: 'AC97', codec: 'STAC9700', driver: 'Default', properties: {} });
}
export function vrdeExtraOf(s: MachineSettings): VrdeExtraSettings {
  return (s.vrdeExtra ??= { reuseSingleConnection: false, authLibrary: '' });
}
export function serialPortsOf(s: MachineSettings): SerialPortSettings[] {
  return (s.serialPorts ??= Array.from({ length: SERIAL_PORT_COUNT }, (_, i) => defaultSerialPort(i)));
}
export function parallelPortsOf(s: MachineSettings): ParallelPortSettings[] {
  return (s.parallelPorts ??= Array.from({ length: PARALLEL_PORT_COUNT }, (_, i) => defaultParallelPort(i)));
}

/**
 * Every copy of a machine's settings that shares VirtualBox's data with the machine: the committed
 * ones and the working copies of its session machines (the write lock's and the VM process's). A
 * change VirtualBox makes without Backupable::backup() lands in all of them at once.
 */
export function sharedCopies(core: MachineCore): MachineSettings[] {
  const out = new Set<MachineSettings>([core.settings]);
  const holder = core.lockedBy;
  if (holder && holder !== 'vm' && holder.sessionMachine && !holder.sessionMachine.isGone) out.add(holder.sessionMachine.s);
  if (core.vm && !core.vm.isEnded) out.add(core.vm.machine.s);
  return [...out];
}

/** The running VM whose own session machine `m` is (SessionMachine's direct control with LockType_VM), else null. */
export function vmOf(m: Machine): VM | null {
  const vm = m.core.vm;
  return m.isSession && vm && !vm.isEnded && vm.machine === m ? vm : null;
}

/**
 * Backupable::backup per part: a part backed up in this settings generation has its own data in the
 * session; one not backed up still shares the machine's (writes without backup reach every copy).
 */
const backups = new WeakMap<Machine, Map<string, number>>();
function backup(m: Machine, part: string): void {
  let parts = backups.get(m);
  if (!parts) backups.set(m, (parts = new Map()));
  parts.set(part, m.settingsGeneration);
}
const isBackedUp = (m: Machine, part: string) => backups.get(m)?.get(part) === m.settingsGeneration;

/** A write VirtualBox makes without backup: to the session's own data once backed up, else to every shared copy. */
function writeShared(m: Machine, part: string, f: (s: MachineSettings) => void): void {
  if (!m.isSession || isBackedUp(m, part)) f(m.s);
  else for (const s of new Set([...sharedCopies(m.core), m.s])) f(s);
}

/**
 * Machine::i_rollback(aNotify) for the devices (discardSettings of the VM's session machine): the running
 * VM hears of its shared folders, its VRDE server (restarted as now set) and each port that went back.
 */
export function devicesRolledBack(m: Machine, before: MachineSettings): void {
  const vm = vmOf(m);
  if (!vm) return;
  const differ = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  const now = m.s;
  if (differ(before.sharedFolders ?? [], now.sharedFolders ?? [])) vm.console.sharedFolderChange('Machine');
  if (differ([before.vrde, before.vrdeExtra], [now.vrde, now.vrdeExtra])) void vm.vrdeServerChange().catch(() => undefined);
  const [serialBefore, serialNow] = [serialPortsOf(before), serialPortsOf(now)];
  serialNow.forEach((p, slot) => { if (differ(p, serialBefore[slot])) vm.console.serialPortChange(m.getSerialPort(slot)); });
  const [lptBefore, lptNow] = [parallelPortsOf(before), parallelPortsOf(now)];
  lptNow.forEach((p, slot) => { if (differ(p, lptBefore[slot])) vm.console.parallelPortChange(m.getParallelPort(slot)); });
}

// ---------------------------------------------------------------------------------------------
// IGraphicsAdapter

const GRAPHICS_CONTROLLERS = ['Null', 'VBoxVGA', 'VMSVGA', 'VBoxSVGA', 'QemuRamFB'];

/**
 * PlatformProperties::s_isGraphicsControllerFeatureSupported: VMSVGA and VBoxSVGA would have 3D with
 * VBOX_WITH_3D_ACCELERATION, which VirtualBox 7.1.12's server here is built without (it refuses 3D for every
 * controller, as IPlatformProperties::getSupportedGfxFeaturesForType says), so vboxsim's hosts have no feature.
 */
const graphicsFeatureSupported = (_controller: string, _feature: string): boolean => false;

export class GraphicsAdapter implements ManagedObject {
  readonly iface = 'IGraphicsAdapter';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  private get d() { return displayOf(this.m.s); }
  private supports(feature: string): boolean { return graphicsFeatureSupported(this.m.s.graphicsControllerType, feature); }

  getGraphicsControllerType() { return this.m.s.graphicsControllerType; }
  /** A controller without a feature turns it off (i_updateFeatures). */
  setGraphicsControllerType(t: string) {
    if (!GRAPHICS_CONTROLLERS.includes(t)) fail('E_INVALIDARG', `The graphics controller type (${GRAPHICS_CONTROLLERS.indexOf(t)}) is invalid`, this.iface);
    this.m.mutable();
    if (this.m.s.graphicsControllerType === t) return;
    this.m.s.graphicsControllerType = t;
    if (this.d.accelerate3D) this.d.accelerate3D = this.supports('Acceleration3D');
    if (this.d.accelerate2DVideo) this.d.accelerate2DVideo = this.supports('Acceleration2DVideo');
    this.m.changed();
  }
  getVRAMSize() { return this.m.s.vramSize; }
  setVRAMSize(n: number) {
    this.m.mutable();
    const r = supportedVRAMRange(this.m.s.graphicsControllerType, this.d.accelerate3D);
    if (!r) fail('E_INVALIDARG', 'Error getting VRAM range for selected graphics controller', this.iface);
    if (n < r.minMB || n > r.maxMB) fail('E_INVALIDARG', `Invalid VRAM size: ${n} MB (must be in range [${r.minMB}, ${r.maxMB}] MB)`, this.iface);
    this.m.s.vramSize = n;
    this.m.changed();
  }
  getMonitorCount() { return this.d.monitorCount; }
  setMonitorCount(n: number) {
    if (n < 1 || n > MAX_GUEST_MONITORS) fail('E_INVALIDARG', `Invalid monitor count: ${n} (must be in range [1, ${MAX_GUEST_MONITORS}])`, this.iface);
    this.m.mutable();
    this.d.monitorCount = n;
    this.m.changed();
  }
  /** Turning a feature on needs a controller that has it; turning off is always allowed (but None is no feature). */
  setFeature(feature: string, enabled: boolean) {
    this.m.mutable();
    if (enabled && !this.supports(feature)) fail('VBOX_E_NOT_SUPPORTED', 'The graphics controller does not support the given feature', this.iface);
    const key = feature === 'Acceleration3D' ? 'accelerate3D' : feature === 'Acceleration2DVideo' ? 'accelerate2DVideo' : null;
    if (!key) fail('E_NOTIMPL', 'The given feature is not implemented', this.iface);
    if (this.d[key] === enabled) return;
    this.d[key] = enabled;
    this.m.changed();
  }
  /** A feature the controller lacks reads as off, whatever the settings say. */
  isFeatureEnabled(feature: string) {
    if (!this.supports(feature)) return false;
    return feature === 'Acceleration3D' ? this.d.accelerate3D : feature === 'Acceleration2DVideo' ? this.d.accelerate2DVideo : false;
  }
}

// ---------------------------------------------------------------------------------------------
// IAudioSettings, IAudioAdapter, IHostAudioDevice

const AUDIO_CODECS = ['Null', 'SB16', 'STAC9700', 'AD1980', 'STAC9221'];
/** AudioAdapter::setAudioController: the codec that goes with each controller. */
const DEFAULT_CODEC: Record<string, string> = { AC97: 'STAC9700', SB16: 'SB16', HDA: 'STAC9221', VirtioSound: 'Null' };
/**
 * MachineConfigFile::isAudioDriverAllowedOnThisHost: Default and Null always, and the backends the build has;
 * VirtualBox 7.1.12's server here (Linux) takes OSS but neither ALSA nor PulseAudio, and so do vboxsim's hosts.
 */
export const HOST_AUDIO_DRIVERS = ['Default', 'Null', 'OSS'];

export class AudioSettings implements ManagedObject {
  readonly iface = 'IAudioSettings';
  private readonly adapter: AudioAdapter;
  constructor(private readonly m: Machine) { this.adapter = new AudioAdapter(m); }
  ready() { notReady(this.m, this.iface); }
  getAdapter() { return this.adapter; }
  /** VirtualBox 7.1 has no host audio device selection yet (ReturnComNotImplemented). */
  getHostAudioDevice(_usage: string) { return fail('E_NOTIMPL', 'Method getHostAudioDevice is not implemented', this.iface); }
  setHostAudioDevice(_device: HostAudioDevice | null, _usage: string) { fail('E_NOTIMPL', 'Method setHostAudioDevice is not implemented', this.iface); }
}

export class AudioAdapter implements ManagedObject {
  readonly iface = 'IAudioAdapter';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  private get a() { return audioOf(this.m.s); }

  /** AudioSettings::i_onSettingsChanged, and for on/off, input and output the running VM hears of it (IAudioAdapterChangedEvent). */
  private update(dep: StateDep, apply: () => boolean, notify: boolean): void {
    this.m.mutable(dep);
    if (!apply()) return;
    backup(this.m, 'audio');
    this.m.changed();
    if (notify) vmOf(this.m)?.console.audioAdapterChange(this);
  }

  getEnabled() { return this.m.s.audioEnabled; }
  setEnabled(v: boolean) {
    this.update('Mutable', () => this.m.s.audioEnabled !== v && ((this.m.s.audioEnabled = v), true), true);
  }
  getEnabledIn() { return this.a.enabledIn; }
  setEnabledIn(v: boolean) { this.update('MutableOrSavedOrRunning', () => this.a.enabledIn !== v && ((this.a.enabledIn = v), true), true); }
  getEnabledOut() { return this.a.enabledOut; }
  setEnabledOut(v: boolean) { this.update('MutableOrSavedOrRunning', () => this.a.enabledOut !== v && ((this.a.enabledOut = v), true), true); }
  getAudioDriver() { return this.a.driver; }
  /** A driver this host cannot have fails without error info (AssertMsgFailed, E_FAIL). */
  setAudioDriver(d: string) {
    this.update('MutableOrSaved', () => {
      if (this.a.driver === d) return false;
      if (!HOST_AUDIO_DRIVERS.includes(d)) bare('E_FAIL');
      this.a.driver = d;
      return true;
    }, false);
  }
  getAudioController() { return this.a.controller; }
  /** The codec follows the controller. */
  setAudioController(c: string) {
    this.update('Mutable', () => {
      if (this.a.controller === c) return false;
      this.a.controller = c;
      this.a.codec = DEFAULT_CODEC[c] ?? 'Null';
      return true;
    }, false);
  }
  getAudioCodec() { return this.a.codec; }
  /** Only the codecs the controller has: AC97 STAC9700 or AD1980, SB16 SB16, HDA STAC9221; VirtioSound takes any. */
  setAudioCodec(codec: string) {
    this.m.mutable();
    const ok = { AC97: ['STAC9700', 'AD1980'], SB16: ['SB16'], HDA: ['STAC9221'] }[this.a.controller];
    if (ok && !ok.includes(codec)) fail('E_INVALIDARG', `Invalid audio codec type ${AUDIO_CODECS.indexOf(codec)}`, this.iface);
    this.update('Mutable', () => this.a.codec !== codec && ((this.a.codec = codec), true), false);
  }
  getPropertiesList() { return Object.keys(this.a.properties); }
  getProperty(key: string) { return this.a.properties[key] ?? ''; }
  /** Written without backup and without marking the machine modified, as AudioAdapter::setProperty does. */
  setProperty(key: string, value: string) {
    this.m.mutable();
    writeShared(this.m, 'audio', (s) => {
      const p = audioOf(s).properties;
      if (value === '') delete p[key];
      else p[key] = value;
    });
  }
}

/**
 * IHostAudioDevice. VirtualBox 7.1 lists no host audio devices (IHost::getAudioDevices and
 * IAudioSettings::getHostAudioDevice are not implemented there), so vboxsim hands none out either;
 * the class answers for its attributes as a device would.
 */
export class HostAudioDevice implements ManagedObject {
  readonly iface = 'IHostAudioDevice';
  constructor(
    readonly id: string, private name: string, private type = 'BuiltLin', private usage = 'Duplex',
    private defaultIn = true, private defaultOut = true, private hotPlug = false, private state = 'Active',
  ) {}
  getId() { return this.id; }
  getName() { return this.name; }
  setName(v: string) { this.name = v; }
  getType() { return this.type; }
  setType(v: string) { this.type = v; }
  getUsage() { return this.usage; }
  setUsage(v: string) { this.usage = v; }
  getDefaultIn() { return this.defaultIn; }
  setDefaultIn(v: boolean) { this.defaultIn = v; }
  getDefaultOut() { return this.defaultOut; }
  setDefaultOut(v: boolean) { this.defaultOut = v; }
  getIsHotPlug() { return this.hotPlug; }
  setIsHotPlug(v: boolean) { this.hotPlug = v; }
  getState() { return this.state; }
  setState(v: string) { this.state = v; }
  /** A device has no properties vboxsim knows of. */
  getProperty(_key: string) { return ''; }
}

// ---------------------------------------------------------------------------------------------
// IVRDEServer

/** VRDP_DEFAULT_PORT_STR. */
const VRDP_DEFAULT_PORT = '3389';

/** i_vrdpServerVerifyPortsString: comma-separated ports (1–65535, up to 5 digits) or ranges "a-b"; nothing else, not even blanks. */
export function validVrdePorts(spec: string): boolean {
  if (!spec) return false;
  const port = (s: string) => /^\d{1,5}$/.test(s) && Number(s) > 0 && Number(s) < 0x10000;
  // A trailing comma ends the list (VirtualBox's parser stops there).
  const parts = spec.split(',');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.every((p) => {
    const ends = p.split('-');
    return ends.length <= 2 && ends.every(port);
  });
}

/** The properties the VRDE library of the extension pack in use knows (VNC's). */
const VNC_PROPERTIES = ['TCP/Ports', 'TCP/Address', 'VideoChannel/Enabled', 'VideoChannel/Quality', 'VideoChannel/DownscaleProtection',
  'Client/DisableDisplay', 'Client/DisableInput', 'Client/DisableAudio', 'Client/DisableUSB', 'Client/DisableClipboard',
  'Client/DisableUpstreamAudio', 'Client/DisableRDPDR', 'H3DRedirect/Enabled', 'Security/Method',
  'Security/ServerCertificate', 'Security/ServerPrivateKey', 'Security/CACertificate', 'Audio/RateCorrectionMode',
  'Audio/LogPath', 'VNCPassword'];

export class VRDEServer implements ManagedObject {
  readonly iface = 'IVRDEServer';
  constructor(private readonly m: Machine) {}
  ready() { notReady(this.m, this.iface); }
  private get v() { return this.m.s.vrde; }
  private get x() { return vrdeExtraOf(this.m.s); }

  /** The common setter: MutableOrSavedOrRunning, then on a change the backup, "modified" and (unless told not to) the VM's restart of its server. */
  private async change(differs: boolean, apply: () => void, restart = true): Promise<void> {
    this.m.mutable('MutableOrSavedOrRunning');
    if (!differs) return;
    backup(this.m, 'vrde');
    apply();
    this.m.changed();
    // Only setEnabled answers with the VM's failure; the others ignore it, as VirtualBox's setters do.
    if (restart) await this.restart().catch(() => undefined);
  }

  /** SessionMachine::i_onVRDEServerChange(aRestart = TRUE) → Console::i_onVRDEServerChange. */
  private restart(): Promise<void> {
    return vmOf(this.m)?.vrdeServerChange() ?? Promise.resolve();
  }

  getEnabled() { return this.v.enabled; }
  /** The running VM starts or stops its server; if it cannot, the setting goes back and the VM's error is the answer. */
  async setEnabled(e: boolean) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (this.v.enabled === e) return;
    backup(this.m, 'vrde');
    this.v.enabled = e;
    this.m.changed();
    try {
      await this.restart();
    } catch (err) {
      this.v.enabled = !e;
      throw err;
    }
  }
  getAuthType() { return this.v.authType; }
  setAuthType(t: string) { return this.change(this.v.authType !== t, () => { this.v.authType = t; }); }
  getAuthTimeout() { return this.v.authTimeout; }
  /** The running server is not told (VirtualBox's call is #if 0'd). */
  setAuthTimeout(t: number) { return this.change(this.v.authTimeout !== t, () => { this.v.authTimeout = t; }, false); }
  getAllowMultiConnection() { return this.v.allowMultiConnection; }
  setAllowMultiConnection(b: boolean) { return this.change(this.v.allowMultiConnection !== b, () => { this.v.allowMultiConnection = b; }); }
  getReuseSingleConnection() { return this.x.reuseSingleConnection; }
  setReuseSingleConnection(b: boolean) { return this.change(this.x.reuseSingleConnection !== b, () => { this.x.reuseSingleConnection = b; }); }
  /** '' reads as the system's library (ISystemProperties::VRDEAuthLibrary). */
  getAuthLibrary() {
    if (this.x.authLibrary) return this.x.authLibrary;
    const vbox = this.m.core.host.parent as { getSystemProperties?(): { getVRDEAuthLibrary?(): string } };
    return vbox.getSystemProperties?.().getVRDEAuthLibrary?.() ?? 'VBoxAuth';
  }
  setAuthLibrary(lib: string) { return this.change(this.x.authLibrary !== lib, () => { this.x.authLibrary = lib; }); }
  getVRDEExtPack() { return this.v.extPack; }
  /** vboxsim's host has the VNC extension pack (and answers to Oracle's pack's name too). */
  setVRDEExtPack(p: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (p && p !== 'VNC' && p !== 'Oracle VM VirtualBox Extension Pack') {
      fail('VBOX_E_OBJECT_NOT_FOUND', `No extension pack by the name '${p}' was found`, 'IExtPackManager');
    }
    return this.change(this.v.extPack !== p, () => { this.v.extPack = p; });
  }
  /** None while the server is off (VirtualBox asks the library only when it is on). */
  getVRDEProperties() { return this.v.enabled ? VNC_PROPERTIES : []; }
  getVRDEProperty(key: string) {
    const v = this.v.properties[key];
    return v !== undefined ? v : key === 'TCP/Ports' ? VRDP_DEFAULT_PORT : '';
  }
  /**
   * VRDEServer::setVRDEProperty: TCP/Ports must be ports and ranges ("5000,5010-5012"; "0" is the default
   * port), else a bare E_INVALIDARG; the other properties are written without backup ('' removes one).
   */
  async setVRDEProperty(key: string, value: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    if (key === 'TCP/Ports') {
      const ports = value === '0' ? VRDP_DEFAULT_PORT : value;
      if (!validVrdePorts(ports)) bare('E_INVALIDARG');
      // The VM's failure to move its server is not this call's (VirtualBox ignores it).
      await this.change(ports !== this.v.properties['TCP/Ports'], () => { this.v.properties['TCP/Ports'] = ports; });
      return;
    }
    if ((this.v.properties[key] ?? '') === value) return;
    writeShared(this.m, 'vrde', (s) => {
      if (value === '') delete s.vrde.properties[key];
      else s.vrde.properties[key] = value;
    });
    this.m.changed();
    await this.restart().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// ISerialPort, IParallelPort

const PATH_NEEDED: Record<string, string> = {
  RawFile: 'Cannot set the raw file mode of the serial port %d because the file path is empty or null',
  HostPipe: 'Cannot set the host pipe mode of the serial port %d because the pipe path is empty or null',
  HostDevice: 'Cannot set the host device mode of the serial port %d because the device path is empty or null',
  TCP: 'Cannot set the host device mode of the serial port %d because the server address or TCP port is invalid',
};

export class SerialPort implements ManagedObject {
  readonly iface = 'ISerialPort';
  constructor(private readonly m: Machine, readonly slot: number) {}
  ready() { notReady(this.m, this.iface); }
  get settings(): SerialPortSettings { return serialPortsOf(this.m.s)[this.slot]; }
  private get p() { return this.settings; }

  /** IsModified_SerialPorts, and the running VM's console hears of it (ISerialPortChangedEvent). */
  private update<K extends keyof SerialPortSettings>(dep: StateDep, k: K, v: SerialPortSettings[K], check?: () => void): void {
    this.m.mutable(dep);
    if (this.p[k] === v) return;
    check?.();
    this.p[k] = v;
    this.m.changed();
    vmOf(this.m)?.console.serialPortChange(this);
  }

  getSlot() { return this.slot; }
  getEnabled() { return this.p.enabled; }
  setEnabled(v: boolean) { this.update('Mutable', 'enabled', v); }
  getIOAddress() { return this.p.ioAddress; }
  /** The range in VirtualBox's text reads [0, 0x0] (it passes an extra 0 before 0xFFFF). */
  setIOAddress(v: number) {
    if (v > 0xffff) fail('E_INVALIDARG', `Invalid I/O port base address of the serial port ${this.slot}: ${v} (must be in range [0, 0x0])`, this.iface);
    this.update('Mutable', 'ioAddress', v);
  }
  getIRQ() { return this.p.irq; }
  setIRQ(v: number) {
    if (v > 255) fail('E_INVALIDARG', `Invalid IRQ number of the serial port ${this.slot}: ${v} (must be in range [0, 255])`, this.iface);
    this.update('Mutable', 'irq', v);
  }
  getHostMode() { return this.p.hostMode; }
  /** A mode that needs a path (or TCP address) is refused while the path is empty. */
  setHostMode(mode: string) {
    this.update('MutableOrSavedOrRunning', 'hostMode', mode, () => {
      const text = PATH_NEEDED[mode];
      if (text && !this.p.path) fail('E_INVALIDARG', text.replace('%d', String(this.slot)), this.iface);
    });
  }
  getServer() { return this.p.server; }
  setServer(v: boolean) { this.update('MutableOrSavedOrRunning', 'server', v); }
  getPath() { return this.p.path; }
  setPath(v: string) {
    this.update('MutableOrSavedOrRunning', 'path', v, () => {
      if (!v && this.p.hostMode !== 'Disconnected') {
        fail('E_INVALIDARG', `Path of the serial port ${this.slot} may not be empty or null in host pipe, host device or TCP mode`, this.iface);
      }
    });
  }
  getUartType() { return this.p.uartType; }
  setUartType(v: string) { this.update('MutableOrSavedOrRunning', 'uartType', v); }
}

export class ParallelPort implements ManagedObject {
  readonly iface = 'IParallelPort';
  constructor(private readonly m: Machine, readonly slot: number) {}
  ready() { notReady(this.m, this.iface); }
  get settings(): ParallelPortSettings { return parallelPortsOf(this.m.s)[this.slot]; }
  private get p() { return this.settings; }

  private update<K extends keyof ParallelPortSettings>(dep: StateDep, k: K, v: ParallelPortSettings[K]): void {
    this.m.mutable(dep);
    if (this.p[k] === v) return;
    this.p[k] = v;
    this.m.changed();
    vmOf(this.m)?.console.parallelPortChange(this);
  }

  getSlot() { return this.slot; }
  getEnabled() { return this.p.enabled; }
  setEnabled(v: boolean) { this.update('Mutable', 'enabled', v); }
  getIOBase() { return this.p.ioBase; }
  setIOBase(v: number) {
    if (v > 0xffff) fail('E_INVALIDARG', `Invalid I/O port base address of the parallel port ${this.slot}: ${v} (must be in range [0, 0x0])`, this.iface);
    this.update('Mutable', 'ioBase', v);
  }
  getIRQ() { return this.p.irq; }
  setIRQ(v: number) {
    if (v > 255) fail('E_INVALIDARG', `Invalid IRQ number of the parallel port ${this.slot}: ${v} (must be in range [0, 255])`, this.iface);
    this.update('Mutable', 'irq', v);
  }
  getPath() { return this.p.path; }
  setPath(v: string) { this.update('MutableOrSaved', 'path', v); }
}
