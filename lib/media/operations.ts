/**
 * The media manager's operations (POST/PATCH/DELETE /api/v1/media…): create a disk, resize it
 * (grow), copy it to another name or format, compact it, change its type and description, delete
 * it — each a task following VirtualBox's IProgress.
 *
 * A medium is a file on the shared storage that any number of hosts may have registered; the media
 * list (./inventory) merges them into one row. An operation on the file runs on one host where it is
 * registered (one the caller may use); a change of what each host's registry keeps about it (type,
 * description) goes to every host that has it, the hosts already changed set back when one refuses;
 * a delete first closes it on the other hosts, and is refused while any machine on any host uses it
 * (./ownership). Who may act on a medium is the tenant of the folder it lives in (./folders):
 * route()'s resource is mediumResource(). Two operations on one medium never run at once (task
 * locks `medium:<location key>`); what a create or copy leaves when it fails is deleted; the media
 * list's cache is cleared once an operation ends, so the list shows its outcome at once.
 */
import path from 'node:path';
import { z } from 'zod';
import { forbidden, notFound, ProblemError, validationProblem } from '@/lib/api/problem';
import type { Resource, User } from '@/lib/auth/policy';
import type { Inventory } from '@/lib/cluster/inventory';
import { badRequest, fieldError, hostsById, inventory, machineNameProblem, taskUser } from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { taskText, startTask, type Task, type TaskContext, type TaskText } from '@/lib/tasks';
import { hostScope, mayUseHost, type HostScope } from '@/lib/tenants/hosts';
import type { VBoxClient } from '@/lib/vbox/client';
import type { IMedium, IVirtualBox } from '@/lib/vbox/objects';
import type { MediumType, MediumVariant } from '@/lib/vbox/types';
import { isoLibrary, mediaFolders } from './folders';
import { clearMediaCache, listMedia, visibleMedia, type MediumRow } from './inventory';
import { describeHolders, heldBy, holdersOf, holdMedia, pathKey, readMediaUsage } from './ownership';
import { folderTenant, formatGB, mediumKey, reserveDisk, rowTenant, type DiskReservation } from './quota';
import { refuseLinkedClones } from './linked-clones';

// ---------------------------------------------------------------- inputs

export const MEDIUM_FORMATS = ['VDI', 'VMDK', 'VHD'] as const;
export type NewMediumFormat = (typeof MEDIUM_FORMATS)[number];
const EXTENSIONS: Record<NewMediumFormat, string> = { VDI: '.vdi', VMDK: '.vmdk', VHD: '.vhd' };
/** Standard: dynamically allocated (grows as the guest writes); Fixed: all of it allocated at once. */
export const NEW_MEDIUM_VARIANTS = ['Standard', 'Fixed'] as const;
export const MEDIUM_TYPES = ['Normal', 'Immutable', 'Writethrough', 'Shareable', 'Readonly', 'MultiAttach'] as const satisfies readonly MediumType[];

const MIB = 1024 ** 2;
const logicalSizeBytes = z.number({ error: 'A size in bytes' }).int('A whole number of bytes').min(MIB, 'At least 1 MB (1048576 bytes)').max(64 * 1024 ** 4, 'At most 64 TB');
/** A file name without its extension (the format's is added): the rules of a machine name. */
const mediumName = z.string({ error: 'Give a name' }).superRefine((v, ctx) => {
  const why = machineNameProblem(v);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});
/** A folder as the hosts see it (an absolute path, e.g. from the storage browser). */
const folder = z.string().trim().min(1, 'Choose a folder').max(4096, 'At most 4096 characters');

/** POST /api/v1/media */
export const createMediumSchema = z.strictObject({
  /** Where VirtualBox creates it; default: the first healthy host the caller may use whose storage holds the folder. */
  hostId: z.string().trim().min(1).optional(),
  /** Default: the caller's disk folder (a tenant's folder; for admins the storage path). */
  folder: folder.optional(),
  name: mediumName,
  format: z.enum(MEDIUM_FORMATS),
  variant: z.enum(NEW_MEDIUM_VARIANTS).default('Standard'),
  logicalSizeBytes,
});
/** POST /api/v1/media/:id/resize */
export const resizeMediumSchema = z.strictObject({ logicalSizeBytes });
/** POST /api/v1/media/:id/copy */
export const copyMediumSchema = z.strictObject({
  name: mediumName,
  /** Default: the source's folder when the caller may write there, else the caller's disk folder. */
  folder: folder.optional(),
  format: z.enum(MEDIUM_FORMATS),
  variant: z.enum(NEW_MEDIUM_VARIANTS).default('Standard'),
});
/** POST /api/v1/media/:id/compact: nothing to say. */
export const compactMediumSchema = z.strictObject({});
/** PATCH /api/v1/media/:id */
export const editMediumSchema = z.strictObject({
  type: z.enum(MEDIUM_TYPES).optional(),
  description: z.string().max(10_000, 'At most 10,000 characters').optional(),
}).refine((p) => p.type !== undefined || p.description !== undefined, { message: 'Nothing to change', path: ['body'] });

export type CreateMediumInput = z.input<typeof createMediumSchema>;
export type CopyMediumInput = z.input<typeof copyMediumSchema>;
export type EditMediumInput = z.input<typeof editMediumSchema>;

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ProblemError(validationProblem(r.error));
  return r.data;
}

// ---------------------------------------------------------------- paths

const flavour = (p: string): path.PlatformPath => (path.posix.isAbsolute(p) ? path.posix : path.win32);
const trimSep = (p: string) => (p.length > 1 ? p.replace(/[\\/]+$/, '') : p);

/** The normalized folder when `p` is `root` or a folder under it, else undefined. */
function within(root: string, p: string): string | undefined {
  const f = flavour(root);
  if (!f.isAbsolute(p)) return undefined;
  const n = trimSep(f.normalize(p));
  const r = trimSep(f.normalize(root));
  if (pathKey(n) === pathKey(r)) return n;
  const rel = f.relative(r, n);
  return rel && rel !== '..' && !rel.startsWith(`..${f.sep}`) && !f.isAbsolute(rel) ? n : undefined;
}

/** `name` plus the format's extension (unless it ends with it already). */
function fileNameOf(name: string, format: NewMediumFormat): string {
  const ext = EXTENSIONS[format];
  return name.toLowerCase().endsWith(ext) ? name : `${name}${ext}`;
}

/** Why the caller may not create media in `dir` of a host with this storage path (undefined: they may). */
function folderProblem(user: User, storage: string, dir: string): string | undefined {
  const disks = mediaFolders(user, storage).disks;
  if (!disks) return 'Only users of a tenant may create media';
  if (within(disks, dir)) return undefined;
  // Tenants are told where their folder is, never where the storage is.
  return user.role === 'admin' ? `Outside the storage path (${storage})` : `Not your folder: choose one under ${disks}`;
}

// ---------------------------------------------------------------- hosts

interface OnHost {
  hostId: string;
  hostName: string;
  client: VBoxClient;
}

function connected(inv: Inventory, hostId: string, hostName: string): OnHost | undefined {
  const monitor = inv.monitor(hostId);
  if (!monitor || inv.host(hostId)?.health !== 'up') return undefined;
  return { hostId, hostName, client: monitor.client };
}

/** The medium's registered object on a host (VirtualBox answers openMedium of a registered medium with it). */
function openOn(vbox: IVirtualBox, row: Pick<MediumRow, 'location' | 'deviceType'>): Promise<IMedium> {
  return vbox.openMedium(row.location, row.deviceType, row.deviceType === 'HardDisk' ? 'ReadWrite' : 'ReadOnly', false);
}

const onHost = <T>(h: OnHost, fn: (vbox: IVirtualBox) => Promise<T>): Promise<T> => h.client.write((vbox) => fn(vbox), { release: true });

// ---------------------------------------------------------------- finding a medium (the route's resource)

export interface FoundMedium {
  /** Every host's facts. */
  row: MediumRow;
  /** As the caller may see it (lib/media/inventory visibleMedia): hosts they may use, their tenant's machines. */
  view: MediumRow;
  /** The tenant whose folder holds it; null: the ISO library or anything else under the storage (admins). */
  owner: string | null;
  /** Whether it is in the ISO library. */
  iso: boolean;
  hosts: Map<string, HostView>;
  inv: Inventory;
}

/**
 * The media with a row's id or a host's UUID for it, rows by id first. Usually one; several when files
 * claim one UUID (rows are files: lib/media/inventory), so a caller's own is found before another's.
 */
async function mediaById(id: string): Promise<Omit<FoundMedium, 'view'>[]> {
  const inv = await inventory();
  const { rows, hosts } = await listMedia(inv);
  const matches = [...rows.filter((r) => r.id === id), ...rows.filter((r) => r.id !== id && r.hosts.some((h) => h.mediumId === id))];
  return matches.map((row) => {
    const iso = row.hosts.some((h) => {
      const storage = hosts.get(h.hostId)?.storagePath;
      return !!storage && !!within(isoLibrary(storage), path.dirname(row.location));
    });
    return { row, owner: rowTenant(row, hosts), iso, hosts, inv };
  });
}

export interface MediumResource extends Resource {
  medium?: FoundMedium;
}

/**
 * route()'s resource for /api/v1/media/:id: the tenant of the medium's folder, carrying the medium.
 * A tenant's user meets only media the list shows them (their folder and the ISO library, on hosts
 * they may use); anything else looks absent (404). The ISO library is read by everyone and written
 * by admins only: a tenant's write there is 403.
 */
export function mediumResource(mode: 'read' | 'write') {
  return async ({ params, user }: { params: { id: string }; user: User }): Promise<MediumResource> => {
    const found = await mediaById(params.id);
    if (!found.length) return { tenant: null };
    if (user.role === 'admin') return { tenant: found[0].owner, medium: { ...found[0], view: found[0].row } };
    const scope = await hostScope(user);
    const seen = found.map((c) => ({ c, view: visibleMedia([c.row], user, c.hosts, c.inv, (h) => mayUseHost(scope, h))[0] }));
    const { c: f, view } = seen.find((x) => x.view && x.c.owner === user.tenant) ?? seen.find((x) => x.view) ?? seen[0];
    if (!view || !user.tenant) return { tenant: null };
    const medium = { ...f, view };
    if (f.owner === user.tenant) return { tenant: f.owner, medium };
    if (mode === 'read') return { tenant: user.tenant, medium };
    throw new ProblemError({ ...forbidden(), detail: `${f.row.name} is in the ISO library, which only admins change.` });
  };
}

/** The medium route() found, or 404. */
export function foundOr404(r: MediumResource | undefined, id: string): FoundMedium {
  if (!r?.medium) throw new ProblemError(notFound(`Medium ${id}`));
  return r.medium;
}

/** The host an operation on the file runs on: the first (by name) the caller may use that has it registered and answers. */
function runHost(f: FoundMedium): OnHost {
  const hosts = [...f.view.hosts].filter((h) => !h.stale).sort((a, b) => a.hostName.localeCompare(b.hostName));
  for (const h of hosts) {
    const on = connected(f.inv, h.hostId, h.hostName);
    if (on) return on;
  }
  throw new ProblemError({
    title: 'Host unavailable', status: 409,
    detail: `No host that has ${f.row.name} registered answers now (${f.view.hosts.map((h) => h.hostName).join(', ') || 'none'}): try again shortly.`,
  });
}

function requireHardDisk(f: FoundMedium, doing: string): void {
  if (f.row.deviceType !== 'HardDisk') {
    throw new ProblemError({ title: 'Not a hard disk', status: 409, detail: `Only hard disks can be ${doing}: ${f.row.name} is a ${f.row.deviceType} image.` });
  }
}

// ---------------------------------------------------------------- GET /api/v1/media/:id

export interface MediumDetail extends MediumRow {
  /** The types VirtualBox allows for it (allowedTypesOf). */
  allowedTypes: MediumType[];
  description: string;
  /** Fixed (all allocated) or Standard (dynamic). */
  variant: 'Fixed' | 'Standard';
  /** The variant's flags as VirtualBox has them (e.g. ['Fixed'], ['VmdkSplit2G'], ['Diff']); ['Standard'] when none. */
  variantFlags: MediumVariant[];
}

/**
 * The types VirtualBox's Medium::setType accepts for the medium, whoever uses it (IMedium allowedTypes is
 * not implemented in VirtualBox: E_NOTIMPL): DVD images are Readonly, floppy images Writethrough or
 * Readonly, a differencing image keeps its type; a hard disk is never Readonly, Shareable only when
 * fixed, and neither Writethrough nor Shareable while it has children. MultiAttach is offered: VirtualBox
 * still refuses it for media of its global registry, in its own words.
 */
export function allowedTypesOf(row: Pick<MediumRow, 'deviceType' | 'parentId' | 'children' | 'type'>, flags: readonly MediumVariant[]): MediumType[] {
  if (row.deviceType === 'DVD') return ['Readonly'];
  if (row.deviceType === 'Floppy') return ['Writethrough', 'Readonly'];
  if (row.parentId) return [row.type];
  const free = row.children.length === 0;
  return ['Normal', 'Immutable', ...(free ? ['Writethrough' as const] : []), ...(free && flags.includes('Fixed') ? ['Shareable' as const] : []), 'MultiAttach'];
}

const variantFlags = (variant: readonly MediumVariant[]): MediumVariant[] => [...new Set(variant.filter((v) => v !== 'Standard'))];

export async function mediumDetail(f: FoundMedium): Promise<MediumDetail> {
  const h = runHost(f);
  const { description, flags } = await h.client.scope(async (vbox) => {
    const m = await openOn(vbox, f.row);
    const [description, variant] = await Promise.all([m.getDescription(), m.getVariant()]);
    return { description, flags: variantFlags(variant) };
  });
  return {
    ...f.view, allowedTypes: allowedTypesOf(f.row, flags), description,
    variant: flags.includes('Fixed') ? 'Fixed' : 'Standard', variantFlags: flags.length ? flags : ['Standard'],
  };
}

// ---------------------------------------------------------------- tasks

/** The answer to a media write: 202 { task }. */
export function accepted(task: Task): Response {
  return Response.json({ task }, { status: 202, headers: { Location: `/api/v1/tasks/${task.id}`, 'Cache-Control': 'no-store' } });
}

/** A medium's task target: its folder's tenant (null: the ISO library or admins' media) sees the task. */
function target(name: string, hostId: string, tenant: string | null, id = '') {
  return { type: 'medium' as const, id, name, hostId, tenant };
}

/**
 * Starts a media task holding `reservation` (settled once the job succeeded, released when it failed)
 * and clearing the media list's cache when it ends, either way.
 */
async function mediaTask(
  opts: { kind: string; title: string; titleKey?: TaskText; target: ReturnType<typeof target>; user: User; locks: string[] },
  reservation: DiskReservation | null,
  job: (ctx: TaskContext) => Promise<void>,
  onEnd?: () => void,
): Promise<Task> {
  let task: Task;
  try {
    task = await startTask({ kind: opts.kind, title: opts.title, titleKey: opts.titleKey, target: opts.target, user: taskUser(opts.user), locks: opts.locks }, async (ctx) => {
      try {
        await job(ctx);
      } catch (e) {
        await reservation?.release();
        throw e;
      } finally {
        clearMediaCache();
        onEnd?.();
      }
      await reservation?.settle();
    });
  } catch (e) {
    await reservation?.release();
    onEnd?.();
    throw e;
  }
  void reservation?.attach(task.id);
  return task;
}

/** Deletes what a failed create or copy made: the new image (its storage, which also unregisters it). */
async function undoNew(m: IMedium): Promise<void> {
  const state = await m.getState().catch(() => null);
  if (state === 'Created' || state === 'Inaccessible') await (await m.deleteStorage()).wait();
}

/** 409 when a medium is registered at `location` on any host already (VirtualBox would refuse the file, or the name in its registry). */
async function requireNoMedium(inv: Inventory, location: string): Promise<void> {
  const usage = await readMediaUsage([location], inv);
  const regs = usage.registrations.get(location) ?? [];
  if (regs.length) {
    throw new ProblemError({
      title: 'Conflict', status: 409, detail: `A medium already exists at ${location}.`,
      errors: [fieldError('name', `A medium named ${path.basename(location)} already exists in this folder`)],
    });
  }
}

// ---------------------------------------------------------------- POST /api/v1/media

/** Resolves where a new medium goes: the host (a chosen one, or the first healthy one the caller may use) and its folder. */
async function placeNew(user: User, hostId: string | undefined, dir: string | undefined, inv: Inventory): Promise<{ host: OnHost; view: HostView; folder: string }> {
  const views = await hostsById();
  const scope: HostScope | undefined = await hostScope(user);
  let candidates: HostView[];
  if (hostId) {
    const view = views.get(hostId);
    if (!view || !mayUseHost(scope, hostId)) throw new ProblemError(notFound(`Host ${hostId}`));
    if (!view.storagePath) throw badRequest([fieldError('hostId', `${view.name} has no shared storage path: choose another host`)]);
    if (!connected(inv, view.id, view.name)) {
      throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${view.name} is ${inv.host(view.id)?.health ?? 'not connected'}: choose another host.` });
    }
    candidates = [view];
  } else {
    candidates = [...views.values()]
      .filter((v) => v.storagePath && mayUseHost(scope, v.id) && connected(inv, v.id, v.name))
      .sort((a, b) => Number(a.maintenance) - Number(b.maintenance) || a.name.localeCompare(b.name));
    if (!candidates.length) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: 'No host with a shared storage path answers now: try again shortly.' });
  }
  let problem: string | undefined;
  for (const view of candidates) {
    const storage = view.storagePath!;
    const wanted = dir ?? mediaFolders(user, storage).disks;
    if (!wanted) throw new ProblemError({ ...forbidden(), detail: 'Only users of a tenant may create media.' });
    const why = folderProblem(user, storage, wanted);
    if (!why) return { host: connected(inv, view.id, view.name)!, view, folder: within(storage, wanted)! };
    problem ??= why;
  }
  throw new ProblemError({ ...forbidden(), detail: `${problem}.`, errors: [fieldError('folder', problem!)] });
}

/** Checks a create (400 naming fields, 403 for a folder not the caller's, 409 for a taken name or the quota) and starts media.create. */
export async function startCreateMedium(input: unknown, user: User): Promise<Task> {
  const p = parse(createMediumSchema, input);
  const inv = await inventory();
  const { host, view, folder: dir } = await placeNew(user, p.hostId, p.folder, inv);
  const fileName = fileNameOf(p.name, p.format);
  const location = flavour(dir).join(dir, fileName);
  await requireNoMedium(inv, location);
  const tenant = folderTenant(view.storagePath!, location);
  const reservation = tenant ? await reserveDisk({ tenant, location, bytes: p.logicalSizeBytes, inv }) : null;
  const variant: MediumVariant[] = [p.variant];
  return mediaTask({
    kind: 'media.create', title: `Create ${fileName}`, titleKey: taskText('media.create', { file: fileName }), target: target(fileName, host.hostId, tenant), user, locks: [mediumKey(location)],
  }, reservation, async (ctx) => {
    ctx.step(0, `Creating ${fileName} on ${host.hostName}`);
    await onHost(host, async (vbox) => {
      const m = await vbox.createMedium(p.format, location, 'ReadWrite', 'HardDisk');
      try {
        await ctx.follow(await m.createBaseStorage(p.logicalSizeBytes, variant), [0, 98]);
      } catch (e) {
        await undoNew(m).catch((undo: unknown) => console.error(`nimbox: could not delete the half-made ${location}`, (undo as Error)?.message));
        throw e;
      }
      ctx.setTarget(await m.getId(), fileName);
    });
    ctx.step(100, `Created ${fileName} (${formatGB(p.logicalSizeBytes)}, ${p.variant === 'Fixed' ? 'fixed' : 'dynamic'})`);
  });
}

// ---------------------------------------------------------------- POST /api/v1/media/:id/resize

export async function startResizeMedium(f: FoundMedium, input: unknown, user: User): Promise<Task> {
  const p = parse(resizeMediumSchema, input);
  requireHardDisk(f, 'resized');
  const current = f.row.logicalSizeBytes;
  if (p.logicalSizeBytes <= current) {
    const why = p.logicalSizeBytes === current ? `${f.row.name} is this size already` : `Shrinking is not supported: ${f.row.name} is ${formatGB(current)} (${current} bytes)`;
    throw badRequest([fieldError('logicalSizeBytes', `${why}; give more than ${current} bytes`)]);
  }
  const host = runHost(f);
  const reservation = f.owner ? await reserveDisk({ tenant: f.owner, location: f.row.location, bytes: p.logicalSizeBytes, inv: f.inv }) : null;
  return mediaTask({
    kind: 'media.resize', title: `Resize ${f.row.name} to ${formatGB(p.logicalSizeBytes)}`,
    titleKey: taskText('media.resize', { file: f.row.name, size: formatGB(p.logicalSizeBytes) }), target: target(f.row.name, host.hostId, f.owner, f.row.id), user,
    locks: [mediumKey(f.row.location)],
  }, reservation, async (ctx) => {
    ctx.step(0, `Resizing ${f.row.name} on ${host.hostName}`);
    await onHost(host, async (vbox) => ctx.follow(await (await openOn(vbox, f.row)).resize(p.logicalSizeBytes), [0, 90]));
    // VirtualBox reports the new size once it looks at the file again: every host that has it registered.
    ctx.step(92, 'Refreshing the medium on its hosts');
    await refreshEverywhere(f);
    ctx.step(100, `Resized ${f.row.name} to ${formatGB(p.logicalSizeBytes)}`);
  });
}

/** IMedium refreshState on every host that has the medium registered and answers (the others read the file when they next open it). */
async function refreshEverywhere(f: FoundMedium): Promise<void> {
  await Promise.all(f.row.hosts.map(async (h) => {
    const on = connected(f.inv, h.hostId, h.hostName);
    if (!on) return;
    await onHost(on, async (vbox) => (await openOn(vbox, f.row)).refreshState())
      .catch((e: unknown) => console.error(`nimbox: could not refresh ${f.row.location} on ${h.hostName}`, (e as Error)?.message));
  }));
}

// ---------------------------------------------------------------- POST /api/v1/media/:id/copy

export async function startCopyMedium(f: FoundMedium, input: unknown, user: User): Promise<Task> {
  const p = parse(copyMediumSchema, input);
  requireHardDisk(f, 'copied');
  const host = runHost(f);
  const storage = f.hosts.get(host.hostId)?.storagePath;
  if (!storage) throw new ProblemError({ title: 'No shared storage', status: 409, detail: `${host.hostName} has no shared storage path to copy into.` });
  // Next to the source when the caller may write there, else in the caller's disk folder.
  const source = path.dirname(f.row.location);
  const dir = p.folder ?? (folderProblem(user, storage, source) ? mediaFolders(user, storage).disks : source);
  if (!dir) throw new ProblemError({ ...forbidden(), detail: 'Only users of a tenant may create media.' });
  const why = folderProblem(user, storage, dir);
  if (why) throw new ProblemError({ ...forbidden(), detail: `${why}.`, errors: [fieldError('folder', why)] });
  const folder = within(storage, dir)!;
  const fileName = fileNameOf(p.name, p.format);
  const location = flavour(folder).join(folder, fileName);
  if (pathKey(location) === pathKey(f.row.location)) throw badRequest([fieldError('name', 'The copy needs another name or folder than the source')]);
  await requireNoMedium(f.inv, location);
  const tenant = folderTenant(storage, location);
  const reservation = tenant ? await reserveDisk({ tenant, location, bytes: f.row.logicalSizeBytes, inv: f.inv }) : null;
  const variant: MediumVariant[] = [p.variant];
  return mediaTask({
    kind: 'media.copy', title: `Copy ${f.row.name} to ${fileName}`, titleKey: taskText('media.copy', { file: f.row.name, to: fileName }), target: target(fileName, host.hostId, tenant), user,
    locks: [mediumKey(f.row.location), mediumKey(location)],
  }, reservation, async (ctx) => {
    ctx.step(0, `Copying ${f.row.name} to ${fileName} on ${host.hostName}`);
    await onHost(host, async (vbox) => {
      const src = await openOn(vbox, f.row);
      const copy = await vbox.createMedium(p.format, location, 'ReadWrite', 'HardDisk');
      try {
        await ctx.follow(await src.cloneToBase(copy, variant), [0, 98]);
      } catch (e) {
        await undoNew(copy).catch((undo: unknown) => console.error(`nimbox: could not delete the half-made ${location}`, (undo as Error)?.message));
        throw e;
      }
      ctx.setTarget(await copy.getId(), fileName);
    });
    ctx.step(100, `Copied ${f.row.name} to ${fileName}`);
  });
}

// ---------------------------------------------------------------- POST /api/v1/media/:id/compact

export async function startCompactMedium(f: FoundMedium, user: User): Promise<Task> {
  requireHardDisk(f, 'compacted');
  const host = runHost(f);
  return mediaTask({
    kind: 'media.compact', title: `Compact ${f.row.name}`, titleKey: taskText('media.compact', { file: f.row.name }), target: target(f.row.name, host.hostId, f.owner, f.row.id), user, locks: [mediumKey(f.row.location)],
  }, null, async (ctx) => {
    ctx.step(0, `Compacting ${f.row.name} on ${host.hostName}`);
    await onHost(host, async (vbox) => ctx.follow(await (await openOn(vbox, f.row)).compact(), [0, 98]));
    ctx.step(100, `Compacted ${f.row.name}`);
  });
}

// ---------------------------------------------------------------- PATCH /api/v1/media/:id

type Patch = z.output<typeof editMediumSchema>;

/** Hosts that have the medium registered, every one connected: 409 naming one that is not (its registry would keep the old values). */
function everyRegistration(f: FoundMedium, doing: string): OnHost[] {
  const out: OnHost[] = [];
  for (const h of [...f.row.hosts].sort((a, b) => a.hostName.localeCompare(b.hostName))) {
    const on = !h.stale ? connected(f.inv, h.hostId, h.hostName) : undefined;
    if (!on) {
      throw new ProblemError({
        title: 'Host unavailable', status: 409,
        detail: `Cannot ${doing} ${f.row.name}: it is registered on ${h.hostName}, which does not answer now. Try again when every host answers.`,
      });
    }
    out.push(on);
  }
  return out;
}

/** Applies a patch to one host's medium; returns what it had (to set back). What fails half-way on the host is set back there first. */
async function applyPatch(m: IMedium, p: Patch): Promise<Patch> {
  const before: Patch = {};
  if (p.type !== undefined) before.type = (await m.getType()) as Patch['type'];
  if (p.description !== undefined) before.description = await m.getDescription();
  try {
    if (p.type !== undefined && p.type !== before.type) await m.setType(p.type);
    if (p.description !== undefined) await m.setDescription(p.description);
  } catch (e) {
    if (before.type !== undefined) await m.setType(before.type).catch(() => undefined);
    throw e;
  }
  return before;
}

export async function startEditMedium(f: FoundMedium, input: unknown, user: User): Promise<Task> {
  const p = parse(editMediumSchema, input);
  const hosts = everyRegistration(f, 'change');
  if (p.type !== undefined) {
    const flags = await onHost(hosts[0], async (vbox) => variantFlags(await (await openOn(vbox, f.row)).getVariant()));
    const allowed = allowedTypesOf(f.row, flags);
    if (!allowed.includes(p.type)) throw badRequest([fieldError('type', `${f.row.name} can be ${allowed.join(', ')}; not ${p.type}`)]);
  }
  const changed = [p.type !== undefined ? `type ${p.type}` : '', p.description !== undefined ? 'description' : ''].filter(Boolean).join(' and ');
  return mediaTask({
    kind: 'media.edit', title: `Change ${changed} of ${f.row.name}`,
    titleKey: taskText(p.type !== undefined && p.description !== undefined ? 'media.editTypeDescription' : p.type !== undefined ? 'media.editType' : 'media.editDescription', { file: f.row.name, ...(p.type !== undefined ? { type: p.type } : {}) }),
    target: target(f.row.name, hosts[0].hostId, f.owner, f.row.id), user,
    locks: [mediumKey(f.row.location)],
  }, null, async (ctx) => {
    const done: { host: OnHost; before: Patch }[] = [];
    let step = '';
    try {
      for (const [i, host] of hosts.entries()) {
        step = `Setting ${changed} on ${host.hostName}`;
        ctx.step(Math.round((i / hosts.length) * 90), step);
        done.push({ host, before: await onHost(host, async (vbox) => applyPatch(await openOn(vbox, f.row), p)) });
      }
    } catch (e) {
      for (const d of done.reverse()) {
        ctx.step(ctx.task.percent, `Setting ${d.host.hostName} back`);
        await onHost(d.host, async (vbox) => applyPatch(await openOn(vbox, f.row), d.before))
          .catch((undo: unknown) => console.error(`nimbox: could not set ${f.row.location} back on ${d.host.hostName}`, (undo as Error)?.message));
      }
      // The task fails at the step that failed (its error names the host).
      ctx.step(ctx.task.percent, step);
      throw e;
    }
    ctx.step(100, `Changed ${changed} of ${f.row.name} on ${hosts.map((h) => h.hostName).join(', ')}`);
  });
}

// ---------------------------------------------------------------- DELETE /api/v1/media/:id

export async function startDeleteMedium(f: FoundMedium, user: User): Promise<Task> {
  const { row, inv } = f;
  refuseLinkedClones(row.linkedClones ?? [], `delete ${row.name}`, user, inv, 'it');
  // Every host is asked now (not the list's cache): a machine on any host may use it, or a differencing image built on it since.
  const usage = await readMediaUsage([row.location], inv);
  const regs = usage.registrations.get(row.location) ?? [];
  const children = Math.max(row.children.length, ...regs.map((r) => r.children));
  if (children) {
    throw new ProblemError({
      title: 'Medium in use', status: 409,
      detail: `${row.name} has ${children} differencing image${children === 1 ? '' : 's'} (snapshots or linked clones) built on it: delete those first.`,
    });
  }
  const holders = holdersOf(regs, 'delete', inv);
  if (holders.length) {
    // The caller hears which of their machines use it; another tenant's stay unnamed.
    const mine = user.role === 'admin' ? holders : holders.filter((h) => (inv.copyOn(h.hostId, h.machineId) ?? inv.machine(h.machineId))?.tenant === user.tenant);
    const others = holders.length - mine.length;
    const named = [mine.length ? describeHolders(mine) : '', others ? `${others} other machine${others === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
    throw new ProblemError({ title: 'Medium in use', status: 409, detail: `${row.name} is in use: attached to ${named}. Detach it first.`, usedBy: mine.map((h) => ({ ...h })) });
  }
  if (usage.unchecked.length) {
    const why = user.role === 'admin' ? usage.unchecked.map((u) => u.why).join('; ') : 'a host could not be asked';
    throw new ProblemError({ title: 'Medium not checked', status: 409, detail: `Cannot tell whether ${row.name} is in use (${why}): try again when every host answers.` });
  }
  const held = heldBy(row.location);
  if (held) throw new ProblemError({ title: 'Medium in use', status: 409, detail: `${row.name} is in use by ${user.role === 'admin' ? held : 'another operation'}: try again shortly.` });
  const host = runHost(f);
  // Registered elsewhere (as this read finds it, not the list): closed there first.
  const others = [...new Map(regs.filter((r) => r.hostId !== host.hostId).map((r) => [r.hostId, r])).values()]
    .sort((a, b) => a.hostName.localeCompare(b.hostName))
    .map((r) => {
      const on = connected(inv, r.hostId, r.hostName);
      if (!on) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `${row.name} is registered on ${r.hostName}, which does not answer now: try again shortly.` });
      return on;
    });
  const release = holdMedia([row.location], `deleting ${row.name}`);
  if (!release) throw new ProblemError({ title: 'Medium in use', status: 409, detail: `${row.name} is in use by another operation: try again shortly.` });
  return mediaTask({
    kind: 'media.delete', title: `Delete ${row.name}`, titleKey: taskText('media.delete', { file: row.name }), target: target(row.name, host.hostId, f.owner, row.id), user, locks: [mediumKey(row.location)],
  }, null, async (ctx) => {
    const closed: OnHost[] = [];
    try {
      for (const [i, h] of others.entries()) {
        ctx.step(Math.round((i / (others.length + 1)) * 50), `Closing ${row.name} on ${h.hostName}`);
        await onHost(h, async (vbox) => (await openOn(vbox, row)).close());
        closed.push(h);
      }
      ctx.step(50, `Deleting ${row.name} on ${host.hostName}`);
      await onHost(host, async (vbox) => ctx.follow(await (await openOn(vbox, row)).deleteStorage(), [50, 100]));
    } catch (e) {
      // The file is still there: the hosts that had it registered get it back.
      for (const h of closed) {
        await onHost(h, (vbox) => openOn(vbox, row))
          .catch((undo: unknown) => console.error(`nimbox: could not open ${row.location} again on ${h.hostName}`, (undo as Error)?.message));
      }
      throw e;
    }
    ctx.step(100, `Deleted ${row.name}`);
  }, release);
}
