/**
 * The shapes of lib/tasks: a task is one long operation (start a machine, take a snapshot, …)
 * with progress read from VirtualBox's IProgress, persisted in the `tasks` table.
 */

import type { MachineState } from '@/lib/vbox/types';

/** POST /api/v1/vms/:id/actions and the bulk form's `action`. */
export const POWER_ACTIONS = ['start', 'shutdown', 'poweroff', 'pause', 'resume', 'reset', 'savestate', 'discardstate'] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];

/**
 * The states in which VirtualBox accepts each power action: what the server checks before it starts
 * a task (lib/tasks/power) and what the UI offers (here, so that the browser can import it).
 */
export const POWER_ACTION_STATES: Record<PowerAction, readonly MachineState[]> = {
  start: ['PoweredOff', 'Saved', 'Aborted', 'AbortedSaved', 'Teleported'],
  shutdown: ['Running', 'Teleporting', 'LiveSnapshotting'],
  poweroff: ['Running', 'Paused', 'Stuck', 'Starting', 'Restoring', 'Teleporting', 'TeleportingPausedVM', 'TeleportingIn', 'LiveSnapshotting'],
  pause: ['Running', 'Teleporting', 'LiveSnapshotting'],
  resume: ['Paused'],
  reset: ['Running', 'Paused', 'Stuck', 'Teleporting', 'LiveSnapshotting'],
  savestate: ['Running', 'Paused'],
  discardstate: ['Saved', 'AbortedSaved'],
};

export type TaskStatus = 'running' | 'succeeded' | 'failed' | 'canceled' | 'lost';

export const TASK_STATUSES: readonly TaskStatus[] = ['running', 'succeeded', 'failed', 'canceled', 'lost'];

export interface TaskError {
  title: string;
  /** VirtualBox's text for a fault, else Nimbox's explanation. */
  detail: string;
  /** VirtualBox's result-code name, e.g. 'VBOX_E_INVALID_VM_STATE'. */
  resultCode?: string;
  /** The step the task was at (its message) when it failed. */
  step?: string;
}

/**
 * A server-made text in a form the UI can translate (issue 20): a key of the `taskText` catalog namespace and
 * the values of its placeholders. Names and paths are data; the English text beside it stays as it was.
 */
export interface TaskText {
  key: string;
  values?: Record<string, string | number>;
}

export interface Task {
  /** uuid */
  id: string;
  /** 'vm.start' | 'vm.shutdown' | 'vm.poweroff' | 'vm.pause' | 'vm.resume' | 'vm.reset' | 'vm.savestate' | 'vm.discardstate' | 'vm.create' | 'vm.edit' | 'vm.delete' | 'snapshot.take' | 'snapshot.restore' | 'snapshot.delete' | … (later 'vm.teleport', 'host.drain') */
  kind: string;
  /** Human: "Start web-a1", "Create db-7 on vbox-alpha". */
  title: string;
  /** The title as a `taskText` key + values (the UI translates it); absent for tasks started without one. */
  titleI18n?: TaskText;
  /** network: a cluster network (issue 15), targetId its id. */
  targetType: 'vm' | 'host' | 'medium' | 'network';
  /** A medium's task: the tenant whose folder holds the medium (who sees the task); absent otherwise. */
  targetTenant?: string;
  /** Machine UUID (for vm.create: the new machine's UUID once known, else ''). */
  targetId: string;
  targetName: string;
  hostId: string | null;
  userId: string;
  username: string;
  status: TaskStatus;
  /** 0–100 */
  percent: number;
  /** Current step / IProgress operation description. */
  message: string;
  /** The message as a `taskText` key + values; absent when the message has none (e.g. VirtualBox's own description). */
  messageI18n?: TaskText;
  /** True while cancel is possible. */
  cancelable: boolean;
  error: TaskError | null;
  /** ISO */
  createdAt: string;
  /** ISO */
  finishedAt: string | null;
}
