import { route } from '@/lib/api/handler';
import { machineResource } from '@/lib/tenants/access';
import { accepted, startDeleteSnapshot } from '@/lib/cluster/operations';

export const dynamic = 'force-dynamic';

/** DELETE /api/v1/vms/:id/snapshots/:snapshotId → 202 Task snapshot.delete (also while the machine runs); 404 unknown snapshot. */
export const DELETE = route<{ id: string; snapshotId: string }>({ action: 'snapshot:write', resource: machineResource }, async ({ params, user }) =>
  accepted(await startDeleteSnapshot(params.id, params.snapshotId, user)));
