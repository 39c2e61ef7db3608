import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { MediaView } from '@/components/media/media-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('media');
  return { title: t('title') };
}

/** `/media`: every disk and image on every host; operators and admins create, change and upload them. */
export default async function MediaPage() {
  const user = await requirePageUser();
  return <MediaView canManage={can(user, 'media:write')} isAdmin={user.role === 'admin'} tenant={user.tenant ?? null} />;
}
