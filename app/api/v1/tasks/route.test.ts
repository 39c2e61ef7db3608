import { afterAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import type { Task } from '@/lib/tasks/types';

/* The task routes over a real SQLite file; tasks are started through lib/tasks. Only `currentUser` is replaced. */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-tasks-api-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { GET: list } = await import('./route');
const { GET: detail } = await import('./[id]/route');
const { POST: cancel } = await import('./[id]/cancel/route');
const { startTask, waitForTask, getTask } = await import('@/lib/tasks');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const viewer: User = { id: 'u2', username: 'viewer', realm: 'local', role: 'viewer' };
const get = (url: string) => new Request(`http://localhost${url}`);
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const start = (name: string, job: Parameters<typeof startTask>[1]) =>
  startTask({ kind: 'test.job', title: `Job ${name}`, target: { type: 'vm', id: name, name, hostId: null }, user: admin, locks: [name] }, job);

afterAll(() => dataDir.remove());

describe('GET /api/v1/tasks', () => {
  it('lists newest first, filtered by status and target, limited', async () => {
    session.user = admin;
    const ids: string[] = [];
    for (const name of ['a', 'b', 'a']) {
      const t = await start(name, async () => undefined);
      ids.push(t.id);
      await waitForTask(t.id);
    }
    vi.spyOn(console, 'error').mockImplementationOnce(() => undefined);
    const failed = await start('c', async () => { throw new Error('no luck'); });
    await waitForTask(failed.id);
    const all: { tasks: Task[] } = await (await list(get('/api/v1/tasks'))).json();
    expect(all.tasks.map((t) => t.id)).toEqual([failed.id, ...[...ids].reverse()]);
    expect((await (await list(get('/api/v1/tasks?targetId=a'))).json()).tasks.map((t: Task) => t.id)).toEqual([ids[2], ids[0]]);
    expect((await (await list(get('/api/v1/tasks?status=failed'))).json()).tasks.map((t: Task) => t.id)).toEqual([failed.id]);
    expect((await (await list(get('/api/v1/tasks?limit=2'))).json()).tasks).toHaveLength(2);
    expect((await (await list(get(`/api/v1/tasks?before=${ids[2]}`))).json()).tasks.map((t: Task) => t.id)).toEqual([ids[1], ids[0]]);
  });

  it('answers 400 naming each invalid query field, and 401 signed out', async () => {
    session.user = admin;
    const r = await list(get('/api/v1/tasks?status=done&limit=0&sort=name'));
    expect(r.status).toBe(400);
    expect((await r.json()).errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'query', 'status']);
    expect((await list(get('/api/v1/tasks?limit=abc'))).status).toBe(400);
    expect((await list(get('/api/v1/tasks?limit=501'))).status).toBe(400);
    session.user = null;
    expect((await list(get('/api/v1/tasks'))).status).toBe(401);
  });
});

describe('GET /api/v1/tasks/:id', () => {
  it('reads a task (a running one as it is now) and answers 404 for an unknown id', async () => {
    session.user = admin;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const t = await start('d', async (ctx) => {
      ctx.step(42, 'Halfway');
      await gate;
    });
    await vi.waitFor(async () => expect((await getTask(t.id))!.percent).toBe(42));
    expect(await (await detail(get(`/api/v1/tasks/${t.id}`), ctx(t.id))).json()).toMatchObject({ id: t.id, status: 'running', percent: 42, message: 'Halfway' });
    release();
    await waitForTask(t.id);
    expect(await (await detail(get(`/api/v1/tasks/${t.id}`), ctx(t.id))).json()).toMatchObject({ status: 'succeeded', percent: 100 });
    const r = await detail(get('/api/v1/tasks/nope'), ctx('nope'));
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('POST /api/v1/tasks/:id/cancel', () => {
  it('cancels a cancelable task (202), refuses others with 409, 404 unknown, 403 for a viewer', async () => {
    const t = await start('e', (c) => new Promise<void>((_, reject) => {
      c.setCancelable(true);
      c.signal.addEventListener('abort', () => reject(c.signal.reason as Error));
    }));
    await vi.waitFor(async () => expect((await getTask(t.id))!.cancelable).toBe(true));
    const post = (id: string) => cancel(new Request(`http://localhost/api/v1/tasks/${id}/cancel`, { method: 'POST' }), ctx(id));
    session.user = viewer;
    expect((await post(t.id)).status).toBe(403);
    session.user = admin;
    const r = await post(t.id);
    expect(r.status).toBe(202);
    expect(r.headers.get('location')).toBe(`/api/v1/tasks/${t.id}`);
    expect(await r.json()).toMatchObject({ id: t.id, cancelable: false, message: 'Canceling (requested by admin)' });
    expect(await waitForTask(t.id)).toMatchObject({ status: 'canceled', message: 'Canceled by admin' });
    const again = await post(t.id);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ title: 'Not cancelable', detail: 'Task "Job e" has already ended (canceled).' });
    expect((await post('nope')).status).toBe(404);
  });
});
