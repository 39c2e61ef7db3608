import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { HaView } from '@/components/ha/ha-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.ha') };
}

/** `/ha`: fencing and HA stage of every host, protected machines, alarms and the last HA events; admins confirm and acknowledge. */
export default async function HaPage() {
  const user = await requirePageUser();
  return <HaView canManage={can(user, 'ha:write')} />;
}
