import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { taskResource } from '@/lib/tenants/access';
import { cancelTask } from '@/lib/tasks';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/tasks/:id/cancel → 202 with the task (it ends `canceled` once VirtualBox has stopped);
 * 404 unknown task; 409 problem when it has ended or VirtualBox does not allow canceling its operation now.
 */
export const POST = route<{ id: string }>({ action: 'task:cancel', resource: taskResource }, async ({ params, user }) =>
  accepted(await cancelTask(params.id, { id: user.id, username: user.username })));
