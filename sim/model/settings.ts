import { randomBytes } from 'node:crypto';
import { uuid, type MachineState } from './base';
import type { MediumRecord } from './medium';
import { findGuestOSType } from './ostypes';
import type { ScreenState } from '../screen/screen';
import type { MachineExtras } from './machine-extras';
import type { FirmwareExtras } from './firmware';

export interface NicSettings {
  enabled: boolean;
  adapterType: string;
  /** '' for an adapter that was never enabled (VirtualBox generates one when it is). */
  MACAddress: string;
  attachmentType: string;
  bridgedInterface: string;
  internalNetwork: string;
  cableConnected: boolean;
  bootPriority: number;
  // Added later: absent in older settings files (their defaults as settings::NetworkAdapter's).
  hostOnlyInterface?: string;
  natNetwork?: string;
  genericDriver?: string;
  promiscModePolicy?: string;
  /** kbit/s; 0: the device's default. */
  lineSpeed?: number;
  traceEnabled?: boolean;
  traceFile?: string;
  /** The generic driver's properties (VirtualBox's <GenericInterface><Property>). */
  genericProperties?: Record<string, string>;
  /** The name of one of the machine's bandwidth groups ('' or absent: none). */
  bandwidthGroup?: string;
  hostOnlyNetwork?: string;
  cloudNetwork?: string;
  /** The NAT engine's settings (absent: settings::NAT's defaults, localhost not reachable as for new machines). */
  nat?: NatSettings;
  /** NAT port forwarding (INATEngine redirects). */
  natRules?: NatRule[];
}

export interface NatRule {
  name: string;
  proto: 'UDP' | 'TCP';
  hostIP: string;
  hostPort: number;
  guestIP: string;
  guestPort: number;
}

/** INATEngine's settings but the redirects (VirtualBox's <NAT> element). */
export interface NatSettings {
  network: string;
  hostIP: string;
  mtu: number;
  sockSnd: number;
  sockRcv: number;
  tcpWndSnd: number;
  tcpWndRcv: number;
  tftpPrefix: string;
  tftpBootFile: string;
  tftpNextServer: string;
  dnsPassDomain: boolean;
  dnsProxy: boolean;
  dnsUseHostResolver: boolean;
  /** NATAliasMode bits: AliasLog 1, AliasProxyOnly 2, AliasUseSamePorts 4. */
  aliasMode: number;
  localhostReachable: boolean;
}

/** NAT::NAT() with NATEngine::i_applyDefaults (a new machine's localhost is not reachable). */
export function defaultNatSettings(): NatSettings {
  return {
    network: '', hostIP: '', mtu: 0, sockSnd: 0, sockRcv: 0, tcpWndSnd: 0, tcpWndRcv: 0,
    tftpPrefix: '', tftpBootFile: '', tftpNextServer: '', dnsPassDomain: true, dnsProxy: false, dnsUseHostResolver: false,
    aliasMode: 0, localhostReachable: false,
  };
}

export interface StorageControllerSettings {
  name: string;
  bus: string;
  controllerType: string;
  portCount: number;
  useHostIOCache: boolean;
  instance: number;
  /** Only one controller of a bus is bootable (absent in older settings files: true). */
  bootable?: boolean;
}

export interface AttachmentSettings {
  controller: string;
  port: number;
  device: number;
  type: string;
  mediumId: string | null;
  // IMediumAttachment flags (absent in older settings files: false).
  passthrough?: boolean;
  tempEject?: boolean;
  nonRotational?: boolean;
  discard?: boolean;
  hotPluggable?: boolean;
  /** The bandwidth group's name ('' or absent: none). */
  bandwidthGroup?: string;
}

/** A bandwidth group of the machine's IBandwidthControl (VirtualBox's <BandwidthGroup> under <IO>). */
export interface BandwidthGroupSettings {
  name: string;
  type: string;
  maxBytesPerSec: number;
}

/** A machine's settings, as its settings file holds them. */
export interface MachineSettings {
  id: string;
  name: string;
  description: string;
  osTypeId: string;
  groups: string[];
  hardwareUUID: string;
  cpuCount: number;
  cpuExecutionCap: number;
  memorySize: number;
  vramSize: number;
  graphicsControllerType: string;
  chipsetType: string;
  rtcUseUTC: boolean;
  hpetEnabled: boolean;
  cpuProperties: Record<string, boolean>;
  hwVirtExProperties: Record<string, boolean>;
  firmwareType: string;
  acpiEnabled: boolean;
  ioapicEnabled: boolean;
  bootMenuMode: string;
  bootOrder: string[];
  clipboardMode: string;
  audioEnabled: boolean;
  teleporter: { enabled: boolean; port: number; address: string; password: string };
  nics: NicSettings[];
  vrde: {
    enabled: boolean;
    authType: string;
    authTimeout: number;
    allowMultiConnection: boolean;
    extPack: string;
    properties: Record<string, string>;
  };
  storageControllers: StorageControllerSettings[];
  attachments: AttachmentSettings[];
  /** IBandwidthControl's groups (absent in older settings files: none). */
  bandwidthGroups?: BandwidthGroupSettings[];
  extraData: Record<string, string>;
  /** Guest properties (VirtualBox's <GuestProperties>; absent in older settings files: none). */
  guestProperties?: GuestPropertySettings[];
  /** IMachine memoryBalloonSize in MB (IGuest sets it on a running machine; absent: 0). */
  memoryBalloonSize?: number;
  // Issue 16: one optional field per part, its type in the part's own file (absent in older files: VirtualBox's defaults).
  // --- S1 (machine-extras.ts)
  /** IMachine's other settings (CPU hot plug, HID, paravirtualization, autostart, recording, guest debugging, …). */
  extras?: MachineExtras;
  // --- S2 (firmware.ts)
  firmware?: FirmwareExtras;
  // --- S3 (devices.ts, shared-folders.ts)
  display?: import('./devices').DisplaySettings;
  audio?: import('./devices').AudioSettingsData;
  vrdeExtra?: import('./devices').VrdeExtraSettings;
  serialPorts?: import('./devices').SerialPortSettings[];
  parallelPorts?: import('./devices').ParallelPortSettings[];
  sharedFolders?: import('./shared-folders').SharedFolderSettings[];
  // --- S4 (usb.ts)
  /** USB controllers and device filters (absent: none). */
  usb?: import('./usb').UsbSettings;
}

/** One guest property as the settings file keeps it: timestamp in ns since the epoch, flags as written ("RDONLYHOST"). */
export interface GuestPropertySettings {
  name: string;
  value: string;
  timestamp: number;
  flags: string;
}

/** One snapshot as the settings file keeps it (VirtualBox's <Snapshot> element), with its children. */
export interface SnapshotFile {
  id: string;
  name: string;
  description: string;
  /** ms since the epoch. */
  timeStamp: number;
  /** The machine's settings when the snapshot was taken (of which restore brings back the hardware part). */
  settings: MachineSettings;
  /** The snapshot's saved state (an online snapshot, or one taken of a Saved machine). */
  savedScreen?: ScreenState;
  children: SnapshotFile[];
}

/** What a host persists per machine: settings plus the state that outlives a VM process. */
export interface MachineFile {
  settings: MachineSettings;
  state: MachineState;
  lastStateChange: number;
  /** Saved-state contents (the "sav" file) when Saved. */
  savedScreen?: ScreenState;
  /** The first (root) snapshot, holding the whole tree. */
  snapshot?: SnapshotFile;
  currentSnapshot?: string;
  /** VirtualBox's currentStateModified (absent in files written before snapshots existed: true). */
  currentStateModified?: boolean;
  /**
   * The machine's own media registry (VirtualBox's <MediaRegistry> in the .vbox file): the media its
   * current state and snapshots attach, so that another host opening the file knows them
   * (absent in files written before it existed).
   */
  media?: MediumRecord[];
}

/**
 * The state a machine's settings file gives it when VBoxSVC reads it (Machine::i_loadMachineDataFromSettings):
 * the file knows only aborted= and the saved state file, so a machine that was running when its host
 * lost power (or that runs on another host) reads as PoweredOff, a saved one as Saved.
 */
export function stateFromSettings(mf: Pick<MachineFile, 'state' | 'savedScreen'>): MachineState {
  const saved = !!mf.savedScreen || mf.state === 'Saved' || mf.state === 'AbortedSaved';
  if (mf.state === 'Aborted' || mf.state === 'AbortedSaved') return saved ? 'AbortedSaved' : 'Aborted';
  return saved ? 'Saved' : 'PoweredOff';
}

/** PlatformProperties::s_getMaxNetworkAdapters: the adapters a machine of this chipset has. */
export function maxNetworkAdapters(chipset: string): number {
  return chipset === 'ICH9' ? 36 : chipset === 'ARMv8Virtual' ? 64 : 8;
}

export function randomMac(): string {
  // 080027 is VirtualBox's OUI for generated addresses.
  return '080027' + randomBytes(3).toString('hex').toUpperCase();
}

/**
 * A network adapter as NetworkAdapter::init and i_applyDefaults make it: off, no MAC address, cable
 * connected, of the OS type's adapter type; the first one of a machine with a known OS type on NAT.
 */
export function defaultNic(slot: number, adapterType: string, knownOs: boolean): NicSettings {
  const first = knownOs && slot === 0;
  return {
    enabled: first, adapterType, MACAddress: first ? randomMac() : '', attachmentType: first ? 'NAT' : 'Null',
    bridgedInterface: '', internalNetwork: '', cableConnected: true, bootPriority: 0, nat: defaultNatSettings(),
  };
}

/** NetworkAdapter::init alone (a chipset change adds these): settings::NetworkAdapter's and NAT's defaults, type Am79C973. */
export function initNic(_slot: number): NicSettings {
  return {
    enabled: false, adapterType: 'Am79C973', MACAddress: '', attachmentType: 'Null', bridgedInterface: '', internalNetwork: '',
    cableConnected: false, bootPriority: 0, nat: { ...defaultNatSettings(), localhostReachable: true },
  };
}

/**
 * The adapters a machine of its chipset has (Machine::i_loadHardware, SessionMachine::i_commit): missing
 * ones are added with the defaults (of the OS type's adapter type), extra ones go.
 */
export function fitNics(s: MachineSettings): void {
  const max = maxNetworkAdapters(s.chipsetType);
  if (s.nics.length > max) s.nics.length = max;
  const type = findGuestOSType(s.osTypeId)?.adapterType ?? 'I82540EM';
  for (let slot = s.nics.length; slot < max; slot++) s.nics.push(defaultNic(slot, type, false));
}

/**
 * A new machine's settings, as Machine::init sets them: the platform, firmware and network adapter
 * defaults come from the guest OS type when VirtualBox knows it (Platform::i_applyDefaults,
 * PlatformX86::i_applyDefaults, FirmwareSettings::i_applyDefaults, NetworkAdapter::i_applyDefaults),
 * otherwise from the x86 fallbacks there. An unknown OS type id is kept as given.
 */
export function defaultSettings(name: string, osTypeId: string, groups: string[], os = findGuestOSType(osTypeId)): MachineSettings {
  const nicType = os?.adapterType ?? 'I82540EM';
  return {
    id: uuid(), name, description: '', osTypeId: os?.id ?? (osTypeId || 'Other'), groups: groups.length ? groups : ['/'],
    hardwareUUID: '', cpuCount: 1, cpuExecutionCap: 100, memorySize: 128, vramSize: 8,
    graphicsControllerType: 'VBoxVGA', chipsetType: os?.recommendedChipset ?? 'PIIX3', rtcUseUTC: os?.recommendedRTCUseUTC ?? false,
    hpetEnabled: os?.recommendedHPET ?? false,
    cpuProperties: {
      PAE: os?.recommendedPAE ?? true, LongMode: os?.is64Bit ?? true, APIC: true, X2APIC: os?.recommendedX2APIC ?? false, HWVirt: false,
      TripleFaultReset: os?.recommendedTFReset ?? false,
    },
    hwVirtExProperties: { Enabled: true, VPID: true, NestedPaging: true, UnrestrictedExecution: true, LargePages: false, Force: false, UseNativeApi: false, VirtVmsaveVmload: true },
    firmwareType: os?.recommendedFirmware ?? 'BIOS', acpiEnabled: true, ioapicEnabled: os?.recommendedIOAPIC ?? true, bootMenuMode: 'MessageAndMenu',
    bootOrder: ['Floppy', 'DVD', 'HardDisk', 'Null'],
    clipboardMode: 'Disabled', audioEnabled: true,
    teleporter: { enabled: false, port: 0, address: '', password: '' },
    // Only the first adapter is on (NAT, with a MAC address), and only for a known OS type.
    nics: Array.from({ length: maxNetworkAdapters(os?.recommendedChipset ?? 'PIIX3') }, (_, i) => defaultNic(i, nicType, !!os)),
    vrde: { enabled: false, authType: 'Null', authTimeout: 5000, allowMultiConnection: false, extPack: '', properties: { 'TCP/Ports': '3389', 'TCP/Address': '' } },
    storageControllers: [],
    attachments: [],
    extraData: {},
  };
}

export const clone = <T>(v: T): T => structuredClone(v);
