import { notifyManager, type QueryClient } from '@tanstack/react-query';
import { queryKeys } from './keys';
import type { Task, TaskFilter, TasksData } from './types';

/** Does the task belong in a list with this filter? (The server's rule: status and target.) */
function taskMatches(filter: TaskFilter, t: Task): boolean {
  if (filter.status && t.status !== filter.status) return false;
  if (filter.targetId && t.targetId !== filter.targetId) return false;
  return true;
}

/** Newest first, as GET /api/v1/tasks answers. */
function byNewest(a: Task, b: Task): number {
  return b.createdAt < a.createdAt ? -1 : b.createdAt > a.createdAt ? 1 : 0;
}

/** One task into one cached list: replaced in place, added (newest first, within the limit), or taken out when it no longer matches. */
export function upsertTask(filter: TaskFilter, data: TasksData, t: Task): TasksData | undefined {
  const idx = data.tasks.findIndex((x) => x.id === t.id);
  const matches = taskMatches(filter, t);
  if (idx >= 0) {
    if (!matches) return { tasks: data.tasks.filter((x) => x.id !== t.id) };
    if (data.tasks[idx] === t) return undefined;
    const tasks = data.tasks.slice();
    tasks[idx] = t;
    return { tasks };
  }
  if (!matches) return undefined;
  const tasks = [t, ...data.tasks].sort(byNewest);
  // A list at its limit keeps its newest `limit` tasks; an older task does not push in.
  if (filter.limit && tasks.length > filter.limit) {
    const kept = tasks.slice(0, filter.limit);
    return kept.some((x) => x.id === t.id) ? { tasks: kept } : undefined;
  }
  return { tasks };
}

/** What a batch of task events changed, for the caller to refetch what depends on it. */
export interface TaskOutcome {
  /** Tasks that ended in this batch (were running, or unseen, and are now finished). */
  finished: Task[];
}

/**
 * Applies task updates (SSE `task` events, or a task a mutation returned) to the React Query
 * cache: every cached task list and the task's own detail entry.
 */
export function applyTaskEvents(qc: QueryClient, tasks: Task[]): TaskOutcome {
  const out: TaskOutcome = { finished: [] };
  notifyManager.batch(() => {
    for (const t of tasks) {
      const prev = qc.getQueryData<Task>(queryKeys.task(t.id));
      // Progress events may overtake each other: never step a finished task back to running.
      if (prev && prev.status !== 'running' && t.status === 'running') continue;
      if (t.status !== 'running' && (!prev || prev.status === 'running')) out.finished.push(t);
      qc.setQueryData<Task>(queryKeys.task(t.id), t);
      for (const q of qc.getQueryCache().findAll({ queryKey: queryKeys.taskLists })) {
        const filter = (q.queryKey[2] ?? {}) as TaskFilter;
        const data = q.state.data as TasksData | undefined;
        if (!data) continue;
        const next = upsertTask(filter, data, t);
        if (next) qc.setQueryData<TasksData>(q.queryKey, next);
      }
    }
  });
  return out;
}

/** The GET /api/v1/tasks answer in the cache's shape, whichever envelope the server used. */
export function normalizeTasks(body: unknown): TasksData {
  if (Array.isArray(body)) return { tasks: body as Task[] };
  if (body && typeof body === 'object') {
    const o = body as { tasks?: unknown; items?: unknown };
    if (Array.isArray(o.tasks)) return { tasks: o.tasks as Task[] };
    if (Array.isArray(o.items)) return { tasks: o.items as Task[] };
  }
  return { tasks: [] };
}

/** The query keys to refetch when a task ends: what the task changed. */
export function keysAfterTask(t: Task): (readonly unknown[])[] {
  const keys: (readonly unknown[])[] = [];
  if (t.targetType === 'vm' && t.targetId) {
    keys.push(queryKeys.vmDetail(t.targetId));
    if (t.kind.startsWith('snapshot.') || t.kind === 'vm.delete') keys.push(queryKeys.vmSnapshots(t.targetId));
  }
  if (t.kind === 'vm.create' || t.kind === 'vm.delete' || t.kind === 'vm.edit') keys.push(queryKeys.vmLists);
  if (t.kind === 'vm.create' || t.kind === 'vm.delete') keys.push(queryKeys.hosts);
  // Media tasks, and machine changes that attach, detach or delete media, change the media list and the browser.
  if (t.kind.startsWith('media.') || t.kind === 'vm.storage' || t.kind === 'vm.create' || t.kind === 'vm.delete') keys.push(queryKeys.media, queryKeys.storage);
  return keys;
}
