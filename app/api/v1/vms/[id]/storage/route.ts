import { route } from '@/lib/api/handler';
import { machineStorage } from '@/lib/cluster/operations';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/vms/:id/storage → { running, state, hostId, controllers: [{ name, bus, controllerType, portCount, min/maxPortCount,
 * maxDevicesPerPort, bootable, useHostIOCache, hotplugCapable, attachments: [{ port, device, type, medium, flags… }] }], buses }
 * read live from the copy that runs (else the first copy).
 */
export const GET = route<{ id: string }>({ action: 'vm:read', resource: machineResource }, async ({ params }) => machineStorage(params.id));
