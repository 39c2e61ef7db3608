import { randomUUID } from 'node:crypto';
import { VBoxFault, type ResultCodeName } from '../soap/faults';
import type { ManagedObject } from '../soap/websession';

export type { ManagedObject };
export { VBoxFault };

export const uuid = (): string => randomUUID();

/** Raises a VirtualBox error as the named component and interface would. */
export function fail(code: ResultCodeName, text: string, iface = 'IVirtualBox', component?: string): never {
  throw new VBoxFault(code, text, component ?? `${iface.slice(1)}Wrap`, iface);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Machine states in which the machine runs (a VM process exists): MachineState FirstOnline…LastOnline. */
export const RUNNING_STATES = new Set<string>([
  'Running', 'Paused', 'Stuck', 'Teleporting', 'LiveSnapshotting', 'Starting', 'Stopping', 'Saving',
  'Restoring', 'TeleportingPausedVM', 'TeleportingIn', 'DeletingSnapshotOnline', 'DeletingSnapshotPaused',
  'OnlineSnapshotting',
]);

/** States in which something is under way: MachineState FirstTransient…LastTransient (Global::IsTransient). */
export const TRANSIENT_STATES = new Set<string>([
  'Teleporting', 'LiveSnapshotting', 'Starting', 'Stopping', 'Saving', 'Restoring', 'TeleportingPausedVM',
  'TeleportingIn', 'DeletingSnapshotOnline', 'DeletingSnapshotPaused', 'OnlineSnapshotting', 'RestoringSnapshot',
  'DeletingSnapshot', 'SettingUp', 'Snapshotting',
]);

export type MachineState =
  | 'PoweredOff' | 'Saved' | 'Teleported' | 'Aborted' | 'AbortedSaved' | 'Running' | 'Paused' | 'Stuck'
  | 'Teleporting' | 'LiveSnapshotting' | 'Starting' | 'Stopping' | 'Saving' | 'Restoring'
  | 'TeleportingPausedVM' | 'TeleportingIn' | 'DeletingSnapshotOnline' | 'DeletingSnapshotPaused'
  | 'OnlineSnapshotting' | 'RestoringSnapshot' | 'DeletingSnapshot' | 'SettingUp' | 'Snapshotting';

export type SessionState = 'Unlocked' | 'Locked' | 'Spawning' | 'Unlocking';

/** Raised by a sub-object of an uninitialised (session) machine, as AutoCaller does. */
export function notReady(m: { readonly isGone: boolean }, iface: string): void {
  if (m.isGone) fail('E_ACCESSDENIED', 'The object is not ready', iface);
}

/** A failure VirtualBox returns without setting error info: a bare result code on the wire. */
export const bare = (code: ResultCodeName): never => { throw new VBoxFault(code, ''); };
