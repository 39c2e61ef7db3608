import { route } from '@/lib/api/handler';
import { createTenant, listTenants, tenantInputSchema, type Tenant } from '@/lib/tenants';

export const dynamic = 'force-dynamic';

/** GET /api/v1/tenants → { tenants: Tenant[] } sorted by name (admins). */
export const GET = route({ action: 'tenant:read' }, async (): Promise<{ tenants: Tenant[] }> => ({ tenants: await listTenants() }));

/**
 * POST /api/v1/tenants { name (slug), displayName?, maxMachines?, maxVcpus?, maxMemoryMB?, maxDiskGB? (null = unlimited),
 * allowedHostIds? ([] = all), realms?, allowTeleport?, allowHa?, allowedNetworkIds? (cluster network ids; [] = none;
 * an unknown id is a 400 on allowedNetworkIds) } → 201 Tenant (admins); 409 when the name is taken.
 */
export const POST = route({ action: 'tenant:write', body: tenantInputSchema }, async ({ body }) => {
  const t = await createTenant(body);
  return Response.json(t, { status: 201, headers: { Location: `/api/v1/tenants/${t.id}`, 'Cache-Control': 'no-store' } });
});
