import { notFound, ProblemError } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { RUNNING } from '@/lib/cluster/host-monitor';
import type { Inventory } from '@/lib/cluster/inventory';
import type { HostStatus } from '@/lib/cluster/types';
import type { HostView } from '@/lib/db/hosts';
import { allowedHostsOf } from './allowed-hosts';

/**
 * What a tenant's users see of the hosts (GET /api/v1/hosts, /hosts/:id and the `host` events): only the
 * hosts their tenant may use, each with its name, health, capacity and maintenance, and the counts of
 * their own tenant's machines on it. Never its SOAP URL, service user, storage path, addresses, ports,
 * VirtualBox version, last error (which may name the URL) or the cluster-wide counts. Admins see all.
 */

/** A host's live status as a tenant's user sees it. */
export type TenantHostStatus = Pick<HostStatus, 'id' | 'name' | 'health' | 'cpus' | 'memoryMB' | 'memoryAvailableMB' | 'machineCount' | 'runningCount'>;

/** A host as a tenant's user sees it. */
export interface TenantHost {
  id: string;
  name: string;
  /** New machines are not placed on it. */
  maintenance: boolean;
  status: TenantHostStatus | null;
}

/** Whose view a caller gets: undefined for admins (everything); else the tenant and the hosts it may use (null: every host). */
export interface HostScope {
  /** Null for a non-admin without a tenant, who may use no host. */
  tenant: string | null;
  allowed: ReadonlySet<string> | null;
}

export async function hostScope(user: User): Promise<HostScope | undefined> {
  if (user.role === 'admin') return undefined;
  const tenant = user.tenant ?? null;
  return { tenant, allowed: tenant ? await allowedHostsOf({ tenant }) : null };
}

/** Whether the host shows to a caller of that scope. */
export function mayUseHost(scope: HostScope | undefined, hostId: string): boolean {
  return !scope || (scope.tenant !== null && (!scope.allowed || scope.allowed.has(hostId)));
}

/** 404, as for a host that does not exist, unless the caller may use the host (admins: every host). */
export async function requireUsableHost(user: User, hostId: string): Promise<void> {
  if (!mayUseHost(await hostScope(user), hostId)) throw new ProblemError(notFound(`Host ${hostId}`));
}

/** The tenant's view of a host's live status: the counts are of the tenant's machines registered there. */
export function tenantHostStatus(s: HostStatus, tenant: string | null, inventory: Pick<Inventory, 'monitor'> | undefined): TenantHostStatus {
  const own = (inventory?.monitor(s.id)?.machines() ?? []).filter((m) => tenant !== null && m.tenant === tenant);
  return {
    id: s.id, name: s.name, health: s.health, cpus: s.cpus, memoryMB: s.memoryMB, memoryAvailableMB: s.memoryAvailableMB,
    machineCount: own.length, runningCount: own.filter((m) => RUNNING.has(m.state)).length,
  };
}

/** The tenant's view of a registered host. */
export function tenantHost(h: HostView, tenant: string | null, inventory: Pick<Inventory, 'host' | 'monitor'> | undefined): TenantHost {
  const s = inventory?.host(h.id);
  return { id: h.id, name: h.name, maintenance: h.maintenance, status: s ? tenantHostStatus(s, tenant, inventory) : null };
}
