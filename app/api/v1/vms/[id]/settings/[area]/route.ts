import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { startSettingsEdit } from '@/lib/settings/apply';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/** Any JSON object: each area's own schema checks it (lib/settings/areas.ts, serial.ts). */
const body = z.record(z.string(), z.unknown(), { message: 'A JSON object of the fields to change' });

/**
 * PATCH /api/v1/vms/:id/settings/:area (general | system | display | remote-display | audio | usb | serial-ports), the body
 * a partial of the area's fields → 202 Task vm.settings, applied to every copy of the machine and set back when one host
 * refuses. 400 names each invalid field; 409 { detail, fields } when the machine's state does not allow a field.
 */
export const PATCH = route<{ id: string; area: string }, Record<string, unknown>>(
  { action: 'vm:edit', body, resource: machineResource, audit: 'vm:settings' },
  async ({ params, body: input, user }) => accepted(await startSettingsEdit(params.id, params.area, input, user)),
);
