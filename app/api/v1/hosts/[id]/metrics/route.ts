import { route } from '@/lib/api/handler';
import { hostMetrics } from '@/lib/cluster/metrics';
import type { HostMetrics } from '@/lib/cluster/types';
import { requireUsableHost } from '@/lib/tenants/hosts';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/hosts/:id/metrics → { periodSeconds, samples: [{ at, cpuPercent, ramUsedMB, ramTotalMB }] },
 * oldest first: the host's CPU load and memory over the last 5 minutes. 404 unknown host; 409 when
 * it is not connected.
 */
export const GET = route<{ id: string }>({ action: 'host:read' }, async ({ params, user }): Promise<HostMetrics> => {
  await requireUsableHost(user, params.id);
  return hostMetrics(params.id);
});
