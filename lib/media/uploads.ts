/**
 * ISO uploads from the browser into the shared storage, when this Nimbox server mounts it: each host
 * may say where (`localStoragePath`, this server's path of the host's storage path). An upload is a
 * row (who, where, how big) plus a partial file `.<name>.part-<id>` in the target folder; its offset
 * is that file's size, so an upload resumes after a dropped connection from whatever reached the
 * disk. Chunks are streamed to the file, never held whole in memory. The last chunk syncs the file,
 * moves it into place (never over an existing file) and opens it as a DVD image on every host that
 * has the same storage path.
 *
 * Who may upload where: a tenant's operators into their tenant's folder (the upload's size held
 * against the tenant's disk quota from the start), admins into the ISO library or any folder under
 * the storage path. Only the uploader (or an admin) sees an upload.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { notFound, ProblemError } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { badRequest, fieldError, hostsById, inventory } from '@/lib/cluster/operations/common';
import { getDb } from '@/lib/db';
import type { HostView } from '@/lib/db/hosts';
import type { MediaUploadsTable } from '@/lib/db/schema';
import { hostScope, mayUseHost } from '@/lib/tenants/hosts';
import { flavour, usableHost, withinRoot } from './browse';
import { isoLibrary, tenantFolder } from './folders';
import { clearMediaCache } from './inventory';
import { reserveDisk, type DiskReservation } from './quota';

/** The largest chunk a PUT may carry: well under Next's 10 MB body limits wherever one applies. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** The largest upload (a DVD image of a few GB is usual; dual-layer Blu-ray images are 50 GB). */
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

export interface UploadFolder {
  path: string;
  label: string;
}

export interface UploadTarget {
  hostId: string;
  hostName: string;
  available: boolean;
  /** Why not, naming what to configure. */
  reason?: string;
  folders: UploadFolder[];
}

export interface UploadView {
  id: string;
  offset: number;
  sizeBytes: number;
  done: boolean;
  name: string;
  folder: string;
}

export interface UploadCreated {
  id: string;
  offset: number;
  sizeBytes: number;
  chunkBytes: number;
}

/** What opening the finished image did on one host. */
export interface UploadOpened {
  hostId: string;
  hostName: string;
  opened: boolean;
  mediumId?: string;
  /** Why not: the host was not up, or VirtualBox's refusal with its result code. */
  reason?: string;
}

export interface ChunkResult {
  offset: number;
  done: boolean;
  /** The image's UUID on the first host that opened it (each host gives an ISO its own). */
  mediumId?: string;
  hosts?: UploadOpened[];
}

type UploadRow = MediaUploadsTable;

// ---------------------------------------------------------------- where

/** Where the caller may upload on a host with that storage path. */
export function uploadFolders(caller: Pick<User, 'role' | 'tenant'>, storagePath: string): UploadFolder[] {
  const f = flavour(storagePath);
  const storage = f.normalize(storagePath).replace(/(?<=.)[\\/]+$/, '');
  if (caller.role === 'admin') return [{ path: isoLibrary(storage), label: 'ISO library' }, { path: storage, label: 'Storage' }];
  return caller.tenant ? [{ path: tenantFolder(storage, caller.tenant), label: 'My media' }] : [];
}

/** Why the server cannot upload to the host, naming the setting to change; undefined when it can. */
function unavailable(host: HostView): string | undefined {
  if (!host.storagePath) return `Host ${host.name} has no storage path: an admin sets "Storage path" in the host's settings.`;
  if (!host.localStoragePath) {
    return `This Nimbox server does not mount host ${host.name}'s storage (${host.storagePath}): an admin mounts it here and sets ` +
      `"This server's path to the storage" in the host's settings.`;
  }
  try {
    if (fs.statSync(host.localStoragePath).isDirectory()) return undefined;
  } catch {
    /* said below */
  }
  return `${host.localStoragePath} ("This server's path to the storage" of host ${host.name}) is not a folder on this Nimbox server now: is the storage mounted?`;
}

/** The local path of a path under the host's storage path (both set). */
function localPath(host: HostView, hostPath: string): string {
  const f = flavour(host.storagePath as string);
  const rel = f.relative(f.normalize(host.storagePath as string), hostPath);
  return path.join(host.localStoragePath as string, ...rel.split(f.sep).filter(Boolean));
}

const partialFile = (host: HostView, row: Pick<UploadRow, 'folder' | 'name' | 'id'>) => localPath(host, flavour(host.storagePath as string).join(row.folder, `.${row.name}.part-${row.id}`));
const finalFile = (host: HostView, row: Pick<UploadRow, 'folder' | 'name'>) => localPath(host, flavour(host.storagePath as string).join(row.folder, row.name));

/** GET /api/v1/media/uploads: every host the caller may use, and whether (and where) an upload can go there. */
export async function uploadTargets(user: User): Promise<{ targets: UploadTarget[] }> {
  const scope = await hostScope(user);
  const hosts = [...(await hostsById()).values()].filter((h) => mayUseHost(scope, h.id)).sort((a, b) => a.name.localeCompare(b.name));
  return {
    targets: hosts.map((h) => {
      const reason = unavailable(h);
      const folders = reason ? [] : uploadFolders(user, h.storagePath as string);
      return reason ? { hostId: h.id, hostName: h.name, available: false, reason, folders } : { hostId: h.id, hostName: h.name, available: true, folders };
    }),
  };
}

// ---------------------------------------------------------------- create

/** What is uploaded: an image (opened as a DVD once in place), or an appliance (.ova/.ovf, issue 17: only put in place). */
export type UploadKind = 'iso' | 'appliance';

/** An appliance's file name: never opened as a DVD image. */
const isAppliance = (name: string) => /\.(ova|ovf)$/i.test(name);

/** A file name for an image (.iso or .img) or an appliance (.ova or .ovf), no folder parts, nothing hidden or odd. */
function nameProblem(name: string, kind: UploadKind): string | undefined {
  if (kind === 'appliance' ? !isAppliance(name) : !/\.(iso|img)$/i.test(name)) return kind === 'appliance' ? 'An .ova or .ovf file name' : 'An .iso or .img file name';
  if (/[\\/]/.test(name)) return 'A file name without folders (no / or \\)';
  if (/[\0-\x1f\x7f]/.test(name)) return 'A file name without control characters';
  if (name.startsWith('.') || name.trim() !== name) return 'A file name that neither starts with a dot nor starts or ends with a space';
  if (Buffer.byteLength(name) > 255) return 'At most 255 bytes';
  return undefined;
}

/** In-flight quota holds, by upload id (this process). */
const g = globalThis as typeof globalThis & { __nimboxUploadHolds?: Map<string, DiskReservation>; __nimboxUploadBusy?: Set<string> };
const holds = (g.__nimboxUploadHolds ??= new Map<string, DiskReservation>());
/** Uploads a chunk is being written to now: one at a time each. */
const busy = (g.__nimboxUploadBusy ??= new Set<string>());

export interface CreateUpload {
  hostId: string;
  folder: string;
  name: string;
  sizeBytes: number;
  kind?: UploadKind;
}

/** POST /api/v1/media/uploads: checks where, what and how much, then makes the empty partial file. */
export async function createUpload(user: User, input: CreateUpload): Promise<UploadCreated> {
  const host = await usableHost(user, input.hostId);
  const reason = unavailable(host);
  if (reason) throw new ProblemError({ title: 'Uploads not available', status: 409, detail: reason });
  const storage = host.storagePath as string;
  const f = flavour(storage);
  const folders = uploadFolders(user, storage);
  // Admins may name any folder under the storage path; a tenant's users their folder (or below).
  const roots = user.role === 'admin' ? [storage] : folders.map((x) => x.path);
  const folder = roots.map((r) => withinRoot(r, input.folder)).find((x) => x !== undefined);
  if (!folder) {
    throw new ProblemError({
      title: 'Outside your folders', status: 403, detail: `Uploads go to ${roots.join(' or ')} (or a folder below).`,
      errors: [fieldError('folder', `Not under ${roots.join(' or ')}`)],
    });
  }
  const problem = nameProblem(input.name, input.kind ?? 'iso');
  if (problem) throw badRequest([fieldError('name', problem)]);
  const row: UploadRow = {
    id: randomUUID(), user_id: user.id, tenant: user.role === 'admin' ? null : (user.tenant ?? null), host_id: host.id, folder, name: input.name,
    size_bytes: input.sizeBytes, created_at: new Date().toISOString(),
  };
  const target = f.join(folder, input.name);
  const taken = () => new ProblemError({
    title: 'Name taken', status: 409, detail: `${target} exists already.`, errors: [fieldError('name', 'A file of this name is in the folder already')],
  });
  if (fs.existsSync(finalFile(host, row))) throw taken();
  // Another upload under way to the same file (on any host of this storage: they share the folder).
  const db = await getDb();
  for (const other of await db.selectFrom('media_uploads').selectAll().where('folder', '=', folder).where('name', '=', input.name).execute()) {
    const otherHost = (await hostsById()).get(other.host_id);
    if (otherHost?.storagePath === storage && otherHost.localStoragePath && fs.existsSync(partialFile(otherHost, other))) throw taken();
  }
  const hold = row.tenant ? await reserveDisk({ tenant: row.tenant, location: target, bytes: input.sizeBytes, inv: await inventory(), field: 'sizeBytes' }) : undefined;
  try {
    const partial = partialFile(host, row);
    fs.mkdirSync(path.dirname(partial), { recursive: true });
    fs.closeSync(fs.openSync(partial, 'wx'));
    await db.insertInto('media_uploads').values(row).execute();
  } catch (e) {
    await hold?.release();
    try {
      fs.rmSync(partialFile(host, row), { force: true });
    } catch {
      /* never made */
    }
    const code = (e as NodeJS.ErrnoException).code;
    // A folder that is a file, or one this server may not write into.
    if (code) throw new ProblemError({ title: 'Cannot write there', status: 409, detail: `This server cannot write into ${folder} (${code}).`, errors: [fieldError('folder', `Not writable here (${code})`)] });
    throw e;
  }
  if (hold) holds.set(row.id, hold);
  return { id: row.id, offset: 0, sizeBytes: row.size_bytes, chunkBytes: CHUNK_BYTES };
}

// ---------------------------------------------------------------- one upload

/** The upload row, when the caller may see it (the uploader, or an admin). */
export async function findUpload(user: User, id: string): Promise<UploadRow | undefined> {
  const row = await (await getDb()).selectFrom('media_uploads').selectAll().where('id', '=', id).executeTakeFirst();
  return row && (row.user_id === user.id || user.role === 'admin') ? row : undefined;
}

async function hostOf(row: UploadRow): Promise<HostView> {
  const host = (await hostsById()).get(row.host_id);
  const reason = host ? unavailable(host) : `Host ${row.host_id} is no longer registered.`;
  if (!host || reason) throw new ProblemError({ title: 'Uploads not available', status: 409, detail: reason });
  return host;
}

const sizeOf = (file: string): number | undefined => {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
};

/** Where an upload stands: its partial file's size, or done once the file is in place. */
function stand(host: HostView, row: UploadRow): { offset: number; done: boolean } {
  const partial = sizeOf(partialFile(host, row));
  if (partial !== undefined) return { offset: partial, done: false };
  if (sizeOf(finalFile(host, row)) === row.size_bytes) return { offset: row.size_bytes, done: true };
  throw new ProblemError({ title: 'Upload lost', status: 410, detail: `The partial file of ${row.name} is gone: delete this upload and start again.` });
}

/** GET /api/v1/media/uploads/:id */
export async function uploadView(row: UploadRow): Promise<UploadView> {
  const host = await hostOf(row);
  return { id: row.id, ...stand(host, row), sizeBytes: row.size_bytes, name: row.name, folder: row.folder };
}

/**
 * PUT /api/v1/media/uploads/:id: appends `body` at `offset`, which must be where the file stands
 * (409 with the current offset otherwise). A chunk cut short (the connection dropped) keeps what
 * arrived; one longer than CHUNK_BYTES or past the announced size is refused and cut back.
 */
export async function writeChunk(row: UploadRow, offset: number, body: ReadableStream<Uint8Array> | null): Promise<ChunkResult> {
  const host = await hostOf(row);
  if (busy.has(row.id)) throw new ProblemError({ title: 'Chunk under way', status: 409, detail: 'Another chunk of this upload is being written: wait for it, then ask where the upload stands.' });
  busy.add(row.id);
  try {
    const now = stand(host, row);
    if (now.done) throw new ProblemError({ title: 'Upload complete', status: 409, detail: `${row.name} is uploaded already.`, offset: now.offset, done: true });
    if (offset !== now.offset) {
      throw new ProblemError({ title: 'Wrong offset', status: 409, detail: `The upload stands at byte ${now.offset}: send from there.`, offset: now.offset, done: false });
    }
    const partial = partialFile(host, row);
    const fh = await fs.promises.open(partial, 'r+');
    let written = 0;
    let tooLong: string | undefined;
    let cut = false;
    try {
      try {
        for await (const chunk of (body ?? []) as unknown as AsyncIterable<Uint8Array>) {
          if (written + chunk.byteLength > CHUNK_BYTES) tooLong = `A chunk carries at most ${CHUNK_BYTES} bytes`;
          else if (offset + written + chunk.byteLength > row.size_bytes) tooLong = `The upload was announced with ${row.size_bytes} bytes`;
          if (tooLong) break;
          await fh.write(chunk, 0, chunk.byteLength, offset + written);
          written += chunk.byteLength;
        }
      } catch {
        // The connection dropped mid-chunk: what arrived is kept, and the client resumes from there.
        cut = true;
      }
      if (tooLong) await fh.truncate(offset);
    } finally {
      await fh.close();
    }
    if (tooLong) throw new ProblemError({ title: 'Chunk too large', status: 413, detail: `${tooLong}; nothing of this chunk was kept.`, offset, done: false });
    const end = offset + written;
    if (cut) throw new ProblemError({ title: 'Chunk cut short', status: 400, detail: `The chunk ended early; the upload stands at byte ${end}.`, offset: end, done: false });
    if (end < row.size_bytes) return { offset: end, done: false };
    return { offset: end, done: true, ...(await finish(host, row)) };
  } finally {
    busy.delete(row.id);
  }
}

/** The last byte is in: sync, move into place (never over another file), open it on every host of this storage. */
async function finish(host: HostView, row: UploadRow): Promise<{ mediumId?: string; hosts: UploadOpened[] }> {
  const partial = partialFile(host, row);
  const fh = await fs.promises.open(partial, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  const final = finalFile(host, row);
  try {
    // link + unlink: unlike rename, it fails when the name was taken meanwhile.
    await fs.promises.link(partial, final);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    throw new ProblemError({
      title: 'Name taken', status: 409, detail: `${row.name} appeared in ${row.folder} meanwhile: delete this upload, or remove that file and send the last chunk again.`,
      errors: [fieldError('name', 'A file of this name is in the folder already')],
    });
  }
  await fs.promises.unlink(partial);
  await syncFolder(path.dirname(final));
  const location = flavour(host.storagePath as string).join(row.folder, row.name);
  const inv = await inventory();
  // An appliance is read by the import, not opened as a medium.
  const sharing = isAppliance(row.name) ? [] : [...(await hostsById()).values()].filter((h) => h.storagePath === host.storagePath).sort((a, b) => a.name.localeCompare(b.name));
  const hosts: UploadOpened[] = [];
  for (const h of sharing) {
    const client = inv.monitor(h.id)?.client;
    const status = inv.host(h.id);
    if (!client || status?.health !== 'up') {
      hosts.push({ hostId: h.id, hostName: h.name, opened: false, reason: `Host ${h.name} is ${status?.health ?? 'not connected'}: open the image there later` });
      continue;
    }
    try {
      const mediumId = await client.scope(async (vbox) => (await vbox.openMedium(location, 'DVD', 'ReadOnly', false)).getId());
      hosts.push({ hostId: h.id, hostName: h.name, opened: true, mediumId });
    } catch (e) {
      const v = e as { resultCodeName?: string; text?: string; message?: string };
      hosts.push({ hostId: h.id, hostName: h.name, opened: false, reason: v.resultCodeName ? `${v.text || v.message} (${v.resultCodeName})` : String(v.message ?? e) });
    }
  }
  clearMediaCache();
  // The image now counts in the tenant's folder (the media list was cleared first, so it never drops out of the count).
  const hold = holds.get(row.id);
  holds.delete(row.id);
  await hold?.settle();
  return { mediumId: hosts.find((h) => h.opened)?.mediumId, hosts };
}

/** fsync of the folder, so that the rename survives a crash (where the platform allows opening a folder). */
async function syncFolder(dir: string): Promise<void> {
  try {
    const fh = await fs.promises.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* not supported here (Windows): the file itself is synced */
  }
}

/** DELETE /api/v1/media/uploads/:id: the partial file and the row go; a finished image stays (the media manager deletes media). */
export async function deleteUpload(row: UploadRow): Promise<void> {
  if (busy.has(row.id)) throw new ProblemError({ title: 'Chunk under way', status: 409, detail: 'A chunk of this upload is being written: try again in a moment.' });
  const host = (await hostsById()).get(row.host_id);
  if (host?.storagePath && host.localStoragePath) fs.rmSync(partialFile(host, row), { force: true });
  await (await getDb()).deleteFrom('media_uploads').where('id', '=', row.id).execute();
  const hold = holds.get(row.id);
  holds.delete(row.id);
  await hold?.release();
}

/** 404 for an upload the caller may not see, as for one that does not exist. */
export const uploadNotFound = (id: string) => new ProblemError(notFound(`Upload ${id}`));
