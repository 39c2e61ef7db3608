import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { HostsView } from '@/components/hosts/hosts-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.hosts') };
}

/** `/hosts`: the registered hosts; admins add, edit, test and remove them. */
export default async function HostsPage() {
  const user = await requirePageUser();
  return <HostsView canManage={can(user, 'host:write')} />;
}
