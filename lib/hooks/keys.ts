import type { VmsParams } from './types';

/** React Query keys: one place, so the live-event patcher and the hooks agree. */
export const queryKeys = {
  hosts: ['hosts'] as const,
  vms: ['vms'] as const,
  vmLists: ['vms', 'list'] as const,
  vmList: (params: VmsParams) => ['vms', 'list', params] as const,
  vmDetails: ['vms', 'detail'] as const,
  vmDetail: (id: string) => ['vms', 'detail', id] as const,
};

/** The query string of GET /api/v1/vms for these parameters (empty filters left out). */
export function vmsSearch(params: VmsParams): string {
  const s = new URLSearchParams();
  if (params.host) s.set('host', params.host);
  if (params.state) s.set('state', params.state);
  if (params.q) s.set('q', params.q);
  s.set('sort', params.sort);
  s.set('order', params.order);
  s.set('page', String(params.page));
  s.set('pageSize', String(params.pageSize));
  return s.toString();
}
