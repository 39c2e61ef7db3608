'use client';

import { useTranslations } from 'next-intl';
import { useEffect, type ReactNode } from 'react';
import { TaskCard } from '@/components/tasks/task-card';
import { Button } from '@/components/ui/button';
import { LoadingRegion, Skeleton } from '@/components/ui/skeleton';
import type { Task } from '@/lib/hooks/types';
import { useTask } from '@/lib/hooks/use-tasks';

/**
 * A dialog's last step: the task it started, live (progress, Cancel, VirtualBox's error), and once it
 * succeeded what to do next (`done`). `onEnd` (stable) runs when it ends, to read what it changed again.
 */
export function TaskStep({ taskId, onEnd, onClose, done }: { taskId: string; onEnd?: () => void; onClose: () => void; done?: (t: Task) => ReactNode }) {
  const tr = useTranslations('appliances.taskStep');
  const task = useTask(taskId);
  const t = task.data;
  const status = t?.status;
  const ended = status !== undefined && status !== 'running';
  useEffect(() => {
    if (ended) onEnd?.();
  }, [ended, onEnd]);
  return (
    <div className="space-y-4">
      {t ? (
        <TaskCard task={t} />
      ) : (
        <LoadingRegion label={tr('reading')}>
          <Skeleton className="h-24" />
        </LoadingRegion>
      )}
      {t?.status === 'succeeded' && done?.(t)}
      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <Button variant={ended ? 'default' : 'outline'} onClick={onClose}>
          {ended ? tr('close') : tr('closeGoesOn')}
        </Button>
      </div>
    </div>
  );
}
