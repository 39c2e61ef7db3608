import { route } from '@/lib/api/handler';
import { listLogs } from '@/lib/logs';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/vms/:id/logs → { hostId, hostName, running, files: [{ index, name, size }] }: VBox.log and
 * its aged copies on the host where the machine runs, else where it last ran.
 */
export const GET = route<{ id: string }>({ action: 'vm:read', resource: machineResource }, async ({ params }) => listLogs(params.id));
