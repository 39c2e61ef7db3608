import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { FullWindowConsole } from '@/components/console-viewer/full-window-console';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.console') };
}

/** `/vms/[id]/console`: the machine's console filling the window. */
export default async function ConsolePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <FullWindowConsole id={id} />;
}
