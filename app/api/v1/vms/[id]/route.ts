import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { machineResource } from '@/lib/tenants/access';
import { notFound, ProblemError } from '@/lib/api/problem';
import { machineDetail } from '@/lib/cluster/details';
import { getInventory } from '@/lib/cluster/inventory';
import { accepted, editMachineSchema, startDelete, startEdit } from '@/lib/cluster/operations';

/** GET /api/v1/vms/:id (the machine's UUID) → MachineDetail, read live from its host. */
export const GET = route<{ id: string }>({ action: 'vm:read', resource: machineResource }, async ({ params }) => {
  const inventory = getInventory();
  await inventory.start();
  const detail = await machineDetail(inventory, params.id);
  if (!detail) throw new ProblemError(notFound(`Machine ${params.id}`));
  return detail;
});

/**
 * PATCH /api/v1/vms/:id { name?, description?, cpuCount?, memoryMB?, nic?: { attachmentType?, bridgedInterface?,
 * adapterType?, cableConnected? }, bootOrder?, vrde?: { ports?, password? } } → 202 Task vm.edit, applied on every
 * host the machine is registered on. 400 names each invalid field; 409 unless powered off everywhere, or a taken name.
 */
export const PATCH = route<{ id: string }, z.output<typeof editMachineSchema>>({ action: 'vm:edit', body: editMachineSchema, resource: machineResource }, async ({ params, body, user }) =>
  accepted(await startEdit(params.id, body, user)));

const deleteQuery = z.strictObject({
  deleteDisks: z.enum(['true', 'false'], { message: 'true or false' }).default('false'),
});

/**
 * DELETE /api/v1/vms/:id?deleteDisks=true|false → 202 Task vm.delete: unregisters the machine on every host it is
 * registered on and deletes its settings, and its disk files when deleteDisks=true. 409 unless powered off everywhere.
 */
export const DELETE = route<{ id: string }, undefined, z.output<typeof deleteQuery>>({ action: 'vm:delete', query: deleteQuery, resource: machineResource }, async ({ params, query, user }) =>
  accepted(await startDelete(params.id, query.deleteDisks === 'true', user)));
