/**
 * The keep-alive connections to one vboxwebsrv, shaped by how it serves them (vboxweb.cpp, SoapQ):
 * each connection is served by one worker thread of its own for as long as it stays open, holding
 * that thread up to 60 s while it idles; a new thread starts only when a connection arrives while no
 * thread is idle, one per arrival at most, so a burst of new connections waits on threads that other
 * connections hold. Hence:
 *
 * - connections grow one at a time: a new one opens only once the previous new one has answered
 *   (its worker thread has taken it), so each arrival finds an idle thread or starts one; a
 *   connection vboxwebsrv ended after answering (its 100th request, a fault) is replaced at once,
 *   since its thread is idle again;
 * - a connection idle for `idleMs` (about a second) is closed, handing its thread back;
 * - at most `maxConnections` are open: the share of the host's threads (`--threads`, 100) that
 *   Nimbox may hold, since other clients (phpVirtualBox, scripts, other Nimbox instances) need them too.
 *
 * Calls wait here for a connection (normal calls before low-priority ones); each connection carries
 * one call at a time.
 */
import net from 'node:net';
import tls from 'node:tls';

export class Connection {
  /** Answered at least once: a worker thread of vboxwebsrv serves it. */
  proven = false;
  idleTimer: NodeJS.Timeout | undefined;
  constructor(readonly socket: net.Socket) {}

  /** Still fit for another request (a response with `Connection: close`, a fault, or an error ends it). */
  get usable(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }
}

interface Waiter {
  resolve: (c: Connection) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export interface PoolOptions {
  endpoint: URL;
  maxConnections: number;
  idleMs: number;
  tls?: tls.ConnectionOptions;
}

export interface PoolStats {
  /** Connections open now (busy, idle, or the new one not yet proven). */
  connections: number;
  /** Connections opened since the pool was made. */
  opened: number;
  /** Connections carrying a call now. */
  inFlight: number;
  /** Highest inFlight so far (since the last resetStats). */
  maxInFlight: number;
  queued: number;
}

export class ConnectionPool {
  private readonly open = new Set<Connection>();
  /** Free connections, the most recently freed last (taken first, so that the others can age out). */
  private readonly idle: Connection[] = [];
  /** The new connection that has not answered yet; no other opens meanwhile. */
  private growing: Connection | null = null;
  /**
   * Connections vboxwebsrv ended after answering (its keep-alive maximum, or a fault) while calls wait:
   * their worker threads are idle again, so as many replacements may open at once, without waiting
   * on the growth of new ones.
   */
  private replacements = 0;
  private readonly normal: Waiter[] = [];
  private readonly low: Waiter[] = [];
  private inFlight = 0;
  private maxInFlight = 0;
  private opened = 0;
  private closed = false;

  constructor(private readonly opts: PoolOptions) {}

  stats(): PoolStats {
    return { connections: this.open.size, opened: this.opened, inFlight: this.inFlight, maxInFlight: this.maxInFlight, queued: this.normal.length + this.low.length };
  }

  resetStats(): void {
    this.maxInFlight = this.inFlight;
    this.opened = 0;
  }

  /** A connection for one call; 'low' calls get one only when no normal call waits. */
  acquire(priority: 'normal' | 'low', signal?: AbortSignal): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Connection>((resolve, reject) => {
      const w: Waiter = { resolve, reject, signal };
      const queue = priority === 'low' ? this.low : this.normal;
      if (signal) {
        w.onAbort = () => {
          const i = queue.indexOf(w);
          if (i >= 0) queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      queue.push(w);
      this.pump();
    });
  }

  /** An idle connection at once, without a promise, when one is free and no call waits before it; else null. */
  take(priority: 'normal' | 'low'): Connection | null {
    if (this.closed || this.normal.length || (priority === 'low' && this.low.length)) return null;
    const c = this.idle.pop();
    if (!c) return null;
    this.lend(c);
    return c;
  }

  /** Hands `c` to a call: its idle timer stops, and it keeps the process alive while the call runs. */
  private lend(c: Connection): void {
    clearTimeout(c.idleTimer);
    c.socket.ref();
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }

  /** The connection answered for the first time: the next one may open. */
  proven(c: Connection): void {
    c.proven = true;
    if (this.growing === c) this.growing = null;
    this.pump();
  }

  /** The call on `c` is over: the connection serves the next waiting call, idles, or is dropped when unusable. */
  release(c: Connection): void {
    this.inFlight--;
    if (!c.usable || this.closed) {
      if (c.proven && !this.closed) this.replacements++;
      c.socket.destroy();
      this.drop(c);
      return;
    }
    c.socket.unref();
    this.idle.push(c);
    c.idleTimer = setTimeout(() => c.socket.destroy(), this.opts.idleMs);
    c.idleTimer.unref();
    this.pump();
  }

  /** Closes every connection and fails the waiting calls; calls in flight end on their own. */
  close(reason: unknown): void {
    this.closed = true;
    for (const w of [...this.normal.splice(0), ...this.low.splice(0)]) {
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
    for (const c of this.idle.splice(0)) c.socket.destroy();
  }

  private pump(): void {
    for (;;) {
      const queue = this.normal.length ? this.normal : this.low;
      if (!queue.length || this.closed) {
        this.replacements = 0;
        return;
      }
      let c = this.idle.pop();
      if (!c) {
        if (this.open.size >= this.opts.maxConnections) return;
        if (this.replacements > 0) {
          this.replacements--;
          c = this.connect();
        } else if (!this.growing) c = this.growing = this.connect();
        else return;
      }
      const w = queue.shift() as Waiter;
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      this.lend(c);
      w.resolve(c);
    }
  }

  private connect(): Connection {
    const { endpoint } = this.opts;
    const host = endpoint.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(endpoint.port) || (endpoint.protocol === 'https:' ? 443 : 80);
    const socket =
      endpoint.protocol === 'https:'
        ? tls.connect({ ...this.opts.tls, host, port, servername: net.isIP(host) ? undefined : host })
        : net.connect({ host, port });
    socket.setNoDelay(true);
    const c = new Connection(socket);
    this.open.add(c);
    this.opened++;
    // Between calls no request listens on the socket: its errors end in 'close'.
    socket.on('error', () => undefined);
    socket.once('close', () => this.drop(c));
    return c;
  }

  private drop(c: Connection): void {
    if (!this.open.delete(c)) return;
    clearTimeout(c.idleTimer);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.growing === c) this.growing = null;
    this.pump();
  }
}
