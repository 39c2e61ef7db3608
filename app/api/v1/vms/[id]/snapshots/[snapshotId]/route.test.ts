import fs from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ctx, json, problem } from '@/lib/api/testing';
import type { User } from '@/lib/auth/policy';
import { blueOp, blueViewer, createBlueAndRed, redOp, withSessionUser } from '@/lib/auth/testing';
import type { SnapshotTree } from '@/lib/cluster/operations';
import { cleanUpAfterAll, copyOn, sharedStorageHosts, startTwoHosts, type TestCluster } from '@/lib/cluster/testing';

/*
 * PATCH /api/v1/vms/:id/snapshots/:snapshotId (rename, description) against two real vboxsim hosts, the
 * machine registered on both: the hostile tenant first, then the change as VirtualBox holds it (its
 * saved settings, while the machine runs too) and VirtualBox's rules. Only `currentUser` is replaced.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-snapshot-edit-'));
cleanUpAfterAll(dataDir);
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { PATCH: patch } = await import('./route');
const { GET: tree, POST: take } = await import('../route');
const { waitForTask } = await import('@/lib/tasks');
const { createOn, powerAction } = await import('@/lib/ha/testing');

let cluster: TestCluster;
let web: string;
let first: string;

const as = (u: User) => { session.user = u; };
const edit = (id: string, snapshotId: string, body: unknown) =>
  patch(json('PATCH', `/api/v1/vms/${id}/snapshots/${snapshotId}`, body), ctx({ id, snapshotId }));

async function treeOf(id: string): Promise<SnapshotTree> {
  const r = await tree(json('GET', `/api/v1/vms/${id}/snapshots`), ctx({ id }));
  expect(r.status).toBe(200);
  return r.json();
}

/** The snapshot as the host's VirtualBox saved it in the machine's settings file. */
function saved(id: string, snapshotId: string): { name: string; description: string } | undefined {
  const c = copyOn(0, id);
  type Node = { id: string; name: string; description: string; children: Node[] };
  const file = JSON.parse(fs.readFileSync(c.settingsFile, 'utf8')) as { snapshot?: Node };
  const find = (n: Node | undefined): Node | undefined => (!n ? undefined : n.id === snapshotId ? n : n.children.map(find).find(Boolean));
  const n = find(file.snapshot);
  return n && { name: n.name, description: n.description };
}

beforeAll(async () => {
  cluster = await startTwoHosts({
    vrdeBase: 27000 + Math.floor(Math.random() * 150) * 100, control: false, host: sharedStorageHosts({ bridgeAdapter: 'vbox0' }),
  });
  await createBlueAndRed();
  as(blueOp);
  web = await createOn(cluster.hosts[0], 'web', { memoryMB: 128, registerOnOtherHosts: true });
  const r = await take(json('POST', `/api/v1/vms/${web}/snapshots`, { name: 'clean', description: 'fresh install' }), ctx({ id: web }));
  expect(r.status).toBe(202);
  expect((await waitForTask((await r.json()).id, 20_000)).status).toBe('succeeded');
  first = (await treeOf(web)).tree[0].id;
}, 60_000);

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
