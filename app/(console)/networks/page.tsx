import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { NetworksView } from '@/components/networks/networks-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.networks') };
}

/** `/networks`: the cluster networks; admins define them and see their state on every host, tenants the ones they may use. */
export default async function NetworksPage() {
  const user = await requirePageUser();
  return <NetworksView canManage={can(user, 'network:write')} />;
}
