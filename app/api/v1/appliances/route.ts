import { route } from '@/lib/api/handler';
import { listAppliances } from '@/lib/appliances';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/appliances → { appliances: [{ path, name, sizeBytes, modified, hostId, hostName, downloadable }],
 * folders: [{ hostId, hostName, path, uploadable }] }: the .ova/.ovf files in the caller's appliances folder
 * (a tenant's: `<storage>/tenants/<tenant>/appliances`; admins: `<storage>/appliances`) on each storage, and
 * where exports go by default. Policy media:read.
 */
export const GET = route({ action: 'media:read' }, async ({ user }) => listAppliances(user));
