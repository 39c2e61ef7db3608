import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { Suspense } from 'react';
import { ClusterView } from '@/components/cluster/cluster-view';
import { PageHeader } from '@/components/console/page-header';
import { buttonClass } from '@/components/ui/button';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';
import ConsoleLoading from './loading';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.cluster') };
}

/** `/`: every host and every machine of the cluster, live. */
export default async function ClusterPage() {
  const user = await requirePageUser();
  const t = await getTranslations('pages');
  return (
    <>
      <PageHeader
        title={t('titles.cluster')}
        description={t('cluster.description')}
        actions={
          <Link href="/vms/new" className={buttonClass()}>
            {t('cluster.newMachine')}
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
