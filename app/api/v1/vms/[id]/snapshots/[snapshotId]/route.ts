import type { z } from 'zod';
import { route } from '@/lib/api/handler';
import { machineResource } from '@/lib/tenants/access';
import { accepted, editSnapshot, editSnapshotSchema, startDeleteSnapshot } from '@/lib/cluster/operations';

export const dynamic = 'force-dynamic';

type Params = { id: string; snapshotId: string };

/**
 * PATCH /api/v1/vms/:id/snapshots/:snapshotId `{ name?, description? }` → 200 the snapshot `{ id, name, description,
 * timeStamp, online }` (in any machine state, on every copy that has it); 400 naming the field; 404 unknown snapshot.
 */
export const PATCH = route<Params, z.output<typeof editSnapshotSchema>>({ action: 'snapshot:write', body: editSnapshotSchema, resource: machineResource }, async ({ params, body }) =>
  Response.json(await editSnapshot(params.id, params.snapshotId, body), { headers: { 'Cache-Control': 'no-store' } }));

/** DELETE /api/v1/vms/:id/snapshots/:snapshotId → 202 Task snapshot.delete (also while the machine runs); 404 unknown snapshot. */
export const DELETE = route<Params>({ action: 'snapshot:write', resource: machineResource }, async ({ params, user }) =>
  accepted(await startDeleteSnapshot(params.id, params.snapshotId, user)));
