import type { BadgeTone } from '@/components/ui/badge';
import type { DHCPOption, DhcpSettings, NetworkHostState, NetworkKind } from '@/lib/hooks/use-networks';

export const NETWORK_KINDS: readonly NetworkKind[] = ['bridged', 'hostonly', 'internal', 'natnetwork'];

export const KIND_LABEL: Record<NetworkKind, string> = {
  bridged: 'Bridged',
  hostonly: 'Host-only',
  internal: 'Internal',
  natnetwork: 'NAT network',
};

export const KIND_TONE: Record<NetworkKind, BadgeTone> = {
  bridged: 'sky',
  hostonly: 'violet',
  internal: 'grey',
  natnetwork: 'blue',
};

/** What the network is on each host, as the form's per-host column heads it. */
export const KIND_HOST_LABEL: Record<NetworkKind, string> = {
  bridged: 'Interface to bridge to',
  hostonly: 'Host-only interface',
  internal: 'Internal network name',
  natnetwork: 'NAT network name',
};

export const KIND_HINT: Record<NetworkKind, string> = {
  bridged: 'Machines join a host interface (e.g. vbox0 on br0) and the LAN behind it.',
  hostonly: 'A vboxnetN interface per host: machines and the host talk; Nimbox creates it and sets its address from the CIDR.',
  internal: 'Machines on one host talk to each other only; nothing is created on the host.',
  natnetwork: 'A routed NAT network per host with its own CIDR; Nimbox creates it.',
};

/** Kinds whose per-host part Nimbox creates from the network's CIDR. */
export const needsCidr = (kind: NetworkKind) => kind === 'natnetwork' || kind === 'hostonly';
/** Kinds for which Nimbox may manage VirtualBox's DHCP server. */
export const mayHaveDhcp = (kind: NetworkKind) => kind !== 'bridged';

/** The name a host's part of the network gets when none is typed. */
export function defaultHostName(kind: NetworkKind, network: string): string {
  if (kind === 'internal') return network;
  if (kind === 'natnetwork') return network ? `nimbox-${network}` : '';
  return '';
}

export const STATE_LABEL: Record<NetworkHostState, string> = {
  ok: 'ok',
  missing: 'missing',
  drift: 'drift',
  unmapped: 'not defined',
  unknown: 'host down',
};

export const STATE_TONE: Record<NetworkHostState, BadgeTone> = {
  ok: 'green',
  missing: 'red',
  drift: 'amber',
  unmapped: 'grey',
  unknown: 'grey',
};

/** The DHCP options the form offers first (any other VirtualBox DHCPOption can still be picked). */
export const COMMON_DHCP_OPTIONS: readonly DHCPOption[] = ['DomainNameServers', 'Routers', 'DomainName', 'BootfileName', 'TFTPServerName', 'NTPServers'];

export const DHCP_OPTION_LABEL: Partial<Record<DHCPOption, string>> = {
  DomainNameServers: 'DNS servers (6)',
  Routers: 'Routers (3)',
  DomainName: 'Domain name (15)',
  BootfileName: 'Boot file name (67)',
  TFTPServerName: 'TFTP server name (66)',
  NTPServers: 'NTP servers (42)',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line about a network's DHCP server (under a "DHCP" heading). */
export function dhcpSummary(dhcp: DhcpSettings | null, kind: NetworkKind): string {
  if (kind === 'bridged') return 'Whatever serves the bridged LAN';
  if (!dhcp) return 'Not managed by Nimbox';
  if (!dhcp.enabled) return 'Off (settings kept)';
  const extra = [dhcp.options.length ? plural(dhcp.options.length, 'option') : '', dhcp.fixedLeases.length ? plural(dhcp.fixedLeases.length, 'fixed lease') : '']
    .filter(Boolean)
    .join(' · ');
  return `${dhcp.lowerIP} – ${dhcp.upperIP}${extra ? ` · ${extra}` : ''}`;
}

/** A lease time: the API gives seconds since the epoch (VirtualBox's LONG64) or an ISO string. */
export function leaseTime(v: number | string | null | undefined): string {
  if (v === null || v === undefined || v === '' || v === 0) return '—';
  const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString();
}
