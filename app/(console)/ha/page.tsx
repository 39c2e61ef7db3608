import type { Metadata } from 'next';
import { HaView } from '@/components/ha/ha-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'High availability' };

/** `/ha`: fencing and HA stage of every host, protected machines, alarms and the last HA events; admins confirm and acknowledge. */
export default async function HaPage() {
  const user = await requirePageUser();
  return <HaView canManage={can(user, 'ha:write')} />;
}
