// The host's network registry, as VBoxSVC keeps it in VirtualBox.xml: NAT networks, DHCP servers and cloud
// networks, with the IVirtualBox members that list, create, find and remove them (VirtualBoxImpl.cpp), the
// IHostOnlyNetwork members that VirtualBox on Linux does not implement, and the DHCP leases that machines'
// guests get (for their Guest Additions' IP addresses).
import { fail, VBoxFault, type ManagedObject } from './base';
import { DHCPServer, parseMac, type DhcpHost, type DhcpServerRecord } from './dhcp';
import { NATNetworkCreationDeletionEvent, type EventSource } from './events';
import { NATNetwork, type NatNetworkHost, type NatNetworkRecord } from './nat-network';

export interface CloudNetworkRecord { networkName: string; enabled: boolean; provider: string; profile: string; networkId: string }

/** What the registry keeps in the host's registry file. */
export interface NetworksState {
  dhcpServers: DhcpServerRecord[];
  natNetworks: NatNetworkRecord[];
  cloudNetworks: CloudNetworkRecord[];
}

/** What the registry needs from its host. */
export interface NetworksHost {
  readonly homeFolder: string;
  readonly events: EventSource;
  /** The registry changed: write it (VirtualBox::i_saveSettings). */
  saveRegistry(): void;
  machineIdByName(name: string): string;
  machineMac(machineId: string, slot: number): string;
  runningMacs(): Set<string>;
  domainName(): string;
  nameServers(): string[];
}

/** ICloudNetwork (CloudNetworkImpl.cpp). */
export class CloudNetwork implements ManagedObject {
  readonly iface = 'ICloudNetwork';
  enabled = true;
  provider = 'OCI';
  profile = 'Default';
  networkId = '';
  constructor(private readonly reg: NetworkRegistry, public name: string) {}
  private set<K extends 'enabled' | 'provider' | 'profile' | 'networkId'>(k: K, v: this[K]) {
    if (this[k] === v) return;
    this[k] = v;
    this.reg.save();
  }
  getNetworkName() { return this.name; }
  setNetworkName(v: string) {
    if (!v) fail('E_INVALIDARG', 'Network name cannot be empty', this.iface);
    if (v === this.name) return;
    this.name = v;
    this.reg.save();
  }
  getEnabled() { return this.enabled; }
  setEnabled(v: boolean) { this.set('enabled', v); }
  getProvider() { return this.provider; }
  setProvider(v: string) { this.set('provider', v); }
  getProfile() { return this.profile; }
  setProfile(v: string) { this.set('profile', v); }
  getNetworkId() { return this.networkId; }
  setNetworkId(v: string) { this.set('networkId', v); }
  record(): CloudNetworkRecord {
    return { networkName: this.name, enabled: this.enabled, provider: this.provider, profile: this.profile, networkId: this.networkId };
  }
}

/**
 * IHostOnlyNetwork (HostOnlyNetworkImpl.cpp) exists for macOS hosts (VBOX_WITH_VMNET); on Linux IVirtualBox
 * never hands one out, so no client reaches these members. Kept for the interface's completeness.
 */
export class HostOnlyNetwork implements ManagedObject {
  readonly iface = 'IHostOnlyNetwork';
  enabled = true;
  networkMask = '255.255.255.0';
  lowerIP = '192.168.56.1';
  upperIP = '192.168.56.199';
  constructor(public name: string, public id: string) {}
  getNetworkName() { return this.name; }
  setNetworkName(v: string) {
    if (!v) fail('E_INVALIDARG', 'Network name cannot be empty', this.iface);
    this.name = v;
  }
  getEnabled() { return this.enabled; }
  setEnabled(v: boolean) { this.enabled = v; }
  getNetworkMask() { return this.networkMask; }
  setNetworkMask(v: string) { this.networkMask = v; }
  getHostIP() { return this.lowerIP; }
  getLowerIP() { return this.lowerIP; }
  setLowerIP(v: string) { this.lowerIP = v; }
  getUpperIP() { return this.upperIP; }
  setUpperIP(v: string) { this.upperIP = v; }
  getId() { return this.id; }
  setId(v: string) { this.id = v; }
}

/** The DHCP server VirtualBox makes in a new home (MainConfigFile's defaults): vboxnet0's, 192.168.56.100. */
function defaultDhcpServer(host: DhcpHost): DHCPServer {
  const s = new DHCPServer(host, 'HostInterfaceNetworking-vboxnet0');
  s.ip = '192.168.56.100';
  s.lower = '192.168.56.101';
  s.upper = '192.168.56.254';
  s.enabled = true;
  s.globalConfig.options.set(1, { encoding: 'Normal', value: '255.255.255.0' });
  return s;
}

/** A failure without error info, as VirtualBox returns many of these. */
function bare(code: 'E_INVALIDARG' | 'E_FAIL' | 'E_NOTIMPL' | 'VBOX_E_OBJECT_NOT_FOUND'): never {
  throw new VBoxFault(code, '');
}

/** The host's NAT networks, DHCP servers and cloud networks. */
export class NetworkRegistry implements DhcpHost, NatNetworkHost {
  dhcpServers: DHCPServer[] = [];
  natNetworks: NATNetwork[] = [];
  cloudNetworks: CloudNetwork[] = [];
  /** Running machines per NAT network (VirtualBox's sNatNetworkNameToRefCount). */
  private readonly natRefs = new Map<string, number>();

  constructor(private readonly h: NetworksHost) {
    this.dhcpServers = [defaultDhcpServer(this)];
  }

  get homeFolder() { return this.h.homeFolder; }
  get events() { return this.h.events; }

  /** The registry as the host's registry file keeps it. */
  state(): NetworksState {
    return {
      dhcpServers: this.dhcpServers.map((s) => s.record()),
      natNetworks: this.natNetworks.map((n) => n.record()),
      cloudNetworks: this.cloudNetworks.map((c) => c.record()),
    };
  }

  /** From the registry file; a registry without networks is a new home (vboxnet0's DHCP server only). */
  load(state: NetworksState | undefined): void {
    if (!state) {
      this.dhcpServers = [defaultDhcpServer(this)];
      this.natNetworks = [];
      this.cloudNetworks = [];
      return;
    }
    this.dhcpServers = state.dhcpServers.map((r) => DHCPServer.fromRecord(this, r));
    this.natNetworks = state.natNetworks.map((r) => NATNetwork.fromRecord(this, r));
    this.cloudNetworks = state.cloudNetworks.map((r) => Object.assign(new CloudNetwork(this, r.networkName), {
      enabled: r.enabled, provider: r.provider, profile: r.profile, networkId: r.networkId,
    }));
  }

  /** VirtualBox::i_saveSettings: written, and each NAT network tells its settings (NATNetwork::i_saveSettings). */
  save(): void {
    this.h.saveRegistry();
    for (const n of this.natNetworks) n.fireSetting();
  }

  // --- DhcpHost / NatNetworkHost
  machineIdByName(name: string) { return this.h.machineIdByName(name); }
  machineMac(id: string, slot: number) { return this.h.machineMac(id, slot); }
  runningMacs() { return this.h.runningMacs(); }
  domainName() { return this.h.domainName(); }
  nameServers() { return this.h.nameServers(); }
  isStarted(name: string) { return (this.natRefs.get(name) ?? 0) > 0; }
  findDhcpServer(name: string) { return this.dhcpServers.find((s) => s.networkName === name); }

  /** IVirtualBox::createDHCPServer: refused (bare E_INVALIDARG) for an empty name or one that has a server. */
  createDhcpServer(name: string): DHCPServer {
    if (!name || this.findDhcpServer(name)) bare('E_INVALIDARG');
    const s = new DHCPServer(this, name);
    this.dhcpServers.push(s);
    this.save();
    return s;
  }

  // --- IVirtualBox members (VirtualBox.ts delegates here)

  getDHCPServers() { return [...this.dhcpServers]; }
  createDHCPServer(name: string) { return this.createDhcpServer(name); }
  findDHCPServerByNetworkName(name: string) { return this.findDhcpServer(name) ?? bare('E_INVALIDARG'); }
  /** VirtualBox::i_unregisterDHCPServer: a server no longer registered is no error. */
  removeDHCPServer(server: DHCPServer | null) {
    if (!server) bare('E_INVALIDARG');
    this.dhcpServers = this.dhcpServers.filter((s) => s !== server);
    server.stop();
    this.save();
  }

  getNATNetworks() { return [...this.natNetworks]; }
  /** VirtualBox::createNATNetwork: a second network of a name is refused only while the first runs. */
  createNATNetwork(name: string) {
    if (this.isStarted(name)) bare('E_INVALIDARG');
    const n = new NATNetwork(this, name);
    this.natNetworks.push(n);
    this.save();
    this.h.events.fire(new NATNetworkCreationDeletionEvent(this.h.events, name, true));
    return n;
  }
  findNATNetworkByName(name: string) { return this.natNetworks.find((n) => n.name === name) ?? bare('E_INVALIDARG'); }
  /** VirtualBox::removeNATNetwork: refused while machines use it, the deletion event fired all the same. */
  removeNATNetwork(network: NATNetwork | null) {
    if (!network) bare('E_INVALIDARG');
    const name = network.name;
    try {
      if (this.isStarted(name)) bare('E_INVALIDARG');
      this.natNetworks = this.natNetworks.filter((n) => n !== network);
      this.save();
    } finally {
      this.h.events.fire(new NATNetworkCreationDeletionEvent(this.h.events, name, false));
    }
  }

  /** VirtualBox::i_natNetworkRefInc: the first machine on a NAT network starts it. */
  natNetworkRefInc(name: string): number {
    const n = this.natRefs.get(name) ?? 0;
    if (n === 0) {
      const net = this.natNetworks.find((x) => x.name === name);
      if (!net) return -1;
      net.start();
    }
    this.natRefs.set(name, n + 1);
    return n + 1;
  }

  /** VirtualBox::i_natNetworkRefDec: the last machine leaving stops it. */
  natNetworkRefDec(name: string): number {
    const n = this.natRefs.get(name) ?? 0;
    if (n === 0) return 0;
    this.natRefs.set(name, n - 1);
    if (n === 1) this.natNetworks.find((x) => x.name === name)?.stop();
    return n - 1;
  }

  // Host-only networks are for macOS hosts (VBOX_WITH_VMNET): VirtualBox on Linux answers E_NOTIMPL.
  getHostOnlyNetworks(): never { return bare('E_NOTIMPL'); }
  createHostOnlyNetwork(_name: string): never { return bare('E_NOTIMPL'); }
  findHostOnlyNetworkByName(_name: string): never { return bare('E_NOTIMPL'); }
  findHostOnlyNetworkById(_id: string): never { return bare('E_NOTIMPL'); }
  removeHostOnlyNetwork(_network: unknown): never { return bare('E_NOTIMPL'); }

  getCloudNetworks() { return [...this.cloudNetworks]; }
  /** VirtualBox::createCloudNetwork: names may repeat; an empty one cannot be saved (E_FAIL) and is taken back. */
  createCloudNetwork(name: string) {
    if (!name) bare('E_FAIL');
    const c = new CloudNetwork(this, name);
    this.cloudNetworks.push(c);
    this.save();
    return c;
  }
  findCloudNetworkByName(name: string) { return this.cloudNetworks.find((c) => c.name === name) ?? bare('VBOX_E_OBJECT_NOT_FOUND'); }
  removeCloudNetwork(network: CloudNetwork | null) {
    if (!network) bare('E_INVALIDARG');
    this.cloudNetworks = this.cloudNetworks.filter((c) => c !== network);
    this.save();
  }

  // --- leases

  /**
   * The IPv4 address VirtualBox's DHCP server for `dhcpNetworkName` gives the MAC (12 hex digits, or with
   * colons), or null when no enabled server serves that network. Names as VirtualBox names its servers: a
   * NAT network's is the network's name (a NAT network with no server yet starts one, as the first machine
   * on it would), a host-only interface's "HostInterfaceNetworking-<ifname>", an internal network's its name.
   */
  lease(dhcpNetworkName: string, mac: string): string | null {
    const m = parseMac(mac);
    if (!m) return null;
    let server = this.findDhcpServer(dhcpNetworkName);
    if (!server) {
      const nat = this.natNetworks.find((n) => n.name === dhcpNetworkName && n.enabled && n.needDhcpServer);
      if (!nat) return null;
      nat.start();
      server = this.findDhcpServer(dhcpNetworkName);
      if (!server) return null;
    }
    return server.lease(m);
  }
}
