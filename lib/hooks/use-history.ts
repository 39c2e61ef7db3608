'use client';

import { useQuery } from '@tanstack/react-query';
import type { History, HistoryKind, HistoryRange } from '@/lib/metrics/history';
import { apiFetch } from './api';
import { queryKeys } from './keys';

export type { History, HistoryKind, HistoryPoint, HistoryRange } from '@/lib/metrics/history';

/** The sampler writes every 5 s: asking more often than that shows nothing new. */
const MIN_REFRESH_MS = 5_000;

/**
 * A host's or machine's load history over a range (GET /api/v1/{hosts|vms}/:id/history), re-read as
 * often as the range gets a new bucket: every 5 s for the hour, every minute for the day, and so on.
 * `everyMs` asks less often (a sparkline an hour wide moves a pixel in about 12 s).
 */
export function useHistory(kind: HistoryKind, id: string, range: HistoryRange, everyMs?: number) {
  return useQuery({
    queryKey: queryKeys.history(kind, id, range),
    queryFn: ({ signal }) =>
      apiFetch<History>(`/api/v1/${kind === 'host' ? 'hosts' : 'vms'}/${encodeURIComponent(id)}/history?range=${range}`, { signal }),
    refetchInterval: (q) => Math.max(everyMs ?? MIN_REFRESH_MS, MIN_REFRESH_MS, (q.state.data?.stepSeconds ?? 0) * 1000),
  });
}
