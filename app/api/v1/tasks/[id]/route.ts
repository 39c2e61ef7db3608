import { route } from '@/lib/api/handler';
import { taskResource } from '@/lib/tenants/access';
import { notFound, ProblemError } from '@/lib/api/problem';
import { getTask } from '@/lib/tasks';

export const dynamic = 'force-dynamic';

/** GET /api/v1/tasks/:id → Task (a running task as it is this moment). */
export const GET = route<{ id: string }>({ action: 'task:read', resource: taskResource }, async ({ params }) => {
  const task = await getTask(params.id);
  if (!task) throw new ProblemError(notFound(`Task ${params.id}`));
  return task;
});
