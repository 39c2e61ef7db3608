/**
 * lib/coord: what several Nimbox instances on one PostgreSQL agree on (issue 19).
 *
 * - lease(name): one instance at a time holds a named lease (a host's event listener `host:<id>`, the HA
 *   manager `ha`, …); another takes it over within seconds when the holder dies.
 * - publish/subscribe: a message to every instance (this one's subscribers at once, others' over LISTEN/NOTIFY).
 * - alive(): the instances whose heartbeat is recent (a dead one's running tasks are adopted by a live one).
 *
 * On SQLite there is one instance: leases are held at once, messages stay in the process.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { dialectOf, getDb, type DB } from '@/lib/db';

export interface LeaseHandlers {
  /** This instance became the holder. */
  acquired(): void | Promise<void>;
  /** This instance stopped being the holder (renewal failed, released, shutdown): stop the work at once. */
  lost(): void | Promise<void>;
}

export interface Coord {
  /** This process's id: `<hostname>-<pid>-<random>`. */
  readonly instanceId: string;
  /** True on PostgreSQL, where other instances may share the database. */
  readonly shared: boolean;
  /** Competes for lease `name` until the returned release() (or stop()); handlers are called as the lease comes and goes. */
  lease(name: string, handlers: LeaseHandlers): () => Promise<void>;
  /** Whether this instance holds `name` now. */
  holds(name: string): boolean;
  /** The instance holding `name`, or null. */
  holder(name: string): Promise<string | null>;
  /** Sends a JSON message to every instance's subscribers of `channel`: this instance's synchronously, others' after NOTIFY. */
  publish(channel: string, payload: unknown): void;
  /** `fn(payload, from)` for each message on `channel` (`from`: the sending instance). Returns the unsubscribe function. */
  subscribe(channel: string, fn: (payload: unknown, from: string) => void): () => void;
  /** The instances alive now (this one included). */
  alive(): Promise<string[]>;
  /** Releases every lease (lost() is called) and stops listening. */
  stop(): Promise<void>;
}

/** The channel a local message tells subscribers they may have missed messages on (PostgreSQL's LISTEN was re-established). */
export const RESYNC_CHANNEL = 'coord:resync';

/** A wait that does not keep the process alive (coordination's retries and polls). */
export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export const newInstanceId = () => `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

/** Delivers to this process's subscribers; a throwing subscriber does not keep the message from the others. */
export class LocalBus {
  private readonly events = new EventEmitter().setMaxListeners(0);

  deliver(channel: string, payload: unknown, from: string): void {
    for (const fn of this.events.listeners(channel) as Array<(p: unknown, f: string) => void>) {
      try {
        fn(payload, from);
      } catch (e) {
        console.error(JSON.stringify({ level: 'error', msg: `coord: a subscriber of ${channel} failed`, error: (e as Error).message }));
      }
    }
  }

  subscribe(channel: string, fn: (payload: unknown, from: string) => void): () => void {
    this.events.on(channel, fn);
    return () => void this.events.off(channel, fn);
  }
}

/** One instance alone (SQLite): every lease is this instance's from the start. */
export class SoloCoord implements Coord {
  readonly shared = false;
  private readonly bus = new LocalBus();
  private readonly held = new Map<string, LeaseHandlers>();

  constructor(readonly instanceId = newInstanceId()) {}

  lease(name: string, handlers: LeaseHandlers): () => Promise<void> {
    if (this.held.has(name)) throw new Error(`coord: lease ${name} is already being competed for in this process`);
    this.held.set(name, handlers);
    void Promise.resolve().then(() => handlers.acquired()).catch((e) => console.error(JSON.stringify({ level: 'error', msg: `coord: lease ${name}: acquired() failed`, error: (e as Error).message })));
    return async () => {
      if (this.held.get(name) !== handlers) return;
      this.held.delete(name);
      await handlers.lost();
    };
  }

  holds(name: string): boolean {
    return this.held.has(name);
  }

  async holder(name: string): Promise<string | null> {
    return this.held.has(name) ? this.instanceId : null;
  }

  publish(channel: string, payload: unknown): void {
    this.bus.deliver(channel, payload, this.instanceId);
  }

  subscribe(channel: string, fn: (payload: unknown, from: string) => void): () => void {
    return this.bus.subscribe(channel, fn);
  }

  async alive(): Promise<string[]> {
    return [this.instanceId];
  }

  async stop(): Promise<void> {
    const all = [...this.held.values()];
    this.held.clear();
    await Promise.all(all.map((h) => h.lost()));
  }
}

/** The coordination of `db`: PostgreSQL's shared one, or SQLite's solo one. */
export async function openCoord(db: DB): Promise<Coord> {
  if (dialectOf(db) === 'sqlite') return new SoloCoord();
  const { PostgresCoord } = await import('./postgres');
  return PostgresCoord.start(db);
}

// One per process, on globalThis: Next's route bundles and the custom server share it.
const g = globalThis as typeof globalThis & { __nimboxCoord?: Promise<Coord> };

export function getCoord(): Promise<Coord> {
  g.__nimboxCoord ??= getDb().then(openCoord);
  return g.__nimboxCoord;
}

/** The process's coordination if something opened it, without opening it (shutdown). */
export async function currentCoord(): Promise<Coord | undefined> {
  return g.__nimboxCoord;
}
