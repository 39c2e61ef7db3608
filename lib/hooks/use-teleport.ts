'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Preflight } from '@/lib/teleport/types';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks } from './use-tasks';
import type { HostView, Task } from './types';

const vmPath = (id: string) => `/api/v1/vms/${encodeURIComponent(id)}`;
const hostPath = (id: string) => `/api/v1/hosts/${encodeURIComponent(id)}`;

/** The preflight of teleporting a machine to a host (GET /api/v1/vms/:id/teleport/preflight?target=), read fresh each time it is shown. */
export function usePreflight(machineId: string, targetId: string | null) {
  return useQuery({
    queryKey: queryKeys.teleportPreflight(machineId, targetId ?? ''),
    queryFn: ({ signal }) => apiFetch<Preflight>(`${vmPath(machineId)}/teleport/preflight?target=${encodeURIComponent(targetId!)}`, { signal }),
    enabled: Boolean(targetId),
    staleTime: 0,
    gcTime: 0,
    refetchOnWindowFocus: false,
    retry: false,
  });
}

/** Teleports a running machine (POST /api/v1/vms/:id/teleport) → 202 with the vm.teleport task. */
export function useTeleport() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, target }: { id: string; target: string }) => apiFetch<Task>(`${vmPath(id)}/teleport`, { method: 'POST', json: { target } }),
    onSuccess: (t) => seed([t]),
  });
}

/** Puts a host in maintenance or takes it out, optionally draining it (POST /api/v1/hosts/:id/maintenance). */
export function useSetMaintenance() {
  const qc = useQueryClient();
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: ({ id, enabled, drain }: { id: string; enabled: boolean; drain?: boolean }) =>
      apiFetch<HostView | { host: HostView; task: Task }>(`${hostPath(id)}/maintenance`, { method: 'POST', json: { enabled, ...(drain ? { drain } : {}) } }),
    onSuccess: (r) => {
      if ('task' in r) seed([r.task]);
      void qc.invalidateQueries({ queryKey: queryKeys.hosts });
    },
  });
}

/** Drains a host in maintenance (POST /api/v1/hosts/:id/drain) → 202 with the host.drain task. */
export function useDrain() {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: (id: string) => apiFetch<Task>(`${hostPath(id)}/drain`, { method: 'POST' }),
    onSuccess: (t) => seed([t]),
  });
}
