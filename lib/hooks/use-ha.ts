'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useHosts } from './use-hosts';
import type { HaAlarm, HaOverview, HaPolicy, HostHaState, MachineHa } from './types';

const vmPath = (id: string) => `/api/v1/vms/${encodeURIComponent(id)}`;
const hostPath = (id: string) => `/api/v1/hosts/${encodeURIComponent(id)}`;

/** How often the HA page reads GET /api/v1/ha again: restarts and events come without a live event of their own. */
export const HA_PAGE_REFETCH_MS = 5_000;
/** Elsewhere (the cluster page's alarm banner) a slower re-read; host stage changes refresh it at once. */
const HA_BANNER_REFETCH_MS = 30_000;

/**
 * The HA overview (GET /api/v1/ha): hosts with their fencing and stage, protected machines, open alarms,
 * the last events. Re-read whenever a host's health or HA stage changes in the live `host` events (which
 * patch the hosts cache), and every few seconds besides.
 */
export function useHaOverview({ refetchInterval = HA_BANNER_REFETCH_MS }: { refetchInterval?: number } = {}) {
  const qc = useQueryClient();
  const hosts = useHosts();
  // One string per hosts' HA picture: when the events change it, the overview is out of date.
  const signature = hosts.data?.hosts
    .map((h) => `${h.id}:${h.status?.health ?? ''}:${h.status?.ha?.stage ?? ''}:${h.status?.ha?.since ?? ''}`)
    .join('|');
  const seen = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (signature === undefined) return;
    const first = seen.current === undefined;
    if (signature === seen.current) return;
    seen.current = signature;
    if (!first) void qc.invalidateQueries({ queryKey: queryKeys.ha });
  }, [signature, qc]);

  return useQuery({
    queryKey: queryKeys.haOverview,
    queryFn: ({ signal }) => apiFetch<HaOverview>('/api/v1/ha', { signal }),
    refetchInterval,
  });
}

/** Acknowledges an HA alarm (POST /api/v1/ha/alarms/:id/acknowledge, admins); automatic restarts resume once none is open. */
export function useAcknowledgeAlarm() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<HaAlarm>(`/api/v1/ha/alarms/${encodeURIComponent(id)}/acknowledge`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.ha }),
  });
}

/**
 * An admin's word that a host is powered off (POST /api/v1/hosts/:id/ha/confirm-off, body `{ confirm: <host name> }`):
 * the host counts as fenced and its protected machines restart elsewhere.
 */
export function useConfirmHostOff() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ hostId, confirm }: { hostId: string; confirm: string }) =>
      apiFetch<HostHaState>(`${hostPath(hostId)}/ha/confirm-off`, { method: 'POST', json: { confirm } }),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: queryKeys.hosts }), qc.invalidateQueries({ queryKey: queryKeys.ha })]),
  });
}

/** A machine's HA policy and whether the caller may change it (GET /api/v1/vms/:id/ha). */
export function useMachineHa(id: string) {
  return useQuery({
    queryKey: queryKeys.vmHa(id),
    queryFn: ({ signal }) => apiFetch<MachineHa>(`${vmPath(id)}/ha`, { signal }),
  });
}

/** Changes a machine's HA policy (PUT /api/v1/vms/:id/ha, a partial policy); 400s name the field. */
export function useSetMachineHa(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (policy: Partial<HaPolicy>) => apiFetch<MachineHa>(`${vmPath(id)}/ha`, { method: 'PUT', json: policy }),
    onSuccess: (ha) => {
      qc.setQueryData<MachineHa>(queryKeys.vmHa(id), ha);
      return qc.invalidateQueries({ queryKey: queryKeys.ha });
    },
  });
}
