import type { HostStatus, MachineDetail, MachineSummary } from '@/lib/cluster/types';
import type { HostView } from '@/lib/db/hosts';
import type { Task, TaskError, TaskStatus } from '@/lib/tasks/types';

export type { HostStatus, HostView, MachineDetail, MachineSummary, Task, TaskError, TaskStatus };

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

// ---------------------------------------------------------------- tasks and lifecycle


/** The query of GET /api/v1/tasks. */
export interface TaskFilter {
  status?: TaskStatus;
  targetId?: string;
  limit?: number;
}

/** Tasks as the cache keeps them (newest first), whatever envelope the API used. */
export interface TasksData {
  tasks: Task[];
}

/** POST /api/v1/vms/:id/actions and the bulk form's `action`. */
export const MACHINE_ACTIONS = ['start', 'shutdown', 'poweroff', 'pause', 'resume', 'reset', 'savestate', 'discardstate'] as const;
export type MachineAction = (typeof MACHINE_ACTIONS)[number];

/** POST /api/v1/vms/actions → 202: one task per machine that accepted, one error per machine that did not. */
export interface BulkActionResult {
  tasks: Task[];
  errors: { id: string; name?: string; title: string; detail?: string; status?: number; resultCode?: string; taskId?: string }[];
}

/** VirtualBox's DeviceType values a boot slot can hold ('Null' = nothing). */
export const BOOT_DEVICES = ['Network', 'HardDisk', 'DVD', 'Floppy', 'Null'] as const;
/** What POST /api/v1/vms boots from when not told. */
export const DEFAULT_BOOT_ORDER: BootDevice[] = ['Network', 'HardDisk', 'DVD'];
export type BootDevice = (typeof BOOT_DEVICES)[number];

/** NetworkAdapterType values offered in forms. */
export const ADAPTER_TYPES = ['I82545EM', 'Virtio', 'I82540EM', 'I82543GC', 'Am79C973', 'Am79C970A'] as const;

export interface NicInput {
  bridgedInterface: string;
  adapterType: string;
}

/** Body of POST /api/v1/vms. */
export interface CreateMachineInput {
  /** A host id, or 'auto': the up host with the most free memory that has the bridge. */
  hostId: string;
  name: string;
  description?: string;
  osTypeId: string;
  cpuCount: number;
  memoryMB: number;
  hwVirt: boolean;
  nestedPaging: boolean;
  ioapic: boolean;
  acpi: boolean;
  hpet: boolean;
  rtcUseUTC: boolean;
  nic: NicInput;
  bootOrder: string[];
  disk: { new: { sizeGB: number } } | { existing: string };
  iso?: string;
  vrde?: { password?: string };
  registerOnOtherHosts: boolean;
}

/** Body of PATCH /api/v1/vms/:id: only what changes. */
export interface EditMachineInput {
  name?: string;
  description?: string;
  cpuCount?: number;
  memoryMB?: number;
  nic?: Partial<NicInput>;
  bootOrder?: string[];
  vrde?: { ports?: string; password?: string };
}

export interface GuestOsType {
  id: string;
  description: string;
  familyId: string;
  is64Bit: boolean;
  recommendedRAM: number;
  recommendedHDDBytes: number;
}

/** GET /api/v1/hosts/:id/capabilities: what a host offers new machines. */
export interface HostCapabilities {
  hostId: string;
  osTypes: GuestOsType[];
  /** Host interfaces a NIC can be bridged to. */
  bridgedInterfaces: string[];
  memoryAvailableMB: number;
  cpus: number;
  storagePath: string | null;
  /** The host's default bridge adapter (registry setting). */
  bridgeAdapter: string;
  vrdePorts: string;
  maintenance: boolean;
  readAt: string;
}

/** One snapshot in the tree of GET /api/v1/vms/:id/snapshots. */
export interface SnapshotNode {
  id: string;
  name: string;
  description: string;
  /** ISO */
  timeStamp: string;
  online: boolean;
  children: SnapshotNode[];
}

export interface SnapshotsData {
  /** The current snapshot's id, or null when there are none. */
  current: string | null;
  /** The root snapshot (or roots), null when there are none. */
  tree: SnapshotNode[];
}
