'use client';

import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef } from 'react';
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

/** The hosts list (its cached object) for which each query client last re-read the overview (see useHaOverview). */
const invalidatedFor = new WeakMap<QueryClient, object>();

/**
 * The HA overview (GET /api/v1/ha): hosts with their fencing and stage, protected machines, open alarms,
 * the last events. Re-read whenever a host's health or HA stage changes in the live `host` events (which
 * patch the hosts cache), and every few seconds besides.
 */
export function useHaOverview({ refetchInterval = HA_BANNER_REFETCH_MS }: { refetchInterval?: number } = {}) {
  const qc = useQueryClient();
  const hosts = useHosts();
  const hostsData = hosts.data;
  // One string per hosts' HA picture: when the events change it, the overview is out of date.
  const signature = hostsData?.hosts
    .map((h) => `${h.id}:${h.status?.health ?? ''}:${h.status?.ha?.stage ?? ''}:${h.status?.ha?.since ?? ''}`)
    .join('|');
  const seen = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (signature === undefined || hostsData === undefined) return;
    const first = seen.current === undefined;
    if (signature === seen.current) return;
    seen.current = signature;
    if (first) return;
    // Several parts of a page read the overview (the cluster page's banner and host cards) and see the same
    // change at once: the first re-reads it for all, as a second invalidation would abort that read.
    if (invalidatedFor.get(qc) === hostsData) return;
    invalidatedFor.set(qc, hostsData);
    void qc.invalidateQueries({ queryKey: queryKeys.ha });
  }, [signature, hostsData, qc]);

  return useQuery({
    queryKey: queryKeys.haOverview,
    queryFn: ({ signal }) => apiFetch<HaOverview>('/api/v1/ha', { signal }),
    refetchInterval,
  });
}

/** The open (unacknowledged) alarms naming each host, by host id: a split-brain alarm under both its hosts. */
export function openAlarmsByHost(alarms: readonly HaAlarm[]): Map<string, HaAlarm[]> {
  const byHost = new Map<string, HaAlarm[]>();
  for (const a of alarms) {
    if (a.acknowledgedAt) continue;
    for (const id of new Set(a.hostIds)) byHost.set(id, [...(byHost.get(id) ?? []), a]);
  }
  return byHost;
}

/**
 * The open alarms naming each host (openAlarmsByHost) from the one overview query of the page: lists of
 * hosts call this once, not once per host.
 */
export function useOpenAlarmsByHost(): ReadonlyMap<string, HaAlarm[]> {
  const alarms = useHaOverview().data?.alarms;
  return useMemo(() => openAlarmsByHost(alarms ?? []), [alarms]);
}

/** Acknowledges an HA alarm (POST /api/v1/ha/alarms/:id/acknowledge, admins); automatic restarts resume once none is open. */
export function useAcknowledgeAlarm() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<HaAlarm>(`/api/v1/ha/alarms/${encodeURIComponent(id)}/acknowledge`, { method: 'POST' }),
    // The HA overview, and the machine pages' alarms (queryKeys.vmHa: ['vms', 'ha', id]).
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.ha }),
        qc.invalidateQueries({ queryKey: queryKeys.vms, predicate: (q) => q.queryKey[1] === 'ha' }),
      ]),
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

/** While HA is busy with a machine (a status or an open alarm), how often its page re-reads it; idle, the banner's pace. */
const MACHINE_HA_BUSY_REFETCH_MS = 5_000;

/**
 * A machine's HA policy, whether the caller may change it, what HA is doing with it and its open alarms
 * (GET /api/v1/vms/:id/ha). `watch`: a string that changes when HA's view of the machine may have (its
 * state, its host's health and stage, its copies); a change re-reads it at once.
 */
export function useMachineHa(id: string, watch?: string) {
  const qc = useQueryClient();
  const seen = useRef(watch);
  useEffect(() => {
    if (watch === seen.current) return;
    seen.current = watch;
    void qc.invalidateQueries({ queryKey: queryKeys.vmHa(id) });
  }, [watch, id, qc]);
  return useQuery({
    queryKey: queryKeys.vmHa(id),
    queryFn: ({ signal }) => apiFetch<MachineHa>(`${vmPath(id)}/ha`, { signal }),
    // Restarts and alarms come without a live event of their own.
    refetchInterval: (q) => (q.state.data && (q.state.data.status || q.state.data.alarms.length > 0) ? MACHINE_HA_BUSY_REFETCH_MS : HA_BANNER_REFETCH_MS),
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
