import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted, mountSchema, startMount } from '@/lib/cluster/operations';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

type Params = { id: string; controller: string; port: string; device: string };

/**
 * PUT /api/v1/vms/:id/storage/attachments/:controller/:port/:device/medium { location: string | null, force? } → 202 Task
 * vm.storage: inserts (or swaps) the image in a DVD or floppy drive, or ejects it (null); also while the machine runs.
 */
export const PUT = route<Params, z.output<typeof mountSchema>>({ action: 'vm:edit', body: mountSchema, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startMount(params.id, params, body, user)));
