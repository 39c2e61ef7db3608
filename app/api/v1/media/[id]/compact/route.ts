import { route } from '@/lib/api/handler';
import { compactMediumSchema, accepted, foundOr404, mediumResource, startCompactMedium, type MediumResource } from '@/lib/media/operations';

export const dynamic = 'force-dynamic';

/** POST /api/v1/media/:id/compact {} → 202 { task } media.compact (VDI and VHD images give back unused blocks). */
export const POST = route<{ id: string }, Record<string, never>, undefined, MediumResource>(
  { action: 'media:write', body: compactMediumSchema, resource: mediumResource('write') },
  async ({ params, user, resource }) => accepted(await startCompactMedium(foundOr404(resource, params.id), user)),
);
