/**
 * Creating a machine (POST /api/v1/vms → task vm.create).
 *
 * The request is checked against the cluster before anything is made (400 naming each field, 409
 * for a taken name or a host that cannot take it); then a task builds the machine step by step:
 *
 *   Creating machine → Configuring → Creating disk (following VirtualBox's IProgress) → Registering
 *   → Attaching disk → Attaching ISO → Registering on <twin host> …
 *
 * The machine gets a UUID chosen by Nimbox (createMachine flags `UUID=<uuid>`), so that the copies
 * registered on other hosts (the twins, ready to be teleported to) are the same machine. When a step
 * fails, everything made so far is undone — on every host: unregister (DetachAllReturnHardDisksOnly),
 * deleteConfig with the media Nimbox created — and the task's error names the step and carries
 * VirtualBox's text and result code. The VNC password goes to VirtualBox only: never into the task,
 * a log line or an answer.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ProblemError, validationProblem, type Problem } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import type { HostView } from '@/lib/db/hosts';
import { taskText, startTask, toTaskError, type Task, type TaskContext } from '@/lib/tasks';
import type { VBoxClient } from '@/lib/vbox/client';
import { VBoxError } from '@/lib/vbox/errors';
import type { IMachine, IMedium, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import type { DeviceType, NetworkAdapterType } from '@/lib/vbox/types';
import type { Inventory } from '../inventory';
import type { HostStatus } from '../types';
import { hostCapabilities, type HostCapabilities } from './capabilities';
import { getTenantByName, TENANT_KEY, TENANT_NAME_RE } from '@/lib/tenants';
import { checkQuota, hostAllowed, tenantUsage, type Demand } from '@/lib/tenants/quota';
import { holding, reserveQuota } from '@/lib/tenants/reservations';
import { machineSettingsPath, mediumPathProblem, newDiskLocation, type MediaCaller } from '@/lib/media/folders';
import { assertMediaFree, holdMedia, type WantedMedium } from '@/lib/media/ownership';
import { requireUsableNetwork, tenantNetworkError } from '@/lib/networks/access';
import { attachAdapter, lackText, lacksOn, networkKey } from '@/lib/networks/placement';
import type { ClusterNetwork } from '@/lib/networks/store';
import { reserveDisk, type DiskReservation } from '@/lib/media/quota';
import {
  badRequest, describe, fieldError, hostsById, inventory, machineNameProblem, nameConflict, nameTaken, taskUser, underStorage, withWriteLock,
} from './common';

// ---------------------------------------------------------------- input

/** NIC types offered; I82545EM (Intel PRO/1000 MT Server) is the default, virtio-net is offered but not the default. */
export const ADAPTER_TYPES = ['I82545EM', 'Virtio', 'I82540EM', 'I82543GC', 'Am79C973', 'Am79C970A'] as const satisfies readonly NetworkAdapterType[];
export type AdapterType = (typeof ADAPTER_TYPES)[number];
export const BOOT_DEVICES = ['Network', 'HardDisk', 'DVD', 'Floppy', 'Null'] as const satisfies readonly DeviceType[];
export const DEFAULT_BOOT_ORDER: BootDevice[] = ['Network', 'HardDisk', 'DVD'];
export type BootDevice = (typeof BOOT_DEVICES)[number];

/** The controller Nimbox gives new machines: the disk on port 0, the DVD drive on port 1. */
const CONTROLLER = 'SATA';

export const machineName = z.string().max(1000).superRefine((v, ctx) => {
  const why = machineNameProblem(v);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

export const bootOrder = z
  .array(z.enum(BOOT_DEVICES))
  .max(4, 'At most 4 boot devices')
  .refine((l) => new Set(l.filter((d) => d !== 'Null')).size === l.filter((d) => d !== 'Null').length, { message: 'Each device at most once' });

export const vncPassword = z.string().min(1, 'Give a password or leave it out').max(128, 'At most 128 characters');

/** Fields that several bodies share (create, clone and deploy, import, edit): the same limits and messages everywhere. */
export const machineFields = {
  description: z.string().max(10_000, 'At most 10,000 characters'),
  cpuCount: z.number().int('A whole number').min(1, 'At least 1').max(64, 'At most 64'),
  memoryMB: z.number().int('A whole number').min(4, 'At least 4 MB').max(2_097_152, 'At most 2 TB'),
  tenant: z.string().trim().regex(TENANT_NAME_RE, 'A tenant name'),
  /** A cluster network (id or name) an adapter goes on. */
  network: z.string().trim().min(1, 'Choose a network').max(64),
  /** A bridged interface of the host. */
  bridgedInterface: z.string().trim().min(1, 'Choose a host interface').max(256),
};

const absolutePath = z.string().trim().min(1, 'Give a path').max(4096, 'At most 4096 characters');

/** Body of POST /api/v1/vms. */
export const createMachineSchema = z.strictObject({
  name: machineName,
  description: machineFields.description.default(''),
  /** The host; absent, null or 'auto': the up host with the most free memory that has the bridge (or nic.network), not in maintenance. */
  hostId: z.string().min(1).nullish(),
  osTypeId: z.string().min(1, 'Choose an OS type').max(100),
  cpuCount: machineFields.cpuCount.default(1),
  memoryMB: machineFields.memoryMB,
  hwVirt: z.boolean().default(true),
  nestedPaging: z.boolean().default(true),
  ioapic: z.boolean().default(true),
  acpi: z.boolean().default(true),
  hpet: z.boolean().default(false),
  rtcUseUTC: z.boolean().default(true),
  nic: z.strictObject({
    /** A bridged interface of the host; default: the host's configured bridge adapter (e.g. vbox0). */
    bridgedInterface: machineFields.bridgedInterface.optional(),
    /** A cluster network instead of the bridge: adapter 1 on each host's mapping of it; only hosts that have it. */
    network: machineFields.network.optional(),
    adapterType: z.enum(ADAPTER_TYPES).default('I82545EM'),
    cableConnected: z.boolean().default(true),
  }).default({ adapterType: 'I82545EM', cableConnected: true }),
  bootOrder: bootOrder.default(DEFAULT_BOOT_ORDER),
  /** A new VDI on the shared storage, an existing disk image there (absolute path), or none (null/absent). */
  disk: z.union([
    z.strictObject({ new: z.strictObject({ sizeGB: z.number().min(0.01, 'At least 0.01 GB').max(65_536, 'At most 64 TB') }) }),
    z.strictObject({ existing: absolutePath }),
  ]).nullish(),
  /** An ISO image on the shared storage (absolute path), in the DVD drive. */
  iso: absolutePath.nullish(),
  vrde: z.strictObject({ password: vncPassword.optional() }).optional(),
  /** Register the same machine (same UUID, same disk) on other hosts too: true for every other host that can hold it, or host ids. */
  registerOnOtherHosts: z.union([z.boolean(), z.array(z.string().min(1)).max(32)]).default(false),
  /** The tenant owning the machine (extradata nimbox/tenant); admins only, others always create in their own. */
  tenant: machineFields.tenant.nullish(),
});

export type CreateMachineInput = z.input<typeof createMachineSchema>;
type CreateMachineRequest = z.output<typeof createMachineSchema>;

// ---------------------------------------------------------------- plan

export interface CreatePlan {
  id: string;
  name: string;
  request: CreateMachineRequest;
  host: HostView;
  /** Other hosts the machine is registered on too. */
  twins: HostView[];
  bridge: string;
  /** The cluster network adapter 1 is on instead of the bridge (nic.network), or null. */
  network: ClusterNetwork | null;
  is64Bit: boolean;
  disk: { kind: 'new'; path: string; sizeBytes: number } | { kind: 'existing'; path: string } | null;
  iso: string | null;
  /** The tenant owning the machine, written to its extradata nimbox/tenant; null for none. */
  tenant: string | null;
}

export function noHost(reasons: string[]): ProblemError {
  return new ProblemError({
    title: 'No host can take the machine',
    status: 409,
    detail: reasons.length ? `No suitable host: ${reasons.join('; ')}.` : 'No host is registered.',
    errors: [fieldError('hostId', 'No host fits; choose one')],
  });
}

const needsStorage = (r: CreateMachineRequest) => !!r.disk || !!r.iso;

/** Why a host cannot hold the machine (undefined when it can), for placement and twins. */
function unfit(
  r: CreateMachineRequest, view: HostView, status: HostStatus | undefined, caps: HostCapabilities | Error, bridge: string | undefined, lack?: string,
): string | undefined {
  if (!status || status.health !== 'up') return `${view.name} is ${status?.health ?? 'not connected'}`;
  if (caps instanceof Error) return `${view.name} could not be read (${caps.message})`;
  // On a cluster network: what the host lacks of it ("lab is not defined on bravo"); else the bridge.
  if (lack) return lack;
  const want = bridge ?? view.bridgeAdapter;
  if (!r.nic.network && !caps.bridgedInterfaces.includes(want)) return `${view.name} has no bridged interface ${want}`;
  if (needsStorage(r) && !view.storagePath) return `${view.name} has no shared-storage path`;
  if (!caps.osTypes.some((t) => t.id === r.osTypeId)) return `${view.name} does not know the OS type ${r.osTypeId}`;
  return undefined;
}

export async function capsOf(inv: Inventory, view: HostView): Promise<HostCapabilities | Error> {
  return hostCapabilities(view.id, { inv, host: view }).catch((e: unknown) => (e instanceof ProblemError ? new Error(e.problem.detail) : (e as Error)));
}

/** A host the caller chose (hostId): 409 naming `hostId` unless it is up and not in maintenance; its capabilities. */
export async function usableHost(inv: Inventory, view: HostView): Promise<HostCapabilities> {
  const status = inv.host(view.id);
  if (!status || status.health !== 'up') {
    throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${view.name} is ${status?.health ?? 'not connected'}.`, errors: [fieldError('hostId', 'The host is not up')] });
  }
  if (view.maintenance) {
    throw new ProblemError({ title: 'Host in maintenance', status: 409, detail: `Host ${view.name} is in maintenance.`, errors: [fieldError('hostId', 'The host is in maintenance')] });
  }
  const c = await capsOf(inv, view);
  if (c instanceof Error) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${view.name} could not be read: ${c.message}` });
  return c;
}

/**
 * What a new machine counts against its tenant's quotas. The disk here is only a first answer (a disk
 * larger than the whole quota); startCreate holds it against every medium in the tenant's folder
 * (lib/media/quota), so the machine's own reservation leaves it out.
 */
const createDemand = (r: CreateMachineRequest): Demand => ({
  machines: 1, vcpus: r.cpuCount, memoryMB: r.memoryMB, diskGB: r.disk && 'new' in r.disk ? r.disk.new.sizeGB : undefined,
});

/** The existing disk and the ISO a plan attaches, as the media check takes them. */
function wantedMedia(plan: Pick<CreatePlan, 'disk' | 'iso'>): WantedMedium[] {
  const out: WantedMedium[] = [];
  if (plan.disk?.kind === 'existing') out.push({ field: 'disk.existing', location: plan.disk.path, use: 'disk' });
  if (plan.iso) out.push({ field: 'iso', location: plan.iso, use: 'iso' });
  return out;
}

/**
 * Checks a create request against the cluster and decides where it goes: 400 problem naming each
 * field that cannot work, 403 for media outside the caller's (lib/media/folders), 409 for a taken
 * name, when no host (or the chosen one) can take it, or for media attached elsewhere (lib/media/ownership).
 */
export async function planCreate(input: unknown, caller: MediaCaller): Promise<CreatePlan> {
  const parsed = createMachineSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const r = parsed.data;
  const inv = await inventory();
  const taken = nameTaken(inv, r.name);
  if (taken) throw nameConflict(r.name, taken, caller);
  // The tenant: its quotas (409 naming each exceeded one) and the hosts it may use.
  const tenantName = r.tenant ?? null;
  const tenant = tenantName ? await getTenantByName(tenantName) : undefined;
  if (tenantName && !tenant) throw badRequest([fieldError('tenant', `No tenant ${tenantName}`)]);
  if (tenant) {
    // A first answer from what the inventory shows; startCreate checks again, counting creates in flight, as it reserves.
    checkQuota(tenant, tenantUsage(inv.machines(), tenant.name), createDemand(r));
  }
  const allViews = await hostsById();
  const views = new Map([...allViews].filter(([id]) => hostAllowed(tenant, id)));
  if (r.hostId && r.hostId !== 'auto' && allViews.has(r.hostId) && !views.has(r.hostId)) {
    throw new ProblemError({
      title: 'Host not allowed', status: 409, detail: `Tenant ${tenantName} may not place machines on ${allViews.get(r.hostId)?.name}.`,
      errors: [fieldError('hostId', `Not one of tenant ${tenantName}'s hosts`)],
    });
  }
  const bridge = r.nic.bridgedInterface;
  // A cluster network: one the caller may use (a tenant: one its admin allowed it), and only hosts that have it.
  if (r.nic.network && bridge) throw badRequest([fieldError('nic.network', 'A cluster network or a bridged interface, not both')]);
  const network = r.nic.network ? await requireUsableNetwork(caller, r.nic.network, 'nic.network') : null;
  // An admin creating a tenant's machine: a network that tenant is allowed (else its first start would refuse to bind it).
  const notTenants = network ? await tenantNetworkError(tenantName, network, 'nic.network') : null;
  if (notTenants) throw badRequest([notTenants]);
  const lackOn = async (view: HostView) => (network ? lackText(await lacksOn(view.id, [network.name])) || undefined : undefined);

  // Placement.
  let host: HostView;
  let caps: HostCapabilities;
  if (r.hostId && r.hostId !== 'auto') {
    const view = views.get(r.hostId);
    if (!view) throw badRequest([fieldError('hostId', 'No such host')]);
    caps = await usableHost(inv, view);
    host = view;
  } else {
    const candidates = [...views.values()].sort((a, b) => a.name.localeCompare(b.name));
    const reasons: string[] = [];
    const fits: { view: HostView; caps: HostCapabilities }[] = [];
    await Promise.all(candidates.map(async (view) => {
      if (view.maintenance) return void reasons.push(`${view.name} is in maintenance`);
      const status = inv.host(view.id);
      const c = status?.health === 'up' ? await capsOf(inv, view) : new Error('not up');
      const why = unfit(r, view, status, c, bridge, status?.health === 'up' ? await lackOn(view) : undefined);
      if (why) reasons.push(why);
      else fits.push({ view, caps: c as HostCapabilities });
    }));
    fits.sort((a, b) => b.caps.memoryAvailableMB - a.caps.memoryAvailableMB || a.view.name.localeCompare(b.view.name));
    if (fits.length === 0) throw noHost(reasons.sort());
    ({ view: host, caps } = fits[0]);
  }

  // The request against the chosen host.
  const errors: { field: string; message: string }[] = [];
  const osType = caps.osTypes.find((t) => t.id === r.osTypeId);
  if (!osType) errors.push(fieldError('osTypeId', `${host.name} does not know this OS type`));
  const nicBridge = bridge ?? host.bridgeAdapter;
  const admin = caller.role === 'admin';
  const hostLack = await lackOn(host);
  if (hostLack) errors.push(fieldError('nic.network', hostLack));
  else if (!admin && bridge !== undefined && bridge !== host.bridgeAdapter) {
    // Tenants bridge only to the host's default bridge (issue 15): another host interface (a management or storage
    // network) is reached through a cluster network an admin allowed them, or not at all.
    errors.push(fieldError('nic.bridgedInterface', `Only the host's default bridge (${host.bridgeAdapter} on ${host.name}), or a cluster network your tenant may use`));
  } else if (!network && !caps.bridgedInterfaces.includes(nicBridge)) {
    // The host's other interfaces are named to admins only.
    const has = admin ? ` (it has ${caps.bridgedInterfaces.join(', ') || 'none'})` : '';
    errors.push(fieldError('nic.bridgedInterface', `${host.name} has no bridged interface ${nicBridge}${has}`));
  }
  let disk: CreatePlan['disk'] = null;
  let iso: string | null = null;
  const notYours: { field: string; message: string }[] = [];
  const storage = host.storagePath;
  if (r.disk && !storage) errors.push(fieldError('disk', `${host.name} has no shared-storage path: set it in the host's settings first`));
  if (r.iso && !storage) errors.push(fieldError('iso', `${host.name} has no shared-storage path: set it in the host's settings first`));
  if (r.disk && storage) {
    if ('new' in r.disk) {
      // Whole MiB (as VBoxManage's --size): VirtualBox refuses a size off the 512-byte sector grid (VERR_VD_INVALID_SIZE).
      // A tenant's machine gets its disk in the tenant's folder.
      disk = { kind: 'new', path: newDiskLocation(storage, r.name, tenantName), sizeBytes: Math.max(1, Math.round(r.disk.new.sizeGB * 1024)) * 1024 ** 2 };
    } else {
      const p = underStorage(storage, r.disk.existing);
      const why = p && mediumPathProblem(caller, storage, p, 'disk');
      if (!p) errors.push(fieldError('disk.existing', `An absolute path of a disk image under the shared storage (${storage})`));
      else if (why) notYours.push(fieldError('disk.existing', why));
      else disk = { kind: 'existing', path: p };
    }
  }
  if (r.iso && storage) {
    const p = underStorage(storage, r.iso);
    const why = p && mediumPathProblem(caller, storage, p, 'iso');
    if (!p) errors.push(fieldError('iso', `An absolute path of an ISO image under the shared storage (${storage})`));
    else if (why) notYours.push(fieldError('iso', why));
    else iso = p;
  }

  // Twins.
  const twins: HostView[] = [];
  const others = [...views.values()].filter((v) => v.id !== host.id).sort((a, b) => a.name.localeCompare(b.name));
  const sameStorage = (v: HostView) => !needsStorage(r) || v.storagePath === storage;
  if (r.registerOnOtherHosts === true) {
    await Promise.all(others.map(async (view) => {
      const status = inv.host(view.id);
      if (status?.health !== 'up' || !sameStorage(view)) return;
      if (!unfit(r, view, status, await capsOf(inv, view), nicBridge, await lackOn(view))) twins.push(view);
    }));
    twins.sort((a, b) => a.name.localeCompare(b.name));
  } else if (Array.isArray(r.registerOnOtherHosts)) {
    for (const [i, id] of [...new Set(r.registerOnOtherHosts)].entries()) {
      const view = views.get(id);
      const field = `registerOnOtherHosts.${i}`;
      if (!view) errors.push(fieldError(field, allViews.has(id) ? `Not one of tenant ${tenantName}'s hosts` : 'No such host'));
      else if (view.id === host.id) errors.push(fieldError(field, `${view.name} is the machine's own host`));
      else if (!sameStorage(view)) errors.push(fieldError(field, `${view.name} mounts the shared storage elsewhere (${view.storagePath ?? 'not set'})`));
      else {
        const why = unfit(r, view, inv.host(view.id), await capsOf(inv, view), nicBridge, await lackOn(view));
        if (why) errors.push(fieldError(field, why));
        else twins.push(view);
      }
    }
  }
  if (errors.length) throw badRequest(errors);
  if (notYours.length) {
    throw new ProblemError({ title: 'Not your media', status: 403, detail: `${notYours.map((e) => `${e.field}: ${e.message}`).join('; ')}.`, errors: notYours });
  }
  // Attached to a machine on any host (not only this one): refused, for everyone.
  await assertMediaFree(wantedMedia({ disk, iso }), caller, inv);

  return { id: randomUUID(), name: r.name, request: r, host, twins, bridge: nicBridge, network, is64Bit: osType?.is64Bit ?? false, disk, iso, tenant: tenantName };
}

// ---------------------------------------------------------------- the task

/** Which step of the build is running: what a failure is reported against. */
interface Progress {
  step: string;
  percent: number;
}

/** What was made on one host, for the undo. */
interface Made {
  machine: IMachine | null;
  registered: boolean;
  createdDisk: IMedium | null;
}

/** Sets the machine's settings (an unregistered new machine, or a session machine). */
async function configure(m: IMachine, plan: CreatePlan, host: HostView): Promise<void> {
  const r = plan.request;
  const [platform, firmware, audio, vrde, nic] = await Promise.all([
    m.getPlatform(), m.getFirmwareSettings(), m.getAudioSettings(), m.getVRDEServer(), m.getNetworkAdapter(0),
  ]);
  const x86 = await platform.getX86();
  await m.setDescription(r.description);
  if (plan.tenant) await m.setExtraData(TENANT_KEY, plan.tenant);
  await m.setCPUCount(r.cpuCount);
  await m.setMemorySize(r.memoryMB);
  await x86.setHWVirtExProperty('Enabled', r.hwVirt);
  await x86.setHWVirtExProperty('NestedPaging', r.nestedPaging);
  await x86.setCPUProperty('LongMode', plan.is64Bit);
  await x86.setCPUProperty('PAE', plan.is64Bit);
  await x86.setHPETEnabled(r.hpet);
  await platform.setRTCUseUTC(r.rtcUseUTC);
  await firmware.setIOAPICEnabled(r.ioapic);
  await firmware.setACPIEnabled(r.acpi);
  // USB: createMachine adds no USB controller, so USB stays off.
  await (await audio.getAdapter()).setEnabled(false);
  await m.setClipboardMode('Disabled');
  await nic.setEnabled(true);
  await nic.setAdapterType(r.nic.adapterType);
  if (plan.network) {
    // This host's name for the network; the extradata makes the adapter follow the machine to other hosts.
    await attachAdapter(nic, plan.network, host.id, host.name);
    await m.setExtraData(networkKey(0), plan.network.name);
  } else {
    await nic.setAttachmentType('Bridged');
    await nic.setBridgedInterface(plan.bridge);
  }
  await nic.setCableConnected(r.nic.cableConnected);
  for (let pos = 1; pos <= 4; pos++) await m.setBootOrder(pos, r.bootOrder[pos - 1] ?? 'Null');
  await vrde.setEnabled(true);
  // VirtualBox takes the first free port of the range when the machine starts.
  await vrde.setVRDEProperty('TCP/Ports', host.vrdePorts);
  if (r.vrde?.password) await vrde.setVRDEProperty('VNCPassword', r.vrde.password);
  const sata = await m.addStorageController(CONTROLLER, 'SATA');
  await sata.setPortCount(2);
}

/** Unregisters the machine on a host and deletes its settings and the media Nimbox created (by path). */
async function undoRegistered(vbox: IVirtualBox, id: string, createdPaths: readonly string[]): Promise<void> {
  const machine = await vbox.findMachine(id);
  const media = await machine.unregister('DetachAllReturnHardDisksOnly');
  const locations = await Promise.all(media.map((md) => md.getLocation()));
  const doomed = media.filter((_, i) => createdPaths.includes(locations[i]));
  await (await machine.deleteConfig(doomed)).wait();
  // Media Nimbox only opened (an existing disk) stay on the storage; the host forgets them when nothing else uses them.
  for (const md of media) if (!doomed.includes(md)) await md.close().catch(() => undefined);
}

/** Undoes what one host's build made, in the websession it was made in (the unregistered machine exists only there). */
async function undoOnHost(vbox: IVirtualBox, id: string, made: Made): Promise<void> {
  const disk = made.createdDisk;
  const createdPath = disk ? await disk.getLocation() : null;
  // Gone once deleteConfig deleted and closed it (its state then no longer reads).
  const diskExists = async () => !!disk && ['Created', 'Inaccessible'].includes(await disk.getState().catch(() => 'NotCreated'));
  // A new disk no machine uses yet goes first, whatever deleteConfig then does with the machine.
  if (disk && (await diskExists()) && (await disk.getMachineIds()).length === 0) await (await disk.deleteStorage()).wait();
  if (made.registered) {
    await undoRegistered(vbox, id, createdPath ? [createdPath] : []);
  } else if (made.machine) {
    // Never registered: only its settings file, if saved, is to go.
    await (await made.machine.deleteConfig([])).wait();
  }
  if (disk && (await diskExists())) await (await disk.deleteStorage()).wait();
}

interface Target {
  view: HostView;
  client: VBoxClient;
  primary: boolean;
}

export function clientFor(inv: Inventory, view: HostView): VBoxClient {
  const monitor = inv.monitor(view.id);
  if (!monitor) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${view.name} is not connected.` });
  return monitor.client;
}

/** Builds the machine on one host (the primary: with its new disk) and undoes its own part when a step fails. */
async function buildOn(
  ctx: TaskContext, vbox: IVirtualBox, wsm: IWebsessionManager, plan: CreatePlan, t: Target, at: Progress, span: [number, number],
): Promise<void> {
  const made: Made = { machine: null, registered: false, createdDisk: null };
  const [from, to] = span;
  const pct = (f: number) => Math.round(from + (to - from) * f);
  // On a twin host the machine is made the same way, reported as "Registering on <host>" and what follows.
  const step = (f: number, name: string) => {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('Canceled');
    at.step = t.primary ? name : `${name} on ${t.view.name}`;
    at.percent = pct(f);
    ctx.step(at.percent, at.step);
  };
  try {
    step(0, t.primary ? 'Creating machine' : 'Registering');
    // On the shared storage when the host has one, so that HA can open it on another host: `<storage or tenant
    // folder>/machines/<uuid>/<name>.vbox`. A folder not named after the machine is never renamed with it
    // (VirtualBox renames only a settings folder and file that match the name), so the path stays put.
    const settingsFile = t.primary && t.view.storagePath ? machineSettingsPath(t.view.storagePath, plan.tenant, plan.id, plan.name) : '';
    made.machine = await vbox.createMachine(settingsFile, plan.name, 'x86', ['/'], plan.request.osTypeId, `UUID=${plan.id}`);
    if (t.primary) step(0.08, 'Configuring');
    await configure(made.machine, plan, t.view);

    let disk: IMedium | null = null;
    if (t.primary && plan.disk?.kind === 'new') {
      step(0.15, 'Creating disk');
      const medium = await vbox.createMedium('VDI', plan.disk.path, 'ReadWrite', 'HardDisk');
      const progress = await medium.createBaseStorage(plan.disk.sizeBytes, ['Standard']);
      made.createdDisk = medium;
      await ctx.follow(progress, [pct(0.15), pct(0.6)]);
      disk = medium;
    }

    if (t.primary) step(0.62, 'Registering');
    await made.machine.saveSettings();
    await vbox.registerMachine(made.machine);
    made.registered = true;

    if (plan.disk || plan.iso || disk) {
      await withWriteLock(vbox, wsm, plan.id, async (m) => {
        // Every medium is opened before any is attached: a hard disk attached in a session whose changes are
        // then discarded keeps VirtualBox's back-reference to the machine (Machine::i_rollbackMedia fixes
        // DVD and floppy only), and VirtualBox then refuses to delete it (VBOX_E_OBJECT_IN_USE).
        if (plan.disk) {
          step(0.72, 'Attaching disk');
          disk ??= await vbox.openMedium(plan.disk.path, 'HardDisk', 'ReadWrite', false);
        }
        if (plan.iso) step(0.8, 'Attaching ISO');
        const iso = plan.iso ? await vbox.openMedium(plan.iso, 'DVD', 'ReadOnly', false) : null;
        if (disk) {
          step(0.82, 'Attaching disk');
          await m.attachDevice(CONTROLLER, 0, 0, 'HardDisk', disk);
        }
        step(0.85, plan.iso ? 'Attaching ISO' : 'Adding DVD drive');
        await m.attachDevice(CONTROLLER, 1, 0, 'DVD', iso);
      });
    } else {
      step(0.85, 'Adding DVD drive');
      await withWriteLock(vbox, wsm, plan.id, (m) => m.attachDevice(CONTROLLER, 1, 0, 'DVD', null));
    }
    at.percent = to;
  } catch (e) {
    const failed = { ...at };
    ctx.step(at.percent, `Rolling back on ${t.view.name}`, taskText('message.create.rollingBack', { host: t.view.name }));
    try {
      await undoOnHost(vbox, plan.id, made);
    } catch (undo) {
      throw new RollbackIncomplete(e, [`${t.view.name}: ${describe(undo)}`], failed);
    }
    throw new StepFailed(e, failed);
  }
}

/** A step failed; its own host's part is undone. Carries the step for the task's error. */
class StepFailed extends Error {
  constructor(readonly original: unknown, readonly at: Progress) {
    super(describe(original));
  }
}

class RollbackIncomplete extends StepFailed {
  constructor(original: unknown, readonly leftovers: string[], at: Progress) {
    super(original, at);
  }
}

/** The error the task ends with: VirtualBox's own (or Nimbox's), plus what could not be undone. */
export function finalError(cause: unknown, leftovers: string[]): unknown {
  if (leftovers.length === 0) return cause;
  const base: Problem = cause instanceof ProblemError
    ? { ...cause.problem }
    : cause instanceof VBoxError
      ? { ...toTaskError(cause), status: 422 }
      : { title: 'Task failed', status: 500, detail: describe(cause) };
  return new ProblemError({ ...base, detail: `${base.detail} — rollback incomplete, check by hand: ${leftovers.join('; ')}` });
}

/** Starts the vm.create task for a plan; resolves with the task at once (202). */
export async function startCreate(plan: CreatePlan, user: User): Promise<Task> {
  const inv = await inventory();
  const targets: Target[] = [
    { view: plan.host, client: clientFor(inv, plan.host), primary: true },
    ...plan.twins.map((view) => ({ view, client: clientFor(inv, view), primary: false })),
  ];
  const title = `Create ${plan.name} on ${plan.host.name}`;
  // Its twins are the same machine: the cluster view shows the copy on the host it was created on.
  inv.setHome(plan.id, plan.host.id);
  // The tenant's quota, held until the inventory shows the machine or the task fails: parallel creates count each other.
  const reservation = plan.tenant
    ? await reserveQuota({ tenant: plan.tenant, machineId: plan.id, demand: { ...createDemand(plan.request), diskGB: undefined }, machines: () => inv.machines() })
    : null;
  // A new disk is held against the tenant's disk quota (all its media, creates in flight) until the task ends.
  let disk: DiskReservation | null = null;
  if (plan.tenant && plan.disk?.kind === 'new') {
    disk = await reserveDisk({ tenant: plan.tenant, location: plan.disk.path, bytes: plan.disk.sizeBytes, inv, field: 'disk.new.sizeGB' })
      .catch((e: unknown) => {
        void reservation?.release();
        throw e;
      });
  }
  // An existing disk is this task's until it ends: no other create or delete here takes it meanwhile.
  const existing = plan.disk?.kind === 'existing' ? plan.disk.path : null;
  const release = existing ? holdMedia([existing], `the creation of ${plan.name}`) : () => undefined;
  if (!release) {
    void reservation?.release();
    void disk?.release();
    throw new ProblemError({
      title: 'Medium in use', status: 409, detail: 'disk.existing: another operation is attaching or deleting it.',
      errors: [fieldError('disk.existing', 'In use by another operation: try again shortly')],
    });
  }
  try {
    const task = await startTask({
      kind: 'vm.create',
      title,
      titleKey: taskText('vm.create', { name: plan.name, host: plan.host.name }),
      target: { type: 'vm', id: plan.id, name: plan.name, hostId: plan.host.id },
      user: taskUser(user),
      locks: [`name:${plan.name.toLowerCase()}`, plan.id],
    }, holding(reservation, () => inv.machine(plan.id)?.tenant === plan.tenant, async (ctx: TaskContext) => {
      try {
        // Checked again now that it is held: another create may have attached it since the plan.
        if (existing) {
          ctx.step(0, 'Checking the disk', taskText('message.create.checkingDisk'));
          await assertMediaFree([{ field: 'disk.existing', location: existing, use: 'disk' }], user, inv, { holding: true });
        }
        await build(ctx);
        await disk?.settle();
      } catch (e) {
        await disk?.release();
        throw e;
      } finally {
        release();
      }
    }));
    void reservation?.attach(task.id);
    void disk?.attach(task.id);
    return task;
  } catch (e) {
    release();
    void reservation?.release();
    void disk?.release();
    throw e;
  }

  async function build(ctx: TaskContext): Promise<void> {
    ctx.setCancelable(true);
    const at: Progress = { step: 'Creating machine', percent: 0 };
    const done: Target[] = [];
    const primarySpan: [number, number] = [0, plan.twins.length ? 70 : 100];
    const twinShare = plan.twins.length ? 30 / plan.twins.length : 0;
    try {
      for (const [i, t] of targets.entries()) {
        const span: [number, number] = t.primary ? primarySpan : [70 + i * twinShare - twinShare, 70 + i * twinShare];
        await t.client.write((vbox, wsm) => buildOn(ctx, vbox, wsm, plan, t, at, span), { release: true });
        done.push(t);
      }
    } catch (e) {
      const failed = e instanceof StepFailed ? e.at : { ...at };
      const cause = e instanceof StepFailed ? e.original : e;
      const leftovers = e instanceof RollbackIncomplete ? [...e.leftovers] : [];
      // The hosts finished before the failure: twins first, the primary (which owns the new disk) last.
      for (const t of done.reverse()) {
        ctx.step(failed.percent, `Rolling back on ${t.view.name}`, taskText('message.create.rollingBack', { host: t.view.name }));
        try {
          await t.client.write((vbox) => undoRegistered(vbox, plan.id, t.primary && plan.disk?.kind === 'new' ? [plan.disk.path] : []), { release: true });
        } catch (undo) {
          leftovers.push(`${t.view.name}: ${describe(undo)}`);
        }
      }
      // The task's error names the step that failed.
      ctx.step(failed.percent, failed.step);
      throw finalError(cause, leftovers);
    }
    ctx.setCancelable(false);
    const also = plan.twins.length ? `, registered on ${plan.twins.map((t) => t.name).join(', ')}` : '';
    ctx.step(100, `Created ${plan.name} on ${plan.host.name}${also}`);
  }
}
