import type { Metadata } from 'next';
import { FullWindowConsole } from '@/components/console-viewer/full-window-console';

export const metadata: Metadata = { title: 'Console' };

/** `/vms/[id]/console`: the machine's console filling the window. */
export default async function ConsolePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <FullWindowConsole id={id} />;
}
