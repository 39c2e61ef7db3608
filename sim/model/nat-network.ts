// INATNetwork with the rules and texts of VirtualBox 7.1's NATNetworkImpl.cpp: the gateway, the DHCP server
// address and range follow from the CIDR (offsets 1 and 3, range .4 to the last address but one, skipping the
// loopback mappings), and start() makes the network's DHCP server as VirtualBox does.
import { fail, VBoxFault, type ManagedObject } from './base';
import { formatIPv4, parseIPv4, prefixMask } from './dhcp';
import { EventSource, NATNetworkPortForwardEvent, NATNetworkSettingEvent, NATNetworkStartStopEvent } from './events';
import type { DHCPServer } from './dhcp';

export interface NatRule4 { name: string; proto: 'TCP' | 'UDP'; hostIP: string; hostPort: number; guestIP: string; guestPort: number }

export interface NatNetworkRecord {
  networkName: string; enabled: boolean; network: string; ipv6Enabled: boolean; ipv6Prefix: string;
  advertiseDefaultIPv6Route: boolean; needDhcpServer: boolean; loopback6: number;
  loopbacks: { address: string; offset: number }[];
  rules4: NatRule4[]; rules6: NatRule4[];
}

/** What a NAT network needs from VirtualBox. */
export interface NatNetworkHost {
  readonly events: EventSource;
  /** VirtualBox::i_saveSettings (fires a setting event for every NAT network). */
  save(): void;
  /** VirtualBox::i_isNatNetStarted: a machine on it runs (VBoxNetNAT runs). */
  isStarted(name: string): boolean;
  findDhcpServer(name: string): DHCPServer | undefined;
  createDhcpServer(name: string): DHCPServer;
  /** The host's domain name and name servers, for the DHCP options of a starting network. */
  domainName(): string;
  nameServers(): string[];
}

/** RTNetStrToIPv4Cidr: address and prefix (an address alone is /32), or null. */
function parseCidr(s: string): { net: number; prefix: number } | null {
  const m = /^\s*([^/\s]+)(?:\/(\d{1,2}))?\s*$/.exec(s);
  if (!m) return null;
  const net = parseIPv4(m[1]);
  const prefix = m[2] === undefined ? 32 : Number(m[2]);
  if (net === null || prefix > 32) return null;
  return { net, prefix };
}

/** RTNetStrToIPv6Cidr's address part: 16 bytes, or null. */
function parseIPv6(s: string): number[] | null {
  if (!/^[0-9a-f:]+$/i.test(s) || (s.match(/::/g)?.length ?? 0) > 1) return null;
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const hs = head ? head.split(':') : [];
  const ts = tail === undefined ? [] : tail ? tail.split(':') : [];
  if ([...hs, ...ts].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  const fill = 8 - hs.length - ts.length;
  if (tail === undefined ? fill !== 0 : fill < 1) return null;
  const groups = [...hs, ...Array(fill).fill('0'), ...ts].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 255]);
}

/** %RTnaipv6: the shortest form (the longest run of zero groups as '::'). */
function formatIPv6(bytes: number[]): string {
  const g = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** INATNetwork. */
export class NATNetwork implements ManagedObject {
  readonly iface = 'INATNetwork';
  readonly eventSource = new EventSource();
  name: string;
  enabled = true;
  network = '10.0.2.0/24';
  ipv6Enabled = false;
  ipv6Prefix = '';
  advertiseDefaultIPv6Route = false;
  needDhcpServer = true;
  loopback6 = 0;
  loopbacks: { address: string; offset: number }[] = [{ address: '127.0.0.1', offset: 2 }];
  /** By rule name (std::map: listed in name order). */
  rules4 = new Map<string, NatRule4>();
  rules6 = new Map<string, NatRule4>();
  gateway = '';
  mask = '';
  dhcpIP = '';
  dhcpLower = '';
  dhcpUpper = '';
  private offGateway = 1;
  private offDhcp = 0;
  dhcpServer: DHCPServer | null = null;

  constructor(readonly host: NatNetworkHost, name: string) {
    this.name = name;
    this.recalculateIPv6Prefix();
    this.recalculate();
  }

  static fromRecord(host: NatNetworkHost, r: NatNetworkRecord): NATNetwork {
    const n = new NATNetwork(host, r.networkName);
    Object.assign(n, {
      enabled: r.enabled, network: r.network, ipv6Enabled: r.ipv6Enabled, ipv6Prefix: r.ipv6Prefix,
      advertiseDefaultIPv6Route: r.advertiseDefaultIPv6Route, needDhcpServer: r.needDhcpServer, loopback6: r.loopback6,
      loopbacks: r.loopbacks.map((l) => ({ ...l })),
    });
    n.rules4 = new Map(r.rules4.map((x) => [x.name, { ...x }]));
    n.rules6 = new Map(r.rules6.map((x) => [x.name, { ...x }]));
    if (!n.ipv6Prefix || n.ipv6Prefix === 'fe80::/64') n.recalculateIPv6Prefix();
    n.recalculate();
    return n;
  }

  record(): NatNetworkRecord {
    return {
      networkName: this.name, enabled: this.enabled, network: this.network, ipv6Enabled: this.ipv6Enabled, ipv6Prefix: this.ipv6Prefix,
      advertiseDefaultIPv6Route: this.advertiseDefaultIPv6Route, needDhcpServer: this.needDhcpServer, loopback6: this.loopback6,
      loopbacks: this.loopbacks.map((l) => ({ ...l })), rules4: [...this.rules4.values()], rules6: [...this.rules6.values()],
    };
  }

  private err(code: Parameters<typeof fail>[0], text: string): never { fail(code, text, this.iface); }
  private busy(): void { if (this.host.isStarted(this.name)) this.err('E_FAIL', 'Unable to change settings while NATNetwork instance is running'); }
  private bare(code: 'E_INVALIDARG'): never { throw new VBoxFault(code, ''); }

  /** NATNetwork::i_saveSettings: each save of VirtualBox's settings tells listeners every network's settings. */
  fireSetting(): void {
    const make = (src: EventSource) => new NATNetworkSettingEvent(src, this.name, this.enabled, this.network, this.gateway, this.advertiseDefaultIPv6Route, this.needDhcpServer);
    this.host.events.fire(make(this.host.events));
    this.eventSource.fire(make(this.eventSource));
  }

  private firePortForward(create: boolean, ipv6: boolean, name: string, r: NatRule4): void {
    const make = (src: EventSource) => new NATNetworkPortForwardEvent(src, this.name, create, ipv6, name, r.proto, r.hostIP, r.hostPort, r.guestIP, r.guestPort);
    this.host.events.fire(make(this.host.events));
    this.eventSource.fire(make(this.eventSource));
  }

  // --- address assignment (NATNetwork::i_findFirstAvailableOffset, i_recalculateIpv4AddressAssignments)

  private firstFreeOffset(kind: 'gateway' | 'dhcp' | 'lower'): number {
    const { prefix } = parseCidr(this.network)!;
    const hostMax = (~prefixMask(prefix)) >>> 0;
    let off = 1;
    for (; off < hostMax; ++off) {
      if (this.loopbacks.some((l) => l.offset === off)) continue;
      if (off === this.offGateway) {
        if (kind === 'gateway') break;
        continue;
      }
      if (off === this.offDhcp) {
        if (kind === 'dhcp') break;
        continue;
      }
      break;
    }
    return off;
  }

  private recalculate(): void {
    const { net, prefix } = parseCidr(this.network)!;
    const mask = prefixMask(prefix);
    this.offGateway = this.firstFreeOffset('gateway');
    if (this.needDhcpServer) this.offDhcp = this.firstFreeOffset('dhcp');
    this.gateway = formatIPv4((net + this.offGateway) >>> 0);
    if (this.needDhcpServer) {
      this.dhcpIP = formatIPv4((net + this.offDhcp) >>> 0);
      this.dhcpLower = formatIPv4((net + this.firstFreeOffset('lower')) >>> 0);
      this.dhcpUpper = formatIPv4((((net | ~mask) >>> 0) - 1) >>> 0);
    }
    this.mask = formatIPv4(mask);
  }

  /** fd17:625c:f037:XXXX::/64, XXXX the middle two bytes of the IPv4 network. */
  private recalculateIPv6Prefix(): void {
    const { net } = parseCidr(this.network)!;
    const bytes = [0xfd, 0x17, 0x62, 0x5c, 0xf0, 0x37, (net >>> 16) & 255, (net >>> 8) & 255, 0, 0, 0, 0, 0, 0, 0, 0];
    this.ipv6Prefix = `${formatIPv6(bytes)}/64`;
  }

  // --- attributes

  getEventSource() { return this.eventSource; }
  getNetworkName() { return this.name; }
  setNetworkName(name: string) {
    if (!name) this.err('E_INVALIDARG', 'Network name cannot be empty');
    this.busy();
    if (name === this.name) return;
    this.name = name;
    this.host.save();
  }
  getEnabled() {
    this.recalculate();
    return this.enabled;
  }
  setEnabled(v: boolean) {
    if (v === this.enabled) return;
    this.enabled = v;
    this.host.save();
  }
  getGateway() { return this.gateway; }
  getNetwork() { return this.network; }
  setNetwork(cidr: string) {
    const p = parseCidr(cidr);
    if (!p) this.err('E_FAIL', `${cidr} is not a valid IPv4 CIDR notation`);
    if (p.prefix > 30) this.err('E_FAIL', `${cidr} network is too small`);
    if (p.prefix === 0) this.err('E_FAIL', `${cidr} specifies zero prefix`);
    const mask = prefixMask(p.prefix);
    if ((p.net & ~mask) >>> 0) this.err('E_FAIL', `${cidr}: the specified address is longer than the specified prefix`);
    const normalized = `${formatIPv4(p.net)}/${p.prefix}`;
    this.busy();
    if (normalized === this.network) return;
    this.movePortForwarding(p.net, mask);
    this.network = normalized;
    this.recalculate();
    this.host.save();
  }

  /** Data::recalculatePortForwarding: guest addresses in the old network move to the new one where they fit. */
  private movePortForwarding(netNew: number, maskNew: number): void {
    const old = parseCidr(this.network)!;
    const maskOld = prefixMask(old.prefix);
    for (const r of this.rules4.values()) {
      const a = parseIPv4(r.guestIP);
      if (a === null || ((a & maskOld) >>> 0) !== old.net) continue;
      const hostPart = (a & ~maskOld) >>> 0;
      if ((hostPart & maskNew) >>> 0) continue;
      r.guestIP = formatIPv4((netNew | hostPart) >>> 0);
    }
  }

  getIPv6Enabled() { return this.ipv6Enabled; }
  setIPv6Enabled(v: boolean) {
    this.busy();
    if (v === this.ipv6Enabled) return;
    if (v && !this.ipv6Prefix) this.recalculateIPv6Prefix();
    this.ipv6Enabled = v;
    this.host.save();
  }
  getIPv6Prefix() { return this.ipv6Prefix; }
  setIPv6Prefix(prefix: string) {
    let normalized = '';
    if (prefix.replace(/^\s+/, '') !== '') {
      const m = /^\s*([^/\s]+)(?:\/(\d{1,3}))?\s*$/.exec(prefix);
      const bytes = m ? parseIPv6(m[1]) : null;
      let len = m?.[2] === undefined ? 128 : Number(m[2]);
      if (!m || !bytes || len > 128) this.err('E_INVALIDARG', `${prefix} is not a valid IPv6 prefix`);
      if (len === 128) len = 64;
      else if (len !== 64) this.err('E_INVALIDARG', `Invalid IPv6 prefix length ${len}, must be 64`);
      if ((bytes[0] & 0xe0) !== 0x20 && (bytes[0] & 0xfe) !== 0xfc) this.err('E_INVALIDARG', `IPv6 prefix ${formatIPv6(bytes)} is not unicast`);
      if (bytes.slice(8).some((b) => b !== 0)) this.err('E_INVALIDARG', `Non-zero bits in the interface ID part of the IPv6 prefix ${formatIPv6(bytes)}/64`);
      normalized = `${formatIPv6(bytes)}/64`;
    }
    this.busy();
    if (normalized === this.ipv6Prefix) return;
    if (!normalized && this.ipv6Enabled) this.err('E_FAIL', 'Setting an empty IPv6 prefix when IPv6 is enabled');
    // VirtualBox ignores a new prefix while IPv6 rules exist (they would need moving).
    if (this.rules6.size) return;
    this.ipv6Prefix = normalized;
    this.host.save();
  }
  getAdvertiseDefaultIPv6RouteEnabled() { return this.advertiseDefaultIPv6Route; }
  setAdvertiseDefaultIPv6RouteEnabled(v: boolean) {
    this.busy();
    if (v === this.advertiseDefaultIPv6Route) return;
    this.advertiseDefaultIPv6Route = v;
    this.host.save();
  }
  getNeedDhcpServer() { return this.needDhcpServer; }
  setNeedDhcpServer(v: boolean) {
    if (v === this.needDhcpServer) return;
    this.needDhcpServer = v;
    this.recalculate();
    this.host.save();
  }

  getLocalMappings() { return this.loopbacks.map((l) => `${l.address}=${l.offset}`); }

  /** NATNetwork::addLocalMapping: refusals are bare E_INVALIDARG; offset 0 for a known address changes nothing (VirtualBox erases an empty range). */
  addLocalMapping(hostId: string, offset: number) {
    const addr = parseIPv4(hostId);
    if (addr === null || addr >>> 24 !== 127) this.bare('E_INVALIDARG');
    const { net, prefix } = parseCidr(this.network)!;
    const mask = prefixMask(prefix);
    if ((((net + offset) >>> 0) & mask) >>> 0 !== net) this.bare('E_INVALIDARG');
    const existing = this.loopbacks.find((l) => l.address === hostId);
    if (existing) {
      if (offset !== 0) {
        if (this.loopbacks.some((l) => l.offset === offset)) this.bare('E_INVALIDARG');
        existing.offset = offset;
      }
      this.host.save();
      return;
    }
    if (this.loopbacks.some((l) => l.offset === offset)) this.bare('E_INVALIDARG');
    this.loopbacks.push({ address: hostId, offset });
    this.host.save();
  }

  getLoopbackIp6() { return this.loopback6; }
  setLoopbackIp6(v: number) {
    this.busy();
    if (v < 0) this.bare('E_INVALIDARG');
    if (v === this.loopback6) return;
    this.loopback6 = v;
    this.host.save();
  }

  getPortForwardRules4() { return rulesText(this.rules4); }
  getPortForwardRules6() { return rulesText(this.rules6); }

  addPortForwardRule(isIpv6: boolean, ruleName: string, proto: string, hostIP: string, hostPort: number, guestIP: string, guestPort: number) {
    const rules = isIpv6 ? this.rules6 : this.rules4;
    const p = proto === 'TCP' ? 'tcp' : 'udp';
    const name = ruleName || `${p}_[${hostIP}]%${hostPort}_[${guestIP}]%${guestPort}`;
    for (const [n, r] of rules) {
      if (n === name) this.err('E_INVALIDARG', 'A NAT rule of this name already exists');
      if (r.hostIP === hostIP && r.hostPort === hostPort && r.proto === proto) {
        this.err('E_INVALIDARG', 'A NAT rule for this host port and this host IP already exists');
      }
    }
    const rule: NatRule4 = { name, proto: proto as 'TCP' | 'UDP', hostIP, hostPort, guestIP, guestPort };
    rules.set(name, rule);
    this.host.save();
    // The events carry the name as given (empty for a generated one), as VirtualBox's do.
    this.firePortForward(true, isIpv6, ruleName, rule);
  }

  removePortForwardRule(isIpv6: boolean, ruleName: string) {
    const rules = isIpv6 ? this.rules6 : this.rules4;
    const rule = rules.get(ruleName);
    if (!rule) this.bare('E_INVALIDARG');
    rules.delete(ruleName);
    this.host.save();
    this.firePortForward(false, isIpv6, ruleName, rule);
  }

  /**
   * NATNetwork::start: a disabled network does nothing; else its DHCP server (named after the network) is
   * made and configured when missing, gets the gateway as router and the host's DNS settings, and starts.
   */
  start() {
    if (!this.enabled) return;
    if (this.needDhcpServer) {
      let dhcp = this.host.findDhcpServer(this.name);
      if (!dhcp) {
        dhcp = this.host.createDhcpServer(this.name);
        dhcp.setEnabled(true);
        dhcp.setConfiguration(this.dhcpIP, this.mask, this.dhcpLower, this.dhcpUpper);
      }
      this.dhcpServer = dhcp;
      const global = dhcp.globalConfig;
      const domain = this.host.domainName();
      if (domain) global.setOption('DomainName', 'Normal', domain);
      else global.options.delete(15);
      const servers = this.host.nameServers().map((s) => (s.startsWith('127.') ? this.gateway : s));
      if (servers.length) global.setOption('DomainNameServers', 'Normal', [...new Set(servers)].join(' '));
      global.setOption('Routers', 'Normal', this.gateway);
      if (!dhcp.running) dhcp.start('', 'whatever');
    }
    this.host.events.fire(new NATNetworkStartStopEvent(this.host.events, this.name, true));
  }

  stop() {
    this.host.events.fire(new NATNetworkStartStopEvent(this.host.events, this.name, false));
    this.dhcpServer?.stop();
  }
}

function rulesText(rules: Map<string, NatRule4>): string[] {
  return [...rules.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((r) => `${r.name}:${r.proto === 'TCP' ? 'tcp' : 'udp'}:[${r.hostIP}]:${r.hostPort}:[${r.guestIP}]:${r.guestPort}`);
}
