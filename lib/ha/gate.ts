import { ProblemError } from '@/lib/api/problem';
import type { Inventory } from '@/lib/cluster/inventory';
import type { MachineSummary } from '@/lib/cluster/types';
import { RUNNING } from '@/lib/cluster/host-monitor';
import { lacksOn, lacksProblem, machineNetworks } from '@/lib/networks/placement';

/**
 * Refuses to start a machine elsewhere while a copy of it may still run on a host that does not
 * answer and is not fenced (manual failover only after fencing): 409 naming the host.
 */
export function requireNoLiveCopyElsewhere(inv: Inventory, m: MachineSummary): void {
  for (const c of inv.copies(m.id)) {
    if (c.hostId === m.hostId || !c.stale || !(RUNNING.has(c.state) || c.state === 'OnlineSnapshotting')) continue;
    if (inv.host(c.hostId)?.ha?.stage === 'fenced') continue;
    throw new ProblemError({
      title: 'May still run elsewhere', status: 409,
      detail: `${m.name} was last ${c.state} on ${c.hostName}, which does not answer and is not fenced: starting it on ${m.hostName} could run it twice on the same disks. ` +
        `Confirm on the HA page that ${c.hostName} is powered off (or wait for its fence agent), then start it.`,
    });
  }
}


/**
 * Refuses to start a machine on a host that lacks one of its cluster networks (a twin started
 * elsewhere by hand, or a host whose network went missing): 409 naming the network and the host.
 */
export async function requireNetworksOn(inv: Inventory, m: MachineSummary): Promise<void> {
  const networks = await machineNetworks(m, inv);
  const lacks = await lacksOn(m.hostId, networks);
  if (lacks.length) throw lacksProblem(m.name, m.hostName, lacks);
}
