import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { startTeleport } from '@/lib/teleport';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

const Body = z.strictObject({
  /** The target host's id, as /api/v1/hosts lists it. */
  target: z.string().trim().min(1, 'Choose the host to teleport to'),
  /** IConsole::teleport's maximum downtime, ms (default NIMBOX_TELEPORT_MAX_DOWNTIME_MS, 250). */
  maxDowntimeMs: z.number().int('A whole number of milliseconds').min(1, 'At least 1 ms').max(60_000, 'At most 60,000 ms').optional(),
});

/**
 * POST /api/v1/vms/:id/teleport { target, maxDowntimeMs? } → 202 Task vm.teleport (Location: /api/v1/tasks/:id).
 * The preflight runs first: 409 "Teleport not possible" with its `checks` when one failed, 409 Busy
 * (naming the task) when another task holds the machine; 400 bad body or the machine's own host;
 * 404 unknown machine. VirtualBox's own failures arrive through the task.
 */
export const POST = route<{ id: string }, z.infer<typeof Body>>({ action: 'vm:teleport', body: Body, resource: machineResource }, async ({ params, body, user }) => {
  const { task } = await startTeleport({ machineId: params.id, targetHostId: body.target, maxDowntimeMs: body.maxDowntimeMs }, user);
  return accepted(task);
});
