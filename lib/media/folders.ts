/**
 * Who may name which medium by path: each tenant owns a folder under a host's shared-storage path,
 * `<storagePath>/tenants/<tenant>/` (its new machines' disks go there too), and admins fill a
 * read-only ISO library, `<storagePath>/iso/`. A tenant's users may attach disks from their
 * tenant's folder only, and ISO images from it or from the library; admins may name anything under
 * the storage path. Whether the medium is free (attached nowhere else) is ownership.ts's question.
 */
import path from 'node:path';
import type { User } from '@/lib/auth/policy';
import { newDiskPath, underStorage } from '@/lib/cluster/operations/common';

/** The folder under the storage path that holds one folder per tenant. */
export const TENANTS_FOLDER = 'tenants';
/** The shared ISO library under the storage path: admins fill it, everyone attaches from it (read-only). */
export const ISO_LIBRARY_FOLDER = 'iso';

/** Whose rights a path is checked against: the caller's role and tenant. */
export type MediaCaller = Pick<User, 'role' | 'tenant'>;

/** How a medium is used: the machine's disk, or an image in its DVD drive. */
export type MediumUse = 'disk' | 'iso';

const flavour = (storagePath: string): path.PlatformPath => (path.posix.isAbsolute(storagePath) ? path.posix : path.win32);

/** `<storagePath>/tenants/<tenant>`, in the host's path syntax (tenant names are slugs: safe as folder names). */
export function tenantFolder(storagePath: string, tenant: string): string {
  return flavour(storagePath).join(storagePath, TENANTS_FOLDER, tenant);
}

/** Where Nimbox puts a new machine's settings: `<tenant folder or storagePath>/machines/<uuid>/<name>.vbox`. */
export function machineSettingsPath(storagePath: string, tenant: string | null, id: string, name: string): string {
  return flavour(storagePath).join(tenant ? tenantFolder(storagePath, tenant) : storagePath, 'machines', id, `${name}.vbox`);
}

/** `<storagePath>/iso` */
export function isoLibrary(storagePath: string): string {
  return flavour(storagePath).join(storagePath, ISO_LIBRARY_FOLDER);
}

/** Where a new machine's disk goes: `<tenant folder>/<name>/<name>.vdi` for a tenant's machine, else `<storagePath>/<name>/<name>.vdi`. */
export function newDiskLocation(storagePath: string, machineName: string, tenant: string | null): string {
  return newDiskPath(tenant ? tenantFolder(storagePath, tenant) : storagePath, machineName);
}

/** Where the caller may name media from on a host: disks (null: nowhere) and ISO images, for forms to say so. */
export function mediaFolders(caller: MediaCaller, storagePath: string | null): { disks: string | null; isos: string[] } {
  if (!storagePath) return { disks: null, isos: [] };
  if (caller.role === 'admin') return { disks: storagePath, isos: [storagePath] };
  if (!caller.tenant) return { disks: null, isos: [] };
  const own = tenantFolder(storagePath, caller.tenant);
  return { disks: own, isos: [isoLibrary(storagePath), own] };
}

/**
 * Why the caller may not attach the medium at `location` (a normalized path under the storage
 * path) as `use`; undefined when they may. Says where the caller's media are, never whose the path is.
 */
export function mediumPathProblem(caller: MediaCaller, storagePath: string, location: string, use: MediumUse): string | undefined {
  if (caller.role === 'admin') return undefined;
  if (!caller.tenant) return 'Only users of a tenant may attach media';
  const own = tenantFolder(storagePath, caller.tenant);
  if (underStorage(own, location)) return undefined;
  if (use === 'iso' && underStorage(isoLibrary(storagePath), location)) return undefined;
  return use === 'disk'
    ? `Not a disk of tenant ${caller.tenant}: name one under ${own}`
    : `Not an ISO image of the library (${isoLibrary(storagePath)}) or of tenant ${caller.tenant} (${own})`;
}
