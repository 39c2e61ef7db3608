/**
 * The appliances a caller may see (GET /api/v1/appliances): the .ova/.ovf files in their appliances
 * folder on each shared storage (hosts with the same storage path show them once), read from this
 * server's mount of the storage when it has one (with dates, downloadable), else through VirtualBox on
 * an up host. And the download of one (GET /api/v1/appliances/download), only from this server's mount.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { notFound, ProblemError } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { hostsById, inventory } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { flavour, FS_SYMLINK, PARTIAL_UPLOAD_RE, readFolder, usableHost } from '@/lib/media/browse';
import { hostScope, mayUseHost } from '@/lib/tenants/hosts';
import { applianceRoot, appliancePath, defaultApplianceFolder, isApplianceName, localPathOf } from './paths';

export interface ApplianceFile {
  path: string;
  name: string;
  sizeBytes: number;
  /** ISO time of the last change; '' when read through VirtualBox (which does not say). */
  modified: string;
  hostId: string;
  hostName: string;
  downloadable: boolean;
}

export interface ApplianceFolder {
  hostId: string;
  hostName: string;
  /** The default folder to export into. */
  path: string;
  /** Whether this server can upload into it (it mounts the storage). */
  uploadable: boolean;
}

const FS_FILE = 6;

async function filesOn(user: User, host: HostView, folder: string): Promise<ApplianceFile[]> {
  const f = flavour(host.storagePath as string);
  const local = localPathOf(host, folder);
  const at = (name: string, sizeBytes: number, modified: string, downloadable: boolean): ApplianceFile => ({
    path: f.join(folder, name), name, sizeBytes, modified, hostId: host.id, hostName: host.name, downloadable,
  });
  if (local) {
    let names: string[];
    try {
      names = fs.readdirSync(local);
    } catch {
      return [];
    }
    return names.filter((n) => isApplianceName(n) && !PARTIAL_UPLOAD_RE.test(n)).flatMap((n) => {
      const st = fs.statSync(path.join(local, n), { throwIfNoEntry: false });
      return st?.isFile() ? [at(n, st.size, st.mtime.toISOString(), true)] : [];
    });
  }
  if ((await inventory()).host(host.id)?.health !== 'up') return [];
  const listing = await readFolder(user, host, folder).catch(() => null);
  if (!listing) return [];
  return listing.names.flatMap((n, i) => ((listing.types[i] === FS_FILE || listing.types[i] === FS_SYMLINK) && isApplianceName(n) && !PARTIAL_UPLOAD_RE.test(n)
    ? [at(n, listing.types[i] === FS_FILE ? listing.sizes[i] : 0, '', false)] : []));
}

/** GET /api/v1/appliances */
export async function listAppliances(user: User): Promise<{ appliances: ApplianceFile[]; folders: ApplianceFolder[] }> {
  const scope = await hostScope(user);
  const inv = await inventory();
  const hosts = [...(await hostsById()).values()].filter((h) => h.storagePath && mayUseHost(scope, h.id))
    .sort((a, b) => Number(!localPathOf(b, b.storagePath as string)) - Number(!localPathOf(a, a.storagePath as string))
      || Number(inv.host(b.id)?.health === 'up') - Number(inv.host(a.id)?.health === 'up') || a.name.localeCompare(b.name));
  const folders: ApplianceFolder[] = [];
  const appliances: ApplianceFile[] = [];
  const seen = new Set<string>();
  for (const h of hosts) {
    const folder = defaultApplianceFolder(user, h.storagePath as string);
    if (!folder) continue;
    folders.push({ hostId: h.id, hostName: h.name, path: folder, uploadable: !!localPathOf(h, folder) });
    // One storage, one listing: the host this server reads it best through (its mount, else an up host).
    if (seen.has(h.storagePath as string)) continue;
    seen.add(h.storagePath as string);
    appliances.push(...await filesOn(user, h, folder));
  }
  folders.sort((a, b) => a.hostName.localeCompare(b.hostName));
  appliances.sort((a, b) => a.name.localeCompare(b.name));
  return { appliances, folders };
}

/** Whether the file, symlinks followed, is in the folder: a link must not lead this server out of the caller's folder. */
function realpathWithin(folder: string | null, file: string): boolean {
  try {
    const rel = path.relative(fs.realpathSync(folder as string), fs.realpathSync(file));
    return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel);
  } catch {
    return false;
  }
}

/**
 * GET /api/v1/appliances/download?path=&hostId=: the file as an attachment, streamed from this server's
 * mount of the storage. 404 for a path that is not the caller's, a file that is not there, or a
 * storage this server does not mount (nothing says which: a path does not tell what exists).
 */
export async function downloadAppliance(user: User, p: string, hostId?: string): Promise<Response> {
  const gone = () => new ProblemError(notFound(p));
  let host: HostView | undefined;
  if (hostId) {
    host = await usableHost(user, hostId);
  } else {
    const scope = await hostScope(user);
    host = [...(await hostsById()).values()].filter((h) => h.storagePath && mayUseHost(scope, h.id) && localPathOf(h, h.storagePath))
      .sort((a, b) => a.name.localeCompare(b.name))[0];
  }
  if (!host?.storagePath) throw gone();
  let file: string;
  try {
    file = appliancePath(user, host, p);
  } catch {
    throw gone();
  }
  const local = localPathOf(host, file);
  const st = local ? fs.statSync(local, { throwIfNoEntry: false }) : undefined;
  if (!local || !st?.isFile() || !realpathWithin(localPathOf(host, applianceRoot(user, host.storagePath) as string), local)) throw gone();
  const name = path.basename(local);
  const body = Readable.toWeb(fs.createReadStream(local)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      'Content-Type': /\.ova$/i.test(name) ? 'application/x-tar' : 'application/xml',
      'Content-Length': String(st.size),
      'Content-Disposition': `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'no-store',
    },
  });
}
