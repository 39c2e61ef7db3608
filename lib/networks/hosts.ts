/**
 * What networks a host has (read live through its vboxwebsrv, cached briefly) and how a cluster
 * network stands there: ok, missing (placement must not pick the host), drift (it exists, but not as
 * the network says: apply fixes it), unmapped, or unknown (the host is not connected).
 */
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import type { IDHCPServer, IVirtualBox } from '@/lib/vbox/objects';
import { cidrOf, maskOf, nthAddress, parseCidr } from './ip';
import { dhcpServerAddress, getNetwork, type ClusterNetwork, type NetworkKind } from './store';

export interface DhcpServerFacts {
  networkName: string;
  enabled: boolean;
  ip: string;
  mask: string;
  lowerIP: string;
  upperIP: string;
  /** Its global options (SubnetMask left out: VirtualBox derives it from the mask). */
  options: { option: string; value: string }[];
  /** Its MAC-scoped configurations with a fixed address; MAC as AA:BB:CC:DD:EE:FF. */
  fixedLeases: { mac: string; ip: string }[];
}

export interface HostNetworkFacts {
  hostId: string;
  hostName: string;
  bridged: string[];
  hostOnly: { name: string; ip: string; mask: string; dhcp: boolean }[];
  natNetworks: { name: string; cidr: string; enabled: boolean; dhcp: boolean }[];
  dhcpServers: DhcpServerFacts[];
  /** Internal networks in use by some machine (VirtualBox lists only those). */
  internal: string[];
  genericDrivers: string[];
  readAt: string;
}

export type NetworkState = 'ok' | 'missing' | 'drift' | 'unmapped' | 'unknown';

export interface HostNetworkStatus {
  hostId: string;
  hostName: string;
  /** The network's name on that host ('' when unmapped, or hostonly before Nimbox created its interface). */
  name: string;
  state: NetworkState;
  /** In words, e.g. "vboxnet1 has 192.168.57.1/24, the network says 192.168.56.1/24"; '' when ok. */
  detail: string;
}

/** The DHCP server's network name for a network's name on a host (VirtualBox's naming for host-only interfaces). */
export function dhcpNetworkName(kind: NetworkKind, name: string): string {
  return kind === 'hostonly' ? `HostInterfaceNetworking-${name}` : name;
}

/** AA:BB:CC:DD:EE:FF from whatever form VirtualBox gives (08:00:27:…, 080027…). */
export const macKey = (mac: string): string => mac.replace(/[^0-9a-fA-F]/g, '').toUpperCase().match(/../g)?.join(':') ?? mac;

const TTL_MS = 30_000;
const g = globalThis as typeof globalThis & { __nimboxHostNetworks?: Map<string, { at: number; read: Promise<HostNetworkFacts> }> };
const cache = (g.__nimboxHostNetworks ??= new Map());

/** Drops cached facts (one host, or all): after Nimbox changed a host's networks. */
export function forgetHostNetworks(hostId?: string): void {
  if (hostId) cache.delete(hostId);
  else cache.clear();
}

/** Reads one DHCP server's settings, options and fixed leases. */
export async function readDhcpServer(s: IDHCPServer): Promise<DhcpServerFacts> {
  const [networkName, enabled, ip, mask, lowerIP, upperIP, global, individuals] = await Promise.all([
    s.getNetworkName(), s.getEnabled(), s.getIPAddress(), s.getNetworkMask(), s.getLowerIP(), s.getUpperIP(),
    s.getGlobalConfig(), s.getIndividualConfigs(),
  ]);
  const options = (await global.getAllOptions()).filter((o) => o.option !== 'SubnetMask').map((o) => ({ option: o.option, value: o.value }));
  const fixed = await Promise.all(individuals.map(async (c) => {
    if ((await c.getScope()) !== 'MAC') return null;
    const [mac, fixedIp] = await Promise.all([c.getMACAddress(), c.getFixedAddress()]);
    return fixedIp ? { mac: macKey(mac), ip: fixedIp } : null;
  }));
  return { networkName, enabled, ip, mask, lowerIP, upperIP, options, fixedLeases: fixed.filter((f): f is { mac: string; ip: string } => !!f) };
}

/** Reads a host's networks through an IVirtualBox (inside the caller's scope). */
export async function readNetworks(vbox: IVirtualBox, hostId: string, hostName: string): Promise<HostNetworkFacts> {
  const host = await vbox.getHost();
  const [bridgedIfs, hostOnlyIfs, nats, servers, internal, genericDrivers] = await Promise.all([
    host.findHostNetworkInterfacesOfType('Bridged'), host.findHostNetworkInterfacesOfType('HostOnly'),
    vbox.getNATNetworks(), vbox.getDHCPServers(), vbox.getInternalNetworks(), vbox.getGenericNetworkDrivers(),
  ]);
  const dhcpServers = await Promise.all(servers.map(readDhcpServer));
  const dhcpOn = (networkName: string) => dhcpServers.some((d) => d.networkName === networkName && d.enabled);
  const hostOnly = await Promise.all(hostOnlyIfs.map(async (i) => {
    const [name, ip, mask] = await Promise.all([i.getName(), i.getIPAddress(), i.getNetworkMask()]);
    return { name, ip, mask, dhcp: dhcpOn(dhcpNetworkName('hostonly', name)) };
  }));
  const natNetworks = await Promise.all(nats.map(async (n) => {
    const [name, cidr, enabled, need] = await Promise.all([n.getNetworkName(), n.getNetwork(), n.getEnabled(), n.getNeedDhcpServer()]);
    return { name, cidr, enabled, dhcp: need };
  }));
  return {
    hostId, hostName,
    bridged: await Promise.all(bridgedIfs.map((i) => i.getName())),
    hostOnly, natNetworks, dhcpServers, internal, genericDrivers,
    readAt: new Date().toISOString(),
  };
}

/** A host's networks, read live (cached ~30 s). Throws when the host is unknown or not connected. */
export async function readHostNetworks(hostId: string, inv: Inventory = getInventory()): Promise<HostNetworkFacts> {
  const hit = cache.get(hostId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.read;
  const monitor = inv.monitor(hostId);
  const status = inv.host(hostId);
  if (!monitor || !status) throw new Error(`host ${hostId} is not connected`);
  const read = monitor.client.scope((vbox) => readNetworks(vbox, hostId, status.name));
  cache.set(hostId, { at: Date.now(), read });
  read.catch(() => {
    if (cache.get(hostId)?.read === read) cache.delete(hostId);
  });
  return read;
}

/** The facts, or null when the host is down or cannot be read (its networks' state is then unknown). */
export async function tryReadHostNetworks(hostId: string, inv: Inventory = getInventory()): Promise<HostNetworkFacts | null> {
  if (inv.host(hostId)?.health !== 'up') return null;
  return readHostNetworks(hostId, inv).catch(() => null);
}

/** What differs between the DHCP server on a host and the network's DHCP settings, in words. */
export function dhcpDrift(net: ClusterNetwork, name: string, facts: HostNetworkFacts): string[] {
  const want = net.dhcp;
  if (!want || !net.cidr || net.kind === 'bridged') return [];
  const c = parseCidr(net.cidr);
  if (!c) return [];
  const dname = dhcpNetworkName(net.kind, name);
  const s = facts.dhcpServers.find((d) => d.networkName === dname);
  if (!s) return [`no DHCP server for ${dname}`];
  const out: string[] = [];
  if (s.enabled !== want.enabled) out.push(`its DHCP server is ${s.enabled ? 'enabled' : 'disabled'}, the network says ${want.enabled ? 'enabled' : 'disabled'}`);
  const ip = dhcpServerAddress(net.kind, net.cidr), mask = maskOf(c.prefix);
  if (s.ip !== ip || s.mask !== mask) out.push(`its DHCP server is at ${s.ip}/${s.mask}, the network says ${ip}/${mask}`);
  if (s.lowerIP !== want.lowerIP || s.upperIP !== want.upperIP) {
    out.push(`its DHCP server hands out ${s.lowerIP}–${s.upperIP}, the network says ${want.lowerIP}–${want.upperIP}`);
  }
  const managed = vboxManagedOptions(net.kind);
  for (const o of want.options) {
    const has = s.options.find((x) => x.option === o.option);
    if (!has) out.push(`DHCP option ${o.option} is not set`);
    else if (has.value !== o.value) out.push(`DHCP option ${o.option} is ${has.value}, the network says ${o.value}`);
  }
  for (const o of s.options) {
    if (!managed.has(o.option) && !want.options.some((x) => x.option === o.option)) out.push(`DHCP option ${o.option} (${o.value}) is set but not wanted`);
  }
  for (const l of want.fixedLeases) {
    const has = s.fixedLeases.find((x) => x.mac === macKey(l.mac));
    if (!has) out.push(`no fixed lease for ${l.mac}`);
    else if (has.ip !== l.ip) out.push(`${l.mac} is fixed to ${has.ip}, the network says ${l.ip}`);
  }
  for (const l of s.fixedLeases) {
    if (!want.fixedLeases.some((x) => macKey(x.mac) === l.mac)) out.push(`${l.mac} is fixed to ${l.ip} but not wanted`);
  }
  return out;
}

/**
 * Global options VirtualBox sets itself, not drift when the network does not name them: SubnetMask (from the
 * mask), and on a NAT network Routers (its gateway) and DomainName (the host's), set when it starts (NATNetworkImpl.cpp).
 */
export function vboxManagedOptions(kind: NetworkKind): ReadonlySet<string> {
  return new Set(kind === 'natnetwork' ? ['SubnetMask', 'Routers', 'DomainName'] : ['SubnetMask']);
}

/**
 * The options apply never removes: SubnetMask, and a NAT network's Routers (guests renewing a lease would
 * lose their gateway until the network restarts). A DomainName no longer wanted goes; VirtualBox puts the
 * host's back at the next start.
 */
export function keptOptions(kind: NetworkKind): ReadonlySet<string> {
  return new Set(kind === 'natnetwork' ? ['SubnetMask', 'Routers'] : ['SubnetMask']);
}

/** How a cluster network stands on one host, given the host's facts (null: the host could not be read). */
export function networkStatusOn(net: ClusterNetwork, hostId: string, facts: HostNetworkFacts | null, hostName?: string): HostNetworkStatus {
  const map = net.hosts.find((h) => h.hostId === hostId);
  const base = { hostId, hostName: facts?.hostName ?? hostName ?? hostId, name: map?.name ?? '' };
  const is = (state: NetworkState, detail = ''): HostNetworkStatus => ({ ...base, state, detail });
  if (!map) return is('unmapped', `${net.name} is not defined on ${base.hostName}`);
  if (!facts) return is('unknown', `${base.hostName} is not connected`);
  const on = base.hostName;
  switch (net.kind) {
    case 'bridged':
      return facts.bridged.includes(map.name) ? is('ok') : is('missing', `${map.name} does not exist on ${on}`);
    case 'internal': {
      // Nothing to create: an internal network exists as soon as a machine attaches to it.
      const drift = dhcpDrift(net, map.name, facts);
      return drift.length ? is('drift', drift.join('; ')) : is('ok');
    }
    case 'hostonly': {
      if (!map.name) return is('missing', `no host-only interface was made on ${on} yet`);
      const i = facts.hostOnly.find((x) => x.name === map.name);
      if (!i) return is('missing', `${map.name} does not exist on ${on}`);
      const drift: string[] = [];
      const c = net.cidr ? parseCidr(net.cidr) : undefined;
      if (c) {
        const want = `${nthAddress(c, 1)}/${c.prefix}`;
        const has = `${i.ip}/${cidrOf(i.ip, i.mask)?.split('/')[1] ?? i.mask}`;
        if (has !== want) drift.push(`${map.name} has ${has}, the network says ${want}`);
      }
      drift.push(...dhcpDrift(net, map.name, facts));
      return drift.length ? is('drift', drift.join('; ')) : is('ok');
    }
    case 'natnetwork': {
      const n = facts.natNetworks.find((x) => x.name === map.name);
      if (!n) return is('missing', `NAT network ${map.name} does not exist on ${on}`);
      const drift: string[] = [];
      if (net.cidr && n.cidr !== net.cidr) drift.push(`${map.name} has ${n.cidr}, the network says ${net.cidr}`);
      if (!n.enabled) drift.push(`${map.name} is disabled`);
      drift.push(...dhcpDrift(net, map.name, facts));
      return drift.length ? is('drift', drift.join('; ')) : is('ok');
    }
  }
}

/** Every mapped host's status of a network (unmapped hosts left out), reading each host's facts. */
export async function networkStatus(net: ClusterNetwork, inv: Inventory = getInventory()): Promise<HostNetworkStatus[]> {
  return Promise.all(net.hosts.map(async (h) => networkStatusOn(net, h.hostId, await tryReadHostNetworks(h.hostId, inv), inv.host(h.hostId)?.name)));
}

/**
 * The cluster networks (by name) a host lacks, each with why: for placement (create, teleport, drain, HA).
 * Unknown state (the host cannot be read) counts as lacking: nothing is placed on a host nobody can check.
 */
export async function hostLacks(hostId: string, networkNames: string[], inv: Inventory = getInventory()): Promise<{ network: string; reason: string }[]> {
  const out: { network: string; reason: string }[] = [];
  let facts: HostNetworkFacts | null | undefined;
  const hostName = inv.host(hostId)?.name ?? hostId;
  for (const name of networkNames) {
    const net = await getNetwork(name);
    if (!net || net.name !== name) {
      out.push({ network: name, reason: `${name}: no such cluster network` });
      continue;
    }
    if (!net.hosts.some((h) => h.hostId === hostId)) {
      out.push({ network: name, reason: `${name} is not defined on ${hostName}` });
      continue;
    }
    if (facts === undefined) facts = await tryReadHostNetworks(hostId, inv);
    const s = networkStatusOn(net, hostId, facts, hostName);
    if (s.state === 'missing') out.push({ network: name, reason: `${name} is missing on ${hostName} (${s.detail})` });
    else if (s.state === 'unknown') out.push({ network: name, reason: `${name} cannot be checked on ${hostName} (${s.detail})` });
  }
  return out;
}
