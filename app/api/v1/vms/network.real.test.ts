import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ctx, json, taskSucceeded } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { admin, withSessionUser } from '@/lib/auth/testing';
import type { HostView } from '@/lib/db/hosts';
import type { AdapterView } from '@/lib/networks/adapters';
import { startWebsrv, websrvMissing, type Websrv } from '@/lib/vbox/websrv-harness';

/*
 * A machine's network adapters through the API against VirtualBox 7.1.12's own vboxwebsrv: every
 * attachment kind VirtualBox can hold without its kernel driver, set on a powered-off machine and read
 * back both through the API and with VBoxManage, and NAT port forwarding. (A host-only interface needs
 * the vboxnetadp driver, which this VirtualBox has not: the host has none, and the API says so.
 * A running machine needs the kernel driver too: that part is held against vboxsim, network.test.ts.)
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-real-network-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const missing = websrvMissing();
if (missing) console.warn(`network adapters against the real vboxwebsrv skipped: ${missing}`);

const { getInventory } = await import('@/lib/cluster/inventory');
const { createThroughOps, registerWebsrvs } = await import('@/lib/cluster/testing');
const { GET: getNetwork } = await import('./[id]/network/route');
const { PATCH: patchAdapter } = await import('./[id]/network/adapters/[slot]/route');
const { POST: addRule } = await import('./[id]/network/adapters/[slot]/forwarding/route');
const { DELETE: removeRule } = await import('./[id]/network/adapters/[slot]/forwarding/[name]/route');


describe.skipIf(missing)('network adapters against the real vboxwebsrv', () => {
  let w: Websrv;
  let host: HostView;
  let id: string;
  const inv = () => getInventory();

  const done = (r: Response) => taskSucceeded(r, undefined, 60_000);
  const patch = (slot: number, body: unknown) =>
    patchAdapter(json('PATCH', `/api/v1/vms/${id}/network/adapters/${slot}`, body), ctx({ id, slot: String(slot) }));
  const adapters = async (): Promise<AdapterView[]> => {
    const r = await getNetwork(json('GET', `/api/v1/vms/${id}/network`), ctx({ id }));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ running: false, maxAdapters: 8, guest: { additions: null, ips: [] } });
    return body.adapters;
  };
  /** VBoxManage showvminfo --machinereadable, as key → value. */
  const vminfo = (): Record<string, string> =>
    Object.fromEntries(w.vboxManage('showvminfo', id, '--machinereadable').split('\n').filter(Boolean).map((l) => {
      const i = l.indexOf('=');
      return [l.slice(0, i).replace(/^"|"$/g, ''), l.slice(i + 1).replace(/^"|"$/g, '')];
    }));

  beforeAll(async () => {
    session.user = admin;
    w = await startWebsrv();
    w.vboxManage('natnetwork', 'add', '--netname', 'natlab', '--network', '10.0.77.0/24');
    [host] = await registerWebsrvs([w]);
    id = await createThroughOps({ name: 'nets-1', hostId: host.id, osTypeId: 'Debian12_64', memoryMB: 128 }, admin);
  }, 120_000);

  afterAll(async () => {
    await inv().stop();
    await w?.stop();
    dataDir.remove();
  });

  it('reads all eight adapters, NIC 1 bridged to the host default', async () => {
    const list = await adapters();
    expect(list).toHaveLength(8);
    expect(list[0]).toMatchObject({ slot: 0, enabled: true, attachmentType: 'Bridged', bridgedInterface: 'eth0', network: null, natRules: [] });
    expect(list[1]).toMatchObject({ slot: 1, enabled: false });
  });

  const kinds: [string, Record<string, unknown>, Partial<AdapterView>, Record<string, string>][] = [
    ['NAT', { attachmentType: 'NAT' }, { attachmentType: 'NAT' }, { nic2: 'nat' }],
    ['NATNetwork', { attachmentType: 'NATNetwork', natNetwork: 'natlab' }, { natNetwork: 'natlab' }, { nic2: 'natnetwork', 'nat-network2': 'natlab' }],
    ['Bridged', { attachmentType: 'Bridged', bridgedInterface: 'ifb0' }, { bridgedInterface: 'ifb0' }, { nic2: 'bridged', bridgeadapter2: 'ifb0' }],
    ['Internal', { attachmentType: 'Internal', internalNetwork: 'intra' }, { internalNetwork: 'intra' }, { nic2: 'intnet', intnet2: 'intra' }],
    ['Generic', { attachmentType: 'Generic', genericDriver: 'UDPTunnel', genericProperties: { dest: '10.0.0.9', dport: '10001' } },
      { genericDriver: 'UDPTunnel', genericProperties: { dest: '10.0.0.9', dport: '10001' } }, { nic2: 'Generic', generic2: 'UDPTunnel' }],
    ['Null', { attachmentType: 'Null' }, { attachmentType: 'Null' }, { nic2: 'null' }],
  ];
  for (const [kind, body, want, vbox] of kinds) {
    it(`sets ${kind} on adapter 2 and reads it back`, async () => {
      await done(await patch(1, { enabled: true, adapterType: 'Virtio', cableConnected: true, ...body }));
      expect((await adapters())[1]).toMatchObject({ enabled: true, adapterType: 'Virtio', attachmentType: kind, network: null, ...want });
      expect(vminfo()).toMatchObject({ nictype2: 'virtio', cableconnected2: 'on', ...vbox });
    });
  }

  it('refuses a host-only interface the host has not, naming the host', async () => {
    const r = await patch(1, { attachmentType: 'HostOnly', hostOnlyInterface: 'vboxnet0' });
    const p = await r.json();
    expect(r.status, JSON.stringify(p)).toBe(400);
    expect(p.errors).toEqual([{ field: 'hostOnlyInterface', message: expect.stringContaining('vbox-real has no host-only interface vboxnet0') }]);
    expect(vminfo().nic2).toBe('null');
  });

  it('sets type, promiscuous mode, line speed, boot priority and a generated MAC, as VirtualBox shows them', async () => {
    await done(await patch(2, {
      enabled: true, adapterType: 'I82543GC', attachmentType: 'Internal', internalNetwork: 'seg', promiscModePolicy: 'AllowAll',
      lineSpeed: 1_000_000, bootPriority: 2, macAddress: 'generate',
    }));
    const nic = (await adapters())[2];
    expect(nic).toMatchObject({ adapterType: 'I82543GC', promiscModePolicy: 'AllowAll', lineSpeed: 1_000_000, bootPriority: 2 });
    expect(nic.macAddress).toMatch(/^080027[0-9A-F]{6}$/);
    expect(vminfo()).toMatchObject({ nictype3: '82543GC', nic3: 'intnet', intnet3: 'seg', nicspeed3: '1000000', macaddress3: nic.macAddress });
    // Boot priority and promiscuous mode show only in the human-readable NIC line.
    const line = w.vboxManage('showvminfo', id).split('\n').find((l) => l.startsWith('NIC 3:'));
    expect(line).toMatch(/Boot priority: 2, Promisc Policy: allow-all/);
  });

  it('forwards a port on NAT and removes the rule again', async () => {
    await done(await patch(0, { attachmentType: 'NAT' }));
    const r = await addRule(json('POST', `/api/v1/vms/${id}/network/adapters/0/forwarding`, { name: 'ssh', protocol: 'TCP', hostPort: 2222, guestPort: 22 }), ctx({ id, slot: '0' }));
    await done(r);
    expect((await adapters())[0].natRules).toEqual([{ name: 'ssh', protocol: 'TCP', hostIP: '', hostPort: 2222, guestIP: '', guestPort: 22 }]);
    expect(vminfo()['Forwarding(0)']).toBe('ssh,tcp,,2222,,22');
    const dup = await addRule(json('POST', `/api/v1/vms/${id}/network/adapters/0/forwarding`, { name: 'ssh2', protocol: 'TCP', hostPort: 2222, guestPort: 23 }), ctx({ id, slot: '0' }));
    expect(dup.status).toBe(409);
    expect((await dup.json()).detail).toBe('A NAT rule for this host port and this host IP already exists');
    await done(await removeRule(json('DELETE', `/api/v1/vms/${id}/network/adapters/0/forwarding/ssh`), ctx({ id, slot: '0', name: 'ssh' })));
    expect(vminfo()['Forwarding(0)']).toBeUndefined();
  });
});
