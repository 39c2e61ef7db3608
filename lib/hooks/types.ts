// The API's shapes as the server declares them. Type-only imports are erased, so none of these
// server modules' code reaches the client bundle; where the client's shape differs, it says why.
import type { AdapterType, BootDevice, CreateMachineInput as CreateMachineBody } from '@/lib/cluster/operations/create';
import type { EditMachineInput as EditMachineBody } from '@/lib/cluster/operations/edit';
import type { HostStatus, InventoryEvent, MachineDetail, MachineMetrics, MachineSummary } from '@/lib/cluster/types';
import type { HostView } from '@/lib/db/hosts';
import type { TenantHost, TenantHostStatus } from '@/lib/tenants/hosts';
import type { TaskFilter as TaskListFilter } from '@/lib/tasks';
import type { Task, TaskError, TaskStatus } from '@/lib/tasks/types';

export type { BootDevice, HostStatus, HostView, MachineDetail, MachineMetrics, MachineSummary, Task, TaskError, TaskStatus };
export type { HostCapabilities, OsTypeInfo } from '@/lib/cluster/operations/capabilities';
export type { SnapshotNode, SnapshotTree } from '@/lib/cluster/operations/snapshots';
export type { HostInput, HostPatch } from '@/lib/db/hosts';
export type { PowerAction as MachineAction } from '@/lib/tasks/power';
export type { FenceKind, FencingView, HaAlarm, HaOverview, HaPolicy, HostHaStage, HostHaState, MachineHa, ProtectedMachine } from '@/lib/ha/types';
export type {
  AudioSettingsView, DisplaySettings, GeneralSettings, Live, MachineSettingsView, MachineUsbView, RemoteDisplaySettings, SerialPortView, SettingsArea,
  SettingsChoices, SharedFolderView, SystemSettings, UsbDeviceView, UsbFilter, UsbSettings,
} from '@/lib/settings/types';
export type { AddFolderInput as AddSharedFolderBody } from '@/lib/settings/shared-folders';

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
 * A host's live status as GET /api/v1/hosts and the `host` events give it: all of HostStatus to admins;
 * to a tenant's users only name, health, capacity and their own counts (lib/tenants/hosts).
 */
export type HostStatusView = TenantHostStatus & Partial<HostStatus>;

/**
 * One host of GET /api/v1/hosts: the registry entry and what the live inventory knows of it
 * (null or absent while the inventory has not reached it yet). A tenant's users get only the
 * fields of TenantHost: the rest (URL, service user, storage path, addresses, ports) is admins'.
 */
/** Admins also get `listener`: the instance running the host's event listener (several instances; issue 19). */
export type HostWithStatus = Omit<TenantHost, 'status'> & Partial<HostView> & { status?: HostStatusView | null; listener?: { instance: string } | null };

/** What /api/v1/events sends: the inventory's events, a `host` event carrying the caller's view of the host. */
export type LiveInventoryEvent = Exclude<InventoryEvent, { type: 'host' }> | { type: 'host'; host: HostStatusView };

export interface HostsResponse {
  hosts: HostWithStatus[];
}

// HostTestInput, HostTestResult and BulkActionResult stay here: the server declares them only in
// its route handlers (app/api/v1/…), and lib/ does not import from app/.

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
  /** false: machines only, true: templates only (issue 17); absent: both. */
  template?: boolean;
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


/**
 * The query of GET /api/v1/tasks, without the server's `before` cursor: the cache patches live
 * task events into cached lists (task-cache), which holds only for a list's first page.
 */
export type TaskFilter = Omit<TaskListFilter, 'before'>;

/** Tasks as the cache keeps them (newest first), whatever envelope the API used. */
export interface TasksData {
  tasks: Task[];
}

/** POST /api/v1/vms/actions → 202: one task per machine that accepted, one error per machine that did not. */
export interface BulkActionResult {
  tasks: Task[];
  errors: { id: string; name?: string; title: string; detail?: string; status?: number; resultCode?: string; taskId?: string }[];
}

// The server's lists (lib/cluster/operations/create) live in a module that pulls in server code,
// so the client repeats their values; `satisfies` keeps them within the server's types.

/** VirtualBox's DeviceType values a boot slot can hold ('Null' = nothing). */
export const BOOT_DEVICES = ['Network', 'HardDisk', 'DVD', 'Floppy', 'Null'] as const satisfies readonly BootDevice[];
/** What POST /api/v1/vms boots from when not told. */
export const DEFAULT_BOOT_ORDER: BootDevice[] = ['Network', 'HardDisk', 'DVD'];

/** NetworkAdapterType values offered in forms. */
export const ADAPTER_TYPES = ['I82545EM', 'Virtio', 'I82540EM', 'I82543GC', 'Am79C973', 'Am79C970A'] as const satisfies readonly AdapterType[];

/**
 * A machine body (POST /api/v1/vms, PATCH /api/v1/vms/:id) as the forms send it: the server's input,
 * but NIC 1's adapter type and the boot order are the plain strings the selects hold. A machine read
 * from its host can carry an adapter or boot device outside the server's lists; the server answers
 * a 400 naming the field, which the form shows under it.
 */
type AsFormSends<T extends { nic?: object | null; bootOrder?: unknown }> = Omit<T, 'nic' | 'bootOrder'> & {
  nic?: Omit<NonNullable<T['nic']>, 'adapterType'> & { adapterType?: string };
  bootOrder?: string[];
};

/** Body of POST /api/v1/vms. */
export type CreateMachineInput = AsFormSends<CreateMachineBody>;

/** Body of PATCH /api/v1/vms/:id: only what changes. */
export type EditMachineInput = AsFormSends<EditMachineBody>;
