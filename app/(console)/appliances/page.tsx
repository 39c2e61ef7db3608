import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { AppliancesView } from '@/components/appliances/appliances-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('appliances');
  return { title: t('title') };
}

/** `/appliances`: OVF/OVA appliances on the storage; operators and admins import, export and upload them. */
export default async function AppliancesPage() {
  const user = await requirePageUser();
  return <AppliancesView canImport={can(user, 'vm:create')} canExport={can(user, 'media:write')} isAdmin={user.role === 'admin'} />;
}
