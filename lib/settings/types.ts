/**
 * The shapes of a machine's settings as the API gives them (GET /api/v1/vms/:id/settings) and takes them
 * (PATCH …/settings/:area): issue 16's contract between lib/settings and the UI. VirtualBox's own enum
 * names throughout; type-only, so the UI may import it.
 */
import type {
  AudioCodecType, AudioControllerType, AudioDriverType, AuthType, AutostopType, ChipsetType, ClipboardMode, DeviceType, DnDMode,
  FirmwareType, GraphicsControllerType, MachineState, ParavirtProvider, PointingHIDType, PortMode, TpmType, UartType, USBControllerType,
  USBDeviceState,
} from '@/lib/vbox/types';

/** The most a field allows: only powered off | off or Saved | also while running. */
export type Live = 'off' | 'saved' | 'running';

export interface UsbFilter {
  name: string; active: boolean; vendorId: string; productId: string; revision: string; manufacturer: string;
  product: string; serialNumber: string; port: string; remote: string; maskedInterfaces: number;
}

export interface SharedFolderView {
  name: string; hostPath: string; writable: boolean; autoMount: boolean; autoMountPoint: string;
  /** A transient folder lives in the running VM only (IConsole), gone at power-off. */
  transient: boolean; accessible: boolean; lastAccessError: string;
}

export interface SerialPortView {
  slot: number; enabled: boolean; hostMode: PortMode; path: string; server: boolean; ioAddress: number; irq: number; uartType: UartType;
}

export interface GeneralSettings {
  name: string; osTypeId: string; description: string; clipboardMode: ClipboardMode; dndMode: DnDMode;
  autostartEnabled: boolean; autostartDelay: number; autostopType: AutostopType;
}

export interface SystemSettings {
  memoryMB: number; cpuCount: number; cpuExecutionCap: number; bootOrder: DeviceType[]; chipset: ChipsetType;
  firmware: FirmwareType; secureBoot: boolean; tpm: TpmType; ioApic: boolean; acpi: boolean; hpet: boolean;
  rtcUseUTC: boolean; pae: boolean; nestedPaging: boolean; nestedHwVirt: boolean; paravirtProvider: ParavirtProvider;
  pointingHIDType: PointingHIDType; cpuProfile: string;
}

export interface DisplaySettings { graphicsController: GraphicsControllerType; vramMB: number; monitorCount: number; accelerate3D: boolean }

export interface RemoteDisplaySettings {
  enabled: boolean; ports: string; authType: AuthType;
  /** Whether a VNC password is set (the password itself is never returned). */
  hasPassword: boolean; allowMultiConnection: boolean;
  /** The port the running VM's VRDE server listens on now; null when not running or not listening. */
  port: number | null;
}

export interface AudioSettingsView {
  enabled: boolean; controller: AudioControllerType; codec: AudioCodecType; driver: AudioDriverType; input: boolean; output: boolean;
}

export interface UsbSettings { controllers: USBControllerType[]; filters: UsbFilter[] }

export interface SettingsChoices {
  osTypes: { id: string; description: string; family: string }[]; chipsets: ChipsetType[]; firmwareTypes: FirmwareType[];
  tpmTypes: TpmType[]; paravirtProviders: ParavirtProvider[]; pointingHIDTypes: PointingHIDType[]; cpuProfiles: { name: string; fullName: string }[];
  graphicsControllers: GraphicsControllerType[]; vramMB: { min: number; max: number }; maxMonitors: number;
  audioControllers: AudioControllerType[]; audioCodecs: AudioCodecType[]; audioDrivers: AudioDriverType[];
  usbControllerTypes: USBControllerType[]; uartTypes: UartType[]; clipboardModes: ClipboardMode[]; dndModes: DnDMode[];
  autostopTypes: AutostopType[]; authTypes: AuthType[]; maxCPUs: number; maxMemoryMB: number;
  /** The serial port modes the caller may choose. */
  serialModes: PortMode[];
  /** Shared-folder roots allowed on every host the machine is registered on. */
  sharedFolderRoots: string[];
  /** Whether autostart (and autostop) can change: every copy's host needs its autostart database; else why not. */
  autostart?: { available: boolean; reason?: string };
}

/** GET /api/v1/vms/:id/settings */
export interface MachineSettingsView {
  id: string; name: string; state: MachineState; hostId: string; hostName: string;
  /** Every host the machine is registered on. */
  copies: { hostId: string; hostName: string; state: MachineState; /** its host has the autostart database (null: no answer) */ autostart?: boolean | null }[];
  general: GeneralSettings;
  system: SystemSettings;
  display: DisplaySettings;
  remoteDisplay: RemoteDisplaySettings;
  audio: AudioSettingsView;
  /** filters: [] for non-admins. */
  usb: UsbSettings;
  sharedFolders: SharedFolderView[];
  /** One per slot the platform has (4 on x86). */
  serialPorts: SerialPortView[];
  /** By "area.field" (e.g. "system.memoryMB"): the most each field allows. */
  live: Record<string, Live>;
  choices: SettingsChoices;
}

/** The areas PATCH /api/v1/vms/:id/settings/:area takes. */
export const SETTINGS_AREAS = ['general', 'system', 'display', 'remote-display', 'audio', 'usb', 'serial-ports'] as const;
export type SettingsArea = (typeof SETTINGS_AREAS)[number];

/** A host's USB device as GET /api/v1/vms/:id/usb lists it. */
export interface UsbDeviceView {
  id: string; vendorId: string; productId: string; manufacturer: string; product: string; serialNumber: string;
  address: string; port: number; speed: string; state: USBDeviceState;
  /** The machine's name when attached to a machine the caller may see. */
  attachedTo: string | null;
}

/** GET /api/v1/vms/:id/usb */
export interface MachineUsbView {
  hostId: string; hostName: string; running: boolean; attached: UsbDeviceView[]; available: UsbDeviceView[];
}
