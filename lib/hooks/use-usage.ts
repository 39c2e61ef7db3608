'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { UsageReport } from '@/lib/metrics/usage/types';
import { apiFetch } from './api';
import { queryKeys } from './keys';

export type { MachineUsage, TenantUsage, UsageReport } from '@/lib/metrics/usage/types';

/** What GET /api/v1/usage is asked: dates YYYY-MM-DD (UTC, `to` inclusive), a tenant or all the caller may see. */
export interface UsageParams {
  from: string;
  to: string;
  tenant?: string;
}

/** The query string of GET /api/v1/usage (CSV: `format=csv`, for the download link). */
export function usageSearch(p: UsageParams, format?: 'csv'): string {
  const s = new URLSearchParams({ from: p.from, to: p.to });
  if (p.tenant) s.set('tenant', p.tenant);
  if (format) s.set('format', format);
  return s.toString();
}

/** Usage per tenant and machine over a range (GET /api/v1/usage); the open intervals grow, so it is read again each minute. */
export function useUsage(p: UsageParams) {
  return useQuery({
    queryKey: queryKeys.usage(p),
    queryFn: ({ signal }) => apiFetch<UsageReport>(`/api/v1/usage?${usageSearch(p)}`, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
}
