import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';
import { AuditView } from '@/components/audit/audit-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('audit');
  return { title: t('title') };
}

/** `/audit` (admins): the audit log, filtered, and its CSV export. */
export default async function AuditPage() {
  const user = await requirePageUser();
  if (!can(user, 'audit:read')) notFound();
  return <AuditView />;
}
