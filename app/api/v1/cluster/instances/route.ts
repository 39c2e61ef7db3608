import { route } from '@/lib/api/handler';
import { getCoord } from '@/lib/coord';
import { clusterInstances, type ClusterInstance } from '@/lib/coord/instances';
import { getDb } from '@/lib/db';
import { listHosts } from '@/lib/db/hosts';

/**
 * GET /api/v1/cluster/instances → 200 { instances: [{ id, self, leases }] }: the Nimbox instances alive on this
 * database (this one first) and the leases each holds (`ha`, `history`, …, `host:<id>`). Admins only (host:write:
 * instance ids are the operators' business, never a tenant's). On SQLite: this instance alone, with every lease.
 */
export const GET = route({ action: 'host:write' }, async (): Promise<{ instances: ClusterInstance[] }> => {
  const hosts = await listHosts(await getDb());
  return { instances: await clusterInstances(await getCoord(), hosts.map((h) => h.id)) };
});
