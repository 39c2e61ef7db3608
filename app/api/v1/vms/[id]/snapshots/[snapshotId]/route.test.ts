import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import type { SnapshotTree } from '@/lib/cluster/operations';
import { startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import type { Sim } from '@/sim/index';

/*
 * PATCH /api/v1/vms/:id/snapshots/:snapshotId (rename, description) against two real vboxsim hosts, the
 * machine registered on both: the hostile tenant first, then the change as VirtualBox holds it (its
 * saved settings, while the machine runs too) and VirtualBox's rules. Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-snapshot-edit-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { PATCH: patch } = await import('./route');
const { GET: tree, POST: take } = await import('../route');
const { waitForTask } = await import('@/lib/tasks');
const { createTenant } = await import('@/lib/tenants');
const { createOn, powerAction } = await import('@/lib/ha/testing');

const blueOp: User = { id: 'u-bo', username: 'bob', realm: 'local', role: 'operator', tenant: 'blue' };
const blueViewer: User = { id: 'u-bv', username: 'vic', realm: 'local', role: 'viewer', tenant: 'blue' };
const redOp: User = { id: 'u-ro', username: 'rita', realm: 'local', role: 'operator', tenant: 'red' };
let cluster: TestCluster;
let sim: Sim;
let web: string;
let first: string;

const as = (u: User) => { session.user = u; };
const json = (method: string, url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const edit = (id: string, snapshotId: string, body: unknown) =>
  patch(json('PATCH', `/api/v1/vms/${id}/snapshots/${snapshotId}`, body), { params: Promise.resolve({ id, snapshotId }) });

async function treeOf(id: string): Promise<SnapshotTree> {
  const r = await tree(json('GET', `/api/v1/vms/${id}/snapshots`), { params: Promise.resolve({ id }) });
  expect(r.status).toBe(200);
  return r.json();
}

async function problem(r: Response, status: number) {
  const p = await r.json();
  expect(r.status, JSON.stringify(p)).toBe(status);
  return p as { detail: string; errors?: { field: string; message: string }[] };
}

/** The snapshot as the host's VirtualBox saved it in the machine's settings file. */
function saved(id: string, snapshotId: string): { name: string; description: string } | undefined {
  const c = sim.hosts[0].sim.machines().find((m) => m.id === id)!;
  type Node = { id: string; name: string; description: string; children: Node[] };
  const file = JSON.parse(fs.readFileSync(c.settingsFile, 'utf8')) as { snapshot?: Node };
  const find = (n: Node | undefined): Node | undefined => (!n ? undefined : n.id === snapshotId ? n : n.children.map(find).find(Boolean));
  const n = find(file.snapshot);
  return n && { name: n.name, description: n.description };
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 0, vrdeBase: 27000 + Math.floor(Math.random() * 150) * 100,
    timing: { start: 50, stop: 20, save: 20, acpiShutdown: 50 },
    host: ({ sim: s, info }) => ({ storagePath: s.storageDir, vrdePorts: info.vrdePorts, bridgeAdapter: 'vbox0' }),
    prepare: (s) => { sim = s; },
    machines: 0, hostsUp: true, timeoutMs: 20_000,
  });
  await createTenant({ name: 'blue' });
  await createTenant({ name: 'red' });
  as(blueOp);
  web = await createOn(cluster.hosts[0], 'web', { memoryMB: 128, registerOnOtherHosts: true });
  const r = await take(json('POST', `/api/v1/vms/${web}/snapshots`, { name: 'clean', description: 'fresh install' }), { params: Promise.resolve({ id: web }) });
  expect(r.status).toBe(202);
  expect((await waitForTask((await r.json()).id, 20_000)).status).toBe('succeeded');
  first = (await treeOf(web)).tree[0].id;
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('hostile callers', () => {
  it("answers another tenant's machine as if it did not exist, a viewer 403, and changes nothing", async () => {
    as(redOp);
    await problem(await edit(web, first, { name: 'stolen' }), 404);
    as(blueViewer);
    await problem(await edit(web, first, { name: 'viewed' }), 403);
    as(blueOp);
    expect((await treeOf(web)).tree[0]).toMatchObject({ name: 'clean', description: 'fresh install' });
  });
});

describe('renaming a snapshot', () => {
  it('renames it and changes its description, saved by VirtualBox at once', async () => {
    as(blueOp);
    const r = await edit(web, first, { name: 'base', description: 'Debian 12, nothing else' });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ id: first, name: 'base', description: 'Debian 12, nothing else', online: false });
    expect(body.children).toBeUndefined();
    expect((await treeOf(web)).tree[0]).toMatchObject({ name: 'base', description: 'Debian 12, nothing else' });
    // Only the description: the name stays.
    await edit(web, first, { description: '' });
    expect((await treeOf(web)).tree[0]).toMatchObject({ name: 'base', description: '' });
    expect(saved(web, first)).toEqual({ name: 'base', description: '' });
  });

  it('works while the machine runs', async () => {
    as(blueOp);
    expect((await powerAction(web, 'start')).taskStatus).toBe('succeeded');
    const r = await edit(web, first, { name: 'base (running)' });
    expect(r.status).toBe(200);
    expect((await treeOf(web)).tree[0].name).toBe('base (running)');
    expect((await powerAction(web, 'poweroff')).taskStatus).toBe('succeeded');
  });

  it('refuses what VirtualBox refuses, naming the field, and an unknown snapshot', async () => {
    as(blueOp);
    const p = await problem(await edit(web, first, { name: '6c6a0d41-8e2c-4a8c-9f7e-0123456789ab' }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['name']);
    expect((await problem(await edit(web, first, { name: '  ' }), 400)).errors?.map((e) => e.field)).toEqual(['name']);
    expect((await problem(await edit(web, first, {}), 400)).errors?.map((e) => e.field)).toEqual(['body']);
    await problem(await edit(web, '00000000-0000-0000-0000-0000000000aa', { name: 'x' }), 404);
    expect((await treeOf(web)).tree[0].name).toBe('base (running)');
  });
});
