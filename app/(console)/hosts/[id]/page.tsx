import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { HostDetailView } from '@/components/hosts/host-detail-view';
import { requirePageUser } from '@/lib/auth/session';
import { getCoord } from '@/lib/coord';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.host') };
}

/**
 * `/hosts/[id]`: one host's status and load history; a host the caller's tenant may not use is 404, as in the API.
 * On a shared database (several instances), admins also see which instance runs the host's event listener.
 */
export default async function HostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageUser();
  return <HostDetailView id={id} shared={(await getCoord()).shared} />;
}
