import { route } from '@/lib/api/handler';
import { getDb } from '@/lib/db';
import { createHost, hostInputSchema, listHosts, type HostView } from '@/lib/db/hosts';
import { currentInventory } from '@/lib/cluster/inventory';
import type { HostStatus } from '@/lib/cluster/types';
import { getCoord } from '@/lib/coord';
import { hostListener } from '@/lib/coord/instances';
import { hostScope, mayUseHost, tenantHost, type TenantHost } from '@/lib/tenants/hosts';

/**
 * GET /api/v1/hosts → 200 { hosts }: sorted by name, never a password. Admins get each HostView with the live
 * inventory's status and `listener` (the instance running its event listener, or null); a tenant's users only
 * the hosts their tenant may use, as lib/tenants/hosts shows them (name, health, capacity, maintenance, their
 * own machines' counts; never an instance).
 */
export const GET = route({ action: 'host:read' }, async ({ user }): Promise<{ hosts: (HostView & { status: HostStatus | null; listener: { instance: string } | null })[] | TenantHost[] }> => {
  const inventory = currentInventory();
  const hosts = await listHosts(await getDb());
  const scope = await hostScope(user);
  if (scope) return { hosts: hosts.filter((h) => mayUseHost(scope, h.id)).map((h) => tenantHost(h, scope.tenant, inventory)) };
  const coord = await getCoord();
  const listeners = await Promise.all(hosts.map((h) => hostListener(coord, h.id)));
  return { hosts: hosts.map((h, i) => ({ ...h, status: inventory?.host(h.id) ?? null, listener: listeners[i] })) };
});

/**
 * POST /api/v1/hosts { name, url, username, password, consoleAddress?, teleportAddress?, storagePath?, localStoragePath?, vrdePorts?, bridgeAdapter?,
 * maintenance?, teleportPorts?, maxConnections?, fenceKind?, ipmiAddress?, ipmiPort?, ipmiUsername?, ipmiPassword?, fenceCommand?,
 * haGraceSeconds? } → 201 HostView (its `fencing` never carries the BMC password).
 */
export const POST = route({ action: 'host:write', body: hostInputSchema }, async ({ body }) => {
  const host = await createHost(await getDb(), body);
  return Response.json(host, {
    status: 201,
    headers: { Location: `/api/v1/hosts/${encodeURIComponent(host.id)}`, 'Cache-Control': 'no-store' },
  });
});
