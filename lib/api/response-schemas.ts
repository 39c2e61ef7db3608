import { z } from 'zod';
import type { MachineSummary } from '@/lib/cluster/types';
import type { Task } from '@/lib/tasks/types';

/*
 * Shapes of a few central answers, for the OpenAPI document only (route({ response })): never checked at
 * run time. Each is declared as a zod type of the TypeScript interface the route returns, so a field
 * renamed or added as required there fails `tsc` here instead of drifting from the document.
 */

const MACHINE_STATES = [
  'Null', 'PoweredOff', 'Saved', 'Teleported', 'Aborted', 'AbortedSaved', 'Running', 'Paused', 'Stuck', 'Teleporting',
  'LiveSnapshotting', 'Starting', 'Stopping', 'Saving', 'Restoring', 'TeleportingPausedVM', 'TeleportingIn',
  'DeletingSnapshotOnline', 'DeletingSnapshotPaused', 'OnlineSnapshotting', 'RestoringSnapshot', 'DeletingSnapshot',
  'SettingUp', 'Snapshotting', 'FirstOnline', 'LastOnline', 'FirstTransient', 'LastTransient',
] as const;
const machineState = z.enum(MACHINE_STATES).describe("VirtualBox's MachineState");

export const machineSummarySchema: z.ZodType<MachineSummary> = z.object({
  id: z.string().describe("The machine's UUID"),
  name: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  state: machineState,
  sessionState: z.enum(['Null', 'Unlocked', 'Locked', 'Spawning', 'Unlocking']),
  osTypeId: z.string(),
  cpuCount: z.number().int(),
  memoryMB: z.number().int(),
  lastStateChange: z.string().describe('ISO time of the last state change'),
  tenant: z.string().nullable().describe('The owning tenant (extradata nimbox/tenant), null for none'),
  groups: z.array(z.string()).describe("VirtualBox's machine groups, the primary one first"),
  stale: z.boolean().describe("True while the machine's host is unreachable: what was last known"),
  twins: z.array(z.object({ hostId: z.string(), hostName: z.string(), state: machineState, stale: z.boolean() }))
    .describe('Other hosts where the same machine is registered, ready to receive it by teleport'),
  networks: z.array(z.string()).optional().describe('The cluster networks of its enabled adapters, once read'),
  guest: z.object({ additions: z.boolean(), ips: z.array(z.string()) }).nullable().optional().describe('While it runs: Guest Additions and IPv4 addresses'),
  template: z.boolean().optional().describe('Whether it is a template'),
});

export const machineListSchema = z.object({
  items: z.array(machineSummarySchema),
  total: z.number().int().describe('Machines matching the filter, on every page'),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const taskText = z.object({ key: z.string(), values: z.record(z.string(), z.union([z.string(), z.number()])).optional() })
  .describe('The text as a catalog key and values (the console translates it)');

export const taskSchema: z.ZodType<Task> = z.object({
  id: z.string(),
  kind: z.string().describe('e.g. vm.start, vm.create, snapshot.take, vm.teleport, host.drain'),
  title: z.string().describe('English, stable for scripts: "Start web-a1"'),
  titleI18n: taskText.optional(),
  targetType: z.enum(['vm', 'host', 'medium', 'network']),
  targetTenant: z.string().optional(),
  targetId: z.string(),
  targetName: z.string(),
  hostId: z.string().nullable(),
  userId: z.string(),
  username: z.string(),
  status: z.enum(['running', 'succeeded', 'failed', 'canceled', 'lost']),
  percent: z.number().min(0).max(100),
  message: z.string().describe('The current step'),
  messageI18n: taskText.optional(),
  cancelable: z.boolean(),
  error: z.object({ title: z.string(), detail: z.string(), resultCode: z.string().optional(), step: z.string().optional() }).nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
