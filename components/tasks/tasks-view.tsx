'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { memo, useId, useState } from 'react';
import { EmptyState } from '@/components/console/empty-state';
import { LoadError } from '@/components/console/load-error';
import { useFormat } from '@/components/format';
import { Label } from '@/components/ui/label';
import { useProblemTitle } from '@/components/ui/problem-text';
import { ProgressBar } from '@/components/ui/progress';
import { RelativeTime, useNow } from '@/components/ui/relative-time';
import { Select } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { Task, TaskStatus } from '@/lib/hooks/types';
import { TASK_STATUSES } from '@/lib/tasks/types';
import { useTasks } from '@/lib/hooks/use-tasks';
import { taskStatusKey, TaskStatusBadge } from './task-status-badge';
import { useTaskText } from './task-text';

const HISTORY = 200;

function Duration({ task }: { task: Task }) {
  const now = useNow();
  const f = useFormat();
  const start = Date.parse(task.createdAt);
  const end = task.finishedAt ? Date.parse(task.finishedAt) : now;
  return <span className="tabular-nums">{f.duration(end - start)}</span>;
}

const TaskRow = memo(function TaskRow({ task: t }: { task: Task }) {
  const tr = useTranslations('tasks');
  const f = useFormat();
  const problemTitle = useProblemTitle();
  const percent = f.percent(Math.round(t.percent) / 100);
  const words = useTaskText();
  const title = words.title(t);
  const message = words.message(t);
  return (
    <TableRow data-task-id={t.id} data-status={t.status}>
      <TableCell className="max-w-80">
        <p className="truncate font-medium" title={title}>
          {t.targetType === 'vm' && t.targetId && t.kind !== 'vm.delete' ? (
            <Link href={`/vms/${encodeURIComponent(t.targetId)}`} className="text-sky-700 underline-offset-4 hover:underline dark:text-sky-400">
              {title}
            </Link>
          ) : (
            title
          )}
        </p>
        {t.status === 'running' && (
          <div className="mt-1.5 flex items-center gap-2">
            <ProgressBar label={tr('card.progressOf', { title })} value={t.percent} valueText={message ? tr('card.progressWithMessage', { percent, message }) : percent} className="w-40" />
            <span className="truncate text-xs text-slate-500 tabular-nums dark:text-slate-400">
              {percent} {message}
            </span>
          </div>
        )}
      </TableCell>
      <TableCell className="whitespace-nowrap">{t.username}</TableCell>
      <TableCell>
        <TaskStatusBadge status={t.status} />
      </TableCell>
      <TableCell className="whitespace-nowrap text-slate-600 dark:text-slate-400">
        <RelativeTime iso={t.createdAt} />
      </TableCell>
      <TableCell className="whitespace-nowrap text-slate-600 dark:text-slate-400">
        {t.finishedAt ? <time dateTime={t.finishedAt}>{f.dateTime(t.finishedAt)}</time> : '—'}
      </TableCell>
      <TableCell className="whitespace-nowrap">
        <Duration task={t} />
      </TableCell>
      <TableCell className="max-w-96 text-xs">
        {t.error ? (
          <span className="text-red-800 dark:text-red-300">
            <span className="font-semibold">{problemTitle(t.error.title)}</span>
            {t.error.detail && <>{': '}{t.error.detail}</>}
            {t.error.resultCode && (
              <>
                {' '}
                {'('}<code className="font-mono">{t.error.resultCode}</code>{')'}
              </>
            )}
          </span>
        ) : (
          <span className="text-slate-400">{'—'}</span>
        )}
      </TableCell>
    </TableRow>
  );
});

/** The task history: every long operation, who ran it, how it ended and how long it took; live. */
export function TasksView() {
  const t = useTranslations('tasks');
  const statusId = useId();
  const [status, setStatus] = useState<TaskStatus | ''>('');
  const tasks = useTasks({ limit: HISTORY, ...(status ? { status } : {}) });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex w-48 flex-col gap-1.5">
          <Label htmlFor={statusId}>{t('view.status')}</Label>
          <Select id={statusId} value={status} onChange={(e) => setStatus(e.target.value as TaskStatus | '')}>
            <option value="">{t('view.allStatuses')}</option>
            {TASK_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(taskStatusKey(s) ?? 'status.running')}
              </option>
            ))}
          </Select>
        </div>
      </div>
      {tasks.isError && !tasks.data ? (
        <LoadError error={tasks.error} retry={tasks.refetch} />
      ) : tasks.data && tasks.data.tasks.length === 0 ? (
        <EmptyState title={status ? t(`view.noStatus.${status}`) : t('noTasks')}>
          {t('view.emptyText')}
        </EmptyState>
      ) : (
        <Table aria-label={t('view.table')} aria-busy={tasks.isPending}>
          <TableHeader>
            <tr>
              <TableHead>{t('view.columns.task')}</TableHead>
              <TableHead>{t('view.columns.user')}</TableHead>
              <TableHead>{t('view.columns.status')}</TableHead>
              <TableHead>{t('view.columns.started')}</TableHead>
              <TableHead>{t('view.columns.finished')}</TableHead>
              <TableHead>{t('view.columns.duration')}</TableHead>
              <TableHead>{t('view.columns.error')}</TableHead>
            </tr>
          </TableHeader>
          <TableBody>
            {tasks.data
              ? tasks.data.tasks.map((t) => <TaskRow key={t.id} task={t} />)
              : Array.from({ length: 6 }, (_, i) => (
                  <tr key={i} aria-hidden="true">
                    {Array.from({ length: 7 }, (__, j) => (
                      <td key={j} className="px-4 py-3">
                        <Skeleton className={j === 0 ? 'h-4 w-48' : 'h-4 w-16'} />
                      </td>
                    ))}
                  </tr>
                ))}
          </TableBody>
        </Table>
      )}
      {tasks.data && tasks.data.tasks.length >= HISTORY && (
        <p className="text-xs text-slate-500 dark:text-slate-400">{t('view.showingRecent', { count: HISTORY })}</p>
      )}
    </div>
  );
}
