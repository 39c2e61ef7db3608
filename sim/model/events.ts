import { fail, type MachineState, type ManagedObject, type SessionState } from './base';

/** IEvent and its subtypes; the type names are VBoxEventType's. */
export class VBoxEvent implements ManagedObject {
  readonly iface: string = 'IEvent';
  private processed = false;
  constructor(readonly type: string, readonly source: EventSource) {}
  getType() { return this.type; }
  getSource() { return this.source; }
  getWaitable() { return false; }
  setProcessed() { this.processed = true; }
  waitProcessed(_timeout: number) { return true; }
  get isProcessed() { return this.processed; }
}

export class MachineEvent extends VBoxEvent {
  readonly iface: string = 'IMachineEvent';
  constructor(type: string, source: EventSource, readonly machineId: string) { super(type, source); }
  getMachineId() { return this.machineId; }
}

export class MachineStateChangedEvent extends MachineEvent {
  readonly iface: string = 'IMachineStateChangedEvent';
  constructor(source: EventSource, machineId: string, readonly state: MachineState) {
    super('OnMachineStateChanged', source, machineId);
  }
  getState() { return this.state; }
}

export class MachineRegisteredEvent extends MachineEvent {
  readonly iface: string = 'IMachineRegisteredEvent';
  constructor(source: EventSource, machineId: string, readonly registered: boolean) {
    super('OnMachineRegistered', source, machineId);
  }
  getRegistered() { return this.registered; }
}

export class MachineDataChangedEvent extends MachineEvent {
  readonly iface: string = 'IMachineDataChangedEvent';
  constructor(source: EventSource, machineId: string, readonly temporary: boolean) {
    super('OnMachineDataChanged', source, machineId);
  }
  getTemporary() { return this.temporary; }
}

export class SessionStateChangedEvent extends MachineEvent {
  readonly iface: string = 'ISessionStateChangedEvent';
  constructor(source: EventSource, machineId: string, readonly state: SessionState) {
    super('OnSessionStateChanged', source, machineId);
  }
  getState() { return this.state; }
}

export type SnapshotEventType = 'OnSnapshotTaken' | 'OnSnapshotDeleted' | 'OnSnapshotRestored' | 'OnSnapshotChanged';

/** ISnapshotEvent (an IMachineEvent): the base of the four snapshot events. */
export class SnapshotEvent extends MachineEvent {
  readonly iface: string = 'ISnapshotEvent';
  constructor(type: SnapshotEventType, source: EventSource, machineId: string, readonly snapshotId: string) {
    super(type, source, machineId);
  }
  getSnapshotId() { return this.snapshotId; }
  /** The dummy attribute the WSDL gives the (otherwise empty) event interfaces below. */
  getMidlDoesNotLikeEmptyInterfaces() { return false; }
}

export class SnapshotTakenEvent extends SnapshotEvent {
  readonly iface: string = 'ISnapshotTakenEvent';
  constructor(source: EventSource, machineId: string, snapshotId: string) { super('OnSnapshotTaken', source, machineId, snapshotId); }
}

export class SnapshotDeletedEvent extends SnapshotEvent {
  readonly iface: string = 'ISnapshotDeletedEvent';
  constructor(source: EventSource, machineId: string, snapshotId: string) { super('OnSnapshotDeleted', source, machineId, snapshotId); }
}

export class SnapshotRestoredEvent extends SnapshotEvent {
  readonly iface: string = 'ISnapshotRestoredEvent';
  constructor(source: EventSource, machineId: string, snapshotId: string) { super('OnSnapshotRestored', source, machineId, snapshotId); }
}

export class SnapshotChangedEvent extends SnapshotEvent {
  readonly iface: string = 'ISnapshotChangedEvent';
  constructor(source: EventSource, machineId: string, snapshotId: string) { super('OnSnapshotChanged', source, machineId, snapshotId); }
}

/** The class of each snapshot event type; its keys are also what the wildcard SnapshotEvent covers. */
const SNAPSHOT_EVENT_CLASSES: Record<SnapshotEventType, new (source: EventSource, machineId: string, snapshotId: string) => SnapshotEvent> = {
  OnSnapshotTaken: SnapshotTakenEvent, OnSnapshotDeleted: SnapshotDeletedEvent, OnSnapshotRestored: SnapshotRestoredEvent, OnSnapshotChanged: SnapshotChangedEvent,
};

export function snapshotEvent(type: SnapshotEventType, source: EventSource, machineId: string, snapshotId: string): SnapshotEvent {
  return new SNAPSHOT_EVENT_CLASSES[type](source, machineId, snapshotId);
}

export class ExtraDataChangedEvent extends VBoxEvent {
  readonly iface: string = 'IExtraDataChangedEvent';
  constructor(source: EventSource, readonly machineId: string, readonly key: string, readonly value: string) {
    super('OnExtraDataChanged', source);
  }
  /** The zero UUID for global extra data (VirtualBox's empty Guid). */
  getMachineId() { return this.machineId || '00000000-0000-0000-0000-000000000000'; }
  getKey() { return this.key; }
  getValue() { return this.value; }
}

// Storage events (issue 14): the IMediumAttachment they carry is the struct as it was when fired.
/** IMediumChangedEvent: a removable medium was mounted or ejected (OnMediumChanged). */
export class MediumChangedEvent extends VBoxEvent {
  readonly iface: string = 'IMediumChangedEvent';
  constructor(source: EventSource, readonly attachment: object) { super('OnMediumChanged', source); }
  getMediumAttachment() { return this.attachment; }
}

/** IStorageControllerChangedEvent (its attribute is spelt machinId in VirtualBox.xidl). */
export class StorageControllerChangedEvent extends VBoxEvent {
  readonly iface: string = 'IStorageControllerChangedEvent';
  constructor(source: EventSource, readonly machineId: string, readonly controllerName: string) { super('OnStorageControllerChanged', source); }
  getMachinId() { return this.machineId; }
  getControllerName() { return this.controllerName; }
}

/** IStorageDeviceChangedEvent: a device was attached or detached (hot-plugged on a running machine). */
export class StorageDeviceChangedEvent extends VBoxEvent {
  readonly iface: string = 'IStorageDeviceChangedEvent';
  constructor(source: EventSource, readonly attachment: object, readonly removed: boolean, readonly silent: boolean) {
    super('OnStorageDeviceChanged', source);
  }
  getStorageDevice() { return this.attachment; }
  getRemoved() { return this.removed; }
  getSilent() { return this.silent; }
}

/** IBandwidthGroupChangedEvent: a running machine's bandwidth limit changed (the console's event). */
export class BandwidthGroupChangedEvent extends VBoxEvent {
  readonly iface: string = 'IBandwidthGroupChangedEvent';
  constructor(source: EventSource, readonly group: ManagedObject) { super('OnBandwidthGroupChanged', source); }
  getBandwidthGroup() { return this.group; }
}

/** IMediumRegisteredEvent: a medium joined or left the media registry (OnMediumRegistered). */
export class MediumRegisteredEvent extends VBoxEvent {
  readonly iface: string = 'IMediumRegisteredEvent';
  constructor(source: EventSource, readonly mediumId: string, readonly mediumType: string, readonly registered: boolean) {
    super('OnMediumRegistered', source);
  }
  getMediumId() { return this.mediumId; }
  getMediumType() { return this.mediumType; }
  getRegistered() { return this.registered; }
}

/** IMediumConfigChangedEvent: a medium's settings changed (OnMediumConfigChanged). */
export class MediumConfigChangedEvent extends VBoxEvent {
  readonly iface: string = 'IMediumConfigChangedEvent';
  constructor(source: EventSource, readonly medium: ManagedObject) { super('OnMediumConfigChanged', source); }
  getMedium() { return this.medium; }
}

/** INetworkAdapterChangedEvent: a running machine's adapter changed (the console's event, Console::i_onNetworkAdapterChange). */
export class NetworkAdapterChangedEvent extends VBoxEvent {
  readonly iface: string = 'INetworkAdapterChangedEvent';
  constructor(source: EventSource, readonly adapter: ManagedObject) { super('OnNetworkAdapterChanged', source); }
  getNetworkAdapter() { return this.adapter; }
}

/** INATRedirectEvent: a NAT port-forwarding rule of a running machine was added or removed (VirtualBox's event source). */
export class NATRedirectEvent extends MachineEvent {
  readonly iface: string = 'INATRedirectEvent';
  constructor(
    source: EventSource, machineId: string, readonly slot: number, readonly remove: boolean,
    readonly rule: { name: string; proto: string; hostIP: string; hostPort: number; guestIP: string; guestPort: number },
  ) {
    super('OnNATRedirect', source, machineId);
  }
  getSlot() { return this.slot; }
  getRemove() { return this.remove; }
  getName() { return this.rule.name; }
  getProto() { return this.rule.proto; }
  getHostIP() { return this.rule.hostIP; }
  getHostPort() { return this.rule.hostPort; }
  getGuestIP() { return this.rule.guestIP; }
  getGuestPort() { return this.rule.guestPort; }
}

/** IGuestPropertyChangedEvent: a guest property of a machine changed or went (VirtualBox's and the console's event sources). */
export class GuestPropertyChangedEvent extends MachineEvent {
  readonly iface: string = 'IGuestPropertyChangedEvent';
  constructor(source: EventSource, machineId: string, readonly name: string, readonly value: string, readonly flags: string, readonly wasDeleted: boolean) {
    super('OnGuestPropertyChanged', source, machineId);
  }
  getName() { return this.name; }
  getValue() { return this.value; }
  getFlags() { return this.flags; }
  getFWasDeleted() { return this.wasDeleted; }
}

/** IHostNameResolutionConfigurationChangeEvent: the host's name servers, domain or search strings changed. */
export class HostNameResolutionConfigurationChangeEvent extends VBoxEvent {
  readonly iface: string = 'IHostNameResolutionConfigurationChangeEvent';
  constructor(source: EventSource) { super('OnHostNameResolutionConfigurationChange', source); }
  getMidlDoesNotLikeEmptyInterfaces() { return false; }
}

// NAT network events (issue 15), fired as VirtualBoxImpl.cpp and NATNetworkImpl.cpp fire them.
/** INATNetworkChangedEvent: the base of the NAT network events, naming the network. */
export class NATNetworkChangedEvent extends VBoxEvent {
  readonly iface: string = 'INATNetworkChangedEvent';
  constructor(type: string, source: EventSource, readonly networkName: string) { super(type, source); }
  getNetworkName() { return this.networkName; }
}

/** INATNetworkStartStopEvent: the network's VBoxNetNAT started or stopped (OnNATNetworkStartStop). */
export class NATNetworkStartStopEvent extends NATNetworkChangedEvent {
  readonly iface: string = 'INATNetworkStartStopEvent';
  constructor(source: EventSource, networkName: string, readonly startEvent: boolean) { super('OnNATNetworkStartStop', source, networkName); }
  getStartEvent() { return this.startEvent; }
}

/** INATNetworkAlterEvent: the base of the events that change a NAT network. */
export class NATNetworkAlterEvent extends NATNetworkChangedEvent {
  readonly iface: string = 'INATNetworkAlterEvent';
  getMidlDoesNotLikeEmptyInterfaces() { return false; }
}

/** INATNetworkCreationDeletionEvent (OnNATNetworkCreationDeletion). */
export class NATNetworkCreationDeletionEvent extends NATNetworkAlterEvent {
  readonly iface: string = 'INATNetworkCreationDeletionEvent';
  constructor(source: EventSource, networkName: string, readonly creationEvent: boolean) { super('OnNATNetworkCreationDeletion', source, networkName); }
  getCreationEvent() { return this.creationEvent; }
}

/** INATNetworkSettingEvent: a NAT network's settings as saved (OnNATNetworkSetting; every save of VirtualBox's settings fires one per network). */
export class NATNetworkSettingEvent extends NATNetworkAlterEvent {
  readonly iface: string = 'INATNetworkSettingEvent';
  constructor(source: EventSource, networkName: string, readonly enabled: boolean, readonly network: string, readonly gateway: string,
    readonly advertiseDefaultIPv6RouteEnabled: boolean, readonly needDhcpServer: boolean) {
    super('OnNATNetworkSetting', source, networkName);
  }
  getEnabled() { return this.enabled; }
  getNetwork() { return this.network; }
  getGateway() { return this.gateway; }
  getAdvertiseDefaultIPv6RouteEnabled() { return this.advertiseDefaultIPv6RouteEnabled; }
  getNeedDhcpServer() { return this.needDhcpServer; }
}

/** INATNetworkPortForwardEvent: a port-forwarding rule was added or removed (OnNATNetworkPortForward). */
export class NATNetworkPortForwardEvent extends NATNetworkAlterEvent {
  readonly iface: string = 'INATNetworkPortForwardEvent';
  constructor(source: EventSource, networkName: string, readonly create: boolean, readonly ipv6: boolean, readonly name: string,
    readonly proto: string, readonly hostIp: string, readonly hostPort: number, readonly guestIp: string, readonly guestPort: number) {
    super('OnNATNetworkPortForward', source, networkName);
  }
  getCreate() { return this.create; }
  getIpv6() { return this.ipv6; }
  getName() { return this.name; }
  getProto() { return this.proto; }
  getHostIp() { return this.hostIp; }
  getHostPort() { return this.hostPort; }
  getGuestIp() { return this.guestIp; }
  getGuestPort() { return this.guestPort; }
}

// Issue 16 S1: the console's events of live machine changes (Console::i_onCPUChange and friends).
export class CPUChangedEvent extends VBoxEvent {
  readonly iface: string = 'ICPUChangedEvent';
  /** FireCPUChangedEvent(mEventSource, aCPU, aRemove): VirtualBox passes "removed" as the attribute "add". */
  constructor(source: EventSource, readonly cpu: number, readonly add: boolean) { super('OnCPUChanged', source); }
  getCPU() { return this.cpu; }
  getAdd() { return this.add; }
}

export class CPUExecutionCapChangedEvent extends VBoxEvent {
  readonly iface: string = 'ICPUExecutionCapChangedEvent';
  constructor(source: EventSource, readonly executionCap: number) { super('OnCPUExecutionCapChanged', source); }
  getExecutionCap() { return this.executionCap; }
}

export class ClipboardModeChangedEvent extends VBoxEvent {
  readonly iface: string = 'IClipboardModeChangedEvent';
  constructor(source: EventSource, readonly clipboardMode: string) { super('OnClipboardModeChanged', source); }
  getClipboardMode() { return this.clipboardMode; }
}

export class DnDModeChangedEvent extends VBoxEvent {
  readonly iface: string = 'IDnDModeChangedEvent';
  constructor(source: EventSource, readonly dndMode: string) { super('OnDnDModeChanged', source); }
  getDndMode() { return this.dndMode; }
}

export class ClipboardFileTransferModeChangedEvent extends VBoxEvent {
  readonly iface: string = 'IClipboardFileTransferModeChangedEvent';
  constructor(source: EventSource, readonly enabled: boolean) { super('OnClipboardFileTransferModeChanged', source); }
  getEnabled() { return this.enabled; }
}

/** IHostPCIDevicePlugEvent (an IMachineEvent), on VirtualBox's event source. */
export class HostPCIDevicePlugEvent extends MachineEvent {
  readonly iface: string = 'IHostPCIDevicePlugEvent';
  constructor(source: EventSource, machineId: string, readonly plugged: boolean, readonly success: boolean,
    readonly attachment: unknown, readonly message: string) {
    super('OnHostPCIDevicePlug', source, machineId);
  }
  getPlugged() { return this.plugged; }
  getSuccess() { return this.success; }
  getAttachment() { return this.attachment; }
  getMessage() { return this.message; }
}

// USB (issue 16 S4): the console's events (Console::i_onUSBControllerChange, i_onUSBDeviceStateChange).
/** IUSBControllerChangedEvent (OnUSBControllerChanged). */
export class USBControllerChangedEvent extends VBoxEvent {
  readonly iface: string = 'IUSBControllerChangedEvent';
  constructor(source: EventSource) { super('OnUSBControllerChanged', source); }
  getMidlDoesNotLikeEmptyInterfaces() { return false; }
}

/** IUSBDeviceStateChangedEvent: a device was attached to or detached from the running machine (OnUSBDeviceStateChanged). */
export class USBDeviceStateChangedEvent extends VBoxEvent {
  readonly iface: string = 'IUSBDeviceStateChangedEvent';
  constructor(source: EventSource, readonly device: ManagedObject, readonly attached: boolean, readonly error: ManagedObject | null) {
    super('OnUSBDeviceStateChanged', source);
  }
  getDevice() { return this.device; }
  getAttached() { return this.attached; }
  getError() { return this.error; }
}

/** Event types that the wildcard MachineEvent covers (VirtualBox.xidl, VBoxEventType). */
const MACHINE_EVENTS = new Set([
  'OnMachineStateChanged', 'OnMachineDataChanged', 'OnExtraDataChanged', 'OnExtraDataCanChange',
  'OnMediumRegistered', 'OnMachineRegistered', 'OnSessionStateChanged', 'OnSnapshotTaken',
  'OnSnapshotDeleted', 'OnSnapshotChanged', 'OnGuestPropertyChanged', 'OnSnapshotRestored',
]);

/** Event types that the wildcard SnapshotEvent covers. */
const SNAPSHOT_EVENTS = new Set<string>(Object.keys(SNAPSHOT_EVENT_CLASSES));

/** Oldest events are dropped past this, so a listener nobody polls cannot grow without bound. */
const MAX_QUEUE = 10_000;

export class EventListener implements ManagedObject {
  readonly iface = 'IEventListener';
  queue: VBoxEvent[] = [];
  interesting = new Set<string>();
  registered = false;
  /** Registered as active: VirtualBox would call it back, which the web service cannot; it gets no events here. */
  active = false;
  waiters: Array<() => void> = [];

  wants(type: string): boolean {
    return this.interesting.has('Any') || this.interesting.has(type) ||
      (this.interesting.has('MachineEvent') && MACHINE_EVENTS.has(type)) ||
      (this.interesting.has('SnapshotEvent') && SNAPSHOT_EVENTS.has(type));
  }
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** IEventSource with passive listeners: clients long-poll getEvent. */
export class EventSource implements ManagedObject {
  readonly iface = 'IEventSource';
  private readonly listeners = new Set<EventListener>();

  createListener() { return new EventListener(); }

  /**
   * EventSource::registerListener. An active listener is taken, as VirtualBox does, though over the
   * web service nothing can call it back: getEvent then answers "Listener must be passive".
   */
  registerListener(listener: EventListener, interesting: string[], active: boolean) {
    if (this.listeners.has(listener)) fail('E_INVALIDARG', 'This listener already registered', 'IEventSource');
    listener.interesting = new Set(interesting);
    listener.registered = true;
    listener.active = active;
    this.listeners.add(listener);
  }

  unregisterListener(listener: EventListener) {
    if (!this.listeners.delete(listener)) {
      fail('VBOX_E_OBJECT_NOT_FOUND', 'Listener was never registered', 'IEventSource');
    }
    listener.registered = false;
    listener.queue = [];
    listener.wake();
  }

  /** Waits up to `timeout` ms (negative: forever) for the listener's next event; null when none came. */
  async getEvent(listener: EventListener, timeout: number): Promise<VBoxEvent | null> {
    if (!this.listeners.has(listener)) fail('VBOX_E_OBJECT_NOT_FOUND', 'Listener was never registered', 'IEventSource');
    if (listener.active) fail('VBOX_E_INVALID_OBJECT_STATE', 'Listener must be passive', 'IEventSource');
    if (!listener.queue.length && timeout !== 0) {
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(timer); resolve(); };
        const timer = timeout > 0 ? setTimeout(() => {
          listener.waiters = listener.waiters.filter((w) => w !== done);
          resolve();
        }, timeout) : undefined;
        listener.waiters.push(done);
      });
    }
    return listener.queue.shift() ?? null;
  }

  eventProcessed(listener: EventListener, event: VBoxEvent) {
    if (!this.listeners.has(listener)) fail('VBOX_E_OBJECT_NOT_FOUND', 'Listener was never registered', 'IEventSource');
    if (listener.active) fail('E_INVALIDARG', 'Only applicable to passive listeners', 'IEventSource');
    event.setProcessed();
  }

  fire(event: VBoxEvent): void {
    for (const l of this.listeners) {
      if (l.active || !l.wants(event.type)) continue;
      l.queue.push(event);
      if (l.queue.length > MAX_QUEUE) l.queue.shift();
      l.wake();
    }
  }

  get listenerCount(): number { return this.listeners.size; }

  /** Every listener goes (their clients' websessions are gone, as when the host loses power); waiting getEvent calls return. */
  clear(): void {
    for (const l of this.listeners) {
      l.registered = false;
      l.queue = [];
      l.wake();
    }
    this.listeners.clear();
  }
}


// Device events of a running machine's console (issue 16, S3): Console::i_onSerialPortChange and friends.
/** ISerialPortChangedEvent (OnSerialPortChanged). */
export class SerialPortChangedEvent extends VBoxEvent {
  readonly iface: string = 'ISerialPortChangedEvent';
  constructor(source: EventSource, readonly port: ManagedObject) { super('OnSerialPortChanged', source); }
  getSerialPort() { return this.port; }
}

/** IParallelPortChangedEvent (OnParallelPortChanged). */
export class ParallelPortChangedEvent extends VBoxEvent {
  readonly iface: string = 'IParallelPortChangedEvent';
  constructor(source: EventSource, readonly port: ManagedObject) { super('OnParallelPortChanged', source); }
  getParallelPort() { return this.port; }
}

/** IAudioAdapterChangedEvent (OnAudioAdapterChanged). */
export class AudioAdapterChangedEvent extends VBoxEvent {
  readonly iface: string = 'IAudioAdapterChangedEvent';
  constructor(source: EventSource, readonly adapter: ManagedObject) { super('OnAudioAdapterChanged', source); }
  getAudioAdapter() { return this.adapter; }
}

/** ISharedFolderChangedEvent (OnSharedFolderChanged): the machine's folders (Machine) or the console's transient ones (Session). */
export class SharedFolderChangedEvent extends VBoxEvent {
  readonly iface: string = 'ISharedFolderChangedEvent';
  constructor(source: EventSource, readonly scope: 'Global' | 'Machine' | 'Session') { super('OnSharedFolderChanged', source); }
  getScope() { return this.scope; }
}

/** IVRDEServerChangedEvent (OnVRDEServerChanged): the VM restarted or stopped its server after a settings change. */
export class VRDEServerChangedEvent extends VBoxEvent {
  readonly iface: string = 'IVRDEServerChangedEvent';
  constructor(source: EventSource) { super('OnVRDEServerChanged', source); }
  getMidlDoesNotLikeEmptyInterfaces() { return false; }
}

/** IVRDEServerInfoChangedEvent (OnVRDEServerInfoChanged): the server bound its port (ConsoleVRDPServer's VRDE_SP_NETWORK_BIND_PORT). */
export class VRDEServerInfoChangedEvent extends VBoxEvent {
  readonly iface: string = 'IVRDEServerInfoChangedEvent';
  constructor(source: EventSource) { super('OnVRDEServerInfoChanged', source); }
  getMidlDoesNotLikeEmptyInterfaces() { return false; }
}
