import { z } from 'zod';
import { route } from '@/lib/api/handler';
import {
  accepted, editMediumSchema, foundOr404, mediumDetail, mediumResource, startDeleteMedium, startEditMedium, type MediumResource,
} from '@/lib/media/operations';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/media/:id (a row's id or any host's UUID for it) → the media list's row as the caller sees
 * it, plus allowedTypes, description and variant (read from a host that has it registered).
 */
export const GET = route<{ id: string }, undefined, undefined, MediumResource>({ action: 'media:read', resource: mediumResource('read') }, async ({ params, resource }) =>
  mediumDetail(foundOr404(resource, params.id)));

/**
 * PATCH /api/v1/media/:id { type?, description? } → 202 { task } media.edit: applied on every host that has the
 * medium registered; the hosts already changed are set back when one refuses. 409 while a host that has it does not answer.
 */
export const PATCH = route<{ id: string }, z.output<typeof editMediumSchema>, undefined, MediumResource>(
  { action: 'media:write', body: editMediumSchema, resource: mediumResource('write') },
  async ({ params, body, user, resource }) => accepted(await startEditMedium(foundOr404(resource, params.id), body, user)),
);

/**
 * DELETE /api/v1/media/:id → 202 { task } media.delete: closed on every other host that has it, its file deleted on
 * one. 409 while any machine on any host uses it (naming those the caller may see), while it has differencing
 * images, or while a host that may have it does not answer.
 */
export const DELETE = route<{ id: string }, undefined, undefined, MediumResource>({ action: 'media:write', resource: mediumResource('write') }, async ({ params, user, resource }) =>
  accepted(await startDeleteMedium(foundOr404(resource, params.id), user)));
