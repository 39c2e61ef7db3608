import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { runPreflight, type Preflight } from '@/lib/teleport';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

const Query = z.object({ target: z.string().trim().min(1, 'Give the target host (its id, as /api/v1/hosts lists it)') });

/**
 * GET /api/v1/vms/:id/teleport/preflight?target=HOST_ID → 200 Preflight: each check (machine running,
 * target up, version line, the copy on the target, disks on shared storage, memory, CPUs, bridged
 * networks, a free teleporter port) passed, warning or failed, with what to do. 400 without a target
 * or with the machine's own host; 404 unknown machine.
 */
export const GET = route<{ id: string }, undefined, z.infer<typeof Query>>({ action: 'vm:teleport', query: Query, resource: machineResource }, async ({ params, query }): Promise<Preflight> => {
  const plan = await runPreflight(params.id, query.target);
  return plan.preflight;
});
