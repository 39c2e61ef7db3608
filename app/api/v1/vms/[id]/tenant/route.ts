import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { machineTenantSchema, setMachineTenant } from '@/lib/cluster/operations';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * PUT /api/v1/vms/:id/tenant { tenant: name | null } → 200 MachineSummary (admins): writes the machine's extradata
 * nimbox/tenant on every host it is registered on, at once (no task: one call per copy). 400 unknown tenant; 404.
 */
export const PUT = route<{ id: string }, z.infer<typeof machineTenantSchema>>(
  { action: 'tenant:write', body: machineTenantSchema, resource: machineResource, audit: 'vm:tenant' },
  async ({ params, body }) => setMachineTenant(params.id, body.tenant),
);
