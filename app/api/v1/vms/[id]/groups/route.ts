import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { machineResource } from '@/lib/tenants/access';
import { accepted } from '@/lib/cluster/operations';
import { setGroupsSchema, startSetGroups } from '@/lib/cluster/operations/groups';

export const dynamic = 'force-dynamic';

/**
 * PUT /api/v1/vms/:id/groups `{ groups: string[] }` (VirtualBox's group paths, e.g. ["/web/prod"]; [] is "/")
 * → 202 Task vm.groups, applied to every copy of the machine (set back when one refuses). 400 naming
 * `groups.N`; 409 unless every copy is powered off or saved.
 */
export const PUT = route<{ id: string }, z.output<typeof setGroupsSchema>>({ action: 'vm:edit', body: setGroupsSchema, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startSetGroups(params.id, body, user)));
