import { route } from '@/lib/api/handler';
import { exportSchema, planExport, startExport } from '@/lib/appliances';
import { accepted } from '@/lib/cluster/operations';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/appliances/export { machineIds, path, format?, manifest?, macPolicy?, product?, productUrl?, vendor?,
 * vendorUrl?, version?, description?, license? } → 202 task appliance.export. Policy media:write, and vm:read on each
 * machine (another tenant's: 404); 409 for a machine not powered off or a file that exists; 403 naming `path`
 * outside the caller's folder.
 */
export const POST = route({ action: 'media:write', body: exportSchema, audit: 'appliance:export' }, async ({ user, body }) => accepted(await startExport(await planExport(body, user), user)));
