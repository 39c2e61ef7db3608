import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { WebhooksView } from '@/components/webhooks/webhooks-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Webhooks' };

/** `/webhooks` (admins): URLs Nimbox POSTs events to, their tests, secrets and deliveries. */
export default async function WebhooksPage() {
  const user = await requirePageUser();
  if (!can(user, 'webhook:write')) notFound();
  return <WebhooksView />;
}
