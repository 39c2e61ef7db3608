import { route } from '@/lib/api/handler';
import { accepted } from '@/lib/cluster/operations';
import { natRuleSchema, startRemoveRule, startReplaceRule, type NatRuleInput } from '@/lib/networks/forwarding';
import { machineResource } from '@/lib/tenants/access';

export const dynamic = 'force-dynamic';

type Params = { id: string; slot: string; name: string };

/** PUT /api/v1/vms/:id/network/adapters/:slot/forwarding/:name NatRule → 202 Task vm.network (replaces the rule; running or not). */
export const PUT = route<Params, NatRuleInput>({ action: 'vm:edit', body: natRuleSchema, resource: machineResource }, async ({ body, params, user }) =>
  accepted(await startReplaceRule(params.id, params.slot, params.name, body, user)));

/** DELETE /api/v1/vms/:id/network/adapters/:slot/forwarding/:name → 202 Task vm.network. */
export const DELETE = route<Params>({ action: 'vm:edit', resource: machineResource }, async ({ params, user }) =>
  accepted(await startRemoveRule(params.id, params.slot, params.name, user)));
