'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks } from './use-tasks';
import type { SnapshotNode, Task } from './types';

const vmPath = (id: string) => `/api/v1/vms/${encodeURIComponent(id)}`;

/** Sets a machine's groups on every copy (PUT /api/v1/vms/:id/groups) → 202 task vm.groups. */
export function useSetGroups() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, groups }: { id: string; groups: string[] }) => apiFetch<Task>(`${vmPath(id)}/groups`, { method: 'PUT', json: { groups } }),
    onSuccess: (t) => seed([t]),
  });
}

/** Moves several machines into groups at once (POST /api/v1/vms/groups) → 202 one task vm.groups. */
export function useMoveToGroups() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ ids, groups }: { ids: string[]; groups: string[] }) => apiFetch<Task>('/api/v1/vms/groups', { method: 'POST', json: { ids, groups } }),
    onSuccess: (t) => seed([t]),
  });
}

/** Renames a snapshot or changes its description (PATCH /api/v1/vms/:id/snapshots/:sid) → 200 the snapshot; the tree is read again. */
export function useEditSnapshot() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, snapshotId, patch }: { id: string; snapshotId: string; patch: { name?: string; description?: string } }) =>
      apiFetch<Omit<SnapshotNode, 'children'>>(`${vmPath(id)}/snapshots/${encodeURIComponent(snapshotId)}`, { method: 'PATCH', json: patch }),
    onSuccess: (_s, { id }) => qc.invalidateQueries({ queryKey: queryKeys.vmSnapshots(id) }),
  });
}
