'use client';

import type { CloneInput, MacPolicy } from '@/lib/cluster/operations/clone';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks } from './use-tasks';
import type { Task } from './types';

// The API's shapes as the server declares them (type-only imports: erased, no server code reaches the client bundle).
export type { CloneInput, MacPolicy };

/** Adapter 1 of the new machine: a cluster network (id or name), or bridged to a host interface. */
export type NicChoice = NonNullable<CloneInput['nic']>;

/** Clones a machine (POST /api/v1/vms/:id/clone) → 202 with the `vm.clone` task, whose target is the new machine. */
export function useCloneMachine() {
  const seed = useSeedTasks();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: CloneInput }) =>
      apiFetch<Task>(`/api/v1/vms/${encodeURIComponent(id)}/clone`, { method: 'POST', json: input }),
    onSuccess: (t, { id }) => {
      seed([t]);
      // A linked clone of the current state may take a snapshot of the source first.
      void qc.invalidateQueries({ queryKey: queryKeys.vmSnapshots(id) });
    },
  });
}
