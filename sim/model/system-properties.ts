// ISystemProperties and IPlatformProperties (x86) of a vboxsim host, as VirtualBox 7.1.12's
// SystemPropertiesImpl.cpp and PlatformPropertiesImpl.cpp answer them on a Linux x86 host, the build
// options taken from the real server (no recording codecs, no 3D, no native API, no crypto module).
import path from 'node:path';
import { fail, VBoxFault, type ManagedObject } from './base';
import { CPUProfile, CPU_PROFILES } from './machine-extras';
import { MEDIUM_FORMATS } from './medium-format';
import { GUEST_OS_TYPES } from './ostypes';
import { maxNetworkAdapters } from './settings';
import { BUSES, busOfControllerType, hotplugCapable, maxInstances, STORAGE_BUSES, SUPPORTED_BUSES, SUPPORTED_CONTROLLER_TYPES } from './storage';

/** The extension packs a vboxsim host has: the VNC one, answering to Oracle's pack's name too (devices.ts). */
const VRDE_EXT_PACKS = ['VNC', 'Oracle VM VirtualBox Extension Pack'];
const DEFAULT_VRDE_EXT_PACK = 'Oracle VM VirtualBox Extension Pack';
/** VBOXSVC_LOG_DEFAULT: what loggingLevel reads while none is set. */
const DEFAULT_LOGGING_LEVEL = 'all';

/** The global settings VirtualBox.xml keeps (settings::SystemProperties); absent fields: the defaults. */
export interface SystemPropertiesState {
  defaultMachineFolder?: string;
  loggingLevel?: string;
  defaultHardDiskFormat?: string;
  vrdeAuthLibrary?: string;
  webServiceAuthLibrary?: string;
  defaultVRDEExtPack?: string;
  logHistoryCount?: number;
  autostartDatabasePath?: string;
  defaultFrontend?: string;
  proxyMode?: string;
  proxyURL?: string;
  languageId?: string;
}

/**
 * PlatformProperties::s_getSupportedVRAMRange: [min, max] MB and the stride for a graphics controller
 * (VBoxSVGA and VMSVGA need more with 3D); null for an invalid controller type.
 */
export function supportedVRAMRange(controller: string, accelerate3D: boolean): { minMB: number; maxMB: number; strideSizeMB: number } | null {
  switch (controller) {
    case 'VBoxVGA': return { minMB: 1, maxMB: 256, strideSizeMB: 1 };
    case 'VMSVGA':
    case 'VBoxSVGA': return { minMB: accelerate3D ? 16 : 2, maxMB: 256, strideSizeMB: 1 };
    case 'QemuRamFB': return { minMB: 1, maxMB: 256, strideSizeMB: 1 };
    default: return null;
  }
}

/** IPlatformProperties of the host (ISystemProperties::platform) and of machines (IPlatform::properties): x86. */
export class PlatformProperties implements ManagedObject {
  readonly iface = 'IPlatformProperties';
  getRawModeSupported() { return false; }
  /** settings::PlatformProperties: exclusive on Linux. */
  getExclusiveHwVirt() { return true; }
  /** PlatformProperties::setExclusiveHwVirt: ignored unless the object is the host's own (fIsHost), which no API hands out. */
  setExclusiveHwVirt(_v: boolean) { /* as VirtualBox: S_OK, nothing changes */ }
  getSerialPortCount() { return 4; }
  getParallelPortCount() { return 2; }
  getMaxBootPosition() { return 4; }
  /** PlatformProperties::s_getMaxNetworkAdapters: 8 for PIIX3, 36 for ICH9, 64 for ARMv8Virtual, 0 for Null. */
  getMaxNetworkAdapters(chipset: string) { return chipset === 'Null' ? 0 : maxNetworkAdapters(chipset); }
  /** Host-only adapters are limited to 8 whatever the chipset. */
  getMaxNetworkAdaptersOfType(chipset: string, type: string) {
    const max = this.getMaxNetworkAdapters(chipset);
    return type === 'HostOnly' ? Math.min(8, max) : max;
  }
  getSupportedParavirtProviders() { return ['None', 'Default', 'Legacy', 'Minimal', 'HyperV', 'KVM']; }
  getSupportedFirmwareTypes() { return ['BIOS', 'EFI', 'EFI32', 'EFI64', 'EFIDUAL']; }
  getSupportedGfxControllerTypes() { return ['VBoxVGA', 'VBoxSVGA', 'VMSVGA']; }
  getSupportedGuestOSTypes() { return GUEST_OS_TYPES.filter((t) => t.platformArchitecture === 'x86'); }
  getSupportedNetAdpPromiscModePols() { return ['Deny', 'AllowNetwork', 'AllowAll']; }
  getSupportedNetworkAdapterTypes() { return ['Am79C970A', 'Am79C973', 'I82540EM', 'I82543GC', 'I82545EM', 'Virtio']; }
  getSupportedUartTypes() { return ['U16450', 'U16550A', 'U16750']; }
  getSupportedUSBControllerTypes() { return ['OHCI', 'EHCI', 'XHCI']; }
  getSupportedAudioControllerTypes() { return ['AC97', 'SB16', 'HDA']; }
  getSupportedBootDevices() { return ['Floppy', 'DVD', 'HardDisk', 'Network']; }
  getSupportedChipsetTypes() { return ['PIIX3', 'ICH9']; }
  getSupportedIommuTypes() { return ['None', 'Automatic', 'AMD']; }
  getSupportedTpmTypes() { return ['None', 'v1_2', 'v2_0']; }
  /** One controller of each USB type; anything else only trips a debug assertion (0). */
  getMaxInstancesOfUSBControllerType(_chipset: string, type: string) { return ['OHCI', 'EHCI', 'XHCI'].includes(type) ? 1 : 0; }

  getSupportedVRAMRange(controller: string, accelerate3DEnabled: boolean) {
    const r = supportedVRAMRange(controller, !!accelerate3DEnabled);
    if (!r) this.invalidController(controller);
    return { minMB: r.minMB, maxMB: r.maxMB, returnval: r.strideSizeMB };
  }
  /** This build has neither 2D video nor 3D acceleration: no features for any controller. */
  getSupportedGfxFeaturesForType(controller: string) {
    if (!supportedVRAMRange(controller, false)) this.invalidController(controller);
    return [];
  }
  private invalidController(controller: string): never {
    const n = ['Null', 'VBoxVGA', 'VMSVGA', 'VBoxSVGA', 'QemuRamFB'].indexOf(controller);
    return fail('E_INVALIDARG', `The graphics controller type (${n < 0 ? controller : n}) is invalid`, this.iface);
  }

  // The storage part (the tables are in storage.ts).
  getSupportedStorageBuses() { return SUPPORTED_BUSES; }
  getSupportedStorageControllerTypes() { return SUPPORTED_CONTROLLER_TYPES; }
  /** An invalid bus only trips a debug assertion: 0 in a release build. */
  getMaxDevicesPerPortForStorageBus(bus: string) { return BUSES[bus]?.devicesPerPort ?? 0; }
  getMinPortCountForStorageBus(bus: string) { return BUSES[bus]?.minPorts ?? 0; }
  getMaxPortCountForStorageBus(bus: string) { return BUSES[bus]?.maxPorts ?? 0; }
  getMaxInstancesOfStorageBus(chipset: string, bus: string) { return maxInstances(chipset, bus); }
  getDeviceTypesForStorageBus(bus: string) { return BUSES[bus]?.deviceTypes ?? []; }
  getStorageBusForControllerType(t: string) {
    const bus = busOfControllerType(t);
    // VirtualBox prints the output pointer there (%d of aStorageBus): no fixed text to match.
    if (!bus) fail('E_FAIL', 'Invalid storage controller type 0\n', 'IPlatformProperties');
    return bus;
  }
  getStorageControllerTypesForBus(bus: string) {
    const f = BUSES[bus];
    if (!f) fail('E_FAIL', `Invalid storage bus ${STORAGE_BUSES.indexOf(bus)}\n`, 'IPlatformProperties');
    return f.types;
  }
  /** An unknown type fails an assertion: E_FAIL without error info. */
  getStorageControllerHotplugCapable(t: string) {
    if (!busOfControllerType(t)) throw new VBoxFault('E_FAIL', '');
    return hotplugCapable(t);
  }
}

/** RTStrSimplePatternMatch: '*' any run of characters, '?' one character, case-sensitive. */
function simplePatternMatch(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(s);
}

export class SystemProperties implements ManagedObject {
  readonly iface = 'ISystemProperties';
  private st: SystemPropertiesState = {};
  private readonly profiles = CPU_PROFILES.map((p) => new CPUProfile(p.name, p.fullName, p.architecture));

  /** `initialMachineFolder`: the host's default machine folder ('' restores it, as $HOME/VirtualBox VMs does in VirtualBox). */
  constructor(private readonly initialMachineFolder: string, readonly platform: PlatformProperties, private readonly save: () => void = () => undefined) {}

  /** The global settings as VirtualBox.xml keeps them. */
  state(): SystemPropertiesState { return { ...this.st }; }
  /** SystemProperties::i_loadSettings (an older registry kept only the hard disk format). */
  load(st: SystemPropertiesState | undefined, defaultHardDiskFormat?: string): void {
    this.st = { ...(st ?? {}) };
    if (defaultHardDiskFormat && !this.st.defaultHardDiskFormat) this.st.defaultHardDiskFormat = defaultHardDiskFormat;
  }
  private set<K extends keyof SystemPropertiesState>(k: K, v: SystemPropertiesState[K] | undefined): void {
    if (v === undefined || v === '') delete this.st[k];
    else this.st[k] = v;
    this.save();
  }

  get machineFolder(): string { return this.st.defaultMachineFolder || this.initialMachineFolder; }
  /** The autostart database folder ('' while none is set: AutostartDb has no path then). */
  get autostartDatabasePath(): string { return this.st.autostartDatabasePath ?? ''; }

  getMinGuestRAM() { return 4; }
  getMaxGuestRAM() { return 2097152; }
  getMinGuestVRAM() { return 0; }
  getMaxGuestVRAM() { return 256; }
  getMinGuestCPUCount() { return 1; }
  getMaxGuestCPUCount() { return 64; }
  getMaxGuestMonitors() { return 64; }
  getInfoVDSize() { return 2199022206976; }
  getDefaultMachineFolder() { return this.machineFolder; }
  /** SystemProperties::i_setDefaultMachineFolder: '' (or "Machines") is the default; anything else must be absolute. */
  setDefaultMachineFolder(folder: string) {
    const f = folder === 'Machines' ? '' : folder;
    if (f && !path.isAbsolute(f)) fail('E_INVALIDARG', `Given default machine folder '${f}' is not fully qualified`, this.iface);
    this.set('defaultMachineFolder', f);
  }
  getLoggingLevel() { return this.st.loggingLevel || DEFAULT_LOGGING_LEVEL; }
  /** i_setLoggingLevel: the default level (or '') is stored as none. */
  setLoggingLevel(level: string) {
    this.set('loggingLevel', level.toLowerCase() === DEFAULT_LOGGING_LEVEL ? '' : level);
  }
  getMediumFormats() { return MEDIUM_FORMATS; }
  getDefaultHardDiskFormat() { return this.st.defaultHardDiskFormat || 'VDI'; }
  /** ISystemProperties::defaultHardDiskFormat: what createMedium uses for an empty format (not checked when set). */
  setDefaultHardDiskFormat(format: string) { this.set('defaultHardDiskFormat', format); }
  // VirtualBox 7.1 does not implement the free disk space thresholds (ReturnComNotImplemented).
  getFreeDiskSpaceWarning(): never { return notImplemented('getFreeDiskSpaceWarning'); }
  setFreeDiskSpaceWarning(_v: number): never { return notImplemented('setFreeDiskSpaceWarning'); }
  getFreeDiskSpacePercentWarning(): never { return notImplemented('getFreeDiskSpacePercentWarning'); }
  setFreeDiskSpacePercentWarning(_v: number): never { return notImplemented('setFreeDiskSpacePercentWarning'); }
  getFreeDiskSpaceError(): never { return notImplemented('getFreeDiskSpaceError'); }
  setFreeDiskSpaceError(_v: number): never { return notImplemented('setFreeDiskSpaceError'); }
  getFreeDiskSpacePercentError(): never { return notImplemented('getFreeDiskSpacePercentError'); }
  setFreeDiskSpacePercentError(_v: number): never { return notImplemented('setFreeDiskSpacePercentError'); }
  getVRDEAuthLibrary() { return this.st.vrdeAuthLibrary || 'VBoxAuth'; }
  setVRDEAuthLibrary(lib: string) { this.set('vrdeAuthLibrary', lib); }
  getWebServiceAuthLibrary() { return this.st.webServiceAuthLibrary || 'VBoxAuth'; }
  setWebServiceAuthLibrary(lib: string) { this.set('webServiceAuthLibrary', lib); }
  /** vboxsim's hosts have the VNC extension pack (the real server here has none). */
  getDefaultVRDEExtPack() { return this.st.defaultVRDEExtPack || DEFAULT_VRDE_EXT_PACK; }
  setDefaultVRDEExtPack(pack: string) {
    if (pack && !VRDE_EXT_PACKS.includes(pack)) fail('VBOX_E_OBJECT_NOT_FOUND', `No extension pack by the name '${pack}' was found`, 'IExtPackManager');
    this.set('defaultVRDEExtPack', pack);
  }
  /** No extension pack provides a cryptographic module. */
  getDefaultCryptoExtPack() { return ''; }
  setDefaultCryptoExtPack(pack: string) {
    if (pack) fail('VBOX_E_OBJECT_NOT_FOUND', `No extension pack by the name '${pack}' was found`, 'IExtPackManager');
    this.save();
  }
  getLogHistoryCount() { return this.st.logHistoryCount ?? 3; }
  setLogHistoryCount(n: number) { this.st.logHistoryCount = n; this.save(); }
  /** settings::MachineConfigFile::getHostDefaultAudioDriver on this Linux build (OSS, no ALSA or PulseAudio). */
  getDefaultAudioDriver() { return 'OSS'; }
  getAutostartDatabasePath() { return this.autostartDatabasePath; }
  /** AutostartDb::setAutostartDbPath on Linux takes any path (it is only used when a machine is added). */
  setAutostartDatabasePath(p: string) { this.set('autostartDatabasePath', p); }
  /** No Guest Additions ISO is installed. */
  getDefaultAdditionsISO() { return ''; }
  setDefaultAdditionsISO(_iso: string): never { return notImplemented('setDefaultAdditionsISO'); }
  getDefaultFrontend() { return this.st.defaultFrontend ?? ''; }
  setDefaultFrontend(f: string) {
    if ((this.st.defaultFrontend ?? '') === f) return;
    this.set('defaultFrontend', f);
  }
  getScreenShotFormats() { return ['BGR0', 'BGRA', 'RGBA', 'PNG']; }
  getPlatform() { return this.platform; }
  getProxyMode() { return this.st.proxyMode ?? 'System'; }
  setProxyMode(mode: string) {
    if (!['System', 'NoProxy', 'Manual'].includes(mode)) fail('E_INVALIDARG', `Invalid ProxyMode value: ${mode}`, this.iface);
    this.set('proxyMode', mode === 'System' ? '' : mode);
  }
  getProxyURL() { return this.st.proxyURL ?? ''; }
  /** SystemProperties::setProxyURL: a host (and port) only, http:// added when no scheme is given. */
  setProxyURL(url: string) {
    let u = url;
    if (u) {
      if (!u.includes('://')) u = `http://${u}`;
      const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(u);
      if (!m) fail('E_INVALIDARG', 'Failed to parse proxy URL: VERR_URI_INVALID', this.iface);
      const host = m[2].replace(/^[^@]*@/, '').replace(/:\d*$/, '');
      if (!host && m[1].toLowerCase() !== 'direct') fail('E_INVALIDARG', 'Proxy URL must include a hostname', this.iface);
      if (m[3]) fail('E_INVALIDARG', `Proxy URL must not include a path component (${m[3]})`, this.iface);
      if (m[4] && m[4].length > 1) fail('E_INVALIDARG', `Proxy URL must not include a query component (${m[4]})`, this.iface);
      if (m[5] && m[5].length > 1) fail('E_INVALIDARG', `Proxy URL must not include a fragment component (${m[5]})`, this.iface);
    }
    this.set('proxyURL', u);
  }
  getSupportedPlatformArchitectures() { return ['x86']; }
  getSupportedClipboardModes() { return ['Disabled', 'HostToGuest', 'GuestToHost', 'Bidirectional']; }
  getSupportedDnDModes() { return ['Disabled', 'HostToGuest', 'GuestToHost', 'Bidirectional']; }
  getSupportedPointingHIDTypes() { return ['PS2Mouse', 'USBTablet', 'USBMultiTouch', 'USBMultiTouchScreenPlusPad']; }
  getSupportedKeyboardHIDTypes() { return ['PS2Keyboard', 'USBKeyboard']; }
  getSupportedVFSTypes() { return ['File', 'Cloud', 'S3']; }
  getSupportedImportOptions() { return ['KeepAllMACs', 'KeepNATMACs', 'ImportToVDI']; }
  getSupportedExportOptions() { return ['CreateManifest', 'ExportDVDImages', 'StripAllMACs', 'StripAllNonNATMACs']; }
  getSupportedGraphicsFeatures() { return []; }
  getSupportedRecordingFeatures() { return []; }
  getSupportedRecordingAudioCodecs() { return ['None']; }
  getSupportedRecordingVideoCodecs() { return ['None']; }
  getSupportedRecordingVSModes() { return ['None']; }
  getSupportedRecordingARCModes() { return ['VBR']; }
  getSupportedRecordingVRCModes() { return ['VBR']; }
  getSupportedCloneOptions() { return ['Link', 'KeepAllMACs', 'KeepNATMACs', 'KeepDiskNames', 'KeepHwUUIDs']; }
  getSupportedAutostopTypes() { return ['Disabled', 'SaveState', 'PowerOff', 'AcpiShutdown']; }
  getSupportedVMProcPriorities() { return ['Default', 'Flat', 'Low', 'Normal', 'High']; }
  getSupportedNetworkAttachmentTypes() { return ['NAT', 'Bridged', 'Internal', 'HostOnly', 'Generic', 'NATNetwork', 'Cloud', 'Null']; }
  getSupportedPortModes() { return ['Disconnected', 'HostPipe', 'HostDevice', 'RawFile', 'TCP']; }
  getSupportedAudioDriverTypes() { return ['Default', 'OSS', 'Null']; }
  /** The language set, else the host's locale ("C" for vboxsim's hosts). */
  getLanguageId() { return this.st.languageId || 'C'; }
  /** VirtualBoxTranslator::i_loadLanguage takes any id (without a translation the texts stay English). */
  setLanguageId(id: string) { this.set('languageId', id); }

  /**
   * SystemProperties::getCPUProfiles: VirtualBox's x86 CPU database; Any means AMD64 and x86, AMD64
   * includes the x86 profiles; other architectures are refused (their enum value in the text).
   */
  getCPUProfiles(architecture: string, namePattern: string) {
    const archs = architecture === 'Any' || architecture === 'AMD64' ? ['AMD64', 'x86'] : architecture === 'x86' ? ['x86'] : null;
    if (!archs) {
      const n = ['Any', 'x86', 'AMD64', 'ARMv8_32', 'ARMv8_64'].indexOf(architecture);
      fail('E_INVALIDARG', `Invalid or unsupported architecture value: ${n < 0 ? architecture : n}`, this.iface);
    }
    return this.profiles.filter((p) => archs.includes(p.architecture) && (!namePattern || simplePatternMatch(namePattern, p.name)));
  }

  getDefaultIoCacheSettingForStorageController(controllerType: string) {
    return ['PIIX3', 'PIIX4', 'ICH6', 'I82078'].includes(controllerType);
  }

  /** Default, hardware virtualization and the interpreter for x86 guests (no native API, no recompiler in this build). */
  getExecutionEnginesForVmCpuArchitecture(cpuArchitecture: string) {
    return cpuArchitecture === 'x86' || cpuArchitecture === 'AMD64' ? ['Default', 'HwVirt', 'Interpreter'] : [];
  }
}

function notImplemented(method: string): never {
  fail('E_NOTIMPL', `Method ${method} is not implemented`, 'ISystemProperties');
}
