import { ProblemError } from '@/lib/api/problem';
import { getInventory } from '@/lib/cluster/inventory';
import { getDb } from '@/lib/db';
import { getHost } from '@/lib/db/hosts';
import { vrdePortInUse } from '@/lib/vbox/session';
import { CONSOLE_STATES } from './types';

/**
 * Where a machine's console is: the host it runs on, the address Nimbox reaches that
 * host's VRDE ports at (HostView.consoleAddress), and the port its VNC server listens
 * on, read live from VirtualBox. Both the ticket route and the gateway ask this: the
 * route to bind a ticket to a host and port, the gateway to check they still hold.
 */
export interface ConsoleTarget {
  machineId: string;
  machineName: string;
  hostId: string;
  hostName: string;
  address: string;
  port: number;
  /** The VRDE property VNCPassword ('' when none). Server-side only: never in a response, ticket or log. */
  password: string;
}

const problem = (status: number, title: string, detail: string) => new ProblemError({ title, status, detail });

/**
 * The console of a machine as it is now. Throws a ProblemError: 404 unknown machine,
 * 409 not running / VRDE off / VRDE not listening, 503 its host unreachable.
 */
export async function consoleTarget(machineId: string): Promise<ConsoleTarget> {
  const inventory = getInventory();
  await inventory.start();
  const summary = inventory.machine(machineId);
  if (!summary) throw problem(404, 'Not found', `Machine ${machineId} does not exist.`);
  if (summary.stale) throw problem(503, 'Host unreachable', `${summary.hostName} cannot be reached; its machines' consoles are unavailable.`);
  if (!CONSOLE_STATES.has(summary.state)) {
    throw problem(409, 'Machine not running', `${summary.name} is ${summary.state}: only a running machine has a console.`);
  }
  const monitor = inventory.monitor(summary.hostId);
  const host = await getHost(await getDb(), summary.hostId);
  if (!monitor || !host) throw problem(503, 'Host unreachable', `The host of ${summary.name} is no longer registered.`);

  const vrde = await monitor.client.scope(async (vbox, manager) => {
    const m = await vbox.findMachine(machineId);
    const server = await m.getVRDEServer();
    const [enabled, password] = await Promise.all([server.getEnabled(), server.getVRDEProperty('VNCPassword')]);
    return { enabled, password, port: enabled ? await vrdePortInUse(vbox, manager, m) : null };
  });
  if (!vrde.enabled) {
    throw problem(409, 'Console disabled', `The remote display (VRDE) of ${summary.name} is off; enable it in the machine's settings.`);
  }
  if (vrde.port === null) {
    throw problem(409, 'Console not listening', `The remote display (VRDE) server of ${summary.name} is not running (no free port, or the VNC extension pack is missing).`);
  }
  return {
    machineId: summary.id, machineName: summary.name, hostId: summary.hostId, hostName: summary.hostName,
    address: host.consoleAddress, port: vrde.port, password: vrde.password,
  };
}
