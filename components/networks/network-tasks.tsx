'use client';

import { useEffect } from 'react';
import { TaskCard } from '@/components/tasks/task-card';
import { useRefreshNetworks } from '@/lib/hooks/use-networks';
import { useTask } from '@/lib/hooks/use-tasks';

/** One network task, live; the networks are read again once it ends (their state on the hosts changed). */
function NetworkTaskItem({ id, onDismiss }: { id: string; onDismiss: (id: string) => void }) {
  const task = useTask(id);
  const refresh = useRefreshNetworks();
  const status = task.data?.status;
  useEffect(() => {
    if (status && status !== 'running') refresh();
  }, [status, refresh]);
  if (!task.data) return null;
  return <TaskCard task={task.data} showTarget={false} onDismiss={onDismiss} />;
}

/** The tasks started from this page (create, edit, create missing, delete), newest first. */
export function NetworkTasks({ ids, onDismiss }: { ids: string[]; onDismiss: (id: string) => void }) {
  if (ids.length === 0) return null;
  return (
    <section aria-label="Network tasks" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
      {ids.map((id) => (
        <NetworkTaskItem key={id} id={id} onDismiss={onDismiss} />
      ))}
    </section>
  );
}
