/**
 * A machine's network adapters (GET /api/v1/vms/:id/network, PATCH …/network/adapters/:slot → task
 * vm.network): every adapter its chipset allows, every attachment VirtualBox has (Cloud aside), NAT
 * rules, and the guest's addresses.
 *
 * A change goes to every copy of the machine (its twins), as edit.ts and storage.ts do: the running
 * copy through a Shared lock's session machine (VirtualBox applies attachment, cable, promiscuous mode
 * and generic properties to a running VM at once), the powered-off copies under Write locks; when one
 * host refuses, the copies already changed are set back and the task fails naming the host.
 * What VirtualBox allows only while powered off (NetworkAdapterImpl.cpp: AutoMutableStateDependency
 * for the adapter type, enabling, MAC, line speed and boot priority) is a 409 naming the field.
 *
 * Tenants' users may attach to NAT, nothing, their host's default bridge (host.bridgeAdapter) or a
 * cluster network their tenant is allowed; raw names of anything else are for admins.
 */
import { z } from 'zod';
import { ProblemError, notFound, validationProblem } from '@/lib/api/problem';
import type { User } from '@/lib/auth/policy';
import {
  LIVE, badRequest, copiesOf, everyCopy, fieldError, hostsById, inventory, liveCopy, requireUp, taskUser, type MachineCopy,
} from '@/lib/cluster/operations/common';
import { ADAPTER_TYPES } from '@/lib/cluster/operations/create';
import { taskText, startTask, type Task, type TaskContext, type TaskText } from '@/lib/tasks';
import type { IMachine, INetworkAdapter, IVirtualBox } from '@/lib/vbox/objects';
import type { NATProtocol, NetworkAdapterPromiscModePolicy, NetworkAdapterType } from '@/lib/vbox/types';
import { requireUsableNetwork, tenantNetworkError } from './access';
import { NOT_RUNNING, parseGuestInfo, readGuestProperties, type GuestInfo } from './guest';
import { ATTACHMENT_OF, lackText, lacksOn, mappingOn, networkKey, networksFromExtraData } from './placement';
import { listNetworks } from './store';

// The pattern shared with lib/settings (live changes on the running copy, every twin, set back on failure) lives in common.ts.
export { LIVE, everyCopy, liveCopy, onCopy } from '@/lib/cluster/operations/common';

// ---------------------------------------------------------------- shapes

export const ATTACHMENT_TYPES = ['Null', 'NAT', 'NATNetwork', 'Bridged', 'Internal', 'HostOnly', 'Generic'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
export const PROMISC_POLICIES = ['Deny', 'AllowNetwork', 'AllowAll'] as const satisfies readonly NetworkAdapterPromiscModePolicy[];

/** One NAT port-forwarding rule ('' host IP: every address of the host; '' guest IP: the guest's). */
export interface NatRule {
  name: string;
  protocol: NATProtocol;
  hostIP: string;
  hostPort: number;
  guestIP: string;
  guestPort: number;
}

export interface AdapterView {
  slot: number;
  enabled: boolean;
  adapterType: string;
  macAddress: string;
  attachmentType: AttachmentType | 'Cloud' | 'HostOnlyNetwork';
  /** The cluster network the adapter is on (extradata nimbox/network/<slot>), or null. */
  network: string | null;
  bridgedInterface: string;
  hostOnlyInterface: string;
  internalNetwork: string;
  natNetwork: string;
  genericDriver: string;
  genericProperties: Record<string, string>;
  promiscModePolicy: NetworkAdapterPromiscModePolicy;
  cableConnected: boolean;
  /** kbps; 0 = the adapter type's default. */
  lineSpeed: number;
  /** 0 = default, 1 (highest) … 4. */
  bootPriority: number;
  natRules: NatRule[];
}

/** GET /api/v1/vms/:id/network */
export interface MachineNetworkView {
  running: boolean;
  /** IPlatformProperties.getMaxNetworkAdapters of the machine's chipset. */
  maxAdapters: number;
  adapterTypes: string[];
  adapters: AdapterView[];
  guest: GuestInfo;
}

/** INATEngine.getRedirects' "name,proto,hostIP,hostPort,guestIP,guestPort" (proto 1 = TCP, 0 = UDP). */
export function parseRedirect(s: string): NatRule {
  const [name, proto, hostIP, hostPort, guestIP, guestPort] = s.split(',');
  return { name, protocol: proto === '1' ? 'TCP' : 'UDP', hostIP: hostIP ?? '', hostPort: Number(hostPort), guestIP: guestIP ?? '', guestPort: Number(guestPort) };
}

export async function readAdapter(nic: INetworkAdapter, slot: number, network: string | null): Promise<AdapterView> {
  const nat = await nic.getNATEngine();
  const [
    enabled, adapterType, macAddress, attachmentType, bridgedInterface, hostOnlyInterface, internalNetwork, natNetwork, genericDriver,
    properties, promiscModePolicy, cableConnected, lineSpeed, bootPriority, redirects,
  ] = await Promise.all([
    nic.getEnabled(), nic.getAdapterType(), nic.getMACAddress(), nic.getAttachmentType(), nic.getBridgedInterface(), nic.getHostOnlyInterface(),
    nic.getInternalNetwork(), nic.getNATNetwork(), nic.getGenericDriver(), nic.getProperties(''), nic.getPromiscModePolicy(),
    nic.getCableConnected(), nic.getLineSpeed(), nic.getBootPriority(), nat.getRedirects(),
  ]);
  return {
    slot, enabled, adapterType, macAddress, attachmentType: attachmentType as AdapterView['attachmentType'], network,
    bridgedInterface, hostOnlyInterface, internalNetwork, natNetwork, genericDriver,
    genericProperties: Object.fromEntries(properties.map((p) => [p.name, p.value])),
    promiscModePolicy, cableConnected, lineSpeed, bootPriority,
    natRules: redirects.map(parseRedirect),
  };
}

/** How many adapters the machine's chipset allows. */
export async function maxAdaptersOf(m: IMachine): Promise<number> {
  const platform = await m.getPlatform();
  const [props, chipset] = await Promise.all([platform.getProperties(), platform.getChipsetType()]);
  return props.getMaxNetworkAdapters(chipset);
}

/** The cluster network named by each slot's extradata (whether the adapter is enabled or not). */
async function slotNetworks(m: IMachine): Promise<Map<number, string>> {
  const keys = (await m.getExtraDataKeys()).filter((k) => k.startsWith('nimbox/network/'));
  const values = await Promise.all(keys.map((k) => m.getExtraData(k)));
  return networksFromExtraData(Object.fromEntries(keys.map((k, i) => [k, values[i]])));
}

/** Every adapter of a machine (any object of it), slot by slot. */
export async function readAdapters(m: IMachine): Promise<{ maxAdapters: number; adapters: AdapterView[] }> {
  const [maxAdapters, networks] = await Promise.all([maxAdaptersOf(m), slotNetworks(m)]);
  const adapters = await Promise.all(Array.from({ length: maxAdapters }, async (_, slot) =>
    readAdapter(await m.getNetworkAdapter(slot), slot, networks.get(slot) ?? null)));
  return { maxAdapters, adapters };
}

/** GET /api/v1/vms/:id/network, read live from the copy that runs (else the first copy). */
export async function machineNetwork(id: string): Promise<MachineNetworkView> {
  const inv = await inventory();
  const copy = copiesOf(inv, id)[0];
  const running = LIVE.includes(copy.summary.state);
  return copy.client.scope(async (vbox) => {
    const m = await vbox.findMachine(id);
    const [{ maxAdapters, adapters }, props] = await Promise.all([readAdapters(m), running ? readGuestProperties(m) : null]);
    return {
      running, maxAdapters, adapterTypes: [...ADAPTER_TYPES], adapters,
      guest: props ? parseGuestInfo(props, adapters.filter((a) => a.enabled)) : NOT_RUNNING,
    };
  });
}

// ---------------------------------------------------------------- the patch

const rawName = (what: string) => z.string().trim().min(1, `Name the ${what}`).max(256, 'At most 256 characters');

/** 12 hex digits, with or without ':' or '-' between the pairs; the first octet's low bit clear (unicast). */
function normalizeMac(v: string): string | null {
  const hex = v.trim().replace(/[:-]/g, '').toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(hex)) return null;
  return parseInt(hex[1], 16) % 2 === 0 ? hex : null;
}

/** Body of PATCH /api/v1/vms/:id/network/adapters/:slot: only what changes. */
export const adapterPatchSchema = z.strictObject({
  enabled: z.boolean(),
  adapterType: z.enum(ADAPTER_TYPES, { message: `One of ${ADAPTER_TYPES.join(', ')}` }),
  /** 12 hex digits (aa:bb:… too), or 'generate' for a new one from VirtualBox. */
  macAddress: z.string().refine((v) => v === 'generate' || normalizeMac(v) !== null, {
    message: 'A unicast MAC address of 12 hex digits (e.g. 080027A1B2C3; the second digit even), or "generate"',
  }),
  attachmentType: z.enum(ATTACHMENT_TYPES, { message: `One of ${ATTACHMENT_TYPES.join(', ')}` }),
  /** A cluster network by name (its mapping on each host), or null to forget it (the attachment stays). */
  network: z.string().trim().min(1, 'Name a cluster network').max(64).nullable(),
  bridgedInterface: rawName('host interface'),
  hostOnlyInterface: rawName('host-only interface'),
  internalNetwork: rawName('internal network'),
  natNetwork: rawName('NAT network'),
  genericDriver: rawName('generic driver'),
  /** Replaces the generic driver's properties. */
  genericProperties: z.record(z.string().trim().min(1, 'A property name').max(256), z.string().max(4096)),
  promiscModePolicy: z.enum(PROMISC_POLICIES, { message: `One of ${PROMISC_POLICIES.join(', ')}` }),
  cableConnected: z.boolean(),
  lineSpeed: z.number().int('A whole number').min(0, '0 (the default) or more kbps').max(100_000_000, 'At most 100 Gbps'),
  bootPriority: z.number().int('A whole number').min(0, '0 (default) to 4').max(4, '0 (default) to 4'),
}).partial().refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'Nothing to change', path: ['body'] });

export type AdapterPatch = z.output<typeof adapterPatchSchema>;

/** What one copy is set to (undefined: unchanged); also what it was, to set it back. */
interface Change {
  enabled?: boolean;
  adapterType?: string;
  macAddress?: string;
  attachmentType?: string;
  bridgedInterface?: string;
  hostOnlyInterface?: string;
  internalNetwork?: string;
  natNetwork?: string;
  genericDriver?: string;
  genericProperties?: Record<string, string>;
  promiscModePolicy?: string;
  cableConnected?: boolean;
  lineSpeed?: number;
  bootPriority?: number;
  /** The extradata nimbox/network/<slot>: a name, or '' for none. */
  network?: string;
}

const NAMES = ['bridgedInterface', 'hostOnlyInterface', 'internalNetwork', 'natNetwork', 'genericDriver'] as const;
type NameField = (typeof NAMES)[number];
const NAME_OF: Partial<Record<AttachmentType, NameField>> = {
  Bridged: 'bridgedInterface', HostOnly: 'hostOnlyInterface', Internal: 'internalNetwork', NATNetwork: 'natNetwork', Generic: 'genericDriver',
};
/** What VirtualBox allows only while the machine is powered off (AutoMutableStateDependency). */
const OFF_ONLY = ['enabled', 'adapterType', 'macAddress', 'lineSpeed', 'bootPriority'] as const;

/** The adapter's values of the fields a change touches. */
async function readBefore(m: IMachine, slot: number, c: Change): Promise<Change> {
  const nic = await m.getNetworkAdapter(slot);
  const b: Change = {};
  const reads: Promise<unknown>[] = [];
  const get = <K extends keyof Change>(k: K, f: () => Promise<Change[K]>) => {
    if (c[k] !== undefined) reads.push(f().then((v) => { b[k] = v; }));
  };
  get('enabled', () => nic.getEnabled());
  get('adapterType', () => nic.getAdapterType());
  get('macAddress', () => nic.getMACAddress());
  get('attachmentType', () => nic.getAttachmentType());
  get('bridgedInterface', () => nic.getBridgedInterface());
  get('hostOnlyInterface', () => nic.getHostOnlyInterface());
  get('internalNetwork', () => nic.getInternalNetwork());
  get('natNetwork', () => nic.getNATNetwork());
  get('genericDriver', () => nic.getGenericDriver());
  get('genericProperties', async () => Object.fromEntries((await nic.getProperties('')).map((p) => [p.name, p.value])));
  get('promiscModePolicy', () => nic.getPromiscModePolicy());
  get('cableConnected', () => nic.getCableConnected());
  get('lineSpeed', () => nic.getLineSpeed());
  get('bootPriority', () => nic.getBootPriority());
  get('network', () => m.getExtraData(networkKey(slot)));
  await Promise.all(reads);
  return b;
}

/**
 * Sets a change on a session's machine (saveSettings by the caller). The attachment type goes before
 * the names: VirtualBox refuses an empty name only for the attachment in use, so setting an adapter back
 * to an empty name works once its old type is back.
 */
async function applyChange(m: IMachine, slot: number, c: Change): Promise<void> {
  const nic = await m.getNetworkAdapter(slot);
  if (c.enabled === true) await nic.setEnabled(true);
  if (c.adapterType !== undefined) await nic.setAdapterType(c.adapterType as NetworkAdapterType);
  if (c.macAddress !== undefined) await nic.setMACAddress(c.macAddress);
  if (c.attachmentType !== undefined) await nic.setAttachmentType(c.attachmentType as AttachmentType);
  if (c.bridgedInterface !== undefined) await nic.setBridgedInterface(c.bridgedInterface);
  if (c.hostOnlyInterface !== undefined) await nic.setHostOnlyInterface(c.hostOnlyInterface);
  if (c.internalNetwork !== undefined) await nic.setInternalNetwork(c.internalNetwork);
  if (c.natNetwork !== undefined) await nic.setNATNetwork(c.natNetwork);
  if (c.genericDriver !== undefined) await nic.setGenericDriver(c.genericDriver);
  if (c.genericProperties !== undefined) {
    const now = await nic.getProperties('');
    for (const p of now) if (!(p.name in c.genericProperties)) await nic.setProperty(p.name, '');
    for (const [k, v] of Object.entries(c.genericProperties)) await nic.setProperty(k, v);
  }
  if (c.promiscModePolicy !== undefined) await nic.setPromiscModePolicy(c.promiscModePolicy as NetworkAdapterPromiscModePolicy);
  if (c.cableConnected !== undefined) await nic.setCableConnected(c.cableConnected);
  if (c.lineSpeed !== undefined) await nic.setLineSpeed(c.lineSpeed);
  if (c.bootPriority !== undefined) await nic.setBootPriority(c.bootPriority);
  if (c.enabled === false) await nic.setEnabled(false);
  if (c.network !== undefined) await m.setExtraData(networkKey(slot), c.network);
}

// ---------------------------------------------------------------- checks before the task

function conflict(title: string, detail: string, extra: Record<string, unknown> = {}): ProblemError {
  return new ProblemError({ title, status: 409, detail, ...extra });
}

/** The adapter slot a URL names; anything but a slot the chipset has names nothing (404). */
export function slotOf(raw: string, max: number, machine: string): number {
  const slot = /^\d{1,2}$/.test(raw) ? Number(raw) : NaN;
  if (!(slot >= 0 && slot < max)) throw new ProblemError(notFound(`Network adapter ${raw} of ${machine}`));
  return slot;
}

/** What a host has of a kind of attachment name (checked live, not cached: a change is about to rely on it). */
async function hostHas(vbox: IVirtualBox, field: 'bridgedInterface' | 'hostOnlyInterface' | 'natNetwork'): Promise<string[]> {
  if (field === 'natNetwork') return Promise.all((await vbox.getNATNetworks()).map((n) => n.getNetworkName()));
  const host = await vbox.getHost();
  const list = await host.findHostNetworkInterfacesOfType(field === 'bridgedInterface' ? 'Bridged' : 'HostOnly');
  return Promise.all(list.map((i) => i.getName()));
}

const WORDS: Record<'bridgedInterface' | 'hostOnlyInterface' | 'natNetwork', string> = {
  bridgedInterface: 'bridged interface', hostOnlyInterface: 'host-only interface', natNetwork: 'NAT network',
};

export interface AdapterPlan {
  name: string;
  copies: MachineCopy[];
  live: MachineCopy | null;
  slot: number;
  /** The change per copy (host id → change): names differ by host for a cluster network or the default bridge. */
  changes: Map<string, Change>;
  fields: string[];
}

/** The adapter's values on the first copy (the one that runs, if one does). */
async function currentOf(copy: MachineCopy, id: string, raw: string): Promise<{ view: AdapterView; slot: number }> {
  return copy.client.scope(async (vbox) => {
    const m = await vbox.findMachine(id);
    const max = await maxAdaptersOf(m);
    const slot = slotOf(raw, max, copy.summary.name);
    const network = (await m.getExtraData(networkKey(slot))) || null;
    return { view: await readAdapter(await m.getNetworkAdapter(slot), slot, network), slot };
  });
}

/**
 * Checks a patch against the machine, the caller and every host it is on (400 naming fields, 404,
 * 409 naming what needs a powered-off machine) and turns it into each copy's change.
 */
async function planAdapterEdit(id: string, rawSlot: string, p: AdapterPatch, user: User): Promise<AdapterPlan> {
  const inv = await inventory();
  const copies = copiesOf(inv, id);
  const name = copies[0].summary.name;
  for (const c of copies) requireUp(inv.host(c.host.id), c.host.name);
  const live = await liveCopy(copies, 'change the network adapters of');
  const { view: cur, slot } = await currentOf(copies[0], id, rawSlot);
  const admin = user.role === 'admin';
  const errors: { field: string; message: string }[] = [];

  // Running: what VirtualBox takes only while powered off is refused, unless it is what the adapter has already.
  const same = (k: (typeof OFF_ONLY)[number]) =>
    k === 'macAddress' ? p.macAddress !== 'generate' && normalizeMac(p.macAddress!) === cur.macAddress : p[k] === cur[k];
  const drop = new Set<string>();
  if (live) {
    for (const k of OFF_ONLY) {
      if (p[k] === undefined) continue;
      if (same(k)) drop.add(k);
      else {
        throw conflict('Machine running', `Cannot change ${k} of NIC ${slot + 1} while ${name} runs on ${live.host.name}: power it off first.`, {
          state: live.summary.state, hostId: live.host.id, errors: [fieldError(k, 'Power the machine off to change this')],
        });
      }
    }
  }

  // A cluster network: the caller may use it, and every host the machine is on has it.
  const net = typeof p.network === 'string' ? await requireUsableNetwork(user, p.network, 'network') : null;
  if (net) {
    const notTenants = admin ? await tenantNetworkError(copies[0].summary.tenant, net, 'network') : null;
    if (notTenants) errors.push(notTenants);
    for (const f of NAMES) if (p[f] !== undefined) errors.push(fieldError(f, 'Give a cluster network or an attachment, not both'));
    if (p.attachmentType !== undefined && p.attachmentType !== ATTACHMENT_OF[net.kind]) {
      errors.push(fieldError('attachmentType', `${net.name} is a ${net.kind} network: leave the attachment type out`));
    }
    for (const c of copies) {
      const lacks = await lacksOn(c.host.id, [net.name]);
      if (lacks.length) errors.push(fieldError('network', `${c.host.name}: ${lackText(lacks)}`));
    }
  }

  const views = await hostsById();
  const attach = (net ? ATTACHMENT_OF[net.kind] : p.attachmentType) as AttachmentType | undefined;
  const bridgedTo = (hostId: string) => views.get(hostId)?.bridgeAdapter ?? 'vbox0';

  if (!admin) {
    // Tenants: NAT, nothing, the host's default bridge, or a cluster network their tenant is allowed.
    for (const f of NAMES) {
      if (p[f] === undefined || f === 'bridgedInterface') continue;
      errors.push(fieldError(f, 'Only through a cluster network your tenant may use: choose it as network'));
    }
    if (p.genericProperties !== undefined) errors.push(fieldError('genericProperties', 'Generic drivers are for admins'));
    if (p.bridgedInterface !== undefined) {
      for (const c of copies) {
        if (p.bridgedInterface !== bridgedTo(c.host.id)) {
          errors.push(fieldError('bridgedInterface', `Only the host's default bridge (${bridgedTo(c.host.id)} on ${c.host.name}), or a cluster network your tenant may use`));
          break;
        }
      }
    }
    if (!net && attach && !['NAT', 'Null', 'Bridged'].includes(attach)) {
      errors.push(fieldError('attachmentType', `${attach} only through a cluster network your tenant may use: choose it as network`));
    }
    // Promiscuous mode on the shared default bridge would show the guest other machines' traffic.
    const onBridge = !net && (attach ?? cur.attachmentType) === 'Bridged' && (attach !== undefined || p.bridgedInterface !== undefined || !cur.network);
    if (p.promiscModePolicy !== undefined && p.promiscModePolicy !== 'Deny' && onBridge) {
      errors.push(fieldError('promiscModePolicy', 'Promiscuous mode on the host\'s shared bridge is for admins'));
    }
    // A MAC address a cluster network's DHCP server has a fixed lease for would claim the address reserved for another machine.
    const mac = p.macAddress !== undefined && p.macAddress !== 'generate' ? normalizeMac(p.macAddress) : null;
    if (mac && mac !== cur.macAddress && (await listNetworks()).some((n) => n.dhcp?.fixedLeases.some((l) => l.mac.replace(/[:-]/g, '') === mac))) {
      errors.push(fieldError('macAddress', 'A cluster network reserves an address for this MAC address (a fixed lease): ask an admin'));
    }
  }
  if (errors.length) throw badRequest(errors);

  // Admins' raw names: the hosts must have them.
  if (admin) {
    for (const f of ['bridgedInterface', 'hostOnlyInterface', 'natNetwork'] as const) {
      const want = p[f];
      if (want === undefined) continue;
      for (const c of copies) {
        const has = await c.client.scope((vbox) => hostHas(vbox, f));
        if (!has.includes(want)) errors.push(fieldError(f, `${c.host.name} has no ${WORDS[f]} ${want} (it has ${has.join(', ') || 'none'})`));
      }
    }
    if (attach === 'Generic' && p.genericDriver === undefined && !cur.genericDriver) errors.push(fieldError('genericDriver', 'Name the generic driver'));
  }
  if (errors.length) throw badRequest(errors);

  // MAC: one address for every copy (twins stay identical), a new one from the running host's VirtualBox.
  let mac: string | undefined;
  if (p.macAddress !== undefined && !drop.has('macAddress')) {
    mac = p.macAddress === 'generate'
      ? await copies[0].client.scope(async (vbox) => (await vbox.getHost()).generateMACAddress())
      : normalizeMac(p.macAddress)!;
  } else if (p.enabled === true && !cur.enabled) {
    // Enabling makes each VirtualBox generate its own MAC where there is none: the twins get the first copy's (or one new one).
    mac = cur.macAddress || await copies[0].client.scope(async (vbox) => (await vbox.getHost()).generateMACAddress());
  }

  const changes = new Map<string, Change>();
  for (const c of copies) {
    const ch: Change = {};
    for (const k of ['enabled', 'adapterType', 'lineSpeed', 'bootPriority'] as const) {
      if (p[k] !== undefined && !drop.has(k)) (ch as Record<string, unknown>)[k] = p[k];
    }
    if (mac !== undefined) ch.macAddress = mac;
    for (const k of ['promiscModePolicy', 'cableConnected', 'genericProperties'] as const) {
      if (p[k] !== undefined) (ch as Record<string, unknown>)[k] = p[k];
    }
    if (net) {
      const field = NAME_OF[ATTACHMENT_OF[net.kind] as AttachmentType]!;
      ch.attachmentType = ATTACHMENT_OF[net.kind];
      ch[field] = mappingOn(net, c.host.id)!;
      ch.network = net.name;
    } else {
      if (p.attachmentType !== undefined) ch.attachmentType = p.attachmentType;
      for (const f of NAMES) if (p[f] !== undefined) ch[f] = p[f];
      // Bridged without a name: tenants get their host's default bridge; admins too when the adapter has none.
      if (p.attachmentType === 'Bridged' && p.bridgedInterface === undefined && (!admin || !cur.bridgedInterface)) ch.bridgedInterface = bridgedTo(c.host.id);
      // A tenant's adapter that moves onto the shared default bridge leaves promiscuous mode it had elsewhere
      // (set on NAT or on its cluster network), else it would see other machines' traffic there.
      const toBridge = attach === 'Bridged' || (attach === undefined && p.bridgedInterface !== undefined && cur.attachmentType === 'Bridged');
      if (!admin && toBridge && p.promiscModePolicy === undefined && cur.promiscModePolicy !== 'Deny') ch.promiscModePolicy = 'Deny';
      // A raw attachment leaves the cluster network; network: null forgets it.
      if ((p.attachmentType !== undefined || NAMES.some((f) => p[f] !== undefined) || p.network === null) && cur.network) ch.network = '';
    }
    changes.set(c.host.id, ch);
  }
  const fields = Object.keys(p).filter((k) => p[k as keyof AdapterPatch] !== undefined);
  return { name, copies, live, slot, changes, fields };
}

// ---------------------------------------------------------------- the task

/** Starts a vm.network task on the machine (locked by its id, as vm.edit and vm.storage lock it). */
export function startNetworkTask(
  id: string, name: string, copies: MachineCopy[], user: User, title: string, run: (ctx: TaskContext) => Promise<void>, titleKey?: TaskText,
): Promise<Task> {
  return startTask({
    kind: 'vm.network',
    title,
    titleKey,
    target: { type: 'vm', id, name, hostId: copies[0].host.id },
    user: taskUser(user),
    locks: [id],
  }, run);
}

/** PATCH /api/v1/vms/:id/network/adapters/:slot → the vm.network task. */
export async function startAdapterEdit(id: string, rawSlot: string, input: unknown, user: User): Promise<Task> {
  const parsed = adapterPatchSchema.safeParse(input);
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error));
  const plan = await planAdapterEdit(id, rawSlot, parsed.data, user);
  const { name, copies, live, slot, changes } = plan;
  const doing = `Setting ${plan.fields.join(', ')} of NIC ${slot + 1}`;
  return startNetworkTask(id, name, copies, user, `Change NIC ${slot + 1} of ${name}`, (ctx) => everyCopy(ctx, id, copies, live, doing,
    async (m, copy) => {
      const ch = changes.get(copy.host.id)!;
      const before = await readBefore(m, slot, ch);
      await applyChange(m, slot, ch);
      return before;
    },
    (m, before) => applyChange(m, slot, before)), taskText('network.changeNic', { slot: slot + 1, name }));
}
