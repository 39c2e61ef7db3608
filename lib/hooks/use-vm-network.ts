'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { apiFetch } from './api';
import { queryKeys } from './keys';
import { useSeedTasks, useTask } from './use-tasks';
import type { AdapterPatch as ServerAdapterPatch, AdapterView, AttachmentType, MachineNetworkView, NatRule } from '@/lib/networks/adapters';
import type { GuestInfo } from '@/lib/networks/guest';
import type { HostCapabilities, Task } from './types';

// ---------------------------------------------------------------- the API's shapes, as the server declares them (type-only: erased)

/** The attachment kinds Nimbox sets (VirtualBox's Cloud and HostOnlyNetwork are only shown). */
export type { AttachmentType, NatRule, GuestInfo };
export type PromiscModePolicy = AdapterView['promiscModePolicy'];
export type { AdapterView };
/** GET /api/v1/vms/:id/network */
export type MachineNetwork = MachineNetworkView;

/** PATCH …/network/adapters/:slot: only what changes (macAddress: 12 hex digits, or 'generate'). */
export type AdapterPatch = Partial<ServerAdapterPatch>;

/** What the adapter dialog reads from the host's capabilities (the network fields are newer than the rest). */
export type NetworkCapabilities = HostCapabilities & {
  hostOnlyInterfaces?: string[];
  natNetworks?: string[];
  internalNetworks?: string[];
  genericDrivers?: string[];
  /** The cluster networks the caller may use, with their state on this host. */
  networks?: { name: string; kind: string; state: string }[];
};

/** One cluster network as GET /api/v1/networks lists it (tenants get only these fields). */
export interface UsableNetwork {
  id: string;
  name: string;
  description: string;
  kind: 'bridged' | 'hostonly' | 'internal' | 'natnetwork';
}

// ---------------------------------------------------------------- reads

const networkPath = (id: string) => `/api/v1/vms/${encodeURIComponent(id)}/network`;
const adapterPath = (id: string, slot: number) => `${networkPath(id)}/adapters/${slot}`;
const rulesPath = (id: string, slot: number) => `${adapterPath(id, slot)}/forwarding`;

/**
 * A machine's adapters and its guest's addresses. Under the machine's detail key, so what refreshes
 * the machine refreshes this too; read again while it runs, since the guest publishes its addresses
 * a moment after it starts (and when they change), which no machine event tells.
 */
export function useMachineNetwork(id: string) {
  return useQuery({
    queryKey: queryKeys.vmNetwork(id),
    queryFn: ({ signal }) => apiFetch<MachineNetwork>(networkPath(id), { signal }),
    refetchInterval: (q) => {
      const d = q.state.data;
      if (!d?.running) return false;
      return d.guest.additions === null || (d.guest.additions && d.guest.ips.length === 0) ? 3000 : 15_000;
    },
  });
}

/** The cluster networks the caller may use (GET /api/v1/networks): the adapter dialog's choices. */
export function useUsableNetworks(enabled = true) {
  return useQuery({
    queryKey: queryKeys.usableNetworks,
    queryFn: async ({ signal }) => (await apiFetch<{ items: UsableNetwork[] }>('/api/v1/networks', { signal })).items,
    enabled,
    staleTime: 30_000,
  });
}

// ---------------------------------------------------------------- writes: each answers 202 with its task

function taskOf(body: { task: Task } | Task): Task {
  return 'task' in body && body.task ? body.task : (body as Task);
}

function useNetworkMutation<V>(request: (v: V) => Promise<{ task: Task } | Task>) {
  const seed = useSeedTasks();
  return useMutation({
    mutationFn: async (v: V) => taskOf(await request(v)),
    onSuccess: (t) => seed([t]),
  });
}

/** Changes an adapter (PATCH …/network/adapters/:slot). */
export function usePatchAdapter() {
  return useNetworkMutation(({ id, slot, patch }: { id: string; slot: number; patch: AdapterPatch }) =>
    apiFetch(adapterPath(id, slot), { method: 'PATCH', json: patch }),
  );
}

/** Adds a port-forwarding rule to a NAT adapter (POST …/forwarding). */
export function useAddRule() {
  return useNetworkMutation(({ id, slot, rule }: { id: string; slot: number; rule: NatRule }) =>
    apiFetch(rulesPath(id, slot), { method: 'POST', json: rule }),
  );
}

/** Replaces a rule (PUT …/forwarding/:name). */
export function useReplaceRule() {
  return useNetworkMutation(({ id, slot, name, rule }: { id: string; slot: number; name: string; rule: NatRule }) =>
    apiFetch(`${rulesPath(id, slot)}/${encodeURIComponent(name)}`, { method: 'PUT', json: rule }),
  );
}

/** Removes a rule (DELETE …/forwarding/:name). */
export function useRemoveRule() {
  return useNetworkMutation(({ id, slot, name }: { id: string; slot: number; name: string }) =>
    apiFetch(`${rulesPath(id, slot)}/${encodeURIComponent(name)}`, { method: 'DELETE' }),
  );
}

/**
 * Follows a network task and, once it ends, reads the machine's adapters and the machine lists
 * again (their networks and addresses changed); returns the task, live.
 */
export function useNetworkTask(machineId: string, taskId: string | null) {
  const qc = useQueryClient();
  const task = useTask(taskId);
  const ended = task.data && task.data.status !== 'running' ? task.data.id : null;
  useEffect(() => {
    if (!ended) return;
    void qc.invalidateQueries({ queryKey: queryKeys.vmNetwork(machineId) });
    void qc.invalidateQueries({ queryKey: queryKeys.vmLists });
  }, [ended, machineId, qc]);
  return task;
}
