import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import { formatters } from '@/components/format';
import type { DhcpSettings } from '@/lib/hooks/use-networks';
import de from '@/messages/de/networks.json';
import en from '@/messages/en/networks.json';
import { dhcpOptionLabel, dhcpSummary, leaseTime, NETWORK_KINDS, type NetworksT } from './network-words';

// The real catalogs: what a network's card and form show in each language.
const tEn = createTranslator({ locale: 'en', messages: { networks: en }, namespace: 'networks' }) as unknown as NetworksT;
const tDe = createTranslator({ locale: 'de', messages: { networks: de }, namespace: 'networks' }) as unknown as NetworksT;

const dhcp = (o: Partial<DhcpSettings> = {}): DhcpSettings => ({ enabled: true, lowerIP: '10.0.50.100', upperIP: '10.0.50.199', options: [], fixedLeases: [], ...o });

describe('network words', () => {
  it('sums a DHCP server up: its range, how many options and fixed leases', () => {
    expect(dhcpSummary(dhcp(), 'natnetwork', tEn)).toBe('10.0.50.100 – 10.0.50.199');
    const busy = dhcp({ options: [{ option: 'Routers', value: '10.0.50.1' }], fixedLeases: [{ mac: '08:00:27:12:34:56', ip: '10.0.50.10' }, { mac: '08:00:27:12:34:57', ip: '10.0.50.11' }] });
    expect(dhcpSummary(busy, 'natnetwork', tEn)).toBe('10.0.50.100 – 10.0.50.199 · 1 option · 2 fixed leases');
    expect(dhcpSummary(busy, 'natnetwork', tDe)).toBe('10.0.50.100 – 10.0.50.199 · 1 Option · 2 feste Zuweisungen');
  });

  it('says when Nimbox does not run the DHCP server', () => {
    expect(dhcpSummary(dhcp(), 'bridged', tEn)).toBe('Whatever serves the bridged LAN');
    expect(dhcpSummary(null, 'internal', tEn)).toBe('Not managed by Nimbox');
    expect(dhcpSummary(dhcp({ enabled: false }), 'hostonly', tEn)).toBe('Off (settings kept)');
    expect(dhcpSummary(dhcp({ enabled: false }), 'hostonly', tDe)).toBe('Aus (Einstellungen bleiben erhalten)');
  });

  it('names every kind and the common DHCP options in both languages; an unknown option by its VirtualBox name', () => {
    for (const kind of NETWORK_KINDS) for (const t of [tEn, tDe]) for (const k of ['kind', 'kindHost', 'kindHint']) expect(t.has(`${k}.${kind}`), `${k}.${kind}`).toBe(true);
    expect(tEn('kind.natnetwork')).toBe('NAT network');
    expect(dhcpOptionLabel(tEn, 'DomainNameServers')).toBe('DNS servers (6)');
    expect(dhcpOptionLabel(tDe, 'Routers')).toBe('Router (3)');
    expect(dhcpOptionLabel(tEn, 'SwapServer')).toBe('SwapServer');
  });

  it('shows a lease time in the language, from epoch seconds or an ISO string', () => {
    const at = Date.UTC(2026, 11, 6, 20, 15, 30);
    const en = formatters('en');
    const de = formatters('de');
    expect(leaseTime(at / 1000, en)).toBe(en.dateTime(new Date(at)));
    expect(leaseTime(new Date(at).toISOString(), de)).toBe(de.dateTime(new Date(at)));
    expect(leaseTime(at / 1000, de)).toMatch(/^06\.12\.2026/);
    expect(leaseTime(0, en)).toBe('—');
    expect(leaseTime('soon', en)).toBe('soon');
  });
});
