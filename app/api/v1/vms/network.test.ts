import { beforeAll, describe, expect, it, vi } from 'vitest';
import { answer, ctx, errorFields, json, problem, taskEnded, taskSucceeded } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { admin, blueOp, blueViewer, createBlueAndRed, redOp, withSessionUser } from '@/lib/auth/testing';
import { ALPHA, BRAVO, cleanUpAfterAll, copyOn, sharedStorageHosts, startTwoHosts, until, type TestCluster } from '@/lib/cluster/testing';
import type { MachineSummary } from '@/lib/cluster/types';
import type { HostView } from '@/lib/db/hosts';
import type { AdapterView, MachineNetworkView } from '@/lib/networks/adapters';
import type { Sim } from '@/sim/index';
import { holdWriteLock, list, logon, ok } from '@/sim/soap/testing';

/*
 * A machine's network adapters through the API, against two real vboxsim hosts with the machine
 * registered on both (twins): every attachment kind, all eight adapters, NAT port forwarding while
 * powered off and while running, cluster networks by name, the tenant rules, and the guest's
 * addresses once its Guest Additions report in. Only `currentUser` is replaced; route(), the policy,
 * the inventory, the tasks and the network checks are real. What each copy holds is read from the
 * sim (what `VBoxManage showvminfo` on each host would show) or through VirtualBox's own API.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-vm-network-'));
cleanUpAfterAll(dataDir);
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: getNetwork } = await import('./[id]/network/route');
const { PATCH: patchAdapter } = await import('./[id]/network/adapters/[slot]/route');
const { POST: addRule } = await import('./[id]/network/adapters/[slot]/forwarding/route');
const { PUT: replaceRule, DELETE: removeRule } = await import('./[id]/network/adapters/[slot]/forwarding/[name]/route');
const { GET: listVms } = await import('./route');
const { createNetwork } = await import('@/lib/networks/store');
const { createOn, createTwin, powerAction } = await import('@/lib/ha/testing');

const vrdeBase = 27000 + Math.floor(Math.random() * 150) * 100;
let cluster: TestCluster;
let sim: Sim;
const hosts: HostView[] = [];
let web: string;
let quiet: string;

const as = (u: User) => { session.user = u; };
const base = (id: string) => `/api/v1/vms/${id}/network`;

const api = {
  get: (id: string) => getNetwork(json('GET', base(id)), ctx({ id })),
  patch: (id: string, slot: number | string, body: unknown) =>
    patchAdapter(json('PATCH', `${base(id)}/adapters/${slot}`, body), ctx({ id, slot: String(slot) })),
  add: (id: string, slot: number, body: unknown) =>
    addRule(json('POST', `${base(id)}/adapters/${slot}/forwarding`, body), ctx({ id, slot: String(slot) })),
  replace: (id: string, slot: number, name: string, body: unknown) =>
    replaceRule(json('PUT', `${base(id)}/adapters/${slot}/forwarding/${name}`, body), ctx({ id, slot: String(slot), name })),
  remove: (id: string, slot: number, name: string) =>
    removeRule(json('DELETE', `${base(id)}/adapters/${slot}/forwarding/${name}`), ctx({ id, slot: String(slot), name })),
};

const finished = (r: Response) => taskEnded(r, 'vm.network');
const succeeded = (r: Response) => taskSucceeded(r, 'vm.network');

const view = async (id: string) => answer<MachineNetworkView>(await api.get(id));
const adapter = async (id: string, slot: number): Promise<AdapterView> => (await view(id)).adapters[slot];

/**
 * Both copies hold the same adapter settings at `slot` (and the same extradata for it); those. NIC 1's
 * MAC address aside: vm.create gives each twin its own (the teleport mends it).
 */
function twinsAlike(id: string, slot: number) {
  const nic = (i: number) => {
    const n = copyOn(i, id).settings.nics[slot];
    return { ...n, natRules: n.natRules ?? [], MACAddress: slot === 0 ? '' : n.MACAddress };
  };
  const a = nic(ALPHA);
  expect(nic(BRAVO)).toEqual(a);
  expect(copyOn(BRAVO, id).settings.extraData[`nimbox/network/${slot}`]).toEqual(copyOn(ALPHA, id).settings.extraData[`nimbox/network/${slot}`]);
  return { ...a, MACAddress: copyOn(ALPHA, id).settings.nics[slot].MACAddress };
}

/** The machine row as GET /api/v1/vms lists it to the caller. */
async function row(id: string): Promise<MachineSummary | undefined> {
  const body = await answer<{ items: MachineSummary[] }>(await listVms(json('GET', '/api/v1/vms?pageSize=1000')));
  return body.items.find((m) => m.id === id);
}

/** The NAT rules of a machine's adapter as VirtualBox's INATEngine.getRedirects gives them on host i. */
async function redirectsOn(i: number, id: string, slot: number): Promise<string[]> {
  const url = sim.hosts[i].url;
  const vbox = await logon(url);
  try {
    const m = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: id });
    const nic = await ok(url, 'IMachine_getNetworkAdapter', { _this: m, slot });
    const nat = await ok(url, 'INetworkAdapter_getNATEngine', { _this: nic });
    return await list(url, 'INATEngine_getRedirects', { _this: nat });
  } finally {
    await ok(url, 'IWebsessionManager_logoff', { refIVirtualBox: vbox }).catch(() => undefined);
  }
}

/** Creates what the admin's raw attachments name on host i: host-only interface vboxnet0 and NAT network "natlab". */
async function hostNetworks(i: number): Promise<void> {
  const url = sim.hosts[i].url;
  const vbox = await logon(url);
  const host = await ok(url, 'IVirtualBox_getHost', { _this: vbox });
  const made = await soapResult(url, 'IHost_createHostOnlyNetworkInterface', { _this: host });
  await ok(url, 'IProgress_waitForCompletion', { _this: made.returnval as string, timeout: 10_000 });
  const nat = await ok(url, 'IVirtualBox_createNATNetwork', { _this: vbox, networkName: 'natlab' });
  await ok(url, 'INATNetwork_setNetwork', { _this: nat, network: '10.0.77.0/24' });
}

async function soapResult(url: string, op: string, args: Record<string, string>): Promise<Record<string, unknown>> {
  const { soap } = await import('@/sim/soap/testing');
  const a = await soap(url, op, args);
  if (a.fault) throw new Error(`${op}: ${a.fault.faultstring}`);
  return a.result ?? {};
}

beforeAll(async () => {
  cluster = await startTwoHosts({ vrdeBase, host: sharedStorageHosts({ bridgeAdapter: 'vbox0' }), prepare: (s) => { sim = s; } });
  hosts.push(...cluster.hosts);
  for (const i of [ALPHA, BRAVO]) await hostNetworks(i);
  as(admin);
  const lab = await createNetwork({ name: 'lab', kind: 'internal', hosts: hosts.map((h) => ({ hostId: h.id })) });
  await createNetwork({ name: 'dmz', kind: 'internal', hosts: hosts.map((h) => ({ hostId: h.id })) });
  // "far" is defined on alpha only: a machine with a twin on bravo cannot be attached to it.
  const far = await createNetwork({ name: 'far', kind: 'internal', hosts: [{ hostId: hosts[ALPHA].id }] });
  await createBlueAndRed({ allowedNetworkIds: [lab.id, far.id] });
  as(blueOp);
  web = await createTwin(hosts[ALPHA], 'web', { memoryMB: 128 });
  quiet = await createOn(hosts[ALPHA], 'quiet', { memoryMB: 128 });
}, 60_000);

describe('hostile callers', () => {
  it("answers another tenant's machine as if it did not exist", async () => {
    as(redOp);
    const before = twinsAlike(web, 0);
    await problem(await api.get(web), 404);
    await problem(await api.patch(web, 0, { attachmentType: 'NAT' }), 404);
    await problem(await api.add(web, 0, { protocol: 'TCP', hostPort: 2222, guestPort: 22 }), 404);
    await problem(await api.replace(web, 0, 'ssh', { protocol: 'TCP', hostPort: 2222, guestPort: 22 }), 404);
    await problem(await api.remove(web, 0, 'ssh'), 404);
    expect(twinsAlike(web, 0)).toEqual(before);
  });

  it('lets a viewer look but not change', async () => {
    as(blueViewer);
    const v = await view(web);
    expect(v.maxAdapters).toBe(8);
    expect(v.adapters).toHaveLength(8);
    await problem(await api.patch(web, 0, { cableConnected: false }), 403);
    await problem(await api.add(web, 0, { protocol: 'TCP', hostPort: 2222, guestPort: 22 }), 403);
  });

  it('refuses a tenant a network it may not use, raw attachments, and another bridge', async () => {
    as(blueOp);
    const before = twinsAlike(web, 0);
    let p = await problem(await api.patch(web, 0, { network: 'dmz' }), 400);
    expect(errorFields(p)).toEqual(['network']);
    // An unknown network says the same as one not allowed: a name does not tell what exists.
    const unknown = await problem(await api.patch(web, 0, { network: 'nosuch' }), 400);
    expect(unknown.errors).toEqual([{ field: 'network', message: 'No cluster network nosuch you may use' }]);
    expect(p.errors![0].message).toBe('No cluster network dmz you may use');
    p = await problem(await api.patch(web, 0, { attachmentType: 'Bridged', bridgedInterface: 'br0' }), 400);
    expect(errorFields(p)).toEqual(['bridgedInterface']);
    expect(p.errors![0].message).toContain('vbox0');
    for (const [field, value] of [['internalNetwork', 'dmz'], ['hostOnlyInterface', 'vboxnet0'], ['natNetwork', 'natlab'], ['genericDriver', 'UDPTunnel']]) {
      p = await problem(await api.patch(web, 0, { [field]: value }), 400);
      expect(errorFields(p)).toContain(field);
    }
    p = await problem(await api.patch(web, 0, { attachmentType: 'Internal' }), 400);
    expect(errorFields(p)).toEqual(['attachmentType']);
    p = await problem(await api.patch(web, 0, { promiscModePolicy: 'AllowAll' }), 400);
    expect(errorFields(p)).toEqual(['promiscModePolicy']);
    // The old NIC-1 edit of PATCH /api/v1/vms/:id keeps the same rule.
    const { PATCH: editVm } = await import('./[id]/route');
    p = await problem(await editVm(json('PATCH', `/api/v1/vms/${web}`, { nic: { bridgedInterface: 'br0' } }), ctx({ id: web })), 400);
    expect(errorFields(p)).toEqual(['nic.bridgedInterface']);
    expect(twinsAlike(web, 0)).toEqual(before);
  });

  it('refuses a network one of the hosts lacks, naming the host', async () => {
    as(blueOp);
    const p = await problem(await api.patch(web, 1, { network: 'far' }), 400);
    expect(p.errors).toEqual([{ field: 'network', message: expect.stringContaining(`far is not defined on ${hosts[BRAVO].name}`) }]);
  });
});

describe('a tenant on its cluster network', () => {
  it('attaches to it on every copy, and the machine list names it', async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 1, { enabled: true, network: 'lab' }));
    const nic = twinsAlike(web, 1);
    expect(nic).toMatchObject({ enabled: true, attachmentType: 'Internal', internalNetwork: 'lab' });
    expect(copyOn(ALPHA, web).settings.extraData['nimbox/network/1']).toBe('lab');
    expect(await adapter(web, 1)).toMatchObject({ network: 'lab', attachmentType: 'Internal', internalNetwork: 'lab', enabled: true });
    await until('the row names lab', async () => (await row(web))?.networks?.includes('lab'));
  });

  it('names it again in the rows of a freshly started monitor (Nimbox restarted), shortly after its scan', async () => {
    const { HostMonitor } = await import('@/lib/cluster/host-monitor');
    const seen = new Map<string, MachineSummary>();
    const monitor = new HostMonitor(
      { id: hosts[ALPHA].id, name: hosts[ALPHA].name, url: sim.hosts[ALPHA].url, username: 'vbox', password: 'vbox', maxConnections: 4 },
      (e) => { if (e.type === 'machine') seen.set(e.machine.id, e.machine); },
      { pollMs: 500, reconcileMs: 200, backoffMs: 100, maxBackoffMs: 1000, timeoutMs: 5000 },
    );
    monitor.start();
    try {
      await until('the scan', () => monitor.machine(web));
      await until('the networks pass', () => monitor.machine(web)?.networks && monitor.machine(quiet)?.networks);
      expect(monitor.machine(web)?.networks).toEqual(['lab']);
      expect(monitor.machine(quiet)?.networks).toEqual([]);
      expect(seen.get(web)?.networks).toEqual(['lab']);
    } finally {
      await monitor.stop();
    }
  });

  it('leaves the network for a raw attachment, and may use the default bridge', async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 1, { attachmentType: 'Bridged' }));
    expect(twinsAlike(web, 1)).toMatchObject({ attachmentType: 'Bridged', bridgedInterface: 'vbox0' });
    expect(copyOn(ALPHA, web).settings.extraData['nimbox/network/1'] ?? '').toBe('');
    expect((await adapter(web, 1)).network).toBeNull();
    await until('the row names no network', async () => (await row(web))?.networks?.length === 0);
    await succeeded(await api.patch(web, 1, { attachmentType: 'NAT', enabled: false }));
  });
});

describe('every attachment kind (admin)', () => {
  const kinds: [string, Record<string, unknown>, Partial<AdapterView>][] = [
    ['NAT', { attachmentType: 'NAT' }, { attachmentType: 'NAT' }],
    ['NATNetwork', { attachmentType: 'NATNetwork', natNetwork: 'natlab' }, { attachmentType: 'NATNetwork', natNetwork: 'natlab' }],
    ['Bridged', { attachmentType: 'Bridged', bridgedInterface: 'br0' }, { attachmentType: 'Bridged', bridgedInterface: 'br0' }],
    ['Internal', { attachmentType: 'Internal', internalNetwork: 'intra' }, { attachmentType: 'Internal', internalNetwork: 'intra' }],
    ['HostOnly', { attachmentType: 'HostOnly', hostOnlyInterface: 'vboxnet0' }, { attachmentType: 'HostOnly', hostOnlyInterface: 'vboxnet0' }],
    ['Generic', { attachmentType: 'Generic', genericDriver: 'UDPTunnel', genericProperties: { dest: '10.0.0.9', dport: '10001', sport: '10002' } },
      { attachmentType: 'Generic', genericDriver: 'UDPTunnel', genericProperties: { dest: '10.0.0.9', dport: '10001', sport: '10002' } }],
    ['Null', { attachmentType: 'Null' }, { attachmentType: 'Null' }],
  ];
  for (const [kind, patch, want] of kinds) {
    it(`sets ${kind} on both copies and reads it back`, async () => {
      as(admin);
      await succeeded(await api.patch(web, 2, { enabled: true, ...patch }));
      expect(await adapter(web, 2)).toMatchObject({ enabled: true, network: null, ...want });
      expect(twinsAlike(web, 2)).toMatchObject({ enabled: true, attachmentType: kind });
    });
  }

  it('replaces the generic properties, and refuses names the hosts do not have, naming the host', async () => {
    as(admin);
    await succeeded(await api.patch(web, 2, { genericProperties: { dest: '10.0.0.10' } }));
    expect((await adapter(web, 2)).genericProperties).toEqual({ dest: '10.0.0.10' });
    let p = await problem(await api.patch(web, 2, { attachmentType: 'Bridged', bridgedInterface: 'eth9' }), 400);
    expect(p.errors).toEqual(expect.arrayContaining([{ field: 'bridgedInterface', message: expect.stringContaining(`${hosts[ALPHA].name} has no bridged interface eth9`) }]));
    p = await problem(await api.patch(web, 2, { hostOnlyInterface: 'vboxnet7' }), 400);
    expect(errorFields(p)).toContain('hostOnlyInterface');
    p = await problem(await api.patch(web, 2, { attachmentType: 'Cloud' }), 400);
    expect(errorFields(p)).toEqual(['attachmentType']);
  });
});

describe('all eight adapters', () => {
  const types = ['I82545EM', 'Virtio', 'I82540EM', 'I82543GC', 'Am79C973', 'Am79C970A', 'Virtio'];
  it('enables adapters 2 to 8 with their type, promiscuous mode, line speed, boot priority and a generated MAC', async () => {
    as(admin);
    for (let slot = 1; slot < 8; slot++) {
      const patch = {
        enabled: true, adapterType: types[slot - 1], attachmentType: 'Internal', internalNetwork: `seg${slot}`,
        promiscModePolicy: slot % 2 ? 'AllowNetwork' : 'AllowAll', lineSpeed: 100_000 * slot, bootPriority: (slot % 4) + 1, macAddress: 'generate',
      };
      await succeeded(await api.patch(web, slot, patch));
    }
    const v = await view(web);
    const macs = new Set<string>();
    for (let slot = 1; slot < 8; slot++) {
      const { macAddress, ...rest } = v.adapters[slot];
      expect(rest).toMatchObject({
        enabled: true, adapterType: types[slot - 1], internalNetwork: `seg${slot}`,
        promiscModePolicy: slot % 2 ? 'AllowNetwork' : 'AllowAll', lineSpeed: 100_000 * slot, bootPriority: (slot % 4) + 1,
      });
      expect(macAddress).toMatch(/^080027[0-9A-F]{6}$/);
      macs.add(macAddress);
      // Twins keep one MAC address: the teleport target has the same NIC.
      expect(twinsAlike(web, slot).MACAddress).toBe(macAddress);
    }
    expect(macs.size).toBe(7);
  });

  it('edits a MAC address, and refuses a multicast one and a slot the chipset lacks', async () => {
    as(admin);
    await succeeded(await api.patch(web, 3, { macAddress: '08:00:27:aa:bb:cc' }));
    expect((await adapter(web, 3)).macAddress).toBe('080027AABBCC');
    expect(twinsAlike(web, 3).MACAddress).toBe('080027AABBCC');
    const p = await problem(await api.patch(web, 3, { macAddress: '090027AABBCC' }), 400);
    expect(errorFields(p)).toEqual(['macAddress']);
    await problem(await api.patch(web, 8, { enabled: true }), 404);
    await problem(await api.patch(web, 'x', { enabled: true }), 404);
  });
});

describe('port forwarding on a powered-off machine', () => {
  it('adds, replaces and removes a rule on every copy', async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 0, { attachmentType: 'NAT' }));
    await succeeded(await api.add(web, 0, { name: 'ssh', protocol: 'TCP', hostPort: 2222, guestPort: 22 }));
    expect((await adapter(web, 0)).natRules).toEqual([{ name: 'ssh', protocol: 'TCP', hostIP: '', hostPort: 2222, guestIP: '', guestPort: 22 }]);
    for (const i of [ALPHA, BRAVO]) expect(await redirectsOn(i, web, 0)).toEqual(['ssh,1,,2222,,22']);
    // VirtualBox's refusals, with its texts.
    let p = await problem(await api.add(web, 0, { name: 'ssh', protocol: 'TCP', hostPort: 2223, guestPort: 22 }), 409);
    expect(p.detail).toBe('A NAT rule of this name already exists');
    p = await problem(await api.add(web, 0, { name: 'other', protocol: 'TCP', hostPort: 2222, guestPort: 80 }), 409);
    expect(p.detail).toBe('A NAT rule for this host port and this host IP already exists');
    p = await problem(await api.add(web, 0, { name: 'a,b', protocol: 'TCP', hostPort: 2224, guestPort: 80 }), 400);
    expect(errorFields(p)).toEqual(['name']);
    // A host address of its own is for admins (a tenant's rule listens on every address).
    as(admin);
    await succeeded(await api.replace(web, 0, 'ssh', { name: 'ssh', protocol: 'TCP', hostIP: '127.0.0.1', hostPort: 2200, guestPort: 22 }));
    as(blueOp);
    for (const i of [ALPHA, BRAVO]) expect(await redirectsOn(i, web, 0)).toEqual(['ssh,1,127.0.0.1,2200,,22']);
    await succeeded(await api.add(web, 0, { protocol: 'UDP', hostPort: 5353, guestPort: 53 }));
    expect((await adapter(web, 0)).natRules.map((r) => r.name)).toEqual(['ssh', 'udp_5353_53']);
    await succeeded(await api.remove(web, 0, 'udp_5353_53'));
    await problem(await api.remove(web, 0, 'udp_5353_53'), 404);
    expect(await redirectsOn(BRAVO, web, 0)).toEqual(['ssh,1,127.0.0.1,2200,,22']);
  });

  it('refuses port forwarding on an adapter that is not on NAT', async () => {
    as(admin);
    const p = await problem(await api.add(web, 2, { protocol: 'TCP', hostPort: 8080, guestPort: 80 }), 409);
    expect(p.detail).toContain('not NAT');
  });
});

describe('a change that one twin refuses', () => {
  it('sets the copy already changed back and names the host that refused', async () => {
    as(blueOp);
    // Someone holds bravo's copy open for writing (as VirtualBox's GUI would while editing it).
    const release = await holdWriteLock(sim.hosts[BRAVO].url, web);
    try {
      const t = await finished(await api.patch(web, 0, { cableConnected: false }));
      expect(t.status).toBe('failed');
      expect(t.error).toMatchObject({ detail: expect.stringMatching(new RegExp(`^${hosts[BRAVO].name}: `)) });
      expect(copyOn(ALPHA, web).settings.nics[0].cableConnected).toBe(true);
    } finally {
      await release();
    }
    twinsAlike(web, 0);
  });
});

describe('a running machine', () => {
  it('starts on NAT and shows the guest addresses its Additions publish, in the list and on its page', async () => {
    as(admin);
    await succeeded(await api.patch(web, 1, { attachmentType: 'NAT' }));
    as(blueOp);
    expect((await powerAction(web, 'start')).taskStatus).toBe('succeeded');
    const ips = await until('the guest addresses in the list', async () => {
      const r = await row(web);
      // The guest publishes one interface after the other.
      return r?.guest && r.guest.ips.length >= 2 ? r.guest : null;
    }, 15_000);
    // VirtualBox's NAT gives the guest 10.0.(slot+2).15 on each NAT adapter; the internal segments have no DHCP server.
    expect(ips).toEqual({ additions: true, ips: ['10.0.2.15', '10.0.3.15'] });
    const v = await view(web);
    expect(v.running).toBe(true);
    expect(v.guest.additions).toBe(true);
    expect(v.guest.additionsVersion).toBe('7.1.12');
    expect(v.guest.ips).toEqual([
      { slot: 0, mac: v.adapters[0].macAddress, ipv4: ['10.0.2.15'], ipv6: [] },
      { slot: 1, mac: v.adapters[1].macAddress, ipv4: ['10.0.3.15'], ipv6: [] },
    ]);
  });

  it('changes an attachment while it runs, on the running VM and the twin', async () => {
    as(admin);
    await succeeded(await api.patch(web, 2, { attachmentType: 'Internal', internalNetwork: 'live' }));
    expect(twinsAlike(web, 2)).toMatchObject({ attachmentType: 'Internal', internalNetwork: 'live' });
    expect(copyOn(ALPHA, web).state).toBe('Running');
    as(blueOp);
    await succeeded(await api.patch(web, 1, { network: 'lab' }));
    expect(twinsAlike(web, 1)).toMatchObject({ attachmentType: 'Internal', internalNetwork: 'lab' });
    await until('the row names lab', async () => (await row(web))?.networks?.includes('lab'));
  });

  it('forwards a port while it runs: the running VM has the rule, and so does the twin', async () => {
    as(blueOp);
    await succeeded(await api.add(web, 0, { name: 'web', protocol: 'TCP', hostPort: 8080, guestPort: 80 }));
    expect(await redirectsOn(ALPHA, web, 0)).toEqual(['ssh,1,127.0.0.1,2200,,22', 'web,1,,8080,,80']);
    expect(await redirectsOn(BRAVO, web, 0)).toEqual(['ssh,1,127.0.0.1,2200,,22', 'web,1,,8080,,80']);
    await succeeded(await api.replace(web, 0, 'web', { name: 'web', protocol: 'TCP', hostPort: 8081, guestPort: 80 }));
    await succeeded(await api.remove(web, 0, 'web'));
    expect(await redirectsOn(ALPHA, web, 0)).toEqual(['ssh,1,127.0.0.1,2200,,22']);
  });

  it('pulls the cable while it runs, and plugs it in again', async () => {
    as(blueOp);
    await succeeded(await api.patch(web, 0, { cableConnected: false }));
    expect(copyOn(ALPHA, web).settings.nics[0].cableConnected).toBe(false);
    expect(twinsAlike(web, 0).cableConnected).toBe(false);
    expect((await adapter(web, 0)).cableConnected).toBe(false);
    await succeeded(await api.patch(web, 0, { cableConnected: true }));
  });

  it('refuses what only a powered-off machine may change, naming the field', async () => {
    as(blueOp);
    const cur = await adapter(web, 0);
    const other = cur.adapterType === 'Virtio' ? 'I82540EM' : 'Virtio';
    let p = await problem(await api.patch(web, 0, { adapterType: other }), 409);
    expect(errorFields(p)).toEqual(['adapterType']);
    expect(p.detail).toContain('power it off first');
    p = await problem(await api.patch(web, 0, { macAddress: 'generate' }), 409);
    expect(errorFields(p)).toEqual(['macAddress']);
    // The same value is no change: a form sent whole is fine.
    await succeeded(await api.patch(web, 0, { adapterType: cur.adapterType, cableConnected: true }));
  });

  it('says there are no Guest Additions on a machine without them', async () => {
    as(admin);
    copyOn(ALPHA, quiet).settings.extraData['vboxsim/guest-additions'] = 'none';
    as(blueOp);
    expect((await powerAction(quiet, 'start')).taskStatus).toBe('succeeded');
    await until('quiet running in the list', async () => (await row(quiet))?.state === 'Running');
    expect((await row(quiet))?.guest).toEqual({ additions: false, ips: [] });
    const v = await view(quiet);
    expect(v.guest).toEqual({ additions: false, additionsVersion: null, ips: [] });
    expect((await powerAction(quiet, 'poweroff')).taskStatus).toBe('succeeded');
    await until('quiet off in the list', async () => (await row(quiet))?.guest === null);
  });
});
