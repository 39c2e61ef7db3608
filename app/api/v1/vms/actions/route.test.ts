import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { core, startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import type { Task } from '@/lib/tasks/types';

/* POST /api/v1/vms/actions (bulk) against two real vboxsim hosts; only `currentUser` is replaced. */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-bulk-api-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: bulk } = await import('./route');
const { startTask, waitForTask } = await import('@/lib/tasks');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
let cluster: TestCluster;

const post = (body: unknown) => new Request('http://localhost/api/v1/vms/actions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  cluster = await startTestCluster({ hosts: 2, port: 0, vms: 4, timing: { start: 100, stop: 50, acpiShutdown: 100, save: 50 }, vrdeBase: 40000 + Math.floor(Math.random() * 200) * 100, machines: 8 });
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('POST /api/v1/vms/actions', () => {
  it('answers 202 with a task per machine that accepted and an error per machine refused up front', async () => {
    session.user = admin;
    // A task of someone else holds cache-b3.
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const held = core('cache-b3');
    const holder = await startTask({ kind: 'vm.edit', title: 'Edit cache-b3', target: { type: 'vm', id: held.id, name: 'cache-b3', hostId: null }, user: admin, locks: [held.id] }, () => gate);
    const running = ['web-a1', 'cache-a3', 'web-b1'].map((n) => core(n).id);
    const unknown = '00000000-0000-0000-0000-000000000000';
    const r = await bulk(post({ action: 'poweroff', ids: [...running, running[0], core('db-a2').id, unknown, held.id] }));
    expect(r.status).toBe(202);
    const out: { tasks: Task[]; errors: { id: string; name?: string; title: string; detail: string; status: number; resultCode?: string; taskId?: string }[] } = await r.json();
    expect(out.tasks.map((t) => t.targetId)).toEqual(running);
    expect(out.tasks.every((t) => t.kind === 'vm.poweroff' && t.status === 'running')).toBe(true);
    expect(out.errors).toEqual([
      { id: core('db-a2').id, name: 'db-a2', title: 'Invalid machine state', status: 409, resultCode: 'VBOX_E_INVALID_VM_STATE', detail: 'Cannot poweroff db-a2: it is PoweredOff, and poweroff needs it running, paused or stuck.' },
      { id: unknown, title: 'Not found', status: 404, detail: `Machine ${unknown} does not exist.` },
      { id: held.id, name: 'cache-b3', title: 'Busy', status: 409, taskId: holder.id, detail: `Machine cache-b3 is busy with task "Edit cache-b3" (${holder.id})` },
    ]);
    for (const t of out.tasks) expect(await waitForTask(t.id, 10_000)).toMatchObject({ status: 'succeeded', percent: 100 });
    expect(['web-a1', 'cache-a3', 'web-b1'].map((n) => core(n).state)).toEqual(['PoweredOff', 'PoweredOff', 'PoweredOff']);
    release();
    await waitForTask(holder.id);
  });

  it('answers 400 naming the field for bad input, 403 for a viewer', async () => {
    session.user = admin;
    const id = core('web-a1').id;
    const cases: [unknown, string][] = [
      [{ action: 'start', ids: [] }, 'ids'],
      [{ action: 'start', ids: Array.from({ length: 101 }, (_, i) => `m${i}`) }, 'ids'],
      [{ action: 'start', ids: id }, 'ids'],
      [{ action: 'start', ids: [''] }, 'ids.0'],
      [{ action: 'launch', ids: [id] }, 'action'],
      [{ ids: [id] }, 'action'],
    ];
    for (const [body, field] of cases) {
      const r = await bulk(post(body));
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect((await r.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    session.user = { ...admin, role: 'viewer' };
    expect((await bulk(post({ action: 'start', ids: [id] }))).status).toBe(403);
    expect(core('web-a1').state).toBe('PoweredOff');
  });
});
