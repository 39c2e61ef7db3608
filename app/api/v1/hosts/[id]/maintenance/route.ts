import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { setMaintenance, startDrain } from '@/lib/teleport';

export const dynamic = 'force-dynamic';

const Body = z.strictObject({
  enabled: z.boolean(),
  /** With enabled: also start a drain (teleport every machine running there to other hosts). */
  drain: z.boolean().optional(),
});

/**
 * POST /api/v1/hosts/:id/maintenance { enabled, drain? } → 200 HostView; with `drain: true` (and
 * `enabled: true`) → 202 { host, task } with the host.drain task (Location: /api/v1/tasks/:id).
 * In maintenance, placement skips the host; it leaves maintenance only when told (enabled: false).
 * 400 drain without enabled; 404 unknown host; 409 Busy when a drain of the host already runs.
 */
export const POST = route<{ id: string }, z.infer<typeof Body>>({ action: 'host:maintenance', body: Body.refine((b) => !b.drain || b.enabled, { message: 'A drain needs the host in maintenance (enabled: true)', path: ['drain'] }) }, async ({ params, body, user }) => {
  const host = await setMaintenance(params.id, body.enabled);
  if (!body.drain) return host;
  const task = await startDrain(host.id, user);
  return Response.json({ host, task }, { status: 202, headers: { Location: `/api/v1/tasks/${task.id}`, 'Cache-Control': 'no-store' } });
});
