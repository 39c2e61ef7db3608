import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { startWebsrv, websrvMissing, type Websrv } from '@/lib/vbox/websrv-harness';

/*
 * Cluster networks against VirtualBox 7.1.12's own vboxwebsrv (../shared/vbox-7.1): a NAT network with
 * its DHCP server (range, options, a fixed lease) applied by the `network.apply` task, read back with
 * VBoxManage as an administrator would, its drift seen, and removed again by `network.delete`.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-networks-real-'));

const missing = websrvMissing();
if (missing) console.warn(`cluster networks against the real vboxwebsrv skipped: ${missing}`);

const { getDb } = await import('@/lib/db');
const { createHost } = await import('@/lib/db/hosts');
const { getInventory } = await import('@/lib/cluster/inventory');
const { until } = await import('@/lib/cluster/testing');
const { waitForTask } = await import('@/lib/tasks');
const store = await import('./store');
const { startApply, startDelete } = await import('./apply');
const { forgetHostNetworks, networkStatus } = await import('./hosts');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };

describe.skipIf(missing)('cluster networks on the real vboxwebsrv', () => {
  let w: Websrv;
  let hostId: string;
  const inv = () => getInventory();
  /** `VBoxManage list <what>` as blocks of key → value. */
  const listed = (what: string): Record<string, string>[] =>
    w.vboxManage('list', what).split(/\n\s*\n/).filter((b) => b.trim()).map((b) => Object.fromEntries(b.split('\n').filter((l) => l.includes(':')).map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
    })));

  beforeAll(async () => {
    w = await startWebsrv();
    hostId = (await createHost(await getDb(), { name: 'vbox-real', url: w.url, username: 'nimbox', password: 'any' })).id;
    await inv().start();
    await until('the real host up', () => inv().host(hostId)?.health === 'up', 20_000);
  }, 60_000);
  afterAll(async () => {
    await inv().stop();
    await w?.stop();
    dataDir.remove();
  });

  it('creates a NAT network with its DHCP server; VBoxManage shows it; drift is seen; delete removes it', async () => {
    const net = await store.createNetwork({
      name: 'real', kind: 'natnetwork', cidr: '10.0.60.0/24',
      dhcp: {
        enabled: true, lowerIP: '10.0.60.10', upperIP: '10.0.60.99',
        options: [{ option: 'DomainNameServers', value: '10.0.60.1' }, { option: 'BootfileName', value: 'pxelinux.0' }],
        fixedLeases: [{ mac: '08:00:27:12:34:56', ip: '10.0.60.20' }],
      },
      hosts: [{ hostId }],
    });
    const t = await waitForTask((await startApply(net.id, admin)).id, 60_000);
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');

    const nat = listed('natnets').find((n) => n.Name === 'nimbox-real');
    expect(nat).toMatchObject({ Network: '10.0.60.0/24', Gateway: '10.0.60.1', 'DHCP Server': 'Yes' });
    const dhcp = listed('dhcpservers').find((d) => d.NetworkName === 'nimbox-real');
    expect(dhcp).toMatchObject({ 'Dhcpd IP': '10.0.60.3', LowerIPAddress: '10.0.60.10', UpperIPAddress: '10.0.60.99', NetworkMask: '255.255.255.0', Enabled: 'Yes' });
    // Options by number as VirtualBox lists them (6 DomainNameServers, 67 BootfileName), and the fixed lease.
    expect(dhcp).toMatchObject({ '6/legacy': '10.0.60.1', '67/legacy': 'pxelinux.0', 'Individual Config': 'MAC 08:00:27:12:34:56', 'Fixed Address': '10.0.60.20' });

    forgetHostNetworks();
    expect((await networkStatus((await store.getNetwork(net.id))!)).map((s) => s.state)).toEqual(['ok']);

    // Behind Nimbox's back: drift, in words; apply sets it right.
    w.vboxManage('natnetwork', 'modify', '--netname', 'nimbox-real', '--network', '10.0.61.0/24');
    forgetHostNetworks();
    expect((await networkStatus((await store.getNetwork(net.id))!))[0]).toMatchObject({ state: 'drift', detail: expect.stringContaining('nimbox-real has 10.0.61.0/24, the network says 10.0.60.0/24') });
    const again = await waitForTask((await startApply(net.id, admin)).id, 60_000);
    expect(again.status, JSON.stringify(again.error)).toBe('succeeded');
    expect(listed('natnets').find((n) => n.Name === 'nimbox-real')?.Network).toBe('10.0.60.0/24');

    const d = await waitForTask((await startDelete(net.id, admin)).id, 60_000);
    expect(d.status, JSON.stringify(d.error)).toBe('succeeded');
    expect(listed('natnets').some((n) => n.Name === 'nimbox-real')).toBe(false);
    expect(listed('dhcpservers').some((x) => x.NetworkName === 'nimbox-real')).toBe(false);
    expect(await store.getNetwork(net.id)).toBeUndefined();
  }, 120_000);
});
