import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { MachineConsole } from '@/components/console-viewer/machine-console';
import { MachineDetailView } from '@/components/vm/machine-detail-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('pages'))('titles.machine') };
}

/** `/vms/[id]`: one machine, read live from its host (read-only for now). */
export default async function MachinePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser();
  // The page only shows a machine the caller may see (another tenant's is 404), so a tenant's operator edits
  // their own tenant's machines; every write route checks the machine's tenant again.
  return (
    <>
      <MachineDetailView id={id} canSetTenant={can(user, 'tenant:write')} canManageHa={can(user, 'ha:write')} canEdit={can(user, 'vm:edit', { tenant: user.tenant ?? null })} />
      <MachineConsole id={id} />
    </>
  );
}
