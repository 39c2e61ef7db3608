import { route } from '@/lib/api/handler';
import { machineMetrics } from '@/lib/cluster/metrics';
import type { MachineMetrics } from '@/lib/cluster/types';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/vms/:id/metrics → { periodSeconds, samples: [{ at, cpuPercent, ramUsedMB }] }, oldest
 * first: the running machine's CPU load and memory over the last 5 minutes, as VirtualBox sampled
 * them. 404 unknown (or another tenant's); 409 when the machine is not running.
 */
export const GET = route<{ id: string }>({ action: 'vm:read', resource: machineResource }, async ({ params }): Promise<MachineMetrics> =>
  machineMetrics(params.id));
