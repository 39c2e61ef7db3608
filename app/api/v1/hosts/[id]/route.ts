import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { getDb } from '@/lib/db';
import { deleteHost, getHost, hostPatchSchema, updateHost, type HostView } from '@/lib/db/hosts';
import { currentInventory } from '@/lib/cluster/inventory';
import { getCoord } from '@/lib/coord';
import { hostListener } from '@/lib/coord/instances';
import { hostScope, mayUseHost, tenantHost, type TenantHost } from '@/lib/tenants/hosts';

type Params = { id: string };

const missing = (id: string) => new ProblemError(notFound(`Host ${id}`));

/**
 * GET /api/v1/hosts/:id → 200 HostView with `listener` (the instance running its event listener, or null) for
 * admins, or the tenant's view of it (lib/tenants/hosts), or 404 (also a host the caller's tenant may not use).
 */
export const GET = route<Params>({ action: 'host:read' }, async ({ params, user }): Promise<(HostView & { listener: { instance: string } | null }) | TenantHost> => {
  const host = await getHost(await getDb(), params.id);
  const scope = await hostScope(user);
  if (!host || !mayUseHost(scope, host.id)) throw missing(params.id);
  return scope ? tenantHost(host, scope.tenant, currentInventory()) : { ...host, listener: await hostListener(await getCoord(), host.id) };
});

/**
 * PATCH /api/v1/hosts/:id { any HostInput field } → 200 HostView; no password (nor ipmiPassword) keeps the stored one; null resets
 * an optional field; 400 naming the field when the fence kind lacks what it needs (checked against the stored values).
 * sharedFolderRoots: string[] (absolute paths, normalised, no '..') replaces the host's shared-folder roots (lib/settings).
 */
export const PATCH = route({ action: 'host:write', body: hostPatchSchema }, async ({ params, body }): Promise<HostView> => {
  const host = await updateHost(await getDb(), params.id, body);
  if (!host) throw missing(params.id);
  return host;
});

/** DELETE /api/v1/hosts/:id → 204, or 404. The host's machines are not touched. */
export const DELETE = route<Params>({ action: 'host:write' }, async ({ params }) => {
  if (!(await deleteHost(await getDb(), params.id))) throw missing(params.id);
  return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
});
