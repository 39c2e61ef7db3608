'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { TaskProgress } from '@/components/tasks/task-card';
import { TaskStatusBadge } from '@/components/tasks/task-status-badge';
import { Badge } from '@/components/ui/badge';
import { cn } from '@/components/ui/cn';
import { RelativeTime } from '@/components/ui/relative-time';
import type { HostHaState } from '@/lib/hooks/types';
import { useTask } from '@/lib/hooks/use-tasks';
import { ConfirmOffButton } from './confirm-off-dialog';
import { STAGE_LOOK } from './ha-words';
import { TaskTitle } from '@/components/tasks/task-text';

const linkClass = 'font-medium text-sky-700 underline-offset-4 hover:underline dark:text-sky-400';

/** A host's HA stage as a badge; `data-testid="host-ha-<host name>"` and `data-stage` find it in tests. */
export function HaStageBadge({ hostName, ha }: { hostName: string; ha: HostHaState }) {
  const t = useTranslations('ha');
  const look = STAGE_LOOK[ha.stage];
  return (
    <Badge tone={look.tone} dot pulse={look.busy} title={t(`stageTitle.${ha.stage}`)} data-testid={`host-ha-${hostName}`} data-stage={ha.stage}>
      {t(`stage.${ha.stage}`)}
    </Badge>
  );
}

/** What the stage means in a line: since when, by what. */
function StageLine({ ha }: { ha: HostHaState }) {
  const t = useTranslations('ha.stageLine');
  if (ha.stage === 'fenced') {
    const time = () => <RelativeTime iso={ha.fencedAt ?? ha.since} />;
    return ha.fencedBy ? t.rich('fencedBy', { by: ha.fencedBy, time }) : t.rich('fenced', { time });
  }
  return t.rich(ha.stage, { time: () => <RelativeTime iso={ha.since} /> });
}

/** The HA task of this failure: its title linked to the task history, its status, its progress while it runs. */
function HaTask({ taskId }: { taskId: string }) {
  const tr = useTranslations('ha.task');
  const task = useTask(taskId);
  if (!task.data) {
    return (
      <Link href="/tasks" className={linkClass}>
        {tr('link')}
      </Link>
    );
  }
  const t = task.data;
  return (
    <div className="space-y-1.5" data-testid="host-ha-task" data-task-id={t.id}>
      <p className="flex flex-wrap items-center gap-1.5">
        <Link href="/tasks" className={linkClass} title={tr('history')}>
          <TaskTitle task={t} />
        </Link>
        <TaskStatusBadge status={t.status} />
      </p>
      {t.status === 'running' && <TaskProgress task={t} />}
    </div>
  );
}

/**
 * A host's HA stage (nothing while it is healthy): the badge, since when and why, the HA task, a link to
 * the HA page and, for admins while the stage allows it, "Confirm powered off…".
 */
export function HostHaStatus({
  host,
  ha,
  canManage,
  linkToHaPage = true,
  className,
}: {
  host: { id: string; name: string };
  ha: HostHaState | null | undefined;
  canManage: boolean;
  /** Off on the HA page itself. */
  linkToHaPage?: boolean;
  className?: string;
}) {
  const t = useTranslations('ha.status');
  if (!ha) return null;
  const look = STAGE_LOOK[ha.stage];
  const boxTone =
    look.tone === 'red'
      ? 'border-red-200 bg-red-50/60 dark:border-red-900/60 dark:bg-red-950/30'
      : look.tone === 'blue'
        ? 'border-blue-200 bg-blue-50/60 dark:border-blue-900/60 dark:bg-blue-950/30'
        : 'border-amber-200 bg-amber-50/60 dark:border-amber-900/60 dark:bg-amber-950/30';
  return (
    <div
      className={cn('space-y-2 rounded-md border px-3 py-2 text-xs text-slate-700 dark:text-slate-300', boxTone, className)}
      data-testid="host-ha"
      data-stage={ha.stage}
      role="group"
      aria-label={t('group', { name: host.name })}
    >
      <div className="flex flex-wrap items-center gap-2">
        <HaStageBadge hostName={host.name} ha={ha} />
        <span>
          <StageLine ha={ha} />
        </span>
      </div>
      {ha.detail && <p className="break-words">{ha.detail}</p>}
      {ha.taskId && <HaTask taskId={ha.taskId} />}
      {(linkToHaPage || canManage) && (
        <div className="flex flex-wrap items-center gap-2">
          <ConfirmOffButton host={host} ha={ha} canManage={canManage} />
          {linkToHaPage && (
            <Link href="/ha" className={linkClass}>
              {t('haPage')}
            </Link>
          )}
        </div>
      )}
    </div>
  );
}
