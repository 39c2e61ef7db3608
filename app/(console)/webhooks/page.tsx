import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';
import { WebhooksView } from '@/components/webhooks/webhooks-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.webhooks') };
}

/** `/webhooks` (admins): URLs Nimbox POSTs events to, their tests, secrets and deliveries. */
export default async function WebhooksPage() {
  const user = await requirePageUser();
  if (!can(user, 'webhook:write')) notFound();
  return <WebhooksView />;
}
