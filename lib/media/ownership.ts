/**
 * Whether a medium is free to attach or delete, asked of every host: each VirtualBox knows only the
 * machines registered with it, so a disk on the shared storage attached to a machine on host B looks
 * free to host A. A medium given by path is in use when any host's media registry (IVirtualBox
 * hardDisks and DVDImages, with their differencing children) lists it with machines attached
 * (IMedium machineIds, of it or of a differencing image built on it), unless its type lets several
 * machines use it (Shareable, Immutable, MultiAttach, or a read-only DVD image put in a DVD drive).
 * Copies of one machine (its twins: the same UUID on several hosts) are one machine.
 *
 * A host that cannot be read cannot vouch for the medium: create refuses, delete keeps the disk.
 * Within this process, a medium being attached (create) or deleted is held (holdMedia), so that a
 * create and a delete, or two creates, cannot pass their checks at the same time.
 */
import path from 'node:path';
import { ProblemError } from '@/lib/api/problem';
import type { Inventory } from '@/lib/cluster/inventory';
import { hostsById } from '@/lib/cluster/operations/common';
import type { VBoxClient } from '@/lib/vbox/client';
import type { IMedium } from '@/lib/vbox/objects';
import type { DeviceType, MediumType } from '@/lib/vbox/types';
import type { MediaCaller, MediumUse } from './folders';

/** One registration of a medium on a host. */
export interface Registration {
  hostId: string;
  hostName: string;
  location: string;
  deviceType: DeviceType;
  type: MediumType;
  /** Machines attached to the medium or to a differencing image built on it (current state or a snapshot). */
  machineIds: string[];
  /** How many differencing images are built on it (0 for DVD images). */
  children: number;
}

export interface MediaUsage {
  /** Per asked location (as asked), its registrations on the hosts read. */
  registrations: Map<string, Registration[]>;
  /** Hosts whose registry could not be read, and why. */
  unchecked: { hostId: string; hostName: string; why: string }[];
}

/** A machine that has the medium attached. */
export interface Holder {
  hostId: string;
  hostName: string;
  machineId: string;
  machineName: string | null;
}

// ---------------------------------------------------------------- paths

const isPosix = (p: string) => path.posix.isAbsolute(p);

/** The key two spellings of one path share: normalized, and case-folded on Windows hosts. */
export function pathKey(p: string): string {
  return isPosix(p) ? path.posix.normalize(p) : path.win32.normalize(p).toLowerCase();
}

// ---------------------------------------------------------------- types

const SHARED_TYPES: readonly MediumType[] = ['Shareable', 'Immutable', 'MultiAttach'];

/** Whether another machine may use the medium while these hold it: its type allows sharing. */
export function sharable(r: Pick<Registration, 'type' | 'deviceType'>, use: MediumUse): boolean {
  if (SHARED_TYPES.includes(r.type)) return true;
  // An ISO image is read-only in every DVD drive; the same file attached as a disk is not.
  return use === 'iso' && r.deviceType === 'DVD' && r.type === 'Readonly';
}

// ---------------------------------------------------------------- reading the registries

/** The machines using a medium: attached to it or to a differencing image built on it (a linked clone, a snapshot's child). */
export async function usersOf(m: IMedium): Promise<string[]> {
  const [own, children] = await Promise.all([m.getMachineIds(), m.getChildren()]);
  const below = await Promise.all(children.map(usersOf));
  return [...new Set([...own, ...below.flat()])];
}

/** Reads one host's registrations of the wanted locations (keys of pathKey). */
async function readHost(client: VBoxClient, hostId: string, hostName: string, wanted: ReadonlySet<string>): Promise<Registration[]> {
  return client.scope(async (vbox) => {
    const [disks, dvds] = await Promise.all([vbox.getHardDisks(), vbox.getDVDImages()]);
    const out: Registration[] = [];
    // hardDisks lists base media only: their differencing images are reached through children.
    const visit = async (m: IMedium, children: boolean): Promise<void> => {
      const [location, kids] = await Promise.all([m.getLocation(), children ? m.getChildren() : Promise.resolve([])]);
      const mine = wanted.has(pathKey(location))
        ? Promise.all([m.getDeviceType(), m.getType(), usersOf(m)]).then(([deviceType, type, machineIds]) => {
          out.push({ hostId, hostName, location, deviceType, type, machineIds, children: kids.length });
        })
        : Promise.resolve();
      await Promise.all([mine, ...kids.map((k) => visit(k, true))]);
    };
    await Promise.all([...disks.map((d) => visit(d, true)), ...dvds.map((d) => visit(d, false))]);
    return out;
  });
}

/**
 * Every host's registrations of the given locations: the hosts registered in Nimbox, read through
 * the inventory's connections, all at once. `exceptHostIds`: hosts the caller has asked already.
 */
export async function readMediaUsage(locations: readonly string[], inv: Inventory, opts: { exceptHostIds?: readonly string[] } = {}): Promise<MediaUsage> {
  const registrations = new Map<string, Registration[]>(locations.map((l) => [l, []]));
  const unchecked: MediaUsage['unchecked'] = [];
  if (locations.length === 0) return { registrations, unchecked };
  const wanted = new Set(locations.map(pathKey));
  const views = [...(await hostsById()).values()].filter((v) => !opts.exceptHostIds?.includes(v.id));
  await Promise.all(views.map(async (view) => {
    const monitor = inv.monitor(view.id);
    const status = inv.host(view.id);
    if (!monitor || !status || status.health === 'down') {
      unchecked.push({ hostId: view.id, hostName: view.name, why: status?.health === 'down' ? `${view.name} is down` : `${view.name} is not connected` });
      return;
    }
    try {
      for (const r of await readHost(monitor.client, view.id, view.name, wanted)) {
        for (const l of registrations.keys()) if (pathKey(l) === pathKey(r.location)) registrations.get(l)!.push(r);
      }
    } catch (e) {
      unchecked.push({ hostId: view.id, hostName: view.name, why: `${view.name} could not be read: ${(e as Error).message}` });
    }
  }));
  unchecked.sort((a, b) => a.hostName.localeCompare(b.hostName));
  return { registrations, unchecked };
}

/**
 * The machines holding a medium, other than `exceptMachineId` (the machine itself, on any host): for
 * an attach, those whose hold its type does not let it share; for a delete, every one.
 */
export function holdersOf(regs: readonly Registration[], use: MediumUse | 'delete', inv: Inventory, exceptMachineId?: string): Holder[] {
  const out: Holder[] = [];
  for (const r of regs) {
    if (use !== 'delete' && sharable(r, use)) continue;
    for (const machineId of r.machineIds) {
      if (machineId === exceptMachineId) continue;
      const name = inv.copyOn(r.hostId, machineId)?.name ?? inv.machine(machineId)?.name ?? null;
      out.push({ hostId: r.hostId, hostName: r.hostName, machineId, machineName: name });
    }
  }
  return out.sort((a, b) => a.hostName.localeCompare(b.hostName) || (a.machineName ?? '').localeCompare(b.machineName ?? ''));
}

/** "web-1 on vbox-alpha, 1f0c… on vbox-bravo" */
export function describeHolders(holders: readonly Holder[]): string {
  const names = holders.slice(0, 3).map((h) => `${h.machineName ?? h.machineId} on ${h.hostName}`);
  return names.join(', ') + (holders.length > 3 ? ` and ${holders.length - 3} more` : '');
}

// ---------------------------------------------------------------- holds (this process)

const g = globalThis as typeof globalThis & { __nimboxMediaHolds?: Map<string, string> };
const holds = (g.__nimboxMediaHolds ??= new Map<string, string>());

/** What holds the medium at `location` in this process (an operation's description), if anything does. */
export function heldBy(location: string): string | undefined {
  return holds.get(pathKey(location));
}

/**
 * Holds media for one operation until the returned release is called; undefined (and nothing held)
 * when one of them is held already.
 */
export function holdMedia(locations: readonly string[], what: string): (() => void) | undefined {
  const keys = [...new Set(locations.map(pathKey))];
  if (keys.some((k) => holds.has(k))) return undefined;
  for (const k of keys) holds.set(k, what);
  return () => {
    for (const k of keys) if (holds.get(k) === what) holds.delete(k);
  };
}

// ---------------------------------------------------------------- the check create asks

export interface WantedMedium {
  /** The request field that named it ('disk.existing', 'iso'). */
  field: string;
  location: string;
  use: MediumUse;
}

/**
 * Refuses (409, a field error per medium) media that a machine on any host has attached and whose
 * type does not allow sharing, media another operation here is attaching or deleting, and any
 * medium at all when a host could not be read. Admins are told which machine and host hold it;
 * anyone else only that it is in use (never whose it is). `holding`: the caller holds these media itself.
 */
export async function assertMediaFree(wanted: readonly WantedMedium[], caller: MediaCaller, inv: Inventory, opts: { holding?: boolean } = {}): Promise<void> {
  if (wanted.length === 0) return;
  const admin = caller.role === 'admin';
  const errors: { field: string; message: string }[] = [];
  const usage = await readMediaUsage(wanted.map((w) => w.location), inv);
  for (const w of wanted) {
    const holders = holdersOf(usage.registrations.get(w.location) ?? [], w.use, inv);
    const held = heldBy(w.location);
    if (holders.length) {
      errors.push({ field: w.field, message: admin ? `In use: attached to ${describeHolders(holders)}` : 'In use by another machine: choose another' });
    } else if (held && !opts.holding) {
      errors.push({ field: w.field, message: admin ? `In use by ${held}` : 'In use by another operation: try again shortly' });
    } else if (usage.unchecked.length) {
      errors.push({
        field: w.field,
        message: admin
          ? `Not checked on every host (${usage.unchecked.map((u) => u.why).join('; ')}): try again when every host answers, or remove the host`
          : 'Not every host could be checked for it: try again shortly',
      });
    }
  }
  if (errors.length) {
    throw new ProblemError({
      title: 'Medium in use',
      status: 409,
      detail: `${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`,
      errors,
    });
  }
}
