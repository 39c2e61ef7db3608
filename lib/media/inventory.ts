/**
 * The media manager's list: every medium (hard disks with their differencing children, DVD and
 * floppy images) of every host, read from each host's media registry through its VBoxClient, one
 * row per medium however many hosts have it registered (merged by UUID, else by location).
 *
 * Each host's rows are cached for a few seconds (TTL) so that warm answers come from memory; past
 * the TTL a request starts a new read and answers from the last rows meanwhile (only a host never
 * read is waited for). A host that is down or fails to answer keeps its last rows, marked stale,
 * rather than its media vanishing.
 * Who sees which rows (tenants) is decided by visibleMedia(), on the merged rows.
 */
import type { User } from '@/lib/auth/policy';
import type { Inventory } from '@/lib/cluster/inventory';
import { hostsById, underStorage } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import type { VBoxClient } from '@/lib/vbox/client';
import { SoapFaultError } from '@/lib/vbox/errors';
import type { IMedium } from '@/lib/vbox/objects';
import type { DeviceType, MediumState, MediumType } from '@/lib/vbox/types';
import { isoLibrary, tenantFolder } from './folders';
import { linkedClonesByMedium, type LinkedClone } from './linked-clones';
import { pathKey } from './ownership';

/** One medium as one host's VirtualBox lists it. */
export interface HostMedium {
  id: string;
  name: string;
  location: string;
  format: string;
  deviceType: DeviceType;
  logicalSizeBytes: number;
  sizeBytes: number;
  type: MediumType;
  state: MediumState;
  /** The machines using it (IMedium machineIds), each with the snapshots that do (IMedium getSnapshotIds). */
  users: HostMediumUser[];
  parentId: string | null;
  children: string[];
}

export interface HostMediumUser {
  machineId: string;
  /** Whether the machine's current state has it attached; null when the host does not tell (no getSnapshotIds). */
  inCurrentState: boolean | null;
  /** The snapshots of the machine that have it attached; null when the host does not tell. */
  snapshotIds: string[] | null;
}

export interface MediumHost {
  hostId: string;
  hostName: string;
  /** The UUID this host knows the medium by (an ISO's differs per host). */
  mediumId: string;
  state: MediumState;
  /** Whether this host's facts are from an earlier read (it did not answer now). */
  stale: boolean;
}
export interface MediumUser extends HostMediumUser {
  machineName: string | null;
  hostId: string;
  hostName: string;
}

/** One row of GET /api/v1/media: the medium's facts, on which hosts it is registered and who uses it. */
export interface MediumRow extends Omit<HostMedium, 'state' | 'users'> {
  hosts: MediumHost[];
  usedBy: MediumUser[];
  /** Whether a host's rows for it are from an earlier read (the host did not answer now). */
  stale: boolean;
  /** Machines whose linked clones build on it (lib/media/linked-clones): it cannot be deleted while they stand. */
  linkedClones?: LinkedClone[];
}

// ---------------------------------------------------------------- reading one host

/** The last part of a location in either path syntax (VirtualBox's IMedium name). */
const fileName = (location: string) => location.slice(Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')) + 1);

/** What a host that lacks a method answers (vboxsim, before it implements it): the method is not there at all. */
const notImplemented = (e: unknown) => e instanceof SoapFaultError && /not implemented/i.test(e.faultString);

/**
 * Which snapshots of each machine use the medium: IMedium getSnapshotIds gives the machine's own id
 * first when its current state has the medium attached, then the snapshots' ids.
 */
async function usersOf(m: IMedium, machineIds: string[]): Promise<HostMediumUser[]> {
  return Promise.all(machineIds.map(async (machineId): Promise<HostMediumUser> => {
    try {
      const ids = await m.getSnapshotIds(machineId);
      const inCurrentState = ids[0]?.toLowerCase() === machineId.toLowerCase();
      return { machineId, inCurrentState, snapshotIds: inCurrentState ? ids.slice(1) : ids };
    } catch (e) {
      if (notImplemented(e)) return { machineId, inCurrentState: null, snapshotIds: null };
      throw e;
    }
  }));
}

/**
 * One medium's facts, each one call, all at once; then its users and (hard disks) its differencing
 * children, visited in turn. hardDisks lists base media only: differencing images are reached through
 * children and learn their parent from the walk (no IMedium parent call). Calls saved per medium:
 * IMedium name is the location's file name, the device type is the list's, and a DVD image's type is Readonly.
 */
async function readMedium(
  m: IMedium, deviceType: DeviceType, slot: <T>(fn: () => Promise<T>) => Promise<T>,
  visit: (m: IMedium, parentId: string, deviceType: DeviceType) => Promise<string>,
): Promise<HostMedium> {
  const walk = deviceType === 'HardDisk';
  const { row, kids } = await slot(async () => {
    const [id, location, format, logicalSize, size, type, state, machineIds, kids] = await Promise.all([
      m.getId(), m.getLocation(), m.getFormat(), m.getLogicalSize(), m.getSize(),
      // A DVD image is Readonly, always (VirtualBox refuses any other type for it).
      deviceType === 'DVD' ? ('Readonly' as const) : m.getType(), m.getState(), m.getMachineIds(), walk ? m.getChildren() : Promise.resolve([]),
    ]);
    const users = await usersOf(m, machineIds);
    const row: HostMedium = {
      id, name: fileName(location), location, format, deviceType, logicalSizeBytes: logicalSize, sizeBytes: size, type, state, users, parentId: null, children: [],
    };
    return { row, kids };
  });
  row.children = await Promise.all(kids.map((k) => visit(k, row.id, 'HardDisk')));
  return row;
}

/** Media read at once per host: enough to keep every connection busy; the rest wait their turn, not as thousands of queued calls. */
const MEDIA_AT_ONCE = 16;

/** Runs at most `n` of the functions given to it at a time. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * The media references each host's last read obtained. vboxwebsrv gives an object the same reference
 * every time within a websession, so the next read gets the same ones back: they are kept rather than
 * released after each read (which would cost one more call per medium), and only those of media gone
 * from the registry since are released.
 */
const held = new WeakMap<VBoxClient, Map<string, IMedium>>();

/**
 * Every medium of one host: base media and their differencing children, DVD and floppy images. All
 * of a medium's facts are asked at once, and every medium at once: the host's connections (its share
 * of vboxwebsrv's worker threads) carry them as fast as they answer.
 */
export async function readHostMedia(client: VBoxClient): Promise<HostMedium[]> {
  const seen = new Map<string, IMedium>();
  const rows = await client.read(async (vbox) => {
    seen.clear();
    const [disks, dvds, floppies] = await Promise.all([vbox.getHardDisks(), vbox.getDVDImages(), vbox.getFloppyImages()]);
    // One read per medium, whichever way it is reached (a server listing a differencing image among
    // the base media as well as among its parent's children still gives one row, with its parent).
    const reads = new Map<string, Promise<HostMedium>>();
    const slot = limiter(MEDIA_AT_ONCE);
    const visit = async (m: IMedium, parentId: string | null, deviceType: DeviceType): Promise<string> => {
      let read = reads.get(m.ref);
      if (!read) {
        seen.set(m.ref, m);
        reads.set(m.ref, read = readMedium(m, deviceType, slot, visit));
      }
      const row = await read;
      row.parentId ??= parentId;
      return row.id;
    };
    await Promise.all([...disks.map((d) => visit(d, null, 'HardDisk')), ...dvds.map((d) => visit(d, null, 'DVD')), ...floppies.map((d) => visit(d, null, 'Floppy'))]);
    return Promise.all(reads.values());
  });
  const before = held.get(client);
  held.set(client, seen);
  const websession = client.websession;
  for (const [ref, m] of before ?? []) {
    if (!seen.has(ref) && m.websession === websession) m.release().catch(() => undefined);
  }
  return rows;
}

// ---------------------------------------------------------------- the per-host cache

/** How long a host's rows answer from memory (ms). */
export const MEDIA_TTL_MS = 3_000;

interface HostEntry {
  rows: HostMedium[];
  readAt: number;
  stale: boolean;
  pending?: Promise<void>;
}

const g = globalThis as typeof globalThis & { __nimboxMediaCache?: Map<string, HostEntry>; __nimboxMediaGeneration?: { n: number } };
const cache = (g.__nimboxMediaCache ??= new Map<string, HostEntry>());
/** Bumped by clearMediaCache: a read started before the clear must not put its (older) rows back. */
const generation = (g.__nimboxMediaGeneration ??= { n: 0 });

/** Forgets every host's rows (tests, and after a media change this process made). */
export function clearMediaCache(): void {
  generation.n++;
  cache.clear();
}

/** Brings one host's entry up to date (at most one read per host at a time). */
function refresh(inv: Inventory, host: HostView, ttlMs: number): Promise<void> {
  const entry = cache.get(host.id);
  const monitor = inv.monitor(host.id);
  const status = inv.host(host.id);
  const markStale = () => {
    const e = cache.get(host.id);
    if (e) e.stale = true;
    else cache.set(host.id, { rows: [], readAt: 0, stale: true });
  };
  // A host the inventory knows is down is stale at once, however fresh its last rows.
  if (!monitor || !status || status.health === 'down') {
    markStale();
    return Promise.resolve();
  }
  if (entry && !entry.stale && Date.now() - entry.readAt < ttlMs) return Promise.resolve();
  // Rows read before answer at once while a newer read runs (a host's registry takes seconds to
  // read at hundreds of media); readAt says how old they are. Only a first read is waited for.
  if (entry?.pending) return entry.readAt > 0 && !entry.stale ? Promise.resolve() : entry.pending;
  const gen = generation.n;
  const pending = readHostMedia(monitor.client).then(
    (rows) => { if (gen === generation.n) cache.set(host.id, { rows, readAt: Date.now(), stale: false }); },
    () => { if (gen === generation.n) markStale(); },
  ).then(() => (gen === generation.n ? undefined : refresh(inv, host, ttlMs))).finally(() => {
    const e = cache.get(host.id);
    if (e?.pending === pending) delete e.pending;
  });
  if (entry) entry.pending = pending;
  else cache.set(host.id, { rows: [], readAt: 0, stale: true, pending });
  return entry && entry.readAt > 0 && !entry.stale ? Promise.resolve() : pending;
}

// ---------------------------------------------------------------- merging

/**
 * Every host's media, merged into one row per medium (the hosts registered in Nimbox, read at most
 * ttlMs ago). Rows merge by location, never by UUID alone: every host mounts the storage at the same
 * path, each VirtualBox gives an image without a UUID of its own (an ISO) a random one when it opens it,
 * and a file anyone can write may claim another medium's UUID (an uploaded image), which must not make
 * it that medium's row (and owner). Each host's UUID for a file is in its `hosts` entry.
 */
export async function listMedia(inv: Inventory, opts: { ttlMs?: number } = {}): Promise<{ rows: MediumRow[]; readAt: string; hosts: Map<string, HostView> }> {
  const hosts = await hostsById();
  await Promise.all([...hosts.values()].map((h) => refresh(inv, h, opts.ttlMs ?? MEDIA_TTL_MS)));
  const byPath = new Map<string, MediumRow>();
  for (const h of [...hosts.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const entry = cache.get(h.id);
    if (!entry) continue;
    for (const m of entry.rows) {
      const where = pathKey(m.location);
      let row = byPath.get(where);
      if (!row) {
        row = {
          id: m.id, name: m.name, location: m.location, format: m.format, deviceType: m.deviceType, logicalSizeBytes: m.logicalSizeBytes,
          sizeBytes: m.sizeBytes, type: m.type, hosts: [], usedBy: [], parentId: m.parentId, children: [...m.children], stale: false,
        };
        byPath.set(where, row);
      } else {
        for (const c of m.children) if (!row.children.includes(c)) row.children.push(c);
        row.parentId ??= m.parentId;
      }
      row.hosts.push({ hostId: h.id, hostName: h.name, mediumId: m.id, state: m.state, stale: entry.stale });
      row.stale ||= entry.stale;
      for (const u of m.users) {
        const name = inv.copyOn(h.id, u.machineId)?.name ?? inv.machine(u.machineId)?.name ?? null;
        row.usedBy.push({ ...u, machineName: name, hostId: h.id, hostName: h.name });
      }
    }
  }
  const rows = [...byPath.values()];
  for (const [key, clones] of linkedClonesByMedium(rows, inv)) byPath.get(key)!.linkedClones = clones;
  const readAts = [...hosts.keys()].map((id) => cache.get(id)?.readAt ?? 0).filter((t) => t > 0);
  const readAt = new Date(readAts.length ? Math.min(...readAts) : Date.now()).toISOString();
  return { rows, readAt, hosts };
}

// ---------------------------------------------------------------- who sees what

/**
 * The rows the caller may see, as the caller may see them. Admins: everything. A tenant's user:
 * media under their tenant's folder or the ISO library of a host's storage path, on hosts their
 * tenant may use, with only their tenant's machines in usedBy (another tenant's names never show).
 * A non-admin without a tenant: nothing.
 */
export function visibleMedia(
  rows: readonly MediumRow[], user: Pick<User, 'role' | 'tenant'>, hosts: ReadonlyMap<string, HostView>, inv: Inventory,
  mayUseHost: (hostId: string) => boolean,
): MediumRow[] {
  if (user.role === 'admin') return [...rows];
  const tenant = user.tenant;
  if (!tenant) return [];
  const out: MediumRow[] = [];
  for (const r of rows) {
    const theirs = r.hosts.filter((h) => {
      const storage = hosts.get(h.hostId)?.storagePath;
      if (!storage || !mayUseHost(h.hostId)) return false;
      return !!(underStorage(tenantFolder(storage, tenant), r.location) || underStorage(isoLibrary(storage), r.location));
    });
    if (!theirs.length) continue;
    const hostIds = new Set(theirs.map((h) => h.hostId));
    const usedBy = r.usedBy.filter((u) => hostIds.has(u.hostId) && (inv.copyOn(u.hostId, u.machineId) ?? inv.machine(u.machineId))?.tenant === tenant);
    const linkedClones = r.linkedClones?.filter((c) => inv.machine(c.id)?.tenant === tenant);
    out.push({ ...r, hosts: theirs, usedBy, stale: theirs.some((h) => h.stale), ...(linkedClones ? { linkedClones } : {}) });
  }
  return out;
}
