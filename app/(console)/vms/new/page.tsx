import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Breadcrumb } from '@/components/console/breadcrumb';
import { PageHeader } from '@/components/console/page-header';
import { CreateMachineWizard } from '@/components/vm/create/create-machine-wizard';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.newMachine') };
}

/** `/vms/new`: the create-machine wizard; `?template=<id>` starts it on "New from template" with that template. */
export default async function NewMachinePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { template } = await searchParams;
  const user = await requirePageUser();
  const t = await getTranslations('pages');
  return (
    <>
      <Breadcrumb current={t('titles.newMachine')} className="mb-3" />
      <PageHeader title={t('titles.newMachine')} description={t('newMachine.description')} />
      <CreateMachineWizard initialTemplate={typeof template === 'string' ? template : undefined} admin={can(user, 'tenant:write')} />
    </>
  );
}
