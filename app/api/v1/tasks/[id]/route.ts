import { route } from '@/lib/api/handler';
import { taskSchema } from '@/lib/api/response-schemas';
import { taskResource, type TaskResource } from '@/lib/tenants/access';
import { notFound, ProblemError } from '@/lib/api/problem';

export const dynamic = 'force-dynamic';

/** GET /api/v1/tasks/:id → Task (a running task as it is this moment). */
export const GET = route<{ id: string }, undefined, undefined, TaskResource>({ action: 'task:read', resource: taskResource, response: taskSchema }, async ({ params, resource }) => {
  // taskResource has read the task (as it was when the policy was asked).
  if (!resource?.task) throw new ProblemError(notFound(`Task ${params.id}`));
  return resource.task;
});
