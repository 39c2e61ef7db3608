import { route } from '@/lib/api/handler';
import { machineResource } from '@/lib/tenants/access';
import { getInventory } from '@/lib/cluster/inventory';
import { consoleTarget } from '@/lib/console/target';
import { consoleUrl, issueTicket } from '@/lib/console/ticket';
import type { ConsoleTicket } from '@/lib/console/types';
import { getDb } from '@/lib/db';

/**
 * POST /api/v1/vms/:id/console → ConsoleTicket: a one-time ticket for the machine's
 * screen, bound to the caller and to the host and VNC port the machine runs on now;
 * 409 when it has no console (not running, VRDE off or not listening). The VNC
 * password never leaves the server: the gateway logs in for the browser.
 */
export const POST = route<{ id: string }>({ action: 'console:open', resource: machineResource }, async ({ params, user }) => {
  const inventory = getInventory();
  await inventory.start();
  const target = await consoleTarget(inventory, await getDb(), params.id);
  const { ticket, claims } = issueTicket({ sub: user.id, vm: target.machineId, host: target.hostId, port: target.port });
  const body: ConsoleTicket = {
    ticket,
    url: consoleUrl(ticket),
    expiresAt: new Date(claims.exp).toISOString(),
    machine: { id: target.machineId, name: target.machineName, hostId: target.hostId, hostName: target.hostName },
  };
  return body;
});
