import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { seesTask } from '@/lib/tenants/access';
import { listTasks, TASK_STATUSES, type TaskStatus } from '@/lib/tasks';

export const dynamic = 'force-dynamic';

const Query = z.object({
  status: z.enum(TASK_STATUSES as [TaskStatus, ...TaskStatus[]]).optional(),
  targetId: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  /** A task id (the last of the previous page) or an ISO time: tasks created before it. */
  before: z.string().min(1).max(200).optional(),
}).strict();

/**
 * GET /api/v1/tasks?status=&targetId=&limit=&before= → { tasks: Task[] }, newest first (default 50, at most 500).
 * A tenant's users get only the tasks on their tenant's machines and those they started (the page is filtered
 * after `limit`, so it may hold fewer; page on with `before` = the last id returned).
 */
export const GET = route({ action: 'task:read', query: Query }, async ({ query, user }) => ({ tasks: (await listTasks(query)).filter((t) => seesTask(user, t)) }));
