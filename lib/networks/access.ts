/**
 * Who may use which cluster network. Networks are security boundaries: a tenant's users use only the
 * networks an admin allowed their tenant ([] = none); admins use every network. Anything else a
 * tenant's user names looks absent (404) on reads, and is a field error on writes.
 */
import { notFound, ProblemError } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { getTenantByName } from '@/lib/tenants';
import { getNetwork, type ClusterNetwork } from './store';

/** All the policy reads of a caller here: their role and tenant. */
export type NetworkCaller = Pick<User, 'role' | 'tenant'>;

/**
 * The network ids a tenant's machines may use: null = every network (no tenant: an admin's machine or
 * an admin); an unknown tenant gets none.
 */
export async function allowedNetworkIdsOf(tenant: string | null): Promise<ReadonlySet<string> | null> {
  if (tenant === null) return null;
  const t = await getTenantByName(tenant);
  return new Set(t?.allowedNetworkIds ?? []);
}

/** The network ids a caller may use: null for admins (all); an empty set for a non-admin without a tenant. */
export async function allowedNetworkIdsFor(user: NetworkCaller): Promise<ReadonlySet<string> | null> {
  if (user.role === 'admin') return null;
  if (!user.tenant) return new Set();
  return allowedNetworkIdsOf(user.tenant);
}

export async function mayUseNetwork(user: NetworkCaller, network: Pick<ClusterNetwork, 'id'>): Promise<boolean> {
  const allowed = await allowedNetworkIdsFor(user);
  return allowed === null || allowed.has(network.id);
}

/**
 * The network the caller named (id or name) if they may use it. Unknown or not allowed: 404 (reads), or,
 * given `field` (writes), 400 naming that field; both say the same, so a name does not tell what exists.
 */
export async function requireUsableNetwork(user: NetworkCaller, idOrName: string, field?: string): Promise<ClusterNetwork> {
  const n = await getNetwork(idOrName);
  if (n && (await mayUseNetwork(user, n))) return n;
  if (field) {
    throw new ProblemError({
      title: 'Invalid request', status: 400, detail: 'The request body has invalid fields.',
      errors: [{ field, message: `No cluster network ${idOrName} you may use` }],
    });
  }
  throw new ProblemError(notFound(`Network ${idOrName}`));
}

/**
 * The field error when a machine of `tenant` may not be on `network` (null when it may): a cluster network a
 * tenant's machine is on must be one its tenant is allowed, whoever attaches it (an admin too: allow it for
 * the tenant first), else its next start or move would refuse to bind it (lib/networks/placement).
 */
export async function tenantNetworkError(tenant: string | null, network: ClusterNetwork, field: string): Promise<{ field: string; message: string } | null> {
  const allowed = await allowedNetworkIdsOf(tenant);
  if (allowed === null || allowed.has(network.id)) return null;
  return { field, message: `Tenant ${tenant} may not use ${network.name}: allow it for the tenant first` };
}
