/**
 * High availability (lib/ha): the shapes the API, the UI and the HA manager share.
 *
 * A host is `suspect` while its vboxwebsrv fails; after its grace time it is fenced (proven powered
 * off) by its fence agent or an admin's confirmation, and only then are its protected machines
 * restarted elsewhere. A host that answers again is back to normal (no row).
 */

/** How a host is proven powered off. */
export const FENCE_KINDS = ['manual', 'ipmi', 'command'] as const;
export type FenceKind = (typeof FENCE_KINDS)[number];

/** A host's fencing as the API shows it (never the BMC password). */
export interface FencingView {
  kind: FenceKind;
  /** For ipmi: the BMC's address, UDP port (623) and user; lanplus (IPMI 2.0) always. */
  ipmi: { address: string; port: number; username: string; hasPassword: boolean } | null;
  /** For command: the site script's absolute path; it gets the host's name and URL as arguments, exit 0 = fenced. */
  command: string | null;
  /** How long vboxwebsrv must fail before the host is fenced, in seconds (default 60). */
  graceSeconds: number;
}

/** What the fence agents need (lib/ha/fence): decrypted; keep it in memory only, never log it. */
export type FenceConfig =
  | { kind: 'manual' }
  | { kind: 'ipmi'; address: string; port: number; username: string; password: string }
  | { kind: 'command'; command: string };

/**
 * A host's HA stage:
 * - suspect: vboxwebsrv fails; waiting out the grace time, or its machines still answer (not fenced);
 * - fencing: the fence agent runs;
 * - awaiting-confirmation: manual fencing: an admin must confirm the host is off;
 * - fence-failed: the agent failed (retried; an admin may confirm by hand); nothing restarts;
 * - fenced: proven off ("dead"); its protected machines restart elsewhere.
 */
export const HOST_HA_STATES = ['suspect', 'fencing', 'awaiting-confirmation', 'fence-failed', 'fenced'] as const;
export type HostHaStage = (typeof HOST_HA_STATES)[number];

export interface HostHaState {
  stage: HostHaStage;
  /** ISO time the stage began (for suspect: when vboxwebsrv first failed). */
  since: string;
  /** What the stage is waiting for or what went wrong, in words. */
  detail: string;
  /** The ha.recover task of this failure, once fencing began. */
  taskId: string | null;
  /** ISO time it was proven off, and how ("ipmi", "command", "manual by alice"). */
  fencedAt: string | null;
  fencedBy: string | null;
}

/** A machine's HA policy (PUT /api/v1/vms/:id/ha). */
export interface HaPolicy {
  /** restart: run it again on another host after its host is fenced; off: leave it. */
  mode: 'off' | 'restart';
  /** Higher first (0–100, default 50). */
  priority: number;
  /** Hosts tried first, in this order (among the allowed ones). */
  preferredHostIds: string[];
  /** At most this many automatic restarts within `windowMinutes` (then it waits for an admin). */
  maxRestarts: number;
  windowMinutes: number;
}

export const DEFAULT_HA_POLICY: HaPolicy = { mode: 'off', priority: 50, preferredHostIds: [], maxRestarts: 3, windowMinutes: 60 };

/** GET /api/v1/vms/:id/ha */
export interface MachineHa {
  policy: HaPolicy;
  /** Whether the caller may change the policy (admins; a tenant's operators when the tenant allows HA). */
  canEdit: boolean;
  /** The machine's settings file, as last read (restarts without a twin open it from shared storage). */
  settingsFile: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
  /** What HA is doing with it now (restarting, waiting for room, paused), or null. */
  status: string | null;
  /** Open alarms about this machine (it runs on two hosts). */
  alarms: HaAlarm[];
}

/** An alarm the HA manager raised; open until an admin acknowledges it. */
export interface HaAlarm {
  id: string;
  /** split-brain: a machine runs on two hosts (a failed or wrong fence); fence-failed: a fence agent failed. */
  kind: 'split-brain' | 'fence-failed';
  machineId: string | null;
  machineName: string | null;
  hostIds: string[];
  message: string;
  /** The message as a `serverText` key + values (the UI translates it); absent on alarms raised before issue 20. */
  messageI18n?: { key: string; values?: Record<string, string | number> };
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/** One protected machine on the HA page. */
export interface ProtectedMachine {
  id: string;
  name: string;
  tenant: string | null;
  hostId: string;
  hostName: string;
  state: string;
  policy: HaPolicy;
  /** What HA is doing with it now, e.g. "waits for capacity: needs 2048 MB, at most 1024 MB free (bravo)". */
  status: string | null;
}

/** GET /api/v1/ha: the HA page. */
export interface HaOverview {
  hosts: { id: string; name: string; health: string; fencing: FenceKind; graceSeconds: number; ha: HostHaState | null }[];
  machines: ProtectedMachine[];
  alarms: HaAlarm[];
  /** True while an open split-brain alarm stops every automatic restart. */
  paused: boolean;
  /** The last HA events (audit rows whose action starts with "ha."), newest first. */
  events: { id: string; at: string; action: string; target: string | null; result: string; detail: string | null; username: string }[];
}
