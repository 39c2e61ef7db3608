import type { Metadata } from 'next';
import { PageHeader } from '@/components/console/page-header';
import { TasksView } from '@/components/tasks/tasks-view';

export const metadata: Metadata = { title: 'Tasks' };

/** `/tasks`: the history of long operations (start, stop, create, snapshot, …), updated live. */
export default function TasksPage() {
  return (
    <>
      <PageHeader title="Tasks" description="Every long operation on the cluster: who ran it, how it went, how long it took." />
      <TasksView />
    </>
  );
}
