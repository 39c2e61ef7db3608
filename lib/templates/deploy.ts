import type { z } from 'zod';
import type { User } from '@/lib/auth/policy';
import { cloneSchema, planClone, startClone } from '@/lib/cluster/operations/clone';
import type { Task } from '@/lib/tasks';
import { usableTemplate } from './index';

/** Body of POST /api/v1/templates/:id/deploy: a clone's, always of the template's current state. */
export const deploySchema = cloneSchema.omit({ snapshotId: true });
export type DeployInput = z.input<typeof deploySchema>;

/**
 * Deploys a new machine from template `id` (task vm.clone): 404 unless the caller may use the template
 * (lib/templates); the new machine is the caller's tenant's (admins: the tenant named, else none), under
 * that tenant's quotas, hosts and networks — the clone's own checks (lib/cluster/operations/clone).
 */
export async function startDeploy(id: string, input: DeployInput, user: User): Promise<Task> {
  await usableTemplate(user, id);
  const tenant = input.tenant !== undefined ? input.tenant : (user.tenant ?? null);
  const plan = await planClone(id, { ...input, tenant, snapshotId: null }, user, { template: true });
  return startClone(plan, user);
}
