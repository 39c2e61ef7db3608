/**
 * A tenant's disk quota (maxDiskGB) for media: what the tenant holds is the logical size of every
 * medium in its folder under the shared storage, cluster-wide and each medium once (the media
 * list's rows; a differencing image — a snapshot's or a linked clone's — counts what it has allocated,
 * its base in the folder it lies in), plus what creates, copies and resizes in flight hold
 * (quota_reservations, keyed `medium:<location key>`, and the new disks of machine creates). A medium counts as the larger of its listed size and what
 * is held for it, so a resize holds only its growth and a new medium never counts twice.
 *
 * Within this process one tenant's checks and releases take turns: a check reads the media list and
 * then the reservations, and a release clears the list's cache before it drops the reservation, so
 * a medium just made is always in one of the two.
 */
import { ProblemError } from '@/lib/api/problem';
import type { Inventory } from '@/lib/cluster/inventory';
import type { HostView } from '@/lib/db/hosts';
import type { Tenant } from '@/lib/tenants';
import { reserveQuota, type HeldRow, type Reservation } from '@/lib/tenants/reservations';
import { underStorage } from '@/lib/cluster/operations/common';
import { tenantFolder, TENANTS_FOLDER } from './folders';
import { clearMediaCache, listMedia, type MediumRow } from './inventory';
import { pathKey } from './ownership';
import path from 'node:path';

export const GB = 1024 ** 3;

/** The key a medium's reservation and task locks use: `medium:<location key>`. */
export const mediumKey = (location: string): string => `medium:${pathKey(location)}`;

/** "12 GB", "1.5 GB" */
export function formatGB(bytes: number): string {
  const gb = bytes / GB;
  return `${Number.isInteger(gb) ? gb : Number(gb.toFixed(2))} GB`;
}

/** The tenant whose folder holds `location` on a host with this storage path, else null (the ISO library, anything else). */
export function folderTenant(storagePath: string, location: string): string | null {
  const f = path.posix.isAbsolute(storagePath) ? path.posix : path.win32;
  const inTenants = underStorage(f.join(storagePath, TENANTS_FOLDER), location);
  if (!inTenants) return null;
  // Windows paths are case-blind (C:\STORAGE\TENANTS\BLUE is blue's folder): tenant names are lower-case slugs.
  const part = f.relative(f.join(storagePath, TENANTS_FOLDER), inTenants).split(f.sep)[0];
  const tenant = f === path.win32 ? part.toLowerCase() : part;
  // A file right in the tenants folder belongs to no tenant.
  return tenant && underStorage(tenantFolder(storagePath, tenant), location) ? tenant : null;
}

/** The tenant owning a listed medium: that of its folder on any host it is registered on. */
export function rowTenant(row: Pick<MediumRow, 'location' | 'hosts'>, hosts: ReadonlyMap<string, HostView>): string | null {
  for (const h of row.hosts) {
    const storage = hosts.get(h.hostId)?.storagePath;
    const t = storage ? folderTenant(storage, row.location) : null;
    if (t) return t;
  }
  return null;
}

/** Bytes per medium key of the tenant's media as the media list has them. */
async function listedUsage(inv: Inventory, tenant: string): Promise<Map<string, number>> {
  const { rows, hosts } = await listMedia(inv);
  const used = new Map<string, number>();
  for (const r of rows) {
    // A differencing image (a snapshot's, a linked clone's) holds what it has written so far on top of its parent.
    if (rowTenant(r, hosts) === tenant) used.set(mediumKey(r.location), r.parentId ? r.sizeBytes : r.logicalSizeBytes);
  }
  return used;
}

// One tenant's checks and releases one after another (this process).
const g = globalThis as typeof globalThis & { __nimboxMediaQuotaTurns?: Map<string, Promise<unknown>> };
const turns = (g.__nimboxMediaQuotaTurns ??= new Map<string, Promise<unknown>>());

function inTurn<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
  const before = turns.get(tenant) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(fn);
  const tail = mine.catch(() => undefined);
  turns.set(tenant, tail);
  void tail.then(() => {
    if (turns.get(tenant) === tail) turns.delete(tenant);
  });
  return mine;
}

export interface DiskReservation {
  /** After a success: the media list is read anew before the reservation goes, so the medium never drops out of the count. */
  settle(): Promise<void>;
  /** After a failure. */
  release(): Promise<void>;
  attach(taskId: string): Promise<void>;
}

/**
 * Holds `bytes` of the tenant's disk quota for the medium at `location` (its new size: a new medium's
 * size, a resize's new size) until settled or released; a 409 problem naming `field` with the quota,
 * what is used and what is asked when it does not fit. A tenant without a disk quota still holds it
 * (a quota set meanwhile then counts it).
 */
export async function reserveDisk(o: { tenant: string; location: string; bytes: number; inv: Inventory; field?: string }): Promise<DiskReservation> {
  const key = mediumKey(o.location);
  const field = o.field ?? 'logicalSizeBytes';
  const reservation: Reservation = await inTurn(o.tenant, async () => {
    const listed = await listedUsage(o.inv, o.tenant);
    return reserveQuota({
      tenant: o.tenant, machineId: key, demand: { diskGB: o.bytes / GB }, machines: () => o.inv.machines(),
      check: (t: Tenant, held: readonly HeldRow[]) => {
        if (t.maxDiskGB === null) return;
        const per = new Map(listed);
        for (const h of held) per.set(h.machineId, Math.max(per.get(h.machineId) ?? 0, h.diskGB * GB));
        // The demand stands for this medium: its listed size is what the request replaces.
        per.delete(key);
        const used = [...per.values()].reduce((a, b) => a + b, 0);
        if (used + o.bytes <= t.maxDiskGB * GB) return;
        const message = `Exceeds tenant ${t.name}'s disk quota of ${t.maxDiskGB} GB: ${formatGB(used)} used, ${formatGB(o.bytes)} asked`;
        throw new ProblemError({ title: 'Tenant quota exceeded', status: 409, detail: `${message}.`, errors: [{ field, message }] });
      },
    });
  });
  return {
    settle: () => inTurn(o.tenant, async () => {
      clearMediaCache();
      await reservation.release();
    }),
    release: () => reservation.release(),
    attach: (taskId) => reservation.attach(taskId),
  };
}
