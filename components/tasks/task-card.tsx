'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { memo } from 'react';
import { useFormat } from '@/components/format';
import { ProblemAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { CloseIcon } from '@/components/ui/icons';
import { ProgressBar } from '@/components/ui/progress';
import { RelativeTime } from '@/components/ui/relative-time';
import { problemOf } from '@/lib/hooks/api';
import type { Task } from '@/lib/hooks/types';
import { useCancelTask } from '@/lib/hooks/use-tasks';
import { TaskStatusBadge } from './task-status-badge';
import { useTaskText } from './task-text';

/** A failed task's error: VirtualBox's (or Nimbox's) words and the result code. */
function TaskErrorText({ task, className }: { task: Task; className?: string }) {
  const t = useTranslations('tasks');
  if (!task.error) return null;
  const e = task.error;
  return (
    <div role={task.status === 'failed' ? 'alert' : undefined} className={cn('rounded-md bg-red-50 px-3 py-2 text-xs break-words text-red-900 dark:bg-red-950/40 dark:text-red-200', className)}>
      <p className="font-semibold">{e.title}</p>
      {e.detail && <p className="mt-0.5">{e.detail}</p>}
      {e.resultCode && (
        <p className="mt-0.5">
          {t.rich('card.resultCode', { code: (c) => <code className="font-mono">{c}</code>, value: e.resultCode })}
        </p>
      )}
      {e.step && <p className="mt-0.5 opacity-80">{t('card.atStep', { step: e.step })}</p>}
    </div>
  );
}

/** Cancel for a running task VirtualBox lets go of; its own failure shows beside it. */
function CancelTask({ task }: { task: Task }) {
  const t = useTranslations('tasks');
  const cancel = useCancelTask();
  const text = useTaskText();
  if (task.status !== 'running' || !task.cancelable) return null;
  return (
    <div className="space-y-2">
      <Button
        variant="outline"
        size="sm"
        aria-label={t('card.cancelTask', { title: text.title(task) })}
        disabled={cancel.isPending}
        aria-busy={cancel.isPending}
        onClick={() => cancel.mutate(task.id)}
      >
        {cancel.isPending ? t('card.canceling') : t('card.cancel')}
      </Button>
      {cancel.isError && <ProblemAlert problem={problemOf(cancel.error)} />}
    </div>
  );
}

/** The progress of a task as a bar with its percent and current step. */
export function TaskProgress({ task }: { task: Task }) {
  const t = useTranslations('tasks');
  const f = useFormat();
  const running = task.status === 'running';
  const tone = task.status === 'succeeded' ? 'green' : task.status === 'failed' ? 'red' : running ? 'sky' : 'grey';
  const percent = f.percent(Math.round(task.percent) / 100);
  const words = useTaskText();
  const message = words.message(task);
  const text = message ? t('card.progressWithMessage', { percent, message }) : percent;
  return (
    <div className="space-y-1">
      <ProgressBar label={t('card.progressOf', { title: words.title(task) })} value={task.percent} valueText={text} tone={tone} />
      <p className="flex justify-between gap-2 text-xs text-slate-600 dark:text-slate-400" data-testid="task-progress-text">
        <span className="truncate" title={message}>
          {message || (running ? t('card.working') : '')}
        </span>
        <span className="shrink-0 tabular-nums">{percent}</span>
      </p>
    </div>
  );
}

/**
 * One task at a glance: title, status, live progress while it runs, the error when it failed,
 * Cancel while VirtualBox allows it. `data-task-id` and `data-status` find it in tests.
 */
export const TaskCard = memo(function TaskCard({
  task,
  showTarget = true,
  className,
  onDismiss,
}: {
  task: Task;
  showTarget?: boolean;
  className?: string;
  /** Offers "Dismiss" once the task has ended. */
  onDismiss?: (id: string) => void;
}) {
  const t = useTranslations('tasks');
  const linkToTarget = showTarget && task.targetType === 'vm' && task.targetId && task.kind !== 'vm.delete';
  const title = useTaskText().title(task);
  return (
    <article
      aria-label={title}
      data-task-id={task.id}
      data-status={task.status}
      className={cn('space-y-2 rounded-lg border border-slate-200 bg-white p-3 text-sm dark:border-slate-800 dark:bg-slate-900', className)}
    >
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="truncate font-medium" title={title}>
            {title}
          </p>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            {task.username}{' · '}<RelativeTime iso={task.createdAt} />
            {linkToTarget && (
              <>
                {' · '}
                <Link href={`/vms/${encodeURIComponent(task.targetId)}`} className="text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
                  {task.targetName || t('card.machine')}
                </Link>
              </>
            )}
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-1">
          <TaskStatusBadge status={task.status} />
          {onDismiss && task.status !== 'running' && (
            <button
              type="button"
              onClick={() => onDismiss(task.id)}
              aria-label={t('card.dismissTask', { title })}
              title={t('card.dismiss')}
              className="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:bg-slate-800 dark:hover:text-slate-100"
            >
              <CloseIcon className="size-3.5" />
            </button>
          )}
        </div>
      </div>
      <TaskProgress task={task} />
      <TaskErrorText task={task} />
      {task.status === 'lost' && !task.error && (
        <p className="text-xs text-amber-800 dark:text-amber-300">{t('card.lost')}</p>
      )}
      <CancelTask task={task} />
    </article>
  );
});
