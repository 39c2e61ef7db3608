import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { addFolderSchema, startAddFolder } from '@/lib/settings/shared-folders';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/vms/:id/settings/shared-folders { name, hostPath, writable?, autoMount?, autoMountPoint?, transient? } → 202 Task
 * vm.settings. hostPath must be inside a shared-folder root of every host the machine is on (400 hostPath naming the roots);
 * a transient folder needs the machine running (409).
 */
export const POST = route({ action: 'vm:edit', body: addFolderSchema, resource: machineResource, audit: 'vm:settings' }, async ({ params, body, user }) =>
  accepted(await startAddFolder((params as { id: string }).id, body, user)));
