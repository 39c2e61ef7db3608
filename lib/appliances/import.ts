/**
 * Importing an appliance (POST /api/v1/appliances/import → task vm.import).
 *
 * The plan reads the appliance on the chosen host as VirtualBox interprets it, then checks what the
 * caller asked against the cluster before anything is made: names (unique cluster-wide), the tenant's
 * quotas (machines, vCPUs, memory and, when this server can read the descriptor, the disks'
 * capacities), folders (the caller's own), networks (one the caller may use, or the host's bridge).
 * The task then imports through IAppliance (settings file and disks on the shared storage:
 * `<tenant folder or storage>/machines/<uuid>/`), writes the tenant, points each adapter at its network
 * and enables the console. VirtualBox undoes its own failed or canceled import; when a step after it
 * fails, the task unregisters the new machines and deletes their settings and disks.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { forbidden, ProblemError } from '@/lib/api/problem';
import { can, type User } from '@/lib/auth/policy';
import { hostCapabilities } from '@/lib/cluster/operations/capabilities';
import {
  badRequest, describe, fieldError, hostsById, inventory, machineNameProblem, nameConflict, nameTaken, taskUser, withWriteLock,
} from '@/lib/cluster/operations/common';
import { MAC_POLICIES } from '@/lib/cluster/operations/clone';
import { machineFields, machineName } from '@/lib/cluster/operations/create';
import type { HostView } from '@/lib/db/hosts';
import { flavour, usableHost } from '@/lib/media/browse';
import { machineSettingsPath } from '@/lib/media/folders';
import { mediumKey, reserveDisk, type DiskReservation } from '@/lib/media/quota';
import { requireUsableNetwork, tenantNetworkError } from '@/lib/networks/access';
import { attachAdapter, lacksOn, lackText, networkKey } from '@/lib/networks/placement';
import type { ClusterNetwork } from '@/lib/networks/store';
import { taskText, startTask, type Task, type TaskContext } from '@/lib/tasks';
import { getTenantByName, TENANT_KEY } from '@/lib/tenants';
import { hostScope, mayUseHost } from '@/lib/tenants/hosts';
import { checkQuota, hostAllowed, tenantUsage } from '@/lib/tenants/quota';
import { holding, reserveQuota } from '@/lib/tenants/reservations';
import type { IMachine, IVirtualBox, VirtualSystemDescriptionEntries } from '@/lib/vbox/objects';
import type { ImportOptions } from '@/lib/vbox/types';
import { diskCapacities } from './descriptor';
import { readAppliance, systemView } from './inspect';
import { appliancePath, inRoot, localPathOf } from './paths';

/** The prefix of the extradata keys Nimbox keeps on a machine (tenant, template, networks, teleport). */
const NIMBOX_KEYS = 'nimbox/';

const nicChoice = z.strictObject({
  index: z.number().int('A whole number').min(0),
  network: machineFields.network.optional(),
  bridgedInterface: machineFields.bridgedInterface.optional(),
});

/** Body of POST /api/v1/appliances/import. `systems` changes the systems it names; every system is imported. */
export const importSchema = z.strictObject({
  path: z.string().trim().min(1, 'Choose an appliance').max(4096, 'At most 4096 characters'),
  hostId: z.string().min(1).nullish(),
  tenant: machineFields.tenant.nullish(),
  macPolicy: z.enum(MAC_POLICIES).default('new'),
  importToVDI: z.boolean().default(false),
  systems: z.array(z.strictObject({
    index: z.number().int('A whole number').min(0),
    name: machineName.optional(),
    cpuCount: machineFields.cpuCount.optional(),
    memoryMB: machineFields.memoryMB.optional(),
    diskFolder: z.string().trim().min(1, 'Choose a folder').max(4096).optional(),
    networks: z.array(nicChoice).max(36).optional(),
  })).max(64).default([]),
});
export type ImportInput = z.input<typeof importSchema>;

interface NicPlan {
  network: ClusterNetwork | null;
  bridge: string;
}

export interface PlannedSystem {
  name: string;
  cpuCount: number;
  memoryMB: number;
  settingsFile: string;
  /** Per HardDiskImage row, in order. */
  diskTargets: string[];
  /** Per disk, the descriptor's capacity (bytes), when this server read it. */
  diskBytes: (number | null)[];
  /** Per NetworkAdapter row, in order: the nth enabled adapter of the new machine. */
  nics: NicPlan[];
}

export interface ImportPlan {
  id: string;
  file: string;
  host: HostView;
  tenant: string | null;
  options: ImportOptions[];
  systems: PlannedSystem[];
}

/** The host: the one named (404 unless the caller may use it; 409 unless up, out of maintenance, the tenant's), else the up one with the most free memory. */
async function importHost(user: User, hostId: string | null | undefined, tenant: Awaited<ReturnType<typeof getTenantByName>>): Promise<HostView> {
  const inv = await inventory();
  const why = (h: HostView) => (!h.storagePath ? `${h.name} has no storage path` : inv.host(h.id)?.health !== 'up' ? `${h.name} is ${inv.host(h.id)?.health ?? 'not connected'}`
    : h.maintenance ? `${h.name} is in maintenance` : !hostAllowed(tenant, h.id) ? `Not one of tenant ${tenant?.name}'s hosts` : undefined);
  if (hostId && hostId !== 'auto') {
    const host = await usableHost(user, hostId);
    const reason = why(host);
    if (reason) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `${reason}.`, errors: [fieldError('hostId', reason)] });
    return host;
  }
  const scope = await hostScope(user);
  const fits = [...(await hostsById()).values()].filter((h) => mayUseHost(scope, h.id) && !why(h))
    .sort((a, b) => (inv.host(b.id)?.memoryAvailableMB ?? 0) - (inv.host(a.id)?.memoryAvailableMB ?? 0) || a.name.localeCompare(b.name));
  if (!fits[0]) throw new ProblemError({ title: 'No host can take the machines', status: 409, detail: 'No host you may use is up, out of maintenance and has a storage path.', errors: [fieldError('hostId', 'No host fits; choose one')] });
  return fits[0];
}

/**
 * Checks an import against the cluster and the appliance as VirtualBox reads it on the chosen host:
 * 400 naming each field, 403 for paths outside the caller's folder (or another tenant named), 409 for
 * taken names, quotas and hosts, 422 with VirtualBox's text for an appliance it cannot read.
 */
export async function planImport(input: unknown, caller: User): Promise<ImportPlan> {
  const parsed = importSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError({ title: 'Invalid request', status: 400, detail: 'The request body has invalid fields.', errors: parsed.error.issues.map((i) => fieldError(i.path.join('.') || 'body', i.message)) });
  const r = parsed.data;
  const tenantName = r.tenant !== undefined ? r.tenant : (caller.tenant ?? null);
  // Only admins import into another tenant (or none).
  if (!can(caller, 'vm:create', { tenant: tenantName })) throw new ProblemError(forbidden());
  const tenant = tenantName ? await getTenantByName(tenantName) : undefined;
  if (tenantName && !tenant) throw badRequest([fieldError('tenant', `No tenant ${tenantName}`)]);
  const host = await importHost(caller, r.hostId, tenant);
  const storage = host.storagePath as string;
  const f = flavour(storage);
  const file = appliancePath(caller, host, r.path);
  const inv = await inventory();
  const client = inv.monitor(host.id)?.client;
  if (!client) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${host.name} is not connected.` });
  const [rows, capacities] = await Promise.all([
    client.scope(async (vbox) => {
      const read = await readAppliance(vbox, file);
      requireOwnFiles(caller, host, file, await read.appliance.getDisks());
      return read.rows;
    }),
    diskCapacities(localPathOf(host, file)),
  ]);
  const views = rows.map((d, i) => systemView(i, d, capacities));

  const errors: { field: string; message: string }[] = [];
  const overrides = new Map<number, (typeof r.systems)[number]>();
  r.systems.forEach((s, i) => {
    if (s.index >= views.length) errors.push(fieldError(`systems.${i}.index`, `The appliance has ${views.length} virtual system(s)`));
    else if (overrides.has(s.index)) errors.push(fieldError(`systems.${i}.index`, 'Each system at most once'));
    else overrides.set(s.index, s);
  });
  // Field paths name the entry of `systems` that changes the system, else the system's index.
  const fieldOf = (index: number, key: string) => {
    const at = r.systems.findIndex((s) => s.index === index);
    return `systems.${at >= 0 ? at : index}.${key}`;
  };
  const seen = new Set<string>();
  const admin = caller.role === 'admin';
  let caps: Awaited<ReturnType<typeof hostCapabilities>> | undefined;
  const systems: PlannedSystem[] = [];
  for (const v of views) {
    const o = overrides.get(v.index);
    const name = o?.name ?? v.name;
    const why = machineNameProblem(name);
    if (why) errors.push(fieldError(fieldOf(v.index, 'name'), why));
    const holder = nameTaken(inv, name);
    if (holder) throw new ProblemError({ ...nameConflict(name, holder, caller).problem, errors: [fieldError(fieldOf(v.index, 'name'), 'This name is taken')] });
    if (seen.has(name.toLowerCase())) errors.push(fieldError(fieldOf(v.index, 'name'), 'Two systems of this import have this name'));
    seen.add(name.toLowerCase());
    const settingsFile = machineSettingsPath(storage, tenantName, randomUUID(), name);
    let folder = f.dirname(settingsFile);
    if (o?.diskFolder) folder = inRoot(caller, host, o.diskFolder, fieldOf(v.index, 'diskFolder'));
    const diskTargets = v.disks.map((d) => {
      const base = f.basename(d.target.replace(/\\/g, '/')) || `${name}-disk${d.index + 1}.vmdk`;
      // VirtualBox gives a converted disk the .vdi extension itself (not an ISO image: it stays RAW).
      return f.join(folder, r.importToVDI && !/\.iso$/i.test(base) ? base.replace(/\.[^.]+$/, '.vdi') : base);
    });
    const nics: NicPlan[] = [];
    for (const n of v.networks) {
      const ni = o?.networks?.findIndex((x) => x.index === n.index) ?? -1;
      const choice = ni >= 0 ? o?.networks?.[ni] : undefined;
      const nf = `${fieldOf(v.index, 'networks')}.${ni}`;
      if (choice?.network && choice.bridgedInterface) {
        errors.push(fieldError(`${nf}.network`, 'A cluster network or a bridged interface, not both'));
      } else if (choice?.network) {
        const net = await requireUsableNetwork(caller, choice.network, `${nf}.network`);
        // An admin importing for a tenant: a network that tenant may use; and one this host has.
        const notTenants = await tenantNetworkError(tenantName, net, `${nf}.network`);
        const lack = lackText(await lacksOn(host.id, [net.name]));
        if (notTenants) errors.push(notTenants);
        else if (lack) errors.push(fieldError(`${nf}.network`, lack));
        nics.push({ network: net, bridge: host.bridgeAdapter });
        continue;
      } else if (choice?.bridgedInterface && choice.bridgedInterface !== host.bridgeAdapter) {
        // As for new machines: tenants bridge only to the host's default bridge, or use a cluster network.
        if (!admin) errors.push(fieldError(`${nf}.bridgedInterface`, `Only the host's default bridge (${host.bridgeAdapter} on ${host.name}), or a cluster network your tenant may use`));
        else if (!(caps ??= await hostCapabilities(host.id, { inv, host })).bridgedInterfaces.includes(choice.bridgedInterface)) {
          errors.push(fieldError(`${nf}.bridgedInterface`, `${host.name} has no bridged interface ${choice.bridgedInterface}`));
        }
      }
      nics.push({ network: null, bridge: choice?.bridgedInterface ?? host.bridgeAdapter });
    }
    o?.networks?.forEach((x, i) => {
      if (x.index >= v.networks.length) errors.push(fieldError(`${fieldOf(v.index, 'networks')}.${i}.index`, `The system has ${v.networks.length} network adapter(s)`));
    });
    systems.push({
      name, cpuCount: o?.cpuCount ?? v.cpuCount, memoryMB: o?.memoryMB ?? v.memoryMB, settingsFile, diskTargets,
      diskBytes: v.disks.map((d) => (capacities ? (d.sizeMB ? d.sizeMB * 1024 ** 2 : null) : null)),
      nics,
    });
  }
  if (errors.length) throw badRequest(errors);
  if (tenant) {
    // A first answer from what the inventory shows; startImport reserves, counting other creates in flight, and holds the disks.
    checkQuota(tenant, tenantUsage(inv.machines(), tenant.name), { ...importDemand(systems), diskGB: undefined }, { vcpus: 'systems', memoryMB: 'systems' });
  }
  const options: ImportOptions[] = [
    ...(r.macPolicy === 'keepAll' ? ['KeepAllMACs' as const] : r.macPolicy === 'keepNAT' ? ['KeepNATMACs' as const] : []),
    ...(r.importToVDI ? ['ImportToVDI' as const] : []),
  ];
  return { id: randomUUID(), file, host, tenant: tenantName, options, systems };
}

/**
 * 403 naming `path` unless every file an .ovf refers to is the caller's: VirtualBox joins each href to the .ovf's
 * folder as it is ("../../red/x.vmdk" included) and copies what it finds into the new machine. An .ova's files are
 * its own entries.
 */
function requireOwnFiles(caller: User, host: HostView, file: string, disks: string[]): void {
  if (/\.ova$/i.test(file)) return;
  const f = flavour(host.storagePath as string);
  // IAppliance::disks: "<diskId>\t<capacity>\t<populatedSize>\t<format>\t<href>\t…"
  for (const href of disks.map((d) => d.split('\t')[4]).filter(Boolean)) {
    try {
      inRoot(caller, host, f.join(f.dirname(file), href), 'path');
    } catch (e) {
      if (!(e instanceof ProblemError)) throw e;
      throw new ProblemError({ ...e.problem, detail: `${e.problem.detail} The appliance refers to a file elsewhere.`, errors: [fieldError('path', 'The appliance refers to files outside your folder')] });
    }
  }
}

const importDemand = (systems: PlannedSystem[]) => ({
  machines: systems.length,
  vcpus: systems.reduce((a, s) => a + s.cpuCount, 0),
  memoryMB: systems.reduce((a, s) => a + s.memoryMB, 0),
});

/** The rows as the plan wants them (setFinalValues' three arrays). */
function finalValues(d: VirtualSystemDescriptionEntries, s: PlannedSystem, storage: string): [boolean[], string[], string[]] {
  const f = flavour(storage);
  const vbox = [...d.VBoxValues];
  let disk = 0;
  d.types.forEach((t, i) => {
    if (t === 'Name') vbox[i] = s.name;
    else if (t === 'CPU') vbox[i] = String(s.cpuCount);
    else if (t === 'Memory') vbox[i] = String(s.memoryMB * 1024 ** 2);
    else if (t === 'SettingsFile') vbox[i] = s.settingsFile;
    else if (t === 'BaseFolder') vbox[i] = f.dirname(f.dirname(s.settingsFile));
    else if (t === 'HardDiskImage') vbox[i] = s.diskTargets[disk++] ?? vbox[i];
  });
  return [d.types.map(() => true), vbox, [...d.extraConfigValues]];
}

/** Unregisters an imported machine and deletes its settings and disks (all made by the import). */
async function removeImported(vbox: IVirtualBox, id: string): Promise<void> {
  const m = await vbox.findMachine(id);
  const media = await m.unregister('DetachAllReturnHardDisksOnly');
  await (await m.deleteConfig(media)).wait({ intervalMs: 100 });
}

/** The hard disks attached to a machine: location and logical size. */
async function disksOf(m: IMachine): Promise<{ location: string; bytes: number }[]> {
  const out: { location: string; bytes: number }[] = [];
  for (const a of await m.getMediumAttachments()) {
    if (!a.medium || a.type !== 'HardDisk') continue;
    out.push({ location: await a.medium.getLocation(), bytes: await a.medium.getLogicalSize() });
  }
  return out;
}

/** Starts the vm.import task for a plan; resolves with the task at once (202). */
export async function startImport(plan: ImportPlan, user: User): Promise<Task> {
  const inv = await inventory();
  const client = inv.monitor(plan.host.id)?.client;
  if (!client) throw new ProblemError({ title: 'Host unavailable', status: 409, detail: `Host ${plan.host.name} is not connected.` });
  const storage = plan.host.storagePath as string;
  const f = flavour(storage);
  const made: string[] = [];
  const tenant = plan.tenant;
  const demand = importDemand(plan.systems);
  const reservation = tenant
    ? await reserveQuota({ tenant, machineId: `import:${plan.id}`, demand, machines: () => inv.machines() })
    : null;
  // The disks the descriptor declares, held against the tenant's disk quota until the task ends.
  const disks: DiskReservation[] = [];
  const releaseAll = async () => {
    await reservation?.release();
    for (const d of disks) await d.release();
  };
  try {
    if (tenant) {
      for (const [i, s] of plan.systems.entries()) {
        for (const [j, bytes] of s.diskBytes.entries()) {
          if (bytes) disks.push(await reserveDisk({ tenant, location: s.diskTargets[j], bytes, inv, field: `systems.${i}.disks.${j}` }));
        }
      }
    }
  } catch (e) {
    await releaseAll();
    throw e;
  }
  const first = plan.systems[0];
  const title = `Import ${f.basename(plan.file)} on ${plan.host.name}`;
  const job = async (ctx: TaskContext): Promise<void> => {
    try {
      await client.write(async (vbox, wsm) => {
        ctx.step(0, 'Reading the appliance');
        const { appliance, vsds, rows } = await readAppliance(vbox, plan.file, (p) => ctx.follow(p, [0, 5]));
        // Read again: the file may have changed since the plan.
        requireOwnFiles(user, plan.host, plan.file, await appliance.getDisks());
        if (rows.length !== plan.systems.length) {
          throw new ProblemError({ title: 'Appliance changed', status: 409, detail: `${plan.file} changed since it was read: inspect it again.` });
        }
        for (const [i, vsd] of vsds.entries()) await vsd.setFinalValues(...finalValues(rows[i], plan.systems[i], storage));
        ctx.step(5, 'Importing');
        // VirtualBox undoes its own import when it fails or is canceled.
        await ctx.follow(await appliance.importMachines(plan.options), [5, 90]);
        made.push(...await appliance.getMachines());
        if (made[0]) ctx.setTarget(made[0], first.name);
        try {
          ctx.setCancelable(true);
          for (const [i, id] of made.entries()) {
            const s = plan.systems[i];
            if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('Canceled');
            ctx.step(90 + Math.round((i / made.length) * 9), `Configuring ${s.name}`);
            const found = await withWriteLock(vbox, wsm, id, async (m) => {
              // An appliance's <vbox:Machine> extradata says nothing Nimbox trusts (an owner, a template mark, networks):
              // its keys are cleared, then set as planned.
              for (const key of await m.getExtraDataKeys()) if (key.startsWith(NIMBOX_KEYS)) await m.setExtraData(key, '');
              if (tenant) await m.setExtraData(TENANT_KEY, tenant);
              await configureAdapters(m, s.nics, plan.host);
              // After the adapters' new attachments: the names they no longer use are cleared too.
              if (tenant) await confine(m, plan.host, f.dirname(s.settingsFile));
              const vrde = await m.getVRDEServer();
              await vrde.setEnabled(true);
              // The console: VirtualBox takes the first free port of the host's range when the machine starts.
              await vrde.setVRDEProperty('TCP/Ports', plan.host.vrdePorts);
              return disksOf(m);
            });
            // Disks whose capacity the descriptor did not tell (this server could not read it), or told less than the
            // disk holds (a descriptor may say anything): held now, at their real sizes (409 over the quota: undone below).
            if (tenant) {
              const declared = new Map(s.diskTargets.map((t, j) => [mediumKey(t), s.diskBytes[j]]));
              for (const [j, d] of found.entries()) {
                const was = declared.get(mediumKey(d.location));
                if (was == null || d.bytes > was) disks.push(await reserveDisk({ tenant, location: d.location, bytes: d.bytes, inv, field: `systems.${i}.disks.${j}` }));
              }
            }
          }
          ctx.setCancelable(false);
        } catch (e) {
          ctx.step(ctx.task.percent, 'Removing what the import made');
          const leftovers: string[] = [];
          for (const id of made) await removeImported(vbox, id).catch((u: unknown) => leftovers.push(`${id}: ${describe(u)}`));
          made.length = 0;
          if (leftovers.length) throw new ProblemError({ title: 'Import failed', status: 500, detail: `${describe(e)} — could not remove, check by hand: ${leftovers.join('; ')}` });
          throw e;
        }
      }, { release: true });
    } catch (e) {
      removeEmptyFolders(plan);
      for (const d of disks) await d.release();
      throw e;
    }
    for (const d of disks) await d.settle();
    ctx.step(100, `Imported ${plan.systems.map((s) => s.name).join(', ')} on ${plan.host.name}`);
  };
  try {
    const task = await startTask({
      kind: 'vm.import', title, titleKey: taskText('vm.import', { file: f.basename(plan.file), host: plan.host.name }),
      target: { type: 'vm', id: plan.id, name: first?.name ?? f.basename(plan.file), hostId: plan.host.id },
      user: taskUser(user),
      locks: [...plan.systems.map((s) => `name:${s.name.toLowerCase()}`), `appliance:${plan.file}`],
    }, holding(reservation, () => made.length > 0 && made.every((id) => inv.machine(id)?.tenant === tenant), job));
    void reservation?.attach(task.id);
    for (const d of disks) void d.attach(task.id);
    return task;
  } catch (e) {
    await releaseAll();
    throw e;
  }
}

/** Whether a path is in a folder (the host's path syntax), the folder itself included. */
const within = (f: ReturnType<typeof flavour>, folder: string, p: string) => {
  const rel = f.relative(folder, p);
  return !rel.startsWith('..') && !f.isAbsolute(rel);
};

/**
 * Takes from a tenant's imported machine what its appliance's <vbox:Machine> settings gave it (VirtualBox imports them
 * whole) and tenants do not get elsewhere: the host's paths (shared folders, serial and parallel ports, packet traces,
 * screen recordings, a snapshot folder outside its own), host USB devices, adapters left off on a raw host attachment
 * (another tenant's internal network: turning the adapter on would keep it), and the network names adapters keep for
 * attachments not in use. Runs after configureAdapters, which attaches the adapters that are on.
 */
async function confine(m: IMachine, host: HostView, folder: string): Promise<void> {
  const f = flavour(host.storagePath as string);
  for (const sf of await m.getSharedFolders()) await m.removeSharedFolder(await sf.getName());
  const usb = await m.getUSBDeviceFilters();
  for (let n = (await usb.getDeviceFilters()).length; n > 0; n--) await usb.removeDeviceFilter(0);
  for (let slot = 0; slot < 4; slot++) {
    const port = await m.getSerialPort(slot).catch(() => null);
    if (port && (await port.getHostMode()) !== 'Disconnected') await port.setHostMode('Disconnected');
  }
  for (let slot = 0; slot < 2; slot++) {
    const port = await m.getParallelPort(slot).catch(() => null);
    if (port && (await port.getEnabled())) await port.setEnabled(false);
  }
  const recording = await m.getRecordingSettings();
  if (await recording.getEnabled()) await recording.setEnabled(false);
  if (!within(f, folder, await m.getSnapshotFolder())) await m.setSnapshotFolder('');
  for (let slot = 0; slot < 36; slot++) {
    const a = await m.getNetworkAdapter(slot).catch(() => null);
    if (!a) break;
    if (await a.getTraceEnabled()) await a.setTraceEnabled(false);
    if (!(await a.getEnabled()) && (await a.getAttachmentType()) !== 'Null') await a.setAttachmentType('Null');
    // VirtualBox keeps the names of the attachments not in use (<DisabledModes>): another tenant's network would be
    // joined by switching the attachment back, and the tenant reads them.
    const mode = await a.getAttachmentType();
    if (mode !== 'Internal' && await a.getInternalNetwork()) await a.setInternalNetwork('');
    if (mode !== 'NATNetwork' && await a.getNATNetwork()) await a.setNATNetwork('');
    if (mode !== 'Generic' && await a.getGenericDriver()) await a.setGenericDriver('');
  }
}

/** Points the nth enabled adapter at the nth planned network (a cluster network's mapping, or the bridge). */
async function configureAdapters(m: IMachine, nics: NicPlan[], host: HostView): Promise<void> {
  let n = 0;
  for (let slot = 0; slot < 36 && n < nics.length; slot++) {
    const a = await m.getNetworkAdapter(slot).catch(() => null);
    if (!a) break;
    if (!(await a.getEnabled())) continue;
    const nic = nics[n++];
    if (nic.network) {
      await attachAdapter(a, nic.network, host.id, host.name);
      // The extradata makes the adapter follow the machine to other hosts.
      await m.setExtraData(networkKey(slot), nic.network.name);
    } else {
      await a.setBridgedInterface(nic.bridge);
      await a.setAttachmentType('Bridged');
    }
  }
}

/** The machine folders the plan named, when this server mounts the storage and VirtualBox left them empty. */
function removeEmptyFolders(plan: ImportPlan): void {
  const f = flavour(plan.host.storagePath as string);
  for (const s of plan.systems) {
    const local = localPathOf(plan.host, f.dirname(s.settingsFile));
    try {
      if (local && fs.readdirSync(local).length === 0) fs.rmdirSync(local);
    } catch {
      /* not there, or not empty: nothing of ours */
    }
  }
}
