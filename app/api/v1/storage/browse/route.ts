import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { browse, type BrowseResult } from '@/lib/media/browse';

export const dynamic = 'force-dynamic';

const query = z.object({
  hostId: z.string().min(1).max(200).optional(),
  path: z.string().max(4096, 'At most 4096 characters').optional(),
});

/**
 * GET /api/v1/storage/browse?hostId=&path= → 200 { hostId, roots, path, parent, entries }: a folder of the
 * host's shared storage as VirtualBox lists it (lib/media/browse). Policy 'media:read'; below that, each
 * caller only under their roots (tenants: their folder and the ISO library; admins: the storage path):
 * 403 naming `path` elsewhere, 404 for a host the caller's tenant may not use.
 */
export const GET = route({ action: 'media:read', query }, async ({ query: q, user }): Promise<BrowseResult> => browse(user, q.hostId, q.path));
