import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { machineDetail } from '@/lib/cluster/details';
import { getInventory } from '@/lib/cluster/inventory';

/** GET /api/v1/vms/:id (the machine's UUID) → MachineDetail, read live from its host. */
export const GET = route<{ id: string }>({ action: 'vm:read' }, async ({ params }) => {
  const inventory = getInventory();
  await inventory.start();
  const detail = await machineDetail(inventory, params.id);
  if (!detail) throw new ProblemError(notFound(`Machine ${params.id}`));
  return detail;
});
