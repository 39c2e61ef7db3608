import { memo } from 'react';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { MACHINE_STATES, MachineState } from '@/lib/hooks/types';

interface StateLook {
  label: string;
  tone: BadgeTone;
  /** A transitional state: shown with a subtle pulse. */
  busy?: boolean;
}

/** How each VirtualBox MachineState reads and looks. */
const STATE_LOOK: Record<(typeof MACHINE_STATES)[number], StateLook> = {
  Running: { label: 'Running', tone: 'green' },
  Paused: { label: 'Paused', tone: 'amber' },
  Saved: { label: 'Saved', tone: 'blue' },
  PoweredOff: { label: 'Powered off', tone: 'grey' },
  Aborted: { label: 'Aborted', tone: 'red' },
  AbortedSaved: { label: 'Aborted (saved)', tone: 'red' },
  Stuck: { label: 'Stuck', tone: 'red' },
  Teleported: { label: 'Teleported', tone: 'grey' },
  Starting: { label: 'Starting', tone: 'green', busy: true },
  Stopping: { label: 'Stopping', tone: 'grey', busy: true },
  Saving: { label: 'Saving', tone: 'blue', busy: true },
  Restoring: { label: 'Restoring', tone: 'blue', busy: true },
  Teleporting: { label: 'Teleporting', tone: 'violet', busy: true },
  TeleportingPausedVM: { label: 'Teleporting (paused)', tone: 'violet', busy: true },
  TeleportingIn: { label: 'Teleporting in', tone: 'violet', busy: true },
  LiveSnapshotting: { label: 'Live snapshotting', tone: 'sky', busy: true },
  OnlineSnapshotting: { label: 'Taking snapshot', tone: 'sky', busy: true },
  Snapshotting: { label: 'Taking snapshot', tone: 'sky', busy: true },
  DeletingSnapshotOnline: { label: 'Deleting snapshot', tone: 'sky', busy: true },
  DeletingSnapshotPaused: { label: 'Deleting snapshot (paused)', tone: 'sky', busy: true },
  DeletingSnapshot: { label: 'Deleting snapshot', tone: 'sky', busy: true },
  RestoringSnapshot: { label: 'Restoring snapshot', tone: 'sky', busy: true },
  SettingUp: { label: 'Setting up', tone: 'sky', busy: true },
};

function lookOf(state: MachineState): StateLook {
  return (STATE_LOOK as Partial<Record<MachineState, StateLook>>)[state] ?? { label: state, tone: 'grey' };
}

export function stateLabel(state: MachineState): string {
  return lookOf(state).label;
}

/** A machine's state: its readable name, coloured; `data-state` carries VirtualBox's enum value. */
export const StateBadge = memo(function StateBadge({ state, className }: { state: MachineState; className?: string }) {
  const look = lookOf(state);
  return (
    <Badge tone={look.tone} dot pulse={look.busy} data-state={state} className={className}>
      {look.label}
    </Badge>
  );
});
