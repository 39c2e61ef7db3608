import type { User } from '@/lib/auth/policy';
import { consoleTarget } from './target';
import { consoleUrl, issueTicket, type ConsoleMode } from './ticket';
import type { ConsoleTicket } from './types';

/**
 * A ticket for the console of a machine as it runs now, bound to the user, the host and
 * VNC port and the mode (and the embed link it was asked with, if any). The caller has
 * asked the policy. Throws a ProblemError when the machine has no console (consoleTarget).
 */
export async function openConsole(user: User, machineId: string, mode: ConsoleMode, link?: string): Promise<ConsoleTicket> {
  const target = await consoleTarget(machineId);
  const { ticket, claims } = issueTicket({ sub: user.id, vm: target.machineId, host: target.hostId, port: target.port, mode, link });
  return {
    ticket,
    url: consoleUrl(ticket),
    expiresAt: new Date(claims.exp).toISOString(),
    machine: { id: target.machineId, name: target.machineName, hostId: target.hostId, hostName: target.hostName },
    viewOnly: mode === 'view',
  };
}
