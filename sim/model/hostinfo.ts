import { fail, type ManagedObject } from './base';

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

export interface HostSpec {
  name: string;
  cpuCount: number;
  cpuDescription: string;
  cpuSpeedMHz: number;
  memoryMB: number;
  osVersion: string;
  domain: string;
  interfaces: NetworkInterfaceSpec[];
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
}

export class PlatformProperties implements ManagedObject {
  readonly iface = 'IPlatformProperties';
  /** PlatformProperties::getMaxNetworkAdapters: 8 for PIIX3, 36 for ICH9. */
  getMaxNetworkAdapters(chipset: string) { return chipset === 'ICH9' ? 36 : 8; }
  getMaxBootPosition() { return 4; }
}

export class SystemProperties implements ManagedObject {
  readonly iface = 'ISystemProperties';
  constructor(readonly machineFolder: string, readonly platform: PlatformProperties) {}
  getMinGuestRAM() { return 4; }
  getMaxGuestRAM() { return 2097152; }
  getMinGuestCPUCount() { return 1; }
  getMaxGuestCPUCount() { return 64; }
  getMaxGuestVRAM() { return 256; }
  getInfoVDSize() { return 2199022206976; }
  getDefaultMachineFolder() { return this.machineFolder; }
  getDefaultHardDiskFormat() { return 'VDI'; }
  getVRDEAuthLibrary() { return 'VBoxAuth'; }
  getWebServiceAuthLibrary() { return 'VBoxAuth'; }
  getDefaultVRDEExtPack() { return 'Oracle VM VirtualBox Extension Pack'; }
  getPlatform() { return this.platform; }
  getScreenShotFormats() { return ['BGR0', 'BGRA', 'RGBA', 'PNG']; }
}
