'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import type { HostInput, HostPatch, HostTestInput, HostTestResult, HostsResponse, HostView } from './types';

/** Every registered host with its live status (GET /api/v1/hosts). */
export function useHosts() {
  return useQuery({
    queryKey: queryKeys.hosts,
    queryFn: ({ signal }) => apiFetch<HostsResponse>('/api/v1/hosts', { signal }),
  });
}

/**
 * One host's registry entry read now (GET /api/v1/hosts/:id), for its edit form: the list may be older than the
 * server (a script or another admin changed it), and the form sends what differs from what it opened with.
 */
export function useFreshHost(id: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: [...queryKeys.hosts, id, 'fresh'],
    queryFn: ({ signal }) => apiFetch<HostView>(`/api/v1/hosts/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: enabled && !!id,
    staleTime: 0,
    gcTime: 0,
  });
}

function useInvalidateAfterHostChange() {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: queryKeys.hosts }), qc.invalidateQueries({ queryKey: queryKeys.vms })]);
}

/** Registers a host (POST /api/v1/hosts). */
export function useCreateHost() {
  const invalidate = useInvalidateAfterHostChange();
  return useMutation({
    mutationFn: (input: HostInput) => apiFetch<HostView>('/api/v1/hosts', { method: 'POST', json: input }),
    onSuccess: () => invalidate(),
  });
}

/** Changes a host (PATCH /api/v1/hosts/:id); leave the password out to keep the stored one. */
export function useUpdateHost() {
  const invalidate = useInvalidateAfterHostChange();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: HostPatch }) =>
      apiFetch<HostView>(`/api/v1/hosts/${encodeURIComponent(id)}`, { method: 'PATCH', json: patch }),
    onSuccess: () => invalidate(),
  });
}

/** Removes a host from the registry (DELETE /api/v1/hosts/:id); its machines stay where they are. */
export function useDeleteHost() {
  const invalidate = useInvalidateAfterHostChange();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/hosts/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => invalidate(),
  });
}

/** Tries to log on to a vboxwebsrv (POST /api/v1/hosts/test); a refused logon is a result, not an error. */
export function useTestHost() {
  return useMutation({
    mutationFn: (input: HostTestInput) => apiFetch<HostTestResult>('/api/v1/hosts/test', { method: 'POST', json: input }),
  });
}
