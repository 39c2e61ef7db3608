import type { Resource, User } from '@/lib/auth/policy';
import { sees } from '@/lib/auth/policy';
import { getInventory } from '@/lib/cluster/inventory';
import type { MachineSummary } from '@/lib/cluster/types';
import { getTask } from '@/lib/tasks';
import type { Task } from '@/lib/tasks/types';
import { getTenantByName } from './index';

/**
 * The attributes lib/auth/policy needs about a target (route()'s `resource` option):
 * the tenant of a machine (its extradata nimbox/tenant, from the live inventory) and
 * whether that tenant allows teleport and HA policies. Deciding stays in lib/auth; this only looks up.
 */

/** Resource of the machine `params.id` (an unknown machine has no tenant: only admins get past, to a 404). */
export async function machineResource({ params }: { params: { id: string } }): Promise<Resource> {
  const inventory = getInventory();
  await inventory.start();
  return resourceOfTenant(inventory.machine(params.id)?.tenant ?? null);
}

async function resourceOfTenant(tenant: string | null): Promise<Resource> {
  if (!tenant) return { tenant: null, allowTeleport: false, allowHa: false };
  const t = await getTenantByName(tenant);
  return { tenant, allowTeleport: t?.allowTeleport ?? false, allowHa: t?.allowHa ?? false };
}

/** The tenant a task belongs to: that of the machine it targets (as the inventory knows it now), or of the medium's folder. */
function taskTenant(task: Pick<Task, 'targetType' | 'targetId' | 'targetTenant'>): string | null {
  if (task.targetType === 'medium') return task.targetTenant ?? null;
  if (task.targetType !== 'vm' || !task.targetId) return null;
  return getInventory().machine(task.targetId)?.tenant ?? null;
}

/** Whether a task shows to the caller (lib/auth/policy sees): its machine's tenant, or the caller started it. */
export function seesTask(user: User, task: Task): boolean {
  return sees(user, taskTenant(task), task.userId);
}

/** Whether a machine row shows to the caller. */
export const seesMachine = (user: User, m: Pick<MachineSummary, 'tenant'>): boolean => sees(user, m.tenant);

/** A task's Resource, carrying the task it read so that the handler need not read it again. */
export interface TaskResource extends Resource {
  task?: Task;
}

/** Resource of the task `params.id`: its machine's tenant, or the caller's when the caller started it. */
export async function taskResource({ params, user }: { params: { id: string }; user: User }): Promise<TaskResource> {
  const task = await getTask(params.id);
  if (!task) return { tenant: null };
  const tenant = taskTenant(task);
  return { tenant: tenant ?? (task.userId === user.id ? (user.tenant ?? null) : null), task };
}
