// INetworkAdapter and INATEngine of a machine (NetworkAdapterImpl.cpp, NATEngineImpl.cpp in VirtualBox
// 7.1.12): the settings live in the machine's NicSettings (settings.ts); live changes reach a running
// machine through the VM process's session machine (Console::i_onNetworkAdapterChange, and NAT rules
// through VirtualBox's INATRedirectEvent, SessionMachine::i_onNATRedirectRuleChanged).
import { fail, RUNNING_STATES, VBoxFault, type ManagedObject } from './base';
import type { BandwidthGroup } from './bandwidth';
import { NetworkAdapterChangedEvent } from './events';
import type { Machine, MachineCore, StateDep } from './machine';
import { defaultNatSettings, randomMac, type NatRule, type NatSettings, type NicSettings } from './settings';
import type { ResultCodeName } from '../soap/faults';

/** A failure VirtualBox returns without error info: a bare result code on the wire. */
const bare = (code: ResultCodeName): never => { throw new VBoxFault(code, ''); };

/** NetworkAdapterType values, as NetworkAdapter::setAdapterType prints a refused one (%d). */
const ADAPTER_TYPES = ['Null', 'Am79C970A', 'Am79C973', 'I82540EM', 'I82543GC', 'I82545EM', 'Virtio', 'Am79C960', 'NE2000', 'NE1000', 'WD8013', 'WD8003', 'ELNK2', 'ELNK1'];

/** NATAliasMode: AliasLog | AliasProxyOnly | AliasUseSamePorts. */
const ALIAS_BITS = 0x1 | 0x2 | 0x4;

/** The adapters as the machine uses them now: a running machine's are its VM process's (live changes included). */
export function liveNics(core: MachineCore): readonly NicSettings[] {
  const vm = core.vm;
  return vm && !vm.isEnded ? vm.machine.s.nics : core.settings.nics;
}

/** NetworkAdapter::i_updateMacAddress's check: 12 hex digits, the second making a unicast address (tested on the character code, as there). */
function validMac(v: string): boolean {
  if (!/^[0-9A-F]{12}$/.test(v)) return false;
  const second = v.charCodeAt(1);
  const isDigit = second >= 0x30 && second <= 0x39;
  return (second & 1 ? 1 : 0) !== (isDigit ? 1 : 0);
}

/** RTNetStrToIPv4Addr: four decimal octets, leading and trailing blanks allowed. */
export function parseIPv4(s: string): number | null {
  const m = /^\s*(\d+)\.(\d+)\.(\d+)\.(\d+)[ \t]*$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

export class NetworkAdapter implements ManagedObject {
  readonly iface = 'INetworkAdapter';
  private nat: NATEngine | undefined;
  /** The settings generation in which this adapter's data was backed up (Backupable::backup), -1: shared with the machine's. */
  private backedUpIn = -1;
  constructor(readonly m: Machine, readonly slot: number) {}

  /** AutoCaller: the adapter of an uninitialised session machine, or one a chipset change took away, is not ready. */
  ready() {
    if (this.m.isGone || this.slot >= this.m.s.nics.length) fail('E_ACCESSDENIED', 'The object is not ready', this.iface);
  }

  /** The adapter's settings (S3 and others read them here). */
  get settings(): NicSettings { return this.m.s.nics[this.slot]; }
  private get n(): NicSettings { return this.settings; }

  private backup(): void { this.backedUpIn = this.m.settingsGeneration; }
  /** Machine::i_setModified(IsModified_NetworkAdapters). */
  modified(): void {
    this.m.changed();
    this.m.nicsModified = true;
  }
  private get backedUp(): boolean { return this.backedUpIn === this.m.settingsGeneration; }

  /**
   * The common setter: the state dependency, then, when the value changes, the backup, the machine's
   * "modified" flag (unless the setter skips it, as setGenericDriver does) and the change notification.
   */
  private update<K extends keyof NicSettings>(dep: StateDep, k: K, v: NicSettings[K], current: NicSettings[K], modified = true): void {
    this.m.mutable(dep);
    if (current === v) return;
    this.backup();
    this.n[k] = v;
    if (modified) this.modified();
    this.changed();
  }

  /**
   * SessionMachine::i_onNetworkAdapterChange: only the VM process's own session machine tells its
   * console, which fires INetworkAdapterChangedEvent unless the running VM has no such device (an adapter
   * that was off at power-on: "The network adapter #n is not enabled", which the setter ignores).
   */
  changed(): void {
    const vm = this.m.core.vm;
    if (!this.m.isSession || !vm || vm.isEnded || vm.machine !== this.m) return;
    if (RUNNING_STATES.has(this.m.core.state) && !vm.nicSlots.has(this.slot)) return;
    const events = vm.console.getEventSource();
    events.fire(new NetworkAdapterChangedEvent(events, this));
    this.m.core.host.nicChanged?.(this.m.core, this.slot);
  }

  getAdapterType() { return this.n.adapterType; }
  setAdapterType(t: string) {
    this.m.mutable();
    if (t === 'Null') fail('E_FAIL', `Invalid network adapter type '${ADAPTER_TYPES.indexOf(t)}'`, this.iface);
    this.update('Mutable', 'adapterType', t, this.n.adapterType);
  }
  getSlot() { return this.slot; }
  getEnabled() { return this.n.enabled; }
  /** Turning an adapter on gives it a MAC address if it has none. */
  setEnabled(v: boolean) {
    this.m.mutable();
    if (this.n.enabled === v) return;
    this.backup();
    this.n.enabled = v;
    if (v && !this.n.MACAddress) this.n.MACAddress = randomMac();
    this.modified();
    this.changed();
  }
  getMACAddress() { return this.n.MACAddress; }
  /**
   * NetworkAdapter::setMACAddress / i_updateMacAddress: '' on an enabled adapter makes a new address;
   * otherwise 12 hex digits (stored upper-cased) of a unicast address, or '' on a disabled adapter.
   * The data is backed up whether or not anything changes.
   */
  setMACAddress(mac: string) {
    this.m.mutable();
    this.backup();
    if (this.n.enabled && mac === '') this.n.MACAddress = randomMac();
    else if (mac !== this.n.MACAddress) {
      const v = mac.replace(/[a-f]/g, (c) => c.toUpperCase());
      if ((this.n.enabled || v) && !validMac(v)) fail('E_INVALIDARG', 'Invalid MAC address format', this.iface);
      this.n.MACAddress = v;
    }
    this.modified();
    this.changed();
  }
  getAttachmentType() { return this.n.attachmentType; }
  /** Switching fills in the default internal and NAT network names ("intnet", "NatNetwork"). */
  setAttachmentType(t: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    const old = this.n.attachmentType;
    if (t === old) return;
    this.backup();
    if (!this.n.internalNetwork) this.n.internalNetwork = 'intnet';
    if (!this.n.natNetwork) this.n.natNetwork = 'NatNetwork';
    this.n.attachmentType = t;
    this.modified();
    if (old === 'NATNetwork') this.natNetworkRef(this.n.natNetwork, -1);
    if (t === 'NATNetwork') this.natNetworkRef(this.n.natNetwork, 1);
    this.changed();
  }

  /**
   * NetworkAdapter::i_switchToNatNetworking / i_switchFromNatNetworking: a running (or paused) machine
   * holds a reference on the NAT network it is attached to, which starts and stops it.
   */
  private natNetworkRef(name: string, delta: 1 | -1): void {
    const st = this.m.core.state;
    if (st === 'Running' || st === 'Paused') this.m.core.host.natNetworkRef?.(name, delta);
  }
  getBridgedInterface() { return this.n.bridgedInterface; }
  setBridgedInterface(v: string) { this.setName('bridgedInterface', v, 'Bridged', 'Empty or null bridged interface name is not valid'); }
  getHostOnlyInterface() { return this.n.hostOnlyInterface ?? ''; }
  setHostOnlyInterface(v: string) { this.setName('hostOnlyInterface', v, 'HostOnly', 'Empty or null host only interface name is not valid'); }
  // Host-only networks (VBOX_WITH_VMNET) are macOS's: VirtualBox for Linux answers a bare E_NOTIMPL.
  getHostOnlyNetwork() { return bare('E_NOTIMPL'); }
  setHostOnlyNetwork(_v: string) { bare('E_NOTIMPL'); }
  getInternalNetwork() { return this.n.internalNetwork; }
  setInternalNetwork(v: string) { this.setName('internalNetwork', v, 'Internal', 'Empty or null internal network name is not valid'); }
  getNATNetwork() { return this.n.natNetwork ?? ''; }
  setNATNetwork(v: string) { this.setName('natNetwork', v, 'NATNetwork', 'Empty or null NAT network name is not valid'); }
  getGenericDriver() { return this.n.genericDriver ?? ''; }
  /** NetworkAdapter::setGenericDriver does not mark the machine modified. */
  setGenericDriver(v: string) { this.update('MutableOrSavedOrRunning', 'genericDriver', v, this.n.genericDriver ?? '', false); }
  getCloudNetwork() { return this.n.cloudNetwork ?? ''; }
  /** Not marked modified either (the dynamic re-attachment is a to-do there). */
  setCloudNetwork(v: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    if ((this.n.cloudNetwork ?? '') === v) return;
    if (!v && this.n.enabled && this.n.attachmentType === 'Cloud') fail('E_FAIL', 'Empty or null Cloud network name is not valid', this.iface);
    this.backup();
    this.n.cloudNetwork = v;
    this.changed();
  }
  getCableConnected() { return this.n.cableConnected; }
  setCableConnected(v: boolean) { this.update('MutableOrSavedOrRunning', 'cableConnected', v, this.n.cableConnected); }
  getLineSpeed() { return this.n.lineSpeed ?? 0; }
  setLineSpeed(v: number) { this.update('Mutable', 'lineSpeed', v, this.n.lineSpeed ?? 0); }
  getPromiscModePolicy() { return this.n.promiscModePolicy ?? 'Deny'; }
  setPromiscModePolicy(v: string) { this.update('MutableOrSavedOrRunning', 'promiscModePolicy', v, this.n.promiscModePolicy ?? 'Deny'); }
  getTraceEnabled() { return this.n.traceEnabled ?? false; }
  setTraceEnabled(v: boolean) { this.update('MutableOrSavedOrRunning', 'traceEnabled', v, this.n.traceEnabled ?? false); }
  getTraceFile() { return this.n.traceFile ?? ''; }
  setTraceFile(v: string) { this.update('MutableOrSavedOrRunning', 'traceFile', v, this.n.traceFile ?? ''); }
  getNATEngine() { return (this.nat ??= new NATEngine(this)); }
  getBootPriority() { return this.n.bootPriority; }
  /** No range check in VirtualBox: 0 is the default, 1 the highest priority. */
  setBootPriority(v: number) { this.update('Mutable', 'bootPriority', v, this.n.bootPriority); }

  getBandwidthGroup() {
    const name = this.n.bandwidthGroup ?? '';
    return name ? this.m.getBandwidthControl().groupObject(name) ?? null : null;
  }
  /**
   * NetworkAdapter::setBandwidthGroup: the group is looked up by its name among this machine's groups
   * (of any type); a name this machine does not have leaves the adapter without a group.
   */
  setBandwidthGroup(group: BandwidthGroup | null) {
    this.m.mutable('MutableOrSaved');
    const name = group?.name ?? '';
    if ((this.n.bandwidthGroup ?? '') === name) return;
    this.backup();
    this.n.bandwidthGroup = name && this.m.getBandwidthControl().groupObject(name) ? name : '';
    this.modified();
    this.changed();
  }

  getProperty(key: string) { return this.n.genericProperties?.[key] ?? ''; }
  /**
   * NetworkAdapter::setProperty changes the data without backing it up: while the session's adapter still
   * shares its data with the machine's (nothing else changed since the last save), the machine sees the
   * change at once and discardSettings does not take it back.
   */
  setProperty(key: string, value: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    if ((this.n.genericProperties?.[key] ?? '') === value) return;
    const targets = [this.n];
    const committed = this.m.core.settings.nics[this.slot];
    if (this.m.isSession && !this.backedUp && committed && committed !== this.n) targets.push(committed);
    for (const t of targets) {
      const props = (t.genericProperties ??= {});
      if (value === '') delete props[key];
      else props[key] = value;
    }
    this.modified();
    this.changed();
  }
  /** All properties, by name; the names argument is not used (a to-do in VirtualBox too). */
  getProperties(_names: string) {
    const props = this.n.genericProperties ?? {};
    const keys = Object.keys(props).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { returnNames: keys, returnval: keys.map((k) => props[k]) };
  }

  /** The name setters: an empty name is refused while the adapter is on and attached that way. */
  private setName(k: 'bridgedInterface' | 'internalNetwork' | 'hostOnlyInterface' | 'natNetwork', v: string, mode: string, refusal: string) {
    this.m.mutable('MutableOrSavedOrRunning');
    const old = this.n[k] ?? '';
    if (old === v) return;
    if (!v && this.n.enabled && this.n.attachmentType === mode) fail('E_FAIL', refusal, this.iface);
    this.backup();
    this.n[k] = v;
    this.modified();
    if (k === 'natNetwork' && this.n.attachmentType === 'NATNetwork') {
      this.natNetworkRef(old, -1);
      this.natNetworkRef(v, 1);
    }
    this.changed();
  }
}

/**
 * INATEngine: one adapter's NAT settings and port forwarding. As NATEngine.cpp, it checks no machine
 * state: changes take effect on the machine object they are made through.
 */
export class NATEngine implements ManagedObject {
  readonly iface = 'INATEngine';
  constructor(private readonly adapter: NetworkAdapter) {}
  private get m(): Machine { return this.adapter.m; }
  ready() { this.adapter.ready(); }
  private get nic(): NicSettings { return this.adapter.settings; }
  private get nat(): NatSettings { return (this.nic.nat ??= defaultNatSettings()); }
  private get rules(): NatRule[] { return (this.nic.natRules ??= []); }

  private set<K extends keyof NatSettings>(k: K, v: NatSettings[K]): void {
    if (this.nat[k] === v) return;
    this.nat[k] = v;
    this.modified();
  }
  private modified(): void { this.adapter.modified(); }

  getNetwork() { return this.nat.network; }
  setNetwork(v: string) { this.set('network', v); }
  getHostIP() { return this.nat.hostIP; }
  /** NATEngine::setHostIP: an IPv4 address that is not multicast (or '' for any). */
  setHostIP(v: string) {
    if (v) {
      const a = parseIPv4(v);
      if (a === null) fail('E_INVALIDARG', `Invalid IPv4 address "${v}"`, this.iface);
      if ((a & 0xe0000000) >>> 0 === 0xe0000000) fail('E_INVALIDARG', `Cannot bind to a multicast address ${v}`, this.iface);
    }
    this.set('hostIP', v);
  }
  getTFTPPrefix() { return this.nat.tftpPrefix; }
  setTFTPPrefix(v: string) { this.set('tftpPrefix', v); }
  getTFTPBootFile() { return this.nat.tftpBootFile; }
  setTFTPBootFile(v: string) { this.set('tftpBootFile', v); }
  getTFTPNextServer() { return this.nat.tftpNextServer; }
  setTFTPNextServer(v: string) { this.set('tftpNextServer', v); }
  getAliasMode() { return this.nat.aliasMode; }
  /** Only the NATAliasMode bits are kept. */
  setAliasMode(v: number) { this.set('aliasMode', v & ALIAS_BITS); }
  getDNSPassDomain() { return this.nat.dnsPassDomain; }
  setDNSPassDomain(v: boolean) { this.set('dnsPassDomain', v); }
  getDNSProxy() { return this.nat.dnsProxy; }
  setDNSProxy(v: boolean) { this.set('dnsProxy', v); }
  getDNSUseHostResolver() { return this.nat.dnsUseHostResolver; }
  setDNSUseHostResolver(v: boolean) { this.set('dnsUseHostResolver', v); }
  getLocalhostReachable() { return this.nat.localhostReachable; }
  setLocalhostReachable(v: boolean) { this.set('localhostReachable', v); }

  getNetworkSettings() {
    const n = this.nat;
    return { mtu: n.mtu, sockSnd: n.sockSnd, sockRcv: n.sockRcv, TcpWndSnd: n.tcpWndSnd, TcpWndRcv: n.tcpWndRcv };
  }
  /**
   * NATEngine::setNetworkSettings: a 0 leaves that value as it is; the receive buffer takes the send
   * buffer's value, as VirtualBox 7.1 does (it assigns aSockSnd to it).
   */
  setNetworkSettings(mtu: number, sockSnd: number, sockRcv: number, tcpWndSnd: number, tcpWndRcv: number) {
    if (!(mtu || sockSnd || sockRcv || tcpWndSnd || tcpWndRcv)) return;
    const n = this.nat;
    if (mtu) n.mtu = mtu;
    if (sockSnd) n.sockSnd = sockSnd;
    if (sockRcv) n.sockRcv = sockSnd;
    if (tcpWndSnd) n.tcpWndSnd = tcpWndSnd;
    if (tcpWndRcv) n.tcpWndRcv = tcpWndRcv;
    this.modified();
  }

  /** "name,proto,hostIP,hostPort,guestIP,guestPort", proto 1 for TCP and 0 for UDP, by name. */
  getRedirects() {
    return [...this.rules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((r) => `${r.name},${r.proto === 'TCP' ? 1 : 0},${r.hostIP},${r.hostPort},${r.guestIP},${r.guestPort}`);
  }
  /** NATEngine::addRedirect: an empty name becomes "tcp_<host>_<guest>"; names and host ports are unique. */
  addRedirect(name: string, proto: 'UDP' | 'TCP', hostIP: string, hostPort: number, guestIP: string, guestPort: number) {
    const n = name || `${proto.toLowerCase()}_${hostPort}_${guestPort}`;
    if (n.includes(',')) fail('E_INVALIDARG', "',' - invalid character in NAT rule name", this.iface);
    for (const r of this.rules) {
      if (r.name === n) fail('E_INVALIDARG', 'A NAT rule of this name already exists', this.iface);
      if (r.hostIP === hostIP && r.hostPort === hostPort && r.proto === proto) {
        fail('E_INVALIDARG', 'A NAT rule for this host port and this host IP already exists', this.iface);
      }
    }
    const rule: NatRule = { name: n, proto, hostIP, hostPort, guestIP, guestPort };
    this.rules.push(rule);
    this.modified();
    this.redirectChanged(false, rule);
  }
  /** An unknown name is a bare E_INVALIDARG. */
  removeRedirect(name: string) {
    const i = this.rules.findIndex((r) => r.name === name);
    if (i < 0) bare('E_INVALIDARG');
    const [rule] = this.rules.splice(i, 1);
    this.modified();
    this.redirectChanged(true, rule);
  }

  /** SessionMachine::i_onNATRedirectRuleChanged: for the VM process's session machine, VirtualBox fires INATRedirectEvent. */
  private redirectChanged(remove: boolean, r: NatRule): void {
    const vm = this.m.core.vm;
    if (!this.m.isSession || !vm || vm.isEnded || vm.machine !== this.m) return;
    this.m.core.host.fireNATRedirect(this.m.core, this.adapter.slot, remove, r);
  }
}

/**
 * SessionMachine::beginPowerUp (+1) and the end of the VM's session (-1): the VM holds a reference on
 * each NAT network its enabled adapters are attached to.
 */
export function natNetworksInUse(m: Machine, delta: 1 | -1): void {
  for (const n of m.s.nics) {
    if (n.enabled && n.attachmentType === 'NATNetwork') m.core.host.natNetworkRef?.(n.natNetwork ?? '', delta);
  }
}

/** Machine::i_rollback tells the VM of every adapter whose changes went back. */
export function nicsRolledBack(m: Machine, before: readonly NicSettings[]): void {
  const now = m.s.nics;
  for (let slot = 0; slot < now.length; slot++) {
    if (before[slot] && JSON.stringify(before[slot]) !== JSON.stringify(now[slot])) {
      (m.getNetworkAdapter(slot) as NetworkAdapter).changed();
    }
  }
}
