import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { moveGroupsSchema, startMoveGroups } from '@/lib/cluster/operations/groups';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/vms/groups `{ ids: string[], groups: string[] }` → 202 one Task vm.groups moving every
 * machine (each copy of each). Every id is checked for vm:edit first: another tenant's or an unknown
 * machine is 404 for the whole request and nothing moves. The route-level check is the caller's right
 * to edit machines of their own tenant (operators and admins).
 */
export const POST = route<Record<string, string>, z.output<typeof moveGroupsSchema>>(
  { action: 'vm:edit', body: moveGroupsSchema, resource: async ({ user }) => ({ tenant: user.tenant ?? null }) },
  async ({ body, user }) => accepted(await startMoveGroups(body, user)),
);
