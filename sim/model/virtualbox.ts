import path from 'node:path';
import { Appliance } from './appliance';
import { fail, VBoxFault, type ManagedObject } from './base';
import { findGuestOSType, GUEST_OS_TYPES } from './ostypes';
import type { EventSource } from './events';
import type { Host, SystemProperties } from './hostinfo';
import type { Machine, MachineCore } from './machine';
import type { Medium } from './medium';
import type { NetworkRegistry } from './networks';
import { findFormat } from './medium-format';
import type { PerformanceCollector } from './perf';
import type { Progress } from './progress';

export const VBOX_VERSION = '7.1.4';
export const VBOX_REVISION = 165100;

/** What IVirtualBox needs from its host. */
export interface VirtualBoxHost {
  readonly homeFolder: string;
  readonly host: Host;
  readonly systemProperties: SystemProperties;
  readonly events: EventSource;
  readonly perf: PerformanceCollector;
  machines(): MachineCore[];
  media(): Medium[];
  createMachine(settingsFile: string, name: string, groups: string[], osTypeId: string, opts: CreateMachineOptions): Machine;
  registerMachine(machine: Machine): void;
  openMachine(settingsFile: string, password: string): Machine;
  createMedium(format: string, location: string, deviceType: string): Medium;
  openMedium(location: string, deviceType: string, forceNewUuid: boolean): Medium;
  globalExtraData: Record<string, string>;
  setGlobalExtraData(key: string, value: string): void;
  /** An IProgress of this host by id (braces and case do not matter), while it exists. */
  findProgress(id: string): Progress | undefined;
  /** NAT networks, DHCP servers and cloud networks (issue 15). */
  readonly networks: NetworkRegistry;
}

/** The createMachine flags VirtualBox knows ("UUID=<uuid>,forceOverwrite=1"). */
export interface CreateMachineOptions {
  /** The machine's UUID (UUID=…); a new one when absent. */
  id?: string;
  /** forceOverwrite=1: an existing settings file is replaced instead of refused. */
  forceOverwrite?: boolean;
}

/** DeviceType in enum order (VirtualBox prints a refused one as its number). */
const DEVICE_TYPES = ['Null', 'Floppy', 'DVD', 'HardDisk', 'Network', 'USB', 'SharedFolder', 'Graphics3D', 'End'];
const MEDIUM_DEVICE_TYPES = ['HardDisk', 'DVD', 'Floppy'];

const GUID_RE = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** com::Guid from a string: the lower-case UUID, or null when it is not one (braces optional). */
export function parseGuid(s: string): string | null {
  const m = GUID_RE.exec(s.trim());
  return m ? m[1].toLowerCase() : null;
}

/**
 * VirtualBox's sanitiseMachineFilename: characters outside a safe set (space, parentheses, '-', '.',
 * digits, ASCII letters, '_', U+00A0…U+D7AF) become '_', as do a leading dot or dash, a trailing
 * dot and leading or trailing spaces.
 */
export function sanitiseMachineFilename(name: string): string {
  if (!name) return name;
  const c = [...name].map((ch) => (/^[ ()\-.0-9A-Za-z_\u00a0-\ud7af]$/u.test(ch) ? ch : '_'));
  if (c[0] === '.' || c[0] === '-') c[0] = '_';
  if (c[c.length - 1] === '.') c[c.length - 1] = '_';
  for (let i = 0; i < c.length && c[i] === ' '; i++) c[i] = '_';
  for (let i = c.length - 1; i > 0 && c[i] === ' '; i--) c[i] = '_';
  return c.join('');
}

/** i_validateMachineGroupHelper: why a group is refused ('conflict' with a machine name, 'invalid'), or null. */
function groupProblem(group: string, primary: boolean, machineNames: readonly string[]): 'invalid' | 'conflict' | null {
  if (group === '/') return null;
  if (group.length < 2 || group[0] !== '/' || group.endsWith('/')) return 'invalid';
  const parts = group.slice(1).split('/');
  for (const [i, part] of parts.entries()) {
    if (!part || sanitiseMachineFilename(part) !== part) return 'invalid';
    // Only the parts followed by a '/' are looked up as machine names (issue 16 H8, groups/name-conflict).
    if (primary && i < parts.length - 1 && machineNames.includes(part)) return 'conflict';
  }
  return null;
}

/**
 * VirtualBox::i_convertMachineGroups: '' is the top group '/', duplicates go, an empty list is ['/'];
 * a group that is not a path of safe names is E_INVALIDARG, raised by IVirtualBox whatever was called.
 */
export function convertMachineGroups(groups: readonly string[], machineNames: readonly string[]): string[] {
  const out: string[] = [];
  groups.forEach((g0, i) => {
    const g = g0 || '/';
    const problem = groupProblem(g, i === 0, machineNames);
    if (problem === 'conflict') fail('E_INVALIDARG', `Machine group '${g}' conflicts with a virtual machine name`);
    if (problem) fail('E_INVALIDARG', `Invalid machine group '${g}'`);
    if (!out.includes(g)) out.push(g);
  });
  return out.length ? out : ['/'];
}

/**
 * Parses createMachine's flags as VirtualBox::createMachine does: comma-separated name=value entries,
 * entries without '=' skipped, unknown names ignored; UUID=<uuid> (with or without braces; the zero
 * UUID means "make one") and forceOverwrite=1. An invalid UUID is E_INVALIDARG.
 */
function parseCreateFlags(flags: string): CreateMachineOptions {
  const out: CreateMachineOptions = {};
  for (const entry of flags ? flags.split(',') : []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    if (key === 'UUID') {
      const m = GUID_RE.exec(value);
      // com::Guid prints an invalid GUID as this deliberately malformed string.
      if (!m) fail('E_INVALIDARG', `'{00000000-0000-0000-0000-00000000000}' is not a valid Guid`);
      out.id = /^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(m[1]) ? undefined : m[1].toLowerCase();
    } else if (key === 'forceOverwrite') {
      out.forceOverwrite = value === '1';
    }
  }
  return out;
}

/** IVirtualBox: the root object a logon hands out. */
export class VirtualBox implements ManagedObject {
  readonly iface = 'IVirtualBox';
  constructor(private readonly h: VirtualBoxHost) {}

  getVersion() { return VBOX_VERSION; }
  getVersionNormalized() { return VBOX_VERSION; }
  getRevision() { return VBOX_REVISION; }
  getPackageType() { return 'LINUX_64BITS_GENERIC'; }
  getAPIVersion() { return '7_1'; }
  getAPIRevision() { return 7_01_04_000; }
  getHomeFolder() { return this.h.homeFolder; }
  getSettingsFilePath() { return path.join(this.h.homeFolder, 'VirtualBox.xml'); }
  getHost() { return this.h.host; }
  getSystemProperties() { return this.h.systemProperties; }
  getMachines() { return this.h.machines().map((c) => c.primary); }
  getMachineGroups() { return [...new Set(this.h.machines().flatMap((c) => c.settings.groups))].sort(); }
  /** Base media only: differencing ones are reached through IMedium::children (VirtualBox.xidl). */
  getHardDisks() { return this.h.media().filter((m) => m.rec.deviceType === 'HardDisk' && !m.rec.parentId); }
  getDVDImages() { return this.h.media().filter((m) => m.rec.deviceType === 'DVD'); }
  getFloppyImages() { return this.h.media().filter((m) => m.rec.deviceType === 'Floppy'); }
  getGuestOSTypes() { return GUEST_OS_TYPES; }
  getPerformanceCollector() { return this.h.perf; }
  getEventSource() { return this.h.events; }

  /** VirtualBox::composeMachineFilename: <base><group>/<name>/<name>.vbox, the name sanitised for file names. */
  composeMachineFilename(name: string, group: string, flags: string, baseFolder: string) {
    if (!name) fail('E_INVALIDARG', 'Machine name is invalid, must not be empty');
    for (const entry of flags ? flags.split(',') : []) {
      const [key, value] = entry.split('=');
      if (key === 'UUID' && value !== undefined && !GUID_RE.test(value)) fail('E_INVALIDARG', `'{00000000-0000-0000-0000-00000000000}' is not a valid Guid`);
    }
    const g = convertMachineGroups([group || '/'], this.h.machines().map((c) => c.name))[0];
    const folder = baseFolder || this.h.systemProperties.machineFolder;
    const file = sanitiseMachineFilename(name);
    return path.join(folder, g === '/' ? '' : g, file, `${file}.vbox`);
  }

  /**
   * VirtualBox::createMachine and Machine::init: an unregistered machine with the OS type's defaults.
   * An OS type VirtualBox does not know is kept as given (with x86 defaults), not refused.
   */
  createMachine(settingsFile: string, name: string, platform: string, groups: string[], osTypeId: string, flags: string,
    _cipher: string, passwordId: string, password: string) {
    if (platform === 'None') fail('E_INVALIDARG', "'Must specify a valid platform architecture");
    if (platform !== 'x86') fail('VBOX_E_PLATFORM_ARCH_NOT_SUPPORTED', `'Creating VMs for platform architecture ${platform} not supported on x86`);
    const llGroups = convertMachineGroups(groups, this.h.machines().map((c) => c.name));
    const opts = parseCreateFlags(flags);
    const file = settingsFile || this.composeMachineFilename(name, llGroups[0], '', '');
    // Full VM encryption needs the cryptographic module of an extension pack (VirtualBox::i_retainCryptoIf).
    if (password && passwordId) fail('VBOX_E_OBJECT_NOT_FOUND', '\u0143o extension pack providing a cryptographic support module could be found');
    return this.h.createMachine(file, name, llGroups, osTypeId, opts);
  }

  registerMachine(machine: Machine | null) {
    if (!machine) fail('E_INVALIDARG', 'Argument machine is NULL');
    this.h.registerMachine(machine);
  }

  /** VirtualBox::openMachine: an unregistered machine from an existing settings file (a folder all hosts mount, for one). */
  openMachine(settingsFile: string, password: string) {
    return this.h.openMachine(settingsFile, password);
  }

  /** VirtualBox::findMachine: by UUID when the argument is one, else by name or settings file path. */
  findMachine(nameOrId: string) {
    const id = parseGuid(nameOrId);
    if (id && id !== ZERO_GUID) {
      const byId = this.h.machines().find((c) => c.id.toLowerCase() === id);
      if (!byId) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a registered machine with UUID {${id}}`);
      return byId.primary;
    }
    const found = this.h.machines().find((c) => c.name === nameOrId || c.settingsFile === nameOrId);
    if (!found) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a registered machine named '${nameOrId}'`);
    return found.primary;
  }

  getMachinesByGroups(groups: string[]) {
    groups = convertMachineGroups(groups, []);
    return this.h.machines().filter((c) => c.settings.groups.some((g) => groups.includes(g))).map((c) => c.primary);
  }

  /** VirtualBox::createAppliance: an empty appliance (its VFS explorers browse the host's files). */
  createAppliance() { return new Appliance(this); }

  getMachineStates(machines: (Machine | null)[]) {
    return machines.map((m) => m?.core.state ?? 'Null');
  }

  /** VirtualBox::createMedium and Medium::init: the format is checked (by the new medium), not the location. */
  createMedium(format: string, location: string, _accessMode: string, deviceType: string) {
    if (!MEDIUM_DEVICE_TYPES.includes(deviceType)) fail('E_INVALIDARG', `Device type must be HardDisk, DVD or Floppy ${DEVICE_TYPES.indexOf(deviceType)}`);
    if (!format && deviceType !== 'HardDisk') fail('E_INVALIDARG', 'Format must be Valid Type');
    // An empty format is the default hard disk format, checked only now; the caller's spelling is kept.
    const fmt = format || this.h.systemProperties.getDefaultHardDiskFormat();
    if (!findFormat(fmt)) fail('E_INVALIDARG', `Invalid medium storage format '${fmt}'`, 'IMedium');
    // Medium::init returns E_FAIL for an empty location without saying why.
    if (!location) throw new VBoxFault('E_FAIL', '');
    return this.h.createMedium(fmt, location, deviceType);
  }

  openMedium(location: string, deviceType: string, _accessMode: string, forceNewUuid: boolean) {
    if (!MEDIUM_DEVICE_TYPES.includes(deviceType)) fail('E_INVALIDARG', `Device type must be HardDisk, DVD or Floppy ${DEVICE_TYPES.indexOf(deviceType)}`);
    if (!location) throw new VBoxFault('VBOX_E_OBJECT_NOT_FOUND', '');
    try {
      return this.h.openMedium(location, deviceType, forceNewUuid);
    } catch (e) {
      // VirtualBox::openMedium returns VBOX_E_OBJECT_NOT_FOUND for a medium it could not open or
      // register (unless VBOX_E_INVALID_OBJECT_STATE), keeping the Medium's error info (e.g. VBOX_E_FILE_ERROR).
      if (!(e instanceof VBoxFault) || e.resultCode === 'VBOX_E_INVALID_OBJECT_STATE') throw e;
      throw new VBoxFault(e.resultCode, e.message, e.component, e.interfaceName, 'VBOX_E_OBJECT_NOT_FOUND');
    }
  }

  getGuestOSType(id: string) {
    const t = findGuestOSType(id);
    if (!t) fail('VBOX_E_OBJECT_NOT_FOUND', `'${id}' is not a valid Guest OS type`);
    return t;
  }

  /** VirtualBox::findProgressById: an operation still running, by GUID (a completed one is forgotten). */
  findProgressById(id: string) {
    if (!parseGuid(id)) fail('E_INVALIDARG', 'The provided progress object GUID is invalid');
    const found = this.h.findProgress(id);
    if (!found) fail('E_INVALIDARG', 'The progress object with the given GUID could not be found');
    return found;
  }

  // Networks (issue 15): the registry answers, as VirtualBox's lists of them do.
  getDHCPServers() { return this.h.networks.getDHCPServers(); }
  createDHCPServer(name: string) { return this.h.networks.createDHCPServer(name); }
  findDHCPServerByNetworkName(name: string) { return this.h.networks.findDHCPServerByNetworkName(name); }
  removeDHCPServer(server: Parameters<NetworkRegistry['removeDHCPServer']>[0]) { this.h.networks.removeDHCPServer(server); }
  getNATNetworks() { return this.h.networks.getNATNetworks(); }
  createNATNetwork(networkName: string) { return this.h.networks.createNATNetwork(networkName); }
  findNATNetworkByName(networkName: string) { return this.h.networks.findNATNetworkByName(networkName); }
  removeNATNetwork(network: Parameters<NetworkRegistry['removeNATNetwork']>[0]) { this.h.networks.removeNATNetwork(network); }
  getHostOnlyNetworks() { return this.h.networks.getHostOnlyNetworks(); }
  createHostOnlyNetwork(networkName: string) { return this.h.networks.createHostOnlyNetwork(networkName); }
  findHostOnlyNetworkByName(networkName: string) { return this.h.networks.findHostOnlyNetworkByName(networkName); }
  findHostOnlyNetworkById(id: string) { return this.h.networks.findHostOnlyNetworkById(id); }
  removeHostOnlyNetwork(network: unknown) { return this.h.networks.removeHostOnlyNetwork(network); }
  getCloudNetworks() { return this.h.networks.getCloudNetworks(); }
  createCloudNetwork(networkName: string) { return this.h.networks.createCloudNetwork(networkName); }
  findCloudNetworkByName(networkName: string) { return this.h.networks.findCloudNetworkByName(networkName); }
  removeCloudNetwork(network: Parameters<NetworkRegistry['removeCloudNetwork']>[0]) { this.h.networks.removeCloudNetwork(network); }

  /** VirtualBox::getInternalNetworks: the internal network names of registered machines' adapters, sorted, once each. */
  getInternalNetworks() { return this.adapterNames('getInternalNetwork'); }
  /** VirtualBox::getGenericNetworkDrivers: likewise their generic drivers. */
  getGenericNetworkDrivers() { return this.adapterNames('getGenericDriver'); }

  private adapterNames(getter: 'getInternalNetwork' | 'getGenericDriver'): string[] {
    const names = new Set<string>();
    for (const core of this.h.machines()) {
      for (let slot = 0; slot < core.settings.nics.length; slot++) {
        try {
          const nic = core.primary.getNetworkAdapter(slot) as unknown as Record<typeof getter, () => string>;
          const v = nic[getter]();
          if (v) names.add(v);
        } catch {
          // An inaccessible machine counts for nothing, as in VirtualBox.
        }
      }
    }
    return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  getExtraDataKeys() { return Object.keys(this.h.globalExtraData); }
  getExtraData(key: string) { return this.h.globalExtraData[key] ?? ''; }
  setExtraData(key: string, value: string) {
    // VirtualBox::setExtraData refuses control characters in a key (without an error text), not an empty key.
    if (value && /[\x00-\x1f\x7f]/.test(key)) throw new VBoxFault('E_INVALIDARG', '');
    this.h.setGlobalExtraData(key, value);
  }
}
