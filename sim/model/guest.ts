// IGuest (GuestImpl.cpp, GuestCtrlImpl.cpp of VirtualBox 7.1.12) and the Guest Additions of vboxsim's
// guests: about a second after power-on their VBoxService reports to the VM (facilities, run level
// Userland) and writes the /VirtualBox/GuestAdd/* and /VirtualBox/GuestInfo/* guest properties as
// VBoxServiceVMInfo.cpp does on Linux, with an IPv4 address for each adapter that gets one; they follow
// the adapters while the machine runs. A machine whose extradata vboxsim/guest-additions is "none" has none.
//
// Guest control (sessions, shutdown and Additions update through it) and drag and drop are not
// simulated: getSessions is empty, findSession finds none, createSession and updateGuestAdditions are
// refused, and the drag-and-drop objects are "not implemented", as a VirtualBox built without them says.
import { fail, VBoxFault, type ManagedObject } from './base';
import { EventSource } from './events';
import type { GuestPropertyService } from './guest-properties';
import type { NicSettings } from './settings';
import type { VM } from './vm';

export const ADDITIONS_VERSION = '7.1.12';
export const ADDITIONS_REVISION = 169651;
/** How long after power-on the Additions are up, unless the host's timing says otherwise (Timing.guestAdditions). */
export const DEFAULT_ADDITIONS_MS = 1000;

/** AdditionsFacility::s_aFacilityInfo: the name and class of each facility type. */
const FACILITY_INFO: Record<string, { name: string; classType: string }> = {
  VBoxGuestDriver: { name: 'VirtualBox Base Driver', classType: 'Driver' },
  AutoLogon: { name: 'Auto Logon', classType: 'Feature' },
  VBoxService: { name: 'VirtualBox System Service', classType: 'Service' },
  VBoxTrayClient: { name: 'VirtualBox Desktop Integration', classType: 'Program' },
  Seamless: { name: 'Seamless Mode', classType: 'Feature' },
  Graphics: { name: 'Graphics Mode', classType: 'Feature' },
  MonitorAttach: { name: 'Guest Monitor Attach', classType: 'Feature' },
};

const RUN_LEVELS = ['None', 'System', 'Userland', 'Desktop'];

interface Facility { type: string; status: string; lastUpdated: number }

/** What the guest needs from its host: the address a VirtualBox DHCP server of that network hands out (S2's registry). */
export interface GuestNetworkHost {
  dhcpLease?(networkName: string, mac: string): string | null;
}

/** The PCI device numbers of the first eight adapters on PIIX3 (00:03, 00:08 …): their Linux names enp0s3, enp0s8 … */
const NIC_PCI_DEVICES = [3, 8, 9, 10, 16, 17, 18, 19];

/** vboxsim's bridge (the hosts' br0/vbox0): every MAC seen on it keeps its address, for every host of this process. */
const bridgeAddresses = new Map<string, number>();
function bridgeAddress(mac: string): string {
  let n = bridgeAddresses.get(mac);
  if (n === undefined) bridgeAddresses.set(mac, (n = bridgeAddresses.size));
  return `192.168.100.${10 + (n % 240)}`;
}

/** One interface the guest configured: its IPv4 address on a /24. */
export interface GuestInterface { slot: number; name: string; mac: string; ip: string; broadcast: string; netmask: string }

/**
 * The guest's interfaces with an IPv4 address: each enabled adapter with an attachment and its cable
 * in, in slot order. NAT gives 10.0.(slot+2).15; a NAT network, host-only or internal network the lease
 * of its VirtualBox DHCP server (none without one); bridged vboxsim's bridge's 192.168.100.x.
 */
export function guestInterfaces(nics: readonly NicSettings[], slots: ReadonlySet<number>, host: GuestNetworkHost): GuestInterface[] {
  const out: GuestInterface[] = [];
  nics.forEach((n, slot) => {
    if (!slots.has(slot) || !n.enabled || !n.cableConnected || !n.MACAddress) return;
    const lease = (network: string) => (network ? host.dhcpLease?.(network, n.MACAddress) ?? null : null);
    let ip: string | null = null;
    switch (n.attachmentType) {
      case 'NAT': ip = `10.0.${slot + 2}.15`; break;
      case 'NATNetwork': ip = lease(n.natNetwork ?? ''); break;
      case 'HostOnly': ip = n.hostOnlyInterface ? lease(`HostInterfaceNetworking-${n.hostOnlyInterface}`) : null; break;
      case 'Internal': ip = lease(n.internalNetwork); break;
      case 'Bridged': ip = bridgeAddress(n.MACAddress); break;
      default: ip = null;
    }
    if (!ip) return;
    const dev = NIC_PCI_DEVICES[slot];
    out.push({
      slot, name: dev === undefined ? `eth${slot}` : `enp0s${dev}`, mac: n.MACAddress.toUpperCase(), ip,
      broadcast: ip.replace(/\.\d+$/, '.255'), netmask: '255.255.255.0',
    });
  });
  return out;
}

const NET_PREFIX = '/VirtualBox/GuestInfo/Net/';

/** IGuest of a running machine's console. */
export class Guest implements ManagedObject {
  readonly iface = 'IGuest';
  private readonly events = new EventSource();
  private runLevel = 'None';
  private readonly facilities = new Map<string, Facility>();
  private additionsVersion = '';
  private additionsRevision = 0;
  private memoryBalloonSize: number;
  private statisticsUpdateInterval = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly vm: VM) {
    this.memoryBalloonSize = vm.core.settings.memoryBalloonSize ?? 0;
  }

  /** AutoCaller: the Guest of a console whose VM is gone is not ready. */
  ready() {
    if (this.vm.isEnded) fail('E_ACCESSDENIED', 'The object is not ready', this.iface);
  }

  private get props(): GuestPropertyService { return this.vm.guestProperties; }

  /** The machine has Additions unless its extradata vboxsim/guest-additions says "none". */
  get hasAdditions(): boolean { return this.vm.core.settings.extraData['vboxsim/guest-additions'] !== 'none'; }

  // --- the Additions' life

  /** The guest boots: its Additions come up after `delayMs` (a VM that was already running: at once). */
  start(delayMs: number): void {
    this.stopTimer();
    if (!this.hasAdditions) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.vm.isEnded && ['Running', 'Paused'].includes(this.vm.state)) this.additionsUp();
    }, Math.max(0, delayMs));
    this.timer.unref?.();
  }

  stop(): void { this.stopTimer(); }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** VMMDev reports of the driver and VBoxService, then VBoxService's vminfo writes (vgsvcVMInfoWriteFixedProperties, users, network). */
  private additionsUp(): void {
    this.additionsVersion = ADDITIONS_VERSION;
    this.additionsRevision = ADDITIONS_REVISION;
    this.setFacility('VBoxGuestDriver', 'Active');
    this.setFacility('Graphics', 'Active');
    this.setFacility('VBoxService', 'Active');
    this.recalcRunLevel();
    const linux = !this.vm.core.settings.osTypeId.startsWith('Windows');
    const w = (name: string, value: string, flags = '') => this.props.guestWrite(name, value, flags);
    w('/VirtualBox/GuestInfo/OS/Product', linux ? 'Linux' : 'Windows Server 2022 Standard');
    w('/VirtualBox/GuestInfo/OS/Release', linux ? '6.1.0-28-amd64' : '10.0.20348');
    w('/VirtualBox/GuestInfo/OS/Version', linux ? '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)' : '');
    w('/VirtualBox/GuestInfo/OS/ServicePack', '');
    w('/VirtualBox/GuestAdd/Version', ADDITIONS_VERSION);
    w('/VirtualBox/GuestAdd/VersionExt', ADDITIONS_VERSION);
    w('/VirtualBox/GuestAdd/Revision', String(ADDITIONS_REVISION));
    // The property cache's TRANSIENT entries are written with TRANSRESET.
    w('/VirtualBox/GuestInfo/OS/LoggedInUsers', '0', 'TRANSRESET');
    w('/VirtualBox/GuestInfo/OS/NoLoggedInUsers', 'true', 'TRANSRESET');
    this.writeNetwork();
  }

  /** vgsvcVMInfoWriteNetwork: each interface with an IPv4 address as Net/<i>/*, then the Count beacon; what is gone goes. */
  writeNetwork(): void {
    if (this.facilities.get('VBoxService')?.status !== 'Active' || this.vm.isEnded) return;
    const ifs = guestInterfaces(this.vm.machine.s.nics, this.vm.nicSlots, this.vm.host);
    ifs.forEach((f, i) => {
      const p = `${NET_PREFIX}${i}`;
      this.props.guestWrite(`${p}/V4/IP`, f.ip);
      this.props.guestWrite(`${p}/V4/Broadcast`, f.broadcast);
      this.props.guestWrite(`${p}/V4/Netmask`, f.netmask);
      this.props.guestWrite(`${p}/MAC`, f.mac);
      this.props.guestWrite(`${p}/Status`, 'Up');
      this.props.guestWrite(`${p}/Name`, f.name);
    });
    // Interfaces that went away take their properties with them, so that Net/* says what the guest has.
    for (const p of this.props.all()) {
      const m = /^\/VirtualBox\/GuestInfo\/Net\/(\d+)\//.exec(p.name);
      if (m && Number(m[1]) >= ifs.length) this.props.delete(p.name, true);
    }
    this.props.set(`${NET_PREFIX}Count`, String(ifs.length), 0, true);
  }

  /** The guest shuts down: VBoxService's vminfo ends (vbsvcVMInfoTerm deletes Net/*, the cache resets its temporary values). */
  shutdownServices(): void {
    this.stopTimer();
    if (this.runLevel === 'None') return;
    for (const p of this.props.all()) if (p.name.startsWith(NET_PREFIX)) this.props.delete(p.name, true);
    this.props.guestWrite('/VirtualBox/GuestInfo/OS/LoggedInUsers', '0', 'TRANSRESET');
    this.props.guestWrite('/VirtualBox/GuestInfo/OS/NoLoggedInUsers', 'true', 'TRANSRESET');
    this.setFacility('VBoxService', 'Terminated');
    this.recalcRunLevel();
  }

  /** The VM was reset: the guest boots again (its Additions too). */
  rebooted(delayMs: number): void {
    this.stopTimer();
    for (const f of this.facilities.values()) f.status = 'Inactive';
    this.runLevel = 'None';
    this.start(delayMs);
  }

  private setFacility(type: string, status: string): void {
    this.facilities.set(type, { type, status, lastUpdated: Date.now() });
  }

  /** Guest::i_setAdditionsStatus's run level: Desktop, Userland or System by the active facilities. */
  private recalcRunLevel(): void {
    const active = (t: string) => this.facilities.get(t)?.status === 'Active';
    this.runLevel = active('VBoxTrayClient') ? 'Desktop' : active('VBoxService') ? 'Userland' : active('VBoxGuestDriver') ? 'System' : 'None';
  }

  // --- IGuest
  /** Guest::getOSTypeId: the Additions' report when they run (a Linux 2.6+ kernel), else the machine's OS type. */
  getOSTypeId() {
    const os = this.vm.core.settings.osTypeId;
    if (this.runLevel === 'None' || os.startsWith('Windows') || /BSD|Solaris|OS2|DOS|Other/i.test(os)) return os;
    return os.endsWith('_64') ? 'Linux26_64' : 'Linux26';
  }
  getAdditionsRunLevel() { return this.runLevel; }
  getAdditionsVersion() { return this.runLevel === 'None' ? '' : this.additionsVersion; }
  getAdditionsRevision() { return this.runLevel === 'None' ? 0 : this.additionsRevision; }
  getDnDSource(): never { return fail('E_NOTIMPL', 'Method getDnDSource is not implemented', this.iface); }
  getDnDTarget(): never { return fail('E_NOTIMPL', 'Method getDnDTarget is not implemented', this.iface); }
  getEventSource() { return this.events; }
  /** IAdditionsFacility structs, in facility type order (the map's). */
  getFacilities() {
    const order = Object.keys(FACILITY_INFO);
    return [...this.facilities.values()].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type)).map((f) => ({
      classType: FACILITY_INFO[f.type].classType, lastUpdated: f.lastUpdated, name: FACILITY_INFO[f.type].name, status: f.status, type: f.type,
    }));
  }
  /** No guest control sessions are ever open in vboxsim. */
  getSessions() { return []; }
  getMemoryBalloonSize() { return this.memoryBalloonSize; }
  /** Guest::setMemoryBalloonSize through Machine::setMemoryBalloonSize of the VM's session machine: below 90 % of the RAM. */
  setMemoryBalloonSize(mb: number) {
    const m = this.vm.machine;
    const max = Math.floor((9 * m.s.memorySize) / 10);
    if (mb >= max) m.err('E_INVALIDARG', `Invalid memory balloon size: ${mb} MB (must be in range [0, ${max}] MB)`);
    m.mutable('MutableOrRunning');
    m.s.memoryBalloonSize = mb;
    m.changed();
    this.memoryBalloonSize = mb;
  }
  getStatisticsUpdateInterval() { return this.statisticsUpdateInterval; }
  setStatisticsUpdateInterval(seconds: number) { this.statisticsUpdateInterval = seconds; }

  /**
   * Guest::internalGetStatistics: the guest's figures (in KB) once it reports them (an update interval
   * set and the Additions running), zero before; the VM's memory totals always.
   */
  internalGetStatistics() {
    const ramKB = this.vm.core.settings.memorySize * 1024;
    const balloonKB = this.memoryBalloonSize * 1024;
    const reports = this.statisticsUpdateInterval > 0 && this.runLevel !== 'None';
    return {
      cpuUser: reports ? 2 : 0, cpuKernel: reports ? 1 : 0, cpuIdle: reports ? 97 : 0,
      memTotal: reports ? ramKB : 0, memFree: reports ? Math.round(ramKB * 0.6) : 0, memBalloon: reports ? balloonKB : 0,
      memShared: 0, memCache: reports ? Math.round(ramKB * 0.2) : 0, pagedTotal: 0,
      memAllocTotal: ramKB - balloonKB, memFreeTotal: 0, memBalloonTotal: balloonKB, memSharedTotal: 0,
    };
  }

  /** Guest::getFacilityStatus: a facility never reported is Unknown, stamped now (RTTimeMilliTS). */
  getFacilityStatus(facility: string) {
    const f = this.facilities.get(facility);
    if (f) return { timestamp: f.lastUpdated, returnval: f.status };
    return { timestamp: Math.round(process.uptime() * 1000), returnval: 'Unknown' };
  }

  getAdditionsStatus(level: string) {
    const have = RUN_LEVELS.indexOf(this.runLevel);
    if (level === 'System') return have > 0;
    if (level === 'Userland') return have >= 2;
    if (level === 'Desktop') return have >= 3;
    return fail('VBOX_E_NOT_SUPPORTED', `Invalid status level defined: ${RUN_LEVELS.indexOf(level)}`, this.iface);
  }

  /** Guest::setCredentials: handed to the VMM device; "@@mem" is not implemented (a bare E_NOTIMPL). */
  setCredentials(_user: string, _password: string, domain: string, _interactive: boolean) {
    if (domain === '@@mem') throw new VBoxFault('E_NOTIMPL', '');
  }

  createSession(user: string, _password: string, _domain: string, _name: string): never {
    if (!user) fail('E_INVALIDARG', 'No user name specified', this.iface);
    if (RUN_LEVELS.indexOf(this.runLevel) < 2) fail('VBOX_E_GSTCTL_GUEST_ERROR', 'Guest Additions are not installed or not ready (yet)', this.iface);
    return fail('E_NOTIMPL', 'Method createSession is not implemented', this.iface);
  }

  findSession(name: string): never {
    return fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find sessions with name '${name}'`, this.iface);
  }

  /**
   * Guest::shutdown through a guest control session of the Additions: the guest powers off or reboots
   * (VBoxService does it); without Additions up no session opens.
   */
  shutdown(flags: string[]) {
    const bits = flags.reduce((a, f) => a | ({ PowerOff: 1, Reboot: 2, Force: 4 } as Record<string, number>)[f] | 0, 0);
    if ((bits & 3) === 3) fail('E_INVALIDARG', `Invalid combination of flags (0x${bits.toString(16)})`, this.iface);
    if (RUN_LEVELS.indexOf(this.runLevel) < 2) fail('VBOX_E_IPRT_ERROR', 'Could not open guest session: VERR_TIMEOUT', this.iface);
    this.vm.guestShutdown(!!(bits & 2));
  }

  /** Guest::updateGuestAdditions needs a guest control session, which vboxsim's guests never open. */
  updateGuestAdditions(_source: string, _args: string[], _flags: string[]): never {
    return fail('VBOX_E_IPRT_ERROR', 'Could not open guest session: VERR_TIMEOUT', this.iface);
  }
}
