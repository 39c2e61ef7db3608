import type { Metadata } from 'next';
import { Breadcrumb } from '@/components/console/breadcrumb';
import { PageHeader } from '@/components/console/page-header';
import { CreateMachineWizard } from '@/components/vm/create/create-machine-wizard';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'New machine' };

/** `/vms/new`: the create-machine wizard; `?template=<id>` starts it on "New from template" with that template. */
export default async function NewMachinePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { template } = await searchParams;
  const user = await requirePageUser();
  return (
    <>
      <Breadcrumb current="New machine" className="mb-3" />
      <PageHeader title="New machine" description="Create a machine on a host of the cluster, or deploy one from a template, with its disks on the shared storage." />
      <CreateMachineWizard initialTemplate={typeof template === 'string' ? template : undefined} admin={can(user, 'tenant:write')} />
    </>
  );
}
