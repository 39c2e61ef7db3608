/**
 * A machine's storage settings (GET /api/v1/vms/:id/storage and the writes under it → task
 * vm.storage): its controllers, what is attached at each port, and the medium in each drive.
 *
 * Every change goes to every copy of the machine (its twins, the same UUID on several hosts), in
 * order: the running copy first (through a Shared lock's session machine, as VBoxManage
 * storageattach does: hot-plug and medium changes take effect at once), then the powered-off copies
 * under Write locks. When one host refuses, the copies already changed are set back and the task
 * fails naming the host, with VirtualBox's text and result code (the pattern of edit.ts).
 *
 * What a running machine allows is VirtualBox's rule, checked up front so the answer says why:
 * media in DVD and floppy drives change at any time; a disk is hot-plugged only on a controller
 * that can (PlatformProperties::getStorageControllerHotplugCapable: AHCI and USB) and unplugged
 * only from a port marked hot-pluggable (Machine::detachDevice; the mark is set while powered
 * off, Machine::setHotPluggableForDevice). An empty port of a running AHCI controller is
 * hot-pluggable (DevAHCI's default), so a disk attached there while running is marked so.
 *
 * Media are named by location (a path on the shared storage); each host opens the medium itself
 * when it does not know it yet, and closes it again when the change is undone.
 */
import path from 'node:path';
import { z } from 'zod';
import { ProblemError, notFound, validationProblem } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { mediumPathProblem, type MediumUse } from '@/lib/media/folders';
import { clearMediaCache } from '@/lib/media/inventory';
import { assertMediaFree, holdMedia, pathKey } from '@/lib/media/ownership';
import { taskText, startTask, type Task, type TaskContext, type TaskText } from '@/lib/tasks';
import type { IMachine, IMedium, IPlatformProperties, IStorageController, IVirtualBox } from '@/lib/vbox/objects';
import { withLockedMachine } from '@/lib/vbox/session';
import type { ChipsetType, DeviceType, MachineState, StorageBus, StorageControllerType } from '@/lib/vbox/types';
import {
  badRequest, copiesOf, describe, fieldError, hostsById, inventory, isOff, refusal, requireUp, stateUnless, taskUser, underStorage, withWriteLock, type MachineCopy,
} from './common';

// ---------------------------------------------------------------- shapes

export const STORAGE_BUSES = ['IDE', 'SATA', 'SCSI', 'Floppy', 'SAS', 'USB', 'PCIe', 'VirtioSCSI'] as const satisfies readonly StorageBus[];
export const CONTROLLER_TYPES = [
  'LsiLogic', 'BusLogic', 'IntelAhci', 'PIIX3', 'PIIX4', 'ICH6', 'I82078', 'LsiLogicSas', 'USB', 'NVMe', 'VirtioSCSI',
] as const satisfies readonly StorageControllerType[];
export const STORAGE_DEVICE_TYPES = ['HardDisk', 'DVD', 'Floppy'] as const satisfies readonly DeviceType[];
export type StorageDeviceType = (typeof STORAGE_DEVICE_TYPES)[number];

export interface AttachedMedium {
  id: string;
  name: string;
  location: string;
  format: string;
  logicalSizeBytes: number;
  sizeBytes: number;
}

export interface AttachmentView {
  port: number;
  device: number;
  type: DeviceType;
  /** null: an empty DVD or floppy drive. */
  medium: AttachedMedium | null;
  hotPluggable: boolean;
  nonRotational: boolean;
  discard: boolean;
  passthrough: boolean;
  temporaryEject: boolean;
  isEjected: boolean;
}

export interface ControllerView {
  name: string;
  bus: StorageBus;
  controllerType: StorageControllerType;
  portCount: number;
  minPortCount: number;
  maxPortCount: number;
  maxDevicesPerPort: number;
  bootable: boolean;
  useHostIOCache: boolean;
  hotplugCapable: boolean;
  attachments: AttachmentView[];
}

/** A bus the machine's platform supports, with its limits (IPlatformProperties). */
export interface BusView {
  bus: StorageBus;
  controllerTypes: StorageControllerType[];
  minPortCount: number;
  maxPortCount: number;
  maxDevicesPerPort: number;
  deviceTypes: DeviceType[];
  hotplugCapable: boolean;
  /** How many controllers of this bus the machine's chipset takes. */
  maxInstances: number;
}

export interface StorageView {
  /** The machine runs (or is paused): only media changes and hot-plugging are possible. */
  running: boolean;
  state: MachineState;
  /** The host the settings were read from (where it runs, else the first copy). */
  hostId: string;
  controllers: ControllerView[];
  buses: BusView[];
}

// ---------------------------------------------------------------- reading

/** States in which the machine has a VM process that takes hot-plug and medium changes. */
const LIVE: readonly MachineState[] = ['Running', 'Paused'];

async function mediumView(m: IMedium): Promise<AttachedMedium> {
  const [id, name, location, format, logicalSizeBytes, sizeBytes] = await Promise.all([
    m.getId(), m.getName(), m.getLocation(), m.getFormat(), m.getLogicalSize(), m.getSize(),
  ]);
  return { id, name, location, format, logicalSizeBytes, sizeBytes };
}

async function busView(props: IPlatformProperties, chipset: ChipsetType, bus: StorageBus): Promise<BusView> {
  const [controllerTypes, minPortCount, maxPortCount, maxDevicesPerPort, deviceTypes, maxInstances] = await Promise.all([
    props.getStorageControllerTypesForBus(bus), props.getMinPortCountForStorageBus(bus), props.getMaxPortCountForStorageBus(bus),
    props.getMaxDevicesPerPortForStorageBus(bus), props.getDeviceTypesForStorageBus(bus), props.getMaxInstancesOfStorageBus(chipset, bus),
  ]);
  const hotplug = await Promise.all(controllerTypes.map((t) => props.getStorageControllerHotplugCapable(t)));
  return { bus, controllerTypes, minPortCount, maxPortCount, maxDevicesPerPort, deviceTypes, hotplugCapable: hotplug.some(Boolean), maxInstances };
}

async function controllerView(c: IStorageController, props: IPlatformProperties): Promise<Omit<ControllerView, 'attachments'>> {
  const [name, bus, controllerType, portCount, minPortCount, maxPortCount, maxDevicesPerPort, bootable, useHostIOCache] = await Promise.all([
    c.getName(), c.getBus(), c.getControllerType(), c.getPortCount(), c.getMinPortCount(), c.getMaxPortCount(),
    c.getMaxDevicesPerPortCount(), c.getBootable(), c.getUseHostIOCache(),
  ]);
  const hotplugCapable = await props.getStorageControllerHotplugCapable(controllerType);
  return { name, bus, controllerType, portCount, minPortCount, maxPortCount, maxDevicesPerPort, bootable, useHostIOCache, hotplugCapable };
}

/** A machine's controllers with their attachments, and the buses its platform supports. */
export async function readStorage(m: IMachine): Promise<Pick<StorageView, 'controllers' | 'buses'>> {
  const platform = await m.getPlatform();
  const [props, chipset, controllers, attachments] = await Promise.all([
    platform.getProperties(), platform.getChipsetType(), m.getStorageControllers(), m.getMediumAttachments(),
  ]);
  const buses = (await props.getSupportedStorageBuses()).filter((b) => b !== 'Null');
  const [busViews, ctlViews, attViews] = await Promise.all([
    Promise.all(buses.map((b) => busView(props, chipset, b))),
    Promise.all(controllers.map((c) => controllerView(c, props))),
    Promise.all(attachments.map(async (a) => ({
      controller: a.controller,
      view: {
        port: a.port, device: a.device, type: a.type, medium: a.medium ? await mediumView(a.medium) : null,
        hotPluggable: a.hotPluggable, nonRotational: a.nonRotational, discard: a.discard,
        passthrough: a.passthrough, temporaryEject: a.temporaryEject, isEjected: a.isEjected,
      } satisfies AttachmentView,
    }))),
  ]);
  return {
    controllers: ctlViews.map((c) => ({
      ...c,
      attachments: attViews.filter((a) => a.controller === c.name).map((a) => a.view).sort((x, y) => x.port - y.port || x.device - y.device),
    })),
    buses: busViews,
  };
}

/** GET /api/v1/vms/:id/storage: read from the copy that runs, else the first copy (404 when no host knows the machine). */
export async function machineStorage(id: string): Promise<StorageView> {
  const inv = await inventory();
  const copy = copiesOf(inv, id)[0];
  const read = await copy.client.scope(async (vbox) => readStorage(await vbox.findMachine(id)));
  return { running: LIVE.includes(copy.summary.state), state: copy.summary.state, hostId: copy.host.id, ...read };
}

// ---------------------------------------------------------------- request bodies

/** A controller's name as VirtualBox keeps it; no slash or control characters: it is a path segment of the API. */
const controllerName = z.string().trim().min(1, 'Give a name').max(64, 'At most 64 characters')
  .refine((s) => !/[/\\\u0000-\u001f\u007f]/.test(s), { message: 'No / \\ or control characters' });
const portNumber = z.number().int('A whole number').min(0, 'At least 0').max(255, 'At most 255');
const location = z.string().trim().min(1, 'Name a medium by its path').max(4096);

export const addControllerSchema = z.strictObject({
  name: controllerName,
  bus: z.enum(STORAGE_BUSES),
  controllerType: z.enum(CONTROLLER_TYPES).optional(),
  portCount: z.number().int('A whole number').min(1, 'At least 1').max(256, 'At most 256').optional(),
});

export const editControllerSchema = z.strictObject({
  portCount: z.number().int('A whole number').min(1, 'At least 1').max(256, 'At most 256').optional(),
  controllerType: z.enum(CONTROLLER_TYPES).optional(),
  useHostIOCache: z.boolean().optional(),
  bootable: z.boolean().optional(),
}).refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'Nothing to change', path: ['body'] });

export const attachSchema = z.strictObject({
  controller: controllerName,
  port: portNumber,
  device: portNumber,
  type: z.enum(STORAGE_DEVICE_TYPES),
  /** A medium's path (from the media list or the storage browser); null or absent: an empty DVD or floppy drive. */
  location: location.nullable().optional(),
  hotPluggable: z.boolean().optional(),
  nonRotational: z.boolean().optional(),
}).refine((a) => a.type !== 'HardDisk' || !!a.location, { message: 'A hard disk slot needs a disk: name one', path: ['location'] });

export const attachmentFlagsSchema = z.strictObject({
  hotPluggable: z.boolean().optional(),
  nonRotational: z.boolean().optional(),
  discard: z.boolean().optional(),
}).refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'Nothing to change', path: ['body'] });

export const mountSchema = z.strictObject({
  /** The image to put in the drive (its path); null ejects. */
  location: location.nullable(),
  /** Eject even when the guest has locked the drive. */
  force: z.boolean().optional(),
});

export type AddControllerInput = z.input<typeof addControllerSchema>;
export type EditControllerInput = z.input<typeof editControllerSchema>;
export type AttachInput = z.input<typeof attachSchema>;
export type AttachmentFlagsInput = z.input<typeof attachmentFlagsSchema>;
export type MountInput = z.input<typeof mountSchema>;

/** An attachment named in a URL: /storage/attachments/:controller/:port/:device. */
export interface SlotParams {
  controller: string;
  port: string;
  device: string;
}

// ---------------------------------------------------------------- the operations

interface Slot {
  controller: string;
  port: number;
  device: number;
}

interface Flags {
  hotPluggable?: boolean;
  nonRotational?: boolean;
  discard?: boolean;
}

interface ControllerSnap {
  name: string;
  bus: StorageBus;
  controllerType: StorageControllerType;
  portCount: number;
  useHostIOCache: boolean;
  bootable: boolean;
}

interface AttachmentSnap extends Slot, Flags {
  type: DeviceType;
  location: string | null;
}

/** One change of a copy's storage; each has an inverse, read from the copy before it changes. */
type Op =
  | { kind: 'addController'; name: string; bus: StorageBus; controllerType?: StorageControllerType; portCount?: number }
  | { kind: 'editController'; name: string; portCount?: number; controllerType?: StorageControllerType; useHostIOCache?: boolean; bootable?: boolean }
  | { kind: 'removeController'; name: string }
  | { kind: 'restoreController'; controller: ControllerSnap; attachments: AttachmentSnap[] }
  | ({ kind: 'attach' } & AttachmentSnap)
  | ({ kind: 'flags' } & Slot & Flags)
  | ({ kind: 'detach' } & Slot)
  | ({ kind: 'mount' } & Slot & { location: string | null; force: boolean });

const accessFor = (type: DeviceType) => (type === 'DVD' ? 'ReadOnly' : 'ReadWrite');

/** The media registered on a host with this location (hard disks: base media; what Nimbox attaches by path). */
async function knows(vbox: IVirtualBox, location: string, type: DeviceType): Promise<boolean> {
  const list = type === 'HardDisk' ? await vbox.getHardDisks() : type === 'DVD' ? await vbox.getDVDImages() : await vbox.getFloppyImages();
  const locations = await Promise.all(list.map((m) => m.getLocation()));
  return locations.some((l) => pathKey(l) === pathKey(location));
}

/** What one application of an op on one copy opened (to close again when it is undone or fails). */
interface Opened {
  vbox: IVirtualBox;
  media: IMedium[];
}

/** Opens the medium at `location` on this host (VirtualBox hands back the one it knows), noting ones it did not know. */
async function open(opened: Opened, location: string, type: DeviceType): Promise<IMedium> {
  const known = await knows(opened.vbox, location, type);
  const medium = await opened.vbox.openMedium(location, type, accessFor(type), false);
  if (!known) opened.media.push(medium);
  return medium;
}

/** Closes media this change opened that nothing uses now (a failed or undone attach leaves no registration behind). */
async function closeUnused(opened: Opened): Promise<void> {
  for (const m of opened.media) {
    try {
      if ((await m.getMachineIds()).length === 0) await m.close();
    } catch {
      // Gone already, or in use after all: leave it.
    }
  }
}

async function snapAttachment(m: IMachine, s: Slot): Promise<AttachmentSnap> {
  const a = await m.getMediumAttachment(s.controller, s.port, s.device);
  return {
    controller: s.controller, port: s.port, device: s.device, type: a.type, location: a.medium ? await a.medium.getLocation() : null,
    hotPluggable: a.hotPluggable, nonRotational: a.nonRotational, discard: a.discard,
  };
}

async function setFlags(m: IMachine, s: Slot, f: Flags): Promise<void> {
  if (f.hotPluggable !== undefined) await m.setHotPluggableForDevice(s.controller, s.port, s.device, f.hotPluggable);
  if (f.nonRotational !== undefined) await m.nonRotationalDevice(s.controller, s.port, s.device, f.nonRotational);
  if (f.discard !== undefined) await m.setAutoDiscardForDevice(s.controller, s.port, s.device, f.discard);
}

async function attach(m: IMachine, opened: Opened, a: AttachmentSnap, live: boolean): Promise<void> {
  if (a.location) await m.attachDevice(a.controller, a.port, a.device, a.type, await open(opened, a.location, a.type));
  else await m.attachDeviceWithoutMedium(a.controller, a.port, a.device, a.type);
  // A running machine's flags are VirtualBox's (a hot-plugged disk is hot-pluggable); only true flags are set, false is the default.
  if (!live) {
    await setFlags(m, a, {
      hotPluggable: a.hotPluggable || undefined, nonRotational: a.nonRotational || undefined, discard: a.discard || undefined,
    });
  }
}

async function snapController(m: IMachine, name: string): Promise<ControllerSnap> {
  const c = await m.getStorageControllerByName(name);
  const [bus, controllerType, portCount, useHostIOCache, bootable] = await Promise.all([
    c.getBus(), c.getControllerType(), c.getPortCount(), c.getUseHostIOCache(), c.getBootable(),
  ]);
  return { name, bus, controllerType, portCount, useHostIOCache, bootable };
}

/**
 * Applies an op to a session's machine (saveSettings by the caller) and returns its inverse, read
 * from the machine before it changed. `live`: the copy runs (Shared lock; hot-plug).
 */
async function apply(m: IMachine, opened: Opened, op: Op, live: boolean): Promise<Op> {
  switch (op.kind) {
    case 'addController': {
      const c = await m.addStorageController(op.name, op.bus);
      if (op.controllerType) await c.setControllerType(op.controllerType);
      if (op.portCount !== undefined) await c.setPortCount(op.portCount);
      return { kind: 'removeController', name: op.name };
    }
    case 'editController': {
      const before = await snapController(m, op.name);
      const c = await m.getStorageControllerByName(op.name);
      if (op.controllerType !== undefined) await c.setControllerType(op.controllerType);
      if (op.portCount !== undefined) await c.setPortCount(op.portCount);
      if (op.useHostIOCache !== undefined) await c.setUseHostIOCache(op.useHostIOCache);
      if (op.bootable !== undefined) await m.setStorageControllerBootable(op.name, op.bootable);
      return {
        kind: 'editController', name: op.name,
        ...(op.controllerType !== undefined ? { controllerType: before.controllerType } : {}),
        ...(op.portCount !== undefined ? { portCount: before.portCount } : {}),
        ...(op.useHostIOCache !== undefined ? { useHostIOCache: before.useHostIOCache } : {}),
        ...(op.bootable !== undefined ? { bootable: before.bootable } : {}),
      };
    }
    case 'removeController': {
      const controller = await snapController(m, op.name);
      const list = await m.getMediumAttachmentsOfController(op.name);
      const attachments = await Promise.all(list.map((a) => snapAttachment(m, a)));
      await m.removeStorageController(op.name);
      return { kind: 'restoreController', controller, attachments };
    }
    case 'restoreController': {
      const { controller: c, attachments } = op;
      const ctl = await m.addStorageController(c.name, c.bus);
      await ctl.setControllerType(c.controllerType);
      await ctl.setPortCount(c.portCount);
      await ctl.setUseHostIOCache(c.useHostIOCache);
      if (c.bootable !== (await ctl.getBootable())) await m.setStorageControllerBootable(c.name, c.bootable);
      for (const a of attachments) await attach(m, opened, a, live);
      return { kind: 'removeController', name: c.name };
    }
    case 'attach': {
      await attach(m, opened, op, live);
      return { kind: 'detach', controller: op.controller, port: op.port, device: op.device };
    }
    case 'flags': {
      const before = await snapAttachment(m, op);
      await setFlags(m, op, op);
      return {
        kind: 'flags', controller: op.controller, port: op.port, device: op.device,
        ...(op.hotPluggable !== undefined ? { hotPluggable: before.hotPluggable } : {}),
        ...(op.nonRotational !== undefined ? { nonRotational: before.nonRotational } : {}),
        ...(op.discard !== undefined ? { discard: before.discard } : {}),
      };
    }
    case 'detach': {
      const before = await snapAttachment(m, op);
      await m.detachDevice(op.controller, op.port, op.device);
      return { kind: 'attach', ...before };
    }
    case 'mount': {
      const before = await snapAttachment(m, op);
      if (op.location) await m.mountMedium(op.controller, op.port, op.device, await open(opened, op.location, before.type), op.force);
      else await m.unmountMedium(op.controller, op.port, op.device, op.force);
      return { kind: 'mount', controller: op.controller, port: op.port, device: op.device, location: before.location, force: true };
    }
  }
}

// ---------------------------------------------------------------- checks before the task

const slotName = (c: Pick<ControllerView, 'name' | 'maxDevicesPerPort'>, port: number, device: number) =>
  `${c.name} port ${port}${c.maxDevicesPerPort > 1 ? ` device ${device}` : ''}`;
const kindOf = (t: DeviceType) => (t === 'HardDisk' ? 'disk' : t === 'DVD' ? 'DVD drive' : t === 'Floppy' ? 'floppy drive' : t);

function conflict(title: string, detail: string, extra: Record<string, unknown> = {}): ProblemError {
  return new ProblemError({ title, status: 409, detail, ...extra });
}

/** Where each copy stands: the copy that runs (if one does) and the powered-off ones; 409 for any other state. */
async function states(copies: MachineCopy[]): Promise<{ live: MachineCopy | null }> {
  let live: MachineCopy | null = null;
  for (const copy of copies) {
    const state = await stateUnless(copy, (s) => isOff(s) || LIVE.includes(s));
    const { summary, host } = copy;
    if (isOff(state)) continue;
    if (LIVE.includes(state) && !live) {
      live = copy;
      continue;
    }
    const fix = state === 'Saved' || state === 'AbortedSaved'
      ? 'Start it or discard its saved state first.'
      : 'Wait until it is running or powered off.';
    throw conflict('Machine state', `Cannot change the storage of ${summary.name}: it is ${state} on ${host.name}. ${fix}`, { state, hostId: host.id });
  }
  return { live };
}

/** The storage view the checks work from: the first copy's (the one that runs, if one does). */
async function layoutOf(copy: MachineCopy, id: string): Promise<Pick<StorageView, 'controllers' | 'buses'>> {
  return copy.client.scope(async (vbox) => readStorage(await vbox.findMachine(id)));
}

function controllerOf(layout: Pick<StorageView, 'controllers'>, name: string, machine: string): ControllerView {
  const c = layout.controllers.find((x) => x.name === name);
  if (!c) throw new ProblemError(notFound(`Storage controller "${name}" of ${machine}`));
  return c;
}

function attachmentOf(c: ControllerView, port: number, device: number, machine: string): AttachmentView {
  const a = c.attachments.find((x) => x.port === port && x.device === device);
  if (!a) throw new ProblemError(notFound(`An attachment at ${slotName(c, port, device)} of ${machine}`));
  return a;
}

/** The slot named by a URL (:controller/:port/:device); a port or device that is not a number names nothing (404). */
function slotOf(p: SlotParams, machine: string): Slot {
  const n = (s: string) => (/^\d{1,3}$/.test(s) ? Number(s) : NaN);
  const port = n(p.port);
  const device = n(p.device);
  if (Number.isNaN(port) || Number.isNaN(device)) throw new ProblemError(notFound(`An attachment at ${p.controller} port ${p.port} device ${p.device} of ${machine}`));
  return { controller: p.controller, port, device };
}

const offOnly = (machine: string, live: MachineCopy, what: string) =>
  conflict('Machine running', `Cannot ${what} while ${machine} runs on ${live.host.name}: power it off first.`, { state: live.summary.state, hostId: live.host.id });

interface MediumPlan {
  location: string;
  use: MediumUse;
}

/**
 * The medium a request names, as a normalized path under the shared storage of every host the
 * machine is on (400 when not; 403 when it is not the caller's), and free to attach (409 when a
 * machine on any host holds it and its type does not let it share).
 */
async function checkMedium(raw: string, type: DeviceType, copies: MachineCopy[], user: User): Promise<MediumPlan> {
  // Only a DVD drive is read-only: a floppy drive writes to its image, so it is a tenant's own, like a disk (never the ISO library's).
  const use: MediumUse = type === 'DVD' ? 'iso' : 'disk';
  const views = await hostsById();
  let location: string | undefined;
  for (const copy of copies) {
    const view = views.get(copy.host.id);
    const storage = view?.storagePath;
    if (!storage) throw badRequest([fieldError('location', `${copy.host.name} has no shared-storage path: set it in the host's settings first`)]);
    const p = underStorage(storage, raw);
    if (!p) throw badRequest([fieldError('location', `An absolute path of an image under the shared storage (${storage})`)]);
    const why = mediumPathProblem(user, storage, p, use);
    if (why) throw new ProblemError({ title: 'Not your media', status: 403, detail: `location: ${why}.`, errors: [fieldError('location', why)] });
    location ??= p;
  }
  const inv = await inventory();
  await assertMediaFree([{ field: 'location', location: location!, use }], user, inv);
  return { location: location!, use };
}

// ---------------------------------------------------------------- the task

interface Plan {
  op: Op;
  title: string;
  /** The title as a `taskText` key + values. */
  titleKey?: TaskText;
  /** What the task's steps say it does ("Attaching disk.vdi to SATA port 1"). */
  doing: string;
  medium?: MediumPlan;
}

/** "a.vdi" of "/storage/a.vdi" (either path syntax). */
const baseName = (p: string) => (path.posix.isAbsolute(p) ? path.posix.basename(p) : path.win32.basename(p));

/** Runs fn on a copy's session machine: Shared lock on the running copy, Write lock on a powered-off one; saves the settings. */
function onCopy<T>(copy: MachineCopy, id: string, live: boolean, fn: (m: IMachine, opened: Opened) => Promise<T>): Promise<{ out: T; opened: OpenedMedium[] }> {
  return copy.client.write(async (vbox, wsm) => {
    const opened: Opened = { vbox, media: [] };
    try {
      const out = live
        ? await withLockedMachine(vbox, wsm, id, 'Shared', async (session) => {
          const m = await session.getMachine();
          const r = await fn(m, opened);
          await m.saveSettings();
          return r;
        })
        : await withWriteLock(vbox, wsm, id, (m) => fn(m, opened));
      return { out, opened: await Promise.all(opened.media.map(async (m) => ({ location: await m.getLocation(), type: await m.getDeviceType() }))) };
    } catch (e) {
      // The session closed without saving (or the live change was refused): media opened for it go again.
      await closeUnused(opened);
      throw e;
    }
  }, { release: true });
}

interface OpenedMedium {
  location: string;
  type: DeviceType;
}

/** After an undo: closes the media the undone change had opened on the copy's host, when nothing there uses them. */
async function closeOnHost(copy: MachineCopy, media: OpenedMedium[]): Promise<void> {
  if (media.length === 0) return;
  await copy.client.write(async (vbox) => {
    const opened: Opened = { vbox, media: [] };
    for (const { location, type } of media) opened.media.push(await vbox.openMedium(location, type, accessFor(type), false));
    await closeUnused(opened);
  }, { release: true }).catch(() => undefined);
}

async function runPlan(ctx: TaskContext, id: string, name: string, copies: MachineCopy[], live: MachineCopy | null, plan: Plan): Promise<void> {
  const done: { copy: MachineCopy; undo: Op; opened: OpenedMedium[] }[] = [];
  for (const [i, copy] of copies.entries()) {
    const isLive = copy === live;
    ctx.step(Math.round((i / copies.length) * 90), `${plan.doing} on ${copy.host.name}${isLive ? ' (running)' : ''}`);
    try {
      const { out: undo, opened } = await onCopy(copy, id, isLive, (m, o) => apply(m, o, plan.op, isLive));
      done.push({ copy, undo, opened });
    } catch (e) {
      const leftovers: string[] = [];
      for (const d of done.reverse()) {
        ctx.step(ctx.task.percent, `Setting ${d.copy.host.name} back`);
        try {
          await onCopy(d.copy, id, d.copy === live, (m, o) => apply(m, o, d.undo, d.copy === live));
          await closeOnHost(d.copy, d.opened);
        } catch (undo) {
          leftovers.push(`${d.copy.host.name}: ${describe(undo)}`);
          console.error(`nimbox: could not set the storage of ${name} back on ${d.copy.host.name}`, describe(undo));
        }
      }
      ctx.step(ctx.task.percent, `${plan.doing} on ${copy.host.name}`);
      throw refusal(e, copy.host.name, leftovers);
    }
  }
  ctx.step(100, `${plan.doing}: done on ${copies.map((c) => c.host.name).join(', ')}`);
}

/**
 * Checks a storage change against the machine (400 naming fields, 404, 409 for its state or a
 * busy slot or medium, 403 for another tenant's medium) and starts the vm.storage task.
 */
async function start(id: string, user: User, make: (ctx: {
  name: string; layout: Pick<StorageView, 'controllers' | 'buses'>; live: MachineCopy | null; copies: MachineCopy[];
}) => Promise<Plan>): Promise<Task> {
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  const name = copies[0].summary.name;
  // Every copy takes the change or none does: a host that does not answer now is named before anything changes.
  for (const c of copies) requireUp(inv.host(c.host.id), c.host.name);
  const { live } = await states(copies);
  const layout = await layoutOf(copies[0], id);
  const plan = await make({ name, layout, live, copies });
  // A disk is this task's until it ends (no other attach, create or delete takes it meanwhile); an ISO image is shared by
  // nature, and holding it would refuse parallel mounts of one installer.
  const disk = plan.medium?.use === 'disk' ? plan.medium.location : null;
  const mediumKey = disk ? pathKey(disk) : null;
  const release = disk ? holdMedia([disk], `the storage change of ${name}`) : () => undefined;
  if (!release) {
    throw conflict('Medium in use', 'location: another operation is attaching or deleting it.', {
      errors: [fieldError('location', 'In use by another operation: try again shortly')],
    });
  }
  try {
    return await startTask({
      kind: 'vm.storage',
      title: plan.title,
      titleKey: plan.titleKey,
      target: { type: 'vm', id, name, hostId: copies[0].host.id },
      user: taskUser(user),
      // The machine's id, as vm.edit locks it: edits and storage changes do not interleave.
      locks: [id, ...(mediumKey ? [`medium:${mediumKey}`] : [])],
    }, async (ctx) => {
      try {
        // Checked again now that it is held: another machine may have taken the disk since.
        if (disk) {
          ctx.step(0, 'Checking the disk');
          await assertMediaFree([{ field: 'location', location: disk, use: 'disk' }], user, inv, { holding: true });
        }
        await runPlan(ctx, id, name, copies, live, plan);
      } finally {
        release();
        clearMediaCache();
      }
    });
  } catch (e) {
    release();
    throw e;
  }
}

const parse = <T extends z.ZodType>(schema: T, input: unknown): z.output<T> => {
  const r = schema.safeParse(input);
  if (!r.success) throw new ProblemError(validationProblem(r.error));
  return r.data;
};

/** POST /api/v1/vms/:id/storage/controllers */
export function startAddController(id: string, input: unknown, user: User): Promise<Task> {
  const b = parse(addControllerSchema, input);
  return start(id, user, async ({ name, layout, live }) => {
    if (live) throw offOnly(name, live, 'add a storage controller');
    if (layout.controllers.some((c) => c.name === b.name)) {
      throw conflict('Conflict', `${name} has a controller named "${b.name}" already.`, { errors: [fieldError('name', 'Taken by another controller of this machine')] });
    }
    const bus = layout.buses.find((x) => x.bus === b.bus);
    if (!bus) throw badRequest([fieldError('bus', `Not a bus ${name}'s platform supports (${layout.buses.map((x) => x.bus).join(', ')})`)]);
    const errors = [];
    if (b.controllerType && !bus.controllerTypes.includes(b.controllerType)) {
      errors.push(fieldError('controllerType', `A ${b.bus} controller is one of ${bus.controllerTypes.join(', ')}`));
    }
    if (b.portCount !== undefined && (b.portCount < bus.minPortCount || b.portCount > bus.maxPortCount)) {
      errors.push(fieldError('portCount', bus.minPortCount === bus.maxPortCount
        ? `A ${b.bus} controller has ${bus.minPortCount} ports`
        : `Between ${bus.minPortCount} and ${bus.maxPortCount} for ${b.bus}`));
    }
    if (errors.length) throw badRequest(errors);
    const same = layout.controllers.filter((c) => c.bus === b.bus).length;
    if (same >= bus.maxInstances) {
      throw conflict('Conflict', `${name} has ${same} ${b.bus} controller${same === 1 ? '' : 's'} already, the most its chipset takes.`, {
        errors: [fieldError('bus', `At most ${bus.maxInstances} ${b.bus} controller${bus.maxInstances === 1 ? '' : 's'}`)],
      });
    }
    return {
      op: { kind: 'addController', name: b.name, bus: b.bus, controllerType: b.controllerType, portCount: b.portCount },
      title: `Add storage controller ${b.name} to ${name}`,
      titleKey: taskText('storage.addController', { controller: b.name, name }),
      doing: `Adding ${b.bus} controller ${b.name}`,
    };
  });
}

/** PATCH /api/v1/vms/:id/storage/controllers/:name */
export function startEditController(id: string, controller: string, input: unknown, user: User): Promise<Task> {
  const b = parse(editControllerSchema, input);
  return start(id, user, async ({ name, layout, live }) => {
    const c = controllerOf(layout, controller, name);
    if (live) throw offOnly(name, live, `change storage controller ${c.name}`);
    const bus = layout.buses.find((x) => x.bus === c.bus);
    const errors = [];
    if (b.controllerType && !(bus?.controllerTypes ?? [c.controllerType]).includes(b.controllerType)) {
      errors.push(fieldError('controllerType', `A ${c.bus} controller is one of ${(bus?.controllerTypes ?? [c.controllerType]).join(', ')}`));
    }
    if (b.portCount !== undefined) {
      const used = c.attachments.filter((a) => a.port >= b.portCount!).map((a) => a.port);
      if (b.portCount < c.minPortCount || b.portCount > c.maxPortCount) {
        errors.push(fieldError('portCount', c.minPortCount === c.maxPortCount
          ? `A ${c.bus} controller has ${c.minPortCount} ports`
          : `Between ${c.minPortCount} and ${c.maxPortCount} for ${c.bus}`));
      } else if (used.length) {
        errors.push(fieldError('portCount', `Port ${Math.max(...used)} is in use: detach what is attached there first`));
      }
    }
    if (errors.length) throw badRequest(errors);
    const changes = Object.entries(b).filter(([, v]) => v !== undefined).map(([k]) => k).join(', ');
    return {
      op: { kind: 'editController', name: c.name, ...b },
      title: `Change storage controller ${c.name} of ${name}`,
      titleKey: taskText('storage.changeController', { controller: c.name, name }),
      doing: `Setting ${changes} of ${c.name}`,
    };
  });
}

/** DELETE /api/v1/vms/:id/storage/controllers/:name (what is attached to it is detached; the media stay). */
export function startRemoveController(id: string, controller: string, user: User): Promise<Task> {
  return start(id, user, async ({ name, layout, live }) => {
    const c = controllerOf(layout, controller, name);
    if (live) throw offOnly(name, live, `remove storage controller ${c.name}`);
    return { op: { kind: 'removeController', name: c.name }, title: `Remove storage controller ${c.name} from ${name}`,
      titleKey: taskText('storage.removeController', { controller: c.name, name }), doing: `Removing ${c.name}` };
  });
}

/** POST /api/v1/vms/:id/storage/attachments */
export function startAttach(id: string, input: unknown, user: User): Promise<Task> {
  const b = parse(attachSchema, input);
  return start(id, user, async ({ name, layout, live, copies }) => {
    const c = layout.controllers.find((x) => x.name === b.controller);
    if (!c) throw badRequest([fieldError('controller', `${name} has no controller named "${b.controller}" (it has ${layout.controllers.map((x) => x.name).join(', ') || 'none'})`)]);
    const bus = layout.buses.find((x) => x.bus === c.bus);
    const errors = [];
    if (b.port >= c.portCount) {
      errors.push(fieldError('port', c.portCount < c.maxPortCount
        ? `${c.name} has ports 0–${c.portCount - 1}: raise its port count first`
        : `${c.name} has ports 0–${c.portCount - 1}`));
    }
    if (b.device >= c.maxDevicesPerPort) errors.push(fieldError('device', c.maxDevicesPerPort === 1 ? `${c.bus} takes one device per port: 0` : `0–${c.maxDevicesPerPort - 1} on ${c.bus}`));
    if (bus && !bus.deviceTypes.includes(b.type)) errors.push(fieldError('type', `A ${c.bus} controller takes ${bus.deviceTypes.join(', ')}`));
    if (b.hotPluggable && !c.hotplugCapable) errors.push(fieldError('hotPluggable', `${c.name} (${c.controllerType}) cannot hot-plug`));
    if (b.hotPluggable && b.type === 'Floppy') errors.push(fieldError('hotPluggable', 'A floppy drive is never hot-pluggable'));
    if (b.nonRotational && b.type !== 'HardDisk') errors.push(fieldError('nonRotational', 'Only a hard disk is solid-state or not'));
    if (errors.length) throw badRequest(errors);
    const taken = c.attachments.find((a) => a.port === b.port && a.device === b.device);
    if (taken) {
      throw conflict('Slot in use', `${slotName(c, b.port, b.device)} of ${name} holds a ${kindOf(taken.type)}${taken.medium ? ` (${taken.medium.name})` : ''}: detach it first.`, {
        errors: [fieldError('port', 'In use')],
      });
    }
    if (live) {
      if (b.type !== 'HardDisk') throw offOnly(name, live, `add a ${kindOf(b.type)} (media in existing drives change while it runs)`);
      if (!c.hotplugCapable) {
        throw conflict('Cannot hot-plug', `${c.name} (${c.controllerType}) does not support hot-plugging: attach the disk while ${name} is powered off, or to a SATA (AHCI) controller.`, {
          errors: [fieldError('controller', 'Not hot-plug capable')],
        });
      }
      if (b.nonRotational) throw offOnly(name, live, 'mark a disk solid-state');
    }
    const medium = b.location ? await checkMedium(b.location, b.type, copies, user) : undefined;
    const what = medium ? baseName(medium.location) : `an empty ${kindOf(b.type)}`;
    return {
      op: {
        kind: 'attach', controller: c.name, port: b.port, device: b.device, type: b.type, location: medium?.location ?? null,
        // Hot-plugged disks are hot-pluggable on the running copy: the powered-off copies are marked alike (twins stay identical).
        hotPluggable: live ? true : b.hotPluggable, nonRotational: b.nonRotational,
      },
      title: `Attach ${what} to ${name}`,
      titleKey: medium ? taskText('storage.attach', { medium: what, name }) : taskText('storage.attachEmpty', { kind: b.type, name }),
      doing: `Attaching ${what} to ${slotName(c, b.port, b.device)}`,
      medium,
    };
  });
}

/** PATCH /api/v1/vms/:id/storage/attachments/:controller/:port/:device */
export function startEditAttachment(id: string, slot: SlotParams, input: unknown, user: User): Promise<Task> {
  const b = parse(attachmentFlagsSchema, input);
  return start(id, user, async ({ name, layout, live }) => {
    const s = slotOf(slot, name);
    const c = controllerOf(layout, s.controller, name);
    const a = attachmentOf(c, s.port, s.device, name);
    const errors = [];
    if (b.hotPluggable !== undefined && !c.hotplugCapable) errors.push(fieldError('hotPluggable', `${c.name} (${c.controllerType}) cannot hot-plug`));
    if (b.hotPluggable !== undefined && a.type === 'Floppy') errors.push(fieldError('hotPluggable', 'A floppy drive is never hot-pluggable'));
    if (b.nonRotational !== undefined && a.type !== 'HardDisk') errors.push(fieldError('nonRotational', 'Only a hard disk is solid-state or not'));
    if (b.discard !== undefined && a.type !== 'HardDisk') errors.push(fieldError('discard', 'Only a hard disk passes discards on'));
    if (errors.length) throw badRequest(errors);
    if (live) throw offOnly(name, live, `change ${slotName(c, s.port, s.device)}`);
    const changes = Object.entries(b).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v ? 'on' : 'off'}`).join(', ');
    return {
      op: { kind: 'flags', ...s, ...b },
      title: `Change ${slotName(c, s.port, s.device)} of ${name}`,
      titleKey: taskText('storage.changeSlot', { slot: slotName(c, s.port, s.device), name }),
      doing: `Setting ${changes} at ${slotName(c, s.port, s.device)}`,
    };
  });
}

/** DELETE /api/v1/vms/:id/storage/attachments/:controller/:port/:device (running: hot-unplug, where VirtualBox allows it). */
export function startDetach(id: string, slot: SlotParams, user: User): Promise<Task> {
  return start(id, user, async ({ name, layout, live }) => {
    const s = slotOf(slot, name);
    const c = controllerOf(layout, s.controller, name);
    const a = attachmentOf(c, s.port, s.device, name);
    const where = slotName(c, s.port, s.device);
    if (live) {
      if (a.type !== 'HardDisk') throw offOnly(name, live, `remove a ${kindOf(a.type)} (eject its medium instead)`);
      if (!c.hotplugCapable) {
        throw conflict('Cannot hot-plug', `${c.name} (${c.controllerType}) does not support hot-plugging: detach the disk while ${name} is powered off.`);
      }
      if (!a.hotPluggable) {
        throw conflict('Cannot hot-plug', `${where} is not marked hot-pluggable; mark it while the machine is powered off.`);
      }
    }
    const what = a.medium ? a.medium.name : `the ${kindOf(a.type)}`;
    return { op: { kind: 'detach', ...s }, title: `Detach ${what} from ${name}`,
      titleKey: a.medium ? taskText('storage.detach', { medium: a.medium.name, name }) : taskText('storage.detachEmpty', { kind: a.type, name }), doing: `Detaching ${what} from ${where}` };
  });
}

/** PUT /api/v1/vms/:id/storage/attachments/:controller/:port/:device/medium (mount, swap or eject; also while running). */
export function startMount(id: string, slot: SlotParams, input: unknown, user: User): Promise<Task> {
  const b = parse(mountSchema, input);
  return start(id, user, async ({ name, layout, copies }) => {
    const s = slotOf(slot, name);
    const c = controllerOf(layout, s.controller, name);
    const a = attachmentOf(c, s.port, s.device, name);
    const where = slotName(c, s.port, s.device);
    if (a.type !== 'DVD' && a.type !== 'Floppy') {
      throw badRequest([fieldError('location', `${where} holds a ${kindOf(a.type)}, not a DVD or floppy drive: detach it and attach another instead`)]);
    }
    const medium = b.location ? await checkMedium(b.location, a.type, copies, user) : undefined;
    if (!medium && !a.medium) throw conflict('Drive empty', `The ${kindOf(a.type)} at ${where} of ${name} is empty already.`);
    const what = medium ? baseName(medium.location) : (a.medium?.name ?? '');
    return {
      op: { kind: 'mount', ...s, location: medium?.location ?? null, force: b.force ?? false },
      title: medium ? `Insert ${what} into ${name}` : `Eject ${what} from ${name}`,
      titleKey: taskText(medium ? 'storage.insert' : 'storage.eject', { medium: what, name }),
      doing: medium ? `Inserting ${what} into ${where}` : `Ejecting ${what} from ${where}`,
      medium,
    };
  });
}
