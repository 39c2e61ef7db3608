import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { natRuleSchema, startAddRule, type NatRuleInput } from '@/lib/networks/forwarding';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

/**
 * POST /api/v1/vms/:id/network/adapters/:slot/forwarding { name?, protocol, hostIP?, hostPort, guestIP?, guestPort }
 * → 202 Task vm.network (running or not). 409 with VirtualBox's text for a taken name or host port, or an adapter not on NAT.
 */
export const POST = route<{ id: string; slot: string }, NatRuleInput>({ action: 'vm:edit', body: natRuleSchema, resource: machineResource }, async ({ body, params, user }) =>
  accepted(await startAddRule(params.id, params.slot, body, user)));
