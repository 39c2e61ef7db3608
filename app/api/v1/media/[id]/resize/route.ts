import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { accepted, foundOr404, mediumResource, resizeMediumSchema, startResizeMedium, type MediumResource } from '@/lib/media/operations';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/media/:id/resize { logicalSizeBytes } → 202 { task } media.resize (grow only: a smaller or equal
 * size is 400 naming logicalSizeBytes; the growth counts in the tenant's disk quota, 409 when it does not fit).
 */
export const POST = route<{ id: string }, z.output<typeof resizeMediumSchema>, undefined, MediumResource>(
  { action: 'media:write', body: resizeMediumSchema, resource: mediumResource('write') },
  async ({ params, body, user, resource }) => accepted(await startResizeMedium(foundOr404(resource, params.id), body, user)),
);
