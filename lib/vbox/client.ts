/**
 * VBoxClient: one host's websession. Logs on at first use, logs on again when the websession is
 * gone (idle timeout, vboxwebsrv restarted) — transparently for reads, never behind a write's back —
 * and releases the transient references a scope obtained.
 *
 * References and their cost. vboxwebsrv keeps every managed object reference it hands out until the
 * websession ends (logoff or idle timeout); a client that keeps polling (inventory, progress, events)
 * without releasing piles them up in vboxwebsrv. Releasing costs one IManagedObjectRef_release call
 * per reference. Hence:
 *
 * - `scope(fn)` (or `read/write(fn, { release: true })`) records every reference received while fn
 *   runs and releases them after fn's result is handed back, once no scope is running: a scope
 *   that starts while releases are on the wire waits for them, so it can never be handed a
 *   reference that is about to die (vboxwebsrv gives the same reference for the same object).
 *   Use it for repeated work on transient objects: per-request getters (host, network
 *   adapters, VRDE server, storage controllers), sessions, progresses, events.
 * - Without a scope nothing is released: right for long-lived references (the machines an inventory
 *   holds) and for one-off work followed by logoff() (which frees everything at once).
 * - A reference is one per object per websession: the machine an inventory holds and the same
 *   machine found again inside a scope are the same reference. So a scope never releases a
 *   reference that was also obtained outside any scope, nor one another running scope still uses,
 *   nor objects returned by fn (it keeps those); `keep(obj)` exempts more.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type tls from 'node:tls';
import { InvalidObjectError, TransportError, websessionOf } from './errors';
import { IManagedObjectRef, type ObjectContext, type RefObserver } from './managed';
import { IVirtualBox, IWebsessionManager } from './objects';
import { Transport, type CallObserver, type VBoxLogger } from './transport';

export interface VBoxClientOptions {
  /** vboxwebsrv endpoint, e.g. http://host:18083/ */
  url: string;
  username: string;
  password: string;
  /** Connections, so calls in flight, at most (default 8); the rest queue. See TransportOptions. */
  maxConnections?: number;
  /** Default per-call timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** How long a read waits for vboxwebsrv to answer again after a refused or reset connection (default 2 000 ms). */
  reconnectWindowMs?: number;
  tls?: tls.ConnectionOptions;
  logger?: VBoxLogger;
  /** Told of every call but long polls: see TransportOptions.onCall. */
  onCall?: CallObserver;
}

export interface RelogonEvent {
  /** The new websession id. */
  websession: string;
  /** The websession that was lost. */
  previous: string;
  /** websession-lost: InvalidObjectFault for the websession (idle timeout, logged off); server-restarted: after a lost connection the websession was gone. */
  reason: 'websession-lost' | 'server-restarted';
}

export interface RunOptions {
  /** Release the references obtained while fn runs (see the module comment). */
  release?: boolean;
}

export type VBoxFn<T> = (vbox: IVirtualBox, manager: IWebsessionManager) => Promise<T>;

class Scope {
  readonly refs = new Set<string>();
  readonly keep = new Set<string>();
  /** Work fn left running past its end (not awaited) lands here: such references are kept. */
  ended = false;
}

const RECENTLY_RELEASED_MAX = 4096;
const PROBE_TIMEOUT_MS = 5_000;

type Verdict = 'throw' | 'retry' | 'relogon';

export class VBoxClient {
  readonly url: string;
  readonly transport: Transport;
  private readonly opts: VBoxClientOptions;
  private readonly ctx: ObjectContext;
  private readonly manager: IWebsessionManager;
  /** For logon only: the root reference is never tracked by a scope. */
  private readonly bareManager: IWebsessionManager;
  private readonly als = new AsyncLocalStorage<Scope>();
  private root: IVirtualBox | null = null;
  private logonPromise: Promise<IVirtualBox> | null = null;
  /** The websession found gone; the next logon reports the re-logon. */
  private lost: { previous: string; reason: RelogonEvent['reason'] } | null = null;
  private readonly relogonListeners = new Set<(e: RelogonEvent) => void | Promise<void>>();
  /** References obtained outside any scope: never released by a scope. */
  private kept = new Set<string>();
  /** How many running scopes hold each reference. */
  private scoped = new Map<string, number>();
  /** Scopes running now, the references waiting to be released, and the release batch on the wire. */
  private activeScopes = 0;
  private readonly pendingRelease = new Set<string>();
  private releasing: Promise<void> | null = null;
  private recentlyReleased = new Set<string>();
  private readonly logger?: VBoxLogger;

  constructor(opts: VBoxClientOptions) {
    this.opts = opts;
    this.logger = opts.logger;
    this.transport = new Transport({ url: opts.url, maxConnections: opts.maxConnections, timeoutMs: opts.timeoutMs, tls: opts.tls, logger: opts.logger, onCall: opts.onCall });
    this.url = this.transport.url;
    const refs: RefObserver = { seen: (ref) => this.seen(ref), released: (ref) => this.forget(ref) };
    this.ctx = { caller: this.transport, refs };
    this.manager = new IWebsessionManager(this.ctx);
    this.bareManager = new IWebsessionManager({ caller: this.transport });
  }

  /** The current websession id, or null before logon / after logoff. */
  get websession(): string | null {
    return this.root ? websessionOf(this.root.ref) : null;
  }

  /** Logs on unless logged on already; concurrent callers share one logon. */
  async logon(): Promise<IVirtualBox> {
    if (this.root) return this.root;
    return (this.logonPromise ??= this.doLogon());
  }

  /** Runs fn with the IVirtualBox of the current websession; when the websession turns out gone, logs on again and runs fn once more. */
  read<T>(fn: VBoxFn<T>, opts: RunOptions = {}): Promise<T> {
    return this.run(fn, true, !!opts.release);
  }

  /** Runs fn once: a fault, a lost websession or a lost connection goes to the caller (the next call logs on again). */
  write<T>(fn: VBoxFn<T>, opts: RunOptions = {}): Promise<T> {
    return this.run(fn, false, !!opts.release);
  }

  /** read(fn) that releases the references fn obtained once it is done. */
  scope<T>(fn: VBoxFn<T>): Promise<T> {
    return this.run(fn, true, true);
  }

  /** Keeps objects obtained in the running scope from being released at its end. */
  keep(...objects: (IManagedObjectRef | null | undefined)[]): void {
    const scope = this.als.getStore();
    for (const o of objects) {
      if (!o) continue;
      scope?.keep.add(o.ref);
      this.kept.add(o.ref);
    }
  }

  /** Subscribes to re-logons (the references of the old websession are dead); returns the unsubscribe function. */
  onRelogon(cb: (e: RelogonEvent) => void | Promise<void>): () => void {
    this.relogonListeners.add(cb);
    return () => this.relogonListeners.delete(cb);
  }

  /** Ends the websession (best effort; errors are logged, not thrown). The next call logs on again. */
  async logoff(): Promise<void> {
    const pending = this.logonPromise;
    if (pending) await pending.catch(() => undefined);
    const root = this.root;
    this.root = null;
    this.lost = null;
    this.resetRefs();
    if (!root) return;
    try {
      await this.transport.call('IWebsessionManager_logoff', { refIVirtualBox: root.ref }, { timeoutMs: Math.min(this.transport.timeoutMs || 5_000, 5_000) });
    } catch (e) {
      this.logger?.warn({ url: this.url, err: (e as Error).message }, 'vbox: logoff failed');
    }
  }

  /** logoff() and close the connections; the client is not to be used afterwards. */
  async close(): Promise<void> {
    await this.logoff();
    this.transport.close();
  }

  // --- running fn

  private async run<T>(fn: VBoxFn<T>, retry: boolean, release: boolean): Promise<T> {
    let vbox = await this.logon();
    try {
      return await this.invoke(fn, vbox, release);
    } catch (e) {
      const verdict = await this.diagnose(e, vbox, retry);
      if (!retry || verdict === 'throw') throw e;
      vbox = await this.logon();
      this.logger?.info({ url: this.url, err: (e as Error).message, verdict }, 'vbox: read retried');
      return await this.invoke(fn, vbox, release);
    }
  }

  private async invoke<T>(fn: VBoxFn<T>, vbox: IVirtualBox, release: boolean): Promise<T> {
    if (!release) return this.als.exit(() => fn(vbox, this.manager));
    while (this.releasing) await this.releasing;
    this.activeScopes++;
    const scope = new Scope();
    try {
      const result = await this.als.run(scope, () => fn(vbox, this.manager));
      this.keepResult(scope, result, 0);
      return result;
    } finally {
      this.activeScopes--;
      this.endScope(scope);
    }
  }

  /** Sends the pending releases while no scope runs; scopes starting meanwhile wait for them. */
  private flushReleases(): void {
    if (this.releasing || this.activeScopes > 0 || this.pendingRelease.size === 0) return;
    const current = this.websession;
    const refs = [...this.pendingRelease].filter((r) => !this.kept.has(r) && !this.scoped.has(r) && !!current && websessionOf(r) === current);
    this.pendingRelease.clear();
    for (const ref of refs) this.noteReleased(ref);
    this.releasing = Promise.all(refs.map((ref) => this.transport.call('IManagedObjectRef_release', { _this: ref }).catch(() => undefined)))
      .then(() => {
        this.releasing = null;
        this.flushReleases();
      });
  }

  /**
   * Whether an error means the websession is gone. For an InvalidObjectError of this attempt's
   * websession, one probe call on the root reference tells a lost websession from a lost object.
   * For a refused/reset connection (reads only), probes until vboxwebsrv answers or the window ends.
   */
  private async diagnose(e: unknown, vbox: IVirtualBox, retry: boolean): Promise<Verdict> {
    if (e instanceof InvalidObjectError) {
      if (e.websession !== websessionOf(vbox.ref)) {
        // A reference from another websession: the caller holds objects of a websession that is gone.
        if (e.websession !== this.websession) e.staleWebsession = true;
        return 'throw';
      }
      if (this.root && this.root !== vbox) return 'retry'; // another caller logged on again meanwhile
      if (this.recentlyReleased.has(e.badObjectID)) return 'retry'; // a scope released it under us
      const alive = await this.probe(vbox);
      if (alive !== 'gone') return 'throw';
      this.drop(vbox, 'websession-lost');
      return 'relogon';
    }
    if (retry && e instanceof TransportError && (e.kind === 'refused' || e.kind === 'reset')) {
      const deadline = Date.now() + (this.opts.reconnectWindowMs ?? 2_000);
      for (;;) {
        const alive = await this.probe(vbox);
        if (alive === true) return 'retry';
        if (alive === 'gone') {
          this.drop(vbox, 'server-restarted');
          return 'relogon';
        }
        const left = deadline - Date.now();
        if (left <= 0) return 'throw';
        await new Promise((r) => setTimeout(r, Math.min(250, left)));
      }
    }
    return 'throw';
  }

  /** true: the websession answers; 'gone': it does not exist any more; 'down': vboxwebsrv does not answer. */
  private async probe(vbox: IVirtualBox): Promise<true | 'gone' | 'down'> {
    try {
      await this.transport.call('IVirtualBox_getAPIVersion', { _this: vbox.ref }, { timeoutMs: PROBE_TIMEOUT_MS });
      return true;
    } catch (e) {
      if (e instanceof InvalidObjectError) return 'gone';
      if (e instanceof TransportError) return 'down';
      return true;
    }
  }

  private drop(vbox: IVirtualBox, reason: RelogonEvent['reason']): void {
    if (this.root !== vbox) return;
    this.root = null;
    this.lost = { previous: websessionOf(vbox.ref), reason };
    this.resetRefs();
  }

  private async doLogon(): Promise<IVirtualBox> {
    try {
      const bare = await this.bareManager.logon(this.opts.username, this.opts.password);
      const vbox = new IVirtualBox(this.ctx, bare.ref);
      const after = this.lost;
      this.lost = null;
      this.resetRefs();
      this.kept.add(vbox.ref);
      this.root = vbox;
      const websession = websessionOf(vbox.ref);
      if (after) {
        this.logger?.info({ url: this.url, websession, previous: after.previous, reason: after.reason }, 'vbox: logged on again');
        const event: RelogonEvent = { websession, previous: after.previous, reason: after.reason };
        for (const cb of this.relogonListeners) {
          try {
            Promise.resolve(cb(event)).catch((err: unknown) => this.logger?.warn({ url: this.url, err: String(err) }, 'vbox: onRelogon callback failed'));
          } catch (err) {
            this.logger?.warn({ url: this.url, err: String(err) }, 'vbox: onRelogon callback failed');
          }
        }
      } else {
        this.logger?.debug({ url: this.url, websession }, 'vbox: logged on');
      }
      return vbox;
    } finally {
      this.logonPromise = null;
    }
  }

  // --- reference bookkeeping for scopes

  private seen(ref: string): void {
    const scope = this.als.getStore();
    if (!scope || scope.ended) {
      this.kept.add(ref);
    } else if (!scope.refs.has(ref)) {
      scope.refs.add(ref);
      this.scoped.set(ref, (this.scoped.get(ref) ?? 0) + 1);
    }
  }

  private forget(ref: string): void {
    this.kept.delete(ref);
    this.noteReleased(ref);
  }

  private noteReleased(ref: string): void {
    this.recentlyReleased.add(ref);
    if (this.recentlyReleased.size > RECENTLY_RELEASED_MAX) {
      const oldest = this.recentlyReleased.values().next().value;
      if (oldest !== undefined) this.recentlyReleased.delete(oldest);
    }
  }

  private resetRefs(): void {
    this.kept = new Set();
    this.scoped = new Map();
    this.pendingRelease.clear();
    this.recentlyReleased = new Set();
  }

  /** Objects fn hands back are the caller's now: not released (looks two levels into arrays and plain objects). */
  private keepResult(scope: Scope, value: unknown, depth: number): void {
    if (value instanceof IManagedObjectRef) {
      scope.keep.add(value.ref);
      this.kept.add(value.ref);
    } else if (depth < 3 && value && typeof value === 'object') {
      const items = Array.isArray(value) ? value : Object.getPrototypeOf(value) === Object.prototype ? Object.values(value) : [];
      for (const v of items) this.keepResult(scope, v, depth + 1);
    }
  }

  private endScope(scope: Scope): void {
    scope.ended = true;
    const current = this.websession;
    const rootRef = this.root?.ref;
    for (const ref of scope.refs) {
      const n = (this.scoped.get(ref) ?? 1) - 1;
      if (n > 0) {
        this.scoped.set(ref, n);
        continue;
      }
      this.scoped.delete(ref);
      if (scope.keep.has(ref) || this.kept.has(ref) || ref === rootRef || !current || websessionOf(ref) !== current) continue;
      this.pendingRelease.add(ref);
    }
    this.flushReleases();
  }
}
