import type { Metadata } from 'next';
import { Breadcrumb } from '@/components/console/breadcrumb';
import { PageHeader } from '@/components/console/page-header';
import { CreateMachineWizard } from '@/components/vm/create/create-machine-wizard';

export const metadata: Metadata = { title: 'New machine' };

/** `/vms/new`: the create-machine wizard. */
export default function NewMachinePage() {
  return (
    <>
      <Breadcrumb current="New machine" className="mb-3" />
      <PageHeader title="New machine" description="Create a machine on a host of the cluster, with its disk on the shared storage." />
      <CreateMachineWizard />
    </>
  );
}
