import { useTranslations } from 'next-intl';
import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { PageHeader } from '@/components/console/page-header';
import { TasksView } from '@/components/tasks/tasks-view';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.tasks') };
}

/** `/tasks`: the history of long operations (start, stop, create, snapshot, …), updated live. */
export default function TasksPage() {
  const t = useTranslations('pages');
  return (
    <>
      <PageHeader title={t('titles.tasks')} description={t('tasks.description')} />
      <TasksView />
    </>
  );
}
