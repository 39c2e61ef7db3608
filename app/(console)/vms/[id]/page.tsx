import type { Metadata } from 'next';
import { MachineConsole } from '@/components/console-viewer/machine-console';
import { MachineDetailView } from '@/components/vm/machine-detail-view';
import { can } from '@/lib/auth/policy';
import { requirePageUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Machine' };

/** `/vms/[id]`: one machine, read live from its host (read-only for now). */
export default async function MachinePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser();
  return (
    <>
      <MachineDetailView id={id} canSetTenant={can(user, 'tenant:write')} canManageHa={can(user, 'ha:write')} canEditStorage={can(user, 'vm:edit')} />
      <MachineConsole id={id} />
    </>
  );
}
