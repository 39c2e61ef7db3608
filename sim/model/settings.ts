import { randomBytes } from 'node:crypto';
import { uuid, type MachineState } from './base';
import type { MediumRecord } from './medium';
import { findGuestOSType } from './ostypes';
import type { ScreenState } from '../screen/screen';

export interface NicSettings {
  enabled: boolean;
  adapterType: string;
  MACAddress: string;
  attachmentType: string;
  bridgedInterface: string;
  internalNetwork: string;
  cableConnected: boolean;
  bootPriority: number;
  // Added later: absent in older settings files.
  hostOnlyInterface?: string;
  natNetwork?: string;
  genericDriver?: string;
  promiscModePolicy?: string;
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

export const NETWORK_ADAPTER_COUNT = 8;

export function randomMac(): string {
  // 080027 is VirtualBox's OUI for generated addresses.
  return '080027' + randomBytes(3).toString('hex').toUpperCase();
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
    nics: Array.from({ length: NETWORK_ADAPTER_COUNT }, (_, i) => ({
      enabled: !!os && i === 0, adapterType: nicType, MACAddress: randomMac(), attachmentType: os && i === 0 ? 'NAT' : 'Null',
      bridgedInterface: '', internalNetwork: '', cableConnected: true, bootPriority: 0,
    })),
    vrde: { enabled: false, authType: 'Null', authTimeout: 5000, allowMultiConnection: false, extPack: '', properties: { 'TCP/Ports': '3389', 'TCP/Address': '' } },
    storageControllers: [],
    attachments: [],
    extraData: {},
  };
}

export const clone = <T>(v: T): T => structuredClone(v);
