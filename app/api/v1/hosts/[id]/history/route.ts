import { route } from '@/lib/api/handler';
import { HistoryQuery, historyOf } from '@/lib/metrics/history/route-helpers';
import type { History } from '@/lib/metrics/history';
import { requireUsableHost } from '@/lib/tenants/hosts';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/hosts/:id/history?range=hour|day|week|90d → { range, stepSeconds, from, to, points }: the
 * host's CPU, memory, network and disk load over the range (lib/metrics/history). 404 unknown host
 * (or one the caller's tenant may not use); 400 for another range.
 */
export const GET = route<{ id: string }, undefined, { range: History['range'] }>({ action: 'host:read', query: HistoryQuery }, async ({ params, query, user }): Promise<History> => {
  await requireUsableHost(user, params.id);
  return historyOf('host', params.id, query.range);
});
