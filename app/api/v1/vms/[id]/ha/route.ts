import { route } from '@/lib/api/handler';
import { machineHa, setMachineHa } from '@/lib/ha';
import { haPolicyPatchSchema } from '@/lib/ha/store';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/** GET /api/v1/vms/:id/ha → MachineHa: the machine's HA policy, and whether the caller may change it. */
export const GET = route<{ id: string }>({ action: 'vm:read', resource: machineResource }, async ({ params, user }) => machineHa(user, params.id));

/**
 * PUT /api/v1/vms/:id/ha { mode?, priority?, preferredHostIds?, maxRestarts?, windowMinutes? } → 200 MachineHa.
 * Admins; a tenant's operators on its machines when the tenant allows HA. 400 names the field.
 */
export const PUT = route<{ id: string }, unknown>({ action: 'vm:ha', body: haPolicyPatchSchema, resource: machineResource }, async ({ params, body, user }) => setMachineHa(user, params.id, body));
