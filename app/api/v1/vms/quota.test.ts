import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { startTestCluster, until, type TestCluster } from '@/lib/cluster/testing';
import type { Tenant } from '@/lib/tenants';

/*
 * A hostile tenant against the quotas and machine names (issue 12): parallel creates and edits must not
 * overrun a quota, a failed create gives its share back, and a name clash tells a tenant's user nothing of
 * the machine holding the name. Two vboxsim hosts and a SQLite file; only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-quota-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const vms = await import('./route');
const vm = await import('./[id]/route');
const vmTenant = await import('./[id]/tenant/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { waitForTask } = await import('@/lib/tasks');
const { createTenant, updateTenant } = await import('@/lib/tenants');
const { getDb } = await import('@/lib/db');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const blueOp: User = { id: 'u-bo', username: 'bob', realm: 'local', role: 'operator', tenant: 'blue' };

let cluster: TestCluster;
let blue: Tenant;
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const req = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const as = (u: User) => { session.user = u; };
const create = (name: string, extra: Record<string, unknown> = {}) =>
  vms.POST(req('POST', '/api/v1/vms', { name, osTypeId: 'Debian12_64', memoryMB: 64, ...extra }));
const blueMachines = () => getInventory().machines().filter((m) => m.tenant === 'blue');

interface Answer { status: number; body: { id?: string; title?: string; detail?: string; errors?: { field: string; message: string }[] } }
const answer = async (r: Response): Promise<Answer> => ({ status: r.status, body: await r.json() });

/** Every accepted create's task must end as `status` (so that the cluster is quiet before the next test). */
async function settle(answers: Answer[], status = 'succeeded') {
  for (const a of answers.filter((x) => x.status === 202)) expect((await waitForTask(a.body.id!, 20_000)).status).toBe(status);
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 2, vrdeBase: 36000 + Math.floor(Math.random() * 200) * 100, machines: 4, hostsUp: true,
    host: ({ sim }) => ({ storagePath: sim.storageDir }),
  });
  blue = await createTenant({ name: 'blue', maxMachines: 5 });
  // Three of the four machines are blue's: 3 of 5.
  as(admin);
  for (const m of getInventory().machines().slice(0, 3)) {
    expect((await vmTenant.PUT(req('PUT', '/x', { tenant: 'blue' }), ctx(m.id))).status).toBe(200);
  }
  await until('three blue machines', () => blueMachines().length === 3);
});

afterAll(async () => {
  await cluster?.stop();
  await (await getDb()).destroy();
  dataDir.remove();
});

describe('quotas under parallel requests', () => {
  it('five simultaneous creates at 3 of 5 machines: two are accepted, three refused naming the quota and the excess', async () => {
    as(blueOp);
    const answers = await Promise.all([1, 2, 3, 4, 5].map(async (i) => answer(await create(`par-${i}`))));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body.title).toBe('Tenant quota exceeded');
      expect(a.body.errors).toEqual([{ field: 'tenant', message: "Exceeds tenant blue's machine-count quota (5) by 1" }]);
    }
    await settle(answers);
    // Full, whether or not the inventory has seen the two yet (the reservation holds until it has).
    expect((await create('par-6')).status).toBe(409);
    await until('five blue machines', () => blueMachines().length === 5);
    expect((await create('par-6')).status).toBe(409);
  });

  it('counts vCPUs and memory of creates in flight too', async () => {
    as(admin);
    const used = blueMachines().reduce((s, m) => ({ vcpus: s.vcpus + m.cpuCount, mem: s.mem + m.memoryMB }), { vcpus: 0, mem: 0 });
    await updateTenant(blue.id, { maxMachines: null, maxVcpus: used.vcpus + 2 });
    as(blueOp);
    let answers = await Promise.all([1, 2, 3, 4].map(async (i) => answer(await create(`cpu-${i}`))));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body.errors).toEqual([{ field: 'cpuCount', message: `Exceeds tenant blue's vCPU quota (${used.vcpus + 2}) by 1` }]);
    }
    await settle(answers);

    as(admin);
    await until('the vCPU creates in the inventory', () => blueMachines().length === 7);
    const mem = blueMachines().reduce((s, m) => s + m.memoryMB, 0);
    await updateTenant(blue.id, { maxVcpus: null, maxMemoryMB: mem + 128 });
    as(blueOp);
    answers = await Promise.all([1, 2, 3].map(async (i) => answer(await create(`mem-${i}`))));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 409]);
    expect(answers.find((a) => a.status === 409)!.body.errors).toEqual([{ field: 'memoryMB', message: `Exceeds tenant blue's memory quota (${mem + 128} MB) by 64 MB` }]);
    await settle(answers);
  });

  it('counts edits in flight that grow a machine', async () => {
    as(admin);
    await until('the last creates in the inventory', () => blueMachines().length === 9);
    const mem = blueMachines().reduce((s, m) => s + m.memoryMB, 0);
    await updateTenant(blue.id, { maxMemoryMB: mem + 100 });
    const off = blueMachines().filter((m) => m.state === 'PoweredOff').slice(0, 2);
    expect(off).toHaveLength(2);
    as(blueOp);
    const answers = await Promise.all(off.map(async (m) => answer(await vm.PATCH(req('PATCH', '/x', { memoryMB: m.memoryMB + 100 }), ctx(m.id)))));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(answers.find((a) => a.status === 409)!.body.errors).toEqual([{ field: 'memoryMB', message: `Exceeds tenant blue's memory quota (${mem + 100} MB) by 100 MB` }]);
    await settle(answers);
  });

  it('gives back what a failed create held, and what a stopped process left behind', async () => {
    as(admin);
    await updateTenant(blue.id, { maxMemoryMB: null, maxMachines: blueMachines().length + 1 });
    // An ISO that is not there: the task fails at "Attaching ISO" and rolls back.
    const failed = await answer(await create('doomed', { tenant: 'blue', iso: `${cluster.sim.storageDir}/missing.iso` }));
    expect(failed.status, JSON.stringify(failed.body)).toBe(202);
    await settle([failed], 'failed');
    // Registered before the step that failed: counted by the inventory until its rollback shows there.
    await until('the failed machine gone', () => !getInventory().machines().some((m) => m.name === 'doomed'));
    // A reservation no job holds (its process stopped) does not count.
    await (await getDb()).insertInto('quota_reservations').values({
      id: 'left-behind', tenant: 'blue', task_id: 'gone', machine_id: '11111111-1111-1111-1111-111111111111',
      machines: 10, vcpus: 10, memory_mb: 10_000, disk_gb: 0, created_at: new Date().toISOString(),
    }).execute();
    as(blueOp);
    const ok = await answer(await create('after-failure'));
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    await settle([ok]);
    const rows = await (await getDb()).selectFrom('quota_reservations').select('id').where('id', '=', 'left-behind').execute();
    expect(rows).toEqual([]);
  });

  it("counts a new machine's disk with every medium in the tenant's folder, and parallel creates against each other", async () => {
    as(admin);
    await updateTenant(blue.id, { maxMachines: null, maxDiskGB: 2 });
    as(blueOp);
    const first = await answer(await create('disk-1', { disk: { new: { sizeGB: 1.25 } } }));
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    await settle([first]);
    // 1.25 GB is on the storage now (lib/media counts logical sizes): two more 0.5 GB disks at once, one fits.
    const answers = await Promise.all([2, 3].map(async (i) => answer(await create(`disk-${i}`, { disk: { new: { sizeGB: 0.5 } } }))));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(answers.find((a) => a.status === 409)!.body.errors).toEqual([
      { field: 'disk.new.sizeGB', message: "Exceeds tenant blue's disk quota of 2 GB: 1.75 GB used, 0.5 GB asked" },
    ]);
    await settle(answers);
    as(admin);
    await updateTenant(blue.id, { maxDiskGB: null });
  });
});

describe('a name clash', () => {
  it("tells a tenant's user only that the name is taken, on create and rename; admins see where", async () => {
    const other = getInventory().machines().find((m) => m.tenant !== 'blue')!;
    const mine = blueMachines().find((m) => m.state === 'PoweredOff')!;
    as(blueOp);
    for (const r of [await create(other.name.toUpperCase()), await vm.PATCH(req('PATCH', '/x', { name: other.name }), ctx(mine.id))]) {
      const text = await r.text();
      expect(r.status).toBe(409);
      expect(text).not.toContain(other.hostName);
      expect(text).not.toContain(other.id);
      expect(JSON.parse(text).errors).toEqual([{ field: 'name', message: 'This name is taken' }]);
    }
    // Not even the other machine's spelling of the name.
    expect(await (await create(other.name.toUpperCase())).text()).not.toContain(other.name);
    as(admin);
    const r = await create(other.name);
    expect(r.status).toBe(409);
    expect((await r.json()).detail).toContain(other.hostName);
  });
});
