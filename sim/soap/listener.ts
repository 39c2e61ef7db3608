import { STATUS_CODES } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { MAX_BODY, type HttpAnswer, type HttpRequest, type SoapService } from './server';
import { faultEnvelope } from './xml';

/** Bodies past MAX_BODY are read on (and dropped) up to this, so that the 413 reaches the client; past it the connection is cut. */
const MAX_DRAIN = 8 * MAX_BODY;
/** The most a request line and its headers may take (Node's and gSOAP's order of size). */
const MAX_HEAD = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
const HEADER = /\r\n(connection|content-length|transfer-encoding|expect|soapaction)[ \t]*:([^\r\n]*)/gi;

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
  /** A request is being answered: the next (pipelined) one waits, as gSOAP serves one at a time. */
  busy: boolean;
  /** Bytes received and not yet read as a request. */
  buf: Buffer;
  /** The request whose body is still arriving. */
  partial?: Partial;
  /** The client ended its side: close once what it sent is answered. */
  ended: boolean;
  timer?: NodeJS.Timeout;
}

/** A request whose head is read and whose body is not complete yet. */
interface Partial {
  req: HttpRequest;
  keepAlive: boolean;
  /** Content-Length, or -1 for a chunked body. */
  length: number;
  parts: Buffer[];
  size: number;
}

/** Everything of one listen(); close() abandons it whole, so that late socket events cannot touch the next. */
interface Run {
  server: net.Server;
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
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (s) => this.accept(run, s));
    const run: Run = {
      server, closed: false, threads: 0, idle: 0, starting: 0, queue: [], sockets: new Set(), conns: new Map(), dispatching: false,
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
    const conn: Conn = { requests: 0, busy: false, buf: Buffer.alloc(0), ended: false };
    run.conns.set(socket, conn);
    socket.once('close', () => {
      clearTimeout(conn.timer);
      run.conns.delete(socket);
      if (run.closed) return;
      run.idle++; // SoapQ::done
      this.dispatch(run);
    });
    socket.on('data', (chunk: Buffer) => {
      conn.buf = conn.buf.length ? Buffer.concat([conn.buf, chunk]) : chunk;
      this.serve(socket, conn);
    });
    socket.on('end', () => {
      conn.ended = true;
      if (!conn.busy) socket.destroy();
    });
    this.hold(conn, socket);
    socket.resume();
  }

  /** gSOAP's recv_timeout: the worker waits this long for the next request, then closes the connection. */
  private hold(conn: Conn, socket: Socket): void {
    clearTimeout(conn.timer);
    conn.timer = setTimeout(() => socket.destroy(), this.holdMs);
  }

  /**
   * Reads the next request off the connection's bytes and answers it; one at a time, as gSOAP's
   * soap_serve loop does. HTTP/1.1 as SOAP clients send it: Content-Length or chunked bodies,
   * `Expect: 100-continue`, keep-alive by the version and the Connection header.
   */
  private serve(socket: Socket, conn: Conn): void {
    while (!conn.busy && !socket.destroyed) {
      let p = conn.partial;
      if (!p) {
        const end = conn.buf.indexOf(CRLF2);
        if (end < 0) {
          if (conn.buf.length > MAX_HEAD) this.refuse(socket, 431);
          return;
        }
        const head = this.readHead(socket, conn.buf.toString('latin1', 0, end));
        conn.buf = conn.buf.subarray(end + 4);
        if (!head) return this.refuse(socket, 400);
        p = conn.partial = head;
        if (p.req.headers.expect?.toLowerCase() === '100-continue' && conn.buf.length === 0 && p.length !== 0) {
          socket.write('HTTP/1.1 100 Continue\r\n\r\n');
        }
      }
      const complete = p.length >= 0 ? this.takeBody(conn, p) : this.takeChunks(conn, p);
      if (complete === 'cut') return void socket.destroy();
      if (complete === 'bad') return this.refuse(socket, 400);
      if (!complete) return;
      conn.partial = undefined;
      p.req.body = p.req.tooLarge ? '' : (p.parts.length === 1 ? p.parts[0] : Buffer.concat(p.parts)).toString('utf8');
      this.answer(socket, conn, p);
    }
  }

  /** The request line and headers; undefined when they are not HTTP/1.x. */
  private readHead(socket: Socket, block: string): Partial | undefined {
    const eol = block.indexOf('\r\n');
    const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(eol < 0 ? block : block.slice(0, eol));
    if (!m) return undefined;
    // The headers that decide framing, keep-alive and the SOAP action, found in one scan (the first of repeated ones).
    const headers: Record<string, string> = {};
    HEADER.lastIndex = 0;
    for (let h = HEADER.exec(block); h; h = HEADER.exec(block)) headers[h[1].toLowerCase()] ??= h[2].trim();
    const connection = headers.connection?.toLowerCase() ?? '';
    const keepAlive = m[3] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    let length = 0;
    if (headers['transfer-encoding'] !== undefined) {
      if (!/(^|,)\s*chunked\s*$/i.test(headers['transfer-encoding']) || headers['content-length'] !== undefined) return undefined;
      length = -1;
    } else if (headers['content-length'] !== undefined) {
      if (!/^\d+$/.test(headers['content-length'])) return undefined;
      length = Number(headers['content-length']);
    }
    const req: HttpRequest = {
      method: m[1], target: m[2], headers, body: '', tooLarge: length > MAX_BODY, socket,
    };
    return { req, keepAlive, length, parts: [], size: 0 };
  }

  /** A Content-Length body: true once whole; 'cut' for one too large even to drain. */
  private takeBody(conn: Conn, p: Partial): boolean | 'cut' {
    if (p.length > MAX_DRAIN) return 'cut';
    const n = Math.min(p.length - p.size, conn.buf.length);
    if (n > 0) {
      if (!p.req.tooLarge) p.parts.push(conn.buf.subarray(0, n));
      p.size += n;
      conn.buf = conn.buf.subarray(n);
    }
    return p.size === p.length;
  }

  /** A chunked body: true once the last chunk (and trailers) arrived. */
  private takeChunks(conn: Conn, p: Partial): boolean | 'cut' | 'bad' {
    for (;;) {
      const eol = conn.buf.indexOf('\r\n');
      if (eol < 0) return conn.buf.length > MAX_HEAD ? 'bad' : false;
      const sizeText = conn.buf.toString('latin1', 0, eol).split(';')[0].trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) return 'bad';
      const n = parseInt(sizeText, 16);
      if (n === 0) {
        const trailers = conn.buf.indexOf('\r\n', eol + 2) === eol + 2 ? eol + 4 : conn.buf.indexOf(CRLF2, eol + 2);
        if (trailers < 0) return false;
        conn.buf = conn.buf.subarray(trailers === eol + 4 ? trailers : trailers + 4);
        return true;
      }
      if (conn.buf.length < eol + 2 + n + 2) return false;
      p.size += n;
      if (p.size > MAX_DRAIN) return 'cut';
      if (p.size > MAX_BODY) {
        p.req.tooLarge = true;
        p.parts.length = 0;
      } else p.parts.push(conn.buf.subarray(eol + 2, eol + 2 + n));
      conn.buf = conn.buf.subarray(eol + 2 + n + 2);
    }
  }

  private answer(socket: Socket, conn: Conn, p: Partial): void {
    const n = ++conn.requests;
    conn.busy = true;
    clearTimeout(conn.timer);
    this.service.respond(p.req).catch((e: unknown): HttpAnswer => {
      console.error('vboxsim: request failed', e);
      return { status: 500, body: faultEnvelope('Server', 'internal error'), type: 'text/xml; charset=utf-8' };
    }).then((a) => {
      conn.busy = false;
      if (!a || socket.destroyed) return;
      // gSOAP's headers: every answer but a 200 closes the connection (soap_serve stops at an error), and so
      // does the one after `keepalive` others. gSOAP counts max= down to 1 (stays 1 with 0).
      const keep = p.keepAlive && !conn.ended && a.status === 200 && (this.keepalive === 0 || n <= this.keepalive);
      const body = Buffer.from(a.body, 'utf8');
      let head = `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? ''}\r\nServer: gSOAP/2.8\r\nX-Frame-Options: SAMEORIGIN\r\n`;
      if (keep) {
        const max = this.keepalive === 0 ? 1 : this.keepalive - n + 1;
        // Whole seconds; at least 2, as Node's agent drops at once a connection announced to last 1 s or less.
        head += `Keep-Alive: timeout=${Math.max(2, Math.ceil(this.holdMs / 1000))}, max=${max}\r\nConnection: keep-alive\r\n`;
      } else head += 'Connection: close\r\n';
      head += `Content-Type: ${a.type}\r\nContent-Length: ${body.length}\r\n\r\n`;
      // An answer to HEAD is the headers alone (HTTP), with the length its body would have.
      socket.write(p.req.method === 'HEAD' ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), body]));
      if (!keep) return void socket.end(() => socket.destroy());
      this.hold(conn, socket);
      if (conn.buf.length) this.serve(socket, conn);
    });
  }

  /** An answer to bytes that are no request gSOAP can read; the connection ends with it. */
  private refuse(socket: Socket, status: number): void {
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  }
}
