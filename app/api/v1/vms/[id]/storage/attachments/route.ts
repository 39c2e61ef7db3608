import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted, attachSchema, startAttach } from '@/lib/cluster/operations';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/vms/:id/storage/attachments { controller, port, device, type: HardDisk|DVD|Floppy, location?, hotPluggable?,
 * nonRotational? } → 202 Task vm.storage. A running machine takes a disk only on a hot-plug capable controller (409 says why).
 */
export const POST = route<{ id: string }, z.output<typeof attachSchema>>({ action: 'vm:edit', body: attachSchema, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startAttach(params.id, body, user)));
