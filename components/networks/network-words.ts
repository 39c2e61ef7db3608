import type { BadgeTone } from '@/components/ui/badge';
import type { Format } from '@/components/format';
import type { DHCPOption, DhcpSettings, NetworkHostState, NetworkKind } from '@/lib/hooks/use-networks';

export const NETWORK_KINDS: readonly NetworkKind[] = ['bridged', 'hostonly', 'internal', 'natnetwork'];

/**
 * A translator of the `networks` namespace as these helpers take it (next-intl's `t` from
 * useTranslations('networks') or createTranslator fits). Words live in the catalog: a kind's name is
 * `kind.<kind>`, its per-host column `kindHost.<kind>`, its hint `kindHint.<kind>`, a host state
 * `hostState.<state>`, a DHCP option `dhcpOption.<option>`.
 */
export interface NetworksT {
  (key: string, values?: Record<string, string | number | Date>): string;
  has(key: string): boolean;
}

export const KIND_TONE: Record<NetworkKind, BadgeTone> = {
  bridged: 'sky',
  hostonly: 'violet',
  internal: 'grey',
  natnetwork: 'blue',
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

export const STATE_TONE: Record<NetworkHostState, BadgeTone> = {
  ok: 'green',
  missing: 'red',
  drift: 'amber',
  unmapped: 'grey',
  unknown: 'grey',
};

/** The DHCP options the form offers first (any other VirtualBox DHCPOption can still be picked). */
export const COMMON_DHCP_OPTIONS: readonly DHCPOption[] = ['DomainNameServers', 'Routers', 'DomainName', 'BootfileName', 'TFTPServerName', 'NTPServers'];

/** A DHCP option's name with its number ("DNS servers (6)"), or VirtualBox's name of it when the catalog has none. */
export function dhcpOptionLabel(t: NetworksT, option: DHCPOption): string {
  return t.has(`dhcpOption.${option}`) ? t(`dhcpOption.${option}`) : option;
}

/** One line about a network's DHCP server (under a "DHCP" heading), in the language of `t`. */
export function dhcpSummary(dhcp: DhcpSettings | null, kind: NetworkKind, t: NetworksT): string {
  if (kind === 'bridged') return t('dhcp.bridged');
  if (!dhcp) return t('dhcp.unmanaged');
  if (!dhcp.enabled) return t('dhcp.off');
  const extra = [dhcp.options.length ? t('dhcp.options', { count: dhcp.options.length }) : '', dhcp.fixedLeases.length ? t('dhcp.fixedLeases', { count: dhcp.fixedLeases.length }) : '']
    .filter(Boolean)
    .join(' · ');
  return `${dhcp.lowerIP} – ${dhcp.upperIP}${extra ? ` · ${extra}` : ''}`;
}

/** A lease time: the API gives seconds since the epoch (VirtualBox's LONG64) or an ISO string. */
export function leaseTime(v: number | string | null | undefined, f: Format): string {
  if (v === null || v === undefined || v === '' || v === 0) return '—';
  const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : f.dateTime(d);
}
