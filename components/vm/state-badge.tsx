import { memo } from 'react';
import { useTranslations } from 'next-intl';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { MACHINE_STATES, MachineState } from '@/lib/hooks/types';
import englishStates from '@/messages/en/vmState.json';

interface StateLook {
  tone: BadgeTone;
  /** A transitional state: shown with a subtle pulse. */
  busy?: boolean;
}

/** How each VirtualBox MachineState looks; its words are the `vmState` catalog's, keyed by the state's name. */
const STATE_LOOK: Record<(typeof MACHINE_STATES)[number], StateLook> = {
  Running: { tone: 'green' },
  Paused: { tone: 'amber' },
  Saved: { tone: 'blue' },
  PoweredOff: { tone: 'grey' },
  Aborted: { tone: 'red' },
  AbortedSaved: { tone: 'red' },
  Stuck: { tone: 'red' },
  Teleported: { tone: 'grey' },
  Starting: { tone: 'green', busy: true },
  Stopping: { tone: 'grey', busy: true },
  Saving: { tone: 'blue', busy: true },
  Restoring: { tone: 'blue', busy: true },
  Teleporting: { tone: 'violet', busy: true },
  TeleportingPausedVM: { tone: 'violet', busy: true },
  TeleportingIn: { tone: 'violet', busy: true },
  LiveSnapshotting: { tone: 'sky', busy: true },
  OnlineSnapshotting: { tone: 'sky', busy: true },
  Snapshotting: { tone: 'sky', busy: true },
  DeletingSnapshotOnline: { tone: 'sky', busy: true },
  DeletingSnapshotPaused: { tone: 'sky', busy: true },
  DeletingSnapshot: { tone: 'sky', busy: true },
  RestoringSnapshot: { tone: 'sky', busy: true },
  SettingUp: { tone: 'sky', busy: true },
};

function lookOf(state: MachineState): StateLook {
  return (STATE_LOOK as Partial<Record<MachineState, StateLook>>)[state] ?? { tone: 'grey' };
}

/** A translator of the `vmState` namespace (useTranslations('vmState') / getTranslations('vmState')). */
type StateT = { (key: string): string; has: (key: string) => boolean };

/**
 * A state's readable name with `vmState`'s translator; a state the catalog does not know reads as
 * VirtualBox names it. Without a translator (code outside React): the English name.
 */
export function stateLabel(state: MachineState, t?: StateT): string {
  if (t) return t.has(state) ? t(state) : state;
  return (englishStates as Record<string, string>)[state] ?? state;
}

/** `(state) => readable name` in the current language. */
export function useStateLabel(): (state: MachineState) => string {
  const t = useTranslations('vmState');
  return (state) => stateLabel(state, t);
}

/** A machine's state: its readable name, coloured; `data-state` carries VirtualBox's enum value. */
export const StateBadge = memo(function StateBadge({ state, className }: { state: MachineState; className?: string }) {
  const label = useStateLabel();
  const look = lookOf(state);
  return (
    <Badge tone={look.tone} dot pulse={look.busy} data-state={state} className={className}>
      {label(state)}
    </Badge>
  );
});
