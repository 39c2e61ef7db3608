import { fail, VBoxFault, type ManagedObject } from './base';
import { Medium, type MediumHost } from './medium';
import { MEDIUM_FORMATS } from './medium-format';
import { BUSES, busOfControllerType, hotplugCapable, maxInstances, STORAGE_BUSES, SUPPORTED_BUSES, SUPPORTED_CONTROLLER_TYPES } from './storage';

export interface NetworkInterfaceSpec {
  name: string;
  ip: string;
  mask: string;
  mac: string;
  /** Bridged for physical, bridge and tap devices; HostOnly for vboxnetN. */
  type: 'Bridged' | 'HostOnly';
  status?: 'Up' | 'Down';
  wireless?: boolean;
}

export interface HostDriveSpec {
  /** The device, e.g. /dev/sr0. */
  name: string;
  /** What the drive says it is, e.g. "HL-DT-ST DVDRAM GP57EB40". */
  description?: string;
}

/**
 * Medium::init for a host drive: VirtualBox keeps no record of host drives, so it makes their UUID
 * from the kind ('DVD' or 'FD') and the device name's last 12 characters.
 */
export function hostDriveUuid(kind: 'DVD' | 'FD', location: string): string {
  const b = Buffer.alloc(16);
  b.write(kind, 0, 'latin1');
  const tail = Buffer.from(location, 'latin1').subarray(-12);
  tail.copy(b, 4 + 12 - tail.length);
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${hex(b.readUInt32LE(0), 8)}-${hex(b.readUInt16LE(4), 4)}-${hex(b.readUInt16LE(6), 4)}-${b.subarray(8, 10).toString('hex')}-${b.subarray(10).toString('hex')}`;
}

export interface HostSpec {
  name: string;
  cpuCount: number;
  cpuDescription: string;
  cpuSpeedMHz: number;
  memoryMB: number;
  osVersion: string;
  domain: string;
  interfaces: NetworkInterfaceSpec[];
  /** The host's DVD and floppy drives (none by default, as on a server without them). */
  dvdDrives?: HostDriveSpec[];
  floppyDrives?: HostDriveSpec[];
}

export class HostNetworkInterface implements ManagedObject {
  readonly iface = 'IHostNetworkInterface';
  readonly id: string;
  constructor(readonly spec: NetworkInterfaceSpec, index: number) {
    // Stable per name: VirtualBox derives the id from the interface.
    this.id = `${(0x5f000000 + index).toString(16)}-0000-4000-8000-${spec.mac.replace(/:/g, '').toLowerCase().padStart(12, '0')}`;
  }
  getName() { return this.spec.name; }
  getShortName() { return this.spec.name; }
  getId() { return this.id; }
  getNetworkName() { return `HostInterfaceNetworking-${this.spec.name}`; }
  getDHCPEnabled() { return false; }
  getIPAddress() { return this.spec.ip; }
  getNetworkMask() { return this.spec.mask; }
  getIPV6Supported() { return true; }
  getIPV6Address() { return ''; }
  getIPV6NetworkMaskPrefixLength() { return 0; }
  getHardwareAddress() { return this.spec.mac; }
  getMediumType() { return 'Ethernet'; }
  getStatus() { return this.spec.status ?? 'Up'; }
  getInterfaceType() { return this.spec.type; }
  getWireless() { return !!this.spec.wireless; }
}

/** IHost: the physical machine vboxwebsrv runs on. */
export class Host implements ManagedObject {
  readonly iface = 'IHost';
  readonly interfaces: HostNetworkInterface[];
  constructor(readonly spec: HostSpec, private readonly usedMemoryMB: () => number) {
    this.interfaces = spec.interfaces.map((s, i) => new HostNetworkInterface(s, i));
  }
  getArchitecture() { return 'x86'; }
  getNetworkInterfaces() { return this.interfaces; }
  getDomainName() { return this.spec.domain; }
  getProcessorCount() { return this.spec.cpuCount; }
  getProcessorOnlineCount() { return this.spec.cpuCount; }
  getProcessorCoreCount() { return Math.max(1, this.spec.cpuCount / 2); }
  getProcessorOnlineCoreCount() { return Math.max(1, this.spec.cpuCount / 2); }
  getMemorySize() { return this.spec.memoryMB; }
  /** What is left after the host OS and every running VM's RAM. */
  getMemoryAvailable() { return Math.max(0, this.spec.memoryMB - this.usedMemoryMB()); }
  getOperatingSystem() { return 'Linux'; }
  getOSVersion() { return this.spec.osVersion; }
  getUTCTime() { return Date.now(); }
  /** Host::getProcessorSpeed: 0 for a CPU the host does not have. */
  getProcessorSpeed(cpuId: number) { return cpuId < this.spec.cpuCount ? this.spec.cpuSpeedMHz : 0; }
  getProcessorFeature(feature: string) {
    return ['HWVirtEx', 'PAE', 'LongMode', 'NestedPaging', 'UnrestrictedGuest', 'NestedHWVirt', 'VirtVmsaveVmload'].includes(feature);
  }
  /** Host::getProcessorDescription: IPRT's status code as the text for a CPU the host does not have. */
  getProcessorDescription(cpuId: number) {
    if (cpuId >= this.spec.cpuCount) fail('VBOX_E_IPRT_ERROR', 'VERR_CPU_NOT_FOUND', 'IHost');
    return this.spec.cpuDescription;
  }
  findHostNetworkInterfaceByName(name: string) {
    const i = this.interfaces.find((n) => n.spec.name === name);
    if (!i) fail('E_INVALIDARG', `The host network interface named '${name}' could not be found`, 'IHost');
    return i;
  }
  findHostNetworkInterfaceById(id: string) {
    const i = this.interfaces.find((n) => n.id === id);
    if (!i) fail('E_INVALIDARG', `The host network interface with the given GUID could not be found`, 'IHost');
    return i;
  }
  findHostNetworkInterfacesOfType(type: string) { return this.interfaces.filter((n) => n.spec.type === type); }

  // --- DVD and floppy drives: IMedium objects with hostDrive set, Readonly (DVD) or Writethrough (floppy)
  private dvd: Medium[] = [];
  private floppy: Medium[] = [];
  addDrives(media: MediumHost) {
    const drive = (d: HostDriveSpec, deviceType: 'DVD' | 'Floppy') => new Medium(media, {
      id: hostDriveUuid(deviceType === 'DVD' ? 'DVD' : 'FD', d.name), location: d.name, format: 'RAW', deviceType, logicalSize: 0,
      description: d.description ?? '', variant: ['Standard'], type: deviceType === 'DVD' ? 'Readonly' : 'Writethrough', hostDrive: true, properties: {},
    }, true);
    this.dvd = (this.spec.dvdDrives ?? []).map((d) => drive(d, 'DVD'));
    this.floppy = (this.spec.floppyDrives ?? []).map((d) => drive(d, 'Floppy'));
  }
  drives(): Medium[] { return [...this.dvd, ...this.floppy]; }
  getDVDDrives() { return this.dvd; }
  getFloppyDrives() { return this.floppy; }
  /** Host::findHostDVDDrive: by name or location. */
  findHostDVDDrive(name: string) {
    const d = this.dvd.find((m) => m.getName() === name || m.getLocation() === name);
    if (!d) fail('VBOX_E_OBJECT_NOT_FOUND', `The host DVD drive named '${name}' could not be found`, 'IHost');
    return d;
  }
  findHostFloppyDrive(name: string) {
    const d = this.floppy.find((m) => m.getName() === name || m.getLocation() === name);
    if (!d) fail('VBOX_E_OBJECT_NOT_FOUND', `The host floppy drive named '${name}' could not be found`, 'IHost');
    return d;
  }
}

export class PlatformProperties implements ManagedObject {
  readonly iface = 'IPlatformProperties';
  /** PlatformProperties::getMaxNetworkAdapters: 8 for PIIX3, 36 for ICH9. */
  getMaxNetworkAdapters(chipset: string) { return chipset === 'ICH9' ? 36 : 8; }
  getMaxBootPosition() { return 4; }

  // The storage part (PlatformPropertiesImpl.cpp, x86; the tables are in storage.ts).
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

export class SystemProperties implements ManagedObject {
  readonly iface = 'ISystemProperties';
  /** ISystemProperties::defaultHardDiskFormat: what createMedium uses for an empty format (not checked when set). */
  private defaultHardDiskFormat = 'VDI';
  constructor(readonly machineFolder: string, readonly platform: PlatformProperties, private readonly save: () => void = () => undefined) {}
  getMinGuestRAM() { return 4; }
  getMaxGuestRAM() { return 2097152; }
  getMinGuestCPUCount() { return 1; }
  getMaxGuestCPUCount() { return 64; }
  getMaxGuestVRAM() { return 256; }
  getInfoVDSize() { return 2199022206976; }
  getDefaultMachineFolder() { return this.machineFolder; }
  getDefaultHardDiskFormat() { return this.defaultHardDiskFormat; }
  setDefaultHardDiskFormat(format: string) {
    this.defaultHardDiskFormat = format || 'VDI';
    this.save();
  }
  getMediumFormats() { return MEDIUM_FORMATS; }
  // VirtualBox 7.1 does not implement the free disk space thresholds (ReturnComNotImplemented).
  getFreeDiskSpaceWarning(): never { return notImplemented('getFreeDiskSpaceWarning'); }
  setFreeDiskSpaceWarning(_v: number): never { return notImplemented('setFreeDiskSpaceWarning'); }
  getFreeDiskSpacePercentWarning(): never { return notImplemented('getFreeDiskSpacePercentWarning'); }
  setFreeDiskSpacePercentWarning(_v: number): never { return notImplemented('setFreeDiskSpacePercentWarning'); }
  getFreeDiskSpaceError(): never { return notImplemented('getFreeDiskSpaceError'); }
  setFreeDiskSpaceError(_v: number): never { return notImplemented('setFreeDiskSpaceError'); }
  getFreeDiskSpacePercentError(): never { return notImplemented('getFreeDiskSpacePercentError'); }
  setFreeDiskSpacePercentError(_v: number): never { return notImplemented('setFreeDiskSpacePercentError'); }
  getSupportedVFSTypes() { return ['File', 'Cloud', 'S3']; }
  /** The host I/O cache is on by default for IDE and floppy controllers only. */
  getDefaultIoCacheSettingForStorageController(controllerType: string) {
    return ['PIIX3', 'PIIX4', 'ICH6', 'I82078'].includes(controllerType);
  }
  getVRDEAuthLibrary() { return 'VBoxAuth'; }
  getWebServiceAuthLibrary() { return 'VBoxAuth'; }
  getDefaultVRDEExtPack() { return 'Oracle VM VirtualBox Extension Pack'; }
  getPlatform() { return this.platform; }
  getScreenShotFormats() { return ['BGR0', 'BGRA', 'RGBA', 'PNG']; }
}

function notImplemented(method: string): never {
  fail('E_NOTIMPL', `Method ${method} is not implemented`, 'ISystemProperties');
}
