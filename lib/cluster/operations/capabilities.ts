/**
 * What a host offers new machines (the create wizard's choices): its guest OS types, bridged
 * interfaces, free memory, CPUs and shared storage path. Read live from the host, the slow-changing
 * part cached a few minutes per host; free memory and CPUs come from the live inventory when it has them.
 */
import { ProblemError, notFound } from '@/lib/api/problem';
import { getDb } from '@/lib/db';
import { getHost, type HostView } from '@/lib/db/hosts';
import type { Inventory } from '../inventory';
import { inventory, requireUp } from './common';
import { mediaFolders, type MediaCaller } from '@/lib/media/folders';
import { allowedNetworkIdsFor } from '@/lib/networks/access';
import { networkStatusOn, tryReadHostNetworks, type NetworkState } from '@/lib/networks/hosts';
import { listNetworks, type NetworkKind } from '@/lib/networks/store';

export interface OsTypeInfo {
  id: string;
  description: string;
  familyId: string;
  is64Bit: boolean;
  recommendedRAM: number;
  recommendedHDDBytes: number;
}

/** GET /api/v1/hosts/:id/capabilities */
export interface HostCapabilities {
  hostId: string;
  osTypes: OsTypeInfo[];
  /** Names of the host's interfaces a NIC can be bridged to (IHost bridged interfaces). */
  bridgedInterfaces: string[];
  memoryAvailableMB: number;
  cpus: number;
  /** The host's shared-storage path (registry setting), or null. */
  storagePath: string | null;
  /** Where the caller may name media from (lib/media): disks (null: nowhere) and ISO images. */
  mediaFolders: { disks: string | null; isos: string[] };
  /** The host's settings the wizard starts from. */
  bridgeAdapter: string;
  vrdePorts: string;
  maintenance: boolean;
  /** The host's host-only interfaces, NAT networks, internal networks in use and generic drivers (admins; [] for others). */
  hostOnlyInterfaces: string[];
  natNetworks: string[];
  internalNetworks: string[];
  genericDrivers: string[];
  /** The cluster networks the caller may use, with their state on this host (issue 15). */
  networks: { name: string; kind: NetworkKind; state: NetworkState }[];
  /** ISO time the host was read. */
  readAt: string;
}

/** What is read from the host (and cached). */
type HostRead = Pick<HostCapabilities, 'osTypes' | 'bridgedInterfaces' | 'memoryAvailableMB' | 'cpus' | 'readAt'>;

const CAPABILITIES_TTL_MS = 3 * 60_000;

// Per process, on globalThis like the inventory: Next's route bundles share it.
const g = globalThis as typeof globalThis & { __nimboxCapabilities?: Map<string, { at: number; read: Promise<HostRead> }> };
const cache = (g.__nimboxCapabilities ??= new Map());

/** Drops the cached reads (all hosts, or one). */
export function forgetCapabilities(hostId?: string): void {
  if (hostId) cache.delete(hostId);
  else cache.clear();
}

async function readHost(inv: Inventory, hostId: string): Promise<HostRead> {
  const monitor = inv.monitor(hostId);
  if (!monitor) throw new ProblemError(notFound(`Host ${hostId}`));
  return monitor.client.scope(async (vbox) => {
    const host = await vbox.getHost();
    const [types, bridged, memoryAvailableMB, cpus] = await Promise.all([
      vbox.getGuestOSTypes(), host.findHostNetworkInterfacesOfType('Bridged'), host.getMemoryAvailable(), host.getProcessorOnlineCount(),
    ]);
    const names = await Promise.all(bridged.map((i) => i.getName()));
    return {
      osTypes: types
        .filter((t) => !t.platformArchitecture || t.platformArchitecture === 'x86')
        .map((t) => ({
          id: t.id, description: t.description, familyId: t.familyId, is64Bit: t.is64Bit,
          recommendedRAM: t.recommendedRAM, recommendedHDDBytes: t.recommendedHDD,
        })),
      bridgedInterfaces: names,
      memoryAvailableMB,
      cpus,
      readAt: new Date().toISOString(),
    };
  });
}

async function cachedRead(inv: Inventory, hostId: string): Promise<HostRead> {
  const hit = cache.get(hostId);
  if (hit && Date.now() - hit.at < CAPABILITIES_TTL_MS) return hit.read;
  const read = readHost(inv, hostId);
  cache.set(hostId, { at: Date.now(), read });
  read.catch(() => {
    if (cache.get(hostId)?.read === read) cache.delete(hostId);
  });
  return read;
}

/** A host's capabilities; 404 for an unknown host, 409 when it is not connected. */
export async function hostCapabilities(hostId: string, known?: { inv: Inventory; host: HostView }, caller: MediaCaller = { role: 'admin', tenant: null }): Promise<HostCapabilities> {
  const inv = known?.inv ?? (await inventory());
  const view = known?.host ?? (await getHost(await getDb(), hostId));
  if (!view) throw new ProblemError(notFound(`Host ${hostId}`));
  const status = inv.host(hostId);
  requireUp(status, view.name);
  const read = await cachedRead(inv, hostId);
  const facts = await tryReadHostNetworks(hostId, inv);
  const allowed = await allowedNetworkIdsFor(caller);
  const admin = caller.role === 'admin';
  const networks = (await listNetworks())
    .filter((n) => allowed === null || allowed.has(n.id))
    .map((n) => ({ name: n.name, kind: n.kind, state: networkStatusOn(n, hostId, facts, view.name).state }));
  return {
    hostId,
    osTypes: read.osTypes,
    // Tenants bridge only to the default bridge: the host's other interfaces are not theirs to know.
    bridgedInterfaces: admin ? read.bridgedInterfaces : read.bridgedInterfaces.filter((n) => n === view.bridgeAdapter),
    memoryAvailableMB: status.memoryAvailableMB ?? read.memoryAvailableMB,
    cpus: status.cpus ?? read.cpus,
    storagePath: view.storagePath,
    mediaFolders: mediaFolders(caller, view.storagePath),
    bridgeAdapter: view.bridgeAdapter,
    vrdePorts: view.vrdePorts,
    maintenance: view.maintenance,
    hostOnlyInterfaces: admin ? (facts?.hostOnly.map((h) => h.name) ?? []) : [],
    natNetworks: admin ? (facts?.natNetworks.map((h) => h.name) ?? []) : [],
    internalNetworks: admin ? (facts?.internal ?? []) : [],
    genericDrivers: admin ? (facts?.genericDrivers ?? []) : [],
    networks,
    readAt: read.readAt,
  };
}
