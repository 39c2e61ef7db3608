/**
 * lib/tasks: long-running operations (Proxmox style: every long operation is a task you can watch).
 *
 * A task is a row in the `tasks` table plus, while it runs in this process, an in-memory record
 * that holds its locks, its AbortController and the IProgress it follows. Routes call
 * `startTask(opts, job)` and answer 202 with the task at once; the job runs in the background and
 * reports through its TaskContext (`step`, `follow(progress)`); every change goes out through
 * `onTaskChanged` (the SSE stream relays it), progress changes at most ~10 per second per task.
 *
 *   const task = await startTask({ kind: 'vm.poweroff', title: `Power off ${m.name}`, target, user, locks: [m.id] },
 *     async (ctx) => client.write(async (vbox, wsm) => {
 *       const session = await wsm.getSessionObject(vbox);
 *       await (await vbox.findMachine(m.id)).lockMachine(session, 'Shared');
 *       try { await ctx.follow(await (await session.getConsole())!.powerDown()); }
 *       finally { await session.unlockMachine(); }
 *     }, { release: true }));
 *
 * Locks are an in-process map (key → task id): one Nimbox process drives the hosts. After a restart,
 * rows still `running` are taken up again: their locks are held anew, and the task re-attaches to
 * its IProgress (IVirtualBox::findProgressById on its host) or, when that is not possible, ends
 * `lost` with an honest message.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ProblemError, notFound } from '@/lib/api/problem';
import { getDb, type DB } from '@/lib/db';
import type { Insertable, Selectable } from 'kysely';
import type { TasksTable } from '@/lib/db/schema';
import type { VBoxClient } from '@/lib/vbox/client';
import { InvalidObjectError, SoapFaultError, TransportError, VBoxError } from '@/lib/vbox/errors';
import type { IProgress } from '@/lib/vbox/objects';
import type { Task, TaskError, TaskStatus } from './types';

export type { Task, TaskError, TaskStatus } from './types';
export { TASK_STATUSES } from './types';

export interface TaskContext {
  task: Readonly<Task>;
  /** Aborted when a user cancels. */
  signal: AbortSignal;
  /** Progress outside VirtualBox. */
  step(percent: number, message: string): void;
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

export interface TasksConfig {
  db: () => Promise<DB>;
  /** The client of a registered host (to re-attach to an IProgress after a restart); undefined when the host is gone. */
  clientFor: (hostId: string) => Promise<VBoxClient | undefined>;
}

/** Progress events (and row updates) per task at most every this many ms; status changes go out at once. */
const EMIT_INTERVAL_MS = 100;
/** How long one IProgress_waitForCompletion blocks between progress reads. */
const POLL_MS = 300;

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
  lastEmit: number;
  lastKey: string;
  timer: NodeJS.Timeout | null;
  /** DB writes of this task, one after another. */
  writes: Promise<void>;
}

interface Registry {
  running: Map<string, Run>;
  locks: Map<string, string>;
  events: EventEmitter;
  recovery: Promise<void> | null;
  config: TasksConfig;
  /** ms of the last task created. */
  lastCreated: number;
}

const defaultConfig: TasksConfig = {
  db: getDb,
  async clientFor(hostId) {
    const { getInventory } = await import('@/lib/cluster/inventory');
    const inventory = getInventory();
    await inventory.start();
    return inventory.monitor(hostId)?.client;
  },
};

// One registry per server process, on globalThis: Next's route bundles share it (as the inventory).
const g = globalThis as typeof globalThis & { __nimboxTasks?: Registry };

function registry(): Registry {
  g.__nimboxTasks ??= { running: new Map(), locks: new Map(), events: new EventEmitter().setMaxListeners(0), recovery: null, config: defaultConfig, lastCreated: 0 };
  return g.__nimboxTasks;
}

/** Replaces how lib/tasks reaches the database and the hosts (tests). */
export function configureTasks(config: Partial<TasksConfig>): void {
  const reg = registry();
  reg.config = { ...reg.config, ...config };
}

/**
 * Tests only: forgets every task this process runs, as a restart would (rows stay as they are; jobs
 * still running keep running detached). The next call to lib/tasks recovers the rows left `running`.
 */
export function forgetTasksInMemory(): void {
  const reg = registry();
  for (const run of reg.running.values()) {
    run.ended = true;
    if (run.timer) clearTimeout(run.timer);
  }
  reg.running.clear();
  reg.locks.clear();
  reg.recovery = null;
}

// ---------------------------------------------------------------------------------------------
// The API

/**
 * Persists the task (status running), takes its locks, runs `job` in the background, and returns the
 * task at once (routes answer 202 with it). When the job throws, the task fails with the error as
 * VirtualBox or Nimbox said it (VBoxError → { title, detail: text, resultCode }); locks are released
 * when it ends.
 */
export async function startTask(opts: StartTaskOptions, job: (ctx: TaskContext) => Promise<void>): Promise<Task> {
  const reg = registry();
  await recoverTasks();
  const db = await reg.config.db();
  const locks = [...new Set(opts.locks.filter(Boolean))];
  // Check and take the locks without an await in between: the map is the one truth in this process.
  for (const key of locks) {
    const holder = reg.locks.get(key);
    if (holder) throw busy(opts, reg.running.get(holder)?.task, holder);
  }
  // Creation times are distinct within the process (a millisecond apart at least), so "newest first" is exact.
  reg.lastCreated = Math.max(Date.now(), reg.lastCreated + 1);
  const now = new Date(reg.lastCreated).toISOString();
  const task: Task = {
    id: randomUUID(), kind: opts.kind, title: opts.title,
    targetType: opts.target.type, targetId: opts.target.id, targetName: opts.target.name, hostId: opts.target.hostId,
    ...(opts.target.tenant ? { targetTenant: opts.target.tenant } : {}),
    userId: opts.user.id, username: opts.user.username,
    status: 'running', percent: 0, message: 'Queued', cancelable: false, error: null, createdAt: now, finishedAt: null,
  };
  for (const key of locks) reg.locks.set(key, task.id);
  const run = newRun(task, locks);
  reg.running.set(task.id, run);
  try {
    await db.insertInto('tasks').values(toRow(run, now)).execute();
  } catch (e) {
    reg.running.delete(task.id);
    releaseLocks(reg, run);
    throw e;
  }
  run.lastEmit = Date.now();
  run.lastKey = keyOf(task);
  emit(reg, task);
  void execute(run, job);
  return snapshot(task);
}

/** One task; a running task as it is this moment (ahead of its row by at most ~100 ms otherwise). */
export async function getTask(id: string): Promise<Task | undefined> {
  const reg = registry();
  await recoverTasks();
  const run = reg.running.get(id);
  if (run) return snapshot(run.task);
  const row = await (await reg.config.db()).selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export interface TaskFilter {
  status?: TaskStatus;
  targetId?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** Tasks older than this one: a task id (the last of the previous page) or an ISO time. */
  before?: string;
}

/** Tasks, newest first. */
export async function listTasks(filter: TaskFilter): Promise<Task[]> {
  const reg = registry();
  await recoverTasks();
  const db = await reg.config.db();
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
    const run = reg.running.get(r.id);
    return run ? snapshot(run.task) : fromRow(r);
  });
}

/** Resolves with the task once it has ended (tests, scripts); rejects after `timeoutMs`. */
export async function waitForTask(id: string, timeoutMs = 30_000): Promise<Task> {
  const reg = registry();
  return new Promise<Task>((resolve, reject) => {
    const done = (t: Task) => {
      clearTimeout(timer);
      off();
      resolve(t);
    };
    const off = onTaskChanged((t) => {
      if (t.id === id && t.status !== 'running') done(t);
    });
    const timer = setTimeout(() => {
      off();
      reject(new Error(`task ${id} still running after ${timeoutMs} ms`));
    }, timeoutMs);
    getTask(id).then((t) => {
      if (!t) {
        clearTimeout(timer);
        off();
        reject(new Error(`no task ${id}`));
      } else if (t.status !== 'running' && !reg.running.has(id)) {
        done(t);
      }
    }, (e: unknown) => {
      clearTimeout(timer);
      off();
      reject(e as Error);
    });
  });
}

/**
 * Cancels a running task: cancels the IProgress it follows (when VirtualBox allows it) and aborts its
 * signal; the task ends `canceled` once the job has stopped. 404 for an unknown task, 409 problem when
 * it has ended or cannot be canceled now.
 */
export async function cancelTask(id: string, user: { id: string; username: string }): Promise<Task> {
  const reg = registry();
  await recoverTasks();
  const run = reg.running.get(id);
  if (!run || run.ended) {
    const t = await getTask(id);
    if (!t) throw new ProblemError(notFound(`Task ${id}`));
    throw new ProblemError({ title: 'Not cancelable', status: 409, detail: `Task "${t.title}" has already ended (${t.status}).`, taskId: id });
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
  run.task.message = `Canceling (requested by ${user.username})`;
  run.abort.abort(new TaskCanceledError(user.username));
  publish(run, true);
  return snapshot(run.task);
}

/** Every create, progress (at most ~10/s per task) and end of a task (the end once: nothing follows it); returns the unsubscribe function. */
export function onTaskChanged(cb: (t: Task) => void): () => void {
  const events = registry().events;
  const listener = (t: Task) => {
    try {
      cb(t);
    } catch (e) {
      console.error('nimbox: an onTaskChanged listener failed', e);
    }
  };
  events.on('task', listener);
  return () => events.off('task', listener);
}

// ---------------------------------------------------------------------------------------------
// Running a job

function newRun(task: Task, locks: string[]): Run {
  return {
    task, locks, abort: new AbortController(), jobCancelable: false, progressCancelable: false, progressCancel: null,
    canceledBy: null, progress: null, ended: false, lastEmit: 0, lastKey: '', timer: null, writes: Promise.resolve(),
  };
}

async function execute(run: Run, job: (ctx: TaskContext) => Promise<void>): Promise<void> {
  const reg = registry();
  const ctx: TaskContext = {
    get task() { return run.task; },
    signal: run.abort.signal,
    step(percent, message) {
      if (run.ended) return;
      run.task.percent = clampPercent(percent);
      run.task.message = message;
      publish(run);
    },
    follow: (progress, range) => follow(run, progress, range),
    setTarget(id, name) {
      if (run.ended) return;
      run.task.targetId = id;
      if (name !== undefined) run.task.targetName = name;
      if (id && !reg.locks.has(id)) {
        reg.locks.set(id, run.task.id);
        run.locks.push(id);
      }
      publish(run, true);
    },
    setCancelable(on) {
      if (run.ended) return;
      run.jobCancelable = on;
      publish(run, true);
    },
  };
  run.task.message = 'Starting';
  try {
    await job(ctx);
    await finish(run, 'succeeded', null);
  } catch (e) {
    if (run.canceledBy) await finish(run, 'canceled', null);
    else await finish(run, 'failed', toTaskError(e, run.task.message));
  }
}

async function follow(run: Run, progress: IProgress, range?: [number, number]): Promise<void> {
  if (run.abort.signal.aborted) throw run.abort.signal.reason;
  const from = clampPercent(range?.[0] ?? run.task.percent);
  const to = Math.max(from, clampPercent(range?.[1] ?? 100));
  const id = await progress.getId();
  run.progress = { id, from, to };
  run.progressCancel = () => progress.cancel();
  publish(run, true);
  try {
    for (;;) {
      const [completed, percent, cancelable, description] = await Promise.all([
        progress.getCompleted(), progress.getPercent(), progress.getCancelable(), progress.getOperationDescription(),
      ]);
      if (run.ended) return;
      run.progressCancelable = cancelable && !completed;
      run.task.percent = Math.round(from + ((to - from) * Math.max(0, Math.min(100, percent))) / 100);
      if (description) run.task.message = description;
      publish(run);
      if (completed) break;
      await progress.waitForCompletion(POLL_MS);
    }
  } finally {
    run.progressCancel = null;
    run.progressCancelable = false;
    if (!run.ended) publish(run, true);
  }
  // Completed: throws VBoxError with VirtualBox's text when it failed.
  await progress.throwIfFailed();
}

function cancelableNow(run: Run): boolean {
  return !run.ended && !run.canceledBy && (run.jobCancelable || (run.progressCancelable && !!run.progressCancel));
}

async function finish(run: Run, status: TaskStatus, error: TaskError | null, message?: string): Promise<void> {
  const reg = registry();
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
  if (status === 'canceled') t.message = `Canceled by ${run.canceledBy}`;
  if (message !== undefined) t.message = message;
  write(run);
  await run.writes;
  // The row is final before anyone hears of the end: a client that reacts to it reads what it heard.
  if (reg.running.get(t.id) === run) reg.running.delete(t.id);
  releaseLocks(reg, run);
  emit(reg, t);
}

function releaseLocks(reg: Registry, run: Run): void {
  for (const key of run.locks) if (reg.locks.get(key) === run.task.id) reg.locks.delete(key);
}

/** Emits and persists the task's state: at once when `urgent`, else at most every EMIT_INTERVAL_MS. */
function publish(run: Run, urgent = false): void {
  if (run.ended) return;
  run.task.cancelable = cancelableNow(run);
  const key = keyOf(run.task);
  if (!urgent && key === run.lastKey) return;
  const wait = EMIT_INTERVAL_MS - (Date.now() - run.lastEmit);
  if (!urgent && wait > 0) {
    run.timer ??= setTimeout(() => {
      run.timer = null;
      publish(run, true);
    }, wait);
    return;
  }
  if (run.timer) clearTimeout(run.timer);
  run.timer = null;
  run.lastEmit = Date.now();
  run.lastKey = key;
  write(run);
  emit(registry(), run.task);
}

function keyOf(t: Task): string {
  return `${t.percent}|${t.message}|${t.cancelable}|${t.targetId}|${t.targetName}`;
}

function write(run: Run): void {
  const reg = registry();
  const t = run.task;
  const values = {
    status: t.status, percent: t.percent, message: t.message, cancelable: t.cancelable ? 1 : 0,
    error: t.error ? JSON.stringify(t.error) : null, target_id: t.targetId, target_name: t.targetName,
    locks: JSON.stringify(run.locks), progress_id: run.progress?.id ?? null,
    progress_from: run.progress?.from ?? 0, progress_to: run.progress?.to ?? 100,
    updated_at: new Date().toISOString(), finished_at: t.finishedAt,
  };
  run.writes = run.writes
    .then(async () => {
      await (await reg.config.db()).updateTable('tasks').set(values).where('id', '=', t.id).execute();
    })
    .catch((e: unknown) => console.error(`nimbox: could not save task ${t.id}`, e));
}

function emit(reg: Registry, t: Task): void {
  reg.events.emit('task', snapshot(t));
}

function snapshot(t: Task): Task {
  return { ...t, error: t.error ? { ...t.error } : null };
}

function clampPercent(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(100, Math.round(n))) : 0;
}

function busy(opts: StartTaskOptions, holder: Task | undefined, holderId: string): ProblemError {
  const what = { vm: 'Machine', host: 'Host', medium: 'Medium', network: 'Network' }[opts.target.type];
  const name = opts.target.name || opts.target.id;
  const by = holder ? `task "${holder.title}" (${holderId})` : `task ${holderId}`;
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
  };
}

// ---------------------------------------------------------------------------------------------
// Restart recovery

const LOST_DETAIL = "Nimbox restarted while this task ran; check the machine's state.";

/**
 * Takes up the rows a previous process left `running` (once per process; every entry point awaits it,
 * and the server's start runs it): their locks are held again at once, then each task re-attaches to
 * its IProgress in the background, or ends `lost`.
 */
export function recoverTasks(): Promise<void> {
  const reg = registry();
  reg.recovery ??= (async () => {
    const rows = await (await reg.config.db()).selectFrom('tasks').selectAll().where('status', '=', 'running').execute();
    for (const row of rows) {
      if (reg.running.has(row.id)) continue;
      let locks: string[] = [];
      try {
        locks = (JSON.parse(row.locks) as unknown[]).filter((k): k is string => typeof k === 'string');
      } catch { /* none */ }
      const run = newRun(fromRow(row), locks);
      run.task.cancelable = false;
      run.lastKey = keyOf(run.task);
      reg.running.set(row.id, run);
      for (const key of locks) if (!reg.locks.has(key)) reg.locks.set(key, row.id);
      void reattach(run, row);
    }
  })().catch((e: unknown) => {
    reg.recovery = null;
    throw e;
  });
  return reg.recovery;
}

async function reattach(run: Run, row: Selectable<TasksTable>): Promise<void> {
  const reg = registry();
  const lost = (why: string) => finish(run, 'lost', { title: 'Task lost', detail: why ? `${LOST_DETAIL} ${why}` : LOST_DETAIL }, "Nimbox restarted while this task ran");
  try {
    if (!row.progress_id || !row.host_id) return await lost('');
    const client = await reg.config.clientFor(row.host_id);
    if (!client) return await lost('Its host is no longer registered.');
    run.task.message = 'Nimbox restarted; re-attaching to the VirtualBox operation';
    publish(run, true);
    const progressId = row.progress_id;
    const found = await client.write(async (vbox) => {
      let progress: IProgress;
      try {
        progress = await vbox.findProgressById(progressId);
      } catch (e) {
        if (e instanceof VBoxError || e instanceof SoapFaultError) return false;
        throw e;
      }
      await follow(run, progress, [row.progress_from, row.progress_to]);
      return true;
    }, { release: true });
    // VirtualBox forgets a progress once it completes: one that ended while Nimbox was down is not found either.
    if (!found) return await lost(`VirtualBox no longer knows its operation (progress ${progressId}): it ended while Nimbox was down, or its host restarted.`);
    if (row.progress_to >= 100) return await finish(run, 'succeeded', null);
    return await lost('Its VirtualBox operation completed, but the steps after it did not run.');
  } catch (e) {
    if (run.canceledBy) return finish(run, 'canceled', null);
    if (e instanceof VBoxError) return finish(run, 'failed', toTaskError(e, run.task.message));
    return lost(`Re-attaching failed: ${(e as Error)?.message ?? String(e)}`);
  }
}
