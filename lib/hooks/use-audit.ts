'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AuditEntry } from '@/lib/audit';
import type { AuditSearch as AuditFilter } from '@/lib/audit/query';
import { apiFetch } from './api';
import { queryKeys } from './keys';

export type { AuditEntry, AuditFilter };

/** The query string of GET /api/v1/audit for this filter (empty filters left out), optionally as CSV. */
export function auditSearch(filter: AuditFilter, format?: 'csv'): string {
  const s = new URLSearchParams();
  if (format) s.set('format', format);
  for (const k of ['user', 'tenant', 'action', 'from', 'to'] as const) {
    const v = filter[k]?.trim();
    if (v) s.set(k, v);
  }
  if (filter.limit) s.set('limit', String(filter.limit));
  return s.toString();
}

/** Audit rows matching the filter, newest first (GET /api/v1/audit, admins). */
export function useAudit(filter: AuditFilter) {
  const search = auditSearch(filter);
  return useQuery({
    queryKey: queryKeys.auditList(search),
    queryFn: ({ signal }) => apiFetch<{ events: AuditEntry[] }>(`/api/v1/audit${search ? `?${search}` : ''}`, { signal }),
    placeholderData: keepPreviousData,
  });
}
