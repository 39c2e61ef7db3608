import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { startDrain } from '@/lib/teleport';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/hosts/:id/drain → 202 Task host.drain: teleports every machine running on the host to
 * the best other hosts (most free memory, allowed for the machine), a few at a time, each move its own
 * vm.teleport task. 404 unknown host; 409 when the host is not in maintenance, or Busy when a drain of it runs.
 */
export const POST = route<{ id: string }>({ action: 'host:maintenance' }, async ({ params, user }) => accepted(await startDrain(params.id, user)));
