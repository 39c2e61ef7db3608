/** What GET /api/v1/networks and /networks/:id answer: admins everything, a tenant's users only name and kind. */
import type { User } from '@/lib/auth/policy';
import type { Inventory } from '@/lib/cluster/inventory';
import { networkStatus, type HostNetworkStatus } from '@/lib/networks/hosts';
import type { ClusterNetwork } from '@/lib/networks/store';
import type { NetworkUse } from '@/lib/networks/usage';

export type NetworkRow = ClusterNetwork & { status: HostNetworkStatus[]; usedBy: { machineId: string; machineName: string; slot: number }[] };
/** A cluster network as a tenant's user sees it: no host mappings, CIDR, DHCP, status or users. */
export type TenantNetworkRow = Pick<ClusterNetwork, 'id' | 'name' | 'description' | 'kind'>;

export const isAdmin = (u: User) => u.role === 'admin';

export const tenantRow = (n: ClusterNetwork): TenantNetworkRow => ({ id: n.id, name: n.name, description: n.description, kind: n.kind });

export async function adminRow(n: ClusterNetwork, uses: NetworkUse[], inv: Inventory): Promise<NetworkRow> {
  return { ...n, status: await networkStatus(n, inv), usedBy: uses.map(({ machineId, machineName, slot }) => ({ machineId, machineName, slot })) };
}
