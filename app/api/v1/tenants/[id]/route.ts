import { route } from '@/lib/api/handler';
import { notFound, ProblemError } from '@/lib/api/problem';
import { deleteTenant, getTenant, tenantPatchSchema, updateTenant, type Tenant } from '@/lib/tenants';

export const dynamic = 'force-dynamic';

type Params = { id: string };
const missing = (id: string) => new ProblemError(notFound(`Tenant ${id}`));

/** GET /api/v1/tenants/:id → Tenant, or 404 (admins). */
export const GET = route<Params>({ action: 'tenant:read' }, async ({ params }): Promise<Tenant> => {
  const t = await getTenant(params.id);
  if (!t) throw missing(params.id);
  return t;
});

/** PATCH /api/v1/tenants/:id { any POST field but name } → 200 Tenant (admins). */
export const PATCH = route({ action: 'tenant:write', body: tenantPatchSchema }, async ({ params, body }): Promise<Tenant> => {
  const t = await updateTenant(params.id, body);
  if (!t) throw missing(params.id);
  return t;
});

/** DELETE /api/v1/tenants/:id → 204 (admins). Its machines keep their nimbox/tenant extradata. */
export const DELETE = route<Params>({ action: 'tenant:write' }, async ({ params }) => {
  if (!(await deleteTenant(params.id))) throw missing(params.id);
  return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
});
