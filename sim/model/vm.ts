import { Screen, type ScreenState } from '../screen/screen';
import { VncServer } from '../screen/rfb';
import { fail, sleep, type MachineState, type ManagedObject } from './base';
import { BandwidthGroupChangedEvent, EventSource, GuestPropertyChangedEvent, MediumChangedEvent, StorageControllerChangedEvent, StorageDeviceChangedEvent } from './events';
import { AudioAdapterChangedEvent, ParallelPortChangedEvent, SerialPortChangedEvent, SharedFolderChangedEvent, VRDEServerChangedEvent, VRDEServerInfoChangedEvent } from './events';
import { TransientFolders } from './shared-folders';
import { ADDITIONS_REVISION, DEFAULT_ADDITIONS_MS, Guest, type GuestNetworkHost } from './guest';
import { VMLog, type LogHostFacts } from './logs';
import { dropTransient, fromSettings, GP, GuestPropertyService, pushGuestProperty, toSettings, type GuestPropertyChange } from './guest-properties';
import { Machine, type MachineCore } from './machine';
import { natNetworksInUse } from './network-adapter';
import type { Medium } from './medium';
import type { AttachmentStruct } from './storage';
import { Progress } from './progress';
import type { Session } from './session';
import type { ResultCodeName } from '../soap/faults';
import { ConsoleUsb, type UsbProxyService } from './usb'; // issue 16 S4

/** How long the simulated guest takes for things, in ms. */
export interface Timing {
  start: number;
  stop: number;
  /** From the ACPI power button to the guest having shut down. */
  acpiShutdown: number;
  save: number;
  /** Server-side steps without I/O worth simulating (snapshots); default a quarter of `save`, at most 50 ms. */
  step?: number;
  /** From Running to the guest's Additions having reported (guest.ts); default 1000 ms. */
  guestAdditions?: number;
}

/** What a running VM needs from its host (and its guest, the leases of the host's DHCP servers). */
export interface VMHost extends GuestNetworkHost {
  readonly hostName: string;
  readonly timing: Timing;
  /** Candidate VRDE ports from a TCP/Ports spec, skipping ports in use elsewhere in this simulator. */
  bindVrde(server: VncServer, spec: string): Promise<number>;
  releasePort(port: number): void;
  /** Teleport source: move `vm` to the target that listens at host:port. */
  teleport(vm: VM, hostname: string, port: number, password: string, maxDowntime: number): Progress;
  /** Teleport target: listen for an incoming teleport; resolves once listening. */
  listenTeleport(vm: VM): Promise<void>;
  /** The host's USB proxy service (issue 16 S4, usb.ts). */
  readonly usbProxy?: UsbProxyService;
  /** IHost, for the facts VBox.log's header names. */
  readonly host?: LogHostFacts;
}

let nextPid = 4000;

/** The VM process of a running machine: its console, screen and VRDE (VNC) server. */
export class VM {
  readonly pid = nextPid++;
  screen: Screen;
  readonly console: Console;
  readonly display: Display;
  /**
   * The VM process's session machine (SessionMachine with LockType_VM): shared sessions work on it,
   * and only changes made through it reach the running VM (mount, hot-plug).
   */
  readonly machine: Machine;
  /** The guest has locked its removable media (as an OS does with a mounted CD): only a forced unmount takes them. */
  guestLocksMedia = false;
  /** Sessions other than the VM's own that use the console (Shared and Remote). */
  readonly sharedSessions = new Set<Session>();
  vnc: VncServer | null = null;
  vrdePort = -1;
  powerButtonHandled = false;
  /** Teleport target: closes the listener when the VM ends. */
  stopTeleportListener: (() => void) | null = null;
  /** Connections of the process that break when it vanishes (a teleport it sends). */
  readonly connections = new Set<{ reset(): void }>();
  private ended = false;
  /** The VM reached Running (its guest properties are worth a saved state). */
  wasRunning = false;
  private pendingShutdown: NodeJS.Timeout | null = null;
  /** The adapters the VM has devices for: those enabled at power-on (Console::i_onNetworkAdapterChange). */
  readonly nicSlots: ReadonlySet<number>;
  /** The VM holds references on its NAT networks (SessionMachine's miNATNetworksStarted). */
  private natNetworksHeld = false;
  /** The VM's guest property service (shared by the host and the guest) and its guest (IGuest, the Additions). */
  readonly guestProperties: GuestPropertyService;
  readonly guest: Guest;
  /** The USB devices attached to the VM (issue 16 S4, usb.ts). */
  readonly usb: ConsoleUsb;
  /** The process's release log (VBox.log, logs.ts). */
  readonly log: VMLog;

  constructor(readonly core: MachineCore, readonly host: VMHost, state?: ScreenState) {
    this.screen = this.newScreen(state);
    this.log = new VMLog(core, this.pid, host.host);
    this.console = new Console(this);
    this.display = new Display(this);
    this.machine = new Machine(core, true);
    // Console::i_configGuestProperties: the machine's properties are the service's to start with.
    this.guestProperties = new GuestPropertyService((core.settings.guestProperties ?? []).map(fromSettings), (c) => this.guestPropertyChanged(c));
    this.guest = new Guest(this);
    this.usb = new ConsoleUsb(this);
    this.nicSlots = new Set(core.settings.nics.flatMap((n, slot) => (n.enabled ? [slot] : [])));
  }

  private newScreen(state?: ScreenState): Screen {
    return new Screen({ machineName: this.core.name, hostName: this.host.hostName, state });
  }

  get state(): MachineState { return this.core.state; }
  get isEnded(): boolean { return this.ended; }

  /** SessionMachine::beginPowerUp: the NAT networks of the enabled adapters start (if they are not yet). */
  holdNatNetworks(): void {
    if (this.natNetworksHeld) return;
    this.natNetworksHeld = true;
    natNetworksInUse(this.machine, 1);
  }

  /** Brings the VM up from PoweredOff, Saved or as a teleport target. */
  async powerUp(p: Progress): Promise<void> {
    this.holdNatNetworks();
    const s = this.core.settings;
    if (s.teleporter.enabled) {
      this.core.setState('TeleportingIn');
      await this.host.listenTeleport(this);
      return;
    }
    const restoring = this.core.state === 'Saved' || this.core.state === 'AbortedSaved';
    this.core.setState(restoring ? 'Restoring' : 'Starting');
    await sleep(this.host.timing.start / 2);
    p.step(50);
    await sleep(this.host.timing.start / 2);
    if (this.ended) return;
    this.core.savedScreen = undefined;
    await this.startVrde();
    // Console::i_captureUSBDevices: the machine's filters take the host's devices they match.
    this.usb.autoCapture();
    this.core.setState('Running');
    this.wasRunning = true;
    // A restored guest's Additions were running when it was saved: they are back at once.
    this.guest.start(restoring ? 0 : this.additionsDelay);
  }

  private get additionsDelay(): number { return this.host.timing.guestAdditions ?? DEFAULT_ADDITIONS_MS; }

  /**
   * Console::i_doGuestPropNotification: SessionMachine::pushGuestProperty (VirtualBox's event) and the
   * console's own IGuestPropertyChangedEvent.
   */
  private guestPropertyChanged(c: GuestPropertyChange): void {
    if (this.ended) return;
    pushGuestProperty(this.machine, c, this.guestProperties.get(c.name)?.timestamp ?? 0);
    if (c.name === '/VirtualBox/GuestAdd/Version' && !c.deleted) this.log.additions(c.value, ADDITIONS_REVISION, !this.core.settings.osTypeId.startsWith('Windows'));
    const events = this.console.getEventSource();
    events.fire(new GuestPropertyChangedEvent(events, this.core.id, c.name, c.value, c.flags, c.deleted));
  }

  /** A counter of the service (incrementCounterProp): TRANSIENT, RDONLYGUEST. */
  private countUp(name: string): void {
    const n = Number(this.guestProperties.get(name)?.value ?? '0') + 1;
    this.guestProperties.set(name, String(n), GP.TRANSIENT | GP.RDONLYGUEST, false);
  }

  /** Guest::shutdown: VBoxService shuts the guest down (or reboots it) a moment later. */
  guestShutdown(reboot: boolean): void {
    setTimeout(() => {
      if (this.ended || this.core.state !== 'Running') return;
      if (reboot) return this.reset();
      this.guest.shutdownServices();
      this.core.setState('Stopping');
      setTimeout(() => void this.end('PoweredOff'), this.host.timing.stop);
    }, this.host.timing.acpiShutdown).unref?.();
  }

  /**
   * Starts the VNC server on the first free port of TCP/Ports, as the VNC extension pack does, with
   * the VRDE settings of the VM's session machine (changes made while it runs included).
   */
  async startVrde(): Promise<void> {
    const v = this.machine.s.vrde;
    if (!v.enabled || this.vnc) return;
    const server = new VncServer({ screen: () => this.screen, password: v.properties.VNCPassword || undefined });
    server.on('error', () => undefined);
    try {
      const port = await this.host.bindVrde(server, v.properties['TCP/Ports'] || '3389');
      if (this.ended) {
        // The process went away while the port was being bound.
        await server.close(true);
        this.host.releasePort(port);
        return;
      }
      this.vrdePort = port;
      this.vnc = server;
      // ConsoleVRDPServer's VRDE_SP_NETWORK_BIND_PORT: the server info changed.
      const events = this.console.getEventSource();
      events.fire(new VRDEServerInfoChangedEvent(events));
    } catch {
      // VirtualBox keeps the VM running when VRDE cannot bind; VRDEServerInfo then says port -1.
      this.vrdePort = -1;
    }
    this.log.vrdeStarted(this.vrdePort, !!v.properties.VNCPassword, v.properties['TCP/Ports'] || '3389');
  }

  /** ConsoleVRDPServer::Stop: the VNC server closes (its viewers with it) and gives its port back. */
  private async stopVrde(): Promise<void> {
    const vnc = this.vnc;
    if (!vnc) return;
    this.vnc = null;
    await vnc.close(true).catch(() => undefined);
    this.host.releasePort(this.vrdePort);
    this.vrdePort = -1;
  }

  private vrdeChange: Promise<void> = Promise.resolve();

  /**
   * Console::i_onVRDEServerChange(aRestart): in Running, Paused, Teleporting or LiveSnapshotting the
   * server stops and, when VRDE is on, starts again on the ports now set (one change at a time);
   * IVRDEServerChangedEvent follows. In another state of a running VM the change is refused.
   */
  vrdeServerChange(): Promise<void> {
    const run = this.vrdeChange.then(async () => {
      if (this.ended) return;
      if (!['Running', 'Teleporting', 'LiveSnapshotting', 'Paused'].includes(this.core.state)) {
        fail('VBOX_E_INVALID_VM_STATE', `Invalid machine state: ${this.core.state === 'Stuck' ? 'GuruMeditation' : this.core.state}`, 'IConsole', 'Console');
      }
      await this.stopVrde();
      const v = this.machine.s.vrde;
      if (v.enabled) {
        await this.startVrde();
        if (!this.vnc) {
          fail('E_FAIL', `VirtualBox Remote Desktop Extension server can't bind to the port(s): ${v.properties['TCP/Ports'] || '3389'}`, 'IConsole', 'Console');
        }
      }
      const events = this.console.getEventSource();
      events.fire(new VRDEServerChangedEvent(events));
    });
    this.vrdeChange = run.catch(() => undefined);
    return run;
  }

  /** Adopts the runtime state that arrived over a teleport and runs (or stays paused, for a paused source). */
  async arrive(state: ScreenState, paused = false): Promise<void> {
    this.screen = this.newScreen(state);
    await this.startVrde();
    this.core.setState(paused ? 'Paused' : 'Running');
    this.usb.autoCapture();
    this.wasRunning = true;
    // The guest came over running, its Additions with it: they report at once.
    this.guest.start(0);
  }

  /** The VM process goes away; the machine lands in `finalState` (a failed power-up says why in its log). */
  async end(finalState: MachineState, failure?: { code: ResultCodeName; text: string }): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.log.end(finalState, this.core.settingsFile.replace(/[^/]+\.vbox$/, `Snapshots/${this.core.id}.sav`), failure);
    if (this.pendingShutdown) clearTimeout(this.pendingShutdown);
    this.stopTeleportListener?.();
    const vnc = this.vnc;
    this.vnc = null;
    if (vnc) {
      await vnc.close().catch(() => undefined);
      this.host.releasePort(this.vrdePort);
    }
    for (const s of this.sharedSessions) s.detach();
    this.sharedSessions.clear();
    if (this.natNetworksHeld) {
      this.natNetworksHeld = false;
      natNetworksInUse(this.machine, -1);
    }
    // Console::i_detachAllUSBDevices: the host gets the VM's USB devices back (others' filters may take them).
    this.usb.detachAll();
    // SessionMachine::uninit: changes not saved go with the process (implicit differencing images too).
    void this.machine.dropImplicit();
    this.machine.uninit();
    const core = this.core;
    this.guest.stop();
    // The saved state keeps the guest's properties; a machine that stops loses its transient ones
    // (SessionMachine::i_setMachineState for PoweredOff, Aborted and Teleported).
    if (finalState === 'Saved' && this.wasRunning) core.settings.guestProperties = this.guestProperties.all().map(toSettings);
    else if (['PoweredOff', 'Aborted', 'Teleported'].includes(finalState)) core.settings.guestProperties = dropTransient(core.settings.guestProperties);
    core.vm = null;
    core.lockedBy = null;
    core.setSessionState('Unlocked');
    core.setState(finalState);
  }

  requireState(allowed: MachineState[], what: string): void {
    if (this.ended || !allowed.includes(this.core.state)) {
      fail('VBOX_E_INVALID_VM_STATE', `${what} (machine state: ${this.core.state})`, 'IConsole', 'Console');
    }
  }

  powerDown(): Progress {
    this.requireState(['Running', 'Paused', 'Stuck', 'TeleportingIn', 'TeleportingPausedVM', 'Starting', 'Restoring'],
      'Invalid machine state: must be Running, Paused or Stuck');
    return Progress.run({ description: 'Powering off the machine', initiator: this.console }, async (p) => {
      this.core.setState('Stopping');
      await sleep(this.host.timing.stop);
      p.step(90);
      await this.end('PoweredOff');
    });
  }

  powerButton(): void {
    this.requireState(['Running'], 'Invalid machine state');
    this.powerButtonHandled = this.core.settings.acpiEnabled;
    if (!this.powerButtonHandled || this.pendingShutdown) return;
    // The guest notices the ACPI event and shuts itself down after a moment.
    this.pendingShutdown = setTimeout(() => {
      this.pendingShutdown = null;
      if (this.ended || this.core.state !== 'Running') return;
      this.guest.shutdownServices();
      this.core.setState('Stopping');
      setTimeout(() => void this.end('PoweredOff'), this.host.timing.stop);
    }, this.host.timing.acpiShutdown);
  }

  pause(): void {
    this.requireState(['Running'], 'Cannot pause the machine as it is not running');
    this.core.setState('Paused');
  }

  resume(): void {
    this.requireState(['Paused'], 'Cannot resume the machine as it is not paused');
    this.core.setState('Running');
    this.countUp('/VirtualBox/VMInfo/ResumeCounter');
  }

  /** The guest reboots: TRANSRESET properties go (Console::i_guestPropertiesHandleVMReset) and its Additions start again. */
  reset(): void {
    this.requireState(['Running', 'Paused'], 'Invalid machine state');
    this.screen = this.newScreen();
    this.log.reset();
    this.guestProperties.reset();
    this.countUp('/VirtualBox/VMInfo/ResetCounter');
    this.guest.rebooted(this.additionsDelay);
  }

  saveState(): Progress {
    return Progress.run({ description: 'Saving the execution state of the virtual machine', initiator: this.console }, async (p) => {
      this.core.setState('Saving');
      await sleep(this.host.timing.save);
      p.step(80);
      this.core.savedScreen = this.screen.state();
      await this.end('Saved');
    });
  }

  /** Fault injection: the VM process dies. */
  crash(): Promise<void> {
    return this.end('Aborted');
  }

  /**
   * The host lost power: the process is gone at once, its connections reset (VRDE viewers, a teleport),
   * its listeners closed and ports given back, and nothing written: the machine's settings file keeps
   * what it said, and whatever was under way finds the process ended.
   */
  async vanish(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.log.close();
    if (this.pendingShutdown) clearTimeout(this.pendingShutdown);
    this.stopTeleportListener?.();
    for (const c of this.connections) c.reset();
    this.connections.clear();
    const vnc = this.vnc;
    this.vnc = null;
    if (vnc) {
      await vnc.close(true).catch(() => undefined);
      this.host.releasePort(this.vrdePort);
    }
  }
}

export class Console implements ManagedObject {
  readonly iface = 'IConsole';
  private readonly events = new EventSource();
  /** Transient shared folders (Console::m_mapSharedFolders): they go with the VM process. */
  private readonly folders = new TransientFolders();
  constructor(readonly vm: VM) {}
  getMachine() { return this.vm.core.primary; }
  getState() { return this.vm.core.state; }
  getDisplay() { return this.vm.display; }
  getEventSource() { return this.events; }
  getVRDEServerInfo() {
    const vnc = this.vm.vnc;
    return {
      active: !!vnc, port: this.vm.vrdePort, numberOfClients: vnc?.clients() ?? 0, beginTime: 0, endTime: 0,
      bytesSent: 0, bytesSentTotal: 0, bytesReceived: 0, bytesReceivedTotal: 0,
      user: '', domain: '', clientName: '', clientIP: '', clientVersion: 0, encryptionStyle: 0,
    };
  }
  powerDown() { return this.vm.powerDown(); }
  reset() { this.vm.reset(); }
  pause() { this.vm.pause(); }
  resume() { this.vm.resume(); }
  powerButton() { this.vm.powerButton(); }
  sleepButton() { this.vm.requireState(['Running'], 'Invalid machine state'); }
  getPowerButtonHandled() { return this.vm.powerButtonHandled; }
  getGuest() { return this.vm.guest; }
  // USB (issue 16 S4, usb.ts); no VRDE client brings remote devices here.
  getUSBDevices() { return this.vm.usb.getUSBDevices(); }
  getRemoteUSBDevices() { return []; }
  attachUSBDevice(id: string, captureFilename: string) { this.vm.usb.attachUSBDevice(id, captureFilename); }
  detachUSBDevice(id: string) { return this.vm.usb.detachUSBDevice(id); }
  findUSBDeviceByAddress(name: string) { return this.vm.usb.findUSBDeviceByAddress(name); }
  findUSBDeviceById(id: string) { return this.vm.usb.findUSBDeviceById(id); }

  /**
   * Console::i_onMediumChange → i_doMediumChange: the VM swaps the medium of a DVD or floppy drive.
   * A medium the guest has locked is taken out only with force (VERR_PDM_MEDIA_LOCKED otherwise).
   */
  mediumChange(a: AttachmentStruct, force: boolean, medium: Medium | null, hadMedium: boolean): void {
    if (this.vm.guestLocksMedia && hadMedium && !force) {
      fail('E_FAIL', medium
        ? `Could not mount the media/drive '${medium.rec.location}' (VERR_PDM_MEDIA_LOCKED)`
        : 'Could not unmount the currently mounted media/drive (VERR_PDM_MEDIA_LOCKED)', 'IConsole', 'Console');
    }
    this.events.fire(new MediumChangedEvent(this.events, a));
  }

  /** Console::i_onStorageDeviceChange: a device hot-plugged or unplugged (the guest told unless silent). */
  storageDeviceChange(a: AttachmentStruct, removed: boolean, silent: boolean): void {
    this.events.fire(new StorageDeviceChangedEvent(this.events, a, removed, silent));
  }

  storageControllerChange(machineId: string, name: string): void {
    this.events.fire(new StorageControllerChangedEvent(this.events, machineId, name));
  }

  bandwidthGroupChange(g: ManagedObject): void {
    this.events.fire(new BandwidthGroupChangedEvent(this.events, g));
  }
  // Devices (issue 16, S3): the console's events for live changes, and its transient shared folders.
  /** Console::i_onAudioAdapterChange (the VM switches input and output as set). */
  audioAdapterChange(a: ManagedObject): void { this.events.fire(new AudioAdapterChangedEvent(this.events, a)); }
  /** Console::i_onSerialPortChange (a new host mode re-attaches the port's driver). */
  serialPortChange(p: ManagedObject): void { this.events.fire(new SerialPortChangedEvent(this.events, p)); }
  parallelPortChange(p: ManagedObject): void { this.events.fire(new ParallelPortChangedEvent(this.events, p)); }
  /** Console::i_onSharedFolderChange (the machine's folders) and the console's own (Session). */
  sharedFolderChange(scope: 'Machine' | 'Session'): void { this.events.fire(new SharedFolderChangedEvent(this.events, scope)); }

  getSharedFolders() { return this.folders.list(); }

  /** Console::createSharedFolder / removeSharedFolder: not in a saved state nor while the state changes. */
  private transientState(verb: 'create' | 'remove'): void {
    const st = this.vm.core.state;
    const what = verb === 'create' ? 'create a transient shared folder on' : 'remove a transient shared folder from';
    const name = st === 'AbortedSaved' ? 'Aborted-Saved' : st === 'Stuck' ? 'GuruMeditation' : st;
    if (st === 'Saved' || st === 'AbortedSaved') {
      fail('VBOX_E_INVALID_VM_STATE', `Cannot ${what} a machine in a saved state (machine state: ${name})`, 'IConsole', 'Console');
    }
    if (!['PoweredOff', 'Teleported', 'Aborted', 'Running', 'Paused'].includes(st)) {
      fail('VBOX_E_INVALID_VM_STATE', `Cannot ${what} the machine while it is changing the state (machine state: ${name})`, 'IConsole', 'Console');
    }
  }

  createSharedFolder(name: string, hostPath: string, writable: boolean, automount: boolean, autoMountPoint: string) {
    this.transientState('create');
    this.folders.create(name, hostPath, writable, automount, autoMountPoint, (code, text) => fail(code, text, 'IConsole', 'Console'));
    this.sharedFolderChange('Session');
  }

  removeSharedFolder(name: string) {
    this.transientState('remove');
    this.folders.remove(name, (code, text) => fail(code, text, 'IConsole', 'Console'));
    this.sharedFolderChange('Session');
  }

  teleport(hostname: string, tcpport: number, password: string, maxDowntime: number) {
    this.vm.requireState(['Running', 'Paused'], 'Invalid machine state: must be Running or Paused to teleport');
    if (!hostname) fail('E_INVALIDARG', 'Argument hostname is empty', 'IConsole', 'Console');
    if (!tcpport || tcpport > 65535) fail('E_INVALIDARG', `Invalid port: ${tcpport}`, 'IConsole', 'Console');
    return this.vm.host.teleport(this.vm, hostname, tcpport, password, maxDowntime);
  }
}

export class Display implements ManagedObject {
  readonly iface = 'IDisplay';
  constructor(private readonly vm: VM) {}

  private checkScreen(screenId: number) {
    if (screenId !== 0) fail('E_INVALIDARG', `Invalid screen ID ${screenId}: the machine has 1 monitor`, 'IDisplay', 'Display');
  }

  getScreenResolution(screenId: number) {
    this.checkScreen(screenId);
    const s = this.vm.screen;
    return { width: s.width, height: s.height, bitsPerPixel: 32, xOrigin: 0, yOrigin: 0, guestMonitorStatus: 'Enabled' };
  }

  /** The screen as PNG or raw pixels, base64 on the wire (octet arrays are base64 in vboxwebsrv). */
  takeScreenShotToArray(screenId: number, width: number, height: number, format: string) {
    this.checkScreen(screenId);
    this.vm.requireState(['Running', 'Paused', 'Teleporting', 'LiveSnapshotting', 'OnlineSnapshotting', 'DeletingSnapshotOnline', 'DeletingSnapshotPaused', 'Saving'], 'Cannot take a screenshot of a machine that is not running');
    if (width > 8192 || height > 8192) fail('E_INVALIDARG', `Invalid screenshot size ${width}x${height}`, 'IDisplay', 'Display');
    const s = this.vm.screen;
    if (format === 'PNG') return s.png(width, height).toString('base64');
    if (!['BGR0', 'BGRA', 'RGBA'].includes(format)) {
      fail('E_NOTIMPL', `Bitmap format ${format} is not supported`, 'IDisplay', 'Display');
    }
    const w = width || s.width;
    const h = height || s.height;
    const src = s.render();
    const out = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) {
      const sy = Math.floor((y * s.height) / h);
      for (let x = 0; x < w; x++) {
        const si = (sy * s.width + Math.floor((x * s.width) / w)) * 4;
        const di = (y * w + x) * 4;
        const [b, g, r] = [src[si], src[si + 1], src[si + 2]];
        if (format === 'RGBA') { out[di] = r; out[di + 1] = g; out[di + 2] = b; } else { out[di] = b; out[di + 1] = g; out[di + 2] = r; }
        out[di + 3] = format === 'BGR0' ? 0 : 255;
      }
    }
    return out.toString('base64');
  }
}
