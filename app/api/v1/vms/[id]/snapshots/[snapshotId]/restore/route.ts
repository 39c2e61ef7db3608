import { route } from '@/lib/api/handler';
import { machineResource } from '@/lib/tenants/access';
import { accepted, startRestoreSnapshot } from '@/lib/cluster/operations';

export const dynamic = 'force-dynamic';

/** POST /api/v1/vms/:id/snapshots/:snapshotId/restore → 202 Task snapshot.restore; 409 unless the machine is powered off; 404 unknown snapshot. */
export const POST = route<{ id: string; snapshotId: string }>({ action: 'snapshot:write', resource: machineResource }, async ({ params, user }) =>
  accepted(await startRestoreSnapshot(params.id, params.snapshotId, user)));
