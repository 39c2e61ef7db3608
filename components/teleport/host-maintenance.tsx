'use client';

import { useTranslations } from 'next-intl';
import { useState, type ReactNode } from 'react';
import { TaskCard, TaskProgress } from '@/components/tasks/task-card';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ProblemAlert } from '@/components/ui/alert';
import { TableCell, TableRow } from '@/components/ui/table';
import { problemOf } from '@/lib/hooks/api';
import type { HostWithStatus, Task } from '@/lib/hooks/types';
import { useTasks } from '@/lib/hooks/use-tasks';
import { useDrain, useSetMaintenance } from '@/lib/hooks/use-teleport';

/** How long a finished drain stays shown beside its host. */
const RECENT_MS = 10 * 60_000;

const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;

/** The host's newest drain while it runs (whoever started it) or for a while after it ended. */
function useDrainTask(hostId: string): Task | undefined {
  const tasks = useTasks({ targetId: hostId, limit: 5 });
  const [now] = useState(() => Date.now());
  const t = (tasks.data?.tasks ?? []).find((x) => x.kind === 'host.drain');
  if (!t) return undefined;
  return t.status === 'running' || (t.finishedAt && Date.parse(t.finishedAt) > now - RECENT_MS) || Date.parse(t.createdAt) > now ? t : undefined;
}

/** "In maintenance" for a host in maintenance, and a running drain's progress: for the cluster's host cards. */
export function HostMaintenanceStatus({ host }: { host: HostWithStatus }) {
  const t = useTranslations('teleport.maintenance');
  const found = useDrainTask(host.id);
  const drain = found?.status === 'running' ? found : undefined;
  if (!host.maintenance && !drain) return null;
  return (
    <div className="space-y-2" data-testid="host-maintenance">
      {host.maintenance && (
        <Badge tone="amber" dot title={t('badgeTitle')}>
          {t('inMaintenance')}
        </Badge>
      )}
      {drain && <TaskProgress task={drain} />}
    </div>
  );
}

/**
 * A host's maintenance on the hosts page: its state, and for admins the toggle (entering it can start a
 * drain at once) and Drain. The drain's progress shows in HostDrainProgress.
 */
export function HostMaintenance({ host, canManage }: { host: HostWithStatus; canManage: boolean }) {
  const t = useTranslations('teleport.maintenance');
  const setMaintenance = useSetMaintenance();
  const drain = useDrain();
  const [confirming, setConfirming] = useState(false);
  const [drainToo, setDrainToo] = useState(true);
  const task = useDrainTask(host.id);
  const running = host.status?.runningCount ?? 0;
  const draining = task?.status === 'running';
  const error = setMaintenance.isError && !confirming ? setMaintenance.error : drain.isError ? drain.error : null;

  return (
    <div className="flex max-w-64 flex-col items-start gap-1.5" data-testid="host-maintenance">
      {host.maintenance ? (
        <Badge tone="amber" dot title={t('badgeTitle')}>
          {t('inMaintenance')}
        </Badge>
      ) : (
        <span className="text-xs text-slate-500 dark:text-slate-400">{t('inService')}</span>
      )}
      {canManage && (
        <div className="flex flex-wrap gap-1">
          {host.maintenance ? (
            <>
              <Button variant="outline" size="sm" disabled={drain.isPending || draining} aria-busy={drain.isPending} onClick={() => drain.mutate(host.id)}>
                {t.rich('drain', { name: host.name, sr })}
              </Button>
              <Button variant="ghost" size="sm" disabled={setMaintenance.isPending} onClick={() => setMaintenance.mutate({ id: host.id, enabled: false })}>
                {t.rich('leave', { name: host.name, sr })}
              </Button>
            </>
          ) : (
            <Button
              variant="outline"
              size="sm"
              onClick={() => {
                setMaintenance.reset();
                setConfirming(true);
              }}
            >
              {t.rich('enter', { name: host.name, sr })}
            </Button>
          )}
        </div>
      )}
      {error && <ProblemAlert problem={problemOf(error)} />}

      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={t('confirmTitle', { name: host.name })}
        description={t('confirmDescription')}
        confirmLabel={t('confirmLabel')}
        destructive={false}
        pending={setMaintenance.isPending}
        problem={setMaintenance.isError ? problemOf(setMaintenance.error) : null}
        onConfirm={() => setMaintenance.mutate({ id: host.id, enabled: true, drain: drainToo && running > 0 }, { onSuccess: () => setConfirming(false) })}
      >
        <CheckboxField
          label={t('drainNow')}
          hint={running > 0 ? t('drainHint', { count: running }) : t('nothingRuns')}
          checked={drainToo && running > 0}
          disabled={running === 0}
          onChange={(e) => setDrainToo(e.target.checked)}
        />
      </ConfirmDialog>
    </div>
  );
}

/**
 * The host's drain, as a row under the host's own on the hosts page: its progress, each machine it moved
 * (its message), its failures, Cancel while it runs. Nothing when the host has no recent drain.
 */
export function HostDrainProgress({ host, colSpan }: { host: HostWithStatus; colSpan: number }) {
  const task = useDrainTask(host.id);
  const [dismissed, setDismissed] = useState<string | null>(null);
  if (!task || task.id === dismissed) return null;
  return (
    <TableRow data-drain-of={host.id} className="hover:bg-transparent">
      <TableCell colSpan={colSpan} className="pt-0">
        <TaskCard task={task} showTarget={false} className="max-w-3xl" onDismiss={task.status !== 'running' ? setDismissed : undefined} />
      </TableCell>
    </TableRow>
  );
}
