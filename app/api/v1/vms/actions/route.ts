import { z } from 'zod';
import { route, toProblem } from '@/lib/api/handler';
import { can, hidden } from '@/lib/auth/policy';
import { getInventory } from '@/lib/cluster/inventory';
import { notFound, ProblemError, forbidden } from '@/lib/api/problem';
import { machineResource } from '@/lib/tenants/access';
import type { Task } from '@/lib/tasks';
import { POWER_ACTIONS, startPowerAction } from '@/lib/tasks/power';

export const dynamic = 'force-dynamic';

const Body = z.object({
  action: z.enum(POWER_ACTIONS),
  ids: z.array(z.string().min(1).max(200)).min(1).max(100),
}).strict();

interface BulkError {
  id: string;
  name?: string;
  title: string;
  detail: string;
  status: number;
  resultCode?: string;
  /** The task that holds the machine, for a 409 Busy. */
  taskId?: string;
}

/**
 * POST /api/v1/vms/actions `{ action, ids: [1–100 machine UUIDs] }` → 202 `{ tasks: Task[], errors: [{ id,
 * name?, title, detail, status, resultCode?, taskId? }] }`: one task per machine that accepted, one error
 * per machine refused up front (the same checks and problems as POST /api/v1/vms/:id/actions; another tenant's
 * machine is a 404 there). The route-level check is the caller's right to power machines of their own tenant.
 */
export const POST = route<Record<string, string>, z.infer<typeof Body>>({ action: 'vm:power', body: Body, resource: async ({ user }) => ({ tenant: user.tenant ?? null, allowTeleport: false }) }, async ({ body, user }) => {
  const inventory = getInventory();
  const tasks: Task[] = [];
  const errors: BulkError[] = [];
  for (const id of [...new Set(body.ids)]) {
    try {
      // The policy per machine: another tenant's machine is reported as not found.
      const resource = await machineResource({ params: { id } });
      if (!can(user, 'vm:power', resource)) throw new ProblemError(hidden(user, resource) ? notFound(`Machine ${id}`) : forbidden());
      tasks.push(await startPowerAction(id, body.action, { id: user.id, username: user.username }, inventory));
    } catch (e) {
      const p = toProblem(e);
      errors.push({
        id, name: p.status === 404 ? undefined : inventory.machine(id)?.name, title: p.title, detail: p.detail ?? p.title, status: p.status,
        ...(p.resultCode ? { resultCode: p.resultCode } : {}), ...(typeof p.taskId === 'string' ? { taskId: p.taskId } : {}),
      });
    }
  }
  return Response.json({ tasks, errors }, { status: 202, headers: { 'Cache-Control': 'no-store' } });
});
