import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { machineResource } from '@/lib/tenants/access';
import { POWER_ACTIONS, startPowerAction } from '@/lib/tasks/power';

export const dynamic = 'force-dynamic';

const Body = z.object({ action: z.enum(POWER_ACTIONS) }).strict();

/**
 * POST /api/v1/vms/:id/actions `{ action }` → 202 with the Task (Location: /api/v1/tasks/:id); the
 * outcome arrives through the task. 400 bad body; 404 unknown machine; 409 Busy (another task holds
 * the machine, named in the detail) or a state that does not allow the action (resultCode
 * VBOX_E_INVALID_VM_STATE); 503 when the machine's host does not answer.
 */
export const POST = route<{ id: string }, z.infer<typeof Body>>({ action: 'vm:power', body: Body, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startPowerAction(params.id, body.action, { id: user.id, username: user.username })));
