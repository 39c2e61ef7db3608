import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { startRemoveFolder } from '@/lib/settings/shared-folders';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

const query = z.strictObject({ transient: z.enum(['0', '1', 'true', 'false'], { message: '1 or 0' }).optional() });

/** DELETE /api/v1/vms/:id/settings/shared-folders/:name[?transient=1] → 202 Task vm.settings; 404 for a folder the machine has not. */
export const DELETE = route<{ id: string; name: string }, undefined, z.output<typeof query>>(
  { action: 'vm:edit', query, resource: machineResource, audit: 'vm:settings' },
  async ({ params, query: q, user }) => accepted(await startRemoveFolder(params.id, params.name, q.transient === '1' || q.transient === 'true', user)),
);
