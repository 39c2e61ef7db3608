import { route } from '@/lib/api/handler';
import { recordAudit } from '@/lib/audit';
import { clientAddress } from '@/lib/auth/address';
import { badRequest, fieldError } from '@/lib/cluster/operations/common';
import { deleteUpload, findUpload, uploadNotFound, uploadView, writeChunk } from '@/lib/media/uploads';
import type { MediaUploadsTable } from '@/lib/db/schema';
import type { User } from '@/lib/auth/policy';

export const dynamic = 'force-dynamic';

type UploadResource = { tenant: string | null; upload?: MediaUploadsTable };

/**
 * The upload's owner for the policy: its tenant when the caller is its uploader (or an admin); anyone
 * else meets no tenant's upload, which a tenant's user gets as 404, as for an id that does not exist.
 */
async function uploadResource({ params, user }: { params: { id: string }; user: User }): Promise<UploadResource> {
  const upload = await findUpload(user, params.id);
  return upload ? { tenant: upload.tenant, upload } : { tenant: null };
}

const found = (r: UploadResource | undefined, id: string): MediaUploadsTable => {
  if (!r?.upload) throw uploadNotFound(id);
  return r.upload;
};

/** GET /api/v1/media/uploads/:id → { id, offset, sizeBytes, done, name, folder }: where to resume after a dropped connection. */
export const GET = route<{ id: string }, undefined, undefined, UploadResource>({ action: 'media:write', resource: uploadResource }, async ({ params, resource }) =>
  uploadView(found(resource, params.id)));

/**
 * PUT /api/v1/media/uploads/:id, body application/octet-stream (at most chunkBytes), header Upload-Offset: n (where the
 * upload stands, else 409 with `offset`) → { offset, done } and, after the last chunk, `mediumId` and what each host
 * sharing the storage did (`hosts`). The body is streamed to the partial file. Audited once, when the image is in place
 * (not for each of its hundreds of chunks).
 */
export const PUT = route<{ id: string }, undefined, undefined, UploadResource>(
  { action: 'media:write', rawBody: 'application/octet-stream', resource: uploadResource, audit: false },
  async ({ req, params, resource, user }) => {
    const upload = found(resource, params.id);
    const header = req.headers.get('upload-offset');
    if (header === null || !/^\d{1,16}$/.test(header.trim())) throw badRequest([fieldError('Upload-Offset', 'The header Upload-Offset: the byte this chunk starts at')]);
    const result = await writeChunk(upload, Number(header.trim()), req.body);
    if (result.done) {
      await recordAudit({
        userId: user.id, username: user.username, tenant: user.tenant ?? null, action: 'media:upload PUT', target: new URL(req.url).pathname,
        result: 'success', address: clientAddress(req.headers), detail: `${upload.folder} ${upload.name} (${upload.size_bytes} bytes)`,
      });
    }
    return result;
  },
);

/** DELETE /api/v1/media/uploads/:id → 204: the partial file is removed (a finished image stays: the media manager deletes media). */
export const DELETE = route<{ id: string }, undefined, undefined, UploadResource>({ action: 'media:write', resource: uploadResource, audit: 'media:upload' }, async ({ params, resource }) => {
  await deleteUpload(found(resource, params.id));
  return new Response(null, { status: 204 });
});
