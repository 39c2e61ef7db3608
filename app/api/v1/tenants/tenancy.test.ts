import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import type { MachineSummary } from '@/lib/cluster/types';
import type { Tenant } from '@/lib/tenants';
import { withLockedMachine } from '@/lib/vbox/session';

/*
 * Tenancy end to end, against two real vboxsim hosts and a SQLite file: tenants CRUD, a machine's tenant
 * (extradata nimbox/tenant) followed live by the inventory, lists and ids scoped to the caller's tenant,
 * quotas and allowed hosts on create and edit, and the audit log of every mutating call.
 * Only `currentUser` is replaced; route(), the policy and the inventory are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-tenancy-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const tenants = await import('./route');
const tenant = await import('./[id]/route');
const vms = await import('../vms/route');
const vm = await import('../vms/[id]/route');
const vmTenant = await import('../vms/[id]/tenant/route');
const vmActions = await import('../vms/[id]/actions/route');
const audit = await import('../audit/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { waitForTask } = await import('@/lib/tasks');
const { machineResource } = await import('@/lib/tenants/access');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blueOp: User = { id: 'u-bo', username: 'bob', realm: 'local', role: 'operator', tenant: 'blue' };
const blueViewer: User = { id: 'u-bv', username: 'vera', realm: 'local', role: 'viewer', tenant: 'blue' };
const redOp: User = { id: 'u-ro', username: 'rita', realm: 'local', role: 'operator', tenant: 'red' };

let cluster: TestCluster;
const hostIds: string[] = [];
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const req = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const as = (u: User | null) => { session.user = u; };

beforeAll(async () => {
  cluster = await startTestCluster({ hosts: 2, port: 0, vms: 3, vrdeBase: 34000 + Math.floor(Math.random() * 200) * 100, machines: 6 });
  hostIds.push(...cluster.hosts.map((h) => h.id));
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

let blue: Tenant;

describe('tenants API', () => {
  it('creates, lists, reads, changes and deletes tenants (admins only)', async () => {
    as(admin);
    let r = await tenants.POST(req('POST', '/api/v1/tenants', { name: 'blue', displayName: 'Blue team', maxMachines: 2, maxVcpus: 8, maxMemoryMB: 4096, allowTeleport: false }));
    expect(r.status).toBe(201);
    blue = await r.json();
    expect(blue).toMatchObject({ name: 'blue', displayName: 'Blue team', maxMachines: 2, maxMemoryMB: 4096, maxDiskGB: null, allowedHostIds: [], realms: [], allowTeleport: false, allowHa: false });
    expect(r.headers.get('location')).toBe(`/api/v1/tenants/${blue.id}`);
    expect((await tenants.POST(req('POST', '/api/v1/tenants', { name: 'red' }))).status).toBe(201);
    r = await tenants.POST(req('POST', '/api/v1/tenants', { name: 'blue' }));
    expect(r.status).toBe(409);
    r = await tenants.POST(req('POST', '/api/v1/tenants', { name: 'Not A Slug', maxVcpus: -1 }));
    expect(r.status).toBe(400);
    expect((await r.json()).errors.map((e: { field: string }) => e.field).sort()).toEqual(['maxVcpus', 'name']);
    const list = await (await tenants.GET(req('GET', '/api/v1/tenants'))).json();
    expect(list.tenants.map((t: Tenant) => t.name)).toEqual(['blue', 'red']);
    r = await tenant.PATCH(req('PATCH', `/api/v1/tenants/${blue.id}`, { realms: ['local'], maxDiskGB: 100 }), ctx(blue.id));
    expect(await r.json()).toMatchObject({ name: 'blue', realms: ['local'], maxDiskGB: 100, maxMachines: 2 });
    // Whether blue's operators may set their machines' HA policy: off unless the admin allows it.
    r = await tenant.PATCH(req('PATCH', '/x', { allowHa: 'yes' }), ctx(blue.id));
    expect(r.status).toBe(400);
    expect((await r.json()).errors.map((e: { field: string }) => e.field)).toEqual(['allowHa']);
    r = await tenant.PATCH(req('PATCH', '/x', { allowHa: true }), ctx(blue.id));
    expect(await r.json()).toMatchObject({ name: 'blue', allowHa: true, allowTeleport: false, maxDiskGB: 100 });
    expect(await (await tenant.GET(req('GET', '/x'), ctx(blue.id))).json()).toMatchObject({ allowHa: true });
    expect(await (await tenants.POST(req('POST', '/api/v1/tenants', { name: 'green', allowHa: true }))).json()).toMatchObject({ allowHa: true, allowTeleport: false });
    expect((await tenant.GET(req('GET', '/x'), ctx('nope'))).status).toBe(404);
    const tmp = await (await tenants.POST(req('POST', '/api/v1/tenants', { name: 'tmp' }))).json();
    expect((await tenant.DELETE(req('DELETE', '/x'), ctx(tmp.id))).status).toBe(204);
    expect((await tenant.DELETE(req('DELETE', '/x'), ctx(tmp.id))).status).toBe(404);

    for (const u of [blueOp, blueViewer]) {
      as(u);
      expect((await tenants.GET(req('GET', '/api/v1/tenants'))).status).toBe(403);
      expect((await tenants.POST(req('POST', '/api/v1/tenants', { name: 'x' }))).status).toBe(403);
      expect((await tenant.PATCH(req('PATCH', '/x', { maxVcpus: 100 }), ctx(blue.id))).status).toBe(403);
    }
    as(null);
    expect((await tenants.GET(req('GET', '/api/v1/tenants'))).status).toBe(401);
  });
});

describe('a machine\'s tenant', () => {
  let web: MachineSummary;

  it('is assigned by admins through extradata, on every copy, and shows live in the inventory', async () => {
    const inv = getInventory();
    web = inv.machines().find((m) => m.name === 'web-a1')!;
    expect(web.tenant).toBeNull();
    as(blueOp);
    expect((await vmTenant.PUT(req('PUT', '/x', { tenant: 'blue' }), ctx(web.id))).status).toBe(404);
    as(admin);
    expect((await vmTenant.PUT(req('PUT', '/x', { tenant: 'nope' }), ctx(web.id))).status).toBe(400);
    const r = await vmTenant.PUT(req('PUT', '/x', { tenant: 'blue' }), ctx(web.id));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: web.id, tenant: 'blue' });
    await until('the tenant in the inventory', () => inv.machine(web.id)?.tenant === 'blue');
    // VirtualBox holds it: the same extradata VBoxManage getextradata shows.
    const stored = await inv.monitor(web.hostId)!.client.read(async (vbox) => (await vbox.findMachine(web.id)).getExtraData('nimbox/tenant'));
    expect(stored).toBe('blue');
    // A change made behind Nimbox's back shows live too: as VBoxManage setextradata makes it, on the session machine.
    const db = inv.machines().find((m) => m.name === 'db-a2')!;
    await inv.monitor(db.hostId)!.client.write((vbox, wsm) => withLockedMachine(vbox, wsm, db.id, 'Shared', async (s) => {
      await (await s.getMachine()).setExtraData('nimbox/tenant', 'red');
    }), { release: true });
    await until('the tenant change event', () => inv.machine(db.id)?.tenant === 'red');
    // What the policy gets about each (lib/tenants/access): blue allows HA policies, red does not, no tenant nothing.
    expect(await machineResource({ params: { id: web.id } })).toEqual({ tenant: 'blue', allowTeleport: false, allowHa: true });
    expect(await machineResource({ params: { id: db.id } })).toEqual({ tenant: 'red', allowTeleport: false, allowHa: false });
    expect(await machineResource({ params: { id: 'no-such-machine' } })).toEqual({ tenant: null, allowTeleport: false, allowHa: false });
  });

  it('scopes lists and ids to the caller\'s tenant: another tenant\'s machine is 404', async () => {
    as(blueViewer);
    const mine = await (await vms.GET(req('GET', '/api/v1/vms?pageSize=1000'))).json();
    expect(mine.items.map((m: MachineSummary) => m.name)).toEqual(['web-a1']);
    expect((await vm.GET(req('GET', '/x'), ctx(web.id))).status).toBe(200);
    expect((await vmActions.POST(req('POST', '/x', { action: 'pause' }), ctx(web.id))).status).toBe(403);
    as(redOp);
    const theirs = await (await vms.GET(req('GET', '/api/v1/vms?pageSize=1000'))).json();
    expect(theirs.items.map((m: MachineSummary) => m.name)).toEqual(['db-a2']);
    expect((await vm.GET(req('GET', '/x'), ctx(web.id))).status).toBe(404);
    expect((await vmActions.POST(req('POST', '/x', { action: 'pause' }), ctx(web.id))).status).toBe(404);
    expect((await vm.DELETE(req('DELETE', '/x'), ctx(web.id))).status).toBe(404);
    // A non-admin without a tenant has no machines at all.
    as({ ...blueViewer, tenant: null });
    expect((await vms.GET(req('GET', '/api/v1/vms'))).status).toBe(403);
    expect((await vm.GET(req('GET', '/x'), ctx(web.id))).status).toBe(403);
    as(admin);
    expect((await (await vms.GET(req('GET', '/api/v1/vms'))).json()).total).toBe(6);
  });

  it('moves back to no tenant', async () => {
    as(admin);
    const db = getInventory().machines().find((m) => m.name === 'db-a2')!;
    expect((await vmTenant.PUT(req('PUT', '/x', { tenant: null }), ctx(db.id))).status).toBe(200);
    await until('no tenant', () => getInventory().machine(db.id)?.tenant === null);
  });
});

describe('quotas and allowed hosts', () => {
  const base = (name: string, extra: Record<string, unknown> = {}) => ({ name, osTypeId: 'Debian12_64', memoryMB: 1024, ...extra });

  it('refuses a create that exceeds a quota, saying which and by how much', async () => {
    as(blueOp);
    // web-a1 (blue) already counts against the quotas.
    const used = getInventory().machines().find((m) => m.name === 'web-a1')!;
    const r = await vms.POST(req('POST', '/api/v1/vms', base('big', { memoryMB: 4096, cpuCount: 8 })));
    const p = await r.json();
    expect(r.status, JSON.stringify(p)).toBe(409);
    expect(p.title).toBe('Tenant quota exceeded');
    expect(p.errors).toEqual([
      { field: 'cpuCount', message: `Exceeds tenant blue's vCPU quota (8) by ${used.cpuCount}` },
      { field: 'memoryMB', message: `Exceeds tenant blue's memory quota (4096 MB) by ${used.memoryMB} MB` },
    ]);
    const disk = await (await vms.POST(req('POST', '/api/v1/vms', base('disky', { memoryMB: 4, disk: { new: { sizeGB: 200 } } })))).json();
    expect(disk.errors).toContainEqual({ field: 'disk.new.sizeGB', message: "Exceeds tenant blue's disk quota (100 GB) by 100 GB" });
    // Only admins name another tenant.
    expect((await vms.POST(req('POST', '/api/v1/vms', base('x', { tenant: 'red', memoryMB: 4 })))).status).toBe(403);
  });

  it('places only on the tenant\'s hosts and tags the new machine with the tenant', async () => {
    as(admin);
    await tenant.PATCH(req('PATCH', '/x', { allowedHostIds: [hostIds[1]], maxMemoryMB: null }), ctx(blue.id));
    as(blueOp);
    let r = await vms.POST(req('POST', '/api/v1/vms', base('blue-1', { memoryMB: 64, hostId: hostIds[0] })));
    expect(r.status).toBe(409);
    expect((await r.json()).errors).toEqual([{ field: 'hostId', message: "Not one of tenant blue's hosts" }]);
    r = await vms.POST(req('POST', '/api/v1/vms', base('blue-1', { memoryMB: 64 })));
    const task = await r.json();
    expect(r.status, JSON.stringify(task)).toBe(202);
    expect((await waitForTask(task.id, 20_000)).status).toBe('succeeded');
    const made = await until('the new machine', () => getInventory().machines().find((m) => m.name === 'blue-1'));
    expect(made).toMatchObject({ hostId: hostIds[1], tenant: 'blue' });
    // The machine-count quota (2) is now used up.
    r = await vms.POST(req('POST', '/api/v1/vms', base('blue-2', { memoryMB: 64 })));
    expect((await r.json()).errors).toEqual([{ field: 'tenant', message: "Exceeds tenant blue's machine-count quota (2) by 1" }]);
  });

  it('refuses an edit that grows past a quota; shrinking always fits', async () => {
    const made = getInventory().machines().find((m) => m.name === 'blue-1')!;
    const web = getInventory().machines().find((m) => m.name === 'web-a1')!;
    const limit = web.memoryMB + made.memoryMB;
    as(admin);
    await tenant.PATCH(req('PATCH', '/x', { maxMemoryMB: limit }), ctx(blue.id));
    as(blueOp);
    const r = await vm.PATCH(req('PATCH', '/x', { memoryMB: made.memoryMB + 100 }), ctx(made.id));
    const p = await r.json();
    expect(r.status, JSON.stringify(p)).toBe(409);
    expect(p.errors).toEqual([{ field: 'memoryMB', message: `Exceeds tenant blue's memory quota (${limit} MB) by 100 MB` }]);
    const ok = await vm.PATCH(req('PATCH', '/x', { memoryMB: 32 }), ctx(made.id));
    expect(ok.status).toBe(202);
    expect((await waitForTask((await ok.json()).id, 20_000)).status).toBe('succeeded');
  });
});

describe('audit', () => {
  it('records every mutating call with who, tenant, what, target, result and address; admins query and export it', async () => {
    as(admin);
    const r = await audit.GET(req('GET', '/api/v1/audit?user=bob&limit=500'));
    const { events } = await r.json();
    expect(events.length).toBeGreaterThan(3);
    expect(events.every((e: { username: string }) => e.username === 'bob')).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ tenant: 'blue', action: 'vm:create POST', target: '/api/v1/vms', result: 'success' }));
    expect(events).toContainEqual(expect.objectContaining({ action: 'vm:create POST', result: 'failure', detail: 'HTTP 409' }));
    const tenantMoves = (await (await audit.GET(req('GET', '/api/v1/audit?action=vm:tenant*'))).json()).events;
    // bob's 404, the admin's 400 (unknown tenant), and two moves.
    expect(tenantMoves.map((e: { result: string }) => e.result).sort()).toEqual(['failure', 'failure', 'success', 'success']);
    const later = (await (await audit.GET(req('GET', `/api/v1/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`))).json()).events;
    expect(later).toEqual([]);
    const csv = await audit.GET(req('GET', '/api/v1/audit?tenant=blue&format=csv'));
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe('at,username,userId,tenant,action,target,result,address,detail,id');
    expect(text).toContain(',bob,u-bo,blue,vm:create POST,/api/v1/vms,success,');
    expect((await audit.GET(req('GET', '/api/v1/audit?from=yesterday'))).status).toBe(400);
    as(blueOp);
    expect((await audit.GET(req('GET', '/api/v1/audit'))).status).toBe(403);
  });
});
