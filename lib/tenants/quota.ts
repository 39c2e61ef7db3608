import { ProblemError } from '@/lib/api/problem';
import type { MachineSummary } from '@/lib/cluster/types';
import type { Tenant } from './index';

/**
 * Tenant quotas (null = unlimited): machines, vCPUs and memory count what the tenant's
 * machines (extradata nimbox/tenant, from the live inventory, a machine on several hosts
 * once) have; disk is checked per request (the size of the new disk), as the inventory
 * does not read disk sizes.
 */
export interface Usage {
  machines: number;
  vcpus: number;
  memoryMB: number;
}

export function tenantUsage(machines: MachineSummary[], tenant: string, exceptId?: string): Usage {
  const own = machines.filter((m) => m.tenant === tenant && m.id !== exceptId);
  return { machines: own.length, vcpus: own.reduce((s, m) => s + m.cpuCount, 0), memoryMB: own.reduce((s, m) => s + m.memoryMB, 0) };
}

export interface Demand {
  machines?: number;
  vcpus?: number;
  memoryMB?: number;
  diskGB?: number;
}

/** Refuses (409 problem, one field error per exceeded quota, saying which and by how much) what would exceed the tenant's quotas. */
export function checkQuota(tenant: Tenant, usage: Usage, demand: Demand, fields: { vcpus?: string; memoryMB?: string; diskGB?: string } = {}): void {
  const errors: { field: string; message: string }[] = [];
  const over = (field: string, what: string, limit: number | null, used: number, want: number | undefined, unit: string) => {
    if (limit === null || want === undefined || want === 0) return;
    const total = used + want;
    if (total > limit) {
      const u = unit ? ` ${unit}` : '';
      errors.push({ field, message: `Exceeds tenant ${tenant.name}'s ${what} quota (${limit}${u}) by ${total - limit}${u}` });
    }
  };
  over('tenant', 'machine-count', tenant.maxMachines, usage.machines, demand.machines, '');
  over(fields.vcpus ?? 'cpuCount', 'vCPU', tenant.maxVcpus, usage.vcpus, demand.vcpus, '');
  over(fields.memoryMB ?? 'memoryMB', 'memory', tenant.maxMemoryMB, usage.memoryMB, demand.memoryMB, 'MB');
  over(fields.diskGB ?? 'disk.new.sizeGB', 'disk', tenant.maxDiskGB, 0, demand.diskGB, 'GB');
  if (errors.length) {
    throw new ProblemError({
      title: 'Tenant quota exceeded',
      status: 409,
      detail: errors.map((e) => e.message).join('; ') + '.',
      errors,
    });
  }
}

/** Whether the tenant may place machines on a host ([] = every host). */
export const hostAllowed = (tenant: Tenant | undefined, hostId: string): boolean =>
  !tenant || tenant.allowedHostIds.length === 0 || tenant.allowedHostIds.includes(hostId);
