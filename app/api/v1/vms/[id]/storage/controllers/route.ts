import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted, addControllerSchema, startAddController } from '@/lib/cluster/operations';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/** POST /api/v1/vms/:id/storage/controllers { name, bus, controllerType?, portCount? } → 202 Task vm.storage (powered off only, on every copy). */
export const POST = route<{ id: string }, z.output<typeof addControllerSchema>>({ action: 'vm:edit', body: addControllerSchema, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startAddController(params.id, body, user)));
