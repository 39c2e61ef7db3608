import net from 'node:net';
import { fail, VBoxFault, type ManagedObject } from './base';
import { HostNameResolutionConfigurationChangeEvent, type EventSource } from './events';
import { Progress } from './progress';
import { randomMac } from './settings';
import { Medium, type MediumHost } from './medium';
import { DEFAULT_USB_DEVICES, UsbProxyService, type HostUSBDeviceFilter, type UsbDeviceSpec } from './usb'; // issue 16 S4

export interface NetworkInterfaceSpec {
  name: string;
  /** IPv4 address and mask ('' for none: 0.0.0.0). */
  ip: string;
  mask: string;
  mac: string;
  /** Bridged for physical, bridge and tap devices; HostOnly for vboxnetN. */
  type: 'Bridged' | 'HostOnly';
  status?: 'Up' | 'Down';
  wireless?: boolean;
  ipv6?: string;
  ipv6Prefix?: number;
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
  /** The host's name resolution (/etc/resolv.conf); default one name server and the domain as search string. */
  nameServers?: string[];
  searchStrings?: string[];
  /** The host's DVD and floppy drives (none by default, as on a server without them). */
  dvdDrives?: HostDriveSpec[];
  floppyDrives?: HostDriveSpec[];
  /** The host's USB devices at start (default: a USB stick and a smart-card reader; the control endpoint plugs more). */ // issue 16 S4
  usbDevices?: UsbDeviceSpec[];
}

/** What IHost's network part needs from VBoxSVC: the global extra data (HostOnly/<if>/*) and its event source. */
export interface HostNetworking {
  readonly globalExtraData: Record<string, string>;
  setGlobalExtraData(key: string, value: string): void;
  /** The host-only interfaces changed (the registry keeps their names). */
  saveRegistry(): void;
  readonly events: EventSource;
}

/** A failure VirtualBox returns without error info (a bare result code on the wire). */
const bare = (code: 'E_FAIL' | 'E_INVALIDARG' | 'E_NOTIMPL'): never => { throw new VBoxFault(code, ''); };

/** inet_addr for the dotted quads VirtualBox's callers pass; null for INADDR_NONE (255.255.255.255 included, as there). */
function inetAddr(s: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return null;
  const v = m.slice(1).map(Number).join('.');
  return v === '255.255.255.255' ? null : v;
}

/** RTNetStrToIPv6Addr: an IPv6 address, perhaps with a zone. */
function isIPv6(s: string): boolean {
  return net.isIPv6(s.replace(/%.*$/, ''));
}

/** A GUID as com::Guid reads one; invalid: null ('' is the zero GUID). */
function parseGuidLoose(s: string): string | null {
  if (s === '') return '00000000-0000-0000-0000-000000000000';
  const m = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(s.trim());
  return m ? m[1].toLowerCase() : null;
}

/** VBOXNET_IPV4ADDR_DEFAULT + (instance << 16): vboxnetN's default address 192.168.(56+N).1. */
function defaultHostOnlyIp(name: string): string {
  const n = Number(/(\d+)$/.exec(name)?.[1] ?? 0);
  return `192.168.${(56 + n) & 255}.1`;
}

export class HostNetworkInterface implements ManagedObject {
  readonly iface = 'IHostNetworkInterface';
  readonly id: string;
  constructor(readonly spec: NetworkInterfaceSpec, private readonly index: number, private readonly net?: HostNetworking) {
    // Stable per name (VirtualBox makes the id from the interface's name and MAC): host-only ones by their name.
    const tag = spec.type === 'HostOnly' ? nameHash(spec.name) : 0x5f000000 + index;
    this.id = `${tag.toString(16).padStart(8, '0')}-0000-4000-8000-${spec.mac.replace(/:/g, '').toLowerCase().padStart(12, '0')}`;
  }
  /** A new object for the same interface: Host::i_updateNetIfList makes them afresh for every listing. */
  fresh(): HostNetworkInterface { return new HostNetworkInterface(this.spec, this.index, this.net); }
  getName() { return this.spec.name; }
  getShortName() { return this.spec.name; }
  getId() { return this.id; }
  getNetworkName() { return `HostInterfaceNetworking-${this.spec.name}`; }
  getDHCPEnabled() { return false; }
  getIPAddress() { return this.spec.ip || '0.0.0.0'; }
  getNetworkMask() { return this.spec.mask || '0.0.0.0'; }
  getIPV6Supported() { return true; }
  getIPV6Address() { return this.ipv6; }
  getIPV6NetworkMaskPrefixLength() { return this.ipv6 ? this.spec.ipv6Prefix ?? 64 : 0; }
  /** What Linux gives an interface that is up: its link-local address from the MAC (EUI-64), unless set; host-only ones have what was set. */
  private get ipv6(): string {
    if (this.spec.ipv6 !== undefined || this.spec.type === 'HostOnly') return this.spec.ipv6 ?? '';
    const b = this.spec.mac.split(':').map((x) => parseInt(x, 16));
    if (b.length !== 6 || b.some((x) => Number.isNaN(x))) return '';
    const g = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    return `fe80::${g(b[0] ^ 2, b[1])}:${g(b[2], 0xff)}:${g(0xfe, b[3])}:${g(b[4], b[5])}`;
  }
  getHardwareAddress() { return this.spec.mac; }
  getMediumType() { return 'Ethernet'; }
  getStatus() { return this.spec.status ?? 'Up'; }
  getInterfaceType() { return this.spec.type; }
  getWireless() { return !!this.spec.wireless; }

  private get hostOnly(): boolean { return this.spec.type === 'HostOnly' && !!this.net; }
  private extra(key: string, value: string) { this.net?.setGlobalExtraData(`HostOnly/${this.spec.name}/${key}`, value); }

  /**
   * HostNetworkInterface::enableStaticIPConfig: VBoxNetAdpCtl configures host-only interfaces only (for
   * any other it fails: a bare E_FAIL); the address is kept in the extra data HostOnly/<if>/IPAddress and
   * IPNetMask. An empty address removes it (nothing to do without one); an empty mask is 255.255.255.0.
   */
  enableStaticIPConfig(ip: string, mask: string) {
    if (!ip) {
      if (!this.spec.ip) return;
      if (this.hostOnly) {
        this.spec.ip = '';
        this.spec.mask = '';
        this.extra('IPAddress', '');
        this.extra('IPNetMask', '');
        // The interface has no address now: a later look (i_setVirtualBox) shows the default again.
        this.spec.ip = defaultHostOnlyIp(this.spec.name);
        this.spec.mask = '255.255.255.0';
        return;
      }
    }
    const addr = inetAddr(ip);
    const netmask = mask ? inetAddr(mask) : '255.255.255.0';
    if (!addr || !netmask) return bare('E_FAIL');
    if (addr === this.spec.ip && netmask === this.spec.mask) return;
    if (!this.hostOnly) return bare('E_FAIL');
    this.spec.ip = addr;
    this.spec.mask = netmask;
    this.extra('IPAddress', ip);
    this.extra('IPNetMask', mask);
  }

  /** enableStaticIPConfigV6: the checks raised by VirtualBox (its object), then VBoxNetAdpCtl as above; prefix 0 means 64. */
  enableStaticIPConfigV6(address: string, prefix: number) {
    if (prefix > 128) fail('E_INVALIDARG', 'Invalid IPv6 prefix length', 'IVirtualBox');
    if (!isIPv6(address)) fail('E_INVALIDARG', 'Invalid IPv6 address', 'IVirtualBox');
    const changed = !this.ipv6 || normalV6(address) !== normalV6(this.ipv6);
    if (!changed && (this.spec.ipv6Prefix ?? 64) === prefix) return;
    const len = prefix || 64;
    if (!this.hostOnly) return bare('E_FAIL');
    this.spec.ipv6 = address;
    this.spec.ipv6Prefix = len;
    this.extra('IPV6Address', address);
    this.extra('IPV6NetMask', String(len));
  }

  /** NetIfEnableDynamicIpConfig and NetIfDhcpRediscover are not implemented on Linux: a bare E_NOTIMPL. */
  enableDynamicIPConfig(): never { return bare('E_NOTIMPL'); }
  DHCPRediscover(): never { return bare('E_NOTIMPL'); }
}

/** An IPv6 address written out in full, to compare two spellings. */
function normalV6(a: string): string {
  const [head, tail = ''] = a.replace(/%.*$/, '').toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = a.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((x) => x.padStart(4, '0')).join(':');
}

/** RTStrHash1-like: a stable 32-bit number of a name. */
function nameHash(name: string): number {
  let h = 0;
  for (const c of Buffer.from(name, 'utf8')) h = (Math.imul(h, 65599) + c) >>> 0;
  return h;
}

/** IHost: the physical machine vboxwebsrv runs on. */
export class Host implements ManagedObject {
  readonly iface = 'IHost';
  readonly interfaces: HostNetworkInterface[];
  /** Host-only interfaces (vboxnetN) made with createHostOnlyNetworkInterface. */
  private hostOnly: HostNetworkInterface[] = [];
  constructor(readonly spec: HostSpec, private readonly usedMemoryMB: () => number, private readonly net?: HostNetworking) {
    this.interfaces = spec.interfaces.map((s, i) => new HostNetworkInterface(s, i, net));
    this.usb = new UsbProxyService(spec.usbDevices ?? DEFAULT_USB_DEVICES); // issue 16 S4
  }
  getArchitecture() { return 'x86'; }
  getNetworkInterfaces() { return [...this.interfaces, ...this.hostOnly].map((i) => i.fresh()); }
  getDomainName() { return this.spec.domain; }
  getNameServers() { return this.spec.nameServers ?? ['192.0.2.53']; }
  getSearchStrings() { return this.spec.searchStrings ?? (this.spec.domain ? [this.spec.domain] : []); }

  /** The host's resolver configuration changed (HostDnsMonitor): IHostNameResolutionConfigurationChangeEvent. */
  setNameResolution(c: { nameServers?: string[]; domain?: string; searchStrings?: string[] }): void {
    if (c.nameServers) this.spec.nameServers = [...c.nameServers];
    if (c.domain !== undefined) this.spec.domain = c.domain;
    if (c.searchStrings) this.spec.searchStrings = [...c.searchStrings];
    const ev = this.net?.events;
    if (ev) ev.fire(new HostNameResolutionConfigurationChangeEvent(ev));
  }

  /** Host::i_generateMACAddress: VirtualBox's OUI 080027 and three random bytes. */
  generateMACAddress() { return randomMac(); }
  /** Not implemented in VirtualBox 7.1 (Host::getAudioDevices: ReturnComNotImplemented), so no host lists audio devices. */ // issue 16 S3
  getAudioDevices() { return fail('E_NOTIMPL', 'Method getAudioDevices is not implemented', 'IHost'); }
  // USB (issue 16 S4): the USB proxy service's devices, global filters and device sources (usb.ts).
  readonly usb: UsbProxyService;
  getUSBDevices() { return this.usb.getUSBDevices(); }
  getUSBDeviceFilters() { return this.usb.getUSBDeviceFilters(); }
  createUSBDeviceFilter(name: string) { return this.usb.createUSBDeviceFilter(name); }
  insertUSBDeviceFilter(position: number, filter: HostUSBDeviceFilter | null) { this.usb.insertUSBDeviceFilter(position, filter); }
  removeUSBDeviceFilter(position: number) { this.usb.removeUSBDeviceFilter(position); }
  findUSBDeviceById(id: string) { return this.usb.findUSBDeviceById(id); }
  findUSBDeviceByAddress(name: string) { return this.usb.findUSBDeviceByAddress(name); }
  addUSBDeviceSource(backend: string, id: string, address: string, names: string[], values: string[]) {
    return this.usb.addUSBDeviceSource(backend, id, address, names, values);
  }
  removeUSBDeviceSource(id: string) { this.usb.removeUSBDeviceSource(id); }

  /** The names of the host-only interfaces made here (the registry keeps them). */
  hostOnlyNames(): string[] { return this.hostOnly.map((i) => i.spec.name); }

  /**
   * The host-only interfaces again after a restart: VBoxNetAdpCtl made them with their addresses, which
   * VirtualBox keeps in the extra data (HostNetworkInterface::i_setVirtualBox reads them back).
   */
  restoreHostOnly(names: string[]): void {
    this.hostOnly = names.map((name) => this.hostOnlyInterface(name));
  }

  private hostOnlyInterface(name: string): HostNetworkInterface {
    const n = Number(/(\d+)$/.exec(name)?.[1] ?? 0);
    const x = this.net?.globalExtraData ?? {};
    const ip = x[`HostOnly/${name}/IPAddress`] || defaultHostOnlyIp(name);
    const mask = x[`HostOnly/${name}/IPNetMask`] || '255.255.255.0';
    const ipv6 = x[`HostOnly/${name}/IPV6Address`] || undefined;
    // vboxnetadp gives vboxnetN the MAC 0a:00:27:00:00:N.
    const mac = `0a:00:27:00:00:${(n & 255).toString(16).padStart(2, '0')}`;
    return new HostNetworkInterface({ name, ip: inetAddr(ip) ?? ip, mask: inetAddr(mask) ?? mask, mac, type: 'HostOnly', ipv6, ipv6Prefix: ipv6 ? Number(x[`HostOnly/${name}/IPV6PrefixLen`] || 64) : undefined }, 0, this.net);
  }

  /**
   * Host::createHostOnlyNetworkInterface (NetIfCreateHostOnlyNetworkInterface on Linux): VBoxNetAdpCtl
   * makes the next free vboxnetN, and its address (the default 192.168.(56+N).1/24 unless the extra data
   * has one) is written to the extra data. No DHCP server comes with it (the GUI makes those).
   */
  createHostOnlyNetworkInterface() {
    const taken = new Set(this.getNetworkInterfaces().map((i) => i.spec.name));
    let n = 0;
    while (taken.has(`vboxnet${n}`)) n++;
    const iface = this.hostOnlyInterface(`vboxnet${n}`);
    this.hostOnly.push(iface);
    this.net?.saveRegistry();
    this.net?.setGlobalExtraData(`HostOnly/${iface.spec.name}/IPAddress`, iface.spec.ip);
    this.net?.setGlobalExtraData(`HostOnly/${iface.spec.name}/IPNetMask`, iface.spec.mask);
    const progress = new Progress({ description: 'Creating host only network interface', initiator: this, cancelable: false });
    progress.complete();
    return { hostInterface: iface, returnval: progress };
  }

  /**
   * Host::removeHostOnlyNetworkInterface: an unknown id is not found; VBoxNetAdpCtl removes host-only
   * interfaces only (any other: a bare E_FAIL); their extra data goes.
   */
  removeHostOnlyNetworkInterface(id: string) {
    const guid = parseGuidLoose(id) ?? '00000000-0000-0000-0000-000000000000';
    const iface = this.getNetworkInterfaces().find((i) => i.id === guid);
    if (!iface) fail('VBOX_E_OBJECT_NOT_FOUND', `Host network interface with UUID {${guid}} does not exist`, 'IHost');
    if (!this.hostOnly.some((i) => i.spec === iface.spec)) return bare('E_FAIL');
    this.hostOnly = this.hostOnly.filter((i) => i.spec !== iface.spec);
    this.net?.saveRegistry();
    for (const k of ['IPAddress', 'IPNetMask', 'IPV6Address', 'IPV6NetMask']) this.net?.setGlobalExtraData(`HostOnly/${iface.spec.name}/${k}`, '');
    const progress = new Progress({ description: 'Removing host network interface', initiator: this, cancelable: false });
    progress.complete();
    return progress;
  }
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
  /** Host::isExecutionEngineSupported (issue 16 S1): x86 guests with hardware virtualization or the interpreter. */
  isExecutionEngineSupported(cpuArchitecture: string, executionEngine: string) {
    return (cpuArchitecture === 'x86' || cpuArchitecture === 'AMD64') && ['Default', 'HwVirt', 'Interpreter'].includes(executionEngine);
  }
  getProcessorFeature(feature: string) {
    return ['HWVirtEx', 'PAE', 'LongMode', 'NestedPaging', 'UnrestrictedGuest', 'NestedHWVirt', 'VirtVmsaveVmload'].includes(feature);
  }
  /** Host::getProcessorDescription: IPRT's status code as the text for a CPU the host does not have. */
  getProcessorDescription(cpuId: number) {
    if (cpuId >= this.spec.cpuCount) fail('VBOX_E_IPRT_ERROR', 'VERR_CPU_NOT_FOUND', 'IHost');
    return this.spec.cpuDescription;
  }
  /** An empty name is a bare E_INVALIDARG. */
  findHostNetworkInterfaceByName(name: string) {
    if (!name) return bare('E_INVALIDARG');
    const i = this.getNetworkInterfaces().find((n) => n.spec.name === name);
    if (!i) fail('E_INVALIDARG', `The host network interface named '${name}' could not be found`, 'IHost');
    return i;
  }
  /** A string that is no GUID is a bare E_INVALIDARG ('' is the zero GUID, which no interface has). */
  findHostNetworkInterfaceById(id: string) {
    const guid = parseGuidLoose(id);
    if (!guid) return bare('E_INVALIDARG');
    const i = this.getNetworkInterfaces().find((n) => n.id === guid);
    if (!i) fail('E_INVALIDARG', `The host network interface with the given GUID could not be found`, 'IHost');
    return i;
  }
  findHostNetworkInterfacesOfType(type: string) { return this.getNetworkInterfaces().filter((n) => n.spec.type === type); }

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

// ISystemProperties and IPlatformProperties live in system-properties.ts (issue 16 S1).
export { PlatformProperties, SystemProperties } from './system-properties';
