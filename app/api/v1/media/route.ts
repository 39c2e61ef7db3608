import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { getInventory } from '@/lib/cluster/inventory';
import { listMedia, visibleMedia, type MediumRow } from '@/lib/media/inventory';
import { accepted, createMediumSchema, startCreateMedium } from '@/lib/media/operations';
import { hostScope, mayUseHost } from '@/lib/tenants/hosts';

export const dynamic = 'force-dynamic';

const query = z.object({
  host: z.string().min(1).optional(),
  type: z.enum(['HardDisk', 'DVD', 'Floppy']).optional(),
  q: z.string().max(200).optional(),
});

/**
 * GET /api/v1/media?host=&type=HardDisk|DVD|Floppy&q= → 200 { items, total, readAt }: every medium of
 * every host, one row per medium (lib/media/inventory), sorted by name. Policy: 'media:read' with no
 * target, as the machine list: admins see everything; a tenant's users only media in their tenant's
 * folder or the ISO library, used by their tenant's machines only; a non-admin without a tenant is
 * refused (403). `host` filters to media registered on that host id, `q` to a name or location part.
 */
export const GET = route({ action: 'media:read', query }, async ({ query: q, user }): Promise<{ items: MediumRow[]; total: number; readAt: string }> => {
  const inventory = getInventory();
  await inventory.start();
  const { rows, readAt, hosts } = await listMedia(inventory);
  const scope = await hostScope(user);
  const needle = q.q?.trim().toLowerCase();
  const items = visibleMedia(rows, user, hosts, inventory, (id) => mayUseHost(scope, id))
    .filter((r) => (!q.host || r.hosts.some((h) => h.hostId === q.host))
      && (!q.type || r.deviceType === q.type)
      && (!needle || r.name.toLowerCase().includes(needle) || r.location.toLowerCase().includes(needle)))
    .sort((a, b) => a.name.localeCompare(b.name) || a.location.localeCompare(b.location));
  return { items, total: items.length, readAt };
});

/**
 * POST /api/v1/media { hostId?, folder?, name, format: VDI|VMDK|VHD, variant: Standard|Fixed, logicalSizeBytes }
 * → 202 { task } media.create: a new disk image `<folder>/<name>.<ext>` (folder default: the caller's disk
 * folder) made on the chosen host, or the first healthy one the caller may use whose storage holds the folder.
 * Policy 'media:write' (operators of a tenant, admins); 403 naming `folder` outside the caller's folder, 409 for a
 * taken name or the tenant's disk quota (naming `logicalSizeBytes`).
 */
export const POST = route<Record<string, string>, z.output<typeof createMediumSchema>>({ action: 'media:write', body: createMediumSchema }, async ({ body, user }) =>
  accepted(await startCreateMedium(body, user)));
