import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestCluster } from '@/lib/cluster/testing';

/*
 * How a cluster network stands on real vboxsim hosts (over SOAP): ok, missing, drift (in words),
 * unmapped and unknown; and what placement is told a host lacks. The hosts' networks are made
 * behind Nimbox's back, through the same SOAP calls an admin's VBoxManage would make.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-networks-hosts-'));
const { startTestCluster } = await import('@/lib/cluster/testing');
const { getInventory } = await import('@/lib/cluster/inventory');
const store = await import('./store');
const { forgetHostNetworks, hostLacks, networkStatusOn, readHostNetworks } = await import('./hosts');

let cluster: TestCluster;
let alpha: string, bravo: string;
const client = (hostId: string) => getInventory().monitor(hostId)!.client;

beforeAll(async () => {
  cluster = await startTestCluster({ hosts: 2, port: 0, vms: 0, machines: 0, hostsUp: true });
  [alpha, bravo] = cluster.hosts.map((h) => h.id);
}, 30_000);
afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

async function statusOf(name: string, hostId: string) {
  forgetHostNetworks(hostId);
  const net = (await store.getNetwork(name))!;
  return networkStatusOn(net, hostId, await readHostNetworks(hostId));
}

describe('a cluster network on each host', () => {
  it('reads the facts a host has', async () => {
    const facts = await readHostNetworks(alpha);
    expect(facts.hostName).toBe(cluster.hosts[0].name);
    expect(facts.bridged).toEqual(expect.arrayContaining(['br0', 'vbox0']));
    expect(facts.natNetworks).toEqual([]);
  });

  it('bridged: ok where the interface exists, missing where not, unmapped where not defined', async () => {
    await store.createNetwork({ name: 'prod', kind: 'bridged', hosts: [{ hostId: alpha, name: 'vbox0' }] });
    expect(await statusOf('prod', alpha)).toMatchObject({ state: 'ok', name: 'vbox0', detail: '' });
    expect(await statusOf('prod', bravo)).toMatchObject({ state: 'unmapped', detail: `prod is not defined on ${cluster.hosts[1].name}` });
    await store.updateNetwork((await store.getNetwork('prod'))!.id, { hosts: [{ hostId: alpha, name: 'vbox0' }, { hostId: bravo, name: 'br9' }] });
    expect(await statusOf('prod', bravo)).toMatchObject({ state: 'missing', detail: `br9 does not exist on ${cluster.hosts[1].name}` });
    // A host that cannot be read: unknown, never ok.
    const net = (await store.getNetwork('prod'))!;
    expect(networkStatusOn(net, alpha, null, 'alpha')).toMatchObject({ state: 'unknown', detail: 'alpha is not connected' });
  });

  it('natnetwork: missing, ok once it exists with the CIDR, drift in words when its CIDR changed behind Nimbox', async () => {
    await store.createNetwork({ name: 'lab', kind: 'natnetwork', cidr: '10.0.50.0/24', hosts: [{ hostId: alpha }, { hostId: bravo }] });
    const [aName, bName] = cluster.hosts.map((h) => h.name);
    expect(await statusOf('lab', alpha)).toMatchObject({ state: 'missing', name: 'nimbox-lab', detail: `NAT network nimbox-lab does not exist on ${aName}` });

    await client(alpha).write(async (vbox) => {
      const n = await vbox.createNATNetwork('nimbox-lab');
      await n.setNetwork('10.0.50.0/24');
      await n.setEnabled(true);
    }, { release: true });
    expect(await statusOf('lab', alpha)).toMatchObject({ state: 'ok', detail: '' });

    await client(alpha).write(async (vbox) => (await vbox.findNATNetworkByName('nimbox-lab')).setNetwork('10.0.51.0/24'), { release: true });
    expect(await statusOf('lab', alpha)).toMatchObject({ state: 'drift', detail: 'nimbox-lab has 10.0.51.0/24, the network says 10.0.50.0/24' });

    // Placement hears why, per network.
    forgetHostNetworks();
    expect(await hostLacks(bravo, ['lab', 'prod', 'nope'])).toEqual([
      { network: 'lab', reason: `lab is missing on ${bName} (NAT network nimbox-lab does not exist on ${bName})` },
      { network: 'prod', reason: `prod is missing on ${bName} (br9 does not exist on ${bName})` },
      { network: 'nope', reason: 'nope: no such cluster network' },
    ]);
    // Drift is not lacking: the network is there, only not as it should be.
    expect(await hostLacks(alpha, ['lab', 'prod'])).toEqual([]);
  });

  it('hostonly: missing until made; its address against the CIDR', async () => {
    await store.createNetwork({ name: 'ho', kind: 'hostonly', cidr: '192.168.56.0/24', hosts: [{ hostId: alpha }] });
    expect(await statusOf('ho', alpha)).toMatchObject({ state: 'missing', name: '', detail: `no host-only interface was made on ${cluster.hosts[0].name} yet` });
    const name = await client(alpha).write(async (vbox) => {
      const { hostInterface, progress } = await (await vbox.getHost()).createHostOnlyNetworkInterface();
      await progress.wait({ intervalMs: 50 });
      await hostInterface!.enableStaticIPConfig('192.168.57.1', '255.255.255.0');
      return hostInterface!.getName();
    }, { release: true });
    await store.setHostName((await store.getNetwork('ho'))!.id, alpha, name);
    expect(await statusOf('ho', alpha)).toMatchObject({ state: 'drift', name, detail: `${name} has 192.168.57.1/24, the network says 192.168.56.1/24` });
    await client(alpha).write(async (vbox) => (await (await vbox.getHost()).findHostNetworkInterfaceByName(name)).enableStaticIPConfig('192.168.56.1', '255.255.255.0'), { release: true });
    expect(await statusOf('ho', alpha)).toMatchObject({ state: 'ok' });
  });

  it('internal: nothing to create; a managed DHCP server that is missing or differs is drift', async () => {
    await store.createNetwork({ name: 'iso', kind: 'internal', hosts: [{ hostId: alpha }] });
    expect(await statusOf('iso', alpha)).toMatchObject({ state: 'ok', name: 'iso' });
    expect(await hostLacks(bravo, ['iso'])).toEqual([{ network: 'iso', reason: `iso is not defined on ${cluster.hosts[1].name}` }]);

    const iso = (await store.getNetwork('iso'))!;
    await store.updateNetwork(iso.id, { cidr: '10.9.0.0/24', dhcp: { enabled: true, lowerIP: '10.9.0.10', upperIP: '10.9.0.50', options: [], fixedLeases: [] } });
    expect(await statusOf('iso', alpha)).toMatchObject({ state: 'drift', detail: 'no DHCP server for iso' });
    await client(alpha).write(async (vbox) => {
      const s = await vbox.createDHCPServer('iso');
      await s.setConfiguration('10.9.0.2', '255.255.255.0', '10.9.0.10', '10.9.0.60');
      await s.setEnabled(true);
    }, { release: true });
    expect(await statusOf('iso', alpha)).toMatchObject({ state: 'drift', detail: 'its DHCP server hands out 10.9.0.10–10.9.0.60, the network says 10.9.0.10–10.9.0.50' });
  });
});
