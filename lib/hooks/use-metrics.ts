'use client';

import { useQuery } from '@tanstack/react-query';
import { MEASURED_STATES, METRICS_COUNT, METRICS_PERIOD_S } from '@/lib/cluster/types';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import type { MachineMetrics, MachineState } from './types';

/**
 * VirtualBox takes a sample every period (lib/cluster/metrics): asking more often shows nothing new,
 * but for the first, which comes within a second of the setup.
 */
const refetchEvery = (q: { state: { data?: { samples: unknown[] } } }) => (q.state.data?.samples.length ? METRICS_PERIOD_S * 1000 : 1_000);

/** How many samples a chart's window holds, and that window in words. */
export const METRICS_SLOTS = METRICS_COUNT;
export const METRICS_WINDOW = `the last ${(METRICS_PERIOD_S * METRICS_COUNT) / 60} minutes`;

/** Whether VirtualBox measures a machine in this state (it has a VM process). */
export const isMeasured = (state: MachineState): boolean => MEASURED_STATES.includes(state);

/** A machine's CPU load and memory over the last minutes (GET /api/v1/vms/:id/metrics), refreshed while it runs. */
export function useMachineMetrics(id: string, state: MachineState) {
  const measured = isMeasured(state);
  return useQuery({
    queryKey: queryKeys.vmMetrics(id),
    queryFn: ({ signal }) => apiFetch<MachineMetrics>(`/api/v1/vms/${encodeURIComponent(id)}/metrics`, { signal }),
    enabled: measured,
    refetchInterval: measured ? refetchEvery : false,
  });
}
