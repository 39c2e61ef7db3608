import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { until, type TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import { HostNetworkInterface } from '@/sim/model/hostinfo';
import { control, copies, createOn, fastHa, fenceByScript, json, powerAction, protect, remembered } from './testing';

/*
 * HA follows cluster networks: a protected machine on the cluster network "lab" (a bridge named br-lab-a
 * on alpha, br-lab-b on bravo) loses alpha while lab is defined on alpha only. It does not restart on
 * bravo, and the HA page says which network bravo lacks; once lab is defined on bravo it restarts
 * there, its adapter bound to bravo's bridge.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-ha-networks-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: overview } = await import('@/app/api/v1/ha/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { startTestCluster } = await import('@/lib/cluster/testing');
const { startHa, stopHa } = await import('@/lib/ha');
const { createNetwork, updateNetwork } = await import('@/lib/networks/store');
const { forgetHostNetworks } = await import('@/lib/networks/hosts');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const BRIDGE = ['br-lab-a', 'br-lab-b'];
let cluster: TestCluster;
let alpha: HostView;
let bravo: HostView;

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0, control: true, vrdeBase: 48000 + Math.floor(Math.random() * 100) * 100, timing: { start: 50, stop: 20, save: 20, acpiShutdown: 50 },
    host: ({ sim: s, info }) => ({ storagePath: s.storageDir, vrdePorts: info.vrdePorts, bridgeAdapter: 'vbox0' }),
    prepare: (sim) => {
      for (const [i, h] of sim.hosts.entries()) {
        h.sim.host.interfaces.push(new HostNetworkInterface({ name: BRIDGE[i], ip: '', mask: '', mac: `3c:ec:ef:00:04:0${i}`, type: 'Bridged' }, h.sim.host.interfaces.length));
      }
    },
    machines: 0, hostsUp: true,
  });
  [alpha, bravo] = cluster.hosts;
  await fenceByScript(alpha, dataDir.dir);
  session.user = admin;
  await startHa(fastHa(500));
}, 60_000);

afterAll(async () => {
  await stopHa();
  await cluster?.stop();
  dataDir.remove();
});

describe('HA and cluster networks', () => {
  it('restarts a machine only on a host that has its network, says which is missing meanwhile, and binds it there', async () => {
    const lab = await createNetwork({ name: 'lab', kind: 'bridged', hosts: [{ hostId: alpha.id, name: BRIDGE[0] }] });
    const id = await createOn(alpha, 'ha-lab', { nic: { network: 'lab' } });
    // No twin on bravo: a restart there opens its settings file from the shared storage.
    expect((await powerAction(id, 'start')).taskStatus).toBe('succeeded');
    await protect(id, { priority: 50 });
    await remembered(id, alpha);
    await until('its networks known to the inventory', () => getInventory().machine(id)?.networks?.includes('lab'));

    await control(cluster.sim.hosts[0].control!, 'power/off');
    const status = async () => (await (await overview(json('GET', '/api/v1/ha'))).json()).machines.find((m: { id: string }) => m.id === id)?.status as string | undefined;
    await until('ha-lab waits for its network', async () => /cluster networks/.test((await status()) ?? ''), 20_000);
    expect(await status()).toBe('waits: no host it may use has its cluster networks (lab is not defined on vbox-bravo)');
    expect((await copies(id)).some((c) => c.host === 'vbox-bravo' && c.state === 'Running')).toBe(false);

    await updateNetwork(lab.id, { hosts: [{ hostId: alpha.id, name: BRIDGE[0] }, { hostId: bravo.id, name: BRIDGE[1] }] });
    forgetHostNetworks();
    await until('ha-lab runs on bravo', async () => (await copies(id)).some((c) => c.host === 'vbox-bravo' && c.state === 'Running'), 20_000);
    const there = cluster.sim.hosts[1].sim.findCore(id)!;
    expect(there.settings.nics[0]).toMatchObject({ attachmentType: 'Bridged', bridgedInterface: 'br-lab-b' });
    expect(there.settings.extraData['nimbox/network/0']).toBe('lab');
  }, 90_000);
});
