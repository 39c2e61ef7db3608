import type { Metadata } from 'next';
import { EmbeddedConsole } from '@/components/console-viewer/embedded-console';

export const metadata: Metadata = { title: 'Console' };

/** `/embed/console/[id]`: a machine's console alone, for an iframe; `?viewOnly=1` starts it view-only. */
export default async function EmbedConsolePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const viewOnly = query.viewOnly === '1' || query.viewOnly === 'true';
  return <EmbeddedConsole id={id} viewOnly={viewOnly} />;
}
