import { route } from '@/lib/api/handler';
import { HistoryQuery, historyOf } from '@/lib/metrics/history/route-helpers';
import type { History } from '@/lib/metrics/history';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/vms/:id/history?range=hour|day|week|90d → { range, stepSeconds, from, to, points }: the
 * machine's CPU, memory and network over the range, as Nimbox sampled them (lib/metrics/history).
 * 404 unknown (or another tenant's); 400 for another range.
 */
export const GET = route<{ id: string }, undefined, { range: History['range'] }>(
  { action: 'vm:read', resource: machineResource, query: HistoryQuery },
  async ({ params, query }): Promise<History> => historyOf('vm', params.id, query.range),
);
