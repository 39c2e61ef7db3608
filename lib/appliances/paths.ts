/**
 * Where appliances (.ova / .ovf files) may be read from and written to: a tenant's users only under
 * their tenant's folder `<storage>/tenants/<tenant>/` (default `…/appliances`), admins anywhere under
 * the storage path (default `<storage>/appliances`). Paths are normalised before the check, so ".."
 * cannot climb out. What a host with that storage path sees; this server reaches it through the
 * host's localStoragePath when it mounts the storage (download, listing with dates).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ProblemError } from '@/lib/api/problem';
import { badRequest, fieldError, hostsById, inventory, underStorage } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { flavour, noStoragePath, usableHost, withinRoot } from '@/lib/media/browse';
import { tenantFolder, type MediaCaller } from '@/lib/media/folders';
import { hostScope, mayUseHost } from '@/lib/tenants/hosts';
import type { User } from '@/lib/auth/policy';

export const APPLIANCES_FOLDER = 'appliances';

/** The folder the caller may read and write appliances in on a host with that storage path (null: none). */
export function applianceRoot(caller: MediaCaller, storagePath: string): string | null {
  const f = flavour(storagePath);
  const storage = f.normalize(storagePath).replace(/(?<=.)[\\/]+$/, '');
  if (caller.role === 'admin') return storage;
  return caller.tenant ? tenantFolder(storage, caller.tenant) : null;
}

/** Where an export goes by default, and where the list looks: `<root>/appliances`. */
export function defaultApplianceFolder(caller: MediaCaller, storagePath: string): string | null {
  const root = applianceRoot(caller, storagePath);
  return root && flavour(storagePath).join(root, APPLIANCES_FOLDER);
}

export const isApplianceName = (name: string): boolean => /\.(ova|ovf)$/i.test(name);

/**
 * The normalised path of an appliance the caller may name on that host: 400 naming `field` for a
 * path that is not an absolute .ova/.ovf path, 403 naming it outside the caller's folder.
 */
export function appliancePath(caller: MediaCaller, host: HostView, p: string, field = 'path'): string {
  if (!host.storagePath) throw noStoragePath(host);
  if (/[\0-\x1f]/.test(p)) throw badRequest([fieldError(field, 'A path without control characters')]);
  const f = flavour(host.storagePath);
  if (!f.isAbsolute(p)) throw badRequest([fieldError(field, `An absolute path under the shared storage (${host.storagePath})`)]);
  if (!isApplianceName(f.basename(p))) throw badRequest([fieldError(field, 'An .ova or .ovf file')]);
  return inRoot(caller, host, p, field);
}

/** The normalised path (a file or folder) when under the caller's root on that host; 403 naming `field` otherwise. */
export function inRoot(caller: MediaCaller, host: HostView, p: string, field: string): string {
  const storage = host.storagePath as string;
  const root = applianceRoot(caller, storage);
  const inside = root ? withinRoot(root, p) : undefined;
  // The storage folder itself (or a tenant's) is no file; underStorage also refuses what escapes with "..".
  if (!root || !inside || !underStorage(storage, inside)) {
    throw new ProblemError({
      title: 'Outside your folders', status: 403,
      detail: root ? `Appliances are read from and written to ${root} (or a folder below) only.` : 'Only users of a tenant have a folder for appliances.',
      errors: [fieldError(field, root ? `Not under ${root}` : 'You have no folder for appliances')],
    });
  }
  return inside;
}

/** This server's path of a path under the host's storage path, when it mounts the storage; else null. */
export function localPathOf(host: HostView, hostPath: string): string | null {
  if (!host.storagePath || !host.localStoragePath) return null;
  const f = flavour(host.storagePath);
  const rel = f.relative(f.normalize(host.storagePath), hostPath);
  const local = path.join(host.localStoragePath, ...rel.split(f.sep).filter(Boolean));
  try {
    return fs.statSync(host.localStoragePath).isDirectory() ? local : null;
  } catch {
    return null;
  }
}

/**
 * The host an appliance operation runs on: the one named (404 for one the tenant may not use, 409
 * when it is not up or has no storage path), else the caller's first up host by name with a storage path.
 */
export async function applianceHost(user: User, hostId: string | null | undefined, field = 'hostId'): Promise<HostView> {
  const inv = await inventory();
  if (hostId && hostId !== 'auto') {
    const host = await usableHost(user, hostId);
    if (!host.storagePath) throw noStoragePath(host);
    const status = inv.host(host.id);
    if (status?.health !== 'up') {
      throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${host.name} is ${status?.health ?? 'not connected'}.`, errors: [fieldError(field, 'The host is not up')] });
    }
    return host;
  }
  const scope = await hostScope(user);
  const hosts = [...(await hostsById()).values()]
    .filter((h) => h.storagePath && mayUseHost(scope, h.id) && inv.host(h.id)?.health === 'up')
    .sort((a, b) => a.name.localeCompare(b.name));
  if (!hosts[0]) throw new ProblemError({ title: 'No host', status: 409, detail: 'No host you may use is up with a storage path.', errors: [fieldError(field, 'No host fits')] });
  return hosts[0];
}
