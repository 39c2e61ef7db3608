import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { inventory } from '@/lib/cluster/operations/common';
import { startApply } from '@/lib/networks/apply';
import { getNetwork } from '@/lib/networks/store';

export const dynamic = 'force-dynamic';

/** POST /api/v1/networks/:id/apply → 202 { task } (admins): creates what is missing on its hosts and fixes drift. */
export const POST = route<{ id: string }>({ action: 'network:write' }, async ({ user, params }) => {
  const n = await getNetwork(params.id);
  if (!n) throw new ProblemError(notFound(`Network ${params.id}`));
  const task = await startApply(n.id, user, await inventory());
  return Response.json({ task }, { status: 202, headers: { 'Cache-Control': 'no-store' } });
});
