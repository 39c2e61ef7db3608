/**
 * The preflight: what must hold before a running machine can be teleported to a host, checked
 * against the live inventory and read from both hosts (GET /api/v1/vms/:id/teleport/preflight and
 * again before POST /api/v1/vms/:id/teleport starts). Each check passes, warns or fails, and says
 * what to do. The plan it returns (the machine's configuration read from its host, the copy on the
 * target) is what the teleport then works from.
 */
import { ProblemError, notFound } from '@/lib/api/problem';
import { getInventory, type Inventory } from '@/lib/cluster/inventory';
import { OFF_STATES, hostsById, underStorage } from '@/lib/cluster/operations/common';
import type { HostStatus, MachineSummary } from '@/lib/cluster/types';
import type { HostView } from '@/lib/db/hosts';
import { lacksOn } from '@/lib/networks/placement';
import { listTasks, type TaskText } from '@/lib/tasks';
import { checkTaskText } from '@/lib/tasks/text';
import { allowedHostsOf } from '@/lib/tenants/allowed-hosts';
import type { VBoxClient } from '@/lib/vbox/client';
import { isVBoxError } from '@/lib/vbox/errors';
import type { IHost, IVirtualBox } from '@/lib/vbox/objects';
import type { DeviceType, MachineState, ProcessorFeature } from '@/lib/vbox/types';
import { choosePort } from './ports';
import { differences, readSpec, type MachineSpec, type SpecDifference } from './spec';
import { CHECK_IDS, type CheckId, type Preflight, type PreflightCheck } from './types';

/** Source states IConsole::teleport accepts. */
const TELEPORTABLE: readonly MachineState[] = ['Running', 'Paused'];

export interface Endpoint {
  view: HostView;
  status: HostStatus | undefined;
  client: VBoxClient | undefined;
}

/** What a teleport works from: the preflight's findings plus what it read. */
export interface TeleportPlan {
  preflight: Preflight;
  machine: MachineSummary;
  source: Endpoint;
  target: Endpoint;
  /** The machine's configuration on its host (undefined when it could not be read: a failed check says why). */
  spec?: MachineSpec;
  /** The copy already registered on the target, with how it differs. */
  twin: { summary: MachineSummary; spec: MachineSpec; diff: SpecDifference[] } | null;
  /** The task that holds the machine, when one does (the 'machine' check failed for it). */
  busyWith?: { id: string; title: string };
}

export interface PreflightOptions {
  inventory?: Inventory;
  /** Memory already promised on the target to teleports not yet there (a drain's other moves), MB. */
  reservedMemoryMB?: number;
}

const LABELS: Record<CheckId, string> = {
  machine: 'Machine running on its host',
  host: 'Target host up',
  tenant: "Target host allowed for the machine's tenant",
  version: 'Same VirtualBox version line',
  twin: 'Machine on the target',
  storage: 'Disks on shared storage, reachable from the target',
  memory: 'Enough free memory on the target',
  cpu: 'Compatible CPUs',
  network: 'Networks present on the target',
  port: 'Free teleporter port on the target',
};

function badTarget(message: string): ProblemError {
  return new ProblemError({ title: 'Invalid request', status: 400, detail: 'The target is not a host the machine can go to.', errors: [{ field: 'target', message }] });
}

const describeError = (e: unknown): string =>
  isVBoxError(e) ? `${e.text} (${e.resultCodeName})` : e instanceof ProblemError ? (e.problem.detail ?? e.problem.title) : ((e as Error)?.message ?? String(e));

/** "7.1.4" → "7.1" */
const versionLine = (v: string) => v.split('.').slice(0, 2).join('.');

// ---------------------------------------------------------------- host CPU facts (cached: they do not change while a host runs)

interface CpuInfo {
  description: string;
  vendor: 'Intel' | 'AMD' | 'other';
  features: Record<ProcessorFeature, boolean>;
}

const FEATURES: ProcessorFeature[] = ['HWVirtEx', 'PAE', 'LongMode', 'NestedPaging', 'UnrestrictedGuest', 'NestedHWVirt'];
const FEATURE_NAMES: Record<ProcessorFeature, string> = {
  HWVirtEx: 'hardware virtualization (VT-x/AMD-V)', PAE: 'PAE', LongMode: 'long mode (64-bit)', NestedPaging: 'nested paging',
  UnrestrictedGuest: 'unrestricted guest', NestedHWVirt: 'nested hardware virtualization', VirtVmsaveVmload: 'virtualized VMSAVE/VMLOAD',
};
const CPU_TTL_MS = 10 * 60_000;
const gc = globalThis as typeof globalThis & { __nimboxHostCpus?: Map<string, { at: number; info: Promise<CpuInfo> }> };
const cpuCache = (gc.__nimboxHostCpus ??= new Map());

function vendorOf(description: string): CpuInfo['vendor'] {
  if (/\bintel\b/i.test(description)) return 'Intel';
  if (/\b(amd|hygon)\b/i.test(description)) return 'AMD';
  return 'other';
}

async function readCpu(host: IHost): Promise<CpuInfo> {
  const [description, ...flags] = await Promise.all([host.getProcessorDescription(0), ...FEATURES.map((f) => host.getProcessorFeature(f))]);
  const features = Object.fromEntries(FEATURES.map((f, i) => [f, flags[i]])) as Record<ProcessorFeature, boolean>;
  return { description: description.trim(), vendor: vendorOf(description), features };
}

function cpuOf(hostId: string, host: IHost): Promise<CpuInfo> {
  const hit = cpuCache.get(hostId);
  if (hit && Date.now() - hit.at < CPU_TTL_MS) return hit.info;
  const info = readCpu(host);
  cpuCache.set(hostId, { at: Date.now(), info });
  info.catch(() => cpuCache.delete(hostId));
  return info;
}

// ---------------------------------------------------------------- what is read from each host

interface SourceRead {
  spec: MachineSpec;
  cpu: CpuInfo;
}

interface TargetRead {
  twin: MachineSpec | null;
  cpu: CpuInfo;
  bridged: string[];
  memoryAvailableMB: number;
  memoryMB: number;
  /** Teleporter ports of machines already waiting there. */
  waitingPorts: Set<number>;
  /** Per disk location: null when the target opened it, else why not. */
  media: Map<string, string | null>;
}

async function readSource(client: VBoxClient, hostId: string, id: string): Promise<SourceRead> {
  return client.scope(async (vbox) => {
    const [spec, cpu] = await Promise.all([readSpec(await vbox.findMachine(id)), cpuOf(hostId, await vbox.getHost())]);
    return { spec, cpu };
  });
}

const gm = globalThis as typeof globalThis & { __nimboxPreflightOpens?: Map<string, Promise<void>> };
const opens = (gm.__nimboxPreflightOpens ??= new Map());

/**
 * Runs fn after every earlier preflight's open-and-close of the same medium on the same host (and a
 * teleport's open-and-attach): VirtualBox hands each the same IMedium, and a preflight's close would
 * leave the other's reference "not ready" (E_ACCESSDENIED).
 */
async function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (opens.get(key) ?? Promise.resolve()).then(fn);
  const tail = run.then(() => undefined, () => undefined);
  opens.set(key, tail);
  try {
    return await run;
  } finally {
    if (opens.get(key) === tail) opens.delete(key);
  }
}

/** Runs fn while no preflight opens or closes these media on the host (a teleport's twin opening and attaching them). */
export function withMediaOf<T>(hostId: string, locations: readonly string[], fn: () => Promise<T>): Promise<T> {
  return [...new Set(locations)].sort().reduceRight<() => Promise<T>>((next, l) => () => oneAtATime(`${hostId}\n${l}`, next), fn)();
}

/** Opens each medium on the target (as the twin would) and closes it again when nothing there uses it. */
async function openMedia(vbox: IVirtualBox, hostId: string, media: { location: string; type: DeviceType }[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  await Promise.all(media.map(({ location, type }) => oneAtATime(`${hostId}\n${location}`, async () => {
    try {
      const medium = await vbox.openMedium(location, type, type === 'HardDisk' ? 'ReadWrite' : 'ReadOnly', false);
      const state = await medium.refreshState();
      const users = await medium.getMachineIds();
      if (users.length === 0) await medium.close().catch(() => undefined);
      out.set(location, state === 'Created' || state === 'LockedRead' || state === 'LockedWrite' ? null : `its state there is ${state}`);
    } catch (e) {
      out.set(location, describeError(e));
    }
  })));
  return out;
}

async function readTarget(inv: Inventory, target: Endpoint, id: string, media: { location: string; type: DeviceType }[]): Promise<TargetRead> {
  const client = target.client!;
  const waiting = inv.monitor(target.view.id)?.machines().filter((m) => m.state === 'TeleportingIn' && m.id !== id) ?? [];
  return client.scope(async (vbox) => {
    const host = await vbox.getHost();
    const copy = inv.copyOn(target.view.id, id);
    const [twin, cpu, bridgedList, memoryAvailableMB, memoryMB, ports, opened] = await Promise.all([
      copy ? vbox.findMachine(id).then(readSpec) : Promise.resolve(null),
      cpuOf(target.view.id, host),
      host.findHostNetworkInterfacesOfType('Bridged').then((l) => Promise.all(l.map((i) => i.getName()))),
      host.getMemoryAvailable(),
      host.getMemorySize(),
      Promise.all(waiting.map((m) => vbox.findMachine(m.id).then((x) => x.getTeleporterPort()).catch(() => 0))),
      openMedia(vbox, target.view.id, media),
    ]);
    return { twin, cpu, bridged: bridgedList, memoryAvailableMB, memoryMB, waitingPorts: new Set(ports.filter(Boolean)), media: opened };
  });
}

// ---------------------------------------------------------------- the checks

/** What the machine's tenant's allowed hosts say of a host: the rule create and drains follow too (lib/tenants). */
export type TenantRule =
  | { allowed: true; detail: string; detailI18n?: TaskText }
  | { allowed: false; detail: string; fix: string; detailI18n?: TaskText; fixI18n?: TaskText };

/** Whether the tenant of `machine` may have it on `target` (its allowed hosts; none listed: every host). */
export async function tenantRule(machine: Pick<MachineSummary, 'name' | 'tenant'>, target: Pick<HostView, 'id' | 'name'>): Promise<TenantRule> {
  if (!machine.tenant) return { allowed: true, detail: `${machine.name} belongs to no tenant: any host will do.`, detailI18n: { key: 'preflight.tenant.none', values: { name: machine.name } } };
  const allowed = await allowedHostsOf(machine);
  if (!allowed) return { allowed: true, detail: `Tenant ${machine.tenant} may use every host.`, detailI18n: { key: 'preflight.tenant.everyHost', values: { tenant: machine.tenant } } };
  if (allowed.has(target.id)) {
    return { allowed: true, detail: `${target.name} is one of tenant ${machine.tenant}'s allowed hosts.`, detailI18n: { key: 'preflight.tenant.allowed', values: { host: target.name, tenant: machine.tenant } } };
  }
  const views = await hostsById();
  const names = [...allowed].map((id) => views.get(id)?.name).filter((n): n is string => !!n).sort();
  return {
    allowed: false,
    detail: `${target.name} is not one of tenant ${machine.tenant}'s allowed hosts (${names.join(', ') || 'none registered'}).`,
    fix: `Pick one of tenant ${machine.tenant}'s hosts, or have an admin allow ${target.name} for the tenant.`,
    fixI18n: { key: 'preflight.tenant.notAllowedFix', values: { host: target.name, tenant: machine.tenant } },
  };
}

/** The hosts registry and inventory view of a teleport's two ends; 400/404 problems for a wrong request. */
async function resolveEnds(inv: Inventory, machineId: string, targetId: string): Promise<{ machine: MachineSummary; source: Endpoint; target: Endpoint }> {
  const machine = inv.machine(machineId);
  if (!machine) throw new ProblemError(notFound(`Machine ${machineId}`));
  const views = await hostsById();
  const targetView = views.get(targetId);
  if (!targetView) throw badTarget('No such host');
  if (targetView.id === machine.hostId) throw badTarget(`${machine.name} is on ${targetView.name} already`);
  const sourceView = views.get(machine.hostId);
  if (!sourceView) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `The host of ${machine.name} is no longer registered.` });
  const end = (view: HostView): Endpoint => ({ view, status: inv.host(view.id), client: inv.monitor(view.id)?.client });
  return { machine, source: end(sourceView), target: end(targetView) };
}

/** Runs every check; throws 400/404 problems for a request that names no machine or no other host. */
export async function runPreflight(machineId: string, targetId: string, opts: PreflightOptions = {}): Promise<TeleportPlan> {
  const inv = opts.inventory ?? getInventory();
  await inv.start();
  const { machine, source, target } = await resolveEnds(inv, machineId, targetId);
  const checks = new Map<CheckId, PreflightCheck>();
  // `i18n`: the detail and fix as `serverText` keys (the UI translates them); composite details go without.
  const set = (id: CheckId, status: PreflightCheck['status'], detail: string, fix?: string, i18n: { detail?: TaskText; fix?: TaskText } = {}) => {
    checkTaskText(i18n.detail, detail, 'serverText');
    if (fix) checkTaskText(i18n.fix, fix, 'serverText');
    checks.set(id, {
      id, label: LABELS[id], status, detail, ...(fix ? { fix } : {}),
      ...(i18n.detail ? { detailI18n: i18n.detail } : {}), ...(fix && i18n.fix ? { fixI18n: i18n.fix } : {}),
    });
  };
  const k = (key: string, values?: Record<string, string | number>): TaskText => (values ? { key: `preflight.${key}`, values } : { key: `preflight.${key}` });
  const name = machine.name;
  const src = source.view.name;
  const dst = target.view.name;

  // The machine and its host.
  const sourceUp = source.status?.health === 'up' && !machine.stale && !!source.client;
  const running = await listTasks({ status: 'running', targetId: machine.id, limit: 5 }).catch(() => []);
  const busy = running.find((t) => t.targetType === 'vm');
  if (!sourceUp) {
    set('machine', 'failed', `${src}, where ${name} runs, does not answer${source.status?.lastError ? `: ${source.status.lastError}` : ''}.`, `Wait for ${src} to come back.`,
      { detail: source.status?.lastError ? k('machine.silentWhy', { host: src, name, error: source.status.lastError }) : k('machine.silent', { host: src, name }), fix: k('machine.silentFix', { host: src }) });
  } else if (!TELEPORTABLE.includes(machine.state)) {
    set('machine', 'failed', `${name} is ${machine.state} on ${src}: only a running (or paused) machine is teleported.`, `Start ${name} where you want it instead.`,
      { detail: k('machine.notRunning', { name, state: machine.state, host: src }), fix: k('machine.notRunningFix', { name }) });
  } else if (busy) {
    set('machine', 'failed', `${name} is busy with the task "${busy.title}".`, 'Wait for that task to end.',
      { detail: k('machine.busy', { name, task: busy.title }), fix: k('machine.busyFix') });
  } else {
    set('machine', 'passed', `${name} is ${machine.state} on ${src}.`, undefined, { detail: k('machine.passed', { name, state: machine.state, host: src }) });
  }

  // The target host.
  const targetUp = target.status?.health === 'up' && !!target.client;
  if (!targetUp) {
    set('host', 'failed', `${dst} is ${target.status?.health ?? 'not connected'}${target.status?.lastError ? `: ${target.status.lastError}` : ''}.`, `Bring ${dst}'s vboxwebsrv back, or pick another host.`,
      { detail: target.status?.lastError ? undefined : k('host.down', { host: dst, health: target.status?.health ?? 'not connected' }), fix: k('host.downFix', { host: dst }) });
  } else if (target.view.maintenance) {
    set('host', 'failed', `${dst} is in maintenance.`, `Take ${dst} out of maintenance first, or pick another host.`,
      { detail: k('host.maintenance', { host: dst }), fix: k('host.maintenanceFix', { host: dst }) });
  } else {
    set('host', 'passed', `${dst} is up.`, undefined, { detail: k('host.passed', { host: dst }) });
  }

  // The tenant's allowed hosts.
  const rule = await tenantRule(machine, target.view);
  if (rule.allowed) set('tenant', 'passed', rule.detail, undefined, { detail: rule.detailI18n });
  else set('tenant', 'failed', rule.detail, rule.fix, { detail: rule.detailI18n, fix: rule.fixI18n });

  // The version line.
  const v1 = source.status?.version;
  const v2 = target.status?.version;
  if (!v1 || !v2) set('version', 'warning', `The VirtualBox version of ${!v1 ? src : dst} is not known yet.`, 'Check again once both hosts answer.',
    { detail: k('version.unknown', { host: !v1 ? src : dst }), fix: k('version.unknownFix') });
  else if (versionLine(v1) !== versionLine(v2)) {
    set('version', 'failed', `${src} runs VirtualBox ${v1}, ${dst} runs ${v2}: teleporting needs the same version line.`, `Upgrade ${versionLine(v1) < versionLine(v2) ? src : dst} to VirtualBox ${versionLine(v1) < versionLine(v2) ? versionLine(v2) : versionLine(v1)}.`);
  } else {
    set('version', 'passed', v1 === v2 ? `Both run VirtualBox ${v1}.` : `VirtualBox ${v1} and ${v2}: the same ${versionLine(v1)} line.`, undefined,
      { detail: v1 === v2 ? k('version.same', { version: v1 }) : k('version.sameLine', { v1, v2, line: versionLine(v1) }) });
  }

  // Read both ends (concurrently), as far as they answer.
  let srcRead: SourceRead | undefined;
  let tgtRead: TargetRead | undefined;
  let srcError: string | undefined;
  let tgtError: string | undefined;
  const copy = inv.copyOn(target.view.id, machine.id);
  if (sourceUp) {
    srcRead = await readSource(source.client!, source.view.id, machine.id).catch((e: unknown) => {
      srcError = describeError(e);
      return undefined;
    });
  }
  if (targetUp) {
    const media = (srcRead?.spec.attachments ?? []).filter((a) => a.location).map((a) => ({ location: a.location!, type: a.type }));
    tgtRead = await readTarget(inv, target, machine.id, media).catch((e: unknown) => {
      tgtError = describeError(e);
      return undefined;
    });
  }
  if (srcError) set('machine', 'failed', `${name}'s configuration could not be read from ${src}: ${srcError}`, `Check ${src}.`);
  if (tgtError) set('host', 'failed', `${dst} could not be read: ${tgtError}`, `Check ${dst}'s vboxwebsrv.`);
  const spec = srcRead?.spec;
  const unknown = (id: CheckId) => set(id, 'failed', `Not checked: ${!spec ? `${name}'s configuration is not known` : `${dst} does not answer`}.`, 'See the checks above.');

  // The copy on the target.
  let twin: TeleportPlan['twin'] = null;
  let twinMode: Preflight['twin'] = null;
  if (!spec || !tgtRead) {
    unknown('twin');
  } else if (copy && tgtRead.twin) {
    const diff = differences(spec, tgtRead.twin);
    twin = { summary: copy, spec: tgtRead.twin, diff };
    // Only a powered-off copy (OFF_STATES) may have its teleporter turned on.
    if (!OFF_STATES.includes(copy.state)) {
      set('twin', 'failed', `The copy of ${name} on ${dst} is ${copy.state}: a teleport needs it powered off.`,
        copy.state === 'Saved' || copy.state === 'AbortedSaved' ? `Discard its saved state on ${dst}.` : `Power off the copy on ${dst} (only the copy on ${src} should run).`);
    } else if (diff.length === 0) {
      twinMode = 'ready';
      set('twin', 'passed', `${name} is registered on ${dst} with matching hardware.`, undefined, { detail: k('twin.matching', { name, host: dst }) });
    } else {
      twinMode = 'update';
      set('twin', 'warning', `The copy on ${dst} differs: ${diff.map((d) => d.what).join('; ')}.`, `Nimbox brings it in line with ${src}'s before the teleport.`);
    }
  } else {
    const clash = inv.monitor(target.view.id)?.machines().find((m) => m.id !== machine.id && m.name.toLowerCase() === spec.name.toLowerCase());
    if (clash) {
      set('twin', 'failed', `${dst} has another machine named "${clash.name}" (${clash.id}).`, `Rename one of them, then teleport.`,
        { detail: k('twin.clash', { host: dst, other: clash.name, id: clash.id }), fix: k('twin.clashFix') });
    } else {
      twinMode = 'register';
      set('twin', 'passed', `${name} is not registered on ${dst} yet: Nimbox registers a twin there (same UUID, settings and disks).`, undefined,
        { detail: k('twin.register', { name, host: dst }) });
    }
  }

  // Disks.
  if (!spec) unknown('storage');
  else {
    const disks = spec.attachments.filter((a) => a.location);
    const storage = source.view.storagePath;
    const problems: string[] = [];
    const fixes = new Set<string>();
    if (disks.length > 0 && !storage) {
      problems.push(`${src} has no shared-storage path set`);
      fixes.add(`Set ${src}'s shared-storage path in its host settings.`);
    }
    if (disks.length > 0 && storage && target.view.storagePath !== storage) {
      problems.push(`${dst} mounts the shared storage ${target.view.storagePath ? `at ${target.view.storagePath}` : 'nowhere (no path set)'}, ${src} at ${storage}`);
      fixes.add(`Mount the shared storage at ${storage} on ${dst} and set that path in its host settings.`);
    }
    for (const a of disks) {
      const what = `${a.type === 'HardDisk' ? 'disk' : a.type === 'DVD' ? 'ISO image' : 'image'} ${a.location}`;
      if (storage && !underStorage(storage, a.location!)) {
        problems.push(`the ${what} is not on the shared storage (${storage})`);
        fixes.add(a.type === 'HardDisk'
          ? `Move the disk to ${storage} (VBoxManage movevm, or copy it there and attach the copy) while ${name} is powered off.`
          : `Eject the image, or copy it to ${storage} and insert that copy.`);
        continue;
      }
      const why = tgtRead?.media.get(a.location!);
      if (tgtRead && why) {
        problems.push(`${dst} cannot open the ${what}: ${why}`);
        fixes.add(`Make ${storage ?? 'the shared storage'} reachable from ${dst} (mounted, readable and writable by its VirtualBox user).`);
      }
    }
    if (problems.length) set('storage', 'failed', `${problems.join('; ')}.`, [...fixes].join(' '));
    else if (!tgtRead) unknown('storage');
    else if (disks.length === 0) set('storage', 'passed', `${name} has no disks.`, undefined, { detail: k('storage.noDisks', { name }) });
    else set('storage', 'passed', `${disks.length === 1 ? 'Its disk is' : `All ${disks.length} images are`} on the shared storage (${storage}), and ${dst} opens ${disks.length === 1 ? 'it' : 'them'}.`);
  }

  // Memory.
  if (!tgtRead) unknown('memory');
  else {
    const need = spec?.memoryMB ?? machine.memoryMB;
    const free = tgtRead.memoryAvailableMB - (opts.reservedMemoryMB ?? 0);
    const promised = opts.reservedMemoryMB ? ` (${opts.reservedMemoryMB} MB of it promised to other teleports)` : '';
    if (free < need) {
      set('memory', 'failed', `${name} needs ${need} MB; ${dst} has ${Math.max(0, free)} MB free${promised}.`, `Free memory on ${dst} (stop or move machines), or pick a host with more free memory.`,
        { detail: promised ? undefined : k('memory.short', { name, need: String(need), host: dst, free: String(Math.max(0, free)) }), fix: k('memory.shortFix', { host: dst }) });
    } else if (free - need < tgtRead.memoryMB * 0.05) {
      set('memory', 'warning', `${name} needs ${need} MB; ${dst} has ${free} MB free${promised}, leaving less than 5% of its ${tgtRead.memoryMB} MB.`, `The host may swap: consider a host with more free memory.`,
        { detail: promised ? undefined : k('memory.tight', { name, need: String(need), host: dst, free: String(free), total: String(tgtRead.memoryMB) }), fix: k('memory.tightFix') });
    } else {
      set('memory', 'passed', `${name} needs ${need} MB; ${dst} has ${free} MB free${promised}.`, undefined,
        { detail: promised ? undefined : k('memory.passed', { name, need: String(need), host: dst, free: String(free) }) });
    }
  }

  // CPUs.
  if (!srcRead || !tgtRead || !spec) unknown('cpu');
  else {
    const a = srcRead.cpu;
    const b = tgtRead.cpu;
    const missing = FEATURES.filter((f) => a.features[f] && !b.features[f]);
    const used: Partial<Record<ProcessorFeature, boolean>> = { HWVirtEx: spec.hwVirt, NestedPaging: spec.hwVirt && spec.nestedPaging, LongMode: spec.longMode, PAE: spec.pae };
    const needed = missing.filter((f) => used[f]);
    const profile = `VBoxManage modifyvm "${name}" --cpu-profile`;
    if (needed.length) {
      set('cpu', 'failed', `${dst}'s CPU (${b.description}) lacks ${needed.map((f) => FEATURE_NAMES[f]).join(', ')}, which ${name} uses.`,
        `Turn ${needed.map((f) => FEATURE_NAMES[f]).join(', ')} off for ${name} while it is powered off, or pick another host.`);
    } else if (a.vendor !== b.vendor) {
      const example = b.vendor === 'AMD' ? 'AMD Ryzen 7 1800X Eight-Core' : 'Intel Core i7-6700K';
      set('cpu', 'warning', `${src} has an ${a.vendor} CPU (${a.description}), ${dst} an ${b.vendor} one (${b.description}): a guest that started on one vendor's CPU may fail on the other's.`,
        `Power ${name} off, give it a CPU profile both hosts can provide (e.g. ${profile} "${example}") or --cpuid-portability-level 3, start it again, then teleport; or pick a host with an ${a.vendor} CPU.`);
    } else if (missing.length) {
      set('cpu', 'warning', `${dst}'s CPU lacks ${missing.map((f) => FEATURE_NAMES[f]).join(', ')} (${src}'s has): the guest may have seen it.`,
        `Hide it from the guest with a CPUID portability level (VBoxManage modifyvm "${name}" --cpuid-portability-level 1) or the CPU profile of the older CPU (${profile} "${b.description}"), set while ${name} is powered off.`);
    } else {
      set('cpu', 'passed', a.description === b.description ? `Both have ${a.description}.` : `Both ${a.vendor}: ${a.description} and ${b.description}, with the same virtualization features.`);
    }
  }

  // Networks.
  if (!spec || !tgtRead) unknown('network');
  else {
    // Adapters on a cluster network: the target must have that network (its own names for it); raw bridged ones: the same interface.
    const onNetwork = spec.nics.filter((n) => n.network);
    const lacks = new Map((await lacksOn(target.view.id, onNetwork.map((n) => n.network!))).map((l) => [l.network, l.reason]));
    const bridged = spec.nics.filter((n) => !n.network && n.attachmentType === 'Bridged');
    const lacking = bridged.filter((n) => !tgtRead.bridged.includes(n.bridgedInterface));
    const problems = [
      ...onNetwork.filter((n) => lacks.has(n.network!)).map((n) => `NIC ${n.slot + 1} is on cluster network ${n.network}, which ${dst} lacks (${lacks.get(n.network!)})`),
      ...lacking.map((n) => `NIC ${n.slot + 1} is bridged to ${n.bridgedInterface || '(none)'}, which ${dst} does not have`),
    ];
    const fixes = [
      ...(lacks.size ? [`Define ${[...lacks.keys()].join(', ')} on ${dst} and apply it (Networks page)`] : []),
      ...(lacking.length ? [`Create ${[...new Set(lacking.map((n) => n.bridgedInterface))].join(', ')} on ${dst} (the same network as on ${src})`] : []),
    ];
    const networks = [...new Set(onNetwork.map((n) => n.network!))];
    if (problems.length) {
      set('network', 'failed', `${problems.join('; ')}${lacking.length ? ` (${dst} has ${tgtRead.bridged.join(', ') || 'no bridged interfaces'})` : ''}.`, `${fixes.join('; ')}, or pick another host.`);
    } else if (bridged.length === 0 && networks.length === 0) {
      set('network', 'passed', `${name} has no bridged adapters and is on no cluster network.`, undefined, { detail: k('network.none', { name }) });
    } else {
      const have = [
        ...networks.map((n) => `cluster network ${n}`),
        ...new Set(bridged.map((n) => n.bridgedInterface)),
      ];
      set('network', 'passed', `${have.join(', ')} ${have.length === 1 ? 'is' : 'are'} on ${dst} too.`);
    }
  }

  // The teleporter port.
  let port: number | null = null;
  if (!tgtRead) unknown('port');
  else {
    const choice = await choosePort(target.view.id, target.view.teleportAddress, target.view.teleportPorts, tgtRead.waitingPorts, { reserve: false });
    port = choice.port;
    if (port === null) {
      set('port', 'failed', `Every port of ${dst}'s teleport range ${target.view.teleportPorts} is taken.`, `Widen ${dst}'s teleport port range in its host settings, or wait for teleports under way to end.`,
        { detail: k('port.none', { host: dst, range: String(target.view.teleportPorts) }), fix: k('port.noneFix', { host: dst }) });
    } else if (choice.probe === 'unknown') {
      set('port', 'warning', `Port ${port} of ${target.view.teleportPorts}; Nimbox could not reach ${target.view.teleportAddress}:${port} to see whether it is free.`, `Make sure ${src} reaches ${dst} at ${target.view.teleportAddress} (the host's teleport address) on ports ${target.view.teleportPorts}.`);
    } else {
      set('port', 'passed', `Port ${port} of ${target.view.teleportPorts} on ${target.view.teleportAddress} is free.`, undefined,
        { detail: k('port.free', { port: String(port), range: String(target.view.teleportPorts), address: String(target.view.teleportAddress) }) });
    }
  }

  const list = CHECK_IDS.map((id) => checks.get(id)!).filter(Boolean);
  const preflight: Preflight = {
    machine: { id: machine.id, name, state: machine.state, memoryMB: spec?.memoryMB ?? machine.memoryMB, cpuCount: spec?.cpuCount ?? machine.cpuCount },
    source: { hostId: source.view.id, hostName: src },
    target: { hostId: target.view.id, hostName: dst },
    ok: list.every((c) => c.status !== 'failed'),
    checks: list,
    port,
    twin: twinMode,
    checkedAt: new Date().toISOString(),
  };
  return { preflight, machine, source, target, spec, twin, ...(busy && checks.get('machine')?.detail.includes(busy.title) ? { busyWith: { id: busy.id, title: busy.title } } : {}) };
}
