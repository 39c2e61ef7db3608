import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { createUpload, MAX_UPLOAD_BYTES, uploadTargets } from '@/lib/media/uploads';

export const dynamic = 'force-dynamic';

const createSchema = z.strictObject({
  hostId: z.string().min(1, 'Choose a host').max(200),
  folder: z.string().min(1, 'Choose a folder').max(4096, 'At most 4096 characters'),
  name: z.string().min(1, 'Give the file name').max(255, 'At most 255 characters'),
  sizeBytes: z.number({ message: 'The file size in bytes' }).int('A whole number of bytes').min(1, 'An empty file is no image')
    .max(MAX_UPLOAD_BYTES, `At most ${MAX_UPLOAD_BYTES / 1024 ** 3} GB`),
  /** appliance: an .ova/.ovf into the appliances folder, not opened as a DVD (issue 17). */
  kind: z.enum(['iso', 'appliance']).default('iso'),
});

/**
 * GET /api/v1/media/uploads → { targets: [{ hostId, hostName, available, reason?, folders }] }: for every host the
 * caller may use, whether this server can upload into its storage (it needs the host's "This server's path to the
 * storage") and into which folders. Policy 'media:write' (operators and admins).
 */
export const GET = route({ action: 'media:write' }, async ({ user }) => uploadTargets(user));

/**
 * POST /api/v1/media/uploads { hostId, folder, name, sizeBytes, kind?: 'iso' | 'appliance' } → 201 { id, offset, sizeBytes, chunkBytes }. Tenants
 * upload into their folder, the size held against their disk quota (409 naming sizeBytes); admins into the ISO library
 * or any folder under the storage path. 403 naming `folder` elsewhere, 400/409 naming `name` for a bad or taken name.
 */
export const POST = route({ action: 'media:write', body: createSchema, audit: 'media:upload' }, async ({ user, body }) => {
  const created = await createUpload(user, body);
  return Response.json(created, { status: 201, headers: { Location: `/api/v1/media/uploads/${created.id}`, 'Cache-Control': 'no-store' } });
});
