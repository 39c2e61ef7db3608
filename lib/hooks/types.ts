import type { HostStatus, MachineDetail, MachineSummary } from '@/lib/cluster/types';
import type { HostView } from '@/lib/db/hosts';

export type { HostStatus, HostView, MachineDetail, MachineSummary };

/** VirtualBox's MachineState, as the API returns it. */
export type MachineState = MachineSummary['state'];

/** Every real MachineState (not the Null, First… and Last… markers), in the SDK's order: the state filter's choices. */
export const MACHINE_STATES = [
  'PoweredOff',
  'Saved',
  'Teleported',
  'Aborted',
  'AbortedSaved',
  'Running',
  'Paused',
  'Stuck',
  'Teleporting',
  'LiveSnapshotting',
  'Starting',
  'Stopping',
  'Saving',
  'Restoring',
  'TeleportingPausedVM',
  'TeleportingIn',
  'DeletingSnapshotOnline',
  'DeletingSnapshotPaused',
  'OnlineSnapshotting',
  'RestoringSnapshot',
  'DeletingSnapshot',
  'SettingUp',
  'Snapshotting',
] as const satisfies readonly MachineState[];

/**
 * One host of GET /api/v1/hosts: the registry entry and what the live inventory knows of it
 * (null or absent while the inventory has not reached it yet).
 */
export type HostWithStatus = HostView & { status?: HostStatus | null };

export interface HostsResponse {
  hosts: HostWithStatus[];
}

/** Body of POST /api/v1/hosts (and, with password optional, PATCH /api/v1/hosts/:id). */
export interface HostInput {
  name: string;
  url: string;
  username: string;
  password: string;
  consoleAddress?: string | null;
  teleportAddress?: string | null;
  storagePath?: string | null;
}

export type HostPatch = Partial<HostInput>;

/** Body of POST /api/v1/hosts/test: new credentials, or a registered host by id (optionally with changed fields). */
export type HostTestInput = { url: string; username: string; password: string } | { id: string; url?: string; username?: string; password?: string };

export type HostTestResult =
  | { ok: true; url?: string; version: string; apiVersion: string; revision?: number; cpus: number; memoryMB: number; memoryAvailableMB: number; os: string }
  | { ok: false; url?: string; error: { title: string; detail?: string; resultCode?: string } };

export const VM_SORTS = ['name', 'state', 'host', 'os', 'cpus', 'memory', 'lastStateChange'] as const;
export type VmSort = (typeof VM_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

/** The query of GET /api/v1/vms. */
export interface VmsParams {
  host?: string;
  state?: MachineState;
  q?: string;
  sort: VmSort;
  order: SortOrder;
  page: number;
  pageSize: number;
}

/** One page of GET /api/v1/vms. */
export interface VmsPage {
  items: MachineSummary[];
  total: number;
  page: number;
  pageSize: number;
}
