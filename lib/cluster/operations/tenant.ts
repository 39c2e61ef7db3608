import { z } from 'zod';
import { ProblemError } from '@/lib/api/problem';
import { getTenantByName, TENANT_KEY, TENANT_NAME_RE } from '@/lib/tenants';
import { withLockedMachine } from '@/lib/vbox/session';
import type { MachineSummary } from '../types';
import { copiesOf, inventory } from './common';

/** Body of PUT /api/v1/vms/:id/tenant. */
export const machineTenantSchema = z.strictObject({
  tenant: z.string().trim().regex(TENANT_NAME_RE, 'A tenant name').nullable(),
});

/**
 * Moves a machine to a tenant (null: none) by writing its extradata nimbox/tenant on every host
 * it is registered on, synchronously (a lock and one call per copy, running or not; refused while a
 * task holds a powered-off machine's lock). The live inventory follows through OnExtraDataChanged;
 * the answer already carries the new tenant.
 * 400 for an unknown tenant, 404 for an unknown machine.
 */
export async function setMachineTenant(id: string, tenant: string | null): Promise<MachineSummary> {
  if (tenant && !(await getTenantByName(tenant))) {
    throw new ProblemError({ title: 'Invalid request', status: 400, detail: `No tenant ${tenant}.`, errors: [{ field: 'tenant', message: `No tenant ${tenant}` }] });
  }
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  for (const copy of copies) {
    // VirtualBox takes a registered machine's extradata on its session machine only (as VBoxManage
    // setextradata does): a shared lock, which is a write lock when no VM process holds the machine.
    await copy.client.write((vbox, wsm) => withLockedMachine(vbox, wsm, id, 'Shared', async (session) => {
      await (await session.getMachine()).setExtraData(TENANT_KEY, tenant ?? '');
    }), { release: true });
  }
  inv.recordTenant(id, tenant);
  const row = inv.machine(id) ?? copies[0].summary;
  return { ...row, tenant };
}
