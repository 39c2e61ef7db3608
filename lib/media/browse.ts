/**
 * The storage browser: a folder of a host's shared storage as that host sees it, read through
 * VirtualBox (IAppliance's VFS explorer), so that users pick existing files instead of typing paths.
 * Each caller browses only below their roots (lib/media/folders): a tenant's users their tenant's
 * folder and the ISO library (read-only), admins the whole storage path. Paths are normalised before
 * they are checked ('..' cannot climb out); where a symlink inside a root leads is VirtualBox's
 * business, as it is when such a file is attached.
 */
import path from 'node:path';
import { notFound, ProblemError } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { badRequest, fieldError, hostsById, inventory } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { hostScope, mayUseHost } from '@/lib/tenants/hosts';
import { isVBoxError } from '@/lib/vbox/errors';
import type { DeviceType } from '@/lib/vbox/types';
import { isoLibrary, tenantFolder, type MediaCaller } from './folders';

export interface BrowseRoot {
  path: string;
  label: string;
  /** Whether the caller may upload into it. */
  writable: boolean;
}

export interface BrowseEntry {
  name: string;
  path: string;
  kind: 'folder' | 'file';
  sizeBytes: number;
  /** What VirtualBox would open the file as, by its extension; null for folders and other files. */
  deviceType: Extract<DeviceType, 'HardDisk' | 'DVD' | 'Floppy'> | null;
}

export interface BrowseResult {
  hostId: string;
  roots: BrowseRoot[];
  path: string;
  /** The folder above, null at a root. */
  parent: string | null;
  /** Folders first, then files, each by name. */
  entries: BrowseEntry[];
}

/** FsObjType (VirtualBox.xidl) values that entryList hands out. */
const FS_DIRECTORY = 4;
const FS_FILE = 6;
export const FS_SYMLINK = 7;

/**
 * File extensions of VirtualBox 7.1's medium backends (IMediumFormat::describeFileExtensions): disk
 * images, and the RAW backend's optical (iso, cdr) and floppy (img, ima, dsk, flp, vfd) images.
 */
const EXTENSIONS: Record<string, BrowseEntry['deviceType']> = {
  vdi: 'HardDisk', vmdk: 'HardDisk', vhd: 'HardDisk', vhdx: 'HardDisk', hdd: 'HardDisk', qed: 'HardDisk', qcow: 'HardDisk', qcow2: 'HardDisk',
  iso: 'DVD', cdr: 'DVD',
  img: 'Floppy', ima: 'Floppy', dsk: 'Floppy', flp: 'Floppy', vfd: 'Floppy',
};

export function deviceTypeOf(name: string): BrowseEntry['deviceType'] {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? EXTENSIONS[name.slice(dot + 1).toLowerCase()] ?? null : null;
}

/** An upload's partial file, `.<name>.part-<id>` (lib/media/uploads): not a file to pick. */
export const PARTIAL_UPLOAD_RE = /^\..+\.part-[0-9a-f-]{36}$/;

/** The host's path syntax: POSIX unless the storage path is a Windows one. */
export const flavour = (storagePath: string): path.PlatformPath => (path.posix.isAbsolute(storagePath) ? path.posix : path.win32);

/** The normalised path when it is the root itself or below it, else undefined. */
export function withinRoot(root: string, p: string): string | undefined {
  const f = flavour(root);
  if (!f.isAbsolute(p)) return undefined;
  const target = f.normalize(p);
  const rel = f.relative(f.normalize(root), target);
  if (rel === '..' || rel.startsWith(`..${f.sep}`) || f.isAbsolute(rel)) return undefined;
  return trimSlash(f, target);
}

const trimSlash = (f: path.PlatformPath, p: string): string => (p.length > f.parse(p).root.length ? p.replace(/[\\/]+$/, '') : p);

/** Where the caller may browse on a host with that storage path: tenants their folder and the ISO library, admins all of it. */
export function browseRoots(caller: MediaCaller, storagePath: string): BrowseRoot[] {
  const f = flavour(storagePath);
  const storage = trimSlash(f, f.normalize(storagePath));
  if (caller.role === 'admin') return [{ path: storage, label: 'Storage', writable: true }];
  if (!caller.tenant) return [];
  return [
    { path: tenantFolder(storage, caller.tenant), label: 'My media', writable: true },
    { path: isoLibrary(storage), label: 'ISO library', writable: false },
  ];
}

/** 404 for a host that does not exist or that the caller's tenant may not use. */
export async function usableHost(user: User, hostId: string): Promise<HostView> {
  const host = (await hostsById()).get(hostId);
  if (!host || !mayUseHost(await hostScope(user), hostId)) throw new ProblemError(notFound(`Host ${hostId}`));
  return host;
}

/** 409 naming the missing host setting. */
export function noStoragePath(host: HostView): ProblemError {
  return new ProblemError({
    title: 'No storage path',
    status: 409,
    detail: `Host ${host.name} has no storage path set: an admin sets it in the host's settings (Storage path).`,
  });
}

/** The caller's first usable host (by name) that has a storage path: the default of the browser. */
async function defaultHost(user: User): Promise<HostView> {
  const scope = await hostScope(user);
  const hosts = [...(await hostsById()).values()].filter((h) => h.storagePath && mayUseHost(scope, h.id)).sort((a, b) => a.name.localeCompare(b.name));
  const inv = await inventory();
  const host = hosts.find((h) => inv.host(h.id)?.health === 'up') ?? hosts[0];
  if (!host) throw badRequest([fieldError('hostId', 'Name a host: none you may use has a storage path')]);
  return host;
}

/** One folder through VirtualBox: null when it cannot be opened (missing, not a folder, no access). lib/settings/roots.ts looks for symlinks with it. */
export async function readFolder(user: User, host: HostView, folder: string): Promise<{ names: string[]; types: number[]; sizes: number[] } | null> {
  const inv = await inventory();
  const status = inv.host(host.id);
  const client = inv.monitor(host.id)?.client;
  if (!client || status?.health !== 'up') {
    // Tenants do not see a host's last error: it may name its URL.
    const why = user.role === 'admin' && status?.lastError ? `: ${status.lastError}` : '';
    throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${host.name} is ${status?.health ?? 'not connected'}${why}.` });
  }
  return client.scope(async (vbox) => {
    const appliance = await vbox.createAppliance();
    const explorer = await appliance.createVFSExplorer(`file://${folder}`);
    try {
      await (await explorer.update()).wait({ intervalMs: 200, timeoutMs: 60_000 });
    } catch (e) {
      // VFSExplorer::update fails with VBOX_E_FILE_ERROR (and no error text) for a folder it cannot open.
      if (isVBoxError(e, 'VBOX_E_FILE_ERROR')) return null;
      throw e;
    }
    return explorer.entryList();
  });
}

/**
 * GET /api/v1/storage/browse: the folder `requested` (default: the caller's first root) on the host,
 * as VirtualBox lists it. 404 for an unknown host or one the tenant may not use, 403 (field `path`)
 * outside the caller's roots, 404 for a folder that is not there (a root that is not there yet is
 * shown empty: nothing has been put in it).
 */
export async function browse(user: User, hostId: string | undefined, requested: string | undefined): Promise<BrowseResult> {
  const host = hostId ? await usableHost(user, hostId) : await defaultHost(user);
  if (!host.storagePath) throw noStoragePath(host);
  const roots = browseRoots(user, host.storagePath);
  if (roots.length === 0) throw new ProblemError({ title: 'Forbidden', status: 403, detail: 'Only users of a tenant have media to browse.' });
  const f = flavour(host.storagePath);
  if (requested !== undefined && /[\0-\x1f]/.test(requested)) throw badRequest([fieldError('path', 'A path without control characters')]);
  const wanted = requested?.trim() || roots[0].path;
  let folder: string | undefined;
  let root: BrowseRoot | undefined;
  for (const r of roots) {
    folder = withinRoot(r.path, wanted);
    if (folder !== undefined) {
      root = r;
      break;
    }
  }
  if (folder === undefined || !root) {
    throw new ProblemError({
      title: 'Outside your folders',
      status: 403,
      detail: `You may browse only ${roots.map((r) => r.path).join(' and ')}.`,
      errors: [fieldError('path', `Not under ${roots.map((r) => r.path).join(' or ')}`)],
    });
  }
  const atRoot = folder === root.path;
  const listing = await readFolder(user, host, folder);
  if (!listing && !atRoot) {
    throw new ProblemError({
      title: 'No such folder',
      status: 404,
      detail: `VirtualBox on ${host.name} cannot open the folder ${folder} (VBOX_E_FILE_ERROR).`,
      resultCode: 'VBOX_E_FILE_ERROR',
    });
  }
  const entries: BrowseEntry[] = [];
  listing?.names.forEach((name, i) => {
    const type = listing.types[i];
    if (PARTIAL_UPLOAD_RE.test(name)) return;
    const deviceType = deviceTypeOf(name);
    // A symlink is not followed by the listing: one named like an image is taken as that file, else as a folder.
    const kind = type === FS_DIRECTORY || (type === FS_SYMLINK && !deviceType) ? 'folder' : type === FS_FILE || type === FS_SYMLINK ? 'file' : null;
    if (!kind) return;
    entries.push({ name, path: f.join(folder, name), kind, sizeBytes: kind === 'file' && type === FS_FILE ? listing.sizes[i] : 0, deviceType: kind === 'file' ? deviceType : null });
  });
  entries.sort((a, b) => Number(a.kind === 'file') - Number(b.kind === 'file') || a.name.localeCompare(b.name));
  return { hostId: host.id, roots, path: folder, parent: atRoot ? null : f.dirname(folder), entries };
}
