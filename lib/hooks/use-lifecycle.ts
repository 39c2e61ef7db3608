'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks } from './use-tasks';
import type { BulkActionResult, CreateMachineInput, EditMachineInput, HostCapabilities, MachineAction, SnapshotTree, Task } from './types';

const vmPath = (id: string) => `/api/v1/vms/${encodeURIComponent(id)}`;

/** Runs a power action on one machine (POST /api/v1/vms/:id/actions) → 202 with its task. */
export function useMachineAction() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: MachineAction }) => apiFetch<Task>(`${vmPath(id)}/actions`, { method: 'POST', json: { action } }),
    onSuccess: (t) => seed([t]),
  });
}

/** Runs a power action on several machines (POST /api/v1/vms/actions) → 202 with a task per machine and the refusals. */
export function useBulkAction() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ ids, action }: { ids: string[]; action: MachineAction }) =>
      apiFetch<BulkActionResult>('/api/v1/vms/actions', { method: 'POST', json: { action, ids } }),
    onSuccess: (r) => seed(r.tasks ?? []),
  });
}

/** Creates a machine (POST /api/v1/vms) → 202 with the task that builds it. */
export function useCreateMachine() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: (input: CreateMachineInput) => apiFetch<Task>('/api/v1/vms', { method: 'POST', json: input }),
    onSuccess: (t) => seed([t]),
  });
}

/** Changes a powered-off machine's settings (PATCH /api/v1/vms/:id) → 202 task. */
export function useEditMachine() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: EditMachineInput }) => apiFetch<Task>(vmPath(id), { method: 'PATCH', json: patch }),
    onSuccess: (t) => seed([t]),
  });
}

/** Unregisters and deletes a machine (DELETE /api/v1/vms/:id?deleteDisks=) → 202 task. */
export function useDeleteMachine() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, deleteDisks }: { id: string; deleteDisks: boolean }) =>
      apiFetch<Task>(`${vmPath(id)}?deleteDisks=${deleteDisks ? 'true' : 'false'}`, { method: 'DELETE' }),
    onSuccess: (t) => seed([t]),
  });
}

/** What a host offers for a new machine (GET /api/v1/hosts/:id/capabilities). */
export function useCapabilities(hostId: string | null | undefined) {
  return useQuery({
    queryKey: queryKeys.capabilities(hostId ?? ''),
    queryFn: ({ signal }) => apiFetch<HostCapabilities>(`/api/v1/hosts/${encodeURIComponent(hostId!)}/capabilities`, { signal }),
    enabled: Boolean(hostId),
    staleTime: 60_000,
  });
}

/** A machine's snapshot tree (GET /api/v1/vms/:id/snapshots), re-read when a snapshot task ends. */
export function useSnapshots(id: string) {
  return useQuery({
    queryKey: queryKeys.vmSnapshots(id),
    queryFn: ({ signal }) => apiFetch<SnapshotTree>(`${vmPath(id)}/snapshots`, { signal }),
  });
}

/** Takes a snapshot (POST /api/v1/vms/:id/snapshots) → 202 task. */
export function useTakeSnapshot() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, name, description }: { id: string; name: string; description: string }) =>
      apiFetch<Task>(`${vmPath(id)}/snapshots`, { method: 'POST', json: { name, description } }),
    onSuccess: (t) => seed([t]),
  });
}

/** Restores a snapshot (POST /api/v1/vms/:id/snapshots/:sid/restore) → 202 task. */
export function useRestoreSnapshot() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, snapshotId }: { id: string; snapshotId: string }) =>
      apiFetch<Task>(`${vmPath(id)}/snapshots/${encodeURIComponent(snapshotId)}/restore`, { method: 'POST' }),
    onSuccess: (t) => seed([t]),
  });
}

/** Deletes a snapshot (DELETE /api/v1/vms/:id/snapshots/:sid) → 202 task. */
export function useDeleteSnapshot() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, snapshotId }: { id: string; snapshotId: string }) =>
      apiFetch<Task>(`${vmPath(id)}/snapshots/${encodeURIComponent(snapshotId)}`, { method: 'DELETE' }),
    onSuccess: (t) => seed([t]),
  });
}
