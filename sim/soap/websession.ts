import { randomBytes } from 'node:crypto';
import { InvalidObjectFault } from './faults';

/** Implemented by every simulated VirtualBox object: its interface name as the SDK spells it. */
export interface ManagedObject {
  readonly iface: string;
}

const hex16 = (n: bigint) => n.toString(16).padStart(16, '0');

/**
 * One client's logon, as vboxwebsrv keeps it: a random 64-bit id and a table of
 * managed object references "<websession id>-<object id>" (16 hex digits each),
 * one per object, valid only within this websession.
 */
export class Websession {
  readonly id: string;
  lastSeen = Date.now();
  private nextObjectId = 1n;
  private readonly byId = new Map<string, { obj: ManagedObject; iface: string }>();
  private readonly byObject = new Map<ManagedObject, string>();

  constructor() {
    this.id = hex16(randomBytes(8).readBigUInt64BE());
  }

  /**
   * The reference for an object handed out as `iface`, the type the operation declares (IEvent
   * for IEventSource_getEvent, IUnknown for IUnknown results). As vboxwebsrv's
   * createOrFindRefFromComPtr, an object keeps the reference, and the name, it was first handed out with.
   */
  refFor(obj: ManagedObject, iface: string): string {
    let ref = this.byObject.get(obj);
    if (!ref) {
      ref = `${this.id}-${hex16(this.nextObjectId++)}`;
      this.byId.set(ref, { obj, iface });
      this.byObject.set(obj, ref);
    }
    return ref;
  }

  lookup(ref: string): ManagedObject | undefined {
    return this.byId.get(ref)?.obj;
  }

  /** What IManagedObjectRef_getInterfaceName answers: the name the reference was made for. */
  interfaceName(ref: string): string | undefined {
    return this.byId.get(ref)?.iface;
  }

  release(ref: string): boolean {
    const entry = this.byId.get(ref);
    if (!entry) return false;
    this.byId.delete(ref);
    this.byObject.delete(entry.obj);
    return true;
  }

  get size(): number {
    return this.byId.size;
  }
}

/** All websessions of one host, with vboxwebsrv's idle timeout watchdog. */
export class WebsessionManager {
  private readonly sessions = new Map<string, Websession>();
  private readonly watchdog: NodeJS.Timeout | undefined;

  constructor(
    /** Idle seconds before a websession is logged off; 0 disables it, as with vboxwebsrv --timeout 0. */
    private readonly timeoutSec: number,
    checkIntervalSec = 5,
  ) {
    if (timeoutSec > 0) {
      this.watchdog = setInterval(() => this.expireIdle(), checkIntervalSec * 1000);
      this.watchdog.unref();
    }
  }

  create(): Websession {
    const ws = new Websession();
    this.sessions.set(ws.id, ws);
    return ws;
  }

  /** Finds the object behind a reference and touches its websession, or throws InvalidObjectFault. */
  resolve(ref: string): { ws: Websession; obj: ManagedObject } {
    // vboxwebsrv reads the two halves as hex numbers, so the case of the digits does not matter.
    const key = ref.toLowerCase();
    const ws = this.websessionOf(key);
    const obj = ws?.lookup(key);
    if (!ws || !obj) throw new InvalidObjectFault(ref);
    ws.lastSeen = Date.now();
    return { ws, obj };
  }

  websessionOf(ref: string): Websession | undefined {
    if (ref.length !== 33 || ref[16] !== '-') return undefined;
    return this.sessions.get(ref.slice(0, 16));
  }

  logoff(ws: Websession): void {
    this.sessions.delete(ws.id);
  }

  expireIdle(now = Date.now()): number {
    let n = 0;
    for (const ws of this.sessions.values()) {
      if (now - ws.lastSeen > this.timeoutSec * 1000) {
        this.sessions.delete(ws.id);
        n++;
      }
    }
    return n;
  }

  expireAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  get count(): number {
    return this.sessions.size;
  }

  close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.sessions.clear();
  }
}
