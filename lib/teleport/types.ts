/**
 * The shapes of lib/teleport as the API hands them out: the preflight (GET
 * /api/v1/vms/:id/teleport/preflight) and what a teleport measured.
 */
import type { MachineState } from '@/lib/vbox/types';

export type CheckStatus = 'passed' | 'warning' | 'failed';

/** The preflight's checks, in the order they are shown. */
export const CHECK_IDS = ['machine', 'host', 'tenant', 'version', 'twin', 'storage', 'memory', 'cpu', 'network', 'port'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface PreflightCheck {
  id: CheckId;
  /** What is checked: "Target host up". */
  label: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do about a warning or a failure. */
  fix?: string;
  /** The detail as a `serverText` key + values (issue 20: the UI translates it; the label by `id`); absent for composite details. */
  detailI18n?: { key: string; values?: Record<string, string | number> };
  /** The fix likewise. */
  fixI18n?: { key: string; values?: Record<string, string | number> };
}

/** GET /api/v1/vms/:id/teleport/preflight?target=HOST_ID */
export interface Preflight {
  machine: { id: string; name: string; state: MachineState; memoryMB: number; cpuCount: number };
  source: { hostId: string; hostName: string };
  target: { hostId: string; hostName: string };
  /** No check failed (warnings allowed): POST /api/v1/vms/:id/teleport will start. */
  ok: boolean;
  checks: PreflightCheck[];
  /** The teleporter port the target would wait on; null when none is free. */
  port: number | null;
  /** What happens to the copy on the target: used as it is, brought in line, or registered anew. */
  twin: 'ready' | 'update' | 'register' | null;
  /** ISO time of the checks. */
  checkedAt: string;
}

/** One teleport's time, split: what VirtualBox's transfer took and what Nimbox added around it. */
export interface TeleportTimings {
  taskId: string;
  machineId: string;
  ok: boolean;
  /** From the start of the task to its end, ms. */
  totalMs: number;
  /** IConsole::teleport called → its IProgress seen completed, ms (the transfer). */
  transferMs: number;
  /** totalMs − transferMs. */
  overheadMs: number;
  phases: { prepareMs: number; launchMs: number; confirmMs: number; cleanupMs: number };
}
