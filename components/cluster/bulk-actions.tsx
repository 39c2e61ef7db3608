'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { Alert, ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { problemOf } from '@/lib/hooks/api';
import type { BulkActionResult, MachineAction, MachineSummary, Task } from '@/lib/hooks/types';
import { useBulkAction } from '@/lib/hooks/use-lifecycle';
import { ExportApplianceDialog } from '@/components/appliances/export-dialog';
import { MoveToGroupDialog } from './move-to-group-dialog';

/** The bulk actions; their words are `cluster.bulk.action.<action>` and, for the outcome, `cluster.bulk.outcome`. */
const BULK: readonly MachineAction[] = ['start', 'shutdown', 'poweroff'];

function Outcome({ result, action, machines, onDismiss }: { result: BulkActionResult; action: MachineAction; machines: MachineSummary[]; onDismiss: () => void }) {
  const t = useTranslations('cluster.bulk');
  const nameOf = (id: string, fallback?: string) => fallback ?? machines.find((m) => m.id === id)?.name ?? id;
  const n = result.tasks?.length ?? 0;
  const errors = result.errors ?? [];
  return (
    <Alert tone={errors.length === 0 ? 'success' : n === 0 ? 'error' : 'warning'} title={t('outcome', { action, count: n, refused: errors.length })}>
      {n > 0 && <p>{t('theirProgress')}</p>}
      {errors.length > 0 && (
        <ul className="list-disc pl-5">
          {errors.map((e) => (
            <li key={e.id}>
              <span className="font-medium">{nameOf(e.id, e.name)}</span>: {e.title}
              {e.detail ? ` — ${e.detail}` : ''}
              {e.resultCode && (
                <>
                  {' '}
                  (<code className="font-mono text-xs">{e.resultCode}</code>)
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <Button variant="ghost" size="sm" className="-ml-3" onClick={onDismiss}>
        {t('dismiss')}
      </Button>
    </Alert>
  );
}

/**
 * Start, shut down or power off every selected machine at once (POST /api/v1/vms/actions); power off asks first.
 * With `canEdit` (operators, admins), Move to group… (POST /api/v1/vms/groups) offering `groups`.
 */
export function BulkActions({ selected, onClear, canEdit = false, groups = [] }: { selected: MachineSummary[]; onClear: () => void; canEdit?: boolean; groups?: string[] }) {
  const t = useTranslations('cluster.bulk');
  const bulk = useBulkAction();
  const [confirmPowerOff, setConfirmPowerOff] = useState(false);
  const [moving, setMoving] = useState(false);
  // issue 17: the selection exported to an OVA (the dialog follows its task).
  const [exportOf, setExportOf] = useState<MachineSummary[] | null>(null);
  const [moved, setMoved] = useState<Task | null>(null);
  const [last, setLast] = useState<{ action: MachineAction; result: BulkActionResult; machines: MachineSummary[] } | null>(null);
  const ids = selected.map((m) => m.id);

  const run = (action: MachineAction) => {
    setLast(null);
    const machines = selected;
    bulk.mutate(
      { ids, action },
      {
        onSuccess: (result) => {
          setConfirmPowerOff(false);
          setLast({ action, result, machines });
          onClear();
        },
      },
    );
  };

  return (
    <div className="space-y-3">
      {selected.length > 0 && (
        <div role="toolbar" aria-label={t('toolbar')} className="flex flex-wrap items-center gap-2 rounded-lg border border-sky-200 bg-sky-50 px-3 py-2 dark:border-sky-900 dark:bg-sky-950/30">
          <span className="mr-2 text-sm font-medium" aria-live="polite">
            {t('selected', { count: selected.length })}
          </span>
          {BULK.map((action) => (
            <Button
              key={action}
              size="sm"
              variant={action === 'start' ? 'default' : 'outline'}
              disabled={bulk.isPending}
              aria-busy={(bulk.isPending && bulk.variables?.action === action) || undefined}
              onClick={() => (action === 'poweroff' ? setConfirmPowerOff(true) : run(action))}
            >
              {t(`action.${action}`)}
            </Button>
          ))}
          {canEdit && (
            <Button size="sm" variant="outline" onClick={() => { setMoved(null); setMoving(true); }}>
              {t('moveToGroup')}
            </Button>
          )}
          {canEdit && (
            <Button size="sm" variant="outline" onClick={() => setExportOf(selected)}>
              {t('exportOva')}
            </Button>
          )}
          <Button size="sm" variant="ghost" onClick={onClear}>
            {t('clearSelection')}
          </Button>
        </div>
      )}
      {bulk.isError && !confirmPowerOff && <ProblemAlert problem={problemOf(bulk.error)} />}
      {last && !bulk.isPending && <Outcome {...last} onDismiss={() => setLast(null)} />}
      {moved && (
        <Alert tone="success" title={moved.title}>
          <p>{t('itsProgress')}</p>
          <Button variant="ghost" size="sm" className="-ml-3" onClick={() => setMoved(null)}>
            {t('dismiss')}
          </Button>
        </Alert>
      )}
      <MoveToGroupDialog
        open={moving}
        onOpenChange={setMoving}
        machines={selected}
        existing={groups}
        onDone={(task) => {
          setMoving(false);
          setMoved(task);
          onClear();
        }}
      />
      <ExportApplianceDialog open={exportOf !== null} onOpenChange={(o) => !o && setExportOf(null)} machines={exportOf ?? []} />
      <ConfirmDialog
        open={confirmPowerOff}
        onOpenChange={setConfirmPowerOff}
        title={t('confirmTitle', { count: selected.length })}
        description={t('confirmDescription')}
        confirmLabel={t('confirmLabel')}
        pending={bulk.isPending}
        problem={bulk.isError ? problemOf(bulk.error) : null}
        onConfirm={() => run('poweroff')}
      >
        <ul className="max-h-40 list-disc overflow-y-auto pl-5 text-sm">
          {selected.map((m) => (
            <li key={m.id}>
              {m.name} <span className="text-slate-500">{t('onHost', { host: m.hostName })}</span>
            </li>
          ))}
        </ul>
      </ConfirmDialog>
    </div>
  );
}
