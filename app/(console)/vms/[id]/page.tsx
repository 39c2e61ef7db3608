import type { Metadata } from 'next';
import { MachineConsole } from '@/components/console-viewer/machine-console';
import { MachineDetailView } from '@/components/vm/machine-detail-view';

export const metadata: Metadata = { title: 'Machine' };

/** `/vms/[id]`: one machine, read live from its host (read-only for now). */
export default async function MachinePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <MachineDetailView id={id} />
      <MachineConsole id={id} />
    </>
  );
}
