import { ProblemError } from '@/lib/api/problem';
import type { MachineSummary } from '@/lib/cluster/types';
import { emitWebhook } from '@/lib/webhooks/emit';
import type { Tenant } from './index';

/**
 * Tenant quotas (null = unlimited): machines, vCPUs and memory count what the tenant's
 * machines (extradata nimbox/tenant, from the live inventory, a machine on several hosts
 * once) have, and what creates and edits in flight hold (./reservations); disk is checked
 * per request (the size of the new disk), as the inventory does not read disk sizes.
 */
export interface Usage {
  machines: number;
  vcpus: number;
  memoryMB: number;
}

/** What a create or edit in flight holds for one machine (a quota_reservations row). */
export interface Held {
  machineId: string;
  machines: number;
  vcpus: number;
  memoryMB: number;
}

/**
 * The tenant's usage, `exceptId` left out: each machine counts as the larger of what the inventory shows
 * of it and what is held for it, so that a machine counts once whether or not the inventory has seen it yet.
 */
export function tenantUsage(machines: MachineSummary[], tenant: string, exceptId?: string, held: readonly Held[] = []): Usage {
  const per = new Map<string, Usage>();
  for (const m of machines) {
    if (m.tenant === tenant && m.id !== exceptId) per.set(m.id, { machines: 1, vcpus: m.cpuCount, memoryMB: m.memoryMB });
  }
  for (const h of held) {
    if (h.machineId === exceptId) continue;
    const cur = per.get(h.machineId) ?? { machines: 0, vcpus: 0, memoryMB: 0 };
    per.set(h.machineId, { machines: Math.max(cur.machines, h.machines), vcpus: Math.max(cur.vcpus, h.vcpus), memoryMB: Math.max(cur.memoryMB, h.memoryMB) });
  }
  const sum: Usage = { machines: 0, vcpus: 0, memoryMB: 0 };
  for (const u of per.values()) {
    sum.machines += u.machines;
    sum.vcpus += u.vcpus;
    sum.memoryMB += u.memoryMB;
  }
  return sum;
}

export interface Demand {
  machines?: number;
  vcpus?: number;
  memoryMB?: number;
  diskGB?: number;
}

export type QuotaName = 'maxMachines' | 'maxVcpus' | 'maxMemoryMB' | 'maxDiskGB';

/**
 * Tells the webhooks subscribed to quota.reached that a quota refused a request: the tenant, the quota
 * (the tenant's field), what was in use (null: not known here), its limit, what was asked and where.
 */
export function quotaReached(data: { tenant: string; quota: QuotaName; used: number | null; limit: number; requested: number; field: string; message: string }): void {
  void emitWebhook('quota.reached', data);
}

/** Refuses (409 problem, one field error per exceeded quota, saying which and by how much) what would exceed the tenant's quotas. */
export function checkQuota(tenant: Tenant, usage: Usage, demand: Demand, fields: { vcpus?: string; memoryMB?: string; diskGB?: string } = {}): void {
  const errors: { field: string; message: string }[] = [];
  const over = (quota: QuotaName, field: string, what: string, limit: number | null, used: number, want: number | undefined, unit: string) => {
    if (limit === null || want === undefined || want === 0) return;
    const total = used + want;
    if (total > limit) {
      const u = unit ? ` ${unit}` : '';
      const message = `Exceeds tenant ${tenant.name}'s ${what} quota (${limit}${u}) by ${total - limit}${u}`;
      errors.push({ field, message });
      quotaReached({ tenant: tenant.name, quota, used, limit, requested: want, field, message });
    }
  };
  over('maxMachines', 'tenant', 'machine-count', tenant.maxMachines, usage.machines, demand.machines, '');
  over('maxVcpus', fields.vcpus ?? 'cpuCount', 'vCPU', tenant.maxVcpus, usage.vcpus, demand.vcpus, '');
  over('maxMemoryMB', fields.memoryMB ?? 'memoryMB', 'memory', tenant.maxMemoryMB, usage.memoryMB, demand.memoryMB, 'MB');
  over('maxDiskGB', fields.diskGB ?? 'disk.new.sizeGB', 'disk', tenant.maxDiskGB, 0, demand.diskGB, 'GB');
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
