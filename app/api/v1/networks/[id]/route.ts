import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { inventory } from '@/lib/cluster/operations/common';
import { requireUsableNetwork } from '@/lib/networks/access';
import { startApply, startDelete, type Leftover } from '@/lib/networks/apply';
import { getNetwork, madeOn, networkPatchSchema, updateNetwork } from '@/lib/networks/store';
import { networkLeases, networkUses } from '@/lib/networks/usage';
import { adminRow, isAdmin, tenantRow } from '../view';

export const dynamic = 'force-dynamic';

type Params = { id: string };

async function existing(id: string) {
  const n = await getNetwork(id);
  if (!n) throw new ProblemError(notFound(`Network ${id}`));
  return n;
}

/**
 * GET /api/v1/networks/:id (id or name) → admins: NetworkRow & { leases } (the DHCP leases of the machines'
 * adapters on it); a tenant's users: { id, name, description, kind } of a network their tenant may use, else 404.
 */
export const GET = route<Params>({ action: 'network:read' }, async ({ user, params }) => {
  const n = await requireUsableNetwork(user, params.id);
  if (!isAdmin(user)) return tenantRow(n);
  const inv = await inventory();
  const uses = (await networkUses(new Set([n.name]), inv)).get(n.name) ?? [];
  return { ...(await adminRow(n, uses, inv)), leases: await networkLeases(n, uses, inv) };
});

/**
 * PATCH /api/v1/networks/:id NetworkPatch (not name, kind) → 202 { network, task } (admins): stored, then applied
 * again; on hosts it no longer maps, what Nimbox made for it is removed.
 */
export const PATCH = route({ action: 'network:write', body: networkPatchSchema }, async ({ user, params, body }) => {
  const cur = await existing((params as Params).id);
  // Hosts the patch unmaps: what Nimbox made there is removed by the apply task (the mapping row, which remembers it, goes now).
  const leftovers: Leftover[] = [];
  if (body.hosts) {
    for (const h of cur.hosts) {
      if (body.hosts.some((x) => x.hostId === h.hostId)) continue;
      const made = [...(await madeOn(cur.id, h.hostId))];
      if (made.length) leftovers.push({ hostId: h.hostId, name: h.name, made });
    }
  }
  const network = await updateNetwork(cur.id, body);
  const task = await startApply(network.id, user, await inventory(), leftovers);
  return Response.json({ network, task }, { status: 202, headers: { 'Cache-Control': 'no-store' } });
});

/**
 * DELETE /api/v1/networks/:id → 202 { task } (admins): `network.delete` removes what Nimbox made for it on
 * its hosts, then the network. 409 naming the machines while any adapter is on it.
 */
export const DELETE = route<Params>({ action: 'network:write' }, async ({ user, params }) => {
  const n = await existing(params.id);
  const inv = await inventory();
  const uses = (await networkUses(new Set([n.name]), inv)).get(n.name) ?? [];
  if (uses.length) {
    const names = [...new Set(uses.map((u) => u.machineName))];
    throw new ProblemError({
      title: 'Network in use', status: 409,
      detail: `${n.name} is used by ${names.join(', ')}: attach their adapters elsewhere first.`,
      machines: uses.map(({ machineId, machineName, slot }) => ({ machineId, machineName, slot })),
    });
  }
  const task = await startDelete(n.id, user, inv);
  return Response.json({ task }, { status: 202, headers: { 'Cache-Control': 'no-store' } });
});
