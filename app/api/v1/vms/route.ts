import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { machineListSchema } from '@/lib/api/response-schemas';
import { getInventory } from '@/lib/cluster/inventory';
import { accepted, createMachineSchema, planCreate, startCreate } from '@/lib/cluster/operations';
import type { MachineSummary } from '@/lib/cluster/types';
import { forbidden, ProblemError } from '@/lib/api/problem';
import { can } from '@/lib/auth/policy';
import { seesMachine } from '@/lib/tenants/access';

const SORTS = {
  name: (m: MachineSummary) => m.name.toLowerCase(),
  state: (m: MachineSummary) => m.state,
  host: (m: MachineSummary) => m.hostName.toLowerCase(),
  os: (m: MachineSummary) => m.osTypeId.toLowerCase(),
  cpus: (m: MachineSummary) => m.cpuCount,
  memory: (m: MachineSummary) => m.memoryMB,
  lastStateChange: (m: MachineSummary) => m.lastStateChange,
} as const;

const query = z.object({
  host: z.string().min(1).optional(),
  state: z.string().regex(/^[A-Za-z]+$/, 'A machine state such as Running').optional(),
  q: z.string().max(200).optional(),
  /** true: templates only, false: machines only (issue 17: templates are shown apart); absent: both. */
  template: z.enum(['true', 'false']).optional(),
  sort: z.enum(Object.keys(SORTS) as [keyof typeof SORTS, ...(keyof typeof SORTS)[]]).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * GET /api/v1/vms?host=&state=&q=&template=&sort=&order=&page=&pageSize= → { items, total, page, pageSize }:
 * every machine of every host, from the live inventory (never waits on a host); a tenant's users see only
 * their tenant's machines (`tenant` on each row: extradata nimbox/tenant).
 */
export const GET = route({ action: 'vm:read', query, response: machineListSchema }, async ({ query: q, user }) => {
  const inventory = getInventory();
  await inventory.start();
  const needle = q.q?.trim().toLowerCase();
  const key = SORTS[q.sort];
  const dir = q.order === 'asc' ? 1 : -1;
  const items = inventory.machines()
    .filter((m) => seesMachine(user, m) && (!q.host || m.hostId === q.host) && (!q.state || m.state === q.state) && (!needle || m.name.toLowerCase().includes(needle))
      && (q.template === undefined || !!m.template === (q.template === 'true')))
    .sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (x < y ? -1 : x > y ? 1 : a.name.localeCompare(b.name) || a.id.localeCompare(b.id)) * dir;
    });
  const start = (q.page - 1) * q.pageSize;
  return { items: items.slice(start, start + q.pageSize), total: items.length, page: q.page, pageSize: q.pageSize };
});

/**
 * POST /api/v1/vms { name, osTypeId, memoryMB, hostId?, cpuCount?, description?, hwVirt?, nestedPaging?, ioapic?,
 * acpi?, hpet?, rtcUseUTC?, nic?: { bridgedInterface?, adapterType?, cableConnected? }, bootOrder?,
 * disk?: { new: { sizeGB } } | { existing: path }, iso?, vrde?: { password? }, registerOnOtherHosts?: true | hostIds, tenant? }
 * (tenant: admins only; anyone else creates in their own tenant, within its quotas and allowed hosts)
 * → 202 Task vm.create (Location: /api/v1/tasks/:id). 400 names each invalid field (also those the chosen host
 * cannot satisfy: OS type, bridged interface, paths outside the shared storage); 403 naming `disk.existing` or `iso`
 * when a non-admin names media outside their tenant's folder (ISOs: or the ISO library, lib/media/folders); 409 when
 * the name is taken, the host is down or in maintenance, or no host fits (automatic placement), or a tenant quota
 * would be exceeded (errors name the quota and by how much) or the chosen host is not one of the tenant's, or the
 * disk or ISO is attached to a machine on any host (lib/media/ownership).
 */
export const POST = route({ action: 'vm:create', body: createMachineSchema }, async ({ body, user }) => {
  // The machine's tenant: the one named (null: none), else the creator's; the policy lets only admins name another.
  const tenant = body.tenant !== undefined ? body.tenant : (user.tenant ?? null);
  if (!can(user, 'vm:create', { tenant })) throw new ProblemError(forbidden());
  const plan = await planCreate({ ...body, tenant }, user);
  return accepted(await startCreate(plan, user));
});
