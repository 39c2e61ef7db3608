import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted, cloneSchema, planClone, startClone } from '@/lib/cluster/operations';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/vms/:id/clone { name, mode?: full|linked, snapshotId?, macPolicy?: new|keepNAT|keepAll, hostId?, tenant?,
 * description?, cpuCount?, memoryMB?, nic?: { network? | bridgedInterface? }, keepDiskNames? } → 202 Task vm.clone (target:
 * the new machine). Policy vm:create on the source machine (another tenant's is 404); `tenant` other than the caller's: admins
 * only (403). 400 names each field; 404 an unknown snapshot; 409 a taken name, a tenant quota (a full clone's disks count their
 * sizes), a source not powered off (full clone of the current state), a host that cannot take it.
 */
export const POST = route<{ id: string }, z.output<typeof cloneSchema>>({ action: 'vm:create', body: cloneSchema, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startClone(await planClone(params.id, body, user), user)));
