'use client';

import { useEffect } from 'react';
import { TaskCard } from '@/components/tasks/task-card';
import { useRefreshMedia } from '@/lib/hooks/use-media';
import { useTask } from '@/lib/hooks/use-tasks';

/** One media task, live (events and a slow re-read); the media list is read again once it ends. */
function MediaTaskItem({ id, onDismiss }: { id: string; onDismiss: (id: string) => void }) {
  const task = useTask(id);
  const refresh = useRefreshMedia();
  const status = task.data?.status;
  useEffect(() => {
    if (status && status !== 'running') refresh();
  }, [status, refresh]);
  if (!task.data) return null;
  return <TaskCard task={task.data} showTarget={false} onDismiss={onDismiss} />;
}

/** The tasks started from this page (create, resize, copy, compact, change type, delete), newest first. */
export function MediaTasks({ ids, onDismiss }: { ids: string[]; onDismiss: (id: string) => void }) {
  if (ids.length === 0) return null;
  return (
    <section aria-label="Media tasks" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
      {ids.map((id) => (
        <MediaTaskItem key={id} id={id} onDismiss={onDismiss} />
      ))}
    </section>
  );
}
