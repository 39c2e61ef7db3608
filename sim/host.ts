import fs from 'node:fs';
import path from 'node:path';
import type { VncServer } from './screen/rfb';
import { SoapListener, type SoapListenerOptions } from './soap/listener';
import { SoapService, type SoapBackend } from './soap/server';
import { fail, RUNNING_STATES, sleep, uuid, VBoxFault, type MachineState, type ManagedObject } from './model/base';
import * as events from './model/events';
import { BandwidthControl, BandwidthGroup } from './model/bandwidth';
import { Host, HostNetworkInterface, PlatformProperties, SystemProperties, type HostSpec } from './model/hostinfo';
import * as machine from './model/machine';
import * as devices from './model/devices';
import * as firmware from './model/firmware';
import { Machine, MachineCore, type MachineHost } from './model/machine';
import { NATEngine, NetworkAdapter } from './model/network-adapter';
import { Appliance } from './model/appliance';
import { Certificate } from './model/certificate'; // issue 17
import { Medium, readImageHeader, type MediumHost, type MediumRecord, type MediumUse } from './model/medium';
import { formatForExtension, MediumFormat } from './model/medium-format';
import { DataStream, MediumIO, MediumLockToken } from './model/medium-io';
import { PerformanceCollector, PerformanceMetric } from './model/perf';
import { Progress, VirtualBoxErrorInfo } from './model/progress';
import { Session } from './model/session';
import * as dhcp from './model/dhcp';
import { NATNetwork } from './model/nat-network';
import { CloudNetwork, HostOnlyNetwork, NetworkRegistry, type NetworksState } from './model/networks';
import { defaultSettings, stateFromSettings, type MachineFile, type NatRule } from './model/settings';
import { Snapshot } from './model/snapshot';
import type { AttachmentStruct } from './model/storage';
import { VirtualBox, type CreateMachineOptions, type VirtualBoxHost } from './model/virtualbox';
import { VirtualSystemDescription } from './model/vsd';
import { VFSExplorer } from './model/vfs-explorer';
import { Console, Display, VM, type Timing, type VMHost } from './model/vm';
import { Guest } from './model/guest';
import { deleteLogs } from './model/logs'; // issue 16 S5
import { SharedFolder } from './model/shared-folders'; // issue 16 S3
import type { GuestPropertyChange } from './model/guest-properties';
import * as usb from './model/usb'; // issue 16 S4
import * as extras from './model/machine-extras'; // issue 16 S1
import type { SystemPropertiesState } from './model/system-properties'; // issue 16 S1
import { listenTeleport, teleport } from './teleport';

/** Ports handed out to VRDE and teleporter listeners of every host in this process. */
export class PortRegistry {
  private readonly taken = new Set<number>();
  claim(port: number): boolean {
    if (this.taken.has(port)) return false;
    this.taken.add(port);
    return true;
  }
  release(port: number): void { this.taken.delete(port); }
}

/** Expands a VRDE TCP/Ports value ("5000", "5000,5010-5012") into a port list. */
export function parsePortSpec(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-').map((x) => parseInt(x.trim(), 10));
    if (!Number.isFinite(a)) continue;
    for (let p = a; p <= (Number.isFinite(b) ? b : a) && out.length < 65536; p++) out.push(p);
  }
  return out;
}

export interface SimHostOptions {
  spec: HostSpec;
  port: number;
  user: string;
  password: string;
  stateDir: string;
  storageDir: string;
  timeoutSec: number;
  latencyMs: number;
  timing: Timing;
  ports: PortRegistry;
  /** Where peers reach this host's teleporter (its address). */
  address: string;
  /** vboxwebsrv's connection handling: --threads, --keepalive and the keep-alive hold (defaults as vboxwebsrv's). */
  listener?: SoapListenerOptions;
}

interface Registry {
  machines: string[];
  media: MediumRecord[];
  extraData: Record<string, string>;
  /** ISystemProperties::defaultHardDiskFormat when set (VirtualBox.xml keeps it); older registries only. */
  defaultHardDiskFormat?: string;
  /** ISystemProperties' global settings (issue 16 S1; absent: the defaults). */
  systemProperties?: SystemPropertiesState;
  /**
   * The VM processes of this host, by machine id, with their machine's state: they outlive a restart of
   * vboxsim (vboxwebsrv and VBoxSVC), not a power loss. Settings files on shared storage cannot say
   * this, since a twin on another host writes the same file. Absent in older registries.
   */
  processes?: Record<string, MachineState>;
  /** Host-only interfaces made with IHost::createHostOnlyNetworkInterface (their addresses are in the extra data). */
  hostOnlyInterfaces?: string[];
  /** Global USB device filters and added USB device sources (issue 16 S4; absent: none). */
  usb?: usb.HostUsbState;
  /** NAT networks, DHCP servers and cloud networks (VirtualBox.xml's NetserviceRegistry); absent: a new home's. */
  networks?: NetworksState;
}

/**
 * Whether a running VM locks the medium for reading only (SessionMachine::i_lockMedia: Readonly and
 * Shareable media — ISO images are Readonly —, and what is used through a differencing image, an
 * Immutable or MultiAttach base, which IMedium readOnly reports); other readers share such a lock.
 */
const readLocked = (m: Medium): boolean => m.rec.deviceType === 'DVD' || ['Readonly', 'Shareable'].includes(m.getType()) || m.getReadOnly();

/** Where VirtualBox's error texts name a source line, the build folder they show (the conversations normalise it). */
const VBOX_BUILD_DIR = '/build/virtualbox';

/** IPRT's status and text for the errno of a settings file that cannot be read (RTErrConvertFromErrno). */
const READ_ERRORS: Record<string, string> = {
  ENOENT: 'VERR_FILE_NOT_FOUND (File not found.)', ENOTDIR: 'VERR_PATH_NOT_FOUND (Path not found.)',
  EACCES: 'VERR_ACCESS_DENIED (Access denied.)', EPERM: 'VERR_ACCESS_DENIED (Access denied.)',
};

const SETTLE_ON_RESTART: Partial<Record<MachineState, MachineState>> = {
  Starting: 'Aborted', Restoring: 'Aborted', Stopping: 'PoweredOff', Saving: 'Aborted', TeleportingIn: 'PoweredOff',
  Teleporting: 'Running', TeleportingPausedVM: 'Running', LiveSnapshotting: 'Running', Stuck: 'Running',
  OnlineSnapshotting: 'Running', DeletingSnapshotOnline: 'Running', DeletingSnapshotPaused: 'Paused',
};

/** Offline snapshot work cut short by a restart: the machine is back where its saved state says. */
const SETTLE_OFFLINE = new Set<MachineState>(['Snapshotting', 'RestoringSnapshot', 'DeletingSnapshot', 'SettingUp']);

/** The classes behind each interface name, for the SOAP layer's check that _this fits the operation. */
export const IMPLEMENTATIONS: Record<string, abstract new (...args: never[]) => unknown> = {
  IVirtualBox: VirtualBox, IMachine: Machine, ISession: Session, IConsole: Console, IDisplay: Display,
  IProgress: Progress, IVirtualBoxErrorInfo: VirtualBoxErrorInfo, IMedium: Medium, IHost: Host,
  IHostNetworkInterface: HostNetworkInterface,
  ISystemProperties: SystemProperties, IPlatformProperties: PlatformProperties,
  IPerformanceCollector: PerformanceCollector, IPerformanceMetric: PerformanceMetric,
  IEventSource: events.EventSource, IEventListener: events.EventListener, IEvent: events.VBoxEvent,
  IMachineEvent: events.MachineEvent, IMachineStateChangedEvent: events.MachineStateChangedEvent,
  IMachineRegisteredEvent: events.MachineRegisteredEvent, IMachineDataChangedEvent: events.MachineDataChangedEvent,
  ISessionStateChangedEvent: events.SessionStateChangedEvent, IExtraDataChangedEvent: events.ExtraDataChangedEvent,
  ISnapshot: Snapshot, ISnapshotEvent: events.SnapshotEvent, ISnapshotTakenEvent: events.SnapshotTakenEvent,
  ISnapshotDeletedEvent: events.SnapshotDeletedEvent, ISnapshotRestoredEvent: events.SnapshotRestoredEvent,
  ISnapshotChangedEvent: events.SnapshotChangedEvent,
  IPlatform: firmware.Platform, IPlatformX86: firmware.PlatformX86, IFirmwareSettings: firmware.FirmwareSettings,
  IPlatformARM: firmware.PlatformARM, INvramStore: firmware.NvramStore, IUefiVariableStore: firmware.UefiVariableStore, // issue 16 S2
  ITrustedPlatformModule: firmware.TrustedPlatformModule, // issue 16 S2
  ISerialPort: devices.SerialPort, IParallelPort: devices.ParallelPort, IHostAudioDevice: devices.HostAudioDevice, // issue 16 S3
  ISharedFolder: SharedFolder, ISerialPortChangedEvent: events.SerialPortChangedEvent, // issue 16 S3
  IParallelPortChangedEvent: events.ParallelPortChangedEvent, IAudioAdapterChangedEvent: events.AudioAdapterChangedEvent, // issue 16 S3
  ISharedFolderChangedEvent: events.SharedFolderChangedEvent, IVRDEServerChangedEvent: events.VRDEServerChangedEvent, // issue 16 S3
  IVRDEServerInfoChangedEvent: events.VRDEServerInfoChangedEvent, // issue 16 S3
  IUSBController: usb.USBController, IUSBDeviceFilters: usb.USBDeviceFilters, IUSBDeviceFilter: usb.USBDeviceFilter, // issue 16 S4
  IHostUSBDeviceFilter: usb.HostUSBDeviceFilter, IUSBDevice: usb.USBDevice, IHostUSBDevice: usb.HostUSBDevice, // issue 16 S4
  IGuestDebugControl: extras.GuestDebugControl, IRecordingSettings: extras.RecordingSettings, // issue 16 S1
  IRecordingScreenSettings: extras.RecordingScreenSettings, ICPUProfile: extras.CPUProfile, // issue 16 S1
  ICPUChangedEvent: events.CPUChangedEvent, ICPUExecutionCapChangedEvent: events.CPUExecutionCapChangedEvent, // issue 16 S1
  IClipboardModeChangedEvent: events.ClipboardModeChangedEvent, IDnDModeChangedEvent: events.DnDModeChangedEvent, // issue 16 S1
  IClipboardFileTransferModeChangedEvent: events.ClipboardFileTransferModeChangedEvent, // issue 16 S1
  IHostPCIDevicePlugEvent: events.HostPCIDevicePlugEvent, // issue 16 S1
  IUSBControllerChangedEvent: events.USBControllerChangedEvent, IUSBDeviceStateChangedEvent: events.USBDeviceStateChangedEvent, // issue 16 S4
  IGraphicsAdapter: devices.GraphicsAdapter, INetworkAdapter: NetworkAdapter, INATEngine: NATEngine, IVRDEServer: devices.VRDEServer,
  INetworkAdapterChangedEvent: events.NetworkAdapterChangedEvent, INATRedirectEvent: events.NATRedirectEvent,
  IStorageController: machine.StorageController, IBandwidthControl: BandwidthControl, IBandwidthGroup: BandwidthGroup,
  IMediumChangedEvent: events.MediumChangedEvent, IStorageControllerChangedEvent: events.StorageControllerChangedEvent,
  IStorageDeviceChangedEvent: events.StorageDeviceChangedEvent, IBandwidthGroupChangedEvent: events.BandwidthGroupChangedEvent,
  IAudioSettings: devices.AudioSettings, IAudioAdapter: devices.AudioAdapter,
  IAppliance: Appliance, IVFSExplorer: VFSExplorer,
  IVirtualSystemDescription: VirtualSystemDescription, // issue 17
  // --- issue 17 A2/A3: ICertificate
  ICertificate: Certificate, // issue 17
  IMediumFormat: MediumFormat, IToken: MediumLockToken, IMediumIO: MediumIO, IDataStream: DataStream,
  IMediumRegisteredEvent: events.MediumRegisteredEvent, IMediumConfigChangedEvent: events.MediumConfigChangedEvent,
  // Guest and host networking (issue 15, S3)
  IGuest: Guest, IGuestPropertyChangedEvent: events.GuestPropertyChangedEvent,
  IHostNameResolutionConfigurationChangeEvent: events.HostNameResolutionConfigurationChangeEvent,
  // Networks (issue 15, S2)
  INATNetwork: NATNetwork, IDHCPServer: dhcp.DHCPServer, IDHCPConfig: dhcp.DHCPConfig, IDHCPGlobalConfig: dhcp.DHCPGlobalConfig,
  IDHCPGroupConfig: dhcp.DHCPGroupConfig, IDHCPIndividualConfig: dhcp.DHCPIndividualConfig, IDHCPGroupCondition: dhcp.DHCPGroupCondition,
  IHostOnlyNetwork: HostOnlyNetwork, ICloudNetwork: CloudNetwork,
  INATNetworkChangedEvent: events.NATNetworkChangedEvent, INATNetworkStartStopEvent: events.NATNetworkStartStopEvent,
  INATNetworkAlterEvent: events.NATNetworkAlterEvent, INATNetworkCreationDeletionEvent: events.NATNetworkCreationDeletionEvent,
  INATNetworkSettingEvent: events.NATNetworkSettingEvent, INATNetworkPortForwardEvent: events.NATNetworkPortForwardEvent,
};

/**
 * One simulated VirtualBox host: its vboxwebsrv (SOAP listener), VBoxSVC state
 * (machines, media, extra data; persisted under the state dir) and running VMs.
 */
export class SimHost implements SoapBackend, MachineHost, MediumHost, VirtualBoxHost, VMHost {
  readonly root: VirtualBox;
  readonly host: Host;
  readonly systemProperties: SystemProperties;
  readonly platformProperties = new PlatformProperties();
  readonly events = new events.EventSource();
  /** Boots of this host so far: objects of an earlier boot write nothing (MachineHost.epoch). */
  epoch = 0;
  private power: 'on' | 'off' = 'on';
  /** vboxsim stopping: the registry written last keeps the VM processes that outlive it. */
  private stopping = false;
  readonly perf: PerformanceCollector;
  /** NAT networks, DHCP servers (with their leases) and cloud networks of this host. */
  readonly networks: NetworkRegistry;
  readonly soap: SoapService;
  readonly listener: SoapListener;
  readonly homeFolder: string;
  globalExtraData: Record<string, string> = {};
  latency: number;
  /** Fault injection: teleports from this host are cut mid-transfer. */
  cutTeleports = false;
  readonly maxGuestRAM = 2097152;
  readonly maxGuestCPUs = 64;
  private readonly registered = new Map<string, MachineCore>();
  private readonly mediaById = new Map<string, Medium>();
  private loading = false;
  private registryPending = false;
  /** IProgress objects handed out over SOAP, by id, while they live (IVirtualBox::findProgressById). */
  private readonly progresses = new Map<string, WeakRef<Progress>>();
  private readonly progressGone = new FinalizationRegistry<string>((id) => {
    if (!this.progresses.get(id)?.deref()) this.progresses.delete(id);
  });

  constructor(readonly opts: SimHostOptions) {
    this.homeFolder = path.join(opts.stateDir, opts.spec.name);
    this.latency = opts.latencyMs;
    this.systemProperties = new SystemProperties(path.join(this.homeFolder, 'Machines'), this.platformProperties, () => this.saveRegistry());
    this.host = new Host(opts.spec, () => this.usedMemoryMB(), this);
    this.host.addDrives(this);
    // issue 16 S4: the USB proxy service runs the running machines' filters and saves into the registry.
    this.host.usb.connect({ consoles: () => this.machines().flatMap((c) => (c.vm && !c.vm.isEnded ? [c.vm.usb] : [])), save: () => this.saveRegistry() });
    this.perf = new PerformanceCollector(this.host, () => this.machines());
    this.networks = new NetworkRegistry({
      homeFolder: this.homeFolder, events: this.events, saveRegistry: () => this.saveRegistry(),
      machineIdByName: (name) => {
        const core = this.machines().find((c) => c.name === name);
        if (!core) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a registered machine named '${name}'`);
        return core.id;
      },
      machineMac: (id, slot) => {
        const core = this.findCore(id);
        if (!core) fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a registered machine with UUID {${id}}`);
        return (core.primary.getNetworkAdapter(slot) as unknown as { getMACAddress(): string }).getMACAddress();
      },
      runningMacs: () => new Set(this.machines().filter((c) => c.vm && !c.vm.isEnded).flatMap((c) => c.settings.nics.map((n) => n.MACAddress.toUpperCase()))),
      domainName: () => this.host.getDomainName(),
      nameServers: () => [],
    });
    this.root = new VirtualBox(this);
    this.soap = new SoapService(this, { timeoutSec: opts.timeoutSec, location: `http://127.0.0.1:${opts.port}/` });
    this.listener = new SoapListener(this.soap, '127.0.0.1', opts.listener);
  }

  get name(): string { return this.opts.spec.name; }
  get hostName(): string { return this.opts.spec.name; }
  get timing(): Timing { return this.opts.timing; }
  get parent(): ManagedObject { return this.root; }
  /** The host's USB proxy service, for the VMs' consoles (issue 16 S4). */
  get usbProxy(): usb.UsbProxyService { return this.host.usb; }
  get url(): string { return `http://127.0.0.1:${this.listener.port}/`; }

  async start(): Promise<void> {
    this.load('restart');
    await this.listener.listen(this.opts.port);
  }

  /** vboxsim itself stops: its VM processes are taken to outlive it, as VMs outlive vboxwebsrv and VBoxSVC. */
  async stop(): Promise<void> {
    await this.listener.close();
    this.soap.websessions.close();
    if (this.power === 'on') {
      this.registryPending = true;
      this.flushRegistry();
    }
    this.stopping = true;
    await Promise.all(this.machines().map((c) => c.vm?.end(c.state)));
  }

  get powered(): boolean { return this.power === 'on'; }

  /**
   * The host loses power: its SOAP port goes away (open connections reset), websessions and event
   * listeners end, and every VM process vanishes at once (VRDE and teleporter ports closed) writing
   * nothing, so each settings file keeps what it said. Registry writes already pending are flushed
   * first (the disk had them). What VBoxSVC held in memory is gone until powerOn().
   */
  async powerOff(): Promise<void> {
    if (this.power === 'off') return;
    this.flushRegistry();
    this.power = 'off';
    this.registryPending = false;
    await this.listener.close({ reset: true });
    this.soap.websessions.expireAll();
    this.events.clear();
    const cores = this.machines();
    this.registered.clear();
    this.mediaById.clear();
    this.progresses.clear();
    this.globalExtraData = {};
    await Promise.all(cores.map((c) => c.vm?.vanish()));
    for (const c of cores) c.vm = null;
  }

  /**
   * The host boots: VBoxSVC reads its registry and the machines' settings files again (a machine that
   * ran reads as PoweredOff, as in Machine::i_loadMachineDataFromSettings; Saved stays Saved), then
   * vboxwebsrv listens on its port again. With a machine: starts that registered machine without a
   * client session (demo set-up).
   */
  async powerOn(core?: MachineCore): Promise<void> {
    if (core) return this.startMachine(core);
    if (this.power === 'on') return;
    this.epoch++;
    this.load('boot');
    this.power = 'on';
    // No VM process of this host runs any more: a later restart of vboxsim must not bring one back.
    this.registryPending = true;
    this.flushRegistry();
    await this.listener.listen(this.listener.port || this.opts.port);
  }

  private usedMemoryMB(): number {
    const base = Math.round(this.opts.spec.memoryMB * 0.04);
    return base + this.machines().filter((c) => RUNNING_STATES.has(c.state)).reduce((a, c) => a + c.settings.memorySize, 0);
  }

  // --- SoapBackend
  authenticate(username: string, password: string): boolean {
    return username === this.opts.user && password === this.opts.password;
  }
  newSession(): ManagedObject { return new Session(); }
  errorInfo(fault: VBoxFault): ManagedObject { return new VirtualBoxErrorInfo(fault); }
  implementation(iface: string) { return IMPLEMENTATIONS[iface]; }
  latencyMs(): number { return this.latency; }
  handedOut(obj: ManagedObject): void {
    if (obj instanceof Progress && !this.progresses.has(obj.id)) {
      this.progresses.set(obj.id, new WeakRef(obj));
      this.progressGone.register(obj, obj.id);
    }
  }
  /** Progress::i_notifyComplete takes a progress out of VirtualBox's map: only running ones are found. */
  findProgress(id: string): Progress | undefined {
    const p = this.progresses.get(id.replace(/^\{|\}$/g, '').toLowerCase())?.deref();
    return p && !p.isCompleted ? p : undefined;
  }

  // --- registry and persistence
  machines(): MachineCore[] { return [...this.registered.values()]; }
  machineNames(): string[] { return this.machines().map((c) => c.name); }
  media(): Medium[] { return [...this.mediaById.values()]; }
  isRegistered(core: MachineCore): boolean { return this.registered.get(core.id) === core; }
  /** A registered medium, or a host drive (their UUIDs are made from their names), by UUID. */
  findMedium(id: string): Medium | undefined { return this.mediaById.get(id) ?? this.host.drives().find((d) => d.rec.id === id); }
  findCore(id: string): MachineCore | undefined { return this.registered.get(id); }

  settingsFilePath(name: string, groups: string[]): string {
    return this.root.composeMachineFilename(name, groups[0] ?? '/', '', '');
  }

  private registryFile(): string { return path.join(this.homeFolder, 'VirtualBox.json'); }

  /**
   * VBoxSVC reads its registry and every registered machine's settings file (and the media registry in
   * it). After a restart of vboxsim the VM processes of this host still run; after a boot none does.
   */
  private load(how: 'restart' | 'boot'): void {
    fs.mkdirSync(this.homeFolder, { recursive: true });
    let reg: Registry;
    try {
      reg = JSON.parse(fs.readFileSync(this.registryFile(), 'utf8')) as Registry;
    } catch {
      this.host.usb.load(undefined); // issue 16 S4: VBoxSVC starts afresh (new device UUIDs)
      return;
    }
    this.loading = true;
    this.globalExtraData = reg.extraData ?? {};
    this.host.usb.load(reg.usb); // issue 16 S4
    this.networks.load(reg.networks);
    this.host.restoreHostOnly(reg.hostOnlyInterfaces ?? []);
    this.systemProperties.load(reg.systemProperties, reg.defaultHardDiskFormat); // issue 16 S1
    for (const rec of reg.media ?? []) this.adoptMedium(rec, true);
    const toResume: MachineCore[] = [];
    for (const file of reg.machines ?? []) {
      try {
        const mf = readMachineFile(file);
        const core = this.coreFromFile(file, mf, true);
        this.registered.set(core.id, core);
        // VMs run in their own processes and survive a restart of vboxwebsrv; a VM caught
        // between states (starting, stopping, waiting for a teleport) did not. A registry that does
        // not list the host's processes is older: the settings file's state stands for them.
        const ran = how === 'boot' ? undefined : reg.processes ? reg.processes[core.id] : mf.state;
        if (ran === undefined) continue;
        const settled = SETTLE_OFFLINE.has(ran) ? (mf.savedScreen ? 'Saved' : 'PoweredOff') : SETTLE_ON_RESTART[ran] ?? ran;
        if (settled === 'Running' || settled === 'Paused') toResume.push(core);
        core.state = settled;
      } catch (e) {
        console.error(`vboxsim: ${this.name}: cannot read machine settings ${file}: ${(e as Error).message}`);
      }
    }
    this.loading = false;
    for (const core of toResume) void this.startRunning(core);
  }

  /**
   * A machine object from its settings file, in the state the file gives it (Machine::initFromSettings),
   * its media known; `refresh`: their state is looked up at once (else they read Inaccessible until
   * used or refreshed, as Medium::initOne leaves them).
   */
  private coreFromFile(file: string, mf: MachineFile, refresh: boolean): MachineCore {
    const core = new MachineCore(this, mf.settings);
    core.settingsFile = file;
    core.lastStateChange = mf.lastStateChange;
    core.savedScreen = mf.savedScreen;
    core.loadSnapshots(mf);
    core.state = stateFromSettings(mf);
    core.fileMedia = mf.media ?? [];
    firmware.trackNvram(core); // issue 16 S2: a rename moves the NVRAM file
    // VirtualBox::initMedia: the machine's own media registry joins the host's media; one known already stays.
    for (const rec of core.fileMedia) if (!this.mediaById.has(rec.id)) this.adoptMedium(rec, refresh);
    return core;
  }

  private adoptMedium(rec: MediumRecord, refresh: boolean): void {
    const m = new Medium(this, structuredClone(rec), true);
    if (refresh) m.refreshState();
    else m.state = 'Inaccessible';
    this.mediaById.set(rec.id, m);
  }

  /** Writes the registry once per turn of the event loop, however many changes it saw. */
  saveRegistry(): void {
    if (this.loading || this.registryPending || this.stopping || this.power === 'off') return;
    this.registryPending = true;
    setImmediate(() => this.flushRegistry());
  }

  private flushRegistry(): void {
    if (!this.registryPending || this.power === 'off') return;
    this.registryPending = false;
    const reg: Registry = {
      machines: this.machines().map((c) => c.settingsFile),
      media: this.media().map((m) => m.rec),
      extraData: this.globalExtraData,
      systemProperties: this.systemProperties.state(), // issue 16 S1
      processes: Object.fromEntries(this.machines().filter((c) => c.vm && !c.vm.isEnded).map((c) => [c.id, c.state])),
      networks: this.networks.state(),
      hostOnlyInterfaces: this.host.hostOnlyNames(),
      usb: this.host.usb.state(), // issue 16 S4
    };
    fs.mkdirSync(this.homeFolder, { recursive: true });
    writeAtomic(this.registryFile(), JSON.stringify(reg, null, 1));
  }

  /** Writes the machine's settings file, with its own media registry; nothing from an earlier boot or a powered-off host. */
  saveMachine(core: MachineCore): void {
    if (this.loading || this.power === 'off' || core.epoch !== this.epoch) return;
    const mf: MachineFile = {
      settings: core.settings, state: core.state, lastStateChange: core.lastStateChange, savedScreen: core.savedScreen, ...core.snapshotFile(),
      media: this.machineMedia(core),
    };
    // VirtualBox makes a machine's folder 0700.
    fs.mkdirSync(path.dirname(core.settingsFile), { recursive: true, mode: 0o700 });
    writeAtomic(core.settingsFile, JSON.stringify(mf, null, 1));
    firmware.saveNvram(core); // issue 16 S2: the .nvram file goes with the settings (NvramStore::i_saveSettings)
    if (this.isRegistered(core)) this.saveRegistry();
  }

  /** The media the machine's current state and snapshots attach, as its settings file's media registry keeps them. */
  private machineMedia(core: MachineCore): MediumRecord[] {
    const ids = new Set<string>();
    for (const list of [core.settings.attachments, ...core.snapshots().map((s) => s.settings.attachments)]) {
      for (const a of list) if (a.mediumId) ids.add(a.mediumId);
    }
    const out: MediumRecord[] = [];
    for (const id of ids) {
      const rec = this.mediaById.get(id)?.rec ?? core.fileMedia.find((r) => r.id === id);
      if (rec) out.push(rec);
    }
    return out;
  }

  // --- IVirtualBox operations
  /** IVirtualBox::createMachine: an unregistered machine; an existing settings file is refused unless forceOverwrite (then deleted), as VirtualBox does. */
  createMachine(settingsFile: string, name: string, groups: string[], osTypeId: string, opts: CreateMachineOptions): Machine {
    const settings = defaultSettings(name, osTypeId, groups);
    settings.firmware = firmware.newMachineFirmware(osTypeId); // issue 16 S2: TPM defaults (Machine::init)
    if (opts.id) settings.id = opts.id;
    const core = new MachineCore(this, settings);
    core.settingsFile = settingsFile;
    // Machine::i_tryCreateMachineConfigFile, raised by the new Machine object.
    if (fs.existsSync(core.settingsFile)) {
      if (!opts.forceOverwrite) fail('VBOX_E_FILE_ERROR', `Machine settings file '${core.settingsFile}' already exists`, 'IMachine');
      try {
        fs.rmSync(core.settingsFile);
      } catch (e) {
        fail('VBOX_E_FILE_ERROR', `Could not delete the existing settings file '${core.settingsFile}' (${(e as Error).message})`, 'IMachine');
      }
    }
    return core.primary;
  }

  /**
   * VirtualBox::i_registerMachine: refused for a UUID already registered (names may repeat, as in VirtualBox).
   * Machine::i_prepareRegister writes the settings file only when it is new or the machine has unsaved changes.
   */
  registerMachine(m: Machine): void {
    const core = m.core;
    const same = this.registered.get(core.id);
    if (same) fail('E_INVALIDARG', `Registered machine with UUID {${core.id}} ('${same.settingsFile}') already exists`);
    for (const a of core.settings.attachments) {
      if (a.mediumId && !this.mediaById.has(a.mediumId)) {
        fail('VBOX_E_OBJECT_NOT_FOUND', `Could not find a medium with UUID {${a.mediumId}} in the media registry`);
      }
    }
    this.registered.set(core.id, core);
    if (m.hasChanges || !fs.existsSync(core.settingsFile)) this.saveMachine(core);
    else this.saveRegistry();
    this.events.fire(new events.MachineRegisteredEvent(this.events, core.id, true));
  }

  /**
   * IVirtualBox::openMachine (Machine::initFromSettings without a UUID): an unregistered machine read from
   * its settings file (a relative path is taken from the home folder), in the state the file gives it
   * (a machine that was running elsewhere reads as PoweredOff); the media of its own registry join this
   * host's. A file whose machine is registered here already is refused.
   */
  openMachine(settingsFile: string, password: string): Machine {
    // VirtualBox::i_retainCryptoIf comes first: a password needs an extension pack's crypto module.
    if (password) fail('VBOX_E_OBJECT_NOT_FOUND', '\u0143o extension pack providing a cryptographic support module could be found');
    // Machine::initImpl asserts a file name (AssertReturn: no error info).
    if (!settingsFile) throw new VBoxFault('E_INVALIDARG', '');
    const full = path.resolve(this.homeFolder, settingsFile);
    const mf = openMachineFile(full);
    if (this.registered.has(mf.settings.id)) {
      fail('E_FAIL', `Trying to open a VM config '${settingsFile}' which has the same UUID as an existing virtual machine`, 'IMachine');
    }
    return this.coreFromFile(full, mf, false).primary;
  }

  unregisterMachine(core: MachineCore): void {
    this.registered.delete(core.id);
    this.saveRegistry();
    this.events.fire(new events.MachineRegisteredEvent(this.events, core.id, false));
  }

  deleteMachineFiles(core: MachineCore, media: Medium[]): Progress {
    return Progress.run({ description: `Deleting files of machine '${core.name}'`, initiator: core.primary, operations: ['Deleting media', 'Deleting settings'] }, async (p) => {
      for (const [i, m] of media.entries()) {
        const users = this.attachedTo(m);
        if (users.length) {
          fail('VBOX_E_OBJECT_IN_USE', `Medium '${m.rec.location}' is still attached to machine '${users[0].name}'`, 'IMachine', 'Machine');
        }
        // issue 17: Medium::deleteStorage (i_canClose) keeps an image that others (a linked clone's) build on.
        const children = m.getChildren().length;
        if (children) fail('VBOX_E_OBJECT_IN_USE', `Cannot close medium '${m.rec.location}' because it has ${children} child media`, 'IMedium');
        fs.rmSync(m.rec.location, { force: true });
        this.unregisterMedium(m);
        m.state = 'NotCreated';
        m.uninit();
        p.step(((i + 1) / Math.max(1, media.length)) * 50, 0);
      }
      p.step(60, 1);
      fs.rmSync(core.settingsFile, { force: true });
      firmware.deleteNvram(core); // issue 16 S2: Machine::deleteConfig deletes the NVRAM file too
      deleteLogs(core); // issue 16 S5: Machine::i_deleteConfigHandler removes the logs and their folder
      // issue 17 (D1): and the snapshot folder when empty (RTDirRemove), e.g. a linked clone's, its images deleted.
      try { fs.rmdirSync(core.primary.getSnapshotFolder()); } catch { /* not empty, or not there */ }
      const dir = path.dirname(core.settingsFile);
      try {
        if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
      } catch { /* already gone */ }
      await sleep(5);
    });
  }

  /** A new medium object, not registered until its storage is made (two may name one location, as in VirtualBox). */
  createMedium(format: string, location: string, deviceType: string): Medium {
    const loc = path.isAbsolute(location) ? location : path.join(this.opts.storageDir, location);
    const m = Medium.create(this, format, loc, deviceType);
    // IVirtualBox::createMedium makes a DVD image Normal (opened ones are Readonly).
    if (deviceType === 'DVD') m.rec.type = 'Normal';
    // A format without storage to create (iSCSI) is registered at once, Inaccessible (Medium::init).
    if (m.state === 'Inaccessible') this.registerMedium(m);
    return m;
  }

  /** VirtualBox::openMedium: a registered medium by UUID or location, else the image file, registered. */
  openMedium(location: string, deviceType: string, forceNewUuid = false): Medium {
    // VirtualBox::openMedium: a medium of that device type registered under that UUID, else a file.
    const byId = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i.test(location)
      ? this.findMedium(location.replace(/[{}]/g, '').toLowerCase()) : undefined;
    if (byId && byId.rec.deviceType === deviceType) return byId;
    // Medium::i_setLocation: a file must be named by its full path.
    if (!path.isAbsolute(location)) fail('VBOX_E_FILE_ERROR', `The given path '${location}' is not fully qualified`, 'IMedium');
    const loc = location;
    const existing = this.media().find((m) => m.rec.location === loc);
    if (existing) return existing;
    let size = 0;
    let header: ReturnType<typeof readImageHeader> = null;
    try {
      size = fs.statSync(loc).size;
      header = readImageHeader(loc);
    } catch {
      // Medium::i_setLocation's error, raised by the Medium (MediumWrap, IMedium).
      fail('VBOX_E_FILE_ERROR', `Could not find file for the medium '${loc}' (VERR_FILE_NOT_FOUND)`, 'IMedium');
    }
    // Medium::i_queryInfo: VD tells a hard disk image from DVD and floppy ones.
    if (header && deviceType !== 'HardDisk') {
      fail('E_FAIL', `The medium '${loc}' can't be used as the requested device type (${deviceType}, detected HDD)`, 'IMedium');
    }
    let id = header?.id || undefined;
    // forceNewUuid: the image gets a new UUID, written into it.
    if (forceNewUuid || !id) id = uuid();
    if (forceNewUuid && header) {
      const fd = fs.openSync(loc, 'r+');
      fs.writeSync(fd, Buffer.from(id, 'latin1'), 0, 36, 392);
      fs.closeSync(fd);
    }
    // The backend that claims the file: by its extension (vboxsim's disk images share one layout), else VDI or RAW.
    const format = formatForExtension(path.extname(loc), deviceType)?.id ?? (deviceType === 'HardDisk' ? 'VDI' : 'RAW');
    const rec: MediumRecord = {
      id, location: loc, format, deviceType, logicalSize: header?.logicalSize ?? size, description: '',
      variant: header?.fixed ? ['Fixed'] : ['Standard'],
      // Opened DVD images are Readonly, floppy images Writethrough (Medium::init for OpenReadOnly/ReadWrite).
      type: deviceType === 'DVD' ? 'Readonly' : deviceType === 'Floppy' ? 'Writethrough' : undefined,
      // The VDI backend reports its block size when the image is read.
      properties: header ? { AllocationBlockSize: '1048576' } : {},
    };
    if (header?.parentId) {
      // Medium::i_queryInfo: a differencing image needs its parent registered.
      if (!this.mediaById.has(header.parentId)) {
        fail('E_FAIL', `Parent medium with UUID {${header.parentId}} of the medium '${loc}' is not found in the media registry ('${this.root.getSettingsFilePath()}')`, 'IMedium');
      }
      rec.parentId = header.parentId;
    }
    const m = new Medium(this, rec, true);
    if (this.mediaById.has(m.rec.id)) {
      fail('VBOX_E_OBJECT_IN_USE', `Cannot register the medium '${loc}' because a medium with UUID {${m.rec.id}} already exists`);
    }
    this.registerMedium(m);
    return m;
  }

  registerMedium(m: Medium): void {
    if (this.power === 'off') return;
    const known = this.mediaById.get(m.rec.id) === m;
    this.mediaById.set(m.rec.id, m);
    this.saveRegistry();
    if (!known && !this.loading) this.events.fire(new events.MediumRegisteredEvent(this.events, m.rec.id, m.rec.deviceType, true));
  }

  unregisterMedium(m: Medium): void {
    if (this.mediaById.get(m.rec.id) === m) {
      this.mediaById.delete(m.rec.id);
      this.saveRegistry();
      this.events.fire(new events.MediumRegisteredEvent(this.events, m.rec.id, m.rec.deviceType, false));
    }
  }

  /** IMediumConfigChangedEvent (VirtualBox::i_onMediumConfigChanged). */
  mediumChanged(m: Medium): void {
    this.events.fire(new events.MediumConfigChangedEvent(this.events, m));
  }

  /** Media tasks (clone, resize, compact) take this long in ms; tests slow them down to watch their progress. */
  mediumTaskMs = 40;

  /** SessionMachine locks the media of a running machine's current state: disks for writing, read-only media for reading. */
  vmLock(m: Medium): 'LockedRead' | 'LockedWrite' | null {
    // The running VM's session machine holds what it uses: hot-plugged and mounted media included.
    const running = this.machines().some((c) => c.vm && !c.vm.isEnded && RUNNING_STATES.has(c.state) && c.vm.machine.s.attachments.some((a) => a.mediumId === m.rec.id));
    if (!running) return null;
    return readLocked(m) ? 'LockedRead' : 'LockedWrite';
  }

  /** Medium's back references: each machine using it, in its current state and/or its snapshots. */
  usage(m: Medium): MediumUse[] {
    const uses = (attachments: MachineCore['settings']['attachments']) => attachments.some((a) => a.mediumId === m.rec.id);
    const working = (c: MachineCore) => (c.lockedBy instanceof Session ? c.lockedBy.sessionMachine?.s.attachments ?? [] : c.vm?.machine.s.attachments ?? []);
    return this.machines().flatMap((c) => {
      const current = uses(c.settings.attachments) || uses(working(c));
      const snapshotIds = c.snapshots().filter((s) => uses(s.settings.attachments)).map((s) => s.id);
      return current || snapshotIds.length ? [{ id: c.id, name: c.name, current, snapshotIds, sessionOpen: c.lockedBy === 'vm' || (!!c.vm && !c.vm.isEnded) }] : []; // issue 17: i_isSessionOpenVM, a VM's session only
    });
  }

  /** Machines using the medium, in their current state or in a snapshot (Medium::getMachineIds). */
  attachedTo(m: Medium): { id: string; name: string }[] {
    const uses = (attachments: MachineCore['settings']['attachments']) => attachments.some((a) => a.mediumId === m.rec.id);
    // An attachment counts from attachDevice on, before saveSettings (Medium::i_addBackReference).
    const working = (c: MachineCore) => (c.lockedBy instanceof Session ? c.lockedBy.sessionMachine?.s.attachments ?? [] : c.vm?.machine.s.attachments ?? []);
    return this.machines()
      .filter((c) => uses(c.settings.attachments) || uses(working(c)) || c.snapshots().some((s) => uses(s.settings.attachments)))
      .map((c) => ({ id: c.id, name: c.name }));
  }

  setGlobalExtraData(key: string, value: string): void {
    if (value === '') delete this.globalExtraData[key];
    else this.globalExtraData[key] = value;
    this.saveRegistry();
    this.fireExtraDataChanged('', key, value);
  }

  // --- events
  fireStateChanged(core: MachineCore): void {
    core.vm?.log.machineState(core.state); // issue 16 S5: VBox.log follows the state
    if (this.isRegistered(core)) this.events.fire(new events.MachineStateChangedEvent(this.events, core.id, core.state));
  }
  fireSessionStateChanged(core: MachineCore): void {
    if (this.isRegistered(core)) this.events.fire(new events.SessionStateChangedEvent(this.events, core.id, core.sessionState));
  }
  fireDataChanged(core: MachineCore): void {
    if (core.epoch === this.epoch) this.events.fire(new events.MachineDataChangedEvent(this.events, core.id, false));
  }
  fireExtraDataChanged(machineId: string, key: string, value: string): void {
    this.events.fire(new events.ExtraDataChangedEvent(this.events, machineId, key, value));
  }
  fireSnapshotEvent(type: events.SnapshotEventType, core: MachineCore, snapshotId: string): void {
    if (this.isRegistered(core)) this.events.fire(events.snapshotEvent(type, this.events, core.id, snapshotId));
  }
  fireStorageControllerChanged(core: MachineCore, controllerName: string): void {
    this.events.fire(new events.StorageControllerChangedEvent(this.events, core.id, controllerName));
  }
  fireStorageDeviceChanged(attachment: AttachmentStruct, removed: boolean, silent: boolean): void {
    this.events.fire(new events.StorageDeviceChangedEvent(this.events, attachment, removed, silent));
  }
  fireMediumChanged(attachment: AttachmentStruct): void {
    this.events.fire(new events.MediumChangedEvent(this.events, attachment));
  }
  fireGuestPropertyChanged(machineId: string, c: GuestPropertyChange): void {
    this.events.fire(new events.GuestPropertyChangedEvent(this.events, machineId, c.name, c.value, c.flags, c.deleted));
  }
  /** A running machine's adapter changed: its guest's view of the network follows (guest.ts). */
  nicChanged(core: MachineCore): void {
    core.vm?.guest.writeNetwork();
  }
  /** The address a VirtualBox DHCP server of this host gives the MAC on that network (the guests' view). */
  dhcpLease(networkName: string, mac: string): string | null {
    return this.networks.lease(networkName, mac);
  }
  natNetworkRef(name: string, delta: 1 | -1): void {
    if (delta > 0) this.networks.natNetworkRefInc(name);
    else this.networks.natNetworkRefDec(name);
  }
  fireNATRedirect(core: MachineCore, slot: number, remove: boolean, rule: NatRule): void {
    this.events.fire(new events.NATRedirectEvent(this.events, core.id, slot, remove, rule));
  }

  // --- VM processes
  launch(core: MachineCore, session: Session, _frontend: string): Progress {
    const vm = new VM(core, this, core.savedScreen);
    // The launching session works on the VM process's session machine, as VirtualBox's Remote session does.
    session.attach(core, 'Remote', vm.machine);
    session.state = 'Spawning';
    core.lockedBy = 'vm';
    core.setSessionState('Spawning');
    core.vm = vm;
    vm.sharedSessions.add(session);
    return Progress.run({ description: 'Starting virtual machine', initiator: core.primary, cancelable: false, operations: ['Spawning session', 'Powering up'] }, async (p) => {
      await sleep(Math.min(50, this.timing.start / 4));
      vm.log.open(); // issue 16 S5: Console::powerUp ages the logs and opens VBox.log first
      core.setSessionState('Locked');
      if (session.core === core) session.state = 'Locked';
      p.step(30, 1);
      const missing = core.settings.attachments
        .map((a) => (a.mediumId ? this.findMedium(a.mediumId) : undefined))
        .find((m) => m && !['Created', 'LockedRead', 'LockedWrite'].includes(m.refreshState()));
      const lost = core.settings.attachments.find((a) => a.mediumId && !this.findMedium(a.mediumId));
      if (missing || lost) {
        const text = `Could not open the medium '${missing?.rec.location ?? lost?.mediumId}'. VD: error VERR_FILE_NOT_FOUND opening image file`;
        await vm.end(core.state === 'Saved' ? 'Saved' : 'PoweredOff', { code: 'VBOX_E_FILE_ERROR', text });
        fail('VBOX_E_FILE_ERROR', text, 'IConsole', 'Console');
      }
      // SessionMachine::i_lockMedia: a disk another running machine uses cannot be locked for writing; what is
      // locked for reading (an ISO image, a Shareable disk) is shared with the other readers.
      const busy = core.settings.attachments.some((a) => {
        const m = a.mediumId ? this.findMedium(a.mediumId) : undefined;
        const lock = m ? this.vmLock(m) : null;
        return lock === 'LockedWrite' || (lock === 'LockedRead' && !!m && !readLocked(m));
      });
      if (busy) {
        await vm.end(core.state === 'Saved' ? 'Saved' : 'PoweredOff');
        fail('VBOX_E_INVALID_OBJECT_STATE', 'Locking of attached media failed. A possible reason is that one of the media is attached to a running VM', 'IMachine', 'SessionMachine');
      }
      try {
        await vm.powerUp(p);
      } catch (e) {
        const failure = e instanceof VBoxFault ? { code: e.resultCode, text: e.message } : undefined;
        await vm.end(core.state === 'TeleportingIn' ? 'PoweredOff' : core.state === 'Restoring' ? 'Saved' : 'PoweredOff', failure);
        throw e;
      }
    });
  }

  /** Starts a VM found running in the persisted state (its process outlived vboxwebsrv). */
  private async startRunning(core: MachineCore): Promise<void> {
    core.lockedBy = 'vm';
    core.sessionState = 'Locked';
    const vm = new VM(core, this);
    core.vm = vm;
    vm.holdNatNetworks();
    await vm.startVrde();
    // Its guest kept running: the Additions report again at once.
    vm.wasRunning = true;
    vm.guest.start(0);
    vm.usb.autoCapture(); // issue 16 S4: its filters take the devices again (VBoxSVC knows them afresh)
  }

  async bindVrde(server: VncServer, spec: string): Promise<number> {
    for (const port of parsePortSpec(spec)) {
      if (!this.opts.ports.claim(port)) continue;
      try {
        await server.listen(port, '127.0.0.1');
        return port;
      } catch {
        this.opts.ports.release(port);
      }
    }
    throw new Error(`no free VRDE port in ${spec}`);
  }

  releasePort(port: number): void { this.opts.ports.release(port); }

  teleport(vm: VM, hostname: string, port: number, password: string, maxDowntime: number): Progress {
    return teleport(this, vm, hostname, port, password, maxDowntime);
  }

  listenTeleport(vm: VM): Promise<void> {
    return listenTeleport(this, vm);
  }

  /** Creates and registers a machine directly (demo set-up), as a client would over SOAP. */
  addMachine(name: string, init: (core: MachineCore) => void): MachineCore {
    const core = new MachineCore(this, defaultSettings(name, 'Other', []));
    init(core);
    core.settingsFile = this.settingsFilePath(core.settings.name, core.settings.groups);
    core.pathFor = { name: core.settings.name, group: core.settings.groups[0] ?? '/' };
    this.registered.set(core.id, core);
    this.saveMachine(core);
    return core;
  }

  /** Starts a registered machine without a client session (demo set-up). */
  private async startMachine(core: MachineCore): Promise<void> {
    const p = this.launch(core, new Session(), 'headless');
    await p.wait();
    if (p.failed) throw new Error(p.error?.getText());
  }
}

function readMachineFile(file: string): MachineFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as MachineFile;
}

/**
 * Reads a settings file for openMachine, failing as settings::MachineConfigFile does: IPRT's error for a
 * file that cannot be opened, libxml2's for one it cannot parse (an empty file, a folder), each as
 * VirtualBoxBase::handleUnexpectedExceptions words it (E_FAIL, with the source line).
 */
function openMachineFile(full: string): MachineFile {
  const where = `\n${VBOX_BUILD_DIR}/src/VBox/Main/src-server/MachineImpl.cpp[691] (nsresult Machine::initFromSettings(VirtualBox*, const com::Utf8Str&, const com::Guid*, const com::Utf8Str&))`;
  const refuse = (text: string): never => fail('E_FAIL', text + where, 'IMachine');
  let text = '';
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code !== 'EISDIR') refuse(`Runtime error opening '${full}' for reading ${READ_ERRORS[code] ?? `VERR_GENERAL_FAILURE (${code})`}.`);
  }
  if (!text.trim()) refuse(`Document is empty.\nLocation: '${full}', line 1 (0), column 1.`);
  let mf: MachineFile | undefined;
  try {
    mf = JSON.parse(text) as MachineFile;
  } catch {
    mf = undefined;
  }
  if (!mf?.settings?.id) return refuse(`Start tag expected, '<' not found.\nLocation: '${full}', line 1 (0), column 1.`);
  return mf;
}

function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

