import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { ClusterView } from '@/components/cluster/cluster-view';
import { PageHeader } from '@/components/console/page-header';
import { buttonClass } from '@/components/ui/button';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';
import ConsoleLoading from './loading';

export const metadata: Metadata = { title: 'Cluster' };

/** `/`: every host and every machine of the cluster, live. */
export default async function ClusterPage() {
  const user = await requirePageUser();
  return (
    <>
      <PageHeader
        title="Cluster"
        description="Every machine on every host, updated live."
        actions={
          <Link href="/vms/new" className={buttonClass()}>
            New machine
          </Link>
        }
      />
      {/* The machine table reads its query from the URL (useSearchParams). */}
      <Suspense fallback={<ConsoleLoading />}>
        <ClusterView canManage={can(user, 'ha:write')} canEdit={can(user, 'vm:edit', { tenant: user.tenant ?? null })} />
      </Suspense>
    </>
  );
}
