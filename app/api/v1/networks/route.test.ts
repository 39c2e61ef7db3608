import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import type { TestCluster } from '@/lib/cluster/testing';
import type { Task } from '@/lib/tasks';
import type { Sim } from '@/sim/index';
import type { NetworkRow } from './view';

/*
 * /api/v1/networks against two real vboxsim hosts over SOAP: a tenant's users first (what they may see and
 * not change), then an admin's cluster networks created by the `network.apply` task on the host that
 * lacks them, drift reported in words and fixed, a failing step undone, DHCP settings reaching
 * VirtualBox's DHCP server, and a delete refused while a machine's adapter is on the network.
 * Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-networks-api-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const list = await import('./route');
const one = await import('./[id]/route');
const apply = await import('./[id]/apply/route');
const tenantsOne = await import('../tenants/[id]/route');
const capabilities = await import('../hosts/[id]/capabilities/route');
const { startTestCluster, until } = await import('@/lib/cluster/testing');
const { getInventory } = await import('@/lib/cluster/inventory');
const { createTenant, getTenantByName } = await import('@/lib/tenants');
const { waitForTask } = await import('@/lib/tasks');
const { startPowerAction } = await import('@/lib/tasks/power');
const { withWriteLock } = await import('@/lib/cluster/operations/common');
const { forgetHostNetworks, readDhcpServer } = await import('@/lib/networks/hosts');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blueOp: User = { id: 'u-blue', username: 'bea', realm: 'local', role: 'operator', tenant: 'blue' };
const blueViewer: User = { id: 'u-bv', username: 'bob', realm: 'local', role: 'viewer', tenant: 'blue' };
const redOp: User = { id: 'u-red', username: 'rob', realm: 'local', role: 'operator', tenant: 'red' };

let cluster: TestCluster;
let sim: Sim;
let alpha: string, bravo: string, alphaName: string, bravoName: string;
const client = (hostId: string) => getInventory().monitor(hostId)!.client;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
async function call(u: User, h: Handler, method: string, url: string, params: Record<string, string> = {}, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
  session.user = u;
  const r = await h(new Request(`http://localhost/api/v1${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }), { params: Promise.resolve(params) });
  return { status: r.status, body: await r.json().catch(() => null) };
}
const get = (u: User, id?: string) => (id ? call(u, one.GET as Handler, 'GET', `/networks/${id}`, { id }) : call(u, list.GET as Handler, 'GET', '/networks'));
const post = (u: User, body: unknown) => call(u, list.POST as Handler, 'POST', '/networks', {}, body);
const patch = (u: User, id: string, body: unknown) => call(u, one.PATCH as Handler, 'PATCH', `/networks/${id}`, { id }, body);
const del = (u: User, id: string) => call(u, one.DELETE as Handler, 'DELETE', `/networks/${id}`, { id });
const reapply = (u: User, id: string) => call(u, apply.POST as Handler, 'POST', `/networks/${id}/apply`, { id }, {});

async function finished(r: { status: number; body: { task: Task } }): Promise<Task> {
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return waitForTask(r.body.task.id, 30_000);
}
async function succeeded(r: { status: number; body: { task: Task } }): Promise<Task> {
  const t = await finished(r);
  expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
  return t;
}
async function rowOf(name: string): Promise<NetworkRow> {
  forgetHostNetworks();
  const r = await get(admin);
  expect(r.status).toBe(200);
  return (r.body.items as NetworkRow[]).find((n) => n.name === name)!;
}
const states = (row: NetworkRow) => Object.fromEntries(row.status.map((s) => [s.hostName, s.state]));

/** What VirtualBox on a host has: NAT networks (name → CIDR), host-only interfaces (name → ip/mask), DHCP servers. */
async function onHost(hostId: string) {
  return client(hostId).scope(async (vbox) => {
    const nats = Object.fromEntries(await Promise.all((await vbox.getNATNetworks()).map(async (n) => [await n.getNetworkName(), await n.getNetwork()])));
    const hostOnly = Object.fromEntries(await Promise.all((await (await vbox.getHost()).findHostNetworkInterfacesOfType('HostOnly')).map(async (i) => [await i.getName(), `${await i.getIPAddress()}/${await i.getNetworkMask()}`])));
    const dhcp = await Promise.all((await vbox.getDHCPServers()).map(readDhcpServer));
    return { nats, hostOnly, dhcp };
  });
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0, machines: 2, hostsUp: true, timeoutMs: 20_000, timing: { start: 50, stop: 20, acpiShutdown: 50, save: 20 },
    prepare: (s) => {
      sim = s;
      // A blue machine whose adapter 2 names "lab" (the extradata B2's adapter API writes); the adapter is disabled,
      // which still counts: enabling it needs the network.
      s.hosts[0].sim.addMachine('web-1', (c) => { c.settings.extraData = { 'nimbox/tenant': 'blue', 'nimbox/network/1': 'lab' }; });
      // An admin's machine on bravo whose adapter 1 is on the NAT network "natlab" (made below), with the MAC of a fixed lease.
      s.hosts[1].sim.addMachine('db-1', (c) => {
        c.settings.nics[0] = { ...c.settings.nics[0], enabled: true, MACAddress: '080027000001', attachmentType: 'NATNetwork', natNetwork: 'nimbox-natlab', cableConnected: true };
        c.settings.extraData = { 'nimbox/network/0': 'natlab' };
      });
    },
  });
  [alpha, bravo] = cluster.hosts.map((h) => h.id);
  [alphaName, bravoName] = cluster.hosts.map((h) => h.name);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('a tenant and cluster networks', () => {
  let lab: string, secret: string;
  beforeAll(async () => {
    lab = (await post(admin, { name: 'lab', kind: 'internal', hosts: [{ hostId: alpha }, { hostId: bravo }] })).body.network.id;
    secret = (await post(admin, { name: 'secret', kind: 'internal', description: 'red team', hosts: [{ hostId: alpha }] })).body.network.id;
    await createTenant({ name: 'blue', allowedNetworkIds: [lab] });
    await createTenant({ name: 'red' });
  });

  it('sees only the networks it was allowed, without per-host detail; another is 404; writes are 403', async () => {
    for (const u of [blueOp, blueViewer]) {
      const r = await get(u);
      expect(r.status).toBe(200);
      expect(r.body.items).toEqual([{ id: lab, name: 'lab', description: '', kind: 'internal' }]);
      expect(await get(u, lab)).toEqual({ status: 200, body: { id: lab, name: 'lab', description: '', kind: 'internal' } });
      // Another network looks absent, by id and by name, as one that does not exist.
      expect((await get(u, secret)).status).toBe(404);
      expect((await get(u, 'secret')).status).toBe(404);
      expect((await get(u, 'nosuch')).status).toBe(404);
    }
    // Red was allowed nothing: default deny.
    expect((await get(redOp)).body.items).toEqual([]);
    expect((await get(redOp, lab)).status).toBe(404);
    // No tenant user changes networks, not even its own allowed one.
    expect((await post(blueOp, { name: 'mine', kind: 'internal' })).status).toBe(403);
    expect((await patch(blueOp, lab, { description: 'x' })).status).toBe(403);
    expect((await del(blueOp, lab)).status).toBe(403);
    expect((await reapply(blueOp, lab)).status).toBe(403);
    expect((await get(admin, lab)).body.description).toBe('');
  });

  it("a host's capabilities list only the caller's networks, and no raw host networks to a tenant", async () => {
    session.user = blueOp;
    const r = await (capabilities.GET as Handler)(new Request(`http://localhost/api/v1/hosts/${alpha}/capabilities`), { params: Promise.resolve({ id: alpha }) });
    const caps = await r.json();
    expect(r.status, JSON.stringify(caps)).toBe(200);
    expect(caps.networks).toEqual([{ name: 'lab', kind: 'internal', state: 'ok' }]);
    expect([caps.hostOnlyInterfaces, caps.natNetworks, caps.internalNetworks, caps.genericDrivers]).toEqual([[], [], [], []]);
    session.user = admin;
    const a = await (await (capabilities.GET as Handler)(new Request(`http://localhost/api/v1/hosts/${alpha}/capabilities`), { params: Promise.resolve({ id: alpha }) })).json();
    expect(a.networks.map((n: { name: string }) => n.name).sort()).toEqual(['lab', 'secret']);
  });

  it('a tenant cannot be allowed a network that does not exist', async () => {
    const red = (await getTenantByName('red'))!;
    const r = await call(admin, tenantsOne.PATCH as Handler, 'PATCH', `/tenants/${red.id}`, { id: red.id }, { allowedNetworkIds: [lab, 'no-such-network'] });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'allowedNetworkIds', message: 'No cluster network no-such-network' }]);
    expect((await getTenantByName('red'))!.allowedNetworkIds).toEqual([]);
  });
});

describe('an admin creates cluster networks on the hosts', () => {
  const dhcp = {
    enabled: true, lowerIP: '10.0.50.10', upperIP: '10.0.50.99',
    options: [{ option: 'DomainNameServers', value: '10.0.50.1' }, { option: 'DomainName', value: 'lab.example' }],
    fixedLeases: [{ mac: '08:00:27:aa:bb:cc', ip: '10.0.50.20' }],
  };
  let natId: string;

  it('applies a NAT network with DHCP on the host that lacks it; ok on both', async () => {
    // Alpha has it already (an admin made it by hand): Nimbox only creates it on bravo.
    await client(alpha).write(async (vbox) => {
      const n = await vbox.createNATNetwork('nimbox-natlab');
      await n.setNetwork('10.0.50.0/24');
      await n.setEnabled(true);
    }, { release: true });
    const r = await post(admin, { name: 'natlab', kind: 'natnetwork', cidr: '10.0.50.0/24', dhcp, hosts: [{ hostId: alpha }, { hostId: bravo }] });
    natId = r.body.network.id;
    expect(r.body.network).toMatchObject({ name: 'natlab', hosts: expect.arrayContaining([{ hostId: bravo, name: 'nimbox-natlab' }]) });
    const t = await succeeded(r);
    expect(t).toMatchObject({ kind: 'network.apply', targetType: 'network', targetId: natId, message: `Applied on ${alphaName}, ${bravoName}` });
    expect(states(await rowOf('natlab'))).toEqual({ [alphaName]: 'ok', [bravoName]: 'ok' });

    // What reached VirtualBox's DHCP server on bravo: server .3, the range, the options and the fixed lease.
    const b = await onHost(bravo);
    expect(b.nats['nimbox-natlab']).toBe('10.0.50.0/24');
    const server = b.dhcp.find((d) => d.networkName === 'nimbox-natlab')!;
    expect(server).toMatchObject({ enabled: true, ip: '10.0.50.3', mask: '255.255.255.0', lowerIP: '10.0.50.10', upperIP: '10.0.50.99' });
    expect(server.options).toEqual(expect.arrayContaining([{ option: 'DomainNameServers', value: '10.0.50.1' }, { option: 'DomainName', value: 'lab.example' }]));
    expect(server.fixedLeases).toEqual([{ mac: '08:00:27:AA:BB:CC', ip: '10.0.50.20' }]);
  });

  it('applies a host-only network on two hosts: interfaces made, addressed from the CIDR, names remembered', async () => {
    const r = await post(admin, {
      name: 'ho', kind: 'hostonly', cidr: '192.168.60.0/24', hosts: [{ hostId: alpha }, { hostId: bravo }],
      dhcp: { lowerIP: '192.168.60.100', upperIP: '192.168.60.199', options: [{ option: 'BootfileName', value: 'pxelinux.0' }] },
    });
    await succeeded(r);
    const row = await rowOf('ho');
    expect(states(row)).toEqual({ [alphaName]: 'ok', [bravoName]: 'ok' });
    for (const h of row.hosts) {
      expect(h.name).toMatch(/^vboxnet\d+$/);
      const there = await onHost(h.hostId);
      expect(there.hostOnly[h.name]).toBe('192.168.60.1/255.255.255.0');
      // Its DHCP server, as VirtualBox names a host-only interface's: on .2, with the range and the boot file.
      expect(there.dhcp.find((d) => d.networkName === `HostInterfaceNetworking-${h.name}`)).toMatchObject({
        enabled: true, ip: '192.168.60.2', lowerIP: '192.168.60.100', upperIP: '192.168.60.199', options: [{ option: 'BootfileName', value: 'pxelinux.0' }],
      });
    }
    // Unmapping bravo removes the interface Nimbox made there.
    const onBravo = row.hosts.find((h) => h.hostId === bravo)!.name;
    await succeeded(await patch(admin, row.id, { hosts: [{ hostId: alpha }] }));
    expect((await onHost(bravo)).hostOnly[onBravo]).toBeUndefined();
    // (Its DHCP server stays: VirtualBox has one for vboxnet0 from the start, which Nimbox configured, not made.)
    expect(states(await rowOf('ho'))).toEqual({ [alphaName]: 'ok' });
  });

  it('reports drift in words when a CIDR changes behind Nimbox, and apply fixes it', async () => {
    await client(bravo).write(async (vbox) => (await vbox.findNATNetworkByName('nimbox-natlab')).setNetwork('10.0.51.0/24'), { release: true });
    const row = await rowOf('natlab');
    expect(row.status.find((s) => s.hostId === bravo)).toMatchObject({ state: 'drift', detail: 'nimbox-natlab has 10.0.51.0/24, the network says 10.0.50.0/24' });
    expect(row.status.find((s) => s.hostId === alpha)?.state).toBe('ok');
    await succeeded(await reapply(admin, natId));
    expect(states(await rowOf('natlab'))).toEqual({ [alphaName]: 'ok', [bravoName]: 'ok' });
  });

  it('PATCH changes the DHCP server: range, options and fixed leases no longer wanted are removed', async () => {
    const r = await patch(admin, natId, { dhcp: { ...dhcp, upperIP: '10.0.50.50', options: [{ option: 'DomainNameServers', value: '10.0.50.2' }], fixedLeases: [{ mac: '080027000001', ip: '10.0.50.30' }] } });
    await succeeded(r);
    for (const h of [alpha, bravo]) {
      const server = (await onHost(h)).dhcp.find((d) => d.networkName === 'nimbox-natlab')!;
      expect(server).toMatchObject({ lowerIP: '10.0.50.10', upperIP: '10.0.50.50' });
      expect(server.options.find((o) => o.option === 'DomainNameServers')?.value).toBe('10.0.50.2');
      // DomainName is no longer wanted: removed (VirtualBox puts the host's back when the NAT network starts).
      expect(server.options.some((o) => o.option === 'DomainName')).toBe(false);
      expect(server.fixedLeases).toEqual([{ mac: '08:00:27:00:00:01', ip: '10.0.50.30' }]);
    }
    expect(states(await rowOf('natlab'))).toEqual({ [alphaName]: 'ok', [bravoName]: 'ok' });
  });

  it("GET /networks/:id lists the leases VirtualBox's DHCP server gave the machines on it", async () => {
    const db = getInventory().machines().find((m) => m.name === 'db-1')!;
    expect((await waitForTask((await startPowerAction(db.id, 'start', admin)).id, 30_000)).status).toBe('succeeded');
    const row = await until('db-1 holds a lease', async () => {
      forgetHostNetworks();
      const r = (await get(admin, natId)).body;
      return r.leases?.length ? r : null;
    }, 20_000);
    expect(row.usedBy).toEqual([{ machineId: db.id, machineName: 'db-1', slot: 0 }]);
    // The fixed lease set by the PATCH above.
    expect(row.leases).toEqual([{
      hostId: bravo, hostName: bravoName, machineId: db.id, machineName: 'db-1', slot: 0, mac: '08:00:27:00:00:01',
      address: '10.0.50.30', state: 'acked', issued: expect.any(Number), expire: expect.any(Number),
    }]);
    expect((await waitForTask((await startPowerAction(db.id, 'poweroff', admin)).id, 30_000)).status).toBe('succeeded');
  });

  it('undoes what it made on one host when VirtualBox refuses on the next: drift it cannot fix is reported', async () => {
    // On bravo, "busy" is mapped to natlab's NAT network, which runs (db-1 is on it): VirtualBox refuses changes while it runs.
    const db = getInventory().machines().find((m) => m.name === 'db-1')!;
    expect((await waitForTask((await startPowerAction(db.id, 'start', admin)).id, 30_000)).status).toBe('succeeded');
    const before = await onHost(alpha);
    const r = await post(admin, {
      name: 'busy', kind: 'natnetwork', cidr: '10.0.91.0/24',
      dhcp: { enabled: true, lowerIP: '10.0.91.10', upperIP: '10.0.91.20', options: [], fixedLeases: [] },
      hosts: [{ hostId: alpha }, { hostId: bravo, name: 'nimbox-natlab' }],
    });
    const t = await finished(r);
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ resultCode: 'E_FAIL', detail: 'Unable to change settings while NATNetwork instance is running', step: `Applying busy on ${bravoName}` });
    // Alpha's NAT network and DHCP server, made by this task, are gone again; bravo's network is as it was.
    expect(await onHost(alpha)).toEqual(before);
    expect((await onHost(bravo)).nats['nimbox-natlab']).toBe('10.0.50.0/24');
    const row = await rowOf('busy');
    expect(states(row)).toEqual({ [alphaName]: 'missing', [bravoName]: 'drift' });
    expect(row.status.find((x) => x.hostId === bravo)?.detail).toMatch(/^nimbox-natlab has 10\.0\.50\.0\/24, the network says 10\.0\.91\.0\/24; /);
    expect((await waitForTask((await startPowerAction(db.id, 'poweroff', admin)).id, 30_000)).status).toBe('succeeded');
    await succeeded(await del(admin, row.id));
  });

  it('a failing step removes what the task made, and VirtualBox says why', async () => {
    const before = { a: await onHost(alpha), b: await onHost(bravo) };
    // VirtualBox refuses the option value (not an address); by then the task made a NAT network and a DHCP server on alpha.
    const r = await post(admin, {
      name: 'broken', kind: 'natnetwork', cidr: '10.0.70.0/24',
      dhcp: { ...dhcp, lowerIP: '10.0.70.10', upperIP: '10.0.70.20', options: [{ option: 'Routers', value: 'not-an-address' }], fixedLeases: [] },
      hosts: [{ hostId: alpha }, { hostId: bravo }],
    });
    const t = await finished(r);
    expect(t.status).toBe('failed');
    expect(t.error).toMatchObject({ resultCode: 'E_INVALIDARG', detail: expect.stringContaining("Malformed option 3 value 'not-an-address'"), step: `Setting the DHCP server of broken on ${alphaName}` });
    const after = { a: await onHost(alpha), b: await onHost(bravo) };
    expect(after).toEqual(before);
    expect(states(await rowOf('broken'))).toEqual({ [alphaName]: 'missing', [bravoName]: 'missing' });
  });

  it('refuses to delete a network while a machine adapter is on it; deletes what it made otherwise', async () => {
    const lab = (await get(admin, 'lab')).body as NetworkRow;
    expect(lab.usedBy).toEqual([{ machineId: expect.any(String), machineName: 'web-1', slot: 1 }]);
    const refused = await del(admin, lab.id);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe('lab is used by web-1: attach their adapters elsewhere first.');
    expect((await get(admin, 'lab')).status).toBe(200);

    // natlab, once db-1's adapter left it: Nimbox made the NAT network on bravo only; alpha's was there before and stays.
    expect((await del(admin, natId)).status).toBe(409);
    const db = getInventory().machines().find((m) => m.name === 'db-1')!;
    await client(bravo).write((vbox, wsm) => withWriteLock(vbox, wsm, db.id, (m) => m.setExtraData('nimbox/network/0', '')), { release: true });
    await succeeded(await del(admin, natId));
    expect((await get(admin, natId)).status).toBe(404);
    expect((await onHost(bravo)).nats['nimbox-natlab']).toBeUndefined();
    expect((await onHost(bravo)).dhcp.some((d) => d.networkName === 'nimbox-natlab')).toBe(false);
    expect((await onHost(alpha)).nats['nimbox-natlab']).toBe('10.0.50.0/24');
    // The host-only interfaces it made go too.
    const ho = (await get(admin, 'ho')).body as NetworkRow;
    await succeeded(await del(admin, ho.id));
    for (const h of ho.hosts) expect((await onHost(h.hostId)).hostOnly[h.name]).toBeUndefined();
  });

  it('answers 400 naming the field for an invalid network, and 404 for an unknown one', async () => {
    const r = await post(admin, { name: 'x', kind: 'natnetwork', cidr: '10.0.80.0/24', dhcp: { lowerIP: '10.0.80.1', upperIP: '10.0.80.9' }, hosts: [{ hostId: 'nohost' }] });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(['dhcp.lowerIP']);
    expect((await post(admin, { name: 'x', kind: 'internal', hosts: [{ hostId: 'nohost' }] })).body.errors).toEqual([{ field: 'hosts.0.hostId', message: 'No host nohost' }]);
    expect((await patch(admin, 'nosuch', { description: 'y' })).status).toBe(404);
    expect((await reapply(admin, 'nosuch')).status).toBe(404);
    await until('sim idle', () => sim.hosts.length === 2);
  });
});
