import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { adapterPatchSchema, startAdapterEdit, type AdapterPatch } from '@/lib/networks/adapters';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * PATCH /api/v1/vms/:id/network/adapters/:slot { enabled?, adapterType?, macAddress?: string|'generate', attachmentType?,
 * network?: string|null, bridgedInterface?, hostOnlyInterface?, internalNetwork?, natNetwork?, genericDriver?, genericProperties?,
 * promiscModePolicy?, cableConnected?, lineSpeed?, bootPriority? } → 202 Task vm.network, on every copy of the machine.
 * 400 names each invalid field (tenants: attachments only through their cluster networks); 409 names what needs a powered-off machine.
 */
export const PATCH = route<{ id: string; slot: string }, AdapterPatch>({ action: 'vm:edit', body: adapterPatchSchema, resource: machineResource }, async ({ body, params, user }) =>
  accepted(await startAdapterEdit(params.id, params.slot, body, user)));
