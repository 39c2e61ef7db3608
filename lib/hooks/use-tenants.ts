'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MachineDetail, MachineSummary } from '@/lib/cluster/types';
import type { Tenant, TenantInput, TenantPatch } from '@/lib/tenants';
import { apiFetch } from './api';
import { queryKeys } from './keys';

export type { Tenant, TenantInput, TenantPatch };

/** Every tenant, sorted by name (GET /api/v1/tenants, admins). */
export function useTenants(enabled = true) {
  return useQuery({
    queryKey: queryKeys.tenants,
    queryFn: ({ signal }) => apiFetch<{ tenants: Tenant[] }>('/api/v1/tenants', { signal }),
    enabled,
  });
}

function useInvalidateTenants() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: queryKeys.tenants });
}

/** Creates a tenant (POST /api/v1/tenants). */
export function useCreateTenant() {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: (input: TenantInput) => apiFetch<Tenant>('/api/v1/tenants', { method: 'POST', json: input }),
    onSuccess: () => invalidate(),
  });
}

/** Changes a tenant (PATCH /api/v1/tenants/:id); its name stays. */
export function useUpdateTenant() {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: TenantPatch }) =>
      apiFetch<Tenant>(`/api/v1/tenants/${encodeURIComponent(id)}`, { method: 'PATCH', json: patch }),
    onSuccess: () => invalidate(),
  });
}

/** Deletes a tenant (DELETE /api/v1/tenants/:id); its machines keep their tag. */
export function useDeleteTenant() {
  const invalidate = useInvalidateTenants();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/tenants/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => invalidate(),
  });
}

/** Moves a machine to a tenant, or to none (PUT /api/v1/vms/:id/tenant, admins). */
export function useSetMachineTenant(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (tenant: string | null) =>
      apiFetch<MachineSummary>(`/api/v1/vms/${encodeURIComponent(id)}/tenant`, { method: 'PUT', json: { tenant } }),
    // The answer is the truth at once; the inventory learns of the change from the host's event a moment later,
    // so the detail is patched rather than refetched (a refetch could still read the old tenant), and lists refetch.
    onSuccess: (m) => {
      qc.setQueryData<MachineDetail>(queryKeys.vmDetail(id), (old) => (old ? { ...old, tenant: m.tenant } : old));
      return qc.invalidateQueries({ queryKey: queryKeys.vmLists });
    },
  });
}
