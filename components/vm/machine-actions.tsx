'use client';

import { useState } from 'react';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { TeleportButton } from '@/components/teleport/teleport-button';
import { templateStartWhy } from '@/components/templates/template-badge';
import { TemplateToggle } from '@/components/templates/template-toggle';
import { problemOf } from '@/lib/hooks/api';
import type { MachineAction, MachineDetail, MachineState, Task } from '@/lib/hooks/types';
import { useMachineAction } from '@/lib/hooks/use-lifecycle';
import { POWER_ACTION_STATES } from '@/lib/tasks/types';
import { CloneButton } from './clone-dialog';
import { DeleteMachineDialog } from './delete-machine-dialog';
import { EditMachineDialog } from './edit-machine-dialog';

interface ActionSpec {
  label: string;
  /** Asks first: what is lost. */
  confirm?: { title: (name: string) => string; description: string; label: string };
  variant?: 'outline' | 'default';
}

/** Each power action's label and whether it asks first; it is offered in the states the server accepts (POWER_ACTION_STATES). */
const ACTIONS: Record<MachineAction, ActionSpec> = {
  start: { label: 'Start', variant: 'default' },
  shutdown: { label: 'Shut down' },
  poweroff: {
    label: 'Power off',
    confirm: {
      title: (n) => `Power off ${n}?`,
      description: 'Like pulling the plug: the guest is not asked to shut down, and anything it has not written to disk is lost.',
      label: 'Power off',
    },
  },
  pause: { label: 'Pause' },
  resume: { label: 'Resume' },
  reset: {
    label: 'Reset',
    confirm: {
      title: (n) => `Reset ${n}?`,
      description: 'Like pressing the reset button: the guest restarts at once, and anything it has not written to disk is lost.',
      label: 'Reset',
    },
  },
  savestate: { label: 'Save state' },
  discardstate: {
    label: 'Discard saved state',
    confirm: {
      title: (n) => `Discard the saved state of ${n}?`,
      description: 'The machine was saved with its memory; discarding it powers the machine off, as if its plug had been pulled when it was saved.',
      label: 'Discard saved state',
    },
  },
};

/** Powered off, as Nimbox requires for editing, deleting and restoring a snapshot (on every host the machine is registered on). */
export const OFF_STATES: readonly MachineState[] = ['PoweredOff', 'Aborted', 'Teleported'];

/** Whether the machine and each of its twins is powered off. */
export function isOffEverywhere(m: MachineDetail): boolean {
  return OFF_STATES.includes(m.state) && m.twins.every((t) => OFF_STATES.includes(t.state));
}

const ORDER: MachineAction[] = ['start', 'shutdown', 'poweroff', 'pause', 'reset', 'savestate', 'discardstate'];

/**
 * The machine page's toolbar: power actions enabled by the machine's state (the risky ones ask
 * first), Edit while powered off, Delete with a typed confirmation. Each accepted action's task
 * goes to `onTask` for its progress to show beside the toolbar.
 */
export function MachineActions({
  machine: m,
  busyWith,
  onTask,
  canEdit = false,
  admin = false,
}: {
  machine: MachineDetail;
  busyWith: Task | undefined;
  onTask: (t: Task) => void;
  /** Operators and admins: clone, mark as template (issue 17). */
  canEdit?: boolean;
  /** Admins: a clone's tenant. */
  admin?: boolean;
}) {
  const action = useMachineAction();
  const [confirming, setConfirming] = useState<MachineAction | null>(null);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const blocked = m.stale || Boolean(busyWith);
  const off = isOffEverywhere(m);
  const why = m.stale ? `${m.hostName} is unreachable` : busyWith ? `Busy with “${busyWith.title}”` : undefined;

  const run = (a: MachineAction) =>
    action.mutate(
      { id: m.id, action: a },
      {
        onSuccess: (t) => {
          setConfirming(null);
          onTask(t);
        },
      },
    );

  const button = (a: MachineAction) => {
    const spec = ACTIONS[a];
    // A template is never started (the server refuses it too).
    const template = a === 'start' && m.template;
    const allowed = POWER_ACTION_STATES[a].includes(m.state) && !template;
    const pending = action.isPending && action.variables?.action === a;
    return (
      <Button
        key={a}
        variant={spec.variant ?? 'outline'}
        size="sm"
        disabled={!allowed || blocked || action.isPending}
        aria-busy={pending || undefined}
        title={template ? templateStartWhy(m.name) : !allowed ? `Not while the machine is ${m.state}` : why}
        onClick={() => {
          action.reset();
          if (spec.confirm) setConfirming(a);
          else run(a);
        }}
      >
        {pending ? `${spec.label}…` : spec.label}
      </Button>
    );
  };

  const confirmSpec = confirming ? ACTIONS[confirming].confirm : undefined;
  return (
    <div className="space-y-3">
      <div role="toolbar" aria-label="Machine actions" className="flex flex-wrap items-center gap-2">
        {ORDER.map((a) => (a === 'pause' && m.state === 'Paused' ? button('resume') : button(a)))}
        <span className="mx-1 hidden h-6 w-px bg-slate-200 sm:block dark:bg-slate-800" aria-hidden="true" />
        <TeleportButton machine={m} blockedWhy={why} onTask={onTask} />
        <Button variant="outline" size="sm" disabled={!off || blocked} title={off ? why : 'Power the machine off to edit it'} onClick={() => setEditing(true)}>
          Edit
        </Button>
        <Button
          variant="outline"
          size="sm"
          className="text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40"
          disabled={!off || blocked}
          title={off ? why : 'Power the machine off to delete it'}
          onClick={() => setDeleting(true)}
        >
          Delete
        </Button>
        {canEdit && (
          <>
            <span className="mx-1 hidden h-6 w-px bg-slate-200 sm:block dark:bg-slate-800" aria-hidden="true" />
            <CloneButton machine={m} off={off} blockedWhy={why} admin={admin} onTask={onTask} />
            <TemplateToggle machine={m} off={off} blockedWhy={why} />
          </>
        )}
      </div>
      {action.isError && !confirming && <ProblemAlert problem={problemOf(action.error)} />}

      <ConfirmDialog
        open={confirming !== null}
        onOpenChange={(o) => {
          if (!o) setConfirming(null);
        }}
        title={confirmSpec?.title(m.name) ?? ''}
        description={confirmSpec?.description}
        confirmLabel={confirmSpec?.label ?? ''}
        pending={action.isPending}
        problem={action.isError ? problemOf(action.error) : null}
        onConfirm={() => confirming && run(confirming)}
      />
      <EditMachineDialog machine={m} open={editing} onOpenChange={setEditing} onTask={onTask} />
      <DeleteMachineDialog machine={m} open={deleting} onOpenChange={setDeleting} onTask={onTask} />
    </div>
  );
}
