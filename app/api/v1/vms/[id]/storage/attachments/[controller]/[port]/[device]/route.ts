import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted, attachmentFlagsSchema, startDetach, startEditAttachment } from '@/lib/cluster/operations';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

type Params = { id: string; controller: string; port: string; device: string };

/** PATCH /api/v1/vms/:id/storage/attachments/:controller/:port/:device { hotPluggable?, nonRotational?, discard? } → 202 Task vm.storage. */
export const PATCH = route<Params, z.output<typeof attachmentFlagsSchema>>({ action: 'vm:edit', body: attachmentFlagsSchema, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startEditAttachment(params.id, params, body, user)));

/** DELETE /api/v1/vms/:id/storage/attachments/:controller/:port/:device → 202 Task vm.storage (running: hot-unplug where VirtualBox allows it). */
export const DELETE = route<Params>({ action: 'vm:edit', resource: machineResource }, async ({ params, user }) =>
  accepted(await startDetach(params.id, params, user)));
