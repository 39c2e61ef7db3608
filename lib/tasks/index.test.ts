import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProblemError } from '@/lib/api/problem';
import { problemOf } from '@/lib/api/testing';
import { VBoxClient } from '@/lib/vbox/client';
import { VBoxError, resultCodeValue } from '@/lib/vbox/errors';
import type { IProgress } from '@/lib/vbox/objects';
import { startSim, type Sim } from '@/sim/index';
import type { Task } from './types';

/*
 * lib/tasks against a real SQLite file (a temporary NIMBOX_DATA_DIR) and, where a job follows an
 * IProgress, a real vboxsim host over HTTP.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-tasks-'));

const tasks = await import('./index');
const { startTask, getTask, listTasks, cancelTask, onTaskChanged, waitForTask, configureTasks, forgetTasksInMemory, recoverTasks } = tasks;
const { getDb } = await import('@/lib/db');

const user = { id: 'u1', username: 'admin' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const opts = (name: string, locks: string[] = [name], kind = 'test.job') => ({
  kind, title: `Job ${name}`, target: { type: 'vm' as const, id: name, name, hostId: null }, user, locks,
});

let sim: Sim;
let client: VBoxClient;
let hostId: string;
const restartClients: VBoxClient[] = [];

beforeAll(async () => {
  // A slow start (1.5 s) and save (1 s) leave time to watch, restart and re-attach: the restart-recovery tests
  // find a save's IProgress from another websession, which VirtualBox forgets once it completes (50 ms was
  // over before the lookup on a loaded machine).
  sim = await startSim({ hosts: 1, port: 0, vms: 2, timing: { start: 1500, stop: 50, acpiShutdown: 100, save: 1000 }, vrdeBase: 30000 + Math.floor(Math.random() * 200) * 100 });
  client = new VBoxClient({ url: sim.urls[0], username: 'vbox', password: 'vbox' });
  hostId = 'host-alpha';
  // After a "restart" the tasks reach the host through a websession of their own, as a new process would.
  configureTasks({
    clientFor: async (id) => {
      if (id !== hostId) return undefined;
      const c = new VBoxClient({ url: sim.urls[0], username: 'vbox', password: 'vbox' });
      restartClients.push(c);
      return c;
    },
  });
});

afterAll(async () => {
  for (const c of restartClients) await c.close();
  await client?.close();
  await sim?.stop();
  dataDir.remove();
});

describe('startTask', () => {
  it('persists the task, runs the job in the background and ends succeeded at 100 %, with throttled progress events', async () => {
    const seen: Task[] = [];
    const off = onTaskChanged((t) => seen.push(t));
    const began = Date.now();
    const task = await startTask(opts('a'), async (ctx) => {
      for (let i = 0; i <= 200; i++) {
        ctx.step(i / 2, `step ${i}`);
        await sleep(1);
      }
    });
    expect(task).toMatchObject({ kind: 'test.job', title: 'Job a', status: 'running', percent: 0, userId: 'u1', username: 'admin', targetId: 'a', error: null, finishedAt: null });
    const row = await (await getDb()).selectFrom('tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('running');
    const done = await waitForTask(task.id);
    const elapsed = Date.now() - began;
    off();
    expect(done).toMatchObject({ status: 'succeeded', percent: 100, error: null, cancelable: false });
    expect(done.finishedAt).not.toBeNull();
    expect(await getTask(task.id)).toEqual(done);
    const mine = seen.filter((t) => t.id === task.id);
    expect(mine[0].status).toBe('running');
    expect(mine.at(-1)!.status).toBe('succeeded');
    // 201 steps, yet about one event per 100 ms (plus the start, the status changes and a trailing one).
    const progress = mine.filter((t) => t.status === 'running');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 3);
    expect(progress.map((t) => t.percent)).toEqual([...progress.map((t) => t.percent)].sort((x, y) => x - y));
  });

  it("fails the task with VirtualBox's text and result-code name", async () => {
    const task = await startTask(opts('b'), async (ctx) => {
      ctx.step(40, 'Looking for the machine');
      await client.scope((vbox) => vbox.findMachine('no-such-machine'));
    });
    const done = await waitForTask(task.id);
    expect(done.status).toBe('failed');
    expect(done.error).toEqual({
      title: 'VirtualBox refused the operation', detail: "Could not find a registered machine named 'no-such-machine'",
      resultCode: 'VBOX_E_OBJECT_NOT_FOUND', step: 'Looking for the machine',
    });
    expect(done.percent).toBe(40);
    const row = await (await getDb()).selectFrom('tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.error!)).toMatchObject({ resultCode: 'VBOX_E_OBJECT_NOT_FOUND' });
  });

  it('fails with the title and detail of a ProblemError, and of anything else thrown', async () => {
    const a = await startTask(opts('c'), async () => {
      throw new ProblemError({ title: 'Placement failed', status: 409, detail: 'No host has 64 GB free' });
    });
    expect((await waitForTask(a.id)).error).toMatchObject({ title: 'Placement failed', detail: 'No host has 64 GB free' });
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const b = await startTask(opts('c'), async () => {
      throw new Error('boom');
    });
    expect((await waitForTask(b.id)).error).toMatchObject({ title: 'Task failed', detail: 'boom' });
    err.mockRestore();
  });

  it('refuses a second task on a held key with 409 Busy naming the task, and frees the key when the task ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const first = await startTask({ ...opts('web-1', ['m-1', 'name:web-1']), title: 'Start web-1' }, () => gate);
    const p = await problemOf(startTask(opts('web-1', ['m-1']), async () => undefined));
    expect(p).toMatchObject({ title: 'Busy', status: 409, detail: `Machine web-1 is busy with task "Start web-1" (${first.id})`, taskId: first.id });
    expect((await problemOf(startTask(opts('x', ['name:web-1']), async () => undefined))).taskId).toBe(first.id);
    // Another key is free meanwhile.
    expect((await waitForTask((await startTask(opts('other', ['m-2']), async () => undefined)).id)).status).toBe('succeeded');
    release();
    await waitForTask(first.id);
    const again = await startTask(opts('web-1', ['m-1']), async () => undefined);
    expect((await waitForTask(again.id)).status).toBe('succeeded');
  });

  it('setTarget names the new target and locks its id', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const t = await startTask({ ...opts('', ['name:db-7'], 'vm.create'), title: 'Create db-7' }, async (ctx) => {
      ctx.setTarget('11111111-2222-3333-4444-555555555555', 'db-7');
      await gate;
    });
    await vi.waitFor(async () => expect((await getTask(t.id))!.targetId).toBe('11111111-2222-3333-4444-555555555555'));
    expect((await problemOf(startTask(opts('db-7', ['11111111-2222-3333-4444-555555555555']), async () => undefined))).taskId).toBe(t.id);
    release();
    expect(await waitForTask(t.id)).toMatchObject({ status: 'succeeded', targetId: '11111111-2222-3333-4444-555555555555', targetName: 'db-7' });
  });
});

describe('listTasks', () => {
  it('lists newest first, filters by status and target, pages with before', async () => {
    const all = await listTasks({ limit: 500 });
    expect(all.length).toBeGreaterThanOrEqual(8);
    const times = all.map((t) => t.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect((await listTasks({ status: 'failed' })).every((t) => t.status === 'failed')).toBe(true);
    expect((await listTasks({ targetId: 'c' })).map((t) => t.targetId)).toEqual(['c', 'c']);
    const page1 = await listTasks({ limit: 3 });
    const page2 = await listTasks({ limit: 3, before: page1[2].id });
    expect([...page1, ...page2].map((t) => t.id)).toEqual(all.slice(0, 6).map((t) => t.id));
  });
});

describe('cancelTask', () => {
  it('aborts the signal of a job that made itself cancelable; the task ends canceled', async () => {
    const t = await startTask(opts('d'), (ctx) => new Promise<void>((_, reject) => {
      ctx.setCancelable(true);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
    }));
    await vi.waitFor(async () => expect((await getTask(t.id))!.cancelable).toBe(true));
    const canceling = await cancelTask(t.id, { id: 'u2', username: 'ops' });
    expect(canceling).toMatchObject({ status: 'running', cancelable: false, message: 'Canceling (requested by ops)' });
    expect(await waitForTask(t.id)).toMatchObject({ status: 'canceled', message: 'Canceled by ops', error: null });
    expect(await problemOf(cancelTask(t.id, user))).toMatchObject({ status: 409, detail: 'Task "Job d" has already ended (canceled).' });
  });

  it('refuses with 409 while not cancelable, and 404 for an unknown task', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const t = await startTask(opts('e'), () => gate);
    expect(await problemOf(cancelTask(t.id, user))).toMatchObject({
      title: 'Not cancelable', status: 409, detail: 'Task "Job e" cannot be canceled: VirtualBox does not allow canceling its current operation.',
    });
    release();
    await waitForTask(t.id);
    expect((await problemOf(cancelTask('nope', user))).status).toBe(404);
  });

  it('cancels the IProgress a task follows while VirtualBox says it is cancelable', async () => {
    // No power operation of vboxsim is cancelable mid-way (as VirtualBox's own power-down and save): a
    // stand-in IProgress that is cancelable, as IMedium::createBaseStorage's is.
    const state = { canceled: false, cancelCalls: 0 };
    const progress = {
      getId: async () => 'b7a1c6d2-0000-4000-8000-000000000001',
      getCompleted: async () => state.canceled,
      getPercent: async () => 30,
      getCancelable: async () => !state.canceled,
      getOperationDescription: async () => 'Creating the disk image',
      waitForCompletion: async (ms: number) => sleep(Math.min(ms, 20)),
      cancel: async () => { state.canceled = true; state.cancelCalls++; },
      throwIfFailed: async () => {
        if (state.canceled) throw new VBoxError({ resultCode: resultCodeValue('E_FAIL'), text: 'Operation was canceled by the user', operation: 'IProgress' });
      },
    } as unknown as IProgress;
    const t = await startTask(opts('f'), (ctx) => ctx.follow(progress, [0, 50]));
    await vi.waitFor(async () => expect(await getTask(t.id)).toMatchObject({ cancelable: true, percent: 15, message: 'Creating the disk image' }));
    await cancelTask(t.id, user);
    expect(state.cancelCalls).toBe(1);
    expect(await waitForTask(t.id)).toMatchObject({ status: 'canceled', message: 'Canceled by admin' });
  });
});

describe('follow', () => {
  it("follows a real IProgress (launchVMProcess), maps its percent onto the range and stores its id", async () => {
    const db2 = sim.hosts[0].sim.machines().find((c) => c.name === 'db-a2')!;
    const seen: Task[] = [];
    const off = onTaskChanged((t) => seen.push(t));
    let progressId = '';
    const t = await startTask({ ...opts('db-a2', [db2.id], 'vm.start'), target: { type: 'vm', id: db2.id, name: 'db-a2', hostId } }, (ctx) =>
      client.write(async (vbox, wsm) => {
        const session = await wsm.getSessionObject(vbox);
        const progress = await (await vbox.findMachine(db2.id)).launchVMProcess(session, 'headless', []);
        progressId = await progress.getId();
        try {
          await ctx.follow(progress, [10, 90]);
        } finally {
          await session.unlockMachine();
        }
      }, { release: true }));
    const done = await waitForTask(t.id);
    off();
    expect(done).toMatchObject({ status: 'succeeded', percent: 100 });
    expect(db2.state).toBe('Running');
    const running = seen.filter((e) => e.id === t.id && e.status === 'running' && e.percent > 0);
    expect(running.some((e) => e.percent >= 10 && e.percent < 90)).toBe(true);
    expect(running.some((e) => e.message === 'Powering up')).toBe(true);
    const row = await (await getDb()).selectFrom('tasks').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ progress_id: progressId, progress_from: 10, progress_to: 90, host_id: hostId });
    // Back to PoweredOff for the restart test.
    await client.write(async (vbox, wsm) => {
      const session = await wsm.getSessionObject(vbox);
      await (await vbox.findMachine(db2.id)).lockMachine(session, 'Shared');
      await (await (await session.getConsole())!.powerDown()).wait();
    }, { release: true });
  });
});

describe('restart recovery', () => {
  it('relies on IVirtualBox::findProgressById, which finds a running progress from another websession by its GUID (a completed one is gone)', async () => {
    const web = sim.hosts[0].sim.machines().find((c) => c.name === 'web-a1')!;
    const other = new VBoxClient({ url: sim.urls[0], username: 'vbox', password: 'vbox' });
    const notFound = { resultCodeName: 'E_INVALIDARG', text: 'The progress object with the given GUID could not be found' };
    try {
      const progress = await client.write(async (vbox, wsm) => {
        const session = await wsm.getSessionObject(vbox);
        await (await vbox.findMachine(web.id)).lockMachine(session, 'Shared');
        return (await session.getMachine()).saveState();
      });
      const id = await progress.getId();
      const found = await other.scope(async (vbox) => {
        const p = await vbox.findProgressById(`{${id.toUpperCase()}}`);
        return { id: await p.getId(), description: await p.getDescription() };
      });
      expect(found).toEqual({ id, description: 'Saving the execution state of the virtual machine' });
      await progress.wait();
      // As VirtualBox (Progress::i_notifyComplete drops it from VBoxSVC's map), a completed progress is not found.
      await expect(other.scope((vbox) => vbox.findProgressById(id))).rejects.toMatchObject(notFound);
      await expect(other.scope((vbox) => vbox.findProgressById('9a0b1c2d-0000-4000-8000-00000000dead'))).rejects.toMatchObject(notFound);
      // Back to Running.
      await client.write(async (vbox, wsm) => {
        const session = await wsm.getSessionObject(vbox);
        await (await (await vbox.findMachine(web.id)).launchVMProcess(session, 'headless', [])).wait();
        await session.unlockMachine();
      });
    } finally {
      await other.close();
    }
  });

  it('re-attaches a running task to its IProgress by id (IVirtualBox::findProgressById) and holds its locks again', async () => {
    const db2 = sim.hosts[0].sim.machines().find((c) => c.name === 'db-a2')!;
    expect(db2.state).toBe('PoweredOff');
    const t = await startTask({ ...opts('db-a2', [db2.id], 'vm.start'), title: 'Start db-a2', target: { type: 'vm', id: db2.id, name: 'db-a2', hostId } }, (ctx) =>
      client.write(async (vbox, wsm) => {
        const session = await wsm.getSessionObject(vbox);
        await ctx.follow(await (await vbox.findMachine(db2.id)).launchVMProcess(session, 'headless', []));
      }, { release: true }));
    const db = await getDb();
    await vi.waitFor(async () => {
      expect((await db.selectFrom('tasks').select('progress_id').where('id', '=', t.id).executeTakeFirstOrThrow()).progress_id).toBeTruthy();
    });
    // Nimbox "restarts": everything in memory is gone, the row still says running.
    forgetTasksInMemory();
    await recoverTasks();
    const p = await problemOf(startTask(opts('db-a2', [db2.id]), async () => undefined));
    expect(p).toMatchObject({ status: 409, taskId: t.id });
    const done = await waitForTask(t.id, 10_000);
    expect(done).toMatchObject({ status: 'succeeded', percent: 100 });
    expect(db2.state).toBe('Running');
    // The lock is free again.
    expect((await waitForTask((await startTask(opts('db-a2', [db2.id]), async () => undefined)).id)).status).toBe('succeeded');
  });

  it('marks lost what it cannot re-attach: no progress, a progress VirtualBox does not know, a host gone, a step before the last', async () => {
    const db = await getDb();
    const now = new Date().toISOString();
    const base = {
      kind: 'vm.start', title: 'Start x', target_type: 'vm', target_id: 'x', target_name: 'x', host_id: hostId as string | null, user_id: 'u1', username: 'admin',
      status: 'running', percent: 40, message: 'Powering up', cancelable: 0, error: null, locks: '["x"]', progress_id: null as string | null,
      progress_from: 0, progress_to: 100, created_at: now, updated_at: now, finished_at: null,
    };
    await db.insertInto('tasks').values([
      { ...base, id: 'lost-1' },
      { ...base, id: 'lost-2', progress_id: '9a0b1c2d-0000-4000-8000-00000000dead' },
      { ...base, id: 'lost-3', progress_id: '9a0b1c2d-0000-4000-8000-00000000beef', host_id: 'host-gone' },
    ]).execute();
    // A multi-step job whose progress (saving the state, here) still runs when Nimbox comes back, and completes.
    const web = sim.hosts[0].sim.machines().find((c) => c.name === 'web-a1')!;
    const progressId = await client.write(async (vbox, wsm) => {
      const session = await wsm.getSessionObject(vbox);
      await (await vbox.findMachine(web.id)).lockMachine(session, 'Shared');
      return (await (await session.getMachine()).saveState()).getId();
    });
    await db.insertInto('tasks').values({ ...base, id: 'lost-4', progress_id: progressId, progress_from: 10, progress_to: 60 }).execute();
    forgetTasksInMemory();
    // The first call after the restart takes the rows up (the ones that cannot re-attach end at once).
    const listed = await listTasks({});
    expect(listed.map((t) => t.id)).toEqual(expect.arrayContaining(['lost-1', 'lost-2', 'lost-3', 'lost-4']));
    const ended = await Promise.all(['lost-1', 'lost-2', 'lost-3', 'lost-4'].map((id) => waitForTask(id, 10_000)));
    for (const t of ended) {
      expect(t.status).toBe('lost');
      expect(t.error!.detail).toMatch(/^Nimbox restarted while this task ran; check the machine's state\./);
      expect(t.finishedAt).not.toBeNull();
    }
    expect(ended[1].error!.detail).toContain('VirtualBox no longer knows its operation');
    expect(ended[2].error!.detail).toContain('Its host is no longer registered');
    expect(ended[3].error!.detail).toContain('the steps after it did not run');
    expect(web.state).toBe('Saved');
    const rows = await db.selectFrom('tasks').select(['id', 'status']).where('id', 'like', 'lost-%').execute();
    expect(rows.every((r) => r.status === 'lost')).toBe(true);
  });
});
