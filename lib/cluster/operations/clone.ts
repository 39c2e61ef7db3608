/**
 * Cloning a machine (POST /api/v1/vms/:id/clone → task vm.clone; templates' deploy uses the same plan).
 *
 * The request is checked first (400 naming each field, 403/404 for what is not the caller's, 409 for a
 * taken name, a quota, a host that cannot take it); then a task makes the clone as VirtualBox's GUI does:
 *
 *   [Taking snapshot "Linked base for <clone>"] → Creating machine → Cloning (IMachine::cloneTo, its
 *   IProgress followed) → Configuring → Registering [on <other host>]
 *
 * The new machine gets Nimbox's UUID and its settings at lib/media/folders machineSettingsPath, so that
 * cloneTo puts the disks beside it on the shared storage. cloneTo runs on a host where the source is
 * registered (VirtualBox clones only what it has); a full clone may then be registered on another host
 * that mounts the same storage (openMachine of its settings file). A linked clone needs a snapshot: of
 * the current state one is taken on the source, unless its current state is unchanged since its current
 * snapshot (that one is used then). Cancel or any failure leaves nothing behind: the clone is unregistered
 * and deleted with its disks, and a snapshot taken for it is deleted.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { ProblemError, forbidden, notFound, validationProblem } from '@/lib/api/problem';
import { can, type User } from '@/lib/auth/policy';
import type { HostView } from '@/lib/db/hosts';
import { machineSettingsPath } from '@/lib/media/folders';
import { clearMediaCache } from '@/lib/media/inventory';
import { reserveDisk, type DiskReservation } from '@/lib/media/quota';
import { requireUsableNetwork, tenantNetworkError } from '@/lib/networks/access';
import { attachAdapter, lackText, lacksOn, networkKey } from '@/lib/networks/placement';
import type { ClusterNetwork } from '@/lib/networks/store';
import { taskText, startTask, type Task, type TaskContext } from '@/lib/tasks';
import { getTenantByName, TENANT_KEY } from '@/lib/tenants';
import { hostScope, mayUseHost } from '@/lib/tenants/hosts';
import { checkQuota, hostAllowed, tenantUsage, type Demand } from '@/lib/tenants/quota';
import { holding, reserveQuota } from '@/lib/tenants/reservations';
import { TELEPORT_MARK } from '@/lib/teleport/spec';
import { TEMPLATE_KEY } from '@/lib/templates/key';
import { isVBoxError } from '@/lib/vbox/errors';
import type { IMachine, IMedium, IProgress, IVirtualBox, IWebsessionManager } from '@/lib/vbox/objects';
import type { CloneOptions, MachineState } from '@/lib/vbox/types';
import { withLockedMachine } from '@/lib/vbox/session';
import {
  badRequest, copiesOf, describe, fieldError, hostsById, inventory, nameConflict, nameTaken, requireOff, stateUnless, taskUser,
  type MachineCopy,
} from './common';
import { capsOf, clientFor, finalError, machineFields, machineName, noHost, usableHost } from './create';
import type { HostCapabilities } from './capabilities';

// ---------------------------------------------------------------- input

export const MAC_POLICIES = ['new', 'keepNAT', 'keepAll'] as const;
export type MacPolicy = (typeof MAC_POLICIES)[number];

/** Body of POST /api/v1/vms/:id/clone (POST /templates/:id/deploy: the same without snapshotId). */
export const cloneSchema = z.strictObject({
  name: machineName,
  mode: z.enum(['full', 'linked']).default('full'),
  /** The snapshot to clone (its UUID); null or absent: the current state. */
  snapshotId: z.string().trim().uuid('A snapshot UUID').nullish(),
  /** new: every adapter gets a new MAC; keepNAT: NAT adapters keep theirs; keepAll: every adapter keeps its MAC. */
  macPolicy: z.enum(MAC_POLICIES).default('new'),
  /** The host to register the clone on; absent, null or 'auto': the up host of the source's with the most free memory. */
  hostId: z.string().min(1).nullish(),
  /** The clone's tenant (admins; others always clone into their own): default the source's. */
  tenant: machineFields.tenant.nullish(),
  description: machineFields.description.optional(),
  cpuCount: machineFields.cpuCount.optional(),
  memoryMB: machineFields.memoryMB.optional(),
  /** Adapter 1: a cluster network, or a bridged interface of the host. */
  nic: z.strictObject({
    network: machineFields.network.optional(),
    bridgedInterface: machineFields.bridgedInterface.optional(),
  }).optional(),
  /** The disks keep the source's file names (CloneOptions KeepDiskNames); else they are named after the clone. */
  keepDiskNames: z.boolean().default(false),
});

export type CloneInput = z.input<typeof cloneSchema>;
type CloneRequest = z.output<typeof cloneSchema>;

// ---------------------------------------------------------------- plan

export interface ClonePlan {
  /** The new machine's UUID. */
  id: string;
  name: string;
  request: CloneRequest;
  source: { id: string; name: string; tenant: string | null };
  /** Where cloneTo runs: a host the source (with the snapshot, when one is named) is registered on. */
  origin: HostView;
  /** Where the clone is registered: the origin, or (full clones) another host on the same storage. */
  host: HostView;
  /**
   * The snapshot cloned (null: the current state). A linked clone of the current state builds on the current
   * snapshot when the state is unchanged since; else (takeBase) the task takes one first.
   */
  snapshot: { id: string; name: string } | null;
  takeBase: boolean;
  /** Settings file of the clone; its disks go beside it. Empty: the host's default machine folder. */
  settingsFile: string;
  tenant: string | null;
  /** What adapter 1 becomes (null: as the source's). */
  network: ClusterNetwork | null;
  bridge: string | null;
  cpuCount: number;
  memoryMB: number;
  /** Bytes the new disks count against the tenant's disk quota: a full clone's disks' sizes; a linked clone's differencing images, 0 at first. */
  diskBytes: number;
  /** Deploying a template (lib/templates): the caller's rights on the source were checked there. */
  template: boolean;
}

/** What the plan reads of the source on its host. */
interface SourceFacts {
  osTypeId: string;
  cpuCount: number;
  memoryMB: number;
  snapshot: { id: string; name: string } | null;
  takeBase: boolean;
  diskBytes: number;
}

/** States in which a snapshot of the machine can be cloned (or taken for a linked clone). */
const CLONABLE: readonly MachineState[] = ['PoweredOff', 'Aborted', 'Teleported', 'Saved', 'AbortedSaved', 'Running', 'Paused'];

/**
 * The snapshot's id and name (for a linked clone of the current state: the current snapshot, when nothing
 * changed since) and the sizes of the hard disks of the state cloned; 404 naming snapshotId for an unknown one.
 */
async function readSource(copy: MachineCopy, id: string, snapshotId: string | null, linked: boolean): Promise<SourceFacts> {
  return copy.client.scope(async (vbox) => {
    const m = await vbox.findMachine(id);
    let state: IMachine = m;
    let snapshot: SourceFacts['snapshot'] = null;
    let takeBase = false;
    if (linked && !snapshotId) {
      const current = await m.getCurrentSnapshot();
      if (current && !(await m.getCurrentStateModified())) snapshot = { id: await current.getId(), name: await current.getName() };
      else takeBase = true;
    }
    if (snapshotId) {
      const s = await m.findSnapshot(snapshotId).catch((e: unknown) => {
        if (isVBoxError(e, 'VBOX_E_OBJECT_NOT_FOUND') || isVBoxError(e, 'E_FAIL') || isVBoxError(e, 'E_INVALIDARG')) return null;
        throw e;
      });
      if (!s || (await s.getId()).toLowerCase() !== snapshotId.toLowerCase()) {
        throw new ProblemError({ ...notFound(`Snapshot ${snapshotId} of machine ${copy.summary.name}`), errors: [fieldError('snapshotId', 'No such snapshot of this machine')] });
      }
      snapshot = { id: await s.getId(), name: await s.getName() };
    }
    if (snapshot) state = await (await m.findSnapshot(snapshot.id)).getMachine();
    const [osTypeId, cpuCount, memoryMB, attachments] = await Promise.all([state.getOSTypeId(), state.getCPUCount(), state.getMemorySize(), state.getMediumAttachments()]);
    const sizes = await Promise.all(attachments.filter((a) => a.type === 'HardDisk' && a.medium).map((a) => a.medium!.getLogicalSize()));
    return { osTypeId, cpuCount, memoryMB, snapshot, takeBase, diskBytes: sizes.reduce((a, b) => a + b, 0) };
  });
}

const hostProblem = (title: string, detail: string, message: string) => new ProblemError({ title, status: 409, detail, errors: [fieldError('hostId', message)] });

/**
 * Checks a clone request of machine `sourceId` against the cluster and decides where it goes: 400 naming
 * each field, 404 for a machine (or snapshot) that is not the caller's, 403 for a tenant not the caller's,
 * 409 for a taken name, a quota, a source that is not powered off (full clone of the current state), a
 * host that cannot take it. `opts.template`: deploying a template (lib/templates checked who may).
 */
export async function planClone(sourceId: string, input: unknown, caller: User, opts: { template?: boolean } = {}): Promise<ClonePlan> {
  const parsed = cloneSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const r = parsed.data;
  const inv = await inventory();
  const copies = copiesOf(inv, sourceId);
  const source = inv.machine(sourceId) ?? copies[0].summary;
  // Another tenant's machine looks absent (the route's policy check says the same; lib/templates decides for templates).
  if (!opts.template && caller.role !== 'admin' && source.tenant !== caller.tenant) throw new ProblemError(notFound(`Machine ${sourceId}`));

  // A linked clone builds on its source's disks (and may take a snapshot of it): of another tenant's template shared with
  // theirs, a tenant's users get full clones only, so that its owner keeps it to change or delete and learns nothing of them.
  if (opts.template && r.mode === 'linked' && caller.role !== 'admin' && source.tenant && source.tenant !== caller.tenant) {
    throw new ProblemError({ ...forbidden(), errors: [fieldError('mode', 'Only full clones of a template another tenant shares with yours')] });
  }
  // The clone's tenant: the one named (admins), else the source's (admins) or the caller's.
  const tenantName = r.tenant !== undefined ? r.tenant : caller.role === 'admin' ? source.tenant : (caller.tenant ?? null);
  if (!can(caller, 'vm:create', { tenant: tenantName })) {
    throw new ProblemError({ ...forbidden(), errors: [fieldError('tenant', caller.tenant ? `Only tenant ${caller.tenant}` : 'Not yours to create in')] });
  }
  const tenant = tenantName ? await getTenantByName(tenantName) : undefined;
  if (tenantName && !tenant) throw badRequest([fieldError('tenant', `No tenant ${tenantName}`)]);
  const taken = nameTaken(inv, r.name);
  if (taken) throw nameConflict(r.name, taken, caller);
  if (r.nic?.network && r.nic.bridgedInterface) throw badRequest([fieldError('nic.network', 'A cluster network or a bridged interface, not both')]);

  // Snapshots belong to the copy the machine stands on (lib/cluster/operations/snapshots): clones of one come from there.
  const home = copies.find((c) => c.host.id === source.hostId) ?? copies[0];
  const snapshotId = r.snapshotId ?? null;
  if (r.mode === 'full' && !snapshotId) {
    // VirtualBox reads the disks while the machine writes them otherwise (any copy: twins share the disks).
    await requireOff(copies, 'clone the current state of');
  } else {
    // A snapshot's disks do not change while the machine runs; a linked clone's base snapshot is taken online then.
    const state = await stateUnless(home, (s) => CLONABLE.includes(s));
    if (!CLONABLE.includes(state)) {
      throw new ProblemError({ title: 'Machine busy', status: 409, detail: `Cannot clone ${source.name} while it is ${state} on ${home.host.name}.`, state });
    }
  }

  const allViews = await hostsById();
  const views = new Map([...allViews].filter(([id]) => hostAllowed(tenant, id)));
  // A tenant's users learn the names of their tenant's hosts only (as GET /hosts shows them): a shared template may stand elsewhere.
  const scope = await hostScope(caller);
  const shownHost = (h: { id: string; name: string }) => (mayUseHost(scope, h.id) ? h.name : 'the host it stands on');
  // Where cloneTo can run: hosts the source is registered on (with the snapshot's tree: its home copy).
  const origins = (snapshotId || r.mode === 'linked' ? [home] : copies)
    .filter((c) => c.host.health === 'up' && allViews.get(c.host.id) && !allViews.get(c.host.id)!.maintenance);

  let host: HostView;
  let caps: HostCapabilities;
  let origin: MachineCopy;
  if (r.hostId && r.hostId !== 'auto') {
    const view = allViews.get(r.hostId);
    if (!view) throw badRequest([fieldError('hostId', 'No such host')]);
    if (!views.has(view.id)) throw hostProblem('Host not allowed', `Tenant ${tenantName} may not place machines on ${view.name}.`, `Not one of tenant ${tenantName}'s hosts`);
    caps = await usableHost(inv, view);
    host = view;
    const here = origins.find((c) => c.host.id === view.id);
    if (here) origin = here;
    else if (r.mode === 'linked') {
      const where = shownHost(home.host);
      throw hostProblem('Host cannot take the clone', `A linked clone stays on ${where}, where ${source.name}${snapshotId ? ' and its snapshots' : ''} stand: its disks build on the source's.`, `A linked clone goes on ${where}`);
    } else {
      // A full clone is made where the source is and registered here: both must mount the storage at one path.
      const same = origins.find((c) => view.storagePath && allViews.get(c.host.id)?.storagePath === view.storagePath);
      if (!same) {
        throw hostProblem('Host cannot take the clone', `${view.name} does not share the storage of ${source.name}'s host${origins.length ? '' : ' (none is up)'} at one path.`, 'Choose a host where the source is registered or that shares its storage');
      }
      origin = same;
    }
  } else {
    const reasons: string[] = [];
    const fits: { copy: MachineCopy; view: HostView; caps: HostCapabilities }[] = [];
    for (const c of (snapshotId || r.mode === 'linked' ? [home] : copies)) {
      const view = allViews.get(c.host.id)!;
      if (!views.has(view.id)) reasons.push(`${shownHost(view)} is not one of tenant ${tenantName}'s hosts`);
      else if (view.maintenance) reasons.push(`${view.name} is in maintenance`);
      else if (c.host.health !== 'up') reasons.push(`${view.name} is ${c.host.health}`);
      else {
        const got = await capsOf(inv, view);
        if (got instanceof Error) reasons.push(`${view.name} could not be read (${got.message})`);
        else fits.push({ copy: c, view, caps: got });
      }
    }
    fits.sort((a, b) => b.caps.memoryAvailableMB - a.caps.memoryAvailableMB || a.view.name.localeCompare(b.view.name));
    if (!fits.length) throw noHost([...new Set(reasons)]);
    ({ copy: origin, view: host, caps } = fits[0]);
  }

  // Adapter 1: a cluster network the caller (and the clone's tenant) may use that the host has, or one of the host's interfaces.
  const network = r.nic?.network ? await requireUsableNetwork(caller, r.nic.network, 'nic.network') : null;
  const notTenants = network ? await tenantNetworkError(tenantName, network, 'nic.network') : null;
  if (notTenants) throw badRequest([notTenants]);
  if (network) {
    const lack = lackText(await lacksOn(host.id, [network.name]));
    if (lack) throw badRequest([fieldError('nic.network', lack)]);
  }
  const bridge = r.nic?.bridgedInterface ?? null;
  // As for new machines (./create): a tenant's users bridge only to the host's default bridge.
  if (bridge && caller.role !== 'admin' && bridge !== host.bridgeAdapter) {
    throw badRequest([fieldError('nic.bridgedInterface', `Only the host's default bridge (${host.bridgeAdapter} on ${host.name}), or a cluster network your tenant may use`)]);
  }
  if (bridge && !caps.bridgedInterfaces.includes(bridge)) throw badRequest([fieldError('nic.bridgedInterface', `${host.name} has no bridged interface ${bridge}`)]);

  const facts = await readSource(origin, sourceId, snapshotId, r.mode === 'linked');
  const cpuCount = r.cpuCount ?? facts.cpuCount;
  const memoryMB = r.memoryMB ?? facts.memoryMB;
  const diskBytes = r.mode === 'full' ? facts.diskBytes : 0;
  if (tenant) {
    // A first answer from the inventory; startClone checks again as it reserves, counting what is in flight.
    checkQuota(tenant, tenantUsage(inv.machines(), tenant.name), cloneDemand({ cpuCount, memoryMB, diskBytes }), { diskGB: 'mode' });
  }
  const id = randomUUID();
  return {
    id, name: r.name, request: r, source: { id: sourceId, name: source.name, tenant: source.tenant },
    origin: allViews.get(origin.host.id)!, host, snapshot: facts.snapshot, takeBase: facts.takeBase,
    // On the shared storage (`<storage or tenant folder>/machines/<uuid>/<name>.vbox`) when the host has one, as created machines.
    settingsFile: host.storagePath ? machineSettingsPath(host.storagePath, tenantName, id, r.name) : '',
    tenant: tenantName, network, bridge, cpuCount, memoryMB, diskBytes, template: !!opts.template,
  };
}

const cloneDemand = (p: Pick<ClonePlan, 'cpuCount' | 'memoryMB' | 'diskBytes'>): Demand => ({
  machines: 1, vcpus: p.cpuCount, memoryMB: p.memoryMB, diskGB: p.diskBytes ? p.diskBytes / 1024 ** 3 : undefined,
});

// ---------------------------------------------------------------- the task

/** Extradata of the source that is not the clone's: a template marker (lib/templates), a teleport in flight. */
const NOT_INHERITED = [TEMPLATE_KEY, TELEPORT_MARK];

function cloneOptions(r: CloneRequest, linked: boolean): CloneOptions[] {
  const out: CloneOptions[] = [];
  if (linked) out.push('Link');
  if (r.macPolicy === 'keepAll') out.push('KeepAllMACs');
  if (r.macPolicy === 'keepNAT') out.push('KeepNATMACs');
  if (r.keepDiskNames) out.push('KeepDiskNames');
  return out;
}

/** Sets what the request overrides, the tenant and the extradata, on the new (still unregistered) machine. */
async function configure(m: IMachine, plan: ClonePlan): Promise<void> {
  const r = plan.request;
  if (r.description !== undefined) await m.setDescription(r.description);
  await m.setCPUCount(plan.cpuCount);
  await m.setMemorySize(plan.memoryMB);
  await m.setExtraData(TENANT_KEY, plan.tenant ?? '');
  for (const key of NOT_INHERITED) await m.setExtraData(key, '');
  if (plan.network || plan.bridge) {
    const nic = await m.getNetworkAdapter(0);
    await nic.setEnabled(true);
    if (plan.network) {
      await attachAdapter(nic, plan.network, plan.host.id, plan.host.name);
      await m.setExtraData(networkKey(0), plan.network.name);
    } else {
      await nic.setBridgedInterface(plan.bridge!);
      await nic.setAttachmentType('Bridged');
      await m.setExtraData(networkKey(0), '');
    }
  }
}

/** The folder of a path in the host's syntax. */
const dirOf = (p: string) => (path.posix.isAbsolute(p) ? path.posix : path.win32).dirname(p);

/** Whether a path lies in a folder (either path syntax: the host's). */
const inFolder = (folder: string, p: string) => p.startsWith(folder) && (p.length === folder.length || '/\\'.includes(p[folder.length]));

/**
 * Deletes the clone on the origin with the disks cloneTo made (a linked clone's differencing images, a full clone's
 * copies: those in its folder): unregistered first when registered, else detached and saved, as VirtualBox drops a
 * medium's back-reference to an unregistered machine only when its settings are saved.
 */
async function undoClone(vbox: IVirtualBox, made: Made): Promise<void> {
  const m = made.registered ? await vbox.findMachine(made.id) : made.target;
  if (!m) return;
  const folder = dirOf(await m.getSettingsFilePath());
  let media: IMedium[];
  if (made.registered) {
    media = await m.unregister('DetachAllReturnHardDisksOnly');
  } else {
    const attached = (await m.getMediumAttachments()).filter((a) => a.medium);
    for (const a of attached) await m.detachDevice(a.controller, a.port, a.device);
    if (attached.length) await m.saveSettings();
    media = attached.filter((a) => a.type === 'HardDisk').map((a) => a.medium!);
  }
  const locations = await Promise.all(media.map((md) => md.getLocation()));
  const doomed = media.filter((_, i) => inFolder(folder, locations[i]));
  if (made.registered) {
    await (await m.deleteConfig(doomed)).wait();
  } else {
    for (const md of doomed) await (await md.deleteStorage()).wait();
    await (await m.deleteConfig([])).wait();
  }
  for (const md of media) if (!doomed.includes(md)) await md.close().catch(() => undefined);
}

/**
 * Follows a VirtualBox operation; when the task ends early (canceled before the operation could be), the
 * operation is canceled and waited for, so that the undo does not race what it is still making.
 */
async function followToEnd(ctx: TaskContext, progress: IProgress, range: [number, number]): Promise<void> {
  try {
    await ctx.follow(progress, range);
  } catch (e) {
    if (!(await progress.getCompleted().catch(() => true))) {
      await progress.cancel().catch(() => undefined);
      await progress.wait().catch(() => undefined);
    }
    throw e;
  }
}

/** Where the task stands, for the error and the undo. */
interface Made {
  /** The clone's UUID. */
  id: string;
  /** A snapshot taken on the source for a linked clone of its current state. */
  baseSnapshot: string | null;
  target: IMachine | null;
  /** Registered on the origin (by this task: the UUID is then the clone's). */
  registered: boolean;
}

/** Starts the vm.clone task for a plan (quotas reserved first: 409 when they do not fit); resolves with the task at once (202). */
export async function startClone(plan: ClonePlan, user: User): Promise<Task> {
  const inv = await inventory();
  const origin = clientFor(inv, plan.origin);
  const host = clientFor(inv, plan.host);
  const reservation = plan.tenant
    ? await reserveQuota({ tenant: plan.tenant, machineId: plan.id, demand: { ...cloneDemand(plan), diskGB: undefined }, machines: () => inv.machines() })
    : null;
  let disk: DiskReservation | null = null;
  // A linked clone asks for nothing yet, but not beyond a quota its tenant's media (differencing images included) already fill.
  if (plan.tenant && (plan.diskBytes || plan.request.mode === 'linked')) {
    disk = await reserveDisk({ tenant: plan.tenant, location: plan.settingsFile ? dirOf(plan.settingsFile) : plan.id, bytes: plan.diskBytes, inv, field: 'mode' })
      .catch((e: unknown) => {
        void reservation?.release();
        throw e;
      });
  }
  const what = plan.snapshot ? `snapshot "${plan.snapshot.name}" of ${plan.source.name}` : plan.source.name;
  try {
    const task = await startTask({
      kind: 'vm.clone',
      title: `Clone ${what} to ${plan.name}${plan.request.mode === 'linked' ? ' (linked)' : ''}`,
      titleKey: plan.snapshot
        ? taskText('vm.cloneSnapshot', { snapshot: plan.snapshot.name, source: plan.source.name, name: plan.name, mode: plan.request.mode })
        : taskText('vm.clone', { source: plan.source.name, name: plan.name, mode: plan.request.mode }),
      target: { type: 'vm', id: plan.id, name: plan.name, hostId: plan.host.id },
      user: taskUser(user),
      // The source is only read (several clones of it at once: deploying a template), unless a base snapshot is taken on it.
      locks: [`name:${plan.name.toLowerCase()}`, plan.id, ...(plan.takeBase ? [plan.source.id] : [])],
    }, holding(reservation, () => inv.machine(plan.id)?.tenant === plan.tenant, async (ctx) => {
      try {
        await run(ctx);
        await disk?.settle();
      } catch (e) {
        await disk?.release();
        throw e;
      }
    }));
    void reservation?.attach(task.id);
    void disk?.attach(task.id);
    return task;
  } catch (e) {
    void reservation?.release();
    void disk?.release();
    throw e;
  }

  async function run(ctx: TaskContext): Promise<void> {
    ctx.setCancelable(true);
    const made: Made = { id: plan.id, baseSnapshot: null, target: null, registered: false };
    const at = { step: 'Creating machine', percent: 0 };
    const step = (percent: number, text: string) => {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('Canceled');
      Object.assign(at, { step: text, percent });
      ctx.step(percent, text);
    };
    try {
      await origin.write(async (vbox, wsm) => {
        try {
          const src = await vbox.findMachine(plan.source.id);
          let state: IMachine = src;
          let snapshotId = plan.snapshot?.id ?? null;
          if (plan.takeBase) snapshotId = await linkBase(ctx, vbox, wsm, step, made);
          if (snapshotId) state = await (await src.findSnapshot(snapshotId)).getMachine();
          step(10, 'Creating machine');
          const [arch, groups] = await Promise.all([(await src.getPlatform()).getArchitecture(), src.getGroups()]);
          made.target = await vbox.createMachine(plan.settingsFile, plan.name, arch, groups, await state.getOSTypeId(), `UUID=${plan.id}`);
          step(12, plan.request.mode === 'linked' ? 'Creating the differencing disks' : 'Cloning');
          await followToEnd(ctx, await state.cloneTo(made.target, 'MachineState', cloneOptions(plan.request, plan.request.mode === 'linked')), [12, 85]);
          step(86, 'Configuring');
          await configure(made.target, plan);
          await made.target.saveSettings();
          // Also when it goes to another host: VirtualBox lets go of the disks it made only through unregister, below.
          step(92, 'Registering');
          await vbox.registerMachine(made.target);
          made.registered = true;
        } catch (e) {
          ctx.step(at.percent, 'Rolling back');
          await undoOnOrigin(vbox, wsm, made).catch((undo: unknown) => { throw new Leftover(e, `${plan.origin.name}: ${describe(undo)}`); });
          throw e;
        }
      }, { release: true });
      if (plan.host.id !== plan.origin.id) await registerElsewhere(ctx, step, made);
    } catch (e) {
      const cause = e instanceof Leftover ? e.cause : e;
      ctx.step(at.percent, at.step);
      throw finalError(cause, e instanceof Leftover ? [e.leftover] : []);
    }
    ctx.setCancelable(false);
    // The media list shows the new disks (and whose linked clones build on which) at once.
    clearMediaCache();
    ctx.step(100, `Cloned ${what} to ${plan.name} on ${plan.host.name}`);
  }

  /** Takes the snapshot a linked clone of the current state builds on (the state changed since the current snapshot, or there is none). */
  async function linkBase(ctx: TaskContext, vbox: IVirtualBox, wsm: IWebsessionManager, step: (p: number, t: string) => void, made: Made): Promise<string> {
    const name = `Linked base for ${plan.name}`;
    step(2, `Taking snapshot "${name}"`);
    // Shared: beside a running machine's VM process too (an online snapshot).
    return withLockedMachine(vbox, wsm, plan.source.id, 'Shared', async (session) => {
      const taken = await (await session.getMachine()).takeSnapshot(name, `Taken by Nimbox for the linked clone ${plan.name}.`, true);
      made.baseSnapshot = taken.id;
      await followToEnd(ctx, taken.progress, [2, 10]);
      return taken.id;
    });
  }

  async function undoOnOrigin(vbox: IVirtualBox, wsm: IWebsessionManager, made: Made): Promise<void> {
    await undoClone(vbox, made);
    if (made.baseSnapshot) {
      const id = made.baseSnapshot;
      await withLockedMachine(vbox, wsm, plan.source.id, 'Shared', async (session) => (await (await session.getMachine()).deleteSnapshot(id)).wait());
    }
  }

  /** A full clone made (and registered) on the origin, for another host: opened there from the shared storage, then unregistered on the origin. */
  async function registerElsewhere(ctx: TaskContext, step: (p: number, t: string) => void, made: Made): Promise<void> {
    try {
      step(92, `Registering on ${plan.host.name}`);
      await host.write(async (vbox) => vbox.registerMachine(await vbox.openMachine(plan.settingsFile)), { release: true });
      // The origin made the disks and holds them open for the unregistered machine: they are the other host's now.
      // Unregistered here, its disks closed: VirtualBox leaves the settings file as it is (Machine::unregister).
      await origin.write(async (vbox) => {
        const media = await (await vbox.findMachine(plan.id)).unregister('DetachAllReturnHardDisksOnly');
        for (const md of media) await md.close();
      }, { release: true }).catch((e: unknown) => console.error(`nimbox: could not let go of ${plan.name}'s disks on ${plan.origin.name}`, describe(e)));
    } catch (e) {
      // Not registered there: the origin holds the whole clone.
      ctx.step(ctx.task.percent, 'Rolling back');
      await origin.write((vbox, wsm) => undoOnOrigin(vbox, wsm, made), { release: true })
        .catch((u: unknown) => { throw new Leftover(e, `${plan.origin.name}: ${describe(u)}`); });
      throw e;
    }
  }
}

/** A failure whose undo did not finish: what is left, for the task's error. */
class Leftover extends Error {
  constructor(override readonly cause: unknown, readonly leftover: string) {
    super(describe(cause));
  }
}
