import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/auth/policy';
import { withSessionUser } from '@/lib/auth/testing';
import { core, startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import type { Task } from '@/lib/tasks/types';
import type { MachineState } from '@/lib/vbox/types';

/*
 * POST /api/v1/vms/:id/actions against two real vboxsim hosts registered in a SQLite file; the
 * tasks it starts are read back through lib/tasks and GET /api/v1/tasks/:id. Only `currentUser` is
 * replaced; route(), the policy, validation, the inventory and the tasks are real.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-actions-api-'));
const session = vi.hoisted(() => ({ user: null as User | null }));
vi.mock('@/lib/auth/session', (importOriginal) => withSessionUser(importOriginal, session));

const { POST: act } = await import('./route');
const { GET: getTaskRoute } = await import('../../../tasks/[id]/route');
const { POST: cancelRoute } = await import('../../../tasks/[id]/cancel/route');
const { GET: events } = await import('../../../events/route');
const { waitForTask } = await import('@/lib/tasks');
const { powerTiming } = await import('@/lib/tasks/power');

const admin: User = { id: 'u1', username: 'admin', realm: 'local', role: 'admin' };
const viewer: User = { id: 'u2', username: 'viewer', realm: 'local', role: 'viewer' };
let cluster: TestCluster;

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (url: string, body: unknown, raw = false) =>
  new Request(`http://localhost${url}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: raw ? String(body) : JSON.stringify(body) });
const action = (id: string, a: unknown) => act(post(`/api/v1/vms/${id}/actions`, { action: a }), ctx(id));
const control = (host: number, path: string) => fetch(`${cluster.sim.hosts[host].control}${path}`, { method: 'POST' });

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 4, control: true, timing: { start: 150, stop: 50, acpiShutdown: 150, save: 80 },
    vrdeBase: 20000 + Math.floor(Math.random() * 200) * 100, machines: 8,
  });
});

afterAll(async () => {
  await cluster?.stop();
  dataDir.remove();
});

describe('POST /api/v1/vms/:id/actions', () => {
  it('runs every power action to the state VirtualBox reports; each task succeeds at 100 %', async () => {
    session.user = admin;
    const m = core('db-a2');
    expect(m.state).toBe('PoweredOff');
    const steps: [string, MachineState][] = [
      ['start', 'Running'], ['pause', 'Paused'], ['resume', 'Running'], ['reset', 'Running'], ['savestate', 'Saved'],
      ['discardstate', 'PoweredOff'], ['start', 'Running'], ['shutdown', 'PoweredOff'], ['start', 'Running'], ['poweroff', 'PoweredOff'],
    ];
    for (const [a, state] of steps) {
      const r = await action(m.id, a);
      expect(r.status, a).toBe(202);
      const task: Task = await r.json();
      expect(r.headers.get('location')).toBe(`/api/v1/tasks/${task.id}`);
      expect(task).toMatchObject({ kind: `vm.${a}`, status: 'running', targetType: 'vm', targetId: m.id, targetName: 'db-a2', userId: 'u1', username: 'admin' });
      const done = await waitForTask(task.id, 10_000);
      expect(done, a).toMatchObject({ status: 'succeeded', percent: 100, error: null });
      expect(m.state, a).toBe(state);
      // Every session the task opened was closed again: nothing but the VM process holds the machine.
      expect(m.sessionState, a).toBe(state === 'Running' || state === 'Paused' ? 'Locked' : 'Unlocked');
      expect(m.vm?.sharedSessions.size ?? 0, a).toBe(0);
      const read = await getTaskRoute(new Request(`http://localhost/api/v1/tasks/${task.id}`), ctx(task.id));
      expect(await read.json()).toEqual(done);
    }
    expect((await waitForTask((await (await action(m.id, 'start')).json()).id)).title).toBe('Start db-a2');
  });

  it("fails the task with VirtualBox's text and result-code name when VirtualBox refuses (start without its disk: VBOX_E_FILE_ERROR)", async () => {
    session.user = admin;
    const m = core('build-a4');
    const disk = cluster.sim.hosts[0].sim.findMedium(m.settings.attachments[0].mediumId!)!;
    fs.rmSync(disk.rec.location);
    const r = await action(m.id, 'start');
    expect(r.status).toBe(202);
    const done = await waitForTask((await r.json()).id, 10_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ title: 'The VirtualBox operation failed', resultCode: 'VBOX_E_FILE_ERROR' });
    expect(done.error!.detail).toBe(`Could not open the medium '${disk.rec.location}'. VD: error VERR_FILE_NOT_FOUND opening image file`);
    expect(m.state).toBe('PoweredOff');
    expect(m.sessionState).toBe('Unlocked');
  });

  it('fails a shutdown the guest ignores after the timeout, with a message that says what to do', async () => {
    session.user = admin;
    const m = core('cache-a3');
    expect(m.state).toBe('Running');
    m.settings.acpiEnabled = false;
    const before = powerTiming.shutdownTimeoutMs;
    powerTiming.shutdownTimeoutMs = 600;
    try {
      const done = await waitForTask((await (await action(m.id, 'shutdown')).json()).id, 10_000);
      expect(done.status).toBe('failed');
      expect(done.error).toMatchObject({ resultCode: 'VBOX_E_TIMEOUT', step: 'Waiting for the guest to shut down' });
      expect(done.error!.detail).toBe("The guest of 'cache-a3' did not shut down within 1 s of the ACPI power button; it may ignore ACPI (no ACPI support, or a login screen that blocks it). It is still Running: use Power off to stop it hard.");
      expect(m.state).toBe('Running');
    } finally {
      powerTiming.shutdownTimeoutMs = before;
      m.settings.acpiEnabled = true;
    }
  });

  it('answers 409 with VBOX_E_INVALID_VM_STATE when the state does not allow the action', async () => {
    session.user = admin;
    const web = core('web-a1');
    const r = await action(web.id, 'start');
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(await r.json()).toMatchObject({
      title: 'Invalid machine state', resultCode: 'VBOX_E_INVALID_VM_STATE', detail: 'Cannot start web-a1: it is Running, and start needs it powered off, saved or aborted.',
    });
    const off = core('db-b2');
    expect(await (await action(off.id, 'discardstate')).json()).toMatchObject({ status: 409, detail: 'Cannot discardstate db-b2: it is PoweredOff, and discardstate needs it saved.' });
  });

  it('answers 409 Busy naming the running task; the task refuses cancel (not cancelable in VirtualBox) until it ends', async () => {
    session.user = admin;
    const m = core('db-b2');
    await control(1, '/latency?ms=150');
    try {
      const first: Task = await (await action(m.id, 'start')).json();
      const r = await action(m.id, 'start');
      expect(r.status).toBe(409);
      expect(await r.json()).toMatchObject({ title: 'Busy', taskId: first.id, detail: `Machine db-b2 is busy with task "Start db-b2" (${first.id})` });
      const c = await cancelRoute(post(`/api/v1/tasks/${first.id}/cancel`, {}), ctx(first.id));
      expect(c.status).toBe(409);
      expect(await c.json()).toMatchObject({ title: 'Not cancelable', detail: 'Task "Start db-b2" cannot be canceled: VirtualBox does not allow canceling its current operation.' });
      await control(1, '/latency?ms=0');
      expect(await waitForTask(first.id, 10_000)).toMatchObject({ status: 'succeeded' });
      const again = await cancelRoute(post(`/api/v1/tasks/${first.id}/cancel`, {}), ctx(first.id));
      expect(again.status).toBe(409);
      expect((await again.json()).detail).toBe('Task "Start db-b2" has already ended (succeeded).');
    } finally {
      await control(1, '/latency?ms=0');
    }
    expect(m.state).toBe('Running');
  });

  it('answers 400 naming the field for a bad body, 404 for an unknown machine, 401 and 403', async () => {
    session.user = admin;
    const id = core('web-b1').id;
    for (const body of [{ action: 'explode' }, {}, { action: 'start', force: true }, { action: 7 }]) {
      const r = await act(post(`/api/v1/vms/${id}/actions`, body), ctx(id));
      expect(r.status, JSON.stringify(body)).toBe(400);
      const p = await r.json();
      expect(p.errors.length, JSON.stringify(body)).toBeGreaterThan(0);
      expect(p.errors[0].field).toBe(Object.keys(body).includes('force') ? 'body' : 'action');
    }
    const bad = await act(post(`/api/v1/vms/${id}/actions`, '{not json', true), ctx(id));
    expect(bad.status).toBe(400);
    const unknown = '00000000-0000-0000-0000-000000000000';
    expect((await action(unknown, 'start')).status).toBe(404);
    session.user = viewer;
    expect((await action(id, 'poweroff')).status).toBe(403);
    session.user = null;
    expect((await action(id, 'poweroff')).status).toBe(401);
    expect(core('web-b1').state).toBe('Running');
  });

  it('streams the task as server-sent events (event: task) from creation to its end', async () => {
    session.user = admin;
    const abort = new AbortController();
    const r = await events(new Request('http://localhost/api/v1/events', { signal: abort.signal }));
    const reader = r.body!.getReader();
    const m = core('web-b1');
    const task: Task = await (await action(m.id, 'pause')).json();
    let text = '';
    const decoder = new TextDecoder();
    const finished = () => text.split('\n').some((l) => l.startsWith('data: ') && l.includes(`"id":"${task.id}"`) && l.includes('"status":"succeeded"'));
    while (!finished()) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    await reader.cancel();
    const taskEvents = text.split('\n\n').filter((e) => e.startsWith('event: task\n')).map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as { type: string; task: Task });
    const mine = taskEvents.filter((e) => e.task.id === task.id);
    expect(mine[0]).toMatchObject({ type: 'task', task: { status: 'running', kind: 'vm.pause' } });
    expect(mine.at(-1)!.task).toMatchObject({ status: 'succeeded', percent: 100 });
    expect(m.state).toBe('Paused');
  });
});
