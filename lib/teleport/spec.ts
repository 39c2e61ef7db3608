/**
 * A machine's configuration as teleporting needs it to match on both hosts ("near-identical
 * machines", in VirtualBox's words): read from one registration, compared with the copy on the
 * target (the twin), and written to the target to register or update that twin. Everything here
 * speaks through lib/vbox's typed objects.
 *
 * What is compared is what the saved state carries or the target's VM checks as it loads it
 * (RAM, CPUs, chipset, firmware, devices, disks, NICs with their MAC addresses), plus the machine's
 * identity (name, OS type, groups). VRDE ports are per host (each host's range) and are not
 * compared; the VNC password travels with the machine (it is read and written, never returned).
 */
import { networksFromExtraData } from '@/lib/networks/placement';
import type {
  IMachine, IMedium, IVirtualBox,
} from '@/lib/vbox/objects';
import type {
  ChipsetType, ClipboardMode, DeviceType, FirmwareType, GraphicsControllerType, NetworkAdapterType, NetworkAttachmentType,
  StorageBus, StorageControllerType,
} from '@/lib/vbox/types';

/** Extradata keys Nimbox keeps to itself (not copied between copies of a machine). */
export const TELEPORT_MARK = 'nimbox/teleport';

const NETWORK_ADAPTERS = 8;

export interface NicSpec {
  slot: number;
  adapterType: NetworkAdapterType;
  mac: string;
  attachmentType: NetworkAttachmentType;
  bridgedInterface: string;
  internalNetwork: string;
  hostOnlyInterface?: string;
  natNetwork?: string;
  /** The cluster network it is on (extradata nimbox/network/<slot>): its per-host names may differ between twins. */
  network?: string;
  cableConnected: boolean;
}

export interface ControllerSpec {
  name: string;
  bus: StorageBus;
  controllerType: StorageControllerType;
  portCount: number;
  useHostIOCache: boolean;
}

export interface AttachmentSpec {
  controller: string;
  port: number;
  device: number;
  type: DeviceType;
  /** The medium's location (a path on the shared storage), or null for an empty drive. */
  location: string | null;
  /** Device flags the VM's configuration (and an AHCI port's saved state) carries: both copies must agree. */
  hotPluggable?: boolean;
  nonRotational?: boolean;
  discard?: boolean;
}

/** A machine's configuration, as far as a teleport cares. */
export interface MachineSpec {
  id: string;
  name: string;
  description: string;
  osTypeId: string;
  groups: string[];
  cpuCount: number;
  memoryMB: number;
  chipset: ChipsetType;
  rtcUseUTC: boolean;
  hpet: boolean;
  pae: boolean;
  longMode: boolean;
  x2apic: boolean;
  hwVirt: boolean;
  nestedPaging: boolean;
  firmware: FirmwareType;
  acpi: boolean;
  ioapic: boolean;
  graphicsController: GraphicsControllerType;
  vramMB: number;
  audio: boolean;
  clipboardMode: ClipboardMode;
  bootOrder: DeviceType[];
  /** Enabled adapters only. */
  nics: NicSpec[];
  controllers: ControllerSpec[];
  attachments: AttachmentSpec[];
  vrde: { enabled: boolean; extPack: string; password: string };
  /** Everything but Nimbox's own marks. */
  extraData: Record<string, string>;
}

/** Reads a machine's spec (about a hundred getters, concurrently within the client's limit). */
export async function readSpec(m: IMachine): Promise<MachineSpec> {
  const [platform, firmware, graphics, audioSettings, vrde] = await Promise.all([
    m.getPlatform(), m.getFirmwareSettings(), m.getGraphicsAdapter(), m.getAudioSettings(), m.getVRDEServer(),
  ]);
  const [x86, audio] = await Promise.all([platform.getX86(), audioSettings.getAdapter()]);
  const adapters = await Promise.all(Array.from({ length: NETWORK_ADAPTERS }, (_, slot) => m.getNetworkAdapter(slot)));
  const [
    id, name, description, osTypeId, groups, cpuCount, memoryMB, chipset, rtcUseUTC, hpet, pae, longMode, x2apic, hwVirt, nestedPaging,
    firmwareType, acpi, ioapic, graphicsController, vramMB, audioEnabled, clipboardMode, bootOrder, enabled, controllers, attachments,
    vrdeEnabled, extPack, password, extraData,
  ] = await Promise.all([
    m.getId(), m.getName(), m.getDescription(), m.getOSTypeId(), m.getGroups(), m.getCPUCount(), m.getMemorySize(),
    platform.getChipsetType(), platform.getRTCUseUTC(), x86.getHPETEnabled(), x86.getCPUProperty('PAE'), x86.getCPUProperty('LongMode'),
    x86.getCPUProperty('X2APIC'), x86.getHWVirtExProperty('Enabled'), x86.getHWVirtExProperty('NestedPaging'),
    firmware.getFirmwareType(), firmware.getACPIEnabled(), firmware.getIOAPICEnabled(),
    graphics.getGraphicsControllerType(), graphics.getVRAMSize(), audio.getEnabled(), m.getClipboardMode(),
    Promise.all([1, 2, 3, 4].map((p) => m.getBootOrder(p))),
    Promise.all(adapters.map((a) => a.getEnabled())),
    readControllers(m), readAttachments(m),
    vrde.getEnabled(), vrde.getVRDEExtPack(), vrde.getVRDEProperty('VNCPassword'), readExtraData(m),
  ]);
  const networks = networksFromExtraData(extraData);
  const nics = await Promise.all(adapters.map(async (a, slot): Promise<NicSpec | null> => {
    if (!enabled[slot]) return null;
    const [adapterType, mac, attachmentType, bridgedInterface, internalNetwork, hostOnlyInterface, natNetwork, cableConnected] = await Promise.all([
      a.getAdapterType(), a.getMACAddress(), a.getAttachmentType(), a.getBridgedInterface(), a.getInternalNetwork(),
      a.getHostOnlyInterface(), a.getNATNetwork(), a.getCableConnected(),
    ]);
    const network = networks.get(slot);
    return { slot, adapterType, mac: mac.toUpperCase(), attachmentType, bridgedInterface, internalNetwork, hostOnlyInterface, natNetwork, ...(network ? { network } : {}), cableConnected };
  }));
  return {
    id, name, description, osTypeId, groups, cpuCount, memoryMB, chipset, rtcUseUTC, hpet, pae, longMode, x2apic, hwVirt, nestedPaging,
    firmware: firmwareType, acpi, ioapic, graphicsController, vramMB, audio: audioEnabled, clipboardMode, bootOrder,
    nics: nics.filter((n): n is NicSpec => n !== null),
    controllers, attachments,
    vrde: { enabled: vrdeEnabled, extPack, password },
    extraData,
  };
}

async function readControllers(m: IMachine): Promise<ControllerSpec[]> {
  const list = await m.getStorageControllers();
  return Promise.all(list.map(async (c) => {
    const [name, bus, controllerType, portCount, useHostIOCache] = await Promise.all([
      c.getName(), c.getBus(), c.getControllerType(), c.getPortCount(), c.getUseHostIOCache(),
    ]);
    return { name, bus, controllerType, portCount, useHostIOCache };
  }));
}

async function readAttachments(m: IMachine): Promise<AttachmentSpec[]> {
  const list = await m.getMediumAttachments();
  const out = await Promise.all(list.map(async (a) => ({
    controller: a.controller, port: a.port, device: a.device, type: a.type, location: a.medium ? await a.medium.getLocation() : null,
    hotPluggable: a.hotPluggable, nonRotational: a.nonRotational, discard: a.discard,
  })));
  return out.sort((a, b) => a.controller.localeCompare(b.controller) || a.port - b.port || a.device - b.device);
}

async function readExtraData(m: IMachine): Promise<Record<string, string>> {
  const keys = (await m.getExtraDataKeys()).filter((k) => k !== TELEPORT_MARK);
  const values = await Promise.all(keys.map((k) => m.getExtraData(k)));
  return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
}

// ---------------------------------------------------------------- comparing

export interface SpecDifference {
  /** What differs, in words: "memory 2048 MB here, 1024 MB there". */
  what: string;
  /** Storage layout differs (controllers or disks): the twin's storage is rebuilt. */
  storage: boolean;
}

const yes = (b: boolean) => (b ? 'on' : 'off');

/** How the twin differs from the source, in the settings a teleport depends on ([] when it matches). */
export function differences(source: MachineSpec, twin: MachineSpec): SpecDifference[] {
  const out: SpecDifference[] = [];
  const d = (what: string, storage = false) => out.push({ what, storage });
  const cmp = <T>(label: string, a: T, b: T, fmt: (v: T) => string = String) => {
    if (a !== b) d(`${label} ${fmt(a)} on the source, ${fmt(b)} on the target`);
  };
  cmp('name', source.name, twin.name, (v) => `"${v}"`);
  cmp('memory', source.memoryMB, twin.memoryMB, (v) => `${v} MB`);
  cmp('vCPUs', source.cpuCount, twin.cpuCount);
  cmp('OS type', source.osTypeId, twin.osTypeId);
  // Groups are the machine's (issue 16): a twin moved apart is brought back in line before the teleport.
  cmp('groups', source.groups.join(', '), twin.groups.join(', '));
  cmp('chipset', source.chipset, twin.chipset);
  cmp('firmware', source.firmware, twin.firmware);
  cmp('RTC in UTC', source.rtcUseUTC, twin.rtcUseUTC, yes);
  cmp('HPET', source.hpet, twin.hpet, yes);
  cmp('PAE', source.pae, twin.pae, yes);
  cmp('long mode', source.longMode, twin.longMode, yes);
  cmp('x2APIC', source.x2apic, twin.x2apic, yes);
  cmp('hardware virtualization', source.hwVirt, twin.hwVirt, yes);
  cmp('nested paging', source.nestedPaging, twin.nestedPaging, yes);
  cmp('ACPI', source.acpi, twin.acpi, yes);
  cmp('I/O APIC', source.ioapic, twin.ioapic, yes);
  cmp('graphics controller', source.graphicsController, twin.graphicsController);
  cmp('video memory', source.vramMB, twin.vramMB, (v) => `${v} MB`);
  cmp('audio', source.audio, twin.audio, yes);
  // On a cluster network, each copy is bound to its own host's mapping: the network is what must match, not the names.
  const attachment = (n: NicSpec) => (n.network ? `on cluster network ${n.network}` : `${n.attachmentType}${n.attachmentType === 'Bridged' ? ` to ${n.bridgedInterface}`
    : n.attachmentType === 'Internal' ? ` ${n.internalNetwork}` : n.attachmentType === 'HostOnly' ? ` ${n.hostOnlyInterface ?? ''}`
      : n.attachmentType === 'NATNetwork' ? ` ${n.natNetwork ?? ''}` : ''}`);
  const nic = (n: NicSpec | undefined) => (n ? `${n.adapterType} ${n.mac} ${attachment(n)}${n.cableConnected ? '' : ' (cable unplugged)'}` : 'off');
  for (let slot = 0; slot < NETWORK_ADAPTERS; slot++) {
    const a = source.nics.find((n) => n.slot === slot);
    const b = twin.nics.find((n) => n.slot === slot);
    cmp(`NIC ${slot + 1}`, nic(a), nic(b));
  }
  const ctl = (list: ControllerSpec[]) => list.map((c) => `${c.name}:${c.bus}:${c.controllerType}:${c.portCount}`).sort().join(', ') || 'none';
  if (ctl(source.controllers) !== ctl(twin.controllers)) d(`storage controllers ${ctl(source.controllers)} on the source, ${ctl(twin.controllers)} on the target`, true);
  const flags = (a: AttachmentSpec) => [a.hotPluggable && 'hot-pluggable', a.nonRotational && 'SSD', a.discard && 'discard'].filter(Boolean).map((f) => ` ${f}`).join('');
  const att = (list: AttachmentSpec[]) => list.map((a) => `${a.controller}/${a.port}/${a.device} ${a.type} ${a.location ?? 'empty'}${flags(a)}`).join('; ') || 'none';
  if (att(source.attachments) !== att(twin.attachments)) d(`disks ${att(source.attachments)} on the source, ${att(twin.attachments)} on the target`, true);
  return out;
}

/** Extradata keys (and values) the target copy lacks or holds differently. */
export function extraDataToCopy(source: MachineSpec, twin: MachineSpec | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source.extraData)) if (twin?.extraData[k] !== v) out[k] = v;
  return out;
}

// ---------------------------------------------------------------- writing

/** Where the spec is written: the target host's own settings that differ per host. */
export interface TargetSettings {
  /** VRDE TCP/Ports on the target (HostView.vrdePorts). */
  vrdePorts: string;
}

/** Sets everything but storage on a machine being created (unregistered) or on a session's machine. */
export async function writeSettings(m: IMachine, spec: MachineSpec, target: TargetSettings, opts: { created: boolean }): Promise<void> {
  const [platform, firmware, graphics, audioSettings, vrde] = await Promise.all([
    m.getPlatform(), m.getFirmwareSettings(), m.getGraphicsAdapter(), m.getAudioSettings(), m.getVRDEServer(),
  ]);
  const [x86, audio] = await Promise.all([platform.getX86(), audioSettings.getAdapter()]);
  if (!opts.created) {
    await m.setName(spec.name);
    await m.setOSTypeId(spec.osTypeId);
    await m.setGroups(spec.groups.length ? spec.groups : ['/']);
  }
  await m.setDescription(spec.description);
  await m.setCPUCount(spec.cpuCount);
  await m.setMemorySize(spec.memoryMB);
  await platform.setChipsetType(spec.chipset);
  await platform.setRTCUseUTC(spec.rtcUseUTC);
  await x86.setHPETEnabled(spec.hpet);
  await x86.setCPUProperty('PAE', spec.pae);
  await x86.setCPUProperty('LongMode', spec.longMode);
  await x86.setCPUProperty('X2APIC', spec.x2apic);
  await x86.setHWVirtExProperty('Enabled', spec.hwVirt);
  await x86.setHWVirtExProperty('NestedPaging', spec.nestedPaging);
  await firmware.setFirmwareType(spec.firmware);
  await firmware.setACPIEnabled(spec.acpi);
  await firmware.setIOAPICEnabled(spec.ioapic);
  await graphics.setGraphicsControllerType(spec.graphicsController);
  await graphics.setVRAMSize(spec.vramMB);
  await audio.setEnabled(spec.audio);
  await m.setClipboardMode(spec.clipboardMode);
  for (let pos = 1; pos <= 4; pos++) await m.setBootOrder(pos, spec.bootOrder[pos - 1] ?? 'Null');
  for (let slot = 0; slot < NETWORK_ADAPTERS; slot++) {
    const n = spec.nics.find((x) => x.slot === slot);
    const a = await m.getNetworkAdapter(slot);
    if (!n) {
      if (await a.getEnabled()) await a.setEnabled(false);
      continue;
    }
    await a.setEnabled(true);
    await a.setAdapterType(n.adapterType);
    await a.setMACAddress(n.mac);
    await a.setAttachmentType(n.attachmentType);
    if (n.bridgedInterface) await a.setBridgedInterface(n.bridgedInterface);
    if (n.internalNetwork) await a.setInternalNetwork(n.internalNetwork);
    if (n.hostOnlyInterface) await a.setHostOnlyInterface(n.hostOnlyInterface);
    if (n.natNetwork) await a.setNATNetwork(n.natNetwork);
    await a.setCableConnected(n.cableConnected);
  }
  await vrde.setEnabled(spec.vrde.enabled);
  if (spec.vrde.extPack) await vrde.setVRDEExtPack(spec.vrde.extPack);
  await vrde.setVRDEProperty('TCP/Ports', target.vrdePorts);
  await vrde.setVRDEProperty('VNCPassword', spec.vrde.password);
}

/** Replaces a (session or new) machine's storage controllers with the spec's; disks are attached by attachStorage. */
export async function writeControllers(m: IMachine, spec: MachineSpec): Promise<void> {
  for (const c of await m.getStorageControllers()) await m.removeStorageController(await c.getName());
  for (const c of spec.controllers) {
    const ctl = await m.addStorageController(c.name, c.bus);
    await ctl.setControllerType(c.controllerType);
    await ctl.setPortCount(c.portCount);
    await ctl.setUseHostIOCache(c.useHostIOCache);
  }
}

/** Attaches the spec's media (opened by location on this host: the shared storage) to a session's machine. */
export async function attachStorage(vbox: IVirtualBox, m: IMachine, spec: MachineSpec): Promise<void> {
  for (const a of spec.attachments) {
    let medium: IMedium | null = null;
    if (a.location) medium = await vbox.openMedium(a.location, a.type, a.type === 'HardDisk' ? 'ReadWrite' : 'ReadOnly', false);
    await m.attachDevice(a.controller, a.port, a.device, a.type, medium);
    // Only the flags that are on: off is the default, and VirtualBox refuses some flags on some devices (hot-plug on IDE).
    if (a.hotPluggable) await m.setHotPluggableForDevice(a.controller, a.port, a.device, true);
    if (a.nonRotational) await m.nonRotationalDevice(a.controller, a.port, a.device, true);
    if (a.discard) await m.setAutoDiscardForDevice(a.controller, a.port, a.device, true);
  }
}
