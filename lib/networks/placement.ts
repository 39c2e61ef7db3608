/**
 * Machines follow their networks: which cluster networks a machine's adapters are on (extradata
 * `nimbox/network/<slot>`, which travels with the machine), whether a host has them (lib/networks/hosts),
 * and binding a copy's adapters to the mapping of the host it is about to run on. Create, teleport
 * preflight, drains, HA restarts and a manual start elsewhere all ask here.
 */
import { ProblemError } from '@/lib/api/problem';
import type { Inventory } from '@/lib/cluster/inventory';
import type { MachineSummary } from '@/lib/cluster/types';
import type { IMachine, INetworkAdapter, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import { withLockedMachine } from '@/lib/vbox/session';
import type { NetworkAttachmentType } from '@/lib/vbox/types';
import { TENANT_KEY } from '@/lib/tenants';
import { allowedNetworkIdsOf } from './access';
import { hostLacks } from './hosts';
import { NETWORK_KEY_PREFIX, defaultHostName, getNetwork, networkKey, type ClusterNetwork, type NetworkKind } from './store';

export { NETWORK_KEY_PREFIX, networkKey };

/** Adapters a machine has (PIIX3 and ICH9 both allow 8). */
const SLOTS = 8;

export const ATTACHMENT_OF: Record<NetworkKind, NetworkAttachmentType> = {
  bridged: 'Bridged', hostonly: 'HostOnly', internal: 'Internal', natnetwork: 'NATNetwork',
};

/** Slot → cluster network name, from a machine's extradata (all of it, or just its keys and values). */
export function networksFromExtraData(extra: Record<string, string>): Map<number, string> {
  const out = new Map<number, string>();
  for (const [k, v] of Object.entries(extra)) {
    if (!k.startsWith(NETWORK_KEY_PREFIX) || !v) continue;
    const slot = Number(k.slice(NETWORK_KEY_PREFIX.length));
    if (Number.isInteger(slot) && slot >= 0 && slot < SLOTS) out.set(slot, v);
  }
  return out;
}

/** The cluster networks of a machine's enabled adapters, slot by slot, read from the machine itself (`allKeys`: its extradata keys, when read already). */
export async function readAdapterNetworks(m: IMachine, allKeys?: string[]): Promise<Map<number, string>> {
  const keys = (allKeys ?? await m.getExtraDataKeys()).filter((k) => k.startsWith(NETWORK_KEY_PREFIX));
  if (keys.length === 0) return new Map();
  const values = await Promise.all(keys.map((k) => m.getExtraData(k)));
  const all = networksFromExtraData(Object.fromEntries(keys.map((k, i) => [k, values[i]])));
  const enabled = await Promise.all([...all.keys()].map(async (slot) => (await m.getNetworkAdapter(slot)).getEnabled()));
  return new Map([...all].filter((_, i) => enabled[i]));
}

/**
 * The cluster networks a machine is on (names, sorted, once each): from its summary when the
 * inventory carries them, else read from a copy on a host that answers; [] when none can tell.
 */
export async function machineNetworks(m: Pick<MachineSummary, 'id' | 'hostId'> & { networks?: string[] }, inv?: Inventory): Promise<string[]> {
  if (Array.isArray(m.networks)) return [...new Set(m.networks)].sort();
  if (!inv) return [];
  const copies = inv.copies(m.id).filter((c) => !c.stale);
  const order = [...copies.filter((c) => c.hostId === m.hostId), ...copies.filter((c) => c.hostId !== m.hostId)];
  for (const c of order) {
    const client = inv.monitor(c.hostId)?.client;
    if (!client) continue;
    const slots = await client.scope(async (vbox) => readAdapterNetworks(await vbox.findMachine(m.id))).catch(() => null);
    if (slots) return [...new Set(slots.values())].sort();
  }
  return [];
}

export interface Lack {
  network: string;
  reason: string;
}

/** What of `names` the host lacks, each with why ("lab is not defined on bravo"); [] when it has them all. */
export async function lacksOn(hostId: string, names: readonly string[]): Promise<Lack[]> {
  if (names.length === 0) return [];
  return hostLacks(hostId, [...new Set(names)]);
}

/** "lab is not defined on bravo; dmz …" */
export const lackText = (lacks: readonly Lack[]) => lacks.map((l) => l.reason).join('; ');

/** The name a cluster network has on a host (its defaults where the mapping leaves it empty), or null when not mapped there. */
export function mappingOn(net: ClusterNetwork, hostId: string): string | null {
  const h = net.hosts.find((x) => x.hostId === hostId);
  if (!h) return null;
  return h.name || defaultHostName(net.kind, net.name) || null;
}

/** 409: the machine cannot run on the host, naming the networks it lacks. */
export function lacksProblem(machineName: string, hostName: string, lacks: readonly Lack[]): ProblemError {
  const names = lacks.map((l) => l.network);
  return new ProblemError({
    title: 'Network missing on the host', status: 409,
    detail: `${machineName} is on cluster network${names.length === 1 ? '' : 's'} ${names.join(', ')}, which ${hostName} lacks: ${lackText(lacks)}.`,
  });
}

/** Sets one adapter to a cluster network's mapping on a host, when it differs; true when it changed anything. */
export async function attachAdapter(a: INetworkAdapter, net: ClusterNetwork, hostId: string, hostName = hostId): Promise<boolean> {
  const name = mappingOn(net, hostId);
  if (name === null) {
    throw new ProblemError({ title: 'Network missing on the host', status: 409, detail: `Cluster network ${net.name} is not defined on ${hostName}.` });
  }
  const type = ATTACHMENT_OF[net.kind];
  const current = await a.getAttachmentType();
  const currentName = await (net.kind === 'bridged' ? a.getBridgedInterface()
    : net.kind === 'hostonly' ? a.getHostOnlyInterface()
      : net.kind === 'internal' ? a.getInternalNetwork() : a.getNATNetwork());
  if (current === type && currentName === name) return false;
  // The name first: VirtualBox keeps each attachment's name apart, and the type then picks it up.
  if (net.kind === 'bridged') await a.setBridgedInterface(name);
  else if (net.kind === 'hostonly') await a.setHostOnlyInterface(name);
  else if (net.kind === 'internal') await a.setInternalNetwork(name);
  else await a.setNATNetwork(name);
  if (current !== type) await a.setAttachmentType(type);
  return true;
}

/**
 * Binds each adapter whose extradata names a cluster network to that network's mapping on `hostId`,
 * where it differs. `m` is a machine the caller holds for writing (a session's machine, or one being
 * created); `slots` (slot → network) stands in for its extradata when that is not written yet.
 * Throws a 409 naming the network when the host has no mapping for it. Returns the slots it changed.
 */
export async function bindAdapters(m: IMachine, hostId: string, opts: { hostName?: string; slots?: Map<number, string> } = {}): Promise<number[]> {
  const slots = opts.slots ?? await readAdapterNetworks(m);
  const changed: number[] = [];
  if (slots.size === 0) return changed;
  // The extradata is only a claim: a machine of a tenant is bound only to networks its tenant is allowed now
  // (the admin may have taken one back, or the key came from elsewhere). Unknown and not allowed read alike.
  const tenant = (await m.getExtraData(TENANT_KEY)) || null;
  const allowed = await allowedNetworkIdsOf(tenant);
  for (const [slot, name] of [...slots].sort((a, b) => a[0] - b[0])) {
    const net = await getNetwork(name);
    if (tenant !== null && (!net || !allowed?.has(net.id))) {
      throw new ProblemError({
        title: 'Network not allowed', status: 409,
        detail: `NIC ${slot + 1} is on cluster network ${name}, which does not exist or tenant ${tenant} may not use: attach it elsewhere first.`,
      });
    }
    if (!net) throw new ProblemError({ title: 'Network missing', status: 409, detail: `NIC ${slot + 1} is on cluster network ${name}, which no longer exists.` });
    if (await attachAdapter(await m.getNetworkAdapter(slot), net, hostId, opts.hostName)) changed.push(slot);
  }
  return changed;
}

/**
 * Before a start on `hostId`: binds the registered machine's adapters on cluster networks to that
 * host's names, under its own write lock, when any differ. Returns the slots it changed.
 */
export async function bindBeforeStart(vbox: IVirtualBox, wsm: IWebsessionManager, machineId: string, hostId: string, hostName?: string): Promise<number[]> {
  const slots = await readAdapterNetworks(await vbox.findMachine(machineId));
  if (slots.size === 0) return [];
  return withLockedMachine(vbox, wsm, machineId, 'Write', async (session) => {
    const m = await session.getMachine();
    const changed = await bindAdapters(m, hostId, { hostName, slots });
    if (changed.length) await m.saveSettings();
    return changed;
  });
}
