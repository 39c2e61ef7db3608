import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { copyMediumSchema, accepted, foundOr404, mediumResource, startCopyMedium, type MediumResource } from '@/lib/media/operations';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/media/:id/copy { name, folder?, format, variant } → 202 { task } media.copy: a new image cloned from
 * the medium, in the caller's folders (403 naming folder otherwise), counted in the target tenant's disk quota.
 */
export const POST = route<{ id: string }, z.output<typeof copyMediumSchema>, undefined, MediumResource>(
  { action: 'media:write', body: copyMediumSchema, resource: mediumResource('write') },
  async ({ params, body, user, resource }) => accepted(await startCopyMedium(foundOr404(resource, params.id), body, user)),
);
