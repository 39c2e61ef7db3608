import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';
import { UsageView } from '@/components/usage/usage-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('usage');
  return { title: t('title') };
}

/** `/usage`: usage accounting; admins see every tenant (or one), a tenant's users their own tenant. */
export default async function UsagePage() {
  const user = await requirePageUser();
  if (!can(user, 'usage:read')) notFound();
  return <UsageView isAdmin={user.role === 'admin'} />;
}
