import { route } from '@/lib/api/handler';
import { machineNetwork } from '@/lib/networks/adapters';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/vms/:id/network → { running, maxAdapters, adapterTypes, adapters: AdapterView[], guest: GuestInfo },
 * read live from the copy that runs (else the first copy); the guest's addresses while it runs.
 */
export const GET = route<{ id: string }>({ action: 'vm:read', resource: machineResource }, async ({ params }) => machineNetwork(params.id));
