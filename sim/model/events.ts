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

