import type { Metadata } from 'next';
import { HostsView } from '@/components/hosts/hosts-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Hosts' };

/** `/hosts`: the registered hosts; admins add, edit, test and remove them. */
export default async function HostsPage() {
  const user = await requirePageUser();
  return <HostsView canManage={can(user, 'host:write')} />;
}
