'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { HostNetworkStatus, NetworkState } from '@/lib/networks/hosts';
import type { ClusterNetwork, DhcpSettings, NetworkHost, NetworkInput, NetworkKind, NetworkPatch } from '@/lib/networks/store';
import type { NetworkLease } from '@/lib/networks/usage';
import type { DHCPOption } from '@/lib/vbox/types';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks } from './use-tasks';
import type { Task } from './types';

// ---------------------------------------------------------------- shapes of the API (issue 15)
// Type-only imports: erased, so no server code reaches the client bundle.

export type { ClusterNetwork, DhcpSettings, DHCPOption, HostNetworkStatus, NetworkHost, NetworkInput, NetworkKind, NetworkLease, NetworkPatch };
/** What a network is on one host: `unknown` = the host is down; the status's `detail` says it in words. */
export type NetworkHostState = NetworkState;

export interface NetworkUse {
  machineId: string;
  machineName: string;
  slot: number;
}

/** One network of GET /api/v1/networks as admins get it. */
export type NetworkRow = ClusterNetwork & { status: HostNetworkStatus[]; usedBy: NetworkUse[] };

/** One network as a tenant's users get it: only what they need to pick it. */
export interface TenantNetworkRow {
  id: string;
  name: string;
  description: string;
  kind: NetworkKind;
}

export type NetworkListItem = NetworkRow | TenantNetworkRow;

/** GET /api/v1/networks/:id */
export type NetworkDetail = NetworkRow & { leases: NetworkLease[] };

/** Whether a list item carries the admins' fields (status per host, users). */
export const isFullRow = (n: NetworkListItem): n is NetworkRow => 'status' in n && Array.isArray((n as NetworkRow).status);

// ---------------------------------------------------------------- reads

/** How often the list is read again while open: drift happens outside Nimbox, and no live event reports it. */
const NETWORKS_REFETCH_MS = 15_000;

const networkPath = (id: string) => `/api/v1/networks/${encodeURIComponent(id)}`;

/** The cluster networks the caller may see (GET /api/v1/networks): all with per-host state for admins. */
export function useNetworks(enabled = true) {
  return useQuery({
    queryKey: queryKeys.networkList,
    queryFn: ({ signal }) => apiFetch<{ items: NetworkListItem[] }>('/api/v1/networks', { signal }),
    enabled,
    staleTime: 0,
    refetchInterval: NETWORKS_REFETCH_MS,
  });
}

/** One network with its current DHCP leases (GET /api/v1/networks/:id). */
export function useNetwork(id: string | null | undefined) {
  return useQuery({
    queryKey: queryKeys.networkDetail(id ?? ''),
    queryFn: ({ signal }) => apiFetch<NetworkDetail>(networkPath(id!), { signal }),
    enabled: Boolean(id),
    staleTime: 0,
    refetchInterval: NETWORKS_REFETCH_MS,
  });
}

/** Reads the networks again (e.g. when a network task ends) and the hosts' capabilities, which list their networks. */
export function useRefreshNetworks() {
  const qc = useQueryClient();
  return useCallback(() => {
    void qc.invalidateQueries({ queryKey: queryKeys.networks });
    void qc.invalidateQueries({ queryKey: ['capabilities'] });
  }, [qc]);
}

// ---------------------------------------------------------------- writes: 202 { task } (create and edit also { network })

function useNetworkMutation<V>(request: (v: V) => Promise<{ task: Task }>) {
  const seed = useSeedTasks();
  const refresh = useRefreshNetworks();
  return useMutation({
    mutationFn: async (v: V) => (await request(v)).task,
    onSuccess: (t) => {
      seed([t]);
      refresh();
    },
  });
}

/** Defines a network and starts creating it on its hosts (POST /api/v1/networks) → its task. */
export function useCreateNetwork() {
  return useNetworkMutation((input: NetworkInput) => apiFetch<{ network: ClusterNetwork; task: Task }>('/api/v1/networks', { method: 'POST', json: input }));
}

/** Changes a network and applies it again (PATCH /api/v1/networks/:id) → its task. */
export function useUpdateNetwork() {
  return useNetworkMutation(({ id, patch }: { id: string; patch: NetworkPatch }) =>
    apiFetch<{ network: ClusterNetwork; task: Task }>(networkPath(id), { method: 'PATCH', json: patch }),
  );
}

/** Creates what is missing and fixes drift on every mapped host (POST /api/v1/networks/:id/apply). */
export function useApplyNetwork() {
  return useNetworkMutation((id: string) => apiFetch<{ task: Task }>(`${networkPath(id)}/apply`, { method: 'POST', json: {} }));
}

/** Removes a network and what it made on the hosts (DELETE /api/v1/networks/:id); 409 while adapters use it. */
export function useDeleteNetwork() {
  return useNetworkMutation((id: string) => apiFetch<{ task: Task }>(networkPath(id), { method: 'DELETE' }));
}
