'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiFetch } from './api';
import { queryKeys, vmsSearch } from './keys';
import type { MachineDetail, VmsPage, VmsParams } from './types';

/** One page of the cluster's machines, filtered and sorted by the server (GET /api/v1/vms). */
export function useMachines(params: VmsParams) {
  return useQuery({
    queryKey: queryKeys.vmList(params),
    queryFn: ({ signal }) => apiFetch<VmsPage>(`/api/v1/vms?${vmsSearch(params)}`, { signal }),
    // Keep showing the last page while the next one (or a new search) loads.
    placeholderData: keepPreviousData,
  });
}

/** One machine in detail (GET /api/v1/vms/:id), kept live by the inventory events. */
export function useMachine(id: string) {
  return useQuery({
    queryKey: queryKeys.vmDetail(id),
    queryFn: ({ signal }) => apiFetch<MachineDetail>(`/api/v1/vms/${encodeURIComponent(id)}`, { signal }),
  });
}
