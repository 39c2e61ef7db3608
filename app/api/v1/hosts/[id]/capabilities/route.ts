import { route } from '@/lib/api/handler';
import { hostCapabilities, type HostCapabilities } from '@/lib/cluster/operations';
import { requireUsableHost } from '@/lib/tenants/hosts';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/hosts/:id/capabilities → { hostId, osTypes: [{ id, description, familyId, is64Bit, recommendedRAM,
 * recommendedHDDBytes }], bridgedInterfaces, memoryAvailableMB, cpus, storagePath, mediaFolders: { disks, isos },
 * bridgeAdapter, vrdePorts, maintenance, readAt }: what the host offers a new machine, read live (cached a few
 * minutes). 404 unknown host, or one the caller's tenant may not use; 409 when it is not connected.
 */
export const GET = route<{ id: string }>({ action: 'host:read' }, async ({ params, user }): Promise<HostCapabilities> => {
  await requireUsableHost(user, params.id);
  return hostCapabilities(params.id, undefined, user);
});
