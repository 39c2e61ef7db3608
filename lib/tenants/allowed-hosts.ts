import { getTenantByName } from './index';

/**
 * The hosts a machine may run on, from its tenant's allowed hosts: null means any host (no tenant,
 * an unknown tenant, or a tenant that allows all). Teleport's drain and target ranking ask this.
 */
export async function allowedHostsOf(m: { tenant: string | null }): Promise<ReadonlySet<string> | null> {
  if (!m.tenant) return null;
  const tenant = await getTenantByName(m.tenant);
  return tenant && tenant.allowedHostIds.length ? new Set(tenant.allowedHostIds) : null;
}
