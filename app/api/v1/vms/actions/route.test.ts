import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import type { Task } from '@/lib/tasks/types';
import { startSim, type Sim } from '@/sim/index';

/* POST /api/v1/vms/actions (bulk) against two real vboxsim hosts; only `currentUser` is replaced. */
const env = vi.hoisted(async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'nimbox-bulk-api-'));
  process.env.NIMBOX_DATA_DIR = dir;
  delete process.env.NIMBOX_SECRET;
  return { dir };
});
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/auth/session')>()),
  currentUser: async () => session.user,
}));

const { POST: bulk } = await import('./route');
const { getDb } = await import('@/lib/db');
const { createHost } = await import('@/lib/db/hosts');
const { getInventory } = await import('@/lib/cluster/inventory');
const { startTask, waitForTask } = await import('@/lib/tasks');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
let sim: Sim;

const post = (body: unknown) => new Request('http://localhost/api/v1/vms/actions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const core = (name: string) => sim.hosts.flatMap((h) => h.sim.machines()).find((c) => c.name === name)!;

beforeAll(async () => {
  sim = await startSim({ hosts: 2, port: 0, vms: 4, timing: { start: 100, stop: 50, acpiShutdown: 100, save: 50 }, vrdeBase: 40000 + Math.floor(Math.random() * 200) * 100 });
  const db = await getDb();
  for (const h of sim.hosts) await createHost(db, { name: h.name, url: h.url, username: 'vbox', password: 'vbox' });
  const inventory = getInventory();
  await inventory.start();
  await vi.waitFor(() => expect(inventory.machines()).toHaveLength(8), { timeout: 5_000 });
});

afterAll(async () => {
  await getInventory().stop();
  await sim.stop();
  fs.rmSync((await env).dir, { recursive: true, force: true });
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
