import path from 'node:path';
import { fail, VBoxFault, type ManagedObject } from './base';
import type { EventSource } from './events';
import type { Host, SystemProperties } from './hostinfo';
import type { Machine, MachineCore } from './machine';
import type { Medium } from './medium';
import type { PerformanceCollector } from './perf';
import type { Progress } from './progress';

export const VBOX_VERSION = '7.1.4';
export const VBOX_REVISION = 165100;

/** What IVirtualBox needs from its host. */
export interface VirtualBoxHost {
  readonly homeFolder: string;
  readonly host: Host;
  readonly systemProperties: SystemProperties;
  readonly events: EventSource;
  readonly perf: PerformanceCollector;
  machines(): MachineCore[];
  media(): Medium[];
  createMachine(settingsFile: string, name: string, groups: string[], osTypeId: string, opts: CreateMachineOptions): Machine;
  registerMachine(machine: Machine): void;
  createMedium(format: string, location: string, deviceType: string): Medium;
  openMedium(location: string, deviceType: string): Medium;
  globalExtraData: Record<string, string>;
  setGlobalExtraData(key: string, value: string): void;
  /** An IProgress of this host by id (braces and case do not matter), while it exists. */
  findProgress(id: string): Progress | undefined;
}

/** The createMachine flags VirtualBox knows ("UUID=<uuid>,forceOverwrite=1"). */
export interface CreateMachineOptions {
  /** The machine's UUID (UUID=…); a new one when absent. */
  id?: string;
  /** forceOverwrite=1: an existing settings file is replaced instead of refused. */
  forceOverwrite?: boolean;
}

const GUID_RE = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/**
 * Parses createMachine's flags as VirtualBox::createMachine does: comma-separated name=value entries,
 * entries without '=' skipped, unknown names ignored; UUID=<uuid> (with or without braces; the zero
 * UUID means "make one") and forceOverwrite=1. An invalid UUID is E_INVALIDARG.
 */
function parseCreateFlags(flags: string): CreateMachineOptions {
  const out: CreateMachineOptions = {};
  for (const entry of flags ? flags.split(',') : []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    if (key === 'UUID') {
      const m = GUID_RE.exec(value);
      if (!m) fail('E_INVALIDARG', `'{${value}}' is not a valid Guid`, 'IVirtualBox', 'VirtualBox');
      out.id = /^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(m[1]) ? undefined : m[1].toLowerCase();
    } else if (key === 'forceOverwrite') {
      out.forceOverwrite = value === '1';
    }
  }
  return out;
}

interface GuestOSTypeSpec { id: string; family: string; familyDescription: string; description: string; is64: boolean; ram: number; hdd: number }

const OS_TYPES: GuestOSTypeSpec[] = [
  { id: 'Other', family: 'Other', familyDescription: 'Other', description: 'Other/Unknown', is64: false, ram: 64, hdd: 2 },
  { id: 'Other_64', family: 'Other', familyDescription: 'Other', description: 'Other/Unknown (64-bit)', is64: true, ram: 64, hdd: 2 },
  { id: 'Debian_64', family: 'Linux', familyDescription: 'Linux', description: 'Debian (64-bit)', is64: true, ram: 2048, hdd: 20 },
  { id: 'Debian12_64', family: 'Linux', familyDescription: 'Linux', description: 'Debian 12 Bookworm (64-bit)', is64: true, ram: 2048, hdd: 20 },
  { id: 'Ubuntu_64', family: 'Linux', familyDescription: 'Linux', description: 'Ubuntu (64-bit)', is64: true, ram: 2048, hdd: 25 },
  { id: 'Ubuntu24_LTS_64', family: 'Linux', familyDescription: 'Linux', description: 'Ubuntu 24.04 LTS (Noble Numbat) (64-bit)', is64: true, ram: 2048, hdd: 25 },
  { id: 'RedHat_64', family: 'Linux', familyDescription: 'Linux', description: 'Red Hat (64-bit)', is64: true, ram: 2048, hdd: 20 },
  { id: 'Oracle9_64', family: 'Linux', familyDescription: 'Linux', description: 'Oracle Linux 9.x (64-bit)', is64: true, ram: 2048, hdd: 20 },
  { id: 'Linux_64', family: 'Linux', familyDescription: 'Linux', description: 'Other Linux (64-bit)', is64: true, ram: 1024, hdd: 16 },
  { id: 'FreeBSD_64', family: 'BSD', familyDescription: 'BSD', description: 'FreeBSD (64-bit)', is64: true, ram: 1024, hdd: 16 },
  { id: 'OpenBSD_64', family: 'BSD', familyDescription: 'BSD', description: 'OpenBSD (64-bit)', is64: true, ram: 1024, hdd: 16 },
  { id: 'Windows2022_64', family: 'Windows', familyDescription: 'Microsoft Windows', description: 'Windows Server 2022 (64-bit)', is64: true, ram: 2048, hdd: 50 },
  { id: 'Windows11_64', family: 'Windows', familyDescription: 'Microsoft Windows', description: 'Windows 11 (64-bit)', is64: true, ram: 4096, hdd: 80 },
];

function guestOSType(t: GuestOSTypeSpec) {
  return {
    familyId: t.family, familyDescription: t.familyDescription, id: t.id, subtype: '', description: t.description,
    is64Bit: t.is64, platformArchitecture: 'x86', recommendedIOAPIC: t.is64, recommendedVirtEx: true,
    recommendedRAM: t.ram, recommendedGraphicsController: 'VMSVGA', recommendedVRAM: 16,
    recommended2DVideoAcceleration: false, recommended3DAcceleration: false, recommendedHDD: t.hdd * 1024 ** 3,
    adapterType: 'I82540EM', recommendedPAE: t.is64, recommendedDVDStorageController: 'IntelAhci',
    recommendedDVDStorageBus: 'SATA', recommendedHDStorageController: 'IntelAhci', recommendedHDStorageBus: 'SATA',
    recommendedFirmware: t.family === 'Windows' && t.id.startsWith('Windows11') ? 'EFI' : 'BIOS',
    recommendedUSBHID: false, recommendedHPET: false, recommendedUSBTablet: true, recommendedRTCUseUTC: t.family !== 'Windows',
    recommendedChipset: 'PIIX3', recommendedIommuType: 'None', recommendedAudioController: 'HDA',
    recommendedAudioCodec: 'STAC9221', recommendedFloppy: false, recommendedUSB: true, recommendedUSB3: false,
    recommendedTFReset: false, recommendedX2APIC: false, recommendedCPUCount: 1,
    recommendedTpmType: t.id.startsWith('Windows11') ? 'v2_0' : 'None', recommendedSecureBoot: t.id.startsWith('Windows11'),
    recommendedWDDMGraphics: false, guestAdditionsInstallPackageName: '',
  };
}

/** IVirtualBox: the root object a logon hands out. */
export class VirtualBox implements ManagedObject {
  readonly iface = 'IVirtualBox';
  constructor(private readonly h: VirtualBoxHost) {}

  getVersion() { return VBOX_VERSION; }
  getVersionNormalized() { return VBOX_VERSION; }
  getRevision() { return VBOX_REVISION; }
  getPackageType() { return 'LINUX_64BITS_GENERIC'; }
  getAPIVersion() { return '7_1'; }
  getAPIRevision() { return 7_01_04_000; }
  getHomeFolder() { return this.h.homeFolder; }
  getSettingsFilePath() { return path.join(this.h.homeFolder, 'VirtualBox.xml'); }
  getHost() { return this.h.host; }
  getSystemProperties() { return this.h.systemProperties; }
  getMachines() { return this.h.machines().map((c) => c.primary); }
  getMachineGroups() { return [...new Set(this.h.machines().flatMap((c) => c.settings.groups))].sort(); }
  getHardDisks() { return this.h.media().filter((m) => m.rec.deviceType === 'HardDisk'); }
  getDVDImages() { return this.h.media().filter((m) => m.rec.deviceType === 'DVD'); }
  getGuestOSTypes() { return OS_TYPES.map(guestOSType); }
  getPerformanceCollector() { return this.h.perf; }
  getEventSource() { return this.h.events; }

  composeMachineFilename(name: string, group: string, _flags: string, baseFolder: string) {
    if (!name) fail('E_INVALIDARG', 'Machine name cannot be empty', 'IVirtualBox', 'VirtualBox');
    const folder = baseFolder || this.h.systemProperties.machineFolder;
    const g = group && group !== '/' ? group : '';
    return path.join(folder, g, name, `${name}.vbox`);
  }

  createMachine(settingsFile: string, name: string, platform: string, groups: string[], osTypeId: string, flags: string,
    cipher: string, _passwordId: string, _password: string) {
    if (!name.trim()) fail('E_INVALIDARG', 'Machine name cannot be empty', 'IVirtualBox', 'VirtualBox');
    if (/[/\\:*?"<>|\0]/.test(name)) fail('E_INVALIDARG', `Invalid machine name '${name}': it contains characters not allowed in file names`, 'IVirtualBox', 'VirtualBox');
    if (platform !== 'x86' && platform !== 'None') fail('VBOX_E_NOT_SUPPORTED', `Platform architecture ${platform} is not supported on this host`, 'IVirtualBox', 'VirtualBox');
    if (cipher) fail('VBOX_E_NOT_SUPPORTED', 'Encrypted machines need the extension pack with encryption support', 'IVirtualBox', 'VirtualBox');
    if (osTypeId && !OS_TYPES.some((t) => t.id === osTypeId)) {
      fail('E_INVALIDARG', `'${osTypeId}' is not a valid Guest OS type`, 'IVirtualBox', 'VirtualBox');
    }
    return this.h.createMachine(settingsFile, name, groups, osTypeId, parseCreateFlags(flags));
  }

  registerMachine(machine: Machine | null) {
    if (!machine) fail('E_INVALIDARG', 'Argument machine is NULL', 'IVirtualBox', 'VirtualBox');
    this.h.registerMachine(machine);
  }

  findMachine(nameOrId: string) {
    const key = nameOrId.replace(/^\{|\}$/g, '').toLowerCase();
    const found = this.h.machines().find((c) => c.id.toLowerCase() === key) ?? this.h.machines().find((c) => c.name === nameOrId);
    if (!found) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a registered machine named '${nameOrId}'`, 'IVirtualBox', 'VirtualBox');
    return found.primary;
  }

  getMachinesByGroups(groups: string[]) {
    return this.h.machines().filter((c) => c.settings.groups.some((g) => groups.includes(g))).map((c) => c.primary);
  }

  getMachineStates(machines: (Machine | null)[]) {
    return machines.map((m) => m?.core.state ?? 'Null');
  }

  createMedium(format: string, location: string, accessMode: string, deviceType: string) {
    if (accessMode !== 'ReadWrite') fail('E_INVALIDARG', 'A new medium must be created ReadWrite', 'IVirtualBox', 'VirtualBox');
    if (!['HardDisk', 'DVD', 'Floppy'].includes(deviceType)) fail('E_INVALIDARG', `Invalid device type ${deviceType}`, 'IVirtualBox', 'VirtualBox');
    const fmt = (format || 'VDI').toUpperCase();
    if (!['VDI', 'VMDK', 'VHD', 'RAW'].includes(fmt)) fail('VBOX_E_OBJECT_NOT_FOUND', `Invalid medium storage format '${format}'`, 'IVirtualBox', 'VirtualBox');
    if (!location) fail('E_INVALIDARG', 'Medium location cannot be empty', 'IVirtualBox', 'VirtualBox');
    return this.h.createMedium(fmt, location, deviceType);
  }

  openMedium(location: string, deviceType: string, _accessMode: string, _forceNewUuid: boolean) {
    if (!['HardDisk', 'DVD', 'Floppy'].includes(deviceType)) fail('E_INVALIDARG', `Invalid device type ${deviceType}`, 'IVirtualBox', 'VirtualBox');
    try {
      return this.h.openMedium(location, deviceType);
    } catch (e) {
      // VirtualBox::openMedium returns VBOX_E_OBJECT_NOT_FOUND for a medium it could not open or
      // register (unless VBOX_E_INVALID_OBJECT_STATE), keeping the Medium's error info (e.g. VBOX_E_FILE_ERROR).
      if (!(e instanceof VBoxFault) || e.resultCode === 'VBOX_E_INVALID_OBJECT_STATE') throw e;
      throw new VBoxFault(e.resultCode, e.message, e.component, e.interfaceName, 'VBOX_E_OBJECT_NOT_FOUND');
    }
  }

  getGuestOSType(id: string) {
    const t = OS_TYPES.find((o) => o.id.toLowerCase() === id.toLowerCase());
    if (!t) fail('E_INVALIDARG', `'${id}' is not a valid Guest OS type`, 'IVirtualBox', 'VirtualBox');
    return guestOSType(t);
  }

  /** As VirtualBox: any progress object it still holds (running, or completed and still referenced), by GUID. */
  findProgressById(id: string) {
    const found = this.h.findProgress(id);
    if (!found) fail('E_INVALIDARG', 'The progress object with the given GUID could not be found', 'IVirtualBox', 'VirtualBox');
    return found;
  }

  getExtraDataKeys() { return Object.keys(this.h.globalExtraData); }
  getExtraData(key: string) { return this.h.globalExtraData[key] ?? ''; }
  setExtraData(key: string, value: string) {
    if (!key) fail('E_INVALIDARG', 'Argument key is empty', 'IVirtualBox', 'VirtualBox');
    this.h.setGlobalExtraData(key, value);
  }
}
