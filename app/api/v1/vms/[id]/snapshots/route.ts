import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { machineResource } from '@/lib/tenants/access';
import { accepted, snapshotTree, startTakeSnapshot, takeSnapshotSchema, type SnapshotTree } from '@/lib/cluster/operations';

export const dynamic = 'force-dynamic';

type Params = { id: string };

/** GET /api/v1/vms/:id/snapshots → { current: id | null, tree: SnapshotNode[] } (SnapshotNode: { id, name, description, timeStamp, online, children }), read live. */
export const GET = route<Params>({ action: 'vm:read', resource: machineResource }, async ({ params }): Promise<SnapshotTree> => snapshotTree(params.id));

/** POST /api/v1/vms/:id/snapshots { name, description? } → 202 Task snapshot.take; also while the machine runs. 409 in a transient state. */
export const POST = route<Params, z.output<typeof takeSnapshotSchema>>({ action: 'snapshot:write', body: takeSnapshotSchema, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startTakeSnapshot(params.id, body, user)));
