import type { HostCredentials } from '@/lib/db/hosts';
import type { HostHaState } from '@/lib/ha/types';
import type { Task } from '@/lib/tasks/types';
import type { VBoxClient } from '@/lib/vbox/client';
import type { MachineState, SessionState } from '@/lib/vbox/types';

/** A host's health as the live inventory sees it. */
export type HostHealth = 'up' | 'degraded' | 'down';

/** One registered host with what the inventory knows of it (GET /api/v1/hosts/status and the cluster view). */
export interface HostStatus {
  id: string;
  name: string;
  url: string;
  health: HostHealth;
  /** The last failure talking to the host, as VirtualBox or the network said it. */
  lastError: string | null;
  /** ISO time of the last successful call. */
  lastContact: string | null;
  version: string | null;
  apiVersion: string | null;
  cpus: number | null;
  memoryMB: number | null;
  memoryAvailableMB: number | null;
  machineCount: number;
  runningCount: number;
  /** The host's high-availability stage while it fails (lib/ha), null while it is fine. */
  ha: HostHaState | null;
}

/** One machine in the cluster-wide table (GET /api/v1/vms). */
export interface MachineSummary {
  /** The machine's UUID. */
  id: string;
  name: string;
  hostId: string;
  hostName: string;
  state: MachineState;
  sessionState: SessionState;
  osTypeId: string;
  cpuCount: number;
  memoryMB: number;
  /** ISO time of the last state change. */
  lastStateChange: string;
  /** The tenant owning the machine (its extradata nimbox/tenant), or null for none (admins only). */
  tenant: string | null;
  /** VirtualBox's machine groups (IMachine.groups), the primary one first: ['/'] for none, e.g. ['/web/prod']. */
  groups: string[];
  /** True while the machine's host is unreachable: the row shows what was last known. */
  stale: boolean;
  /**
   * Other hosts where the same machine (same UUID, disks on shared storage) is registered,
   * ready to receive it by teleport. The row itself is the copy that runs, or ran last.
   */
  twins: { hostId: string; hostName: string; state: MachineState; stale: boolean }[];
  /**
   * The cluster networks of its enabled adapters (extradata nimbox/network/<slot>), once read: absent
   * until the monitor's background pass after a scan reads them (placement then reads the machine itself).
   */
  networks?: string[];
  /**
   * While it runs: whether the Guest Additions report in and the guest's IPv4 addresses (guest properties
   * /VirtualBox/GuestInfo/Net/*, kept live from OnGuestPropertyChanged); null when it does not run; absent
   * until the monitor's background pass after a scan reads it.
   */
  guest?: { additions: boolean; ips: string[] } | null;
  /**
   * Whether it is a template (extradata nimbox/template = 1, lib/templates): never started, deployed from.
   * Absent until the monitor's background pass after a scan reads it (with the networks' keys, no extra call).
   */
  template?: boolean;
}

export interface NetworkAdapterView {
  slot: number;
  enabled: boolean;
  adapterType: string;
  attachmentType: string;
  bridgedInterface: string;
  macAddress: string;
  cableConnected: boolean;
}

export interface DiskView {
  controller: string;
  port: number;
  device: number;
  type: string;
  location: string | null;
  format: string | null;
  logicalSizeBytes: number | null;
  sizeBytes: number | null;
}

/** One machine in detail (GET /api/v1/vms/:id), read live from its host. */
export interface MachineDetail extends MachineSummary {
  description: string;
  settingsFilePath: string;
  firmware: string;
  chipset: string;
  ioapic: boolean;
  acpi: boolean;
  hpet: boolean;
  rtcUseUTC: boolean;
  hwVirt: boolean;
  nestedPaging: boolean;
  bootOrder: string[];
  networkAdapters: NetworkAdapterView[];
  disks: DiskView[];
  vrde: { enabled: boolean; ports: string; activePort: number | null; hasPassword: boolean };
  teleporter: { enabled: boolean; port: number; address: string };
  extraData: Record<string, string>;
}

/**
 * One host as `inventory.monitor(id)` gives it on every instance: its live status and machines (from its
 * HostMonitor on the instance holding its lease, else from a replica of the holder's), and this instance's
 * own connection to it for operations.
 */
export interface HostHandle {
  readonly host: HostCredentials;
  readonly status: HostStatus;
  readonly client: VBoxClient;
  machines(): MachineSummary[];
  machine(id: string): MachineSummary | undefined;
  /** A template mark Nimbox wrote on this host (lib/templates): reads after its answer agree; the event confirms it. */
  noteTemplate(id: string, template: boolean): void;
}

/** A host's view to start from: what a replica or the previous holder knew (its scan sets it right). */
export interface HostSeed {
  status: HostStatus;
  machines: MachineSummary[];
}

/** What /api/v1/events streams (server-sent events; the event name is `type`). */
export type InventoryEvent =
  | { type: 'machine'; machine: MachineSummary }
  | { type: 'machine-removed'; id: string; hostId: string }
  | { type: 'host'; host: HostStatus }
  /** A task was created, progressed or ended (lib/tasks). */
  | { type: 'task'; task: Task };

/**
 * Machine states with a VM process past its start: VirtualBox's IPerformanceCollector has a
 * machine's metrics only while its VM process runs (GET /api/v1/vms/:id/metrics answers 409 otherwise).
 */
export const MEASURED_STATES: readonly MachineState[] = [
  'Running', 'Paused', 'Stuck', 'Teleporting', 'TeleportingPausedVM', 'LiveSnapshotting', 'OnlineSnapshotting',
  'DeletingSnapshotOnline', 'DeletingSnapshotPaused',
];

/** VirtualBox samples the charts' metrics every 5 s and keeps the last 60: five minutes (lib/cluster/metrics). */
export const METRICS_PERIOD_S = 5;
export const METRICS_COUNT = 60;

/** One sample of a machine's load: the VM process's CPU (user + kernel, % of the host's processor time) and memory. */
export interface MachineMetricsSample {
  /** ISO time, to within one period: VirtualBox keeps values without times, the newest taken as now. */
  at: string;
  cpuPercent: number;
  ramUsedMB: number;
}

/** GET /api/v1/vms/:id/metrics: the samples VirtualBox kept, oldest first (at most 5 minutes). */
export interface MachineMetrics {
  periodSeconds: number;
  samples: MachineMetricsSample[];
}

/** One sample of a host's load: its CPU (user + kernel) and memory in use of its total. */
export interface HostMetricsSample extends MachineMetricsSample {
  ramTotalMB: number;
}

/** GET /api/v1/hosts/:id/metrics */
export interface HostMetrics {
  periodSeconds: number;
  samples: HostMetricsSample[];
}
