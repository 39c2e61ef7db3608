import { route } from '@/lib/api/handler';
import { inventory } from '@/lib/cluster/operations/common';
import { allowedNetworkIdsFor } from '@/lib/networks/access';
import { startApply } from '@/lib/networks/apply';
import { createNetwork, listNetworks, networkInputSchema } from '@/lib/networks/store';
import { networkUses } from '@/lib/networks/usage';
import { adminRow, isAdmin, tenantRow } from './view';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/networks → { items }: admins get every network with its status on each mapped host and the
 * machines on it (NetworkRow); a tenant's users only the networks their tenant may use, as { id, name, description, kind }.
 */
export const GET = route({ action: 'network:read' }, async ({ user }) => {
  const all = await listNetworks();
  if (!isAdmin(user)) {
    const allowed = await allowedNetworkIdsFor(user);
    return { items: all.filter((n) => allowed?.has(n.id)).map(tenantRow) };
  }
  const inv = await inventory();
  const uses = await networkUses(new Set(all.map((n) => n.name)), inv);
  return { items: await Promise.all(all.map((n) => adminRow(n, uses.get(n.name) ?? [], inv))) };
});

/** POST /api/v1/networks NetworkInput → 202 { network, task } (admins): stores it, then `network.apply` creates it on its hosts. */
export const POST = route({ action: 'network:write', body: networkInputSchema }, async ({ user, body }) => {
  const network = await createNetwork(body);
  const task = await startApply(network.id, user, await inventory());
  return Response.json({ network, task }, { status: 202, headers: { Location: `/api/v1/networks/${network.id}`, 'Cache-Control': 'no-store' } });
});
