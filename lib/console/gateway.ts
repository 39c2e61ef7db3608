import crypto from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ProblemError } from '@/lib/api/problem';
import { isSameSiteUpgrade } from '@/lib/auth/origin';
import { can, type Resource, type User } from '@/lib/auth/policy';
import { ClientMessageStream, hasInput, viewOnlyBytes } from './client-messages';
import { jsonLineLogger, type Logger } from './log';
import { acceptViewer, authenticateToServer, ByteReader, greetViewer, refuseViewer, RfbError, SEC_VNC_AUTH } from './rfb';
import type { ConsoleTarget } from './target';
import { consoleAction, CONSOLE_WS_PATH, TicketError, TicketRegistry, verifyTicket, type TicketClaims } from './ticket';

/**
 * The console gateway: WebSocket (browser, noVNC) ⇄ TCP (the machine's VNC server on
 * its host), the job websockify does, on Nimbox's own port (server.ts hands it the
 * upgrades of /api/v1/console/ws).
 *
 * 1. Before any TCP connection: the upgrade must come from this site's pages (its
 *    Origin, as for the API's writes: lib/auth/origin); the ticket must be present,
 *    signed by this server and unexpired; the upgrade's session must be the ticket's
 *    user (for a ticket of an embed link, whose page sits in another site's iframe
 *    without cookies, the link's maker is read by id instead); that user must still be
 *    allowed the ticket's mode on this machine (can()); only then is the ticket used up
 *    (refused if it was before), so one in the wrong hands stays good for its owner; and
 *    the machine must still run on the ticket's host with its VNC server on the ticket's
 *    port. Refusals are plain HTTP answers to the upgrade (401, 403, 409, 502, 503),
 *    problem+json.
 * 2. The gateway terminates both RFB security handshakes (lib/console/rfb): None
 *    towards the browser, VNC Authentication with the VNCPassword towards the machine.
 * 3. Then it relays bytes both ways with back-pressure (a slow browser pauses the TCP
 *    side, a slow VNC server pauses the WebSocket), closes each side when the other
 *    goes, pings the browser, and ends sessions without user input for `idleMs`. A
 *    view-only ticket's viewer gets the screen only: its key, pointer, clipboard, power
 *    and resize messages are dropped here, whatever the browser does.
 *
 * Every open, close and refusal is one JSON log line (no ticket, password or cookie).
 */

export interface GatewayOptions {
  /** The signed-in user of an upgrade request (its session cookie), or null. */
  authenticate(req: IncomingMessage): Promise<User | null>;
  /** A user by id, as the policy sees them now (the maker of an embed link), or null. */
  findUser(id: string): Promise<User | null>;
  /** The policy's view of a machine (its tenant). */
  resource(machineId: string): Promise<Resource>;
  /** Where the ticket's machine's console is now; throws a ProblemError (or a VirtualBox error) when it has none. */
  resolve(claims: TicketClaims): Promise<ConsoleTarget>;
  tickets?: TicketRegistry;
  /** The ticket key (tests); default: derived from the server secret. */
  ticketKey?: Buffer;
  /** Sessions without user input (keys, pointer, clipboard) for this long are closed (default 30 min). */
  idleMs?: number;
  /** Both handshakes must be done within this (default 15 s). */
  handshakeMs?: number;
  /** Ping the browser this often; no pong by the next ping ends the session (default 30 s). */
  keepaliveMs?: number;
  /** Ask this often whether the user still may (session not revoked, right not lost); if not, close (default 60 s). */
  recheckMs?: number;
  /** Memory per console for bytes on their way to the browser (default 1 MiB): a slow browser pauses the machine's side beyond it. */
  bufferBytes?: number;
  log?: Logger;
}

export interface GatewayStats {
  /** Sessions open now. */
  sessions: number;
  /** TCP connections the gateway has opened (or tried to) since it started. */
  tcpConnects: number;
  /** Upgrades refused. */
  refused: number;
}

/** A refusal of an upgrade: HTTP status, a short reason for the log, and a detail for the user. */
class Refusal extends Error {
  constructor(readonly status: number, readonly reason: string, detail: string) {
    super(detail);
  }
}

const TITLES: Record<number, string> = { 400: 'Bad request', 401: 'Not signed in', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 502: 'Host unreachable', 503: 'Unavailable' };

function refuseUpgrade(socket: Duplex, status: number, detail: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ title: TITLES[status] ?? http.STATUS_CODES[status], status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n`
      + `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/** Status and detail of why a console cannot be reached (a ProblemError, or what VirtualBox or the network said). */
function unavailable(e: unknown): { status: number; detail: string } {
  if (e instanceof ProblemError) return { status: e.problem.status, detail: e.problem.detail ?? e.problem.title };
  // Errors of lib/vbox, told apart by shape: Next's bundle and this server may hold different copies of its classes.
  if (e && typeof e === 'object' && 'resultCodeName' in e) {
    const v = e as { resultCodeName: string; text?: string; message: string };
    return { status: 409, detail: `VirtualBox: ${v.text || v.message} (${v.resultCodeName})` };
  }
  if ((e as Error)?.name === 'TransportError') return { status: 502, detail: (e as Error).message };
  throw e;
}

const asBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

function describeSocketError(e: Error, target: ConsoleTarget): string {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${target.hostName} port ${target.port}`;
  if (code === 'ECONNREFUSED') return `Nothing listens on ${where}: the machine's VNC server is gone.`;
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${where} cannot be reached (${code}).`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `${where} closed the connection.`;
  return `The connection to ${where} failed${code ? ` (${code})` : ''}.`;
}

const SEND_BINARY = { binary: true } as const;

/**
 * The bytes read from a machine's VNC server and not yet written to the browser's
 * socket, in one ring of memory reused for the whole session: reads go straight into
 * it, and its regions go out as WebSocket frames without a copy. So streaming a screen
 * costs no allocation, garbage or freshly mapped pages per read (which, measured, cost
 * more than everything else the relay does), and memory per console is bounded by the
 * ring. A full ring is the back-pressure: reading pauses until the browser's socket has
 * taken enough.
 */
export class ReadRing {
  private readonly buf: Buffer;
  /** Where the next region starts (or would, but for wrapping). */
  private head = 0;
  /** Start offsets of the regions in flight, oldest first (their writes complete in order). */
  private readonly inflight: number[] = [];
  /** The region handed out for the read in progress (Node asks for the next read's buffer in advance). */
  private reserved: number | null = null;

  constructor(readonly size: number, private readonly maxRead: number, readonly minRead: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Where a new region can go and how long it can be: after the head, or from the start when too little is left at the end. */
  private room(): { start: number; length: number } {
    const oldest = this.inflight.length > 0 ? this.inflight[0] : this.reserved;
    if (oldest === null) return { start: 0, length: this.size };
    if (this.head > oldest) {
      const atEnd = this.size - this.head;
      return atEnd >= this.minRead || oldest < this.minRead ? { start: this.head, length: atEnd } : { start: 0, length: oldest };
    }
    // Wrapped: free up to the oldest region (nothing when the head has caught up with it).
    return { start: this.head, length: oldest - this.head };
  }

  /** Whether the next read fits in the ring. */
  hasRoom(): boolean {
    return this.room().length >= this.minRead;
  }

  /** The buffer for the next read: a region of the ring, or a one-off buffer while it is full. */
  next(): Buffer {
    const { start, length } = this.room();
    if (length < this.minRead) {
      this.reserved = null;
      return Buffer.allocUnsafe(this.minRead);
    }
    const n = Math.min(length, this.maxRead);
    this.reserved = start;
    this.head = start + n;
    return this.buf.subarray(start, start + n);
  }

  /** The n bytes a read put in a buffer from next(); `inRing` says whether release() is owed once they are written. */
  take(chunk: Uint8Array, n: number): { data: Buffer; inRing: boolean } {
    const data = (chunk as Buffer).subarray(0, n);
    if (chunk.buffer !== this.buf.buffer) return { data, inRing: false };
    const start = chunk.byteOffset - this.buf.byteOffset;
    this.reserved = null;
    this.head = start + n;
    if (n === 0) return { data, inRing: false };
    this.inflight.push(start);
    return { data, inRing: true };
  }

  /** The oldest region in flight has been written out. */
  release(): void {
    this.inflight.shift();
  }
}

export class ConsoleGateway {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // noVNC's messages are small; a viewer has no reason to send more than a big paste.
    maxPayload: 4 * 1024 * 1024,
    // noVNC offers none by default; websockify-era viewers offer 'binary' (base64 is not spoken).
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });
  private readonly tickets: TicketRegistry;
  private readonly log: Logger;
  private readonly idleMs: number;
  private readonly recheckMs: number;
  private readonly handshakeMs: number;
  private readonly keepaliveMs: number;
  private readonly bufferBytes: number;
  private readonly sessions = new Set<(why: string, code?: number) => void>();
  private counters = { tcpConnects: 0, refused: 0 };
  private closing = false;

  constructor(private readonly opts: GatewayOptions) {
    this.tickets = opts.tickets ?? new TicketRegistry();
    this.log = opts.log ?? jsonLineLogger;
    this.idleMs = opts.idleMs ?? 30 * 60_000;
    this.recheckMs = opts.recheckMs ?? 60_000;
    this.handshakeMs = opts.handshakeMs ?? 15_000;
    this.keepaliveMs = opts.keepaliveMs ?? 30_000;
    this.bufferBytes = Math.max(opts.bufferBytes ?? 1024 * 1024, 64 * 1024);
  }

  /** Whether an upgrade request is the gateway's (its path); others belong to someone else. */
  handles(req: IncomingMessage): boolean {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    return (q < 0 ? url : url.slice(0, q)) === CONSOLE_WS_PATH;
  }

  stats(): GatewayStats {
    return { sessions: this.sessions.size, ...this.counters };
  }

  /** Checks an upgrade of /api/v1/console/ws and, when everything holds, opens the session. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const remote = req.socket.remoteAddress ?? '';
    let claims: TicketClaims | undefined;
    let user: User | null = null;
    try {
      if (this.closing) throw new Refusal(503, 'shutting-down', 'The server is shutting down.');
      // Another site's page may open a WebSocket here with the user's cookies: refused as the API refuses its writes.
      if (!isSameSiteUpgrade(req.headers)) throw new Refusal(403, 'cross-site', 'This console was opened from another site.');
      const url = new URL(req.url ?? '/', 'http://gateway.invalid');
      const ticketRefusal = (e: unknown) => (e instanceof TicketError ? new Refusal(401, `ticket-${e.reason}`, `${e.message} Ask for a new one.`) : e);
      try {
        claims = verifyTicket(url.searchParams.get('ticket'), this.opts.ticketKey ? { key: this.opts.ticketKey } : {});
      } catch (e) {
        throw ticketRefusal(e);
      }
      // Who uses the ticket is checked before it is used up: a ticket in the wrong hands stays good for its owner.
      if (claims.link) {
        user = await this.opts.findUser(claims.sub);
        if (!user) throw new Refusal(401, 'link-user-gone', 'The maker of this console link no longer exists.');
      } else {
        user = await this.opts.authenticate(req);
        if (!user) throw new Refusal(401, 'not-signed-in', 'Sign in to open a console.');
        if (user.id !== claims.sub) throw new Refusal(403, 'other-user', 'This console ticket was issued to another user.');
      }
      if (!can(user, consoleAction(claims.mode), await this.opts.resource(claims.vm))) {
        throw new Refusal(403, 'forbidden', `You are not allowed to ${claims.mode === 'control' ? 'use' : 'watch'} this machine's console.`);
      }
      const vm = url.searchParams.get('vm');
      if (vm !== null && vm !== claims.vm) throw new Refusal(403, 'other-machine', 'This console ticket is for another machine.');
      try {
        await this.tickets.consume(claims);
      } catch (e) {
        throw ticketRefusal(e);
      }
      let target: ConsoleTarget;
      try {
        target = await this.opts.resolve(claims);
      } catch (e) {
        const p = unavailable(e);
        throw new Refusal(p.status === 404 ? 409 : p.status, p.status === 404 ? 'machine-gone' : 'machine-unavailable', p.detail);
      }
      if (target.hostId !== claims.host || target.port !== claims.port) {
        throw new Refusal(409, 'machine-moved', 'The machine has moved (to another host, or its console to another port) since the ticket was issued: ask for a new one.');
      }
      if (socket.destroyed) return;
      const t = target;
      const u = user;
      const c = claims;
      this.wss.handleUpgrade(req, socket, head, (ws) => this.run(ws, socket, req, c, u, t));
    } catch (e) {
      const r = e instanceof Refusal ? e : new Refusal(500, 'error', 'The console could not be opened; the error has been logged.');
      this.counters.refused++;
      this.log({
        level: r.status >= 500 ? 'error' : 'warn', msg: 'console refused', reason: r.reason, status: r.status, remote,
        ...(user ? { user: user.username, userId: user.id } : {}),
        ...(claims ? { vm: claims.vm, hostId: claims.host, port: claims.port } : {}),
        ...(e instanceof Refusal ? {} : { error: (e as Error)?.message ?? String(e) }),
      });
      refuseUpgrade(socket, r.status, r.message);
    }
  }

  /** Whether the console's user still may use it: the upgrade's session still live (or the link's maker still there), the right not lost. */
  private async stillAllowed(req: IncomingMessage, claims: TicketClaims): Promise<boolean> {
    const user = claims.link ? await this.opts.findUser(claims.sub) : await this.opts.authenticate(req);
    return !!user && user.id === claims.sub && can(user, consoleAction(claims.mode), await this.opts.resource(claims.vm));
  }

  /** One console session: both handshakes, then the relay, until either side goes. */
  private run(ws: WebSocket, raw: Duplex, req: IncomingMessage, claims: TicketClaims, user: User, target: ConsoleTarget): void {
    const id = crypto.randomBytes(6).toString('hex');
    const started = Date.now();
    const fields = {
      session: id, user: user.username, userId: user.id, mode: claims.mode, ...(claims.link ? { link: claims.link } : {}),
      vm: target.machineId, machine: target.machineName,
      host: target.hostName, hostId: target.hostId, target: `${target.address}:${target.port}`, remote: req.socket.remoteAddress ?? '',
    };
    this.log({ level: 'info', msg: 'console open', ...fields });

    const fromViewer = new ByteReader();
    const fromMachine = new ByteReader();
    const messages = new ClientMessageStream();
    const viewOnly = claims.mode === 'view';
    let relaying = false;
    let done = false;
    let toViewerBytes = 0;
    let toMachineBytes = 0;
    let batching = false;
    let viewerPaused = false;
    let lastInput = started;
    let lastPing = started;
    let awaitingPong = false;
    let lastCheck = started;
    let checking = false;
    let security = '';

    this.counters.tcpConnects++;
    const ring = new ReadRing(this.bufferBytes, Math.min(256 * 1024, this.bufferBytes / 4), Math.min(32 * 1024, this.bufferBytes / 8));
    let ringPaused = false;
    let onMachineData: (chunk: Buffer, inRing: boolean) => void = () => undefined;
    const tcp = net.connect({
      host: target.address,
      port: target.port,
      onread: {
        buffer: () => ring.next(),
        callback: (n: number, buf: Uint8Array) => {
          const { data, inRing } = ring.take(buf, n);
          onMachineData(data, inRing);
          if (ring.hasRoom()) return true;
          ringPaused = true;
          return false;
        },
      },
    });
    tcp.setNoDelay(true);
    tcp.setKeepAlive(true, 30_000);

    const finish = (why: string, code = 1000, level: 'info' | 'warn' = 'info') => {
      if (done) return;
      done = true;
      this.sessions.delete(finish);
      clearInterval(timer);
      clearTimeout(handshakeTimer);
      const gone = new RfbError('the session ended');
      fromViewer.fail(gone);
      fromMachine.fail(gone);
      tcp.destroy();
      if (ws.readyState === WebSocket.OPEN) ws.close(code, why.slice(0, 120));
      else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      this.log({
        level, msg: 'console close', ...fields, reason: why, security, durationMs: Date.now() - started,
        bytesToViewer: toViewerBytes, bytesToMachine: toMachineBytes,
      });
    };
    this.sessions.add(finish);

    const handshakeTimer = setTimeout(() => finish('handshake timed out', 1011, 'warn'), this.handshakeMs);
    const timer = setInterval(() => {
      const now = Date.now();
      if (relaying && now - lastInput >= this.idleMs) {
        finish(`idle: no input for ${Math.round(this.idleMs / 1000)} s`, 4000);
        return;
      }
      if (now - lastPing >= this.keepaliveMs) {
        if (awaitingPong) {
          finish('the browser stopped answering', 1001, 'warn');
          ws.terminate();
          return;
        }
        awaitingPong = true;
        lastPing = now;
        ws.ping();
      }
      if (!checking && now - lastCheck >= this.recheckMs) {
        checking = true;
        lastCheck = now;
        void this.stillAllowed(req, claims)
          .then((ok) => { if (!ok) finish('signed out, or no longer allowed to use this console', 4001); })
          .catch(() => undefined)
          .finally(() => { checking = false; });
      }
    }, Math.max(20, Math.min(this.keepaliveMs, this.idleMs / 4, this.recheckMs, 15_000)));
    timer.unref();
    ws.on('pong', () => {
      awaitingPong = false;
    });

    // Browser → machine. A full TCP buffer pauses the WebSocket until it drains.
    const onDrain = () => {
      viewerPaused = false;
      ws.resume();
    };
    const toMachine = (chunk: Buffer) => {
      const pieces = messages.split(chunk);
      if (hasInput(pieces)) lastInput = Date.now();
      let buf = chunk;
      if (viewOnly) {
        if (messages.lost) {
          finish('view-only console: the viewer sent a message the gateway cannot check', 1008, 'warn');
          return;
        }
        buf = viewOnlyBytes(pieces);
        if (buf.length === 0) return;
      }
      toMachineBytes += buf.length;
      if (!tcp.write(buf) && !viewerPaused) {
        viewerPaused = true;
        ws.pause();
        tcp.once('drain', onDrain);
      }
    };
    // Machine → browser. The chunks read in one turn of the event loop go out as one
    // writev (the browser's socket is corked until setImmediate); each region goes back
    // to the ring once written, and a paused read resumes when there is room again.
    const flush = () => {
      batching = false;
      raw.uncork();
    };
    const sent = () => {
      ring.release();
      if (ringPaused && !done && ring.hasRoom()) {
        ringPaused = false;
        tcp.resume();
      }
    };
    const toViewer = (chunk: Buffer, inRing: boolean) => {
      toViewerBytes += chunk.length;
      if (!batching) {
        batching = true;
        raw.cork();
        setImmediate(flush);
      }
      ws.send(chunk, SEND_BINARY, inRing ? sent : undefined);
    };

    ws.on('message', (data, isBinary) => {
      if (done) return;
      if (!isBinary) {
        finish('the browser sent a text frame (only binary RFB is spoken)', 1003, 'warn');
        return;
      }
      const buf = asBuffer(data);
      if (relaying) toMachine(buf);
      else fromViewer.push(buf);
    });
    ws.on('close', () => finish('the browser closed the console'));
    ws.on('error', (e) => finish(`WebSocket error: ${e.message}`, 1002, 'warn'));

    let machineError: string | null = null;
    onMachineData = (chunk, inRing) => {
      if (relaying) {
        toViewer(chunk, inRing);
        return;
      }
      // The handshake keeps what it reads: off the ring with it.
      fromMachine.push(Buffer.from(chunk));
      if (inRing) ring.release();
    };
    tcp.on('error', (e) => {
      machineError = describeSocketError(e, target);
      fromMachine.fail(new RfbError(machineError));
    });
    tcp.on('close', () => {
      fromMachine.fail(new RfbError(machineError ?? `${target.hostName} closed the connection to the machine's VNC server.`));
      if (relaying) finish(machineError ?? "the machine's VNC server closed the connection", machineError ? 1011 : 1000);
    });

    const writeViewer = (b: Buffer) => ws.send(b, SEND_BINARY);
    const writeMachine = (b: Buffer) => {
      tcp.write(b);
    };
    const viewerGreeted = greetViewer(fromViewer, writeViewer);
    const machineReady = authenticateToServer(fromMachine, writeMachine, target.password);
    // Either may fail first; their rejections are handled below, never left unobserved.
    viewerGreeted.catch(() => undefined);
    machineReady.catch(() => undefined);

    void (async () => {
      let minor: 3 | 7 | 8;
      try {
        minor = await viewerGreeted;
      } catch (e) {
        finish(`viewer handshake failed: ${(e as Error).message}`, 1002, 'warn');
        return;
      }
      try {
        const m = await machineReady;
        security = m.security === SEC_VNC_AUTH ? 'vnc-auth' : 'none';
      } catch (e) {
        const message = (e as Error).message;
        if (!done) refuseViewer(writeViewer, minor, message);
        finish(`machine handshake failed: ${message}`, 1000, 'warn');
        return;
      }
      try {
        await acceptViewer(fromViewer, writeViewer, minor);
      } catch (e) {
        finish(`viewer handshake failed: ${(e as Error).message}`, 1002, 'warn');
        return;
      }
      if (done) return;
      clearTimeout(handshakeTimer);
      relaying = true;
      const early = fromViewer.drain();
      if (early.length > 0) toMachine(early);
      const pending = fromMachine.drain();
      if (pending.length > 0) toViewer(pending, false);
      if (tcp.destroyed) finish(machineError ?? "the machine's VNC server closed the connection", 1000);
    })();
  }

  /** Ends every session (the browser hears 1001, going away) and stops accepting new ones. */
  async close(): Promise<void> {
    this.closing = true;
    for (const finish of [...this.sessions]) finish('the server is shutting down', 1001);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
