import { route } from '@/lib/api/handler';
import { machineSettings } from '@/lib/settings/view';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/vms/:id/settings → MachineSettingsView (lib/settings/types): every area of the machine read live from
 * the copy that runs (else the first), each field's state rule (`live`), and the choices its host offers.
 */
export const GET = route<{ id: string }>({ action: 'vm:read', resource: machineResource }, async ({ params, user }) =>
  machineSettings(params.id, user));
