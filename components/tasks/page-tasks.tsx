'use client';

import { useEffect } from 'react';
import { TaskCard } from '@/components/tasks/task-card';
import { useTask } from '@/lib/hooks/use-tasks';

/** One task, live (events and a slow re-read); `onEnd` reads what it changed again once it ends. */
function PageTaskItem({ id, onDismiss, onEnd }: { id: string; onDismiss: (id: string) => void; onEnd: () => void }) {
  const task = useTask(id);
  const status = task.data?.status;
  useEffect(() => {
    if (status && status !== 'running') onEnd();
  }, [status, onEnd]);
  if (!task.data) return null;
  return <TaskCard task={task.data} showTarget={false} onDismiss={onDismiss} />;
}

/** The tasks started from a page (media, networks), newest first, as cards. */
export function PageTasks({ ids, label, onDismiss, onEnd }: { ids: string[]; label: string; onDismiss: (id: string) => void; onEnd: () => void }) {
  if (ids.length === 0) return null;
  return (
    <section aria-label={label} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
      {ids.map((id) => (
        <PageTaskItem key={id} id={id} onDismiss={onDismiss} onEnd={onEnd} />
      ))}
    </section>
  );
}
