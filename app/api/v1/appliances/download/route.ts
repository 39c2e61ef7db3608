import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { downloadAppliance } from '@/lib/appliances';

export const dynamic = 'force-dynamic';

const query = z.object({
  path: z.string().min(1, 'Give the path').max(4096),
  hostId: z.string().min(1).max(200).optional(),
});

/**
 * GET /api/v1/appliances/download?path=&hostId= → the file (Content-Disposition: attachment), streamed from this
 * server's mount of the storage; 404 when it does not mount it, or the file is not there or not the caller's. Policy media:read.
 */
export const GET = route({ action: 'media:read', query }, async ({ user, query: q }) => downloadAppliance(user, q.path, q.hostId));
