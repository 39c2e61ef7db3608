/**
 * PATCH /api/v1/vms/:id/settings/:area → task vm.settings. The change goes to every copy of the machine
 * (its twins, common.ts everyCopy): the running copy through a Shared lock's session machine for what
 * VirtualBox changes on a running VM, powered-off or saved copies under Write locks; when one host refuses,
 * the copies already changed are set back and the task fails naming the host, with VirtualBox's text and
 * result code. What a copy's state does not allow (areas.ts: VirtualBox's state rule per setter) is a
 * 409 naming the fields before any task starts; a value the machine has already is no change.
 */
import { ProblemError, validationProblem } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import {
  LIVE, badRequest, copiesOf, everyCopy, fieldError, hostsById, inPortSpec, inventory, isOff, nameConflict, nameTaken, requireUp, stateUnless, taskUser,
  type MachineCopy,
} from '@/lib/cluster/operations/common';
import type { HostView } from '@/lib/db/hosts';
import { taskText, startTask, type Task, type TaskContext, type TaskText } from '@/lib/tasks';
import { holding, reserveQuota, type Reservation } from '@/lib/tenants/reservations';
import { flavour, withinRoot } from '@/lib/media/browse';
import type { IMachine, IVirtualBox } from '@/lib/vbox/objects';
import type { GraphicsControllerType, MachineState } from '@/lib/vbox/types';
import { AREAS, VRDE_DEFAULT_PORTS, allows, areaSchema, fieldsOf, isEfi, secureBootNow, type Dep, type FieldArea } from './areas';
import { requireAutostartDb } from './autostart';
import { readTemplateMark } from '@/lib/templates/start';
import { SERIAL_DEPS, readPort, serialPatchSchema, tenantSerialErrors, writePort, type PortField, type PortPatch } from './serial';
import { SETTINGS_AREAS, type SettingsArea, type SerialPortView } from './types';

/** One setting to write on a copy: read first (to set it back), then written. */
export interface Op {
  read(m: IMachine): Promise<unknown>;
  write(m: IMachine, v: unknown): Promise<void>;
  /** The value for a copy (a host's VRDE ports differ by host). */
  value(copy: MachineCopy): unknown;
}

/** A field the request touches: its body path, for 400/409s, and VirtualBox's state rule for it. */
interface Touch { field: string; dep: Dep }

const DEP_WORDS: Record<Dep, string> = {
  Mutable: 'powered off', MutableOrSaved: 'powered off or saved', MutableOrRunning: 'powered off or running', MutableOrSavedOrRunning: 'powered off, saved or running',
};

/**
 * 409 when a copy's state does not allow a touched field (as Machine::i_checkStateDependency would refuse),
 * naming the fields and why; else the copy that runs (its changes go through the running VM), if one does.
 */
export async function requireStates(copies: MachineCopy[], touches: Touch[], name: string): Promise<MachineCopy | null> {
  let live: MachineCopy | null = null;
  for (const copy of copies) {
    const state: MachineState = await stateUnless(copy, isOff);
    const refused = touches.filter((t) => !allows(t.dep, state));
    if (refused.length) {
      const first = refused[0];
      const others = refused.length > 1 ? ` (and ${refused.slice(1).map((t) => t.field).join(', ')})` : '';
      throw new ProblemError({
        title: 'Not in this state', status: 409,
        detail: `${first.field}${others} can only change while ${name} is ${DEP_WORDS[first.dep]}; it is ${state} on ${copy.host.name}.`,
        fields: refused.map((t) => t.field), state, hostId: copy.host.id,
        errors: refused.map((t) => fieldError(t.field, `Only while the machine is ${DEP_WORDS[t.dep]}`)),
      });
    }
    if (LIVE.includes(state) && !live) live = copy;
  }
  return live;
}

/** Applies ops to a session machine, in order; the inverse to set it back. A failing op sets back those before it on this copy too. */
async function applyOps(m: IMachine, copy: MachineCopy, ops: Op[]): Promise<{ op: Op; before: unknown }[]> {
  const done: { op: Op; before: unknown }[] = [];
  try {
    for (const op of ops) {
      const before = await op.read(m);
      await op.write(m, op.value(copy));
      done.push({ op, before });
    }
  } catch (e) {
    await undoOps(m, done).catch(() => undefined);
    throw e;
  }
  return done;
}

async function undoOps(m: IMachine, done: { op: Op; before: unknown }[]): Promise<void> {
  for (const d of [...done].reverse()) await d.op.write(m, d.before);
}

/** Starts a vm.settings task on the machine (locked by its id, as the other machine tasks lock it). */
export async function startSettingsTask(
  o: { id: string; name: string; copies: MachineCopy[]; user: User; title: string; titleKey?: TaskText; locks?: string[]; reservation?: Reservation | null; landed?: () => boolean },
  run: (ctx: TaskContext) => Promise<void>,
): Promise<Task> {
  const task = await startTask({
    kind: 'vm.settings', title: o.title, titleKey: o.titleKey, target: { type: 'vm', id: o.id, name: o.name, hostId: o.copies[0].host.id },
    user: taskUser(o.user), locks: [o.id, ...(o.locks ?? [])],
  }, holding(o.reservation ?? null, o.landed ?? (() => true), run)).catch((e: unknown) => {
    void o.reservation?.release();
    throw e;
  });
  void o.reservation?.attach(task.id);
  return task;
}

/** Runs the ops on every copy (common.ts everyCopy: set back everywhere when one host refuses). */
export function applyEverywhere(ctx: TaskContext, id: string, copies: MachineCopy[], live: MachineCopy | null, doing: string, ops: Op[]): Promise<void> {
  return everyCopy(ctx, id, copies, live, doing, (m, copy) => applyOps(m, copy, ops), (m, done) => undoOps(m, done));
}

// ---------------------------------------------------------------- the areas of fields

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every port of a spec ("5900-5902,5910"). */
const portsOf = (spec: string): number[] => spec.split(',').flatMap((part) => {
  const [a, b = a] = part.split('-').map((x) => Number(x.trim()));
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
});

/** The single ports of the other machines on a copy's host whose VRDE server is on (a range finds a free port itself). */
async function fixedVrdePorts(copy: MachineCopy, id: string): Promise<number[]> {
  return copy.client.scope(async (vbox) => {
    const ports = await Promise.all((await vbox.getMachines()).map(async (m) => {
      if ((await m.getId()) === id) return null;
      const vrde = await m.getVRDEServer();
      if (!(await vrde.getEnabled())) return null;
      const spec = (await vrde.getVRDEProperty('TCP/Ports')) || VRDE_DEFAULT_PORTS;
      return /^\s*\d+\s*$/.test(spec) ? Number(spec) : null;
    }).map((p) => p.catch(() => null))); // an inaccessible machine has no VRDE server to ask
    return ports.filter((p): p is number => p !== null);
  });
}

/** Whether every port or range of a spec lies within another spec's ports. */
const withinSpec = (spec: string, range: string) => portsOf(spec).every((p) => inPortSpec(p, range));

/** The name of the first copy's host whose list (read from its VirtualBox) lacks `name`, or null. */
async function hostLacking(copies: MachineCopy[], list: (vbox: IVirtualBox) => Promise<string[]>, name: string): Promise<string | null> {
  for (const c of copies) if (!(await c.client.scope((vbox) => list(vbox))).includes(name)) return c.host.name;
  return null;
}

interface Plan { touches: Touch[]; ops: Op[]; fields: string[]; locks: string[]; after?: (ctx: TaskContext) => void; quota?: { vcpus?: number; memoryMB?: number } }

async function planFields(area: FieldArea, p: Record<string, unknown>, copies: MachineCopy[], views: Map<string, HostView>, user: User, id: string): Promise<Plan> {
  const fields = fieldsOf(area);
  const name = copies[0].summary.name;
  // The machine's values now (of the copy that runs, else the first): what is already so is no change.
  const current = await copies[0].client.scope(async (vbox, wsm) => {
    const m = await vbox.findMachine(id);
    const also = { system: ['firmware', 'secureBoot'], 'remote-display': ['ports'], display: ['graphicsController'] } as Record<string, string[]>;
    const keys = [...new Set([...Object.keys(p), ...(also[area] ?? [])])];
    const values = await Promise.all(keys.map((k) => (k === 'secureBoot' ? null : fields[k].read(m))));
    if (area === 'system') values[keys.indexOf('secureBoot')] = await secureBootNow(vbox, wsm, m, values[keys.indexOf('firmware')] as string);
    return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
  }) as Record<string, unknown>;
  const changes = Object.fromEntries(Object.entries(p).filter(([k, v]) => v !== undefined && (k === 'password' || !same(v, current[k]))));
  const errors: { field: string; message: string }[] = [];
  const locks: string[] = [];
  let after: Plan['after'];

  if (area === 'general') {
    if (changes.name !== undefined) {
      const newName = changes.name as string;
      const taken = nameTaken(await inventory(), newName, id);
      if (taken) throw nameConflict(newName, taken, user);
      if (newName.toLowerCase() !== name.toLowerCase()) locks.push(`name:${newName.toLowerCase()}`);
      after = (ctx) => ctx.setTarget(id, newName);
    }
    // Every host must know it (VirtualBox versions differ), as each copy may run.
    if (changes.osTypeId !== undefined) {
      const unknown = await hostLacking(copies, async (vbox) => (await vbox.getGuestOSTypes()).map((o) => o.id), changes.osTypeId as string);
      if (unknown) errors.push(fieldError('osTypeId', `${unknown} knows no OS type ${String(changes.osTypeId)}`));
    }
  }
  // VirtualBox takes any CPU profile name and fails only at power-on: one of each host's profiles, or the host's own CPU.
  if (area === 'system' && changes.cpuProfile !== undefined && changes.cpuProfile !== 'host') {
    const profiles = async (vbox: IVirtualBox) => Promise.all((await (await vbox.getSystemProperties()).getCPUProfiles('AMD64', '')).map((c) => c.getName()));
    const unknown = await hostLacking(copies, profiles, changes.cpuProfile as string);
    if (unknown) errors.push(fieldError('cpuProfile', `${unknown} has no CPU profile ${String(changes.cpuProfile)}`));
  }
  if (area === 'system' && changes.secureBoot === true && !isEfi((changes.firmware ?? current.firmware) as string)) {
    errors.push(fieldError('secureBoot', 'Secure Boot needs EFI firmware: set firmware to EFI too'));
  }
  // 3D needs a controller that has it on every host (VirtualBox builds without 3D have none: GraphicsAdapter::setFeature refuses).
  if (area === 'display' && changes.accelerate3D === true) {
    const controller = (changes.graphicsController ?? current.graphicsController) as GraphicsControllerType;
    for (const c of copies) {
      const has = await c.client.scope(async (vbox) => (await (await vbox.getSystemProperties()).getPlatform()).getSupportedGfxFeaturesForType(controller));
      if (!has.includes('Acceleration3D')) {
        errors.push(fieldError('accelerate3D', `VirtualBox on ${c.host.name} has no 3D acceleration for ${controller}`));
        break;
      }
    }
  }
  if (area === 'usb' && p.filters !== undefined && user.role !== 'admin') errors.push(fieldError('filters', 'USB device filters are for admins'));
  // External authentication checks logons against the host's own accounts (VBoxAuth, PAM on Linux): a tenant's console
  // would let anyone who reaches it try the host's passwords.
  if (area === 'remote-display' && changes.authType === 'External' && user.role !== 'admin') {
    errors.push(fieldError('authType', "External authentication checks the host's own accounts: for admins"));
  }
  // A tenant's VRDE server listens only within each host's console ports (what the console relay reaches).
  if (area === 'remote-display' && typeof changes.ports === 'string' && user.role !== 'admin') {
    const outside = copies.find((c) => { const v = views.get(c.host.id); return v && !withinSpec(changes.ports as string, v.vrdePorts); });
    if (outside) errors.push(fieldError('ports', `Only within ${outside.host.name}'s console ports (${views.get(outside.host.id)!.vrdePorts})`));
  }
  // A fixed port another machine's console has (or listens on now) on a host of this one: VirtualBox would fail to listen
  // at power-on. Said without the other machine's name (it may be another tenant's).
  if (area === 'remote-display' && typeof changes.ports === 'string') {
    const wanted = portsOf(changes.ports as string);
    for (const c of copies) {
      const taken = new Set(await fixedVrdePorts(c, id));
      if (wanted.every((port) => taken.has(port))) {
        errors.push(fieldError('ports', `${wanted.join(', ')} on ${c.host.name} ${wanted.length > 1 ? 'are' : 'is'} another machine's console port: choose another, or a range`));
        break;
      }
    }
  }
  // A template never runs, not even by its host's autostart service at boot (lib/templates).
  if (area === 'general' && changes.autostartEnabled === true && (await readTemplateMark(id, copies[0].client))) {
    errors.push(fieldError('autostartEnabled', 'A template never starts: unmark it first'));
  }
  if (errors.length) throw badRequest(errors);
  // VirtualBox changes neither without the host's autostart database: a 409 naming the host, before any task.
  if (area === 'general') await requireAutostartDb(copies, ['autostartEnabled', 'autostopType'].filter((k) => changes[k] !== undefined));

  // Turning VRDE on for a machine whose ports were never set: each host's console ports.
  const perHost: Record<string, (copy: MachineCopy) => unknown> = {};
  const neverSet = current.ports === '' || current.ports === VRDE_DEFAULT_PORTS;
  if (area === 'remote-display' && changes.enabled === true && p.ports === undefined && neverSet) {
    perHost.ports = (copy) => views.get(copy.host.id)?.vrdePorts;
  }
  // Leaving EFI keeps the NVRAM as it is (FirmwareSettings::setFirmwareType only re-points its file): Secure Boot left
  // on would come back on with EFI while the view says off. So it goes off first, as the user sees it.
  if (area === 'system' && typeof changes.firmware === 'string' && !isEfi(changes.firmware) && current.secureBoot === true && changes.secureBoot === undefined) {
    changes.secureBoot = false;
  }
  let keys = Object.keys(fields).filter((k) => changes[k] !== undefined || perHost[k]);
  // Secure Boot off goes before the firmware leaves EFI; on, after it became EFI (fields' order).
  if (area === 'system' && changes.secureBoot === false) keys = ['secureBoot', ...keys.filter((k) => k !== 'secureBoot')];
  const key = AREAS[area].key;
  return {
    touches: keys.map((k) => ({ field: k, dep: fields[k].dep })),
    ops: keys.map((k) => ({ read: fields[k].read, write: fields[k].write, value: perHost[k] ?? (() => changes[k]) })),
    fields: keys.map((k) => `${key}.${k}`),
    locks,
    after,
    quota: area === 'system' ? { vcpus: changes.cpuCount as number | undefined, memoryMB: changes.memoryMB as number | undefined } : undefined,
  };
}

// ---------------------------------------------------------------- serial ports

async function planSerial(input: unknown, copies: MachineCopy[], views: Map<string, HostView>, user: User, id: string): Promise<Plan> {
  const parsed = serialPatchSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const { ports } = parsed.data;
  // Each copy's folder (a tenant's files stay in it) and the ports now (of the first copy).
  const folders = new Map<string, string>();
  let count = 0;
  const current = new Map<number, SerialPortView>();
  for (const [i, c] of copies.entries()) {
    await c.client.scope(async (vbox) => {
      const m = await vbox.findMachine(id);
      const file = await m.getSettingsFilePath();
      folders.set(c.host.id, file.replace(/[\\/][^\\/]*$/, ''));
      if (i > 0) return;
      count = await (await (await m.getPlatform()).getProperties()).getSerialPortCount();
      for (const p of ports) if (p.slot < count) current.set(p.slot, await readPort(m, p.slot));
    });
  }
  const errors = ports.flatMap((p, i) => (p.slot < count ? [] : [fieldError(`ports.${i}.slot`, `The machine has serial ports 0 to ${count - 1}`)]));
  if (user.role !== 'admin') errors.push(...tenantSerialErrors(ports, current, folders, copies, views));
  if (errors.length) throw badRequest(errors);
  const first = folders.get(copies[0].host.id)!;
  const touches: Touch[] = [];
  const ops: Op[] = [];
  const fields: string[] = [];
  ports.forEach((p: PortPatch, i) => {
    const now = current.get(p.slot)!;
    const change: Partial<SerialPortView> = {};
    for (const k of Object.keys(SERIAL_DEPS) as PortField[]) {
      if (p[k] === undefined || p[k] === now[k]) continue;
      (change as Record<string, unknown>)[k] = p[k];
      touches.push({ field: `ports.${i}.${k}`, dep: SERIAL_DEPS[k] });
      fields.push(`serialPorts.${p.slot}.${k}`);
    }
    if (!Object.keys(change).length) return;
    // A file or pipe in the machine's folder is in each copy's own folder (twins registered apart have folders of their own).
    const mode = change.hostMode ?? now.hostMode;
    // A tenant's new file or pipe mode takes the path checked above (the first copy's) to every copy: a twin's own
    // path, never checked, could be any file of its host.
    if (user.role !== 'admin' && change.hostMode !== undefined && change.path === undefined && (mode === 'RawFile' || mode === 'HostPipe')) change.path = now.path;
    const rel = change.path !== undefined && (mode === 'RawFile' || mode === 'HostPipe') ? inFolder(first, change.path) : undefined;
    ops.push({
      read: async (m) => pick(await readPort(m, p.slot), Object.keys(change)),
      write: (m, v) => writePort(m, p.slot, v as Partial<SerialPortView>),
      value: (copy) => (rel === undefined ? change : { ...change, path: joinIn(folders.get(copy.host.id)!, rel) }),
    });
  });
  return { touches, ops, fields, locks: [] };
}

/** The path relative to the folder when it is inside it, else undefined. */
function inFolder(folder: string, p: string): string | undefined {
  const f = flavour(folder);
  const inside = withinRoot(folder, p);
  return inside === undefined ? undefined : f.relative(f.normalize(folder), inside);
}
const joinIn = (folder: string, rel: string) => flavour(folder).join(folder, rel);

const pick = (o: SerialPortView, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k as keyof SerialPortView]]));

// ---------------------------------------------------------------- the task

/** Checks a PATCH of one area (400 naming fields, 404, 409) and starts the vm.settings task; resolves with the task (202). */
export async function startSettingsEdit(id: string, rawArea: string, input: unknown, user: User): Promise<Task> {
  if (!(SETTINGS_AREAS as readonly string[]).includes(rawArea)) {
    throw new ProblemError({ title: 'Not found', status: 404, detail: `No settings area ${rawArea}: one of ${SETTINGS_AREAS.join(', ')}.` });
  }
  const area = rawArea as SettingsArea;
  let body: Record<string, unknown> | undefined;
  if (area !== 'serial-ports') {
    const parsed = areaSchema(area).safeParse(input);
    if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
    body = parsed.data;
  }
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  const name = copies[0].summary.name;
  for (const c of copies) requireUp(inv.host(c.host.id), c.host.name);
  const views = await hostsById();
  const plan = area === 'serial-ports' ? await planSerial(input, copies, views, user, id) : await planFields(area, body!, copies, views, user, id);
  const live = await requireStates(copies, plan.touches, name);

  // More CPUs or memory must fit the tenant's quotas (409 naming each), held until the inventory shows it, as edit.ts does.
  const cur = copies[0].summary;
  const q = plan.quota;
  const grows = { vcpus: !!q?.vcpus && q.vcpus > cur.cpuCount, memoryMB: !!q?.memoryMB && q.memoryMB > cur.memoryMB };
  const reservation = cur.tenant && (grows.vcpus || grows.memoryMB)
    ? await reserveQuota({
      tenant: cur.tenant, machineId: id, machines: () => inv.machines(),
      demand: { vcpus: grows.vcpus ? q!.vcpus : undefined, memoryMB: grows.memoryMB ? q!.memoryMB : undefined },
    })
    : null;
  const landed = () => {
    const m = inv.machine(id);
    return !!m && (!grows.vcpus || m.cpuCount === q!.vcpus) && (!grows.memoryMB || m.memoryMB === q!.memoryMB);
  };
  const doing = plan.fields.length ? `Setting ${plan.fields.join(', ')}` : 'Nothing to change';
  return startSettingsTask({ id, name, copies, user, title: `Change the ${area.replace('-', ' ')} settings of ${name}`,
    titleKey: taskText('vm.settings', { area: area.replace(/-/g, '_'), name }), locks: plan.locks, reservation, landed }, async (ctx) => {
    if (plan.ops.length) await applyEverywhere(ctx, id, copies, live, doing, plan.ops);
    else ctx.step(100, 'Nothing to change: the machine has these values already');
    plan.after?.(ctx);
  });
}
