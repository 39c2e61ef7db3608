/**
 * Changing a powered-off machine's settings (PATCH /api/v1/vms/:id → task vm.edit): name,
 * description, vCPUs, memory, NIC 1 (attachment, bridged interface, adapter type, cable), boot
 * order, VRDE ports and VNC password. The same change goes to every host the machine is registered
 * on (its twins stay identical, so it can still be teleported); when one host refuses, the hosts
 * already changed are set back.
 */
import { z } from 'zod';
import { ProblemError, validationProblem } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import { isPortSpec, type HostView } from '@/lib/db/hosts';
import { taskText, startTask, type Task } from '@/lib/tasks';
import type { IMachine } from '@/lib/vbox/objects';
import type { DeviceType, NetworkAdapterPromiscModePolicy, NetworkAdapterType, NetworkAttachmentType } from '@/lib/vbox/types';
import { hostCapabilities } from './capabilities';
import {
  badRequest, copiesOf, fieldError, hostsById, inventory, nameConflict, nameTaken, requireOff, taskUser, withWriteLock, type MachineCopy,
} from './common';
import { holding, reserveQuota } from '@/lib/tenants/reservations';
import { ADAPTER_TYPES, bootOrder, machineFields, machineName, vncPassword } from './create';

const ATTACHMENT_TYPES = ['Bridged', 'NAT', 'Null'] as const satisfies readonly NetworkAttachmentType[];

/** Body of PATCH /api/v1/vms/:id: only what changes. */
export const editMachineSchema = z.strictObject({
  name: machineName.optional(),
  description: machineFields.description.optional(),
  cpuCount: machineFields.cpuCount.optional(),
  memoryMB: machineFields.memoryMB.optional(),
  nic: z.strictObject({
    /** Bridged, NAT, or Null (not attached). */
    attachmentType: z.enum(ATTACHMENT_TYPES).optional(),
    bridgedInterface: machineFields.bridgedInterface.optional(),
    adapterType: z.enum(ADAPTER_TYPES).optional(),
    cableConnected: z.boolean().optional(),
  }).optional(),
  bootOrder: bootOrder.optional(),
  vrde: z.strictObject({
    /** TCP/Ports: a port, ports or ranges ("5901", "5900-5999"). */
    ports: z.string().trim().max(200).refine(isPortSpec, { message: 'Ports or ranges between 1 and 65535, e.g. 5901 or 5900-5999' }).optional(),
    /** The VNC password; null or '' removes it. Never returned by any API. */
    password: z.union([vncPassword, z.literal(''), z.null()]).optional(),
  }).optional(),
}).refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'Nothing to change', path: ['body'] });

export type EditMachineInput = z.input<typeof editMachineSchema>;
/** The body, plus the extradata naming NIC 1's cluster network: a raw attachment leaves it ('' deletes it). */
type Patch = z.output<typeof editMachineSchema> & { network0?: string; promisc0?: NetworkAdapterPromiscModePolicy };

const NETWORK0 = 'nimbox/network/0';

/** The machine's values of the fields a patch touches (to set them back). */
async function read(m: IMachine, p: Patch): Promise<Patch> {
  const before: Patch = {};
  if (p.name !== undefined) before.name = await m.getName();
  if (p.description !== undefined) before.description = await m.getDescription();
  if (p.cpuCount !== undefined) before.cpuCount = await m.getCPUCount();
  if (p.memoryMB !== undefined) before.memoryMB = await m.getMemorySize();
  if (p.nic) {
    const nic = await m.getNetworkAdapter(0);
    before.nic = {};
    if (p.nic.attachmentType !== undefined) before.nic.attachmentType = (await nic.getAttachmentType()) as (typeof ATTACHMENT_TYPES)[number];
    if (p.nic.bridgedInterface !== undefined) before.nic.bridgedInterface = (await nic.getBridgedInterface()) || undefined;
    if (p.nic.adapterType !== undefined) before.nic.adapterType = (await nic.getAdapterType()) as (typeof ADAPTER_TYPES)[number];
    if (p.nic.cableConnected !== undefined) before.nic.cableConnected = await nic.getCableConnected();
  }
  if (p.network0 !== undefined) before.network0 = await m.getExtraData(NETWORK0);
  if (p.promisc0 !== undefined) before.promisc0 = await (await m.getNetworkAdapter(0)).getPromiscModePolicy();
  if (p.bootOrder) before.bootOrder = (await Promise.all([1, 2, 3, 4].map((pos) => m.getBootOrder(pos)))) as Patch['bootOrder'];
  if (p.vrde) {
    const vrde = await m.getVRDEServer();
    before.vrde = {};
    if (p.vrde.ports !== undefined) before.vrde.ports = await vrde.getVRDEProperty('TCP/Ports');
    if (p.vrde.password !== undefined) before.vrde.password = (await vrde.getVRDEProperty('VNCPassword')) || null;
  }
  return before;
}

/** Applies a patch to a session machine (saveSettings by the caller). */
async function apply(m: IMachine, p: Patch): Promise<void> {
  if (p.name !== undefined) await m.setName(p.name);
  if (p.description !== undefined) await m.setDescription(p.description);
  if (p.cpuCount !== undefined) await m.setCPUCount(p.cpuCount);
  if (p.memoryMB !== undefined) await m.setMemorySize(p.memoryMB);
  if (p.nic) {
    const nic = await m.getNetworkAdapter(0);
    if (p.nic.attachmentType === 'Bridged' || (p.nic.attachmentType === undefined && p.nic.bridgedInterface !== undefined)) await nic.setEnabled(true);
    if (p.nic.attachmentType !== undefined) await nic.setAttachmentType(p.nic.attachmentType);
    if (p.nic.bridgedInterface !== undefined) await nic.setBridgedInterface(p.nic.bridgedInterface);
    if (p.nic.adapterType !== undefined) await nic.setAdapterType(p.nic.adapterType as NetworkAdapterType);
    if (p.nic.cableConnected !== undefined) await nic.setCableConnected(p.nic.cableConnected);
  }
  if (p.network0 !== undefined) await m.setExtraData(NETWORK0, p.network0);
  if (p.promisc0 !== undefined) await (await m.getNetworkAdapter(0)).setPromiscModePolicy(p.promisc0);
  if (p.bootOrder) for (let pos = 1; pos <= 4; pos++) await m.setBootOrder(pos, (p.bootOrder[pos - 1] ?? 'Null') as DeviceType);
  if (p.vrde) {
    const vrde = await m.getVRDEServer();
    if (p.vrde.ports !== undefined) await vrde.setVRDEProperty('TCP/Ports', p.vrde.ports);
    if (p.vrde.password !== undefined) await vrde.setVRDEProperty('VNCPassword', p.vrde.password ?? '');
  }
}

/** The fields a patch changes, by name, for the task's messages (never the values: a password may be among them). */
function fields(p: Patch): string {
  const names = Object.entries(p).filter(([k, v]) => v !== undefined && k !== 'network0' && k !== 'promisc0').flatMap(([k, v]) =>
    k === 'nic' || k === 'vrde' ? Object.keys(v as object).map((sub) => `${k}.${sub}`) : [k]);
  return names.join(', ');
}

/**
 * Checks a patch against the machine and the cluster (400 naming fields, 404, 409 when a copy is not
 * powered off or the new name is taken) and starts the vm.edit task; resolves with the task (202).
 */
export async function startEdit(id: string, input: unknown, user: User): Promise<Task> {
  const parsed = editMachineSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const p: Patch = parsed.data;
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  const name = copies[0].summary.name;
  await requireOff(copies, 'change the settings of');
  if (p.name !== undefined && p.name !== name) {
    const taken = nameTaken(inv, p.name, id);
    if (taken) throw nameConflict(p.name, taken, user);
  }
  // Tenants (lib/networks): NAT, nothing, or their host's default bridge; other attachments only through the adapter API's cluster networks.
  const views = p.nic ? await hostsById() : new Map<string, HostView>();
  const defaultBridge = (hostId: string) => views.get(hostId)?.bridgeAdapter ?? 'vbox0';
  if (p.nic?.bridgedInterface !== undefined && user.role !== 'admin') {
    const other = copies.find((c) => defaultBridge(c.host.id) !== p.nic!.bridgedInterface);
    if (other) throw badRequest([fieldError('nic.bridgedInterface', `Only the host's default bridge (${defaultBridge(other.host.id)} on ${other.host.name}), or a cluster network your tenant may use`)]);
  }
  if (p.nic?.attachmentType !== undefined || p.nic?.bridgedInterface !== undefined) p.network0 = '';
  // A tenant's NIC 1 that moves onto the shared default bridge drops promiscuous mode (set on NAT or a cluster network
  // through the adapter API), else it would see the other machines' traffic there.
  if (user.role !== 'admin' && (p.nic?.attachmentType === 'Bridged' || p.nic?.bridgedInterface !== undefined)) p.promisc0 = 'Deny';
  /** Each copy's patch: a tenant's Bridged without a name is each host's default bridge. */
  const patchFor = (c: MachineCopy): Patch =>
    (p.nic?.attachmentType === 'Bridged' && p.nic.bridgedInterface === undefined && user.role !== 'admin'
      ? { ...p, nic: { ...p.nic, bridgedInterface: defaultBridge(c.host.id) } }
      : p);
  if (p.nic?.bridgedInterface !== undefined) {
    for (const c of copies) {
      const view = views.get(c.host.id);
      if (!view) continue;
      const caps = await hostCapabilities(view.id, { inv, host: view });
      if (!caps.bridgedInterfaces.includes(p.nic.bridgedInterface)) {
        // The host's other interfaces are named to admins only.
        const has = user.role === 'admin' ? ` (it has ${caps.bridgedInterfaces.join(', ') || 'none'})` : '';
        throw badRequest([fieldError('nic.bridgedInterface', `${view.name} has no bridged interface ${p.nic.bridgedInterface}${has}`)]);
      }
    }
  }
  // More CPUs or memory must fit the tenant's quotas (409 naming each exceeded one), counting creates and edits
  // in flight, and is held until the inventory shows it or the task fails; less always fits.
  const cur = copies[0].summary;
  const grows = { vcpus: p.cpuCount !== undefined && p.cpuCount > cur.cpuCount, memoryMB: p.memoryMB !== undefined && p.memoryMB > cur.memoryMB };
  const reservation = cur.tenant && (grows.vcpus || grows.memoryMB)
    ? await reserveQuota({
      tenant: cur.tenant, machineId: id, machines: () => inv.machines(),
      demand: { vcpus: grows.vcpus ? p.cpuCount : undefined, memoryMB: grows.memoryMB ? p.memoryMB : undefined },
    })
    : null;
  const landed = () => {
    const m = inv.machine(id);
    return !!m && (!grows.vcpus || m.cpuCount === p.cpuCount) && (!grows.memoryMB || m.memoryMB === p.memoryMB);
  };
  const locks = [id, ...(p.name !== undefined && p.name.toLowerCase() !== name.toLowerCase() ? [`name:${p.name.toLowerCase()}`] : [])];
  const task = await startTask({
    kind: 'vm.edit',
    title: `Edit ${name}`,
    titleKey: taskText('vm.edit', { name }),
    target: { type: 'vm', id, name, hostId: copies[0].host.id },
    user: taskUser(user),
    locks,
  }, holding(reservation, landed, async (ctx) => {
    const changed = fields(p);
    const done: { copy: MachineCopy; before: Patch }[] = [];
    let current: MachineCopy = copies[0];
    try {
      for (const [i, copy] of copies.entries()) {
        current = copy;
        ctx.step(Math.round((i / copies.length) * 90), `Saving ${changed} on ${copy.host.name}`);
        const mine = patchFor(copy);
        const before = await copy.client.write((vbox, wsm) => withWriteLock(vbox, wsm, id, async (m) => {
          const b = await read(m, mine);
          await apply(m, mine);
          return b;
        }), { release: true });
        done.push({ copy, before });
      }
    } catch (e) {
      const step = `Saving ${changed} on ${current.host.name}`;
      for (const d of done.reverse()) {
        ctx.step(ctx.task.percent, `Setting ${d.copy.host.name} back`);
        await d.copy.client.write((vbox, wsm) => withWriteLock(vbox, wsm, id, (m) => apply(m, d.before)), { release: true })
          .catch((undo: unknown) => console.error(`nimbox: could not set ${name} back on ${d.copy.host.name}`, (undo as Error)?.message));
      }
      ctx.step(ctx.task.percent, step);
      throw e;
    }
    if (p.name !== undefined) ctx.setTarget(id, p.name);
    ctx.step(100, `Saved ${changed}`);
  })).catch((e: unknown) => {
    void reservation?.release();
    throw e;
  });
  void reservation?.attach(task.id);
  return task;
}
