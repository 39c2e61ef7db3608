import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';
import { TenantsView } from '@/components/tenants/tenants-view';
import { can } from '@/lib/auth/policy';
import { LOCAL_REALM, realmChoices, realms } from '@/lib/auth/realms';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.tenants') };
}

/** `/tenants` (admins): tenants with quotas and usage; add, edit and delete them. */
export default async function TenantsPage() {
  const user = await requirePageUser();
  if (!can(user, 'tenant:write')) notFound();
  // Tenant members sign in with external realms; local accounts are the operators' own.
  return <TenantsView realms={realmChoices(realms().filter((r) => r.name !== LOCAL_REALM))} />;
}
