import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import type { TestCluster } from '@/lib/cluster/testing';
import type { HostView } from '@/lib/db/hosts';
import type { Sim } from '@/sim/index';

/*
 * Issue 15 as a hostile tenant would try it, against two real vboxsim hosts over SOAP: what a host's
 * capabilities tell a tenant, creating a machine on another host interface or a network not allowed,
 * NAT port forwarding onto the host's own ports and addresses, promiscuous mode carried onto the shared
 * bridge, a machine whose extradata claims a network its tenant may not use, a MAC address with another
 * machine's fixed lease, another tenant's guest addresses in the event stream, admins' network tasks, the
 * audit trail of network writes, and a guest publishing garbage. Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-networks-hostile-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const networks = await import('./route');
const capabilities = await import('../hosts/[id]/capabilities/route');
const vms = await import('../vms/route');
const editVm = await import('../vms/[id]/route');
const adapterRoute = await import('../vms/[id]/network/adapters/[slot]/route');
const forwarding = await import('../vms/[id]/network/adapters/[slot]/forwarding/route');
const forwardingOne = await import('../vms/[id]/network/adapters/[slot]/forwarding/[name]/route');
const tasks = await import('../tasks/route');
const events = await import('../events/route');
const taskOne = await import('../tasks/[id]/route');
const taskCancel = await import('../tasks/[id]/cancel/route');
const { startTestCluster } = await import('@/lib/cluster/testing');
const { getInventory } = await import('@/lib/cluster/inventory');
const { createTenant } = await import('@/lib/tenants');
const { waitForTask } = await import('@/lib/tasks');
const { startPowerAction } = await import('@/lib/tasks/power');
const { listAudit } = await import('@/lib/audit');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blueOp: User = { id: 'u-blue', username: 'bea', realm: 'local', role: 'operator', tenant: 'blue' };
const redOp: User = { id: 'u-red', username: 'rob', realm: 'local', role: 'operator', tenant: 'red' };

let cluster: TestCluster;
let sim: Sim;
let alpha: HostView;
let lab: string;
const idOf = (name: string) => getInventory().machines().find((m) => m.name === name)!.id;
const nicOn = (name: string, slot: number) => sim.hosts[0].sim.machines().find((m) => m.name === name)!.settings.nics[slot];

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
async function call(u: User, h: unknown, method: string, url: string, params: Record<string, string> = {}, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
  session.user = u;
  const r = await (h as Handler)(
    new Request(`http://localhost/api/v1${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
    { params: Promise.resolve(params) },
  );
  return { status: r.status, body: await r.json().catch(() => null) };
}
const fields = (r: { body: { errors?: { field: string }[] } }) => (r.body.errors ?? []).map((e) => e.field);
async function succeeded(r: { status: number; body: { id: string } }) {
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  const t = await waitForTask(r.body.id, 20_000);
  expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
}
const patchNic = (u: User, id: string, slot: number, body: unknown) =>
  call(u, adapterRoute.PATCH, 'PATCH', `/vms/${id}/network/adapters/${slot}`, { id, slot: String(slot) }, body);
const addRule = (u: User, id: string, body: unknown) =>
  call(u, forwarding.POST, 'POST', `/vms/${id}/network/adapters/0/forwarding`, { id, slot: '0' }, body);

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0, machines: 3, hostsUp: true, timeoutMs: 20_000, timing: { start: 50, stop: 20, acpiShutdown: 50, save: 20 },
    prepare: (s) => {
      sim = s;
      const nat = { enabled: true, attachmentType: 'NAT', cableConnected: true };
      s.hosts[0].sim.addMachine('blue-nat', (c) => {
        c.settings.nics[0] = { ...c.settings.nics[0], ...nat, MACAddress: '080027000011' };
        c.settings.extraData = { 'nimbox/tenant': 'blue' };
      });
      // Its NIC 2 claims "secret" (blue is not allowed it) in the extradata the adapter API would write.
      s.hosts[0].sim.addMachine('blue-stray', (c) => {
        c.settings.nics[0] = { ...c.settings.nics[0], ...nat, MACAddress: '080027000021' };
        c.settings.nics[1] = { ...c.settings.nics[1], ...nat, MACAddress: '080027000022' };
        c.settings.extraData = { 'nimbox/tenant': 'blue', 'nimbox/network/1': 'secret' };
      });
      s.hosts[0].sim.addMachine('red-1', (c) => { c.settings.extraData = { 'nimbox/tenant': 'red' }; });
    },
  });
  alpha = cluster.hosts[0];
  const made = async (body: unknown) => (await call(admin, networks.POST, 'POST', '/networks', {}, body)).body;
  lab = (await made({ name: 'lab', kind: 'internal', hosts: [{ hostId: alpha.id }] })).network.id;
  await made({ name: 'secret', kind: 'internal', hosts: [{ hostId: alpha.id }] });
  await createTenant({ name: 'blue', allowedNetworkIds: [lab] });
  await createTenant({ name: 'red' });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('a hostile tenant', () => {
  it("learns no host interface but its default bridge from a host's capabilities", async () => {
    const caps = async (u: User) => (await call(u, capabilities.GET, 'GET', `/hosts/${alpha.id}/capabilities`, { id: alpha.id })).body;
    expect((await caps(admin)).bridgedInterfaces).toEqual(expect.arrayContaining(['br0', 'vbox0']));
    const t = await caps(blueOp);
    expect(t.bridgedInterfaces).toEqual([alpha.bridgeAdapter]);
    expect(t.networks.map((n: { name: string }) => n.name)).toEqual(['lab']);
  });

  it('cannot create a machine on another host interface or on a network it was not allowed', async () => {
    const create = (nic: unknown) => call(blueOp, vms.POST, 'POST', '/vms', {}, { name: 'sneaky', osTypeId: 'Debian12_64', memoryMB: 128, hostId: alpha.id, nic });
    let r = await create({ bridgedInterface: 'br0' });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(fields(r)).toEqual(['nic.bridgedInterface']);
    r = await create({ network: 'secret' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'nic.network', message: 'No cluster network secret you may use' }]);
    expect(getInventory().machines().some((m) => m.name === 'sneaky')).toBe(false);
  });

  it("may not forward the host's privileged ports, its own addresses, or the ports Nimbox serves it with; admins may", async () => {
    const id = idOf('blue-nat');
    const rule = { protocol: 'TCP', guestPort: 22 };
    const webPort = Number(new URL(alpha.url).port);
    const vrdePort = Number(alpha.vrdePorts.split(/[,-]/)[0]);
    const teleportPort = Number(alpha.teleportPorts.split(/[,-]/)[0]);
    for (const [body, field] of [
      [{ ...rule, hostPort: 22 }, 'hostPort'],
      [{ ...rule, hostPort: 2222, hostIP: '127.0.0.1' }, 'hostIP'],
      [{ ...rule, hostPort: webPort }, 'hostPort'],
      [{ ...rule, hostPort: vrdePort }, 'hostPort'],
      [{ ...rule, hostPort: teleportPort }, 'hostPort'],
      [{ ...rule, hostPort: 2222, name: 'a/b' }, 'name'],
      [{ ...rule, hostPort: 2222, name: 'ssh\nroot' }, 'name'],
    ] as const) {
      const r = await addRule(blueOp, id, body);
      expect(r.status, JSON.stringify([body, r.body])).toBe(400);
      expect(fields(r)).toEqual([field]);
    }
    expect(nicOn('blue-nat', 0).natRules ?? []).toEqual([]);
    await succeeded(await addRule(blueOp, id, { ...rule, name: 'ssh', hostPort: 2222 }));
    // Replacing a rule is held to the same.
    const r = await call(blueOp, forwardingOne.PUT, 'PUT', `/vms/${id}/network/adapters/0/forwarding/ssh`, { id, slot: '0', name: 'ssh' }, { ...rule, name: 'ssh', hostPort: 22 });
    expect(fields(r)).toEqual(['hostPort']);
    await succeeded(await addRule(admin, id, { ...rule, name: 'admin-ssh', hostIP: '127.0.0.1', hostPort: 22 }));
    expect((nicOn('blue-nat', 0).natRules ?? []).map((x) => [x.name, x.hostPort])).toEqual([['ssh', 2222], ['admin-ssh', 22]]);
  });

  it('does not carry promiscuous mode onto the shared default bridge, by either route', async () => {
    const id = idOf('blue-nat');
    // On NAT it means nothing, and is allowed; moving to the bridge drops it.
    await succeeded(await patchNic(blueOp, id, 0, { promiscModePolicy: 'AllowAll' }));
    expect(nicOn('blue-nat', 0).promiscModePolicy).toBe('AllowAll');
    await succeeded(await patchNic(blueOp, id, 0, { attachmentType: 'Bridged' }));
    expect(nicOn('blue-nat', 0)).toMatchObject({ attachmentType: 'Bridged', bridgedInterface: alpha.bridgeAdapter, promiscModePolicy: 'Deny' });
    // The old NIC-1 edit of PATCH /api/v1/vms/:id.
    await succeeded(await patchNic(blueOp, id, 0, { attachmentType: 'NAT', promiscModePolicy: 'AllowNetwork' }));
    expect(nicOn('blue-nat', 0).promiscModePolicy).toBe('AllowNetwork');
    await succeeded(await call(blueOp, editVm.PATCH, 'PATCH', `/vms/${id}`, { id }, { nic: { attachmentType: 'Bridged' } }));
    expect(nicOn('blue-nat', 0)).toMatchObject({ attachmentType: 'Bridged', promiscModePolicy: 'Deny' });
    // Naming the bridge while asking for promiscuous mode is refused.
    const r = await patchNic(blueOp, id, 0, { bridgedInterface: alpha.bridgeAdapter, promiscModePolicy: 'AllowAll' });
    expect(fields(r)).toEqual(['promiscModePolicy']);
  });

  it('does not get a machine bound to a network its tenant may not use by a claim in its extradata', async () => {
    const id = idOf('blue-stray');
    const task = await waitForTask((await startPowerAction(id, 'start', blueOp)).id, 20_000);
    expect(task.status).toBe('failed');
    expect(task.error?.detail).toBe('NIC 2 is on cluster network secret, which does not exist or tenant blue may not use: attach it elsewhere first.');
    expect(nicOn('blue-stray', 1)).toMatchObject({ attachmentType: 'NAT' });
    expect(nicOn('blue-stray', 1).internalNetwork).not.toBe('secret');
  });

  it("may not take a MAC address a cluster network's DHCP has a fixed lease for", async () => {
    const { createNetwork } = await import('@/lib/networks/store');
    await createNetwork({
      name: 'pxe', kind: 'internal', cidr: '10.9.0.0/24', hosts: [{ hostId: alpha.id }],
      dhcp: { enabled: true, lowerIP: '10.9.0.10', upperIP: '10.9.0.50', fixedLeases: [{ mac: '08:00:27:00:00:99', ip: '10.9.0.20' }] },
    });
    const id = idOf('blue-nat');
    const r = await patchNic(blueOp, id, 0, { macAddress: '080027000099' });
    expect(r.status).toBe(400);
    expect(fields(r)).toEqual(['macAddress']);
    expect(nicOn('blue-nat', 0).MACAddress).toBe('080027000011');
    await succeeded(await patchNic(blueOp, id, 0, { macAddress: '080027000012' }));
  });

  it("is not put on a network it may not use by an admin either: the admin allows it first", async () => {
    const r = await patchNic(admin, idOf('blue-nat'), 1, { network: 'secret' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'network', message: 'Tenant blue may not use secret: allow it for the tenant first' }]);
    const c = await call(admin, vms.POST, 'POST', '/vms', {}, { name: 'sneaky-2', osTypeId: 'Debian12_64', memoryMB: 128, hostId: alpha.id, tenant: 'blue', nic: { network: 'secret' } });
    expect(c.status).toBe(400);
    expect(fields(c)).toEqual(['nic.network']);
  });

  it("gets no other tenant's machine, networks or guest addresses in its event stream", async () => {
    // One at a time: the handler reads the session's user as it runs.
    const open = async (u: User) => {
      session.user = u;
      const abort = new AbortController();
      return { abort, reader: (await events.GET(new Request('http://localhost/api/v1/events', { signal: abort.signal }))).body!.getReader() };
    };
    const decoder = new TextDecoder();
    const readUntil = async (reader: ReadableStreamDefaultReader<Uint8Array>, done: (text: string) => boolean) => {
      let text = '';
      while (!done(text)) {
        const r = await reader.read();
        if (r.done) break;
        text += decoder.decode(r.value);
      }
      return text;
    };
    const blue = await open(blueOp);
    const red = await open(redOp);
    const [blueReader, redReader] = [blue.reader, red.reader];
    const id = idOf('blue-nat');
    expect((await waitForTask((await startPowerAction(id, 'start', blueOp)).id, 20_000)).status).toBe('succeeded');
    // Blue's own stream carries its machine's guest addresses once the Additions report them.
    const seen = await readUntil(blueReader, (t) => new RegExp(`"id":"${id}"[^\n]*"guest":\\{"additions":true,"ips":\\["[0-9.]+"`).test(t));
    const ip = new RegExp(`"id":"${id}"[^\n]*"guest":\\{"additions":true,"ips":\\["([0-9.]+)"`).exec(seen)![1];
    // Then a red machine changes: everything before it in red's stream has been read.
    const redCore = sim.hosts[0].sim.machines().find((m) => m.name === 'red-1')!;
    await sim.hosts[0].sim.powerOn(redCore);
    const redText = await readUntil(redReader, (t) => t.includes(redCore.id) && t.includes('"state":"Running"'));
    expect(redText).toContain(redCore.id);
    expect(redText).not.toContain(id);
    expect(redText).not.toContain(ip);
    expect(redText).not.toContain('blue-nat');
    blue.abort.abort();
    red.abort.abort();
    await Promise.all([blueReader.cancel(), redReader.cancel()]);
    await waitForTask((await startPowerAction(id, 'poweroff', blueOp)).id, 20_000);
  });

  it("sees none of the admin's network tasks, by list, id or cancel", async () => {
    const t = (await call(admin, networks.POST, 'POST', '/networks', {}, { name: 'ops', kind: 'internal', hosts: [{ hostId: alpha.id }] })).body.task;
    expect((await call(admin, tasks.GET, 'GET', '/tasks')).body.tasks.map((x: { id: string }) => x.id)).toContain(t.id);
    expect((await call(blueOp, tasks.GET, 'GET', '/tasks')).body.tasks.filter((x: { targetType: string }) => x.targetType === 'network')).toEqual([]);
    expect((await call(blueOp, taskOne.GET, 'GET', `/tasks/${t.id}`, { id: t.id })).status).toBe(404);
    expect((await call(blueOp, taskCancel.POST, 'POST', `/tasks/${t.id}/cancel`, { id: t.id }, {})).status).toBe(404);
  });

  it("leaves network writes in the audit trail, the admin's and the tenant's refused ones", async () => {
    expect((await call(blueOp, networks.POST, 'POST', '/networks', {}, { name: 'mine', kind: 'internal' })).status).toBe(403);
    const entries = await listAudit({ action: 'network:write POST' });
    expect(entries).toEqual(expect.arrayContaining([
      expect.objectContaining({ username: 'admin', target: '/api/v1/networks', result: 'success' }),
      expect.objectContaining({ username: 'bea', tenant: 'blue', target: '/api/v1/networks', result: 'failure', detail: 'HTTP 403' }),
    ]));
  });
});

describe('a hostile guest', () => {
  it('publishes only well-formed addresses to the list, for at most 32 interfaces', async () => {
    const { guestSummary, parseGuestInfo } = await import('@/lib/networks/guest');
    const props = new Map<string, string>([
      ['/VirtualBox/GuestAdd/Version', '<img src=x onerror=alert(1)>'],
      ['/VirtualBox/GuestInfo/Net/0/V4/IP', '10.0.2.15'],
      ['/VirtualBox/GuestInfo/Net/0/MAC', '080027000011'],
      ['/VirtualBox/GuestInfo/Net/1/V4/IP', '<script>alert(1)</script>'],
      ['/VirtualBox/GuestInfo/Net/1/V6/IP', 'x'.repeat(1000)],
      ['/VirtualBox/GuestInfo/Net/1/MAC', 'not a mac'],
      ...Array.from({ length: 2000 }, (_, i) => [`/VirtualBox/GuestInfo/Net/${i + 2}/V4/IP`, `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`] as [string, string]),
    ]);
    expect(guestSummary(props)).toEqual({ additions: true, ips: ['10.0.2.15', ...Array.from({ length: 30 }, (_, i) => `10.1.0.${i + 1}`)] });
    const info = parseGuestInfo(props, [{ slot: 0, macAddress: '080027000011' }]);
    expect(info.additionsVersion).toBe('?');
    expect(info.ips[1]).toEqual({ slot: null, mac: null, ipv4: [], ipv6: [] });
    expect(info.ips[0]).toEqual({ slot: 0, mac: '080027000011', ipv4: ['10.0.2.15'], ipv6: [] });
  });
});
