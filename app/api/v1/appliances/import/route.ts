import { route } from '@/lib/api/handler';
import { importSchema, planImport, startImport } from '@/lib/appliances';
import { accepted } from '@/lib/cluster/operations';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/appliances/import { path, hostId?, tenant?, macPolicy?, importToVDI?, systems: [{ index, name?,
 * cpuCount?, memoryMB?, diskFolder?, networks?: [{ index, network?, bridgedInterface? }] }] } → 202 task vm.import
 * (target: the first new machine once made). Every system of the appliance is imported; `systems` changes the ones
 * it names. 400 naming each field, 403 for paths outside the caller's folder or another tenant, 409 for taken names,
 * quotas, hosts; 422 with VirtualBox's text for an appliance it cannot read. Policy vm:create.
 */
export const POST = route({ action: 'vm:create', body: importSchema, audit: 'appliance:import' }, async ({ user, body }) => accepted(await startImport(await planImport(body, user), user)));
