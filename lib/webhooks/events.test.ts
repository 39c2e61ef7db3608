import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import type { TestCluster } from '@/lib/cluster/testing';
import type { Receiver, Received } from './testing';

/*
 * Where the events come from, on a real vboxsim cluster over HTTP: a host's vboxwebsrv dies and comes
 * back (host.down, host.up, and HA's suspicion and return as ha.action), a task fails (task.failed),
 * a tenant's quota refuses a create (quota.reached). Delivered to a real receiver on 127.0.0.1.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-webhook-events-'));

const { startTestCluster, until } = await import('@/lib/cluster/testing');
const { getDb } = await import('@/lib/db');
const { getInventory } = await import('@/lib/cluster/inventory');
const { startWebhooks, stopWebhooks, verifySignature } = await import('./index');
const store = await import('./store');
const { startReceiver } = await import('./testing');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
let cluster: TestCluster;
let receiver: Receiver;
let secret: string;

const control = (i: number, p: string) => fetch(`${cluster.sim.hosts[i].control}${p}`, { method: 'POST' }).then((r) => r.json());
const received = (event: string) => receiver.requests.filter((r) => r.headers['x-nimbox-event'] === event);
const dataOf = (r: Received) => JSON.parse(r.body).data;

beforeAll(async () => {
  receiver = await startReceiver();
  const db = await getDb();
  secret = (await store.createWebhook(db, store.webhookSchema.parse({
    name: 'all', url: `${receiver.url}/nimbox`, events: ['host.down', 'host.up', 'ha.action', 'task.failed', 'quota.reached'],
  }))).secret;
  // Listening before the hosts' first scans: those are no transitions.
  await startWebhooks({ timing: { backoffMs: [100], timeoutMs: 2_000, pollMs: 50 } });
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 1, control: true, vrdeBase: 43000 + Math.floor(Math.random() * 100) * 100, machines: 2, hostsUp: true,
    host: ({ sim }) => ({ storagePath: sim.storageDir }),
  });
});

afterAll(async () => {
  await (await import('@/lib/ha')).stopHa();
  await stopWebhooks();
  await cluster?.stop();
  await receiver?.close();
  dataDir.remove();
});

describe('webhook events from the cluster', () => {
  it('a host that stops answering: host.down (and HA suspects it); back: host.up (and HA says it returned) — transitions only', async () => {
    const { startHa } = await import('@/lib/ha');
    await startHa({ tickMs: 100, graceMs: 600_000 });
    // The first scans were heard, but were no transitions.
    await new Promise((r) => setTimeout(r, 300));
    expect(received('host.up')).toEqual([]);
    expect(received('host.down')).toEqual([]);

    const bravo = cluster.hosts[1];
    await control(1, '/soap/down');
    const [down] = await until('host.down', () => received('host.down').length > 0 && received('host.down'), 15_000);
    expect(dataOf(down)).toMatchObject({ host: { id: bravo.id, name: 'vbox-bravo' }, health: 'down', lastError: expect.any(String) });
    expect(verifySignature(secret, down.headers['x-nimbox-signature'] as string, down.body)).toBe(true);
    const suspect = await until('ha.action suspect', () => received('ha.action').find((r) => dataOf(r).action === 'ha.suspect'), 15_000);
    expect(dataOf(suspect)).toMatchObject({ target: bravo.id, result: 'failure', by: 'nimbox-ha', detail: expect.stringContaining('vbox-bravo') });

    await control(1, '/soap/up');
    const [up] = await until('host.up', () => received('host.up').length > 0 && received('host.up'), 15_000);
    expect(dataOf(up)).toMatchObject({ host: { id: bravo.id, name: 'vbox-bravo' }, health: 'up' });
    await until('ha.action returned', () => received('ha.action').find((r) => dataOf(r).action === 'ha.returned'), 15_000);
    // One fall and one return, of that host only, however many host events the inventory sent meanwhile.
    await new Promise((r) => setTimeout(r, 500));
    expect(received('host.down')).toHaveLength(1);
    expect(received('host.up')).toHaveLength(1);
    await (await import('@/lib/ha')).stopHa();
  });

  it('a task that fails: task.failed with its kind, target, error and user', async () => {
    const { startTask, waitForTask } = await import('@/lib/tasks');
    const alpha = cluster.hosts[0];
    const m = getInventory().machines().find((x) => x.hostId === alpha.id)!;
    const task = await startTask(
      { kind: 'vm.check', title: `Check ${m.name}`, target: { type: 'vm', id: m.id, name: m.name, hostId: alpha.id }, user: admin, locks: [m.id] },
      async (ctx) => {
        ctx.step(40, 'Looking for the machine');
        await getInventory().monitor(alpha.id)!.client.scope((vbox) => vbox.findMachine('no-such-machine'));
      },
    );
    expect((await waitForTask(task.id)).status).toBe('failed');
    const [r] = await until('task.failed', () => received('task.failed').length > 0 && received('task.failed'), 10_000);
    expect(dataOf(r)).toEqual({
      task: expect.objectContaining({ id: task.id, kind: 'vm.check', title: `Check ${m.name}`, status: 'failed', target: { type: 'vm', id: m.id, name: m.name }, hostId: alpha.id }),
      tenant: null,
      user: { id: admin.id, username: 'admin' },
      error: { title: 'VirtualBox refused the operation', detail: expect.stringContaining('no-such-machine'), resultCode: 'VBOX_E_OBJECT_NOT_FOUND', step: 'Looking for the machine' },
    });
    await new Promise((r2) => setTimeout(r2, 300));
    expect(received('task.failed')).toHaveLength(1);
  });

  it("a create refused by the tenant's quota: quota.reached with the quota, its use and limit", async () => {
    const { createTenant } = await import('@/lib/tenants');
    const ops = await import('@/lib/cluster/operations');
    await createTenant({ name: 'blue', maxVcpus: 2 });
    await expect(ops.planCreate({ name: 'too-big', osTypeId: 'Debian12_64', memoryMB: 64, cpuCount: 4, tenant: 'blue' }, admin)).rejects.toThrow(/vCPU quota/);
    const [r] = await until('quota.reached', () => received('quota.reached').length > 0 && received('quota.reached'), 10_000);
    expect(dataOf(r)).toEqual({
      tenant: 'blue', quota: 'maxVcpus', used: 0, limit: 2, requested: 4, field: 'cpuCount', message: "Exceeds tenant blue's vCPU quota (2) by 2",
    });
  });

  it("a new disk refused by the tenant's disk quota: quota.reached", async () => {
    const { createTenant } = await import('@/lib/tenants');
    const { reserveDisk } = await import('@/lib/media/quota');
    await createTenant({ name: 'red', maxDiskGB: 1 });
    await expect(reserveDisk({ tenant: 'red', location: `${cluster.sim.storageDir}/red/big.vdi`, bytes: 5 * 1024 ** 3, inv: getInventory() })).rejects.toThrow(/disk quota/);
    const r = await until('quota.reached for red', () => received('quota.reached').find((x) => dataOf(x).tenant === 'red'), 10_000);
    expect(dataOf(r)).toEqual({ tenant: 'red', quota: 'maxDiskGB', used: null, limit: 1, requested: 5, field: 'logicalSizeBytes', message: expect.stringMatching(/^Exceeds tenant red's disk quota of 1 GB/) });
  });
});
