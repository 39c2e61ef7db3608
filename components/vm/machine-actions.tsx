'use client';

import { useState } from 'react';
import { useTranslations } from 'next-intl';
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
import { stateLabel } from './state-badge';
import { DeleteMachineDialog } from './delete-machine-dialog';
import { EditMachineDialog } from './edit-machine-dialog';
import { useTaskText } from '@/components/tasks/task-text';

interface ActionSpec {
  /** Asks first (what is lost): its words are `vmActions`'s `confirm.<action>.*`. */
  confirm?: boolean;
  variant?: 'outline' | 'default';
}

/**
 * Whether each power action asks first; it is offered in the states the server accepts (POWER_ACTION_STATES).
 * Its label is `vmActions`'s `action.<action>`.
 */
const ACTIONS: Record<MachineAction, ActionSpec> = {
  start: { variant: 'default' },
  shutdown: {},
  poweroff: { confirm: true },
  pause: {},
  resume: {},
  reset: { confirm: true },
  savestate: {},
  discardstate: { confirm: true },
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
  const t = useTranslations('vmActions');
  const tState = useTranslations('vmState');
  const tTemplates = useTranslations('templates');
  const action = useMachineAction();
  const [confirming, setConfirming] = useState<MachineAction | null>(null);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const blocked = m.stale || Boolean(busyWith);
  const off = isOffEverywhere(m);
  const taskWords = useTaskText();
  const why = m.stale ? t('why.unreachable', { host: m.hostName }) : busyWith ? t('why.busy', { title: taskWords.title(busyWith) }) : undefined;

  const run = (a: MachineAction) =>
    action.mutate(
      { id: m.id, action: a },
      {
        onSuccess: (task) => {
          setConfirming(null);
          onTask(task);
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
        title={template ? templateStartWhy(m.name, tTemplates) : !allowed ? t('why.notWhile', { state: m.state, label: stateLabel(m.state, tState) }) : why}
        onClick={() => {
          action.reset();
          if (spec.confirm) setConfirming(a);
          else run(a);
        }}
      >
        {pending ? t('pending', { action: t(`action.${a}`) }) : t(`action.${a}`)}
      </Button>
    );
  };

  const confirmAction = confirming && ACTIONS[confirming].confirm ? confirming : null;
  return (
    <div className="space-y-3">
      <div role="toolbar" aria-label={t('toolbar')} className="flex flex-wrap items-center gap-2">
        {ORDER.map((a) => (a === 'pause' && m.state === 'Paused' ? button('resume') : button(a)))}
        <span className="mx-1 hidden h-6 w-px bg-slate-200 sm:block dark:bg-slate-800" aria-hidden="true" />
        <TeleportButton machine={m} blockedWhy={why} onTask={onTask} />
        <Button variant="outline" size="sm" disabled={!off || blocked} title={off ? why : t('editOffOnly')} onClick={() => setEditing(true)}>
          {t('edit')}
        </Button>
        <Button
          variant="outline"
          size="sm"
          className="text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40"
          disabled={!off || blocked}
          title={off ? why : t('deleteOffOnly')}
          onClick={() => setDeleting(true)}
        >
          {t('delete')}
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
        title={confirmAction ? t(`confirm.${confirmAction}.title`, { name: m.name }) : ''}
        description={confirmAction ? t(`confirm.${confirmAction}.description`) : undefined}
        confirmLabel={confirmAction ? t(`confirm.${confirmAction}.label`) : ''}
        pending={action.isPending}
        problem={action.isError ? problemOf(action.error) : null}
        onConfirm={() => confirming && run(confirming)}
      />
      <EditMachineDialog machine={m} open={editing} onOpenChange={setEditing} onTask={onTask} />
      <DeleteMachineDialog machine={m} open={deleting} onOpenChange={setDeleting} onTask={onTask} />
    </div>
  );
}
