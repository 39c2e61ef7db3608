/**
 * Which instance does what (issue 19), for admins: the instance holding a host's event listener, and the
 * instances alive with the leases each holds. Read through the Coord contract only, so SQLite's one
 * instance answers the same way (it holds every lease it competes for).
 */
import type { Coord } from './index';

/** The lease of a host's event listener and reconcile (contract 2; lib/cluster/inventory competes for it). */
export const hostLease = (hostId: string) => `host:${hostId}`;

/** The once-per-cluster leases (contract 2) besides the hosts' ones. */
const SINGLETON_LEASES = ['ha', 'tasks', 'teleport-janitor', 'history', 'usage', 'webhook-sources'] as const;

/** The instance running a host's event listener, or null (none yet, or being taken over). */
export async function hostListener(coord: Coord, hostId: string): Promise<{ instance: string } | null> {
  const holder = await coord.holder(hostLease(hostId));
  return holder ? { instance: holder } : null;
}

/** The instances alive now, this one included even before its first heartbeat is recorded (rows it owns are never stale). */
export async function liveInstances(coord: Coord): Promise<string[]> {
  return [...new Set([coord.instanceId, ...(await coord.alive())])];
}

export interface ClusterInstance {
  id: string;
  /** The instance answering this request. */
  self: boolean;
  /** The leases it holds, sorted: the singletons' names and `host:<id>`. */
  leases: string[];
}

/** The instances alive now (this one first), each with the leases it holds among the singletons' and `hostIds`' ones. */
export async function clusterInstances(coord: Coord, hostIds: readonly string[]): Promise<ClusterInstance[]> {
  const names = [...SINGLETON_LEASES, ...hostIds.map(hostLease)];
  const [alive, holders] = await Promise.all([coord.alive(), Promise.all(names.map((n) => coord.holder(n)))]);
  const leases = new Map(alive.map((id) => [id, [] as string[]]));
  names.forEach((name, i) => leases.get(holders[i] ?? '')?.push(name));
  return alive
    .map((id) => ({ id, self: id === coord.instanceId, leases: leases.get(id)!.sort() }))
    .sort((a, b) => Number(b.self) - Number(a.self) || a.id.localeCompare(b.id));
}
