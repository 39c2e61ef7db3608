import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import type { SnapshotTree } from '@/lib/cluster/operations';
import { idOf, startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import type { Task } from '@/lib/tasks';

/*
 * The snapshot routes against two real vboxsim hosts registered in a SQLite file; only
 * `currentUser` is replaced (route(), policy, validation, inventory and tasks are real).
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-snapshots-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: tree, POST: take } = await import('./route');
const { DELETE: remove } = await import('./[snapshotId]/route');
const { POST: restore } = await import('./[snapshotId]/restore/route');
const { getInventory } = await import('@/lib/cluster/inventory');
const { waitForTask } = await import('@/lib/tasks');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const viewer: User = { id: 'u2', username: 'viewer', realm: 'local', role: 'viewer' };
let cluster: TestCluster;

const req = (method: string, body?: unknown) =>
  new Request('http://localhost/api/v1/vms/x/snapshots', { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const sctx = (id: string, snapshotId: string) => ({ params: Promise.resolve({ id, snapshotId }) });

async function finished(r: Response): Promise<Task> {
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(202);
  expect(r.headers.get('location')).toBe(`/api/v1/tasks/${body.id}`);
  const t = await waitForTask(body.id, 20_000);
  expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
  return t;
}

async function treeOf(id: string): Promise<SnapshotTree> {
  const r = await tree(req('GET'), ctx(id));
  expect(r.status).toBe(200);
  return r.json();
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 2, vrdeBase: 27000 + Math.floor(Math.random() * 200) * 100,
    host: ({ sim }) => ({ storagePath: sim.storageDir }), machines: 4,
  });
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('snapshots', () => {
  it('takes snapshots of a powered-off machine and shows them as a tree', async () => {
    session.user = admin;
    const id = idOf('db-a2');
    expect(await treeOf(id)).toEqual({ current: null, tree: [] });
    const first = await finished(await take(req('POST', { name: 'clean install', description: 'before anything' }), ctx(id)));
    expect(first).toMatchObject({ kind: 'snapshot.take', title: 'Take snapshot "clean install" of db-a2', targetId: id });
    await finished(await take(req('POST', { name: 'configured' }), ctx(id)));
    const t = await treeOf(id);
    expect(t.tree).toHaveLength(1);
    const [root] = t.tree;
    expect(root).toMatchObject({ name: 'clean install', description: 'before anything', online: false, children: [{ name: 'configured', description: '', online: false, children: [] }] });
    expect(Date.parse(root.timeStamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(t.current).toBe(root.children[0].id);
  });

  it('takes a snapshot of a running machine (online)', async () => {
    session.user = admin;
    const id = idOf('web-a1');
    expect(getInventory().machine(id)?.state).toBe('Running');
    await finished(await take(req('POST', { name: 'live' }), ctx(id)));
    const t = await treeOf(id);
    expect(t.tree[0]).toMatchObject({ name: 'live', online: true });
    expect(cluster.sim.hosts[0].sim.findCore(id)?.state).toBe('Running');
  });

  it('restores a snapshot of a powered-off machine, and refuses while it runs', async () => {
    session.user = admin;
    const id = idOf('db-a2');
    const before = await treeOf(id);
    const root = before.tree[0];
    await finished(await restore(req('POST'), sctx(id, root.id)));
    expect((await treeOf(id)).current).toBe(root.id);

    const web = idOf('web-a1');
    const live = (await treeOf(web)).tree[0];
    const r = await restore(req('POST'), sctx(web, live.id));
    expect(r.status).toBe(409);
    expect((await r.json()).detail).toContain('Running');
  });

  it('deletes a snapshot; unknown ones are 404, bad bodies 400, others may not', async () => {
    session.user = admin;
    const id = idOf('db-a2');
    const child = (await treeOf(id)).tree[0].children[0];
    await finished(await remove(req('DELETE'), sctx(id, child.id)));
    expect((await treeOf(id)).tree[0].children).toEqual([]);
    expect((await remove(req('DELETE'), sctx(id, child.id))).status).toBe(404);
    expect((await restore(req('POST'), sctx(id, '00000000-0000-4000-8000-000000000000'))).status).toBe(404);

    const bad = await take(req('POST', { name: '  ', extra: 1 }), ctx(id));
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.map((e: { field: string }) => e.field).sort()).toEqual(['body', 'name']);
    expect((await tree(req('GET'), ctx('00000000-0000-0000-0000-000000000000'))).status).toBe(404);

    expect((await treeOf(id)).tree).toHaveLength(1);
    session.user = viewer;
    expect((await take(req('POST', { name: 'nope' }), ctx(id))).status).toBe(403);
    expect((await remove(req('DELETE'), sctx(id, child.id))).status).toBe(403);
  });
});
