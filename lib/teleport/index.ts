/**
 * lib/teleport: preflight checks and the teleport / drain orchestration (design.md).
 *
 *   const plan = await runPreflight(machineId, targetHostId);        // GET …/teleport/preflight
 *   const { task } = await startTeleport({ machineId, targetHostId }, user);   // POST …/teleport → 202
 *   await setMaintenance(hostId, true); const drain = await startDrain(hostId, user);
 *
 * types.ts holds the shapes the API hands out; spec.ts what "the same machine" means on two hosts;
 * teleport.ts the task and its failure handling; janitor.ts the cleanups that had to wait.
 */
export { configureTeleport, setTeleportHooks, teleportConfig, type HookContext, type TeleportConfig, type TeleportHooks } from './config';
export {
  rankTargets, runningOn, setAllowedHostsResolver, setMaintenance, startDrain, type AllowedHostsResolver, type DrainOptions, type PlacementMachine,
} from './drain';
export { pendingCleanups, startTeleportJanitor, stopTeleportJanitor } from './janitor';
export { portsOf } from './ports';
export { runPreflight, type TeleportPlan } from './preflight';
export { onTeleportTimings, startTeleport, type TeleportRequest } from './teleport';
export type * from './types';
export { CHECK_IDS } from './types';
