import { z } from 'zod';
import { route } from '@/lib/api/handler';
import { machineResource } from '@/lib/tenants/access';
import { getInventory } from '@/lib/cluster/inventory';
import { screenshot } from '@/lib/console/screenshot';

const query = z.object({
  width: z.coerce.number().int('A whole number of pixels').min(16, 'At least 16').max(1920, 'At most 1920').default(320),
});

/**
 * GET /api/v1/vms/:id/screenshot?width= → image/png: the running machine's screen, at
 * most `width` pixels wide (default 320), at most ~3 s old (cached per machine and
 * width). 409 when the machine is not running.
 */
export const GET = route<{ id: string }, undefined, z.infer<typeof query>>({ action: 'console:view', query, resource: machineResource }, async ({ params, query: q }) => {
  const inventory = getInventory();
  await inventory.start();
  const png = await screenshot(inventory, params.id, q.width);
  return new Response(new Uint8Array(png), {
    headers: { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=3', 'Content-Length': String(png.length) },
  });
});
