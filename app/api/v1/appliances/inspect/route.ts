import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { inspectAppliance } from '@/lib/appliances';

export const dynamic = 'force-dynamic';

const body = z.strictObject({
  path: z.string().trim().min(1, 'Choose an appliance').max(4096, 'At most 4096 characters'),
  hostId: z.string().min(1).max(200).optional(),
});

/**
 * POST /api/v1/appliances/inspect { path, hostId? } → 200 ApplianceView: each virtual system as VirtualBox
 * interprets it on the host (default: the caller's first up host with a storage path), with its warnings
 * and the certificate of a signed OVA. 403 naming `path` outside the caller's folder; 422 with VirtualBox's
 * text and `resultCode` for a file it cannot read. Policy media:read.
 */
export const POST = route({ action: 'media:read', body, audit: false }, async ({ user, body: b }) => inspectAppliance(user, b));
