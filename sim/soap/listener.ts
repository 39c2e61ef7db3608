import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { SoapService } from './server';
import { faultEnvelope } from './xml';

export interface SoapListenerOptions {
  /** vboxwebsrv --threads: most worker threads, each serving one connection at a time (100). */
  threads?: number;
  /**
   * vboxwebsrv --keepalive (gSOAP max_keep_alive, 100): a connection is closed after N + 1 requests,
   * the last answer saying `Connection: close`; 0 keeps it open for any number.
   */
  keepalive?: number;
  /** How long a worker waits for a connection's next request before closing it (gSOAP recv_timeout, 60 000 ms). */
  keepAliveHoldMs?: number;
  /**
   * How long a new worker thread takes to pick up its first connection, counting idle meanwhile, so that
   * connections arriving then start no thread of their own (5 ms; vboxwebsrv's took 0.1-3 ms here, and a
   * burst of 4 met one or two threads; the little extra makes a burst meet one also on a busy machine).
   */
  threadStartMs?: number;
}

/** One connection a worker has taken. */
interface Conn {
  requests: number;
  /** Requests answered not yet, so that the hold starts only when the worker waits for the client. */
  active: number;
  timer?: NodeJS.Timeout;
}

/** Everything of one listen(); close() abandons it whole, so that late socket events cannot touch the next. */
interface Run {
  server: net.Server;
  http: http.Server;
  closed: boolean;
  /** Worker threads started (never ended, as vboxwebsrv's). */
  threads: number;
  /** Threads not holding a connection: a new one counts idle until it takes its first. */
  idle: number;
  /** Of the idle ones, those still starting, not yet taking connections. */
  starting: number;
  /** Accepted connections no worker has taken yet, oldest first. */
  queue: Socket[];
  sockets: Set<Socket>;
  conns: Map<Socket, Conn>;
  dispatching: boolean;
}

/**
 * vboxwebsrv's HTTP side, as vboxweb.cpp's SoapQ/SoapThread do it: the accept loop queues each connection
 * and starts one worker thread only when no thread is idle and fewer than `threads` exist; a worker serves one
 * connection at a time (keep-alive, up to `keepalive` + 1 requests, at most `keepAliveHoldMs` between them),
 * then takes the next queued one. A burst of new connections thus gets one thread and waits in line.
 * Can be taken down and brought back on the same port.
 */
export class SoapListener {
  port = 0;
  private run: Run | undefined;
  private readonly maxThreads: number;
  private readonly keepalive: number;
  private readonly holdMs: number;
  private readonly startMs: number;

  constructor(private readonly service: SoapService, private readonly host = '127.0.0.1', opts: SoapListenerOptions = {}) {
    this.maxThreads = Math.max(1, opts.threads ?? 100);
    this.keepalive = Math.max(0, opts.keepalive ?? 100);
    this.holdMs = opts.keepAliveHoldMs ?? 60_000;
    this.startMs = opts.threadStartMs ?? 5;
  }

  async listen(port: number): Promise<number> {
    // The http.Server never listens itself: it parses and answers the sockets a worker hands it. Its own
    // keep-alive timer is off (keepAliveTimeout 0); the worker's hold stands for gSOAP's recv_timeout.
    const httpServer = http.createServer({ keepAliveTimeout: 0, requireHostHeader: false }, (req, res) => this.request(run, req, res));
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (s) => this.accept(run, s));
    const run: Run = {
      server, http: httpServer, closed: false, threads: 0, idle: 0, starting: 0, queue: [], sockets: new Set(), conns: new Map(), dispatching: false,
    };
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    this.run = run;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  get listening(): boolean {
    return !!this.run;
  }

  /**
   * Stops accepting and cuts open and queued connections, like a vboxwebsrv that died (its kernel closes
   * them); `reset`: they break with a reset instead, as when the host itself loses power.
   */
  async close(opts: { reset?: boolean } = {}): Promise<void> {
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    run.closed = true;
    for (const c of run.conns.values()) clearTimeout(c.timer);
    for (const s of run.sockets) {
      if (opts.reset && !s.destroyed) s.resetAndDestroy();
      else s.destroy();
    }
    run.queue.length = 0;
    await new Promise<void>((resolve) => run.server.close(() => resolve()));
  }

  /** SoapQ::add: a new thread only if none is idle and the limit allows; the connection waits its turn. */
  private accept(run: Run, socket: Socket): void {
    if (run.closed) return void socket.destroy();
    run.sockets.add(socket);
    socket.on('error', () => undefined); // a reset while queued: the socket closes, dispatch skips it
    socket.once('close', () => run.sockets.delete(socket));
    if (run.idle === 0 && run.threads < this.maxThreads) {
      run.threads++;
      run.idle++;
      run.starting++;
      setTimeout(() => {
        run.starting--;
        this.dispatch(run);
      }, this.startMs);
    }
    run.queue.push(socket);
    this.dispatch(run);
  }

  /** SoapQ::get: idle threads (started ones) take queued connections, oldest first, once a thread wakes up. */
  private dispatch(run: Run): void {
    if (run.dispatching) return;
    run.dispatching = true;
    setImmediate(() => {
      run.dispatching = false;
      while (!run.closed && run.idle > run.starting && run.queue.length > 0) {
        const socket = run.queue.shift()!;
        if (!socket.destroyed) this.take(run, socket);
      }
    });
  }

  /** A worker serves this connection until it closes (by either side, or the hold), then is idle again. */
  private take(run: Run, socket: Socket): void {
    run.idle--;
    const conn: Conn = { requests: 0, active: 0 };
    run.conns.set(socket, conn);
    socket.once('close', () => {
      clearTimeout(conn.timer);
      run.conns.delete(socket);
      if (run.closed) return;
      run.idle++; // SoapQ::done
      this.dispatch(run);
    });
    this.hold(conn, socket);
    run.http.emit('connection', socket);
    socket.resume();
  }

  /** gSOAP's recv_timeout: the worker waits this long for the next request, then closes the connection. */
  private hold(conn: Conn, socket: Socket): void {
    clearTimeout(conn.timer);
    conn.timer = setTimeout(() => socket.destroy(), this.holdMs);
  }

  private request(run: Run, req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    const conn = run.conns.get(socket);
    if (!conn) return void socket.destroy();
    clearTimeout(conn.timer);
    const n = ++conn.requests;
    conn.active++;
    res.sendDate = false;
    // gSOAP's headers, decided once the status is known: every answer but a 200 closes the connection (soap_serve
    // stops at an error), and so does the one after `keepalive` others. gSOAP counts max= down to 1 (stays 1 with 0).
    const writeHead = res.writeHead;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      res.setHeader('Server', 'gSOAP/2.8');
      res.setHeader('X-Frame-Options', 'SAMEORIGIN');
      const keep = res.shouldKeepAlive && status === 200 && (this.keepalive === 0 || n <= this.keepalive);
      if (keep) {
        const max = this.keepalive === 0 ? 1 : this.keepalive - n + 1;
        // Whole seconds; at least 2, as Node's agent drops at once a connection announced to last 1 s or less.
        res.setHeader('Keep-Alive', `timeout=${Math.max(2, Math.ceil(this.holdMs / 1000))}, max=${max}`);
        res.setHeader('Connection', 'keep-alive');
      } else {
        res.setHeader('Connection', 'close');
      }
      return (writeHead as (...a: unknown[]) => http.ServerResponse).call(res, status, ...rest);
    }) as typeof res.writeHead;
    res.once('finish', () => {
      conn.active--;
      if (conn.active === 0 && socket.writable) this.hold(conn, socket);
    });
    this.service.handle(req, res).catch((e: unknown) => {
      console.error('vboxsim: request failed', e);
      if (res.headersSent || res.destroyed) return;
      const body = faultEnvelope('Server', 'internal error');
      res.writeHead(500, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  }
}
