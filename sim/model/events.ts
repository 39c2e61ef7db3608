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
  getMachineId() { return this.machineId; }
  getKey() { return this.key; }
  getValue() { return this.value; }
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

  registerListener(listener: EventListener, interesting: string[], active: boolean) {
    if (active) {
      // Active listeners need a callback into the client, which SOAP cannot carry.
      fail('E_INVALIDARG', 'Active listeners are not supported over the web service', 'IEventSource', 'EventSource');
    }
    listener.interesting = new Set(interesting);
    listener.registered = true;
    this.listeners.add(listener);
  }

  unregisterListener(listener: EventListener) {
    if (!this.listeners.delete(listener)) {
      fail('VBOX_E_OBJECT_NOT_FOUND', 'Listener was never registered', 'IEventSource', 'EventSource');
    }
    listener.registered = false;
    listener.queue = [];
    listener.wake();
  }

  /** Waits up to `timeout` ms (negative: forever) for the listener's next event; null when none came. */
  async getEvent(listener: EventListener, timeout: number): Promise<VBoxEvent | null> {
    if (!this.listeners.has(listener)) {
      fail('VBOX_E_OBJECT_NOT_FOUND', 'Listener was never registered', 'IEventSource', 'EventSource');
    }
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

  eventProcessed(_listener: EventListener, event: VBoxEvent) { event.setProcessed(); }

  fire(event: VBoxEvent): void {
    for (const l of this.listeners) {
      if (!l.wants(event.type)) continue;
      l.queue.push(event);
      if (l.queue.length > MAX_QUEUE) l.queue.shift();
      l.wake();
    }
  }

  get listenerCount(): number { return this.listeners.size; }
}

