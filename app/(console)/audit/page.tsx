import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AuditView } from '@/components/audit/audit-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Audit' };

/** `/audit` (admins): the audit log, filtered, and its CSV export. */
export default async function AuditPage() {
  const user = await requirePageUser();
  if (!can(user, 'audit:read')) notFound();
  return <AuditView />;
}
