import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import type { Inventory } from '@/lib/cluster/inventory';
import type { Coord } from '@/lib/coord';
import type { DB } from '@/lib/db';
import type { HostView } from '@/lib/db/hosts';
import type { Sim } from '@/sim/index';

/*
 * Which instance does what (issue 19): two instances on one PostgreSQL. The other instance (its own database
 * handle, coord and inventory) runs a vboxsim host's event listener; this process's instance answers the API.
 * Admins see the listener's instance on GET /api/v1/hosts and /hosts/:id, and every instance with its leases on
 * GET /api/v1/cluster/instances; when the other instance stops, this one takes the listener over and the
 * answers follow. A tenant's users never see an instance id (no field, 403). Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => {
  const dir = (await import('@/lib/cluster/testing')).tempDataDir('nimbox-cluster-instances-');
  const { createTestDatabase, ensureTestPostgres } = await import('@/lib/db/pg-testing');
  process.env.DATABASE_URL = createTestDatabase(await ensureTestPostgres());
  return dir;
});
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: instances } = await import('./route');
const { GET: listHosts } = await import('../../hosts/route');
const { GET: readHost } = await import('../../hosts/[id]/route');
const { Inventory: InventoryClass, getInventory } = await import('@/lib/cluster/inventory');
const { registerHosts, until } = await import('@/lib/cluster/testing');
const { getCoord, openCoord } = await import('@/lib/coord');
const { getDb, openDb } = await import('@/lib/db');
const { createTenant } = await import('@/lib/tenants');
const { startSim } = await import('@/sim/index');

const admin: User = { id: 'u-admin', username: 'admin', realm: 'local', role: 'admin', tenant: null };
const greenOp: User = { id: 'u-go', username: 'gil', realm: 'local', role: 'operator', tenant: 'green' };
const greenViewer: User = { id: 'u-gv', username: 'gina', realm: 'local', role: 'viewer', tenant: 'green' };
const TIMING = { pollMs: 500, reconcileMs: 700, backoffMs: 100, maxBackoffMs: 400, timeoutMs: 2_000 };

let sim: Sim;
let host: HostView;
let other: { db: DB; coord: Coord; inventory: Inventory; stopped: boolean };

const get = (url: string) => new Request(`http://localhost${url}`);
const as = (u: User) => { session.user = u; };
const body = async (r: Response) => {
  expect(r.status, await r.clone().text()).toBe(200);
  return r.json();
};

async function stopOther(): Promise<void> {
  if (!other || other.stopped) return;
  other.stopped = true;
  await other.inventory.stop();
  await other.coord.stop();
  await other.db.destroy();
}

beforeAll(async () => {
  sim = await startSim({ hosts: 1, port: 0, vms: 1, vrdeBase: 31000 + Math.floor(Math.random() * 100) * 100 });
  [host] = await registerHosts(await getDb(), sim);
  await createTenant({ name: 'green' });
  const db = await openDb(process.env.DATABASE_URL!);
  const coord = await openCoord(db);
  const inventory = new InventoryClass(async () => db, TIMING, async () => coord);
  other = { db, coord, inventory, stopped: false };
  await inventory.start();
  await until("the other instance running the host's listener", () => coord.holds(`host:${host.id}`), 15_000);
}, 60_000);

afterAll(async () => {
  await stopOther();
  await getInventory().stop();
  await (await getCoord()).stop();
  await sim?.stop();
  dataDir.remove();
});

describe('which instance does what (PostgreSQL, two instances)', () => {
  it("shows admins the instance running a host's listener, and every instance with its leases", async () => {
    const self = await getCoord();
    expect(self.shared).toBe(true);
    as(admin);
    const { hosts } = await body(await listHosts(get('/api/v1/hosts')));
    expect(hosts.map((h: { id: string; listener: unknown }) => [h.id, h.listener])).toEqual([[host.id, { instance: other.coord.instanceId }]]);
    expect((await body(await readHost(get(`/api/v1/hosts/${host.id}`), { params: Promise.resolve({ id: host.id }) }))).listener).toEqual({ instance: other.coord.instanceId });

    const listed = (await body(await instances(get('/api/v1/cluster/instances')))).instances;
    expect(listed).toEqual([
      { id: self.instanceId, self: true, leases: [] },
      { id: other.coord.instanceId, self: false, leases: [`host:${host.id}`] },
    ]);
  });

  it("never shows a tenant's users an instance: no listener field, 403 on the instances", async () => {
    for (const user of [greenOp, greenViewer]) {
      as(user);
      const r = await listHosts(get('/api/v1/hosts'));
      const text = await r.text();
      expect(r.status).toBe(200);
      expect(JSON.parse(text).hosts.map((h: { id: string }) => h.id)).toEqual([host.id]);
      expect(text).not.toContain('listener');
      expect(text).not.toContain(other.coord.instanceId);
      const one = await (await readHost(get(`/api/v1/hosts/${host.id}`), { params: Promise.resolve({ id: host.id }) })).text();
      expect(one).not.toContain('listener');
      expect(one).not.toContain(other.coord.instanceId);
      expect((await instances(get('/api/v1/cluster/instances'))).status).toBe(403);
    }
  });

  it('follows a takeover: this instance runs the listener once the other stops', async () => {
    await getInventory().start();
    await stopOther();
    const self = await getCoord();
    as(admin);
    await until('this instance running the listener', async () =>
      (await body(await listHosts(get('/api/v1/hosts')))).hosts[0].listener?.instance === self.instanceId, 20_000);
    const listed = (await body(await instances(get('/api/v1/cluster/instances')))).instances;
    expect(listed).toEqual([{ id: self.instanceId, self: true, leases: [`host:${host.id}`] }]);
  }, 30_000);
});
