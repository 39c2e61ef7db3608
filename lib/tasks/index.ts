/**
 * lib/tasks: long-running operations (Proxmox style: every long operation is a task you can watch).
 *
 * A task is a row in the `tasks` table plus, while it runs, an in-memory record on the instance running it
 * (the row's `instance_id`) that holds its AbortController and the IProgress it follows. Routes call
 * `startTask(opts, job)` and answer 202 with the task at once; the job runs in the background and
 * reports through its TaskContext (`step`, `follow(progress)`); every change goes out through
 * `onTaskChanged` (the SSE stream relays it), progress changes at most ~10 per second per task.
 *
 *   const task = await startTask({ kind: 'vm.poweroff', title: `Power off ${m.name}`, titleKey: taskText('vm.poweroff', { name: m.name }),
 *       target, user, locks: [m.id] },
 *     async (ctx) => client.write(async (vbox, wsm) => {
 *       const session = await wsm.getSessionObject(vbox);
 *       await (await vbox.findMachine(m.id)).lockMachine(session, 'Shared');
 *       try { await ctx.follow(await (await session.getConsole())!.powerDown()); }
 *       finally { await session.unlockMachine(); }
 *     }, { release: true }));
 *
 * Several instances (issue 19, lib/coord): a task's lock keys are rows of `task_locks` (one key, one task,
 * whichever instance runs it); every change is published on coord channel `tasks`, so every instance's
 * onTaskChanged hears every task; a cancel on an instance not running the task goes out on `tasks:cancel`.
 * Rows still `running` whose instance is gone (a restart, or another instance's death) are taken up: at
 * start by every instance, and every 2 s by the holder of lease `tasks`. The task re-attaches to its
 * IProgress (IVirtualBox::findProgressById on its host) or, when that is not possible, ends `lost` with an
 * honest message. On SQLite (one instance) that is today's restart recovery.
 *
 * Languages (issue 20): `title` and `message` stay English (scripts and tests select by them); beside them a task
 * carries `titleI18n` / `messageI18n`, a key of the `taskText` catalog + values (lib/tasks/text), which the UI
 * renders in the reader's language (components/tasks/task-text). VirtualBox's own progress descriptions have none.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ProblemError, notFound } from '@/lib/api/problem';
import { getCoord, type Coord } from '@/lib/coord';
import { getDb, isUniqueViolation, type DB } from '@/lib/db';
import type { Insertable, Selectable } from 'kysely';
import type { TasksTable } from '@/lib/db/schema';
import type { VBoxClient } from '@/lib/vbox/client';
import { InvalidObjectError, SoapFaultError, TransportError, VBoxError } from '@/lib/vbox/errors';
import type { IProgress } from '@/lib/vbox/objects';
import { checkTaskText, parseTaskText, taskText } from './text';
import type { Task, TaskError, TaskStatus, TaskText } from './types';

export type { Task, TaskError, TaskStatus, TaskText } from './types';
export { taskText } from './text';
export { TASK_STATUSES } from './types';

export interface TaskContext {
  task: Readonly<Task>;
  /** Aborted when a user cancels. */
  signal: AbortSignal;
  /** Progress outside VirtualBox; `text`: the message as a `taskText` key + values (the UI translates it). */
  step(percent: number, message: string, text?: TaskText): void;
  /**
   * Follows an IProgress (lib/vbox) until it completes, mapping its 0–100 onto [from, to] of the task
   * (default: from the task's current percent to 100), message = its operation description; makes the
   * task cancelable while the IProgress is cancelable (cancel → IProgress.cancel()); throws VBoxError
   * when it failed (or was canceled). Its id is stored on the row so that the task can re-attach after
   * a restart: pass the range honestly — a restart during a progress that ends below 100 ends `lost`.
   */
  follow(progress: IProgress, range?: [from: number, to: number]): Promise<void>;
  /** E.g. once vm.create knows the UUID; the new id is locked for the task too when no other task holds it. */
  setTarget(id: string, name?: string): void;
  /**
   * (Addition) Marks the task cancelable between VirtualBox operations, for jobs that watch `signal`
   * themselves (cancel then aborts the signal; the job ends by throwing). Off by default.
   */
  setCancelable(on: boolean): void;
}

export interface StartTaskOptions {
  kind: string;
  title: string;
  /** The title as a `taskText` key + values giving exactly `title` in English (the UI shows it translated). */
  titleKey?: TaskText;
  /** For a medium: `tenant` is the tenant whose folder holds it (the task shows to that tenant's users). */
  target: { type: 'vm' | 'host' | 'medium' | 'network'; id: string; name: string; hostId: string | null; tenant?: string | null };
  user: { id: string; username: string };
  /**
   * Keys that must not be held by another running task (e.g. the machine UUID, or `name:<machine name>`
   * for create). A held key → ProblemError 409 `{ title: 'Busy', detail: 'Machine web-a1 is busy with task
   * "Start web-a1" (<task id>)', taskId }`.
   */
  locks: string[];
}

/** The reason `signal` carries when a user cancels. */
export class TaskCanceledError extends Error {
  constructor(readonly username: string) {
    super(`Canceled by ${username}`);
    this.name = 'TaskCanceledError';
  }
}

/** Where a change of a task comes from: `local` when this instance runs the task. */
export interface TaskOrigin {
  local: boolean;
}

export interface TasksConfig {
  db: () => Promise<DB>;
  /** The client of a registered host (to re-attach to an IProgress after a restart); undefined when the host is gone. */
  clientFor: (hostId: string) => Promise<VBoxClient | undefined>;
  /** This instance's coordination (lib/coord): its id marks the tasks it runs; its messages reach the other instances. */
  coord: () => Promise<Coord>;
}

/** Progress events (and row updates) per task at most every this many ms; status changes go out at once. */
const EMIT_INTERVAL_MS = 100;
/** How long one IProgress_waitForCompletion blocks between progress reads. */
const POLL_MS = 300;
/** How often the holder of lease `tasks` looks for running tasks of instances that are gone. */
const ADOPT_EVERY_MS = 2_000;
/** How long a cancel sent to the instance running the task waits to hear it canceling. */
const REMOTE_CANCEL_WAIT_MS = 5_000;

interface Run {
  task: Task;
  locks: string[];
  abort: AbortController;
  jobCancelable: boolean;
  progressCancelable: boolean;
  /** Set while an IProgress is followed: cancels it. */
  progressCancel: (() => Promise<void>) | null;
  canceledBy: string | null;
  progress: { id: string; from: number; to: number } | null;
  ended: boolean;
  /** Another instance took the task over (this one was thought gone): this one stays silent. */
  detached: boolean;
  lastEmit: number;
  lastKey: string;
  timer: NodeJS.Timeout | null;
  /** DB writes of this task, one after another. */
  writes: Promise<void>;
}

const defaultConfig: TasksConfig = {
  db: getDb,
  async clientFor(hostId) {
    const { getInventory } = await import('@/lib/cluster/inventory');
    const inventory = getInventory();
    await inventory.start();
    return inventory.monitor(hostId)?.client;
  },
  coord: getCoord,
};

/**
 * lib/tasks of one Nimbox instance: the tasks it runs, its listeners, and its part in adopting the tasks of
 * instances that are gone. The server has one (the functions below use it); tests make several, one per
 * simulated instance, on one database.
 */
export class Tasks {
  private readonly running = new Map<string, Run>();
  private readonly events = new EventEmitter().setMaxListeners(0);
  private recovery: Promise<void> | null = null;
  private wiring: Promise<Coord> | null = null;
  private coord: Coord | null = null;
  /** Unsubscribes and the lease's release. */
  private offs: Array<() => unknown> = [];
  private adoptTimer: NodeJS.Timeout | null = null;
  /** Adoption passes, one after another (a task is claimed once). */
  private passes: Promise<void> = Promise.resolve();
  /** setTarget's lock rows not yet written: startTask waits for them, so this instance sees its own locks at once. */
  private lockWrites: Promise<void> = Promise.resolve();
  /** ms of the last task created. */
  private lastCreated = 0;

  constructor(public config: TasksConfig) {}

  /**
   * Persists the task (status running), takes its locks, runs `job` in the background, and returns the
   * task at once (routes answer 202 with it). When the job throws, the task fails with the error as
   * VirtualBox or Nimbox said it (VBoxError → { title, detail: text, resultCode }); locks are released
   * when it ends.
   */
  async startTask(opts: StartTaskOptions, job: (ctx: TaskContext) => Promise<void>): Promise<Task> {
    checkTaskText(opts.titleKey, opts.title);
    await this.recoverTasks();
    const coord = this.coord!;
    const db = await this.config.db();
    const locks = [...new Set(opts.locks.filter(Boolean))];
    await this.lockWrites;
    // Creation times are distinct within the process (a millisecond apart at least), so "newest first" is exact.
    this.lastCreated = Math.max(Date.now(), this.lastCreated + 1);
    const now = new Date(this.lastCreated).toISOString();
    const task: Task = {
      id: randomUUID(), kind: opts.kind, title: opts.title, ...(opts.titleKey ? { titleI18n: taskText(opts.titleKey.key, opts.titleKey.values) } : {}),
      targetType: opts.target.type, targetId: opts.target.id, targetName: opts.target.name, hostId: opts.target.hostId,
      ...(opts.target.tenant ? { targetTenant: opts.target.tenant } : {}),
      userId: opts.user.id, username: opts.user.username,
      status: 'running', percent: 0, message: 'Queued', messageI18n: WORDS.queued, cancelable: false, error: null, createdAt: now, finishedAt: null,
    };
    const run = newRun(task, locks);
    this.running.set(task.id, run);
    try {
      const holder = await insertWithLocks(db, { ...toRow(run, now), instance_id: coord.instanceId }, locks);
      if (holder) throw busy(opts, holder.title, holder.taskId);
    } catch (e) {
      this.running.delete(task.id);
      throw e;
    }
    run.lastEmit = Date.now();
    run.lastKey = keyOf(task);
    this.emit(task);
    void this.execute(run, job);
    return snapshot(task);
  }

  /** One task; a task this instance runs as it is this moment (ahead of its row by at most ~100 ms otherwise). */
  async getTask(id: string): Promise<Task | undefined> {
    await this.recoverTasks();
    const run = this.running.get(id);
    if (run) return snapshot(run.task);
    const row = await (await this.config.db()).selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Tasks, newest first. */
  async listTasks(filter: TaskFilter): Promise<Task[]> {
    await this.recoverTasks();
    const db = await this.config.db();
    let q = db.selectFrom('tasks').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
    if (filter.before) {
      const cursor = await db.selectFrom('tasks').select(['created_at', 'id']).where('id', '=', filter.before).executeTakeFirst();
      if (cursor) {
        q = q.where((eb) => eb.or([
          eb('created_at', '<', cursor.created_at),
          eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)]),
        ]));
      } else {
        q = q.where('created_at', '<', filter.before);
      }
    }
    const limit = Math.max(1, Math.min(500, Math.floor(filter.limit ?? 50)));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => {
      const run = this.running.get(r.id);
      return run ? snapshot(run.task) : fromRow(r);
    });
  }

  /** Resolves with the task once it has ended, on whichever instance runs it (tests, scripts); rejects after `timeoutMs`. */
  async waitForTask(id: string, timeoutMs = 30_000): Promise<Task> {
    await this.recoverTasks();
    return new Promise<Task>((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        if (poll) clearInterval(poll);
        off();
      };
      const done = (t: Task) => {
        stop();
        resolve(t);
      };
      const fail = (e: Error) => {
        stop();
        reject(e);
      };
      const ended = (t: Task | undefined) => {
        if (!t) fail(new Error(`no task ${id}`));
        else if (t.status !== 'running' && !this.running.has(id)) done(t);
      };
      const off = this.onTaskChanged((t) => {
        if (t.id === id && t.status !== 'running') done(t);
      });
      const timer = setTimeout(() => fail(new Error(`task ${id} still running after ${timeoutMs} ms`)), timeoutMs);
      // Another instance's end arrives by NOTIFY; should one be missed (a LISTEN connection re-established), the row tells.
      const poll = this.coord?.shared ? setInterval(() => void this.getTask(id).then(ended, () => undefined), 2_000) : null;
      this.getTask(id).then(ended, (e: unknown) => fail(e as Error));
    });
  }

  /**
   * Cancels a running task: cancels the IProgress it follows (when VirtualBox allows it) and aborts its
   * signal; the task ends `canceled` once the job has stopped. 404 for an unknown task, 409 problem when
   * it has ended or cannot be canceled now. A task another instance runs: that instance is asked (`tasks:cancel`).
   */
  async cancelTask(id: string, user: { id: string; username: string }): Promise<Task> {
    await this.recoverTasks();
    const run = this.running.get(id);
    if (!run || run.ended) {
      const t = await this.getTask(id);
      if (!t) throw new ProblemError(notFound(`Task ${id}`));
      // Ended, or ending here; else another instance runs it.
      if (run || t.status !== 'running') {
        throw new ProblemError({ title: 'Not cancelable', status: 409, detail: `Task "${t.title}" has already ended (${t.status}).`, taskId: id });
      }
      return this.cancelElsewhere(t, user.username);
    }
    if (!cancelableNow(run)) {
      const why = run.canceledBy
        ? `cancel was already requested by ${run.canceledBy}`
        : 'VirtualBox does not allow canceling its current operation';
      throw new ProblemError({ title: 'Not cancelable', status: 409, detail: `Task "${run.task.title}" cannot be canceled: ${why}.`, taskId: id });
    }
    const hook = run.progressCancelable ? run.progressCancel : null;
    // Marked before VirtualBox is asked: the canceled IProgress may end the job before the answer arrives.
    run.canceledBy = user.username;
    if (hook) {
      try {
        await hook();
      } catch (e) {
        // VirtualBox refused (e.g. the operation passed the point of no return): say so, unless the job can stop itself.
        if (!run.jobCancelable) {
          run.canceledBy = null;
          throw e;
        }
      }
    }
    setMessage(run.task, canceling(user.username), cancelingText(user.username));
    run.abort.abort(new TaskCanceledError(user.username));
    this.publish(run, true);
    return snapshot(run.task);
  }

  /**
   * Every create, progress (at most ~10/s per task) and end of a task (the end once: nothing follows it), of
   * this instance's tasks (`local`) and the other instances'; returns the unsubscribe function.
   */
  onTaskChanged(cb: (t: Task, origin: TaskOrigin) => void): () => void {
    const listener = (t: Task, origin: TaskOrigin) => {
      try {
        cb(t, origin);
      } catch (e) {
        console.error('nimbox: an onTaskChanged listener failed', e);
      }
    };
    this.events.on('task', listener);
    return () => void this.events.off('task', listener);
  }

  /**
   * Joins the other instances (once: listens on `tasks` and `tasks:cancel`, competes for lease `tasks`) and takes
   * up the rows left `running` by instances that are gone, a previous process of this one included (once per
   * process; every entry point awaits it, and the server's start runs it).
   */
  recoverTasks(): Promise<void> {
    this.recovery ??= (async () => {
      await this.wire();
      await this.adopt(true);
    })().catch((e: unknown) => {
      this.recovery = null;
      throw e;
    });
    return this.recovery;
  }

  /**
   * Tests only: forgets every task this instance runs, as a restart would (rows stay as they are; jobs
   * still running keep running detached). The next call takes up the rows left `running`.
   */
  forget(): void {
    for (const run of this.running.values()) {
      run.ended = true;
      if (run.timer) clearTimeout(run.timer);
    }
    this.running.clear();
    this.recovery = null;
  }

  /** Tests only: stops listening and adopting (the process's coord.stop() does it at shutdown). */
  async stop(): Promise<void> {
    this.forget();
    this.stopAdopting();
    const offs = this.offs;
    this.offs = [];
    this.wiring = null;
    await Promise.all(offs.map((off) => off()));
  }

  // -------------------------------------------------------------------------------------------
  // Instances

  private wire(): Promise<Coord> {
    this.wiring ??= (async () => {
      const coord = await this.config.coord();
      this.coord = coord;
      this.offs.push(coord.subscribe('tasks', (payload, from) => {
        if (from !== coord.instanceId) this.events.emit('task', payload as Task, { local: false });
      }));
      this.offs.push(coord.subscribe('tasks:cancel', (payload) => {
        const { id, username } = payload as { id: string; username: string };
        if (!this.running.has(id)) return;
        this.cancelTask(id, { id: '', username }).catch((e: unknown) =>
          console.error(JSON.stringify({ level: 'warn', msg: `tasks: could not cancel task ${id} for ${username}`, error: (e as Error)?.message })));
      }));
      // Alone (SQLite) the start's pass is all there is to adopt; several instances: one of them keeps looking.
      if (coord.shared) {
        this.offs.push(coord.lease('tasks', {
          acquired: () => {
            this.adoptTimer ??= setInterval(() => void this.adopt(false).catch((e: unknown) =>
              console.error(JSON.stringify({ level: 'error', msg: 'tasks: adopting the tasks of gone instances failed', error: (e as Error)?.message }))), ADOPT_EVERY_MS);
          },
          lost: () => this.stopAdopting(),
        }));
      }
      return coord;
    })().catch((e: unknown) => {
      this.wiring = null;
      throw e;
    });
    return this.wiring;
  }

  private stopAdopting(): void {
    if (this.adoptTimer) clearInterval(this.adoptTimer);
    this.adoptTimer = null;
  }

  /** Asks the instance running `t` to cancel it, and answers with the task as that instance then tells it. */
  private async cancelElsewhere(t: Task, username: string): Promise<Task> {
    if (!t.cancelable) {
      const why = t.message.startsWith('Canceling') ? 'cancel was already requested' : 'VirtualBox does not allow canceling its current operation';
      throw new ProblemError({ title: 'Not cancelable', status: 409, detail: `Task "${t.title}" cannot be canceled: ${why}.`, taskId: t.id });
    }
    const heard = new Promise<Task | null>((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(null);
      }, REMOTE_CANCEL_WAIT_MS);
      const off = this.onTaskChanged((c) => {
        if (c.id !== t.id || (c.status === 'running' && c.message !== canceling(username))) return;
        clearTimeout(timer);
        off();
        resolve(c);
      });
    });
    this.coord!.publish('tasks:cancel', { id: t.id, username });
    // Not heard in time (the instance is busy, or gone and its task not adopted yet): the request stands.
    return (await heard) ?? { ...t, cancelable: false, message: canceling(username), messageI18n: cancelingText(username) };
  }

  /**
   * Takes up the rows left `running` by instances that are gone (and, at start, by a previous life of this one,
   * and rows of versions before 023): claims each (a conditional UPDATE, so one instance wins), takes over its
   * lock rows, and re-attaches it in the background.
   */
  private adopt(atStart: boolean): Promise<void> {
    const pass = this.passes.then(async () => {
      const coord = this.coord!;
      const me = coord.instanceId;
      const db = await this.config.db();
      const rows = await db.selectFrom('tasks').selectAll().where('status', '=', 'running').execute();
      const orphans = rows.filter((r) => !this.running.has(r.id) && (r.instance_id === null || r.instance_id !== me || atStart));
      if (!orphans.length) return;
      const alive = new Set(await coord.alive());
      for (const row of orphans) {
        const from = row.instance_id;
        if (from !== null && from !== me && alive.has(from)) continue;
        const locks = parseLocks(row.locks);
        const claimed = await db.transaction().execute(async (trx) => {
          const r = await trx.updateTable('tasks').set({ instance_id: me }).where('id', '=', row.id).where('status', '=', 'running')
            .where('instance_id', from === null ? 'is' : '=', from).executeTakeFirst();
          if (Number(r.numUpdatedRows) !== 1) return false;
          await trx.updateTable('task_locks').set({ instance_id: me }).where('task_id', '=', row.id).execute();
          // A row of an older version kept its keys in the row only: held again where no other task holds them.
          if (from === null && locks.length) {
            await trx.insertInto('task_locks').values(locks.map((key) => ({ key, task_id: row.id, instance_id: me, created_at: Date.now() })))
              .onConflict((oc) => oc.column('key').doNothing()).execute();
          }
          return true;
        });
        if (!claimed || this.running.has(row.id)) continue;
        const run = newRun(fromRow(row), locks);
        run.task.cancelable = false;
        run.lastKey = keyOf(run.task);
        this.running.set(row.id, run);
        void this.reattach(run, row, !coord.shared || from === null || from === me ? null : from);
      }
    });
    this.passes = pass.catch(() => undefined);
    return pass;
  }

  // -------------------------------------------------------------------------------------------
  // Running a job

  private async execute(run: Run, job: (ctx: TaskContext) => Promise<void>): Promise<void> {
    const ctx: TaskContext = {
      get task() { return run.task; },
      signal: run.abort.signal,
      step: (percent, message, text) => {
        if (run.ended) return;
        checkTaskText(text, message);
        run.task.percent = clampPercent(percent);
        setMessage(run.task, message, text);
        this.publish(run);
      },
      follow: (progress, range) => this.follow(run, progress, range),
      setTarget: (id, name) => {
        if (run.ended) return;
        run.task.targetId = id;
        if (name !== undefined) run.task.targetName = name;
        if (id && !run.locks.includes(id)) this.lockLater(run, id);
        this.publish(run, true);
      },
      setCancelable: (on) => {
        if (run.ended) return;
        run.jobCancelable = on;
        this.publish(run, true);
      },
    };
    setMessage(run.task, 'Starting', WORDS.starting);
    try {
      await job(ctx);
      await this.finish(run, 'succeeded', null);
    } catch (e) {
      if (run.canceledBy) await this.finish(run, 'canceled', null);
      else await this.finish(run, 'failed', toTaskError(e, run.task.message));
    }
  }

  /** setTarget's lock: taken when no other task holds the key. */
  private lockLater(run: Run, key: string): void {
    const me = this.coord!.instanceId;
    this.lockWrites = this.lockWrites.then(async () => {
      const db = await this.config.db();
      const r = await db.insertInto('task_locks').values({ key, task_id: run.task.id, instance_id: me, created_at: Date.now() })
        .onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) !== 1) return;
      run.locks.push(key);
      // Ended meanwhile: its release has run already.
      if (run.ended) await db.deleteFrom('task_locks').where('key', '=', key).where('task_id', '=', run.task.id).execute();
      else this.write(run);
    }).catch((e: unknown) => console.error(`nimbox: could not lock ${key} for task ${run.task.id}`, e));
  }

  private async follow(run: Run, progress: IProgress, range?: [number, number]): Promise<void> {
    if (run.abort.signal.aborted) throw run.abort.signal.reason;
    const from = clampPercent(range?.[0] ?? run.task.percent);
    const to = Math.max(from, clampPercent(range?.[1] ?? 100));
    const id = await progress.getId();
    run.progress = { id, from, to };
    run.progressCancel = () => progress.cancel();
    this.publish(run, true);
    try {
      for (;;) {
        const [completed, percent, cancelable, description] = await Promise.all([
          progress.getCompleted(), progress.getPercent(), progress.getCancelable(), progress.getOperationDescription(),
        ]);
        if (run.ended) return;
        run.progressCancelable = cancelable && !completed;
        run.task.percent = Math.round(from + ((to - from) * Math.max(0, Math.min(100, percent))) / 100);
        // VirtualBox's own words (its operation description): shown as VirtualBox says them.
        if (description) setMessage(run.task, description);
        this.publish(run);
        if (completed) break;
        await progress.waitForCompletion(POLL_MS);
      }
    } finally {
      run.progressCancel = null;
      run.progressCancelable = false;
      if (!run.ended) this.publish(run, true);
    }
    // Completed: throws VBoxError with VirtualBox's text when it failed.
    await progress.throwIfFailed();
  }

  private async finish(run: Run, status: TaskStatus, error: TaskError | null, message?: string, text?: TaskText): Promise<void> {
    if (run.ended) return;
    run.ended = true;
    if (run.timer) clearTimeout(run.timer);
    run.timer = null;
    const t = run.task;
    t.status = status;
    t.error = error;
    t.cancelable = false;
    t.finishedAt = new Date().toISOString();
    if (status === 'succeeded') t.percent = 100;
    if (status === 'canceled') setMessage(t, `Canceled by ${run.canceledBy}`, taskText('message.canceledBy', { username: run.canceledBy ?? '' }));
    if (message !== undefined) setMessage(t, message, text);
    // The row is final, and its keys free, before anyone hears of the end: a client that reacts to it reads what it heard.
    this.write(run, true);
    await run.writes;
    if (this.running.get(t.id) === run) this.running.delete(t.id);
    if (!run.detached) this.emit(t);
  }

  /** Emits and persists the task's state: at once when `urgent`, else at most every EMIT_INTERVAL_MS. */
  private publish(run: Run, urgent = false): void {
    if (run.ended) return;
    run.task.cancelable = cancelableNow(run);
    const key = keyOf(run.task);
    if (!urgent && key === run.lastKey) return;
    const wait = EMIT_INTERVAL_MS - (Date.now() - run.lastEmit);
    if (!urgent && wait > 0) {
      run.timer ??= setTimeout(() => {
        run.timer = null;
        this.publish(run, true);
      }, wait);
      return;
    }
    if (run.timer) clearTimeout(run.timer);
    run.timer = null;
    run.lastEmit = Date.now();
    run.lastKey = key;
    this.write(run);
    const s = snapshot(run.task);
    this.events.emit('task', s, { local: true });
    // Other instances hear of a change once its row is written: one that reacts by reading the row reads what it heard.
    void run.writes.then(() => {
      if (!run.detached) this.coord?.publish('tasks', s);
    });
  }

  /**
   * Saves the task's state (the end: and releases its keys, in one transaction). Only while the row is still this
   * instance's: when another instance has taken the task over (this one was thought dead), this one lets it go.
   */
  private write(run: Run, end = false): void {
    const t = run.task;
    const me = this.coord!.instanceId;
    const values = {
      status: t.status, percent: t.percent, message: t.message, message_i18n: t.messageI18n ? JSON.stringify(t.messageI18n) : null, cancelable: t.cancelable ? 1 : 0,
      error: t.error ? JSON.stringify(t.error) : null, target_id: t.targetId, target_name: t.targetName,
      locks: JSON.stringify(run.locks), progress_id: run.progress?.id ?? null,
      progress_from: run.progress?.from ?? 0, progress_to: run.progress?.to ?? 100,
      updated_at: new Date().toISOString(), finished_at: t.finishedAt,
    };
    run.writes = run.writes
      .then(async () => {
        const save = async (db: DB) => {
          const r = await db.updateTable('tasks').set(values).where('id', '=', t.id).where('instance_id', '=', me).executeTakeFirst();
          if (Number(r.numUpdatedRows) !== 1) return false;
          if (end) await db.deleteFrom('task_locks').where('task_id', '=', t.id).execute();
          return true;
        };
        const db = await this.config.db();
        const kept = end ? await db.transaction().execute(save) : await save(db);
        if (!kept && !run.detached) this.detach(run);
      })
      .catch((e: unknown) => console.error(`nimbox: could not save task ${t.id}`, e));
  }

  /** Another instance runs the task now: stop following it here, without a word (the other instance tells its end). */
  private detach(run: Run): void {
    console.error(JSON.stringify({ level: 'warn', msg: `tasks: task ${run.task.id} was taken over by another instance; this one lets it go` }));
    run.detached = true;
    run.ended = true;
    if (run.timer) clearTimeout(run.timer);
    run.timer = null;
    if (this.running.get(run.task.id) === run) this.running.delete(run.task.id);
    run.abort.abort(new Error('Another Nimbox instance took this task over'));
  }

  private emit(t: Task): void {
    const s = snapshot(t);
    this.events.emit('task', s, { local: true });
    this.coord?.publish('tasks', s);
  }

  // -------------------------------------------------------------------------------------------
  // Adoption (after a restart, or another instance's death)

  /** `gone`: the instance that ran the task, when another instance adopts it; null after a restart (or alone). */
  private async reattach(run: Run, row: Selectable<TasksTable>, gone: string | null): Promise<void> {
    const why = gone ? adoptedWords(gone) : restartWords;
    const lost = (detail: string) => this.finish(run, 'lost', { title: 'Task lost', detail: detail ? `${why.detail} ${detail}` : why.detail }, why.message, why.messageText);
    try {
      if (!row.progress_id || !row.host_id) return await lost('');
      const client = await this.config.clientFor(row.host_id);
      if (!client) return await lost('Its host is no longer registered.');
      setMessage(run.task, why.reattaching, why.reattachingText);
      this.publish(run, true);
      const progressId = row.progress_id;
      const found = await client.write(async (vbox) => {
        let progress: IProgress;
        try {
          progress = await vbox.findProgressById(progressId);
        } catch (e) {
          if (e instanceof VBoxError || e instanceof SoapFaultError) return false;
          throw e;
        }
        await this.follow(run, progress, [row.progress_from, row.progress_to]);
        return true;
      }, { release: true });
      // VirtualBox forgets a progress once it completes: one that ended while no instance followed it is not found either.
      if (!found) return await lost(`VirtualBox no longer knows its operation (progress ${progressId}): it ended ${why.meanwhile}, or its host restarted.`);
      if (row.progress_to >= 100) return await this.finish(run, 'succeeded', null);
      return await lost('Its VirtualBox operation completed, but the steps after it did not run.');
    } catch (e) {
      if (run.canceledBy) return this.finish(run, 'canceled', null);
      if (e instanceof VBoxError) return this.finish(run, 'failed', toTaskError(e, run.task.message));
      return lost(`Re-attaching failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }
}

const restartWords = {
  detail: "Nimbox restarted while this task ran; check the machine's state.",
  message: 'Nimbox restarted while this task ran',
  messageText: taskText('message.restarted'),
  reattaching: 'Nimbox restarted; re-attaching to the VirtualBox operation',
  reattachingText: taskText('message.restartedReattaching'),
  meanwhile: 'while Nimbox was down',
};

const adoptedWords = (gone: string) => ({
  detail: `The Nimbox instance running this task (${gone}) stopped; check the machine's state.`,
  message: 'The Nimbox instance running this task stopped',
  messageText: taskText('message.instanceStopped'),
  reattaching: 'The Nimbox instance running this task stopped; re-attaching to the VirtualBox operation',
  reattachingText: taskText('message.instanceStoppedReattaching'),
  meanwhile: 'before another instance took the task over',
});

const canceling = (username: string) => `Canceling (requested by ${username})`;
const cancelingText = (username: string) => taskText('message.canceling', { username });

/** lib/tasks' own messages as `taskText` keys. */
const WORDS = {
  queued: taskText('message.queued'),
  starting: taskText('message.starting'),
};

/** Sets the task's English message and its translatable form (none: VirtualBox's words, or a caller without a key). */
function setMessage(t: Task, message: string, text?: TaskText): void {
  t.message = message;
  if (text) t.messageI18n = taskText(text.key, text.values);
  else delete t.messageI18n;
}

// ---------------------------------------------------------------------------------------------
// The API (this process's instance)

// One per server process, on globalThis: Next's route bundles share it (as the inventory).
const g = globalThis as typeof globalThis & { __nimboxTasks?: Tasks };

function tasks(): Tasks {
  g.__nimboxTasks ??= new Tasks({ ...defaultConfig });
  return g.__nimboxTasks;
}

/** Replaces how lib/tasks reaches the database, the hosts and the other instances (tests). */
export function configureTasks(config: Partial<TasksConfig>): void {
  const t = tasks();
  t.config = { ...t.config, ...config };
}

/**
 * Tests only: forgets every task this process runs, as a restart would (rows stay as they are; jobs
 * still running keep running detached). The next call to lib/tasks recovers the rows left `running`.
 */
export function forgetTasksInMemory(): void {
  tasks().forget();
}

/** See Tasks.startTask. */
export function startTask(opts: StartTaskOptions, job: (ctx: TaskContext) => Promise<void>): Promise<Task> {
  return tasks().startTask(opts, job);
}

/** See Tasks.getTask. */
export function getTask(id: string): Promise<Task | undefined> {
  return tasks().getTask(id);
}

export interface TaskFilter {
  status?: TaskStatus;
  targetId?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** Tasks older than this one: a task id (the last of the previous page) or an ISO time. */
  before?: string;
}

/** See Tasks.listTasks. */
export function listTasks(filter: TaskFilter): Promise<Task[]> {
  return tasks().listTasks(filter);
}

/** See Tasks.waitForTask. */
export function waitForTask(id: string, timeoutMs?: number): Promise<Task> {
  return tasks().waitForTask(id, timeoutMs);
}

/** See Tasks.cancelTask. */
export function cancelTask(id: string, user: { id: string; username: string }): Promise<Task> {
  return tasks().cancelTask(id, user);
}

/** See Tasks.onTaskChanged: every instance's tasks; `origin.local` for this instance's own. */
export function onTaskChanged(cb: (t: Task, origin: TaskOrigin) => void): () => void {
  return tasks().onTaskChanged(cb);
}

/** See Tasks.recoverTasks. */
export function recoverTasks(): Promise<void> {
  return tasks().recoverTasks();
}

// ---------------------------------------------------------------------------------------------
// Helpers

function newRun(task: Task, locks: string[]): Run {
  return {
    task, locks, abort: new AbortController(), jobCancelable: false, progressCancelable: false, progressCancel: null,
    canceledBy: null, progress: null, ended: false, detached: false, lastEmit: 0, lastKey: '', timer: null, writes: Promise.resolve(),
  };
}

function cancelableNow(run: Run): boolean {
  return !run.ended && !run.canceledBy && (run.jobCancelable || (run.progressCancelable && !!run.progressCancel));
}

/**
 * Inserts the task's row and its lock rows in one transaction, unless a running task holds one of the keys:
 * then nothing is written and that task is returned.
 */
async function insertWithLocks(db: DB, row: Insertable<TasksTable>, keys: string[]): Promise<{ taskId: string; title: string } | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        if (keys.length) {
          const held = await trx.selectFrom('task_locks').leftJoin('tasks', 'tasks.id', 'task_locks.task_id')
            .select(['task_locks.key', 'task_locks.task_id', 'tasks.title', 'tasks.status']).where('task_locks.key', 'in', keys).execute();
          const holder = held.find((h) => h.status === 'running');
          if (holder) return { taskId: holder.task_id, title: holder.title ?? '' };
          // Keys of a task that is no longer running (its row was ended by hand, say): free.
          if (held.length) await trx.deleteFrom('task_locks').where('key', 'in', held.map((h) => h.key)).execute();
        }
        await trx.insertInto('tasks').values(row).execute();
        if (keys.length) {
          await trx.insertInto('task_locks').values(keys.map((key) => ({ key, task_id: row.id, instance_id: row.instance_id!, created_at: Date.now() }))).execute();
        }
        return null;
      });
    } catch (e) {
      // Another instance took one of the keys between the read and the insert: read again (it holds it now).
      if (attempt < 3 && isUniqueViolation(e)) continue;
      throw e;
    }
  }
}

function parseLocks(json: string): string[] {
  try {
    return (JSON.parse(json) as unknown[]).filter((k): k is string => typeof k === 'string');
  } catch {
    return [];
  }
}

function keyOf(t: Task): string {
  return `${t.percent}|${t.message}|${t.cancelable}|${t.targetId}|${t.targetName}`;
}

function snapshot(t: Task): Task {
  return {
    ...t, error: t.error ? { ...t.error } : null,
    ...(t.titleI18n ? { titleI18n: { ...t.titleI18n } } : {}),
    ...(t.messageI18n ? { messageI18n: { ...t.messageI18n } } : {}),
  };
}

function clampPercent(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(100, Math.round(n))) : 0;
}

function busy(opts: StartTaskOptions, holderTitle: string, holderId: string): ProblemError {
  const what = { vm: 'Machine', host: 'Host', medium: 'Medium', network: 'Network' }[opts.target.type];
  const name = opts.target.name || opts.target.id;
  const by = holderTitle ? `task "${holderTitle}" (${holderId})` : `task ${holderId}`;
  return new ProblemError({ title: 'Busy', status: 409, detail: `${what} ${name} is busy with ${by}`, taskId: holderId });
}

/** The error as VirtualBox or Nimbox said it. */
export function toTaskError(e: unknown, step?: string): TaskError {
  const at = step ? { step } : {};
  if (e instanceof VBoxError) {
    return {
      title: e.operation === 'IProgress' ? 'The VirtualBox operation failed' : 'VirtualBox refused the operation',
      detail: e.text || e.message, resultCode: String(e.resultCodeName), ...at,
    };
  }
  if (e instanceof ProblemError) {
    const p = e.problem;
    return { title: p.title, detail: p.detail ?? p.title, ...(p.resultCode ? { resultCode: p.resultCode } : {}), ...at };
  }
  if (e instanceof TransportError) return { title: 'Host unreachable', detail: e.message, ...at };
  if (e instanceof InvalidObjectError) return { title: 'VirtualBox websession lost', detail: e.message, ...at };
  if (e instanceof SoapFaultError) return { title: 'The web service refused the request', detail: e.message, ...at };
  console.error('nimbox: a task failed unexpectedly', e);
  return { title: 'Task failed', detail: (e as Error)?.message || String(e), ...at };
}

// ---------------------------------------------------------------------------------------------
// Rows

function toRow(run: Run, now: string): Insertable<TasksTable> {
  const t = run.task;
  return {
    id: t.id, kind: t.kind, title: t.title, target_type: t.targetType, target_id: t.targetId, target_name: t.targetName, target_tenant: t.targetTenant ?? null,
    host_id: t.hostId, user_id: t.userId, username: t.username, status: t.status, percent: t.percent, message: t.message,
    cancelable: t.cancelable ? 1 : 0, error: t.error ? JSON.stringify(t.error) : null, locks: JSON.stringify(run.locks),
    progress_id: null, progress_from: 0, progress_to: 100, created_at: now, updated_at: now, finished_at: null,
    title_i18n: t.titleI18n ? JSON.stringify(t.titleI18n) : null, message_i18n: t.messageI18n ? JSON.stringify(t.messageI18n) : null,
  };
}

function fromRow(r: Selectable<TasksTable>): Task {
  let error: TaskError | null = null;
  if (r.error) {
    try {
      error = JSON.parse(r.error) as TaskError;
    } catch {
      error = { title: 'Task failed', detail: r.error };
    }
  }
  return {
    id: r.id, kind: r.kind, title: r.title, targetType: r.target_type === 'host' || r.target_type === 'medium' || r.target_type === 'network' ? r.target_type : 'vm', targetId: r.target_id,
    ...(r.target_tenant ? { targetTenant: r.target_tenant } : {}),
    targetName: r.target_name, hostId: r.host_id, userId: r.user_id, username: r.username, status: r.status as TaskStatus,
    percent: r.percent, message: r.message, cancelable: r.cancelable === 1, error, createdAt: r.created_at, finishedAt: r.finished_at,
    ...i18nOf(r),
  };
}

/** The row's translatable title and message, when it has them (rows before migration 027 have none). */
function i18nOf(r: Selectable<TasksTable>): Pick<Task, 'titleI18n' | 'messageI18n'> {
  const title = parseTaskText(r.title_i18n);
  const message = parseTaskText(r.message_i18n);
  return { ...(title ? { titleI18n: title } : {}), ...(message ? { messageI18n: message } : {}) };
}
