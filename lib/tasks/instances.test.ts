import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProblemError } from '@/lib/api/problem';
import { problemOf } from '@/lib/api/testing';
import { until } from '@/lib/cluster/testing';
import type { Coord } from '@/lib/coord';
import { PostgresCoord } from '@/lib/coord/postgres';
import { openDb, type DB } from '@/lib/db';
import { createTestDatabase, ensureTestPostgres } from '@/lib/db/pg-testing';
import { VBoxClient } from '@/lib/vbox/client';
import { startSim, type Sim } from '@/sim/index';
import { Tasks, type Task, type TaskOrigin } from './index';

/*
 * lib/tasks on two Nimbox instances (issue 19): one real PostgreSQL database, two PostgresCoords (each with its
 * own connection pool, as two processes would have), and a vboxsim host over HTTP whose power-up is slow enough
 * to watch an instance die in the middle of it.
 */

const user = { id: 'u1', username: 'admin' };
const ops = { id: 'u2', username: 'ops' };
const opts = (name: string, locks: string[] = [name], hostId: string | null = null) => ({
  kind: 'test.job', title: `Job ${name}`, target: { type: 'vm' as const, id: name, name, hostId }, user, locks,
});
const gate = () => {
  let open!: () => void;
  const shut = new Promise<void>((r) => { open = r; });
  return { shut, open };
};

interface Instance {
  db: DB;
  coord: Coord;
  tasks: Tasks;
  clients: VBoxClient[];
}

let sim: Sim;
let url: string;
const HOST = 'host-alpha';
let a: Instance;
let b: Instance;

async function instance(): Promise<Instance> {
  const db = await openDb(url);
  const coord = await PostgresCoord.start(db);
  const clients: VBoxClient[] = [];
  const tasks = new Tasks({
    db: async () => db,
    coord: async () => coord,
    // Each instance reaches the host through its own client, as inventory.monitor(hostId).client gives it.
    clientFor: async (id) => {
      if (id !== HOST) return undefined;
      const c = new VBoxClient({ url: sim.urls[0], username: 'vbox', password: 'vbox' });
      clients.push(c);
      return c;
    },
  });
  await tasks.recoverTasks();
  return { db, coord, tasks, clients };
}

/** Collects what an instance's onTaskChanged hears. */
function hear(i: Instance): { seen: Array<{ t: Task; origin: TaskOrigin }>; off: () => void } {
  const seen: Array<{ t: Task; origin: TaskOrigin }> = [];
  return { seen, off: i.tasks.onTaskChanged((t, origin) => seen.push({ t, origin })) };
}

beforeAll(async () => {
  url = createTestDatabase(await ensureTestPostgres());
  // A power-up of 15 s: long enough for an instance to die during it and another to take the task over.
  sim = await startSim({ hosts: 1, port: 0, vms: 2, timing: { start: 15_000, stop: 50 }, vrdeBase: 32000 + Math.floor(Math.random() * 200) * 100 });
  // B first, so that it holds lease `tasks` (the one that looks for tasks of gone instances).
  b = await instance();
  await until('B to hold lease tasks', () => b.coord.holds('tasks'));
  a = await instance();
});

afterAll(async () => {
  for (const i of [a, b]) {
    if (!i) continue;
    await i.tasks.stop();
    await i.coord.stop().catch(() => undefined);
    for (const c of i.clients) await c.close();
    await i.db.destroy().catch(() => undefined);
  }
  await sim?.stop();
});

describe('tasks on several instances', () => {
  it("shows a task started on A to B: its start, progress and end (B's listeners hear it as not local), its row and its wait", async () => {
    const onA = hear(a);
    const onB = hear(b);
    const g = gate();
    const t = await a.tasks.startTask(opts('shown'), async (ctx) => {
      ctx.step(40, 'Halfway');
      await g.shut;
    });
    await until('B to hear the step', () => onB.seen.some((e) => e.t.id === t.id && e.t.message === 'Halfway'));
    expect(await b.tasks.getTask(t.id)).toMatchObject({ id: t.id, status: 'running', percent: 40, message: 'Halfway' });
    expect((await b.tasks.listTasks({ status: 'running' })).map((x) => x.id)).toContain(t.id);
    const ended = b.tasks.waitForTask(t.id, 10_000);
    g.open();
    expect(await ended).toMatchObject({ id: t.id, status: 'succeeded', percent: 100 });
    onA.off();
    onB.off();
    const fromB = onB.seen.filter((e) => e.t.id === t.id);
    expect(fromB[0].t.status).toBe('running');
    expect(fromB.at(-1)!.t.status).toBe('succeeded');
    expect(fromB.every((e) => !e.origin.local)).toBe(true);
    const fromA = onA.seen.filter((e) => e.t.id === t.id);
    expect(fromA.at(-1)!.t.status).toBe('succeeded');
    expect(fromA.every((e) => e.origin.local)).toBe(true);
    // The end is announced once on each instance.
    expect(fromB.filter((e) => e.t.status !== 'running')).toHaveLength(1);
  });

  it("refuses B's task on a key A's running task holds (409 Busy naming it), setTarget's key too, and frees them at its end", async () => {
    const g = gate();
    const t = await a.tasks.startTask({ ...opts('web-9', ['m-9', 'name:web-9']), title: 'Start web-9' }, async (ctx) => {
      ctx.setTarget('m-9-new', 'web-9');
      await g.shut;
    });
    expect(await problemOf(b.tasks.startTask(opts('web-9', ['m-9']), async () => undefined))).toMatchObject({
      title: 'Busy', status: 409, detail: `Machine web-9 is busy with task "Start web-9" (${t.id})`, taskId: t.id,
    });
    expect((await problemOf(b.tasks.startTask(opts('x', ['other', 'name:web-9']), async () => undefined))).taskId).toBe(t.id);
    await until("A's setTarget key in the table", async () => (await b.db.selectFrom('task_locks').select('task_id').where('key', '=', 'm-9-new').executeTakeFirst())?.task_id === t.id);
    expect((await problemOf(b.tasks.startTask(opts('y', ['m-9-new']), async () => undefined))).taskId).toBe(t.id);
    // 'other' was not taken by the refused task.
    expect((await b.tasks.waitForTask((await b.tasks.startTask(opts('z', ['other']), async () => undefined)).id)).status).toBe('succeeded');
    g.open();
    await b.tasks.waitForTask(t.id);
    for (const key of ['m-9', 'name:web-9', 'm-9-new']) {
      expect((await b.tasks.waitForTask((await b.tasks.startTask(opts(key, [key]), async () => undefined)).id)).status).toBe('succeeded');
    }
  });

  it("refuses two tasks on one key started at the same moment on A and B: exactly one runs", async () => {
    const g = gate();
    const results = await Promise.allSettled([a, b].map((i) => i.tasks.startTask(opts('race', ['race-key']), () => g.shut)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0].reason as ProblemError).problem).toMatchObject({ status: 409, taskId: (ok[0] as PromiseFulfilledResult<Task>).value.id });
    g.open();
    await a.tasks.waitForTask((ok[0] as PromiseFulfilledResult<Task>).value.id);
  });

  it("cancels A's task through B (202 with the task canceling; it ends canceled) and refuses what A cannot cancel (409)", async () => {
    const t = await a.tasks.startTask(opts('cancel-me'), (ctx) => new Promise<void>((_, reject) => {
      ctx.setCancelable(true);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
    }));
    await until('B to read the task cancelable', async () => (await b.tasks.getTask(t.id))?.cancelable);
    const canceling = await b.tasks.cancelTask(t.id, ops);
    expect(canceling).toMatchObject({ id: t.id, status: 'running', cancelable: false, message: 'Canceling (requested by ops)' });
    expect(await b.tasks.waitForTask(t.id, 10_000)).toMatchObject({ status: 'canceled', message: 'Canceled by ops', error: null });
    expect(await problemOf(b.tasks.cancelTask(t.id, ops))).toMatchObject({ status: 409, detail: 'Task "Job cancel-me" has already ended (canceled).' });

    const g = gate();
    const stuck = await a.tasks.startTask(opts('not-cancelable'), () => g.shut);
    expect(await problemOf(b.tasks.cancelTask(stuck.id, ops))).toMatchObject({
      title: 'Not cancelable', status: 409, detail: 'Task "Job not-cancelable" cannot be canceled: VirtualBox does not allow canceling its current operation.',
    });
    g.open();
    expect((await a.tasks.waitForTask(stuck.id)).status).toBe('succeeded');
    expect((await problemOf(b.tasks.cancelTask('no-such-task', ops))).status).toBe(404);
  });

  it('an instance that finds its task taken over (it was thought dead) lets it go: it writes no more and aborts its job', async () => {
    const g = gate();
    let reason: unknown = null;
    const onA = hear(a);
    const t = await a.tasks.startTask(opts('taken'), async (ctx) => {
      ctx.signal.addEventListener('abort', () => { reason = ctx.signal.reason; });
      ctx.step(10, 'Before');
      await g.shut;
      ctx.step(90, 'After');
    });
    await until('the first step on the row', async () => (await b.db.selectFrom('tasks').select('message').where('id', '=', t.id).executeTakeFirstOrThrow()).message === 'Before');
    // As B's adoption does it when A's heartbeat is late.
    await b.db.updateTable('tasks').set({ instance_id: b.coord.instanceId }).where('id', '=', t.id).execute();
    g.open();
    await until('A to abort its job', () => reason);
    expect((reason as Error).message).toBe('Another Nimbox instance took this task over');
    const row = await b.db.selectFrom('tasks').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'running', message: 'Before', instance_id: b.coord.instanceId });
    onA.off();
    expect(onA.seen.filter((e) => e.t.id === t.id && e.t.status !== 'running')).toEqual([]);
    // Tidy: the task ends where it runs now.
    await b.db.updateTable('tasks').set({ status: 'failed' }).where('id', '=', t.id).execute();
    await b.db.deleteFrom('task_locks').where('task_id', '=', t.id).execute();
  });

  it("when A dies, B takes its tasks over: one following an IProgress re-attaches and succeeds, a JS-only one ends lost", { timeout: 90_000 }, async () => {
    const db2 = sim.hosts[0].sim.machines().find((m) => m.name === 'db-a2')!;
    expect(db2.state).toBe('PoweredOff');
    const clientA = new VBoxClient({ url: sim.urls[0], username: 'vbox', password: 'vbox' });
    a.clients.push(clientA);
    const start = await a.tasks.startTask({ ...opts('db-a2', [db2.id], HOST), kind: 'vm.start', title: 'Start db-a2' }, (ctx) =>
      clientA.write(async (vbox, wsm) => {
        const session = await wsm.getSessionObject(vbox);
        await ctx.follow(await (await vbox.findMachine(db2.id)).launchVMProcess(session, 'headless', []));
      }, { release: true }));
    const jsOnly = await a.tasks.startTask(opts('js-only', ['js-key']), () => new Promise<void>(() => undefined));
    await until('the progress id on the row', async () =>
      (await b.db.selectFrom('tasks').select('progress_id').where('id', '=', start.id).executeTakeFirstOrThrow()).progress_id);
    const onB = hear(b);

    // A dies: its tasks are gone from memory, its database connections drop, and its coord stops without a word
    // (its heartbeat and lease rows stay until they are too old).
    a.tasks.forget();
    await a.db.destroy();
    await a.coord.stop();
    // While nobody runs it, the machine's key is still held.
    expect((await problemOf(b.tasks.startTask(opts('db-a2', [db2.id]), async () => undefined))).taskId).toBe(start.id);

    const [started, lost] = await Promise.all([b.tasks.waitForTask(start.id, 40_000), b.tasks.waitForTask(jsOnly.id, 40_000)]);
    onB.off();
    expect(started).toMatchObject({ status: 'succeeded', percent: 100, error: null });
    expect(db2.state).toBe('Running');
    expect(lost).toMatchObject({ status: 'lost', message: 'The Nimbox instance running this task stopped' });
    expect(lost.error!.detail).toBe(`The Nimbox instance running this task (${a.coord.instanceId}) stopped; check the machine's state.`);
    // B ran them to their end: its listeners heard them as its own, re-attaching on the way.
    const mine = onB.seen.filter((e) => e.t.id === start.id);
    expect(mine.some((e) => e.origin.local && e.t.message.includes('re-attaching'))).toBe(true);
    const rows = await b.db.selectFrom('tasks').select(['id', 'instance_id']).where('id', 'in', [start.id, jsOnly.id]).execute();
    expect(rows.map((r) => r.instance_id)).toEqual([b.coord.instanceId, b.coord.instanceId]);
    // Their keys are free again.
    for (const key of [db2.id, 'js-key']) {
      expect((await b.tasks.waitForTask((await b.tasks.startTask(opts(key, [key]), async () => undefined)).id)).status).toBe('succeeded');
    }
  });
});
