import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/console/page-header';
import { CreateMachineWizard } from '@/components/vm/create/create-machine-wizard';

export const metadata: Metadata = { title: 'New machine' };

/** `/vms/new`: the create-machine wizard. */
export default function NewMachinePage() {
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-3">
        <ol className="flex items-center gap-1.5 text-sm text-slate-500 dark:text-slate-400">
          <li>
            <Link href="/" className="hover:text-slate-900 hover:underline dark:hover:text-slate-100">
              Cluster
            </Link>
          </li>
          <li aria-hidden="true">/</li>
          <li aria-current="page" className="text-slate-700 dark:text-slate-300">
            New machine
          </li>
        </ol>
      </nav>
      <PageHeader title="New machine" description="Create a machine on a host of the cluster, with its disk on the shared storage." />
      <CreateMachineWizard />
    </>
  );
}
