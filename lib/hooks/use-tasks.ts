'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from './api';
import { queryKeys, tasksSearch } from './keys';
import { applyTaskEvents, normalizeTasks } from './task-cache';
import type { Task, TaskFilter } from './types';

/** While a task runs, read it again this often in case a live event was missed. */
const RUNNING_REFETCH_MS = 3000;

/** Recent tasks, newest first (GET /api/v1/tasks), kept live by the `task` events. */
export function useTasks(filter: TaskFilter, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.taskList(filter),
    queryFn: async ({ signal }) => normalizeTasks(await apiFetch<unknown>(`/api/v1/tasks?${tasksSearch(filter)}`, { signal })),
    enabled: opts.enabled ?? true,
    // Lists are patched by events; a slow re-read still catches tasks that started elsewhere while disconnected.
    refetchInterval: (q) => (q.state.data?.tasks.some((t) => t.status === 'running') ? RUNNING_REFETCH_MS * 5 : false),
  });
}

/** One task (GET /api/v1/tasks/:id), live while it runs. */
export function useTask(id: string | null | undefined) {
  return useQuery({
    queryKey: queryKeys.task(id ?? ''),
    queryFn: ({ signal }) => apiFetch<Task>(`/api/v1/tasks/${encodeURIComponent(id!)}`, { signal }),
    enabled: Boolean(id),
    staleTime: 0,
    refetchInterval: (q) => (q.state.data && q.state.data.status !== 'running' ? false : RUNNING_REFETCH_MS),
  });
}

/** Puts a task an API call returned into the cache, so the drawer and progress bars show it at once. */
export function useSeedTasks() {
  const qc = useQueryClient();
  return (tasks: Task[]) => {
    if (tasks.length > 0) applyTaskEvents(qc, tasks);
  };
}

/** Cancels a running task (POST /api/v1/tasks/:id/cancel). */
export function useCancelTask() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: (id: string) => apiFetch<Task>(`/api/v1/tasks/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
    onSuccess: (t) => seed([t]),
  });
}
