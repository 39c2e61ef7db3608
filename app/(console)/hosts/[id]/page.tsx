import type { Metadata } from 'next';
import { HostDetailView } from '@/components/hosts/host-detail-view';
import { requirePageUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Host' };

/** `/hosts/[id]`: one host's status and load history; a host the caller's tenant may not use is 404, as in the API. */
export default async function HostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageUser();
  return <HostDetailView id={id} />;
}
