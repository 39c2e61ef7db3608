import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { deploySchema, startDeploy, type DeployInput } from '@/lib/templates/deploy';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/templates/:id/deploy { name, mode?: 'full'|'linked', macPolicy?, hostId?, tenant? (admins),
 * description?, cpuCount?, memoryMB?, nic?, keepDiskNames? } → 202 Task vm.clone of the template's current
 * state. 404 for a template the caller may not use (another tenant's, not shared with theirs); 400/403/409 as
 * POST /api/v1/vms/:id/clone (fields, tenant, name taken, quotas, hosts).
 */
export const POST = route<{ id: string }, DeployInput>(
  { action: 'vm:create', body: deploySchema, audit: 'template:deploy' },
  async ({ params, body, user }) => accepted(await startDeploy(params.id, body, user)),
);
