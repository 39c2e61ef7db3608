// IDHCPServer and its configurations (IDHCPGlobalConfig, IDHCPGroupConfig with IDHCPGroupCondition,
// IDHCPIndividualConfig), with the rules and texts of VirtualBox 7.1's DHCPServerImpl.cpp, DHCPConfigImpl.cpp
// and the option parser VBoxSVC shares with VBoxNetDHCP (Dhcpd/DhcpOptions.cpp). Leases are what
// VBoxNetDHCP would hand out, kept in its leases file (<home>/<network>-Dhcpd.leases).
import fs from 'node:fs';
import path from 'node:path';
import type { CallContext } from '../soap/server';
import { fail, VBoxFault, type ManagedObject } from './base';

/** What a DHCP server needs from VirtualBox. */
export interface DhcpHost {
  readonly homeFolder: string;
  /** VirtualBox::i_saveSettings. */
  save(): void;
  /** VirtualBox::i_findMachineByName: the machine's id, or VBOX_E_OBJECT_NOT_FOUND as VirtualBox says it. */
  machineIdByName(name: string): string;
  /** The MAC address of a registered machine's adapter (IMachine::getNetworkAdapter's errors when there is none). */
  machineMac(machineId: string, slot: number): string;
  /** MACs (12 upper-case hex digits) of running machines' adapters: their guests renew their leases. */
  runningMacs(): Set<string>;
}

/** DHCPOption: the name of each option code (VirtualBox.xidl). */
export const DHCP_OPTIONS: Record<string, number> = {
  SubnetMask: 1, TimeOffset: 2, Routers: 3, TimeServers: 4, NameServers: 5, DomainNameServers: 6, LogServers: 7, CookieServers: 8,
  LPRServers: 9, ImpressServers: 10, ResourseLocationServers: 11, HostName: 12, BootFileSize: 13, MeritDumpFile: 14, DomainName: 15,
  SwapServer: 16, RootPath: 17, ExtensionPath: 18, IPForwarding: 19, OptNonLocalSourceRouting: 20, PolicyFilter: 21,
  MaxDgramReassemblySize: 22, DefaultIPTTL: 23, PathMTUAgingTimeout: 24, PathMTUPlateauTable: 25, InterfaceMTU: 26,
  AllSubnetsAreLocal: 27, BroadcastAddress: 28, PerformMaskDiscovery: 29, MaskSupplier: 30, PerformRouterDiscovery: 31,
  RouterSolicitationAddress: 32, StaticRoute: 33, TrailerEncapsulation: 34, ARPCacheTimeout: 35, EthernetEncapsulation: 36,
  TCPDefaultTTL: 37, TCPKeepaliveInterval: 38, TCPKeepaliveGarbage: 39, NISDomain: 40, NISServers: 41, NTPServers: 42,
  VendorSpecificInfo: 43, NetBIOSNameServers: 44, NetBIOSDatagramServers: 45, NetBIOSNodeType: 46, NetBIOSScope: 47,
  XWindowsFontServers: 48, XWindowsDisplayManager: 49, NetWareIPDomainName: 62, NetWareIPInformation: 63, NISPlusDomain: 64,
  NISPlusServers: 65, TFTPServerName: 66, BootfileName: 67, MobileIPHomeAgents: 68, SMTPServers: 69, POP3Servers: 70,
  NNTPServers: 71, WWWServers: 72, FingerServers: 73, IRCServers: 74, StreetTalkServers: 75, STDAServers: 76,
  SLPDirectoryAgent: 78, SLPServiceScope: 79, DomainSearch: 119,
};
const OPTION_NAMES = new Map(Object.entries(DHCP_OPTIONS).map(([k, v]) => [v, k]));
const optionName = (code: number) => OPTION_NAMES.get(code) ?? String(code);
const ENCODINGS = ['Normal', 'Hex'];

// --- addresses -------------------------------------------------------------------------------

/** RTNetStrToIPv4Addr: a dotted quad (surrounding blanks allowed), as a 32-bit number, or null. */
export function parseIPv4(s: string): number | null {
  const m = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\s*$/.exec(s);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  if (b.some((x) => x > 255)) return null;
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export const formatIPv4 = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** RTNetMaskToPrefixIPv4: the prefix length of a contiguous mask, or null. */
export function maskPrefix(mask: number): number | null {
  for (let p = 0; p <= 32; p++) if (prefixMask(p) === mask) return p;
  return null;
}
export const prefixMask = (p: number) => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0);

/** RTNetStrToMacAddr: six bytes (aa:bb:…, aa-bb-…, or 12 hex digits), as 12 upper-case hex digits, or null. */
export function parseMac(s: string): string | null {
  const t = s.trim();
  if (/^[0-9a-f]{12}$/i.test(t)) return t.toUpperCase();
  const parts = t.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-f]{1,2}$/i.test(p))) return null;
  return parts.map((p) => p.padStart(2, '0')).join('').toUpperCase();
}

/** %RTmac: aa:bb:cc:dd:ee:ff. */
export const formatMac = (mac12: string) => mac12.toLowerCase().match(/../g)!.join(':');

// --- options ---------------------------------------------------------------------------------

type OptType = 'ip' | 'u8' | 'u16' | 'u32' | 'bool' | 'str' | 'iplist' | 'cidrlist' | 'u16list' | 'ippairs' | 'hexonly';
const OPT_TYPES: Record<number, OptType> = {};
const setTypes = (t: OptType, codes: number[]) => { for (const c of codes) OPT_TYPES[c] = t; };
setTypes('ip', [1, 16, 28, 32]);
setTypes('u32', [2, 24, 35, 38]);
setTypes('u16', [13, 22, 23, 26]);
setTypes('u8', [37, 46]);
setTypes('bool', [19, 20, 27, 29, 30, 31, 34, 36, 39]);
setTypes('str', [12, 14, 15, 17, 18, 40, 62, 64, 65, 66, 67]);
setTypes('iplist', [3, 4, 5, 6, 7, 8, 9, 10, 11, 41, 42, 44, 45, 48, 49, 68, 69, 70, 71, 72, 73, 74, 75, 76]);
setTypes('cidrlist', [21]);
setTypes('u16list', [25]);
setTypes('ippairs', [33]);
setTypes('hexonly', [43, 47, 63, 78, 79, 119]);

/** RTStrToUIntNFull on a value stripped on the left: the IPRT status (warnings such as overflow pass). */
function parseUInt(v: string): string {
  const s = v.replace(/^\s+/, '');
  const m = /^[+-]?\d+/.exec(s);
  if (!m) return 'VERR_NO_DIGITS';
  const rest = s.slice(m[0].length);
  if (rest && !/^\s+$/.test(rest)) return 'VERR_TRAILING_CHARS';
  return 'VINF_SUCCESS';
}

function parseOne(t: 'ip' | 'u8' | 'u16' | 'u32' | 'bool' | 'cidr', v: string): string {
  switch (t) {
    case 'ip': return parseIPv4(v) === null ? 'VERR_INVALID_PARAMETER' : 'VINF_SUCCESS';
    case 'cidr': {
      const [a, p, extra] = v.trim().split('/');
      const ok = parseIPv4(a ?? '') !== null && extra === undefined && (p === undefined || (/^\d{1,2}$/.test(p) && Number(p) <= 32));
      return ok ? 'VINF_SUCCESS' : 'VERR_INVALID_PARAMETER';
    }
    case 'bool':
      if (['true', '1', 'yes', 'on', 'false', '0', 'no', 'off'].includes(v.replace(/^\s+/, ''))) return 'VINF_SUCCESS';
      return parseUInt(v);
    default: return parseUInt(v);
  }
}

/** DhcpOption::parseList: items split at blanks, commas, semicolons and colons; any bad item is VERR_INVALID_PARAMETER. */
function parseList(t: 'ip' | 'u16' | 'cidr', v: string): { rc: string; n: number } {
  const items = v.replace(/^\s+/, '').split(/[ ,;:\t\n\r]+/);
  if (items.length > 1 && items[items.length - 1] === '') items.pop();
  for (const it of items) if (it.length >= 256 || parseOne(t, it) !== 'VINF_SUCCESS') return { rc: 'VERR_INVALID_PARAMETER', n: 0 };
  return { rc: 'VINF_SUCCESS', n: items.length };
}

/** DhcpOption::parse for DHCPOptionEncoding_Normal: the IPRT status. */
function parseNormal(code: number, v: string): string {
  const t = OPT_TYPES[code];
  switch (t) {
    case 'str': return 'VINF_SUCCESS';
    case 'ip': case 'u8': case 'u16': case 'u32': case 'bool': return parseOne(t, v);
    case 'iplist': return parseList('ip', v).rc;
    case 'u16list': return parseList('u16', v).rc;
    case 'cidrlist': return parseList('cidr', v).rc;
    case 'ippairs': {
      const r = parseList('ip', v);
      return r.rc !== 'VINF_SUCCESS' ? r.rc : r.n % 2 ? 'VERR_UNEVEN_INPUT' : 'VINF_SUCCESS';
    }
    default: return 'VERR_NOT_IMPLEMENTED';
  }
}

interface OptionValue { encoding: string; value: string }

export interface DhcpConfigRecord {
  minLeaseTime: number; defaultLeaseTime: number; maxLeaseTime: number;
  forced: number[]; suppressed: number[];
  options: { code: number; encoding: string; value: string }[];
}

export interface DhcpGroupRecord extends DhcpConfigRecord {
  key: string; name: string;
  conditions: { inclusive: boolean; type: string; value: string }[];
}

export interface DhcpIndividualRecord extends DhcpConfigRecord {
  key: string; scope: 'MAC' | 'MachineNIC'; mac: string; machineId: string; slot: number; fixedAddress: string;
}

export interface DhcpServerRecord {
  networkName: string; enabled: boolean; ip: string; lower: string; upper: string;
  global: DhcpConfigRecord; groups: DhcpGroupRecord[]; individuals: DhcpIndividualRecord[];
}

/** IDHCPConfig: what global, group and individual configurations share (DHCPConfig). */
export abstract class DHCPConfig implements ManagedObject {
  abstract readonly iface: string;
  abstract readonly scope: string;
  minLeaseTime = 0;
  defaultLeaseTime = 0;
  maxLeaseTime = 0;
  forced: number[] = [];
  suppressed: number[] = [];
  /** By option code (std::map: listed in code order). */
  readonly options = new Map<number, OptionValue>();

  constructor(readonly server: DHCPServer) {}

  protected err(code: Parameters<typeof fail>[0], text: string): never { fail(code, text, this.iface); }
  protected save() { this.server.host.save(); }

  loadConfig(r: DhcpConfigRecord) {
    this.minLeaseTime = r.minLeaseTime; this.defaultLeaseTime = r.defaultLeaseTime; this.maxLeaseTime = r.maxLeaseTime;
    this.forced = [...r.forced]; this.suppressed = [...r.suppressed];
    for (const o of r.options) this.options.set(o.code, { encoding: o.encoding, value: o.value });
  }
  configRecord(): DhcpConfigRecord {
    return {
      minLeaseTime: this.minLeaseTime, defaultLeaseTime: this.defaultLeaseTime, maxLeaseTime: this.maxLeaseTime,
      forced: [...this.forced], suppressed: [...this.suppressed],
      options: [...this.options].sort((a, b) => a[0] - b[0]).map(([code, o]) => ({ code, ...o })),
    };
  }

  getScope() { return this.scope; }
  getMinLeaseTime() { return this.minLeaseTime; }
  setMinLeaseTime(v: number) { this.minLeaseTime = v; this.save(); }
  getDefaultLeaseTime() { return this.defaultLeaseTime; }
  setDefaultLeaseTime(v: number) { this.defaultLeaseTime = v; this.save(); }
  getMaxLeaseTime() { return this.maxLeaseTime; }
  setMaxLeaseTime(v: number) { this.maxLeaseTime = v; this.save(); }

  getForcedOptions() { return this.forced.map(optionName); }
  setForcedOptions(names: string[]) {
    const codes = names.map((n) => DHCP_OPTIONS[n]);
    const seen = new Set<number>();
    for (const c of codes) {
      if (seen.has(c)) this.err('E_INVALIDARG', `Duplicate option value: ${c}`);
      seen.add(c);
    }
    if (codes.length === this.forced.length && codes.every((c, i) => c === this.forced[i])) return;
    this.forced = codes;
    this.save();
  }
  getSuppressedOptions() { return this.suppressed.map(optionName); }
  /** Kept sorted and without duplicates, as DHCPConfig::i_setSuppressedOptions normalises them. */
  setSuppressedOptions(names: string[]) {
    const codes = [...new Set(names.map((n) => DHCP_OPTIONS[n]))].sort((a, b) => a - b);
    if (codes.length === this.suppressed.length && codes.every((c, i) => c === this.suppressed[i])) return;
    this.suppressed = codes;
    this.save();
  }

  setOption(option: string, encoding: string, value: string) {
    const code = DHCP_OPTIONS[option];
    const enc = ENCODINGS.indexOf(encoding);
    if (enc === 0) {
      const rc = parseNormal(code, value);
      if (rc !== 'VINF_SUCCESS') this.err('E_INVALIDARG', `Malformed option ${code} value '${value}' (encoding ${enc}, vrc=${rc})`);
    }
    this.options.set(code, { encoding, value });
    this.save();
  }
  removeOption(option: string) {
    const code = DHCP_OPTIONS[option];
    if (!this.options.delete(code)) this.err('VBOX_E_OBJECT_NOT_FOUND', `DHCP option ${code} was not found`);
    this.save();
  }
  removeAllOptions() {
    this.options.clear();
    this.save();
  }
  getOption(option: string) {
    const code = DHCP_OPTIONS[option];
    const o = this.options.get(code);
    if (!o) this.err('VBOX_E_OBJECT_NOT_FOUND', `DHCP option ${code} was not found`);
    return { encoding: o.encoding, returnval: o.value };
  }
  getAllOptions() {
    const all = [...this.options].sort((a, b) => a[0] - b[0]);
    return { options: all.map(([c]) => optionName(c)), encodings: all.map(([, o]) => o.encoding), returnval: all.map(([, o]) => o.value) };
  }
  /** The value of an option with the Normal encoding, if set (for the leases). */
  option(code: number): string | undefined {
    const o = this.options.get(code);
    return o?.encoding === 'Normal' ? o.value : undefined;
  }

  remove() { this.server.removeConfig(this); }
}

/** IDHCPGlobalConfig: the server-wide options; its subnet mask is the server's network mask. */
export class DHCPGlobalConfig extends DHCPConfig {
  readonly iface: string = 'IDHCPGlobalConfig';
  readonly scope = 'Global';

  override setOption(option: string, encoding: string, value: string) {
    if (option === 'SubnetMask' && encoding !== 'Normal') {
      this.err('E_FAIL', 'DHCPOption_SubnetMask must use DHCPOptionEncoding_Normal as it is reflected by IDHCPServer::networkMask');
    }
    super.setOption(option, encoding, value);
  }
  override removeOption(option: string) {
    if (option === 'SubnetMask') this.err('E_FAIL', 'DHCPOption_SubnetMask cannot be removed as it reflects IDHCPServer::networkMask');
    super.removeOption(option);
  }
  override removeAllOptions() {
    const mask = this.options.get(1);
    this.options.clear();
    if (mask) this.options.set(1, mask);
    this.save();
  }
  override remove(): void { this.err('E_ACCESSDENIED', 'Cannot delete the global config'); }

  networkMask(): string {
    const o = this.options.get(1);
    if (!o) this.err('VBOX_E_OBJECT_NOT_FOUND', 'DHCP option DHCPOption_SubnetMask was not found');
    if (o.encoding !== 'Normal') this.err('VBOX_E_OBJECT_NOT_FOUND', 'DHCP option DHCPOption_SubnetMask is not in a legacy encoding');
    return o.value;
  }
}

/** DHCPGroupCondition::i_validateTypeAndValue (its length test is inverted in VirtualBox: only values of 255 bytes or more pass). */
function validateCondition(type: string, value: string, iface: string): void {
  const bad = (text: string): never => fail('E_INVALIDARG', text, iface);
  switch (type) {
    case 'MAC':
      if (!parseMac(value)) bad(`Not a valid MAC address: ${value}`);
      return;
    case 'MACWildcard': {
      const problem = macWildcardProblem(value);
      if (problem) bad(`${problem[0] === 'Malformed' ? 'Malformed' : 'Trailing chars in'} MAC wildcard address: ${value} (offset ${problem[1]})`);
      return;
    }
    default: {
      const bytes = Buffer.byteLength(value);
      if (bytes === 0) bad('Value cannot be empty');
      if (bytes < 255) bad(`Value is too long: ${bytes} bytes`);
    }
  }
}

/**
 * The MAC wildcard check of DHCPGroupCondition::i_validateTypeAndValue: hex digit pairs ('?' matches a digit)
 * separated by ':', '*' for one or more characters. Returns ['Malformed' | 'Trailing chars', offset] or null.
 */
function macWildcardProblem(psz: string): ['Malformed' | 'Trailing chars', number] | null {
  const at = (i: number) => (i < psz.length ? psz[i] : '\0');
  const isX = (c: string) => /^[0-9a-fA-F?]$/.test(c);
  let off = 0;
  let pairsLeft = 6;
  let seenAsterisk = false;
  for (;;) {
    let ch = at(off++);
    if (isX(ch)) {
      ch = at(off++);
      if (isX(ch)) {
        ch = at(off++);
        pairsLeft -= 1;
        if (pairsLeft === 0) return ch === '\0' ? null : ['Trailing chars', off - 1];
        if (ch === ':' || ch === '*') continue;
        if (ch === '\0' && seenAsterisk) return null;
        return ['Malformed', off - 1];
      }
      if (ch === '*') {
        seenAsterisk = true;
        do ch = at(off++); while (ch === '*');
        if (ch === '\0') return null;
        pairsLeft -= 1;
        if (pairsLeft === 0) return ['Trailing chars', off - 1];
        if (ch === ':') continue;
      } else {
        return ['Malformed', off - 1];
      }
    } else if (ch === '*') {
      seenAsterisk = true;
      do ch = at(off++); while (ch === '*');
      if (ch === '\0') return null;
      if (ch === ':') {
        pairsLeft -= 1;
        if (pairsLeft === 0) return ['Trailing chars', off - 1];
        continue;
      }
    } else {
      return ['Malformed', off - 1];
    }
    // A digit pair (or '?') after '*'.
    if (isX(ch)) {
      ch = at(off++);
      if (isX(ch) || ch === '*') {
        off -= 2;
        continue;
      }
      if (ch === ':') {
        ch = at(off++);
        if (ch === '\0') return null;
        pairsLeft -= 1;
        if (pairsLeft === 0) return ['Trailing chars', off - 1];
        continue;
      }
      if (ch === '\0') return null;
      return ['Trailing chars', off - 1];
    }
    return ['Malformed', off - 1];
  }
}

/** IDHCPGroupCondition. */
export class DHCPGroupCondition implements ManagedObject {
  readonly iface = 'IDHCPGroupCondition';
  constructor(readonly group: DHCPGroupConfig, public inclusive: boolean, public type: string, public value: string) {}
  getInclusive() { return this.inclusive; }
  setInclusive(v: boolean) {
    if (v === this.inclusive) return;
    this.inclusive = v;
    this.group.server.host.save();
  }
  getType() { return this.type; }
  setType(t: string) {
    if (t === this.type) return;
    validateCondition(t, this.value, this.iface);
    this.type = t;
    this.group.server.host.save();
  }
  getValue() { return this.value; }
  setValue(v: string) {
    if (v === this.value) return;
    validateCondition(this.type, v, this.iface);
    this.value = v;
    this.group.server.host.save();
  }
  /** DHCPGroupConfig::i_removeCondition: out of the list, without saving (as VirtualBox). */
  remove() { this.group.conditions = this.group.conditions.filter((c) => c !== this); }
}

/** IDHCPGroupConfig: options for the clients its conditions select. */
export class DHCPGroupConfig extends DHCPConfig {
  readonly iface: string = 'IDHCPGroupConfig';
  readonly scope = 'Group';
  conditions: DHCPGroupCondition[] = [];
  /** The server finds a group by the name it was made with (setName does not change its key, as in VirtualBox). */
  constructor(server: DHCPServer, readonly key: string, public name: string) { super(server); }

  getName() { return this.name; }
  setName(name: string) {
    if (name === this.name) return;
    this.name = name;
    this.save();
  }
  getConditions() { return [...this.conditions]; }
  /** The WSDL types the new condition as a string: the reference is made here (a model caller gets the object). */
  addCondition(inclusive: boolean, type: string, value: string, ctx?: CallContext): string | DHCPGroupCondition {
    validateCondition(type, value, this.iface);
    const c = new DHCPGroupCondition(this, inclusive, type, value);
    this.conditions.push(c);
    this.save();
    return ctx?.websession ? ctx.websession.refFor(c, 'IDHCPGroupCondition') : c;
  }
  removeAllConditions() {
    if (!this.conditions.length) return;
    this.conditions = [];
    this.save();
  }
  record(): DhcpGroupRecord {
    return { ...this.configRecord(), key: this.key, name: this.name, conditions: this.conditions.map((c) => ({ inclusive: c.inclusive, type: c.type, value: c.value })) };
  }
}

/** IDHCPIndividualConfig: one client, by MAC address or by machine and adapter slot. */
export class DHCPIndividualConfig extends DHCPConfig {
  readonly iface: string = 'IDHCPIndividualConfig';
  fixedAddress = '';
  constructor(server: DHCPServer, readonly key: string, readonly scope: 'MAC' | 'MachineNIC',
    readonly mac: string, readonly machineId: string, readonly slot: number) { super(server); }

  /** The MAC address: its own, or the machine adapter's now (DHCPIndividualConfig::i_getMachineMAC). */
  getMACAddress() { return formatMac(this.currentMac()); }
  currentMac(): string {
    if (this.scope === 'MAC') return this.mac;
    const mac = parseMac(this.server.host.machineMac(this.machineId, this.slot));
    if (!mac) this.err('E_FAIL', 'INetworkAdapter returned bogus MAC address');
    return mac;
  }
  getMachineId() { return this.machineId; }
  /** The MAC scope has no slot: VirtualBox reports ~0. */
  getSlot() { return this.slot; }
  getFixedAddress() { return this.fixedAddress; }
  setFixedAddress(v: string) {
    if (v && parseIPv4(v) === null) this.err('E_INVALIDARG', `Invalid IPv4 address '${v}': VERR_INVALID_PARAMETER`);
    this.fixedAddress = v;
    this.save();
  }
  record(): DhcpIndividualRecord {
    return { ...this.configRecord(), key: this.key, scope: this.scope, mac: this.mac, machineId: this.machineId, slot: this.slot, fixedAddress: this.fixedAddress };
  }
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const UUID_RE = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** VBoxNetDHCP's lease time when no configuration sets one (Dhcpd Config: 20 minutes). */
export const DEFAULT_LEASE_SECONDS = 1200;

interface Lease { mac: string; address: string; issued: number; expire: number }

/** IDHCPServer. */
export class DHCPServer implements ManagedObject {
  readonly iface = 'IDHCPServer';
  enabled = false;
  ip = '0.0.0.0';
  lower = '0.0.0.0';
  upper = '0.0.0.0';
  readonly globalConfig: DHCPGlobalConfig;
  /** By the name each group was made with (std::map: in key order). */
  readonly groups = new Map<string, DHCPGroupConfig>();
  /** By "%RTmac" or "<machine uuid>/<slot>". */
  readonly individuals = new Map<string, DHCPIndividualConfig>();
  /** VBoxNetDHCP runs (started by start(), or by a NAT network or machine using the network). */
  running = false;
  private leases: Map<string, Lease> | null = null;

  constructor(readonly host: DhcpHost, readonly networkName: string) {
    this.globalConfig = new DHCPGlobalConfig(this);
    this.globalConfig.options.set(1, { encoding: 'Normal', value: '0.0.0.0' });
  }

  static fromRecord(host: DhcpHost, r: DhcpServerRecord): DHCPServer {
    const s = new DHCPServer(host, r.networkName);
    s.enabled = r.enabled; s.ip = r.ip; s.lower = r.lower; s.upper = r.upper;
    s.globalConfig.options.clear();
    s.globalConfig.loadConfig(r.global);
    for (const g of r.groups) {
      const grp = new DHCPGroupConfig(s, g.key, g.name);
      grp.loadConfig(g);
      grp.conditions = g.conditions.map((c) => new DHCPGroupCondition(grp, c.inclusive, c.type, c.value));
      s.groups.set(g.key, grp);
    }
    for (const i of r.individuals) {
      const ind = new DHCPIndividualConfig(s, i.key, i.scope, i.mac, i.machineId, i.slot);
      ind.loadConfig(i);
      ind.fixedAddress = i.fixedAddress;
      s.individuals.set(i.key, ind);
    }
    return s;
  }

  record(): DhcpServerRecord {
    return {
      networkName: this.networkName, enabled: this.enabled, ip: this.ip, lower: this.lower, upper: this.upper,
      global: this.globalConfig.configRecord(),
      groups: [...this.groups.values()].map((g) => g.record()),
      individuals: [...this.individuals.values()].map((i) => i.record()),
    };
  }

  private err(code: Parameters<typeof fail>[0], text: string): never { fail(code, text, this.iface); }

  getEventSource(): never { this.err('E_NOTIMPL', 'Method getEventSource is not implemented'); }
  getNetworkName() { return this.networkName; }
  getEnabled() { return this.enabled; }
  setEnabled(v: boolean) {
    this.enabled = v;
    this.host.save();
  }
  getIPAddress() { return this.ip; }
  getNetworkMask() { return this.globalConfig.networkMask(); }
  getLowerIP() { return this.lower; }
  getUpperIP() { return this.upper; }
  getGlobalConfig() { return this.globalConfig; }
  getGroupConfigs() { return [...this.groups].sort((a, b) => cmp(a[0], b[0])).map(([, g]) => g); }
  getIndividualConfigs() { return [...this.individuals].sort((a, b) => cmp(a[0], b[0])).map(([, i]) => i); }

  /** DHCPServer::setConfiguration, its checks in VirtualBox's order. */
  setConfiguration(ipAddress: string, networkMask: string, lowerIP: string, upperIP: string) {
    const ip = parseIPv4(ipAddress);
    if (ip === null) this.err('E_INVALIDARG', `Invalid server address: ${ipAddress}`);
    const mask = parseIPv4(networkMask);
    if (mask === null) this.err('E_INVALIDARG', `Invalid netmask: ${networkMask}`);
    const lo = parseIPv4(lowerIP);
    if (lo === null) this.err('E_INVALIDARG', `Invalid range lower address: ${lowerIP}`);
    const hi = parseIPv4(upperIP);
    if (hi === null) this.err('E_INVALIDARG', `Invalid range upper address: ${upperIP}`);
    if (maskPrefix(mask) === null) this.err('E_INVALIDARG', `Invalid netmask: ${networkMask}`);
    const host = (a: number) => (a & ~mask) >>> 0;
    const bad = (a: number) => (a & 0xe0000000) >>> 0 === 0xe0000000 || host(a) === 0 || ((host(a) | mask) >>> 0) === 0xffffffff;
    const sameNet = (a: number) => ((a & mask) >>> 0) === ((ip & mask) >>> 0);
    if (bad(ip)) this.err('E_INVALIDARG', `Invalid server address: ${ipAddress} (mask ${networkMask})`);
    if (bad(lo) || !sameNet(lo)) this.err('E_INVALIDARG', `Invalid range lower address: ${lowerIP} (mask ${networkMask})`);
    // VirtualBox's text for this one has no arguments.
    if (bad(hi) || !sameNet(hi)) this.err('E_INVALIDARG', 'Invalid range upper address');
    if (lo > hi) this.err('E_INVALIDARG', `Lower bound must be less or eqaul than the upper: ${lowerIP} vs ${upperIP}`);
    this.ip = ipAddress;
    this.lower = lowerIP;
    this.upper = upperIP;
    this.globalConfig.options.set(1, { encoding: 'Normal', value: networkMask });
    this.host.save();
  }

  /** DHCPServer::start: VBoxNetDHCP for this network (a disabled server does nothing). */
  start(_trunkName: string, _trunkType: string) {
    if (!this.enabled) return;
    if (this.running) this.err('VBOX_E_OBJECT_IN_USE', 'Cannot start DHCP server because it is already running');
    this.running = true;
  }
  stop() { this.running = false; }
  restart() {
    if (!this.running) throw new VBoxFault('E_FAIL', 'not running', 'DHCPServerWrap', this.iface);
    this.stop();
    this.start('', '');
  }

  // --- configurations

  getConfig(scope: string, name: string, slot: number, mayAdd: boolean): DHCPConfig {
    if (slot !== 0 && scope !== 'MachineNIC') this.err('E_INVALIDARG', "The 'slot' argument must be zero for all but the MachineNIC scope!");
    switch (scope) {
      case 'Global':
        if (name) this.err('E_INVALIDARG', 'The name must be empty or NULL for the Global scope!');
        return this.globalConfig;
      case 'Group': {
        if (!name) this.err('E_INVALIDARG', 'A group must have a name!');
        const bytes = Buffer.byteLength(name);
        if (bytes > 1024) this.err('E_INVALIDARG', `Name too long! ${bytes} bytes`);
        const found = this.groups.get(name);
        if (found) return found;
        if (!mayAdd) this.err('VBOX_E_OBJECT_NOT_FOUND', `Found no configuration for group ${name}`);
        // A new group is not saved until it changes (DHCPServer::getConfig).
        const g = new DHCPGroupConfig(this, name, name);
        this.groups.set(name, g);
        return g;
      }
      case 'MachineNIC': {
        if (slot > 32) this.err('E_INVALIDARG', `NIC slot number (${slot}) is out of range (0..32)`);
        const m = UUID_RE.exec(name);
        const id = m && m[1].toLowerCase() !== ZERO_UUID ? m[1].toLowerCase() : this.host.machineIdByName(name);
        const key = `${id}/${slot}`;
        const found = this.individuals.get(key);
        if (found) return found;
        if (!mayAdd) throw new VBoxFault('VBOX_E_OBJECT_NOT_FOUND', '');
        const c = new DHCPIndividualConfig(this, key, 'MachineNIC', '000000000000', id, slot);
        this.individuals.set(key, c);
        this.host.save();
        return c;
      }
      case 'MAC': {
        const mac = parseMac(name);
        if (!mac) this.err('E_INVALIDARG', `Invalid MAC address: ${name}`);
        const key = formatMac(mac);
        const found = this.individuals.get(key);
        if (found) return found;
        if (!mayAdd) this.err('VBOX_E_OBJECT_NOT_FOUND', `Found no configuration for MAC address ${key}`);
        // As for groups, a new MAC configuration is saved with the next change.
        const c = new DHCPIndividualConfig(this, key, 'MAC', mac, ZERO_UUID, 0xffffffff);
        this.individuals.set(key, c);
        return c;
      }
      default:
        throw new VBoxFault('E_FAIL', '');
    }
  }

  /** DHCPServer::i_removeConfig: a configuration no longer there is no error. */
  removeConfig(c: DHCPConfig) {
    let found = false;
    for (const map of [this.groups, this.individuals] as Map<string, DHCPConfig>[]) {
      for (const [k, v] of map) if (v === c) { map.delete(k); found = true; }
    }
    if (found) this.host.save();
  }

  // --- leases

  private leasesFile(): string {
    return path.join(this.host.homeFolder, `${this.networkName.replace(/\//g, '_')}-Dhcpd.leases`);
  }

  private loadLeases(): Map<string, Lease> | null {
    if (this.leases) return this.leases;
    let text: string;
    try {
      text = fs.readFileSync(this.leasesFile(), 'utf8');
    } catch {
      return null;
    }
    const leases = new Map<string, Lease>();
    for (const m of text.matchAll(/<Lease mac="([^"]*)"[^>]*>\s*<Address value="([^"]*)"\/>\s*<Time issued="(\d+)" expiration="(\d+)"\/>/g)) {
      const mac = parseMac(m[1]);
      if (mac) leases.set(mac, { mac, address: m[2], issued: Number(m[3]), expire: Number(m[3]) + Number(m[4]) });
    }
    this.leases = leases;
    return leases;
  }

  /** VBoxNetDHCP's leases file (Db::writeLeases), so that leases outlive a restart. */
  private writeLeases(): void {
    const body = [...(this.leases ?? new Map<string, Lease>()).values()].map((l) =>
      `  <Lease mac="${formatMac(l.mac)}" state="acked">\n    <Address value="${l.address}"/>\n    <Time issued="${l.issued}" expiration="${l.expire - l.issued}"/>\n  </Lease>\n`).join('');
    fs.mkdirSync(this.host.homeFolder, { recursive: true });
    fs.writeFileSync(this.leasesFile(), `<?xml version="1.0"?>\n<Leases version="1.0">\n${body}</Leases>\n`);
  }

  private fixedAddressFor(mac: string): string | null {
    for (const c of this.individuals.values()) {
      if (!c.fixedAddress) continue;
      try {
        if (c.currentMac() === mac) return c.fixedAddress;
      } catch {
        // A machine configuration whose machine is gone matches nothing.
      }
    }
    return null;
  }

  private leaseSeconds(): number {
    return this.globalConfig.defaultLeaseTime || DEFAULT_LEASE_SECONDS;
  }

  /**
   * The address this server gives the MAC (12 hex digits): its fixed address, else the lease it holds,
   * else the lowest free address of the range; null when the server is disabled or the range is full.
   * The lease is (re)acknowledged now, as a DHCP client's request would.
   */
  lease(mac: string, now = Math.floor(Date.now() / 1000)): string | null {
    if (!this.enabled) return null;
    const leases = this.loadLeases() ?? (this.leases = new Map());
    let address = this.fixedAddressFor(mac);
    if (!address) {
      const held = leases.get(mac);
      const lo = parseIPv4(this.lower);
      const hi = parseIPv4(this.upper);
      if (held && lo !== null && hi !== null && parseIPv4(held.address)! >= lo && parseIPv4(held.address)! <= hi) address = held.address;
      else if (lo !== null && hi !== null) {
        // As VBoxNetDHCP's Db::allocateAddress: a never used address first, else one whose lease expired.
        for (const reuseExpired of [false, true]) {
          const taken = new Set<string>([this.ip]);
          for (const l of leases.values()) if (l.mac !== mac && (!reuseExpired || l.expire > now)) taken.add(l.address);
          for (const c of this.individuals.values()) if (c.fixedAddress) taken.add(c.fixedAddress);
          for (let a = lo; a <= hi && !address; a++) if (!taken.has(formatIPv4(a))) address = formatIPv4(a);
          if (address) break;
        }
        // The expired lease that gave its address away is gone.
        for (const [k, l] of leases) if (k !== mac && l.address === address) leases.delete(k);
      }
    }
    if (!address) return null;
    leases.set(mac, { mac, address, issued: now, expire: now + this.leaseSeconds() });
    this.running = true;
    this.writeLeases();
    return address;
  }

  /** DHCPServer::findLeaseByMAC: from the leases file, "expired" once its time is up (a running guest renews it). */
  findLeaseByMAC(macText: string, type: number) {
    const mac = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(macText) || /^[0-9a-f]{12}$/i.test(macText) ? parseMac(macText) : null;
    if (!mac) {
      const hex = macText.replace(/:/g, '');
      const rc = /^[0-9a-f]*$/i.test(hex) && hex.length > 12 ? 'VERR_BUFFER_OVERFLOW' : 'VERR_BUFFER_UNDERFLOW';
      this.err('E_INVALIDARG', `Invalid MAC address '${macText}': ${rc}`);
    }
    if (type !== 0) this.err('E_INVALIDARG', `flags must be zero (not 0x${(type >>> 0).toString(16)})`);
    const leases = this.loadLeases();
    if (!leases) {
      const file = this.leasesFile();
      this.err('VBOX_E_FILE_ERROR', `Reading '${file}' failed: VERR_FILE_NOT_FOUND - Runtime error opening '${file}' for reading VERR_FILE_NOT_FOUND (File not found.)`);
    }
    const now = Math.floor(Date.now() / 1000);
    let l = leases.get(mac);
    if (l && l.expire < now && this.host.runningMacs().has(mac)) {
      this.lease(mac, now);
      l = leases.get(mac);
    }
    if (!l) this.err('VBOX_E_OBJECT_NOT_FOUND', `Could not find a lease for ${formatMac(mac)}`);
    return { address: l.address, state: l.expire < now ? 'expired' : 'acked', issued: l.issued, expire: l.expire };
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
