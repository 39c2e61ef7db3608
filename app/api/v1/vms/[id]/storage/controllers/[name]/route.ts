import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted, editControllerSchema, startEditController, startRemoveController } from '@/lib/cluster/operations';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

type Params = { id: string; name: string };

/** PATCH /api/v1/vms/:id/storage/controllers/:name { portCount?, controllerType?, useHostIOCache?, bootable? } → 202 Task vm.storage. */
export const PATCH = route<Params, z.output<typeof editControllerSchema>>({ action: 'vm:edit', body: editControllerSchema, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startEditController(params.id, params.name, body, user)));

/** DELETE /api/v1/vms/:id/storage/controllers/:name → 202 Task vm.storage (what is attached to it is detached; the media stay). */
export const DELETE = route<Params>({ action: 'vm:edit', resource: machineResource }, async ({ params, user }) =>
  accepted(await startRemoveController(params.id, params.name, user)));
