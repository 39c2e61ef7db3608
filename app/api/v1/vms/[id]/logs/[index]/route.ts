import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { DEFAULT_LIMIT, MAX_LIMIT, parseIndex, readLogWindow } from '@/lib/logs';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

const query = z.object({
  offset: z.coerce.number({ message: 'A byte offset' }).int('A whole number of bytes').min(0, 'At least 0').max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number({ message: 'A number of bytes' }).int('A whole number of bytes').min(1, 'At least 1').max(MAX_LIMIT, `At most ${MAX_LIMIT}`).default(DEFAULT_LIMIT),
});

/**
 * GET /api/v1/vms/:id/logs/:index?offset=&limit= → { index, offset, next, size, text, eof }: up to `limit`
 * bytes (default 64 KiB, at most 256 KiB) from `offset`, or the end of the log without one.
 */
export const GET = route<{ id: string; index: string }, undefined, z.infer<typeof query>>(
  { action: 'vm:read', query, resource: machineResource },
  async ({ params, query: q }) => readLogWindow(params.id, parseIndex(params.index), q.offset, q.limit),
);
