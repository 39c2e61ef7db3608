// An RFB 3.8 (VNC) server showing a simulated machine's Screen, standing in for the
// VNC flavour of VirtualBox's VRDE. It sends whole Raw rectangles only: simple, and
// every viewer (noVNC included) understands them. Updates go out only when a request
// is pending and the previous frame has drained, so a slow viewer never makes the
// process buffer frames without bound.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { vncAuthResponse } from './des.js';
import type { Screen } from './screen.js';

export interface VncServerOptions {
  /** Called whenever the current picture is needed: the machine's screen may be replaced (teleport). */
  screen: () => Screen;
  /** Empty or absent: security type None; otherwise VNC Authentication with this password. */
  password?: string;
}

export interface VncClientInfo {
  remoteAddress: string;
  remotePort: number;
}

/** Events: `ready` after ServerInit, `authFailed`, `protocolError` (then the client is closed), `disconnect`. */
export interface VncServerEvents {
  ready: [VncClientInfo];
  authFailed: [VncClientInfo];
  protocolError: [VncClientInfo, Error];
  disconnect: [VncClientInfo];
  error: [Error];
}

const SEC_NONE = 1;
const SEC_VNC = 2;
const ENC_RAW = 0;
const ENC_DESKTOP_SIZE = -223;

const POLL_MS = 50;
const HANDSHAKE_TIMEOUT_MS = 30_000;
const MAX_CUT_TEXT = 1 << 20;
const MAX_PASTE_CHARS = 1000;

interface PixelFormat {
  bpp: 8 | 16 | 32;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

const NATIVE_FORMAT: PixelFormat = {
  bpp: 32, bigEndian: false, trueColour: true,
  redMax: 255, greenMax: 255, blueMax: 255, redShift: 16, greenShift: 8, blueShift: 0,
};

function encodePixelFormat(pf: PixelFormat): Buffer {
  const b = Buffer.alloc(16);
  b[0] = pf.bpp;
  b[1] = pf.bpp === 32 ? 24 : pf.bpp; // depth
  b[2] = pf.bigEndian ? 1 : 0;
  b[3] = pf.trueColour ? 1 : 0;
  b.writeUInt16BE(pf.redMax, 4);
  b.writeUInt16BE(pf.greenMax, 6);
  b.writeUInt16BE(pf.blueMax, 8);
  b[10] = pf.redShift;
  b[11] = pf.greenShift;
  b[12] = pf.blueShift;
  return b;
}

function isNative(pf: PixelFormat): boolean {
  return pf.bpp === 32 && !pf.bigEndian && pf.trueColour && pf.redMax === 255 && pf.greenMax === 255
    && pf.blueMax === 255 && pf.redShift === 16 && pf.greenShift === 8 && pf.blueShift === 0;
}

// For colour-map formats the server chooses the map: a fixed 3-3-2 palette is enough
// for a status screen and avoids per-frame palette negotiation.
function paletteMessage(): Buffer {
  const b = Buffer.alloc(6 + 256 * 6);
  b[0] = 1; // SetColourMapEntries
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(256, 4);
  for (let i = 0; i < 256; i++) {
    const r = (i >> 5) & 7;
    const g = (i >> 2) & 7;
    const bl = i & 3;
    b.writeUInt16BE(Math.round((r * 65535) / 7), 6 + i * 6);
    b.writeUInt16BE(Math.round((g * 65535) / 7), 8 + i * 6);
    b.writeUInt16BE(Math.round((bl * 65535) / 3), 10 + i * 6);
  }
  return b;
}

/** Copies a rectangle of B,G,R,0 source pixels into the client's pixel format. */
function convert(src: Buffer, srcWidth: number, rx: number, ry: number, rw: number, rh: number, pf: PixelFormat): Buffer {
  const bytes = pf.bpp / 8;
  const out = Buffer.alloc(rw * rh * bytes);
  if (isNative(pf)) {
    for (let y = 0; y < rh; y++) {
      const s = ((ry + y) * srcWidth + rx) * 4;
      src.copy(out, y * rw * 4, s, s + rw * 4);
    }
    return out;
  }
  let o = 0;
  for (let y = 0; y < rh; y++) {
    let s = ((ry + y) * srcWidth + rx) * 4;
    for (let x = 0; x < rw; x++, s += 4) {
      const b = src[s];
      const g = src[s + 1];
      const r = src[s + 2];
      let v: number;
      if (pf.trueColour) {
        const rv = pf.redMax === 255 ? r : Math.round((r * pf.redMax) / 255);
        const gv = pf.greenMax === 255 ? g : Math.round((g * pf.greenMax) / 255);
        const bv = pf.blueMax === 255 ? b : Math.round((b * pf.blueMax) / 255);
        v = ((rv << pf.redShift) | (gv << pf.greenShift) | (bv << pf.blueShift)) >>> 0;
      } else {
        v = (r & 0xe0) | ((g >> 3) & 0x1c) | (b >> 6);
      }
      if (bytes === 1) {
        out[o++] = v & 0xff;
      } else if (bytes === 2) {
        if (pf.bigEndian) { out[o++] = (v >>> 8) & 0xff; out[o++] = v & 0xff; }
        else { out[o++] = v & 0xff; out[o++] = (v >>> 8) & 0xff; }
      } else if (pf.bigEndian) {
        out[o++] = v >>> 24; out[o++] = (v >>> 16) & 0xff; out[o++] = (v >>> 8) & 0xff; out[o++] = v & 0xff;
      } else {
        out[o++] = v & 0xff; out[o++] = (v >>> 8) & 0xff; out[o++] = (v >>> 16) & 0xff; out[o++] = v >>> 24;
      }
    }
  }
  return out;
}

class ProtocolError extends Error {}

type Phase = 'version' | 'securityChoice' | 'authResponse' | 'clientInit' | 'normal' | 'closing';

interface UpdateRequest {
  incremental: boolean;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One viewer connection: a state machine fed by whole messages cut from a byte buffer. */
class VncClient {
  readonly info: VncClientInfo;
  private phase: Phase = 'version';
  private input: Buffer = Buffer.alloc(0);
  private minor = 8;
  private challenge: Buffer | null = null;
  private format: PixelFormat = NATIVE_FORMAT;
  private desktopSize = false;
  private pending: UpdateRequest | null = null;
  private blocked = false;
  private sentScreen: Screen | null = null;
  private sentVersion = -1;
  private sentSize: { w: number; h: number } | null = null;

  constructor(
    private readonly socket: net.Socket,
    private readonly server: VncServer,
    private readonly getScreen: () => Screen,
    private readonly password: string,
  ) {
    this.info = { remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 };
    socket.setNoDelay(true);
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.blocked = false;
      this.pump();
    });
    // Errors (resets, writes after a peer vanished) only end this client; 'close' follows.
    socket.on('error', () => undefined);
    socket.write('RFB 003.008\n');
  }

  /** Resolves when the socket has closed (and the server has forgotten this client); `reset` breaks it (RST). */
  destroy(reset = false): Promise<void> {
    this.phase = 'closing';
    if (this.socket.closed) return Promise.resolve();
    const gone = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    if (reset) this.socket.resetAndDestroy();
    else this.socket.destroy();
    return gone;
  }

  /** Sends an update if one is requested, the socket has drained and the picture warrants it. */
  pump(): void {
    if (this.phase !== 'normal' || this.blocked || !this.pending || this.socket.destroyed) return;
    let screen: Screen;
    try {
      screen = this.getScreen();
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const size = { w: screen.width, h: screen.height };
    if (this.sentSize && (this.sentSize.w !== size.w || this.sentSize.h !== size.h)) {
      if (!this.desktopSize) {
        this.fail(new ProtocolError('screen size changed and the viewer cannot resize'));
        return;
      }
      // Resize alone; the viewer then asks for a full frame of the new size.
      const msg = Buffer.alloc(16);
      msg.writeUInt16BE(1, 2);
      msg.writeUInt16BE(size.w, 8);
      msg.writeUInt16BE(size.h, 10);
      msg.writeInt32BE(ENC_DESKTOP_SIZE, 12);
      this.pending = null;
      this.sentSize = size;
      this.sentScreen = null;
      this.send(msg);
      return;
    }
    const version = screen.version();
    if (this.pending.incremental && screen === this.sentScreen && version === this.sentVersion) return;

    // Answer the requested area clipped to the screen; a degenerate request gets the whole screen.
    const req = this.pending;
    let x0 = Math.min(req.x, size.w);
    let y0 = Math.min(req.y, size.h);
    let x1 = Math.min(req.x + req.w, size.w);
    let y1 = Math.min(req.y + req.h, size.h);
    if (x1 <= x0 || y1 <= y0) { x0 = 0; y0 = 0; x1 = size.w; y1 = size.h; }
    const pixels = convert(screen.render(), size.w, x0, y0, x1 - x0, y1 - y0, this.format);
    const header = Buffer.alloc(16);
    header[0] = 0; // FramebufferUpdate
    header.writeUInt16BE(1, 2);
    header.writeUInt16BE(x0, 4);
    header.writeUInt16BE(y0, 6);
    header.writeUInt16BE(x1 - x0, 8);
    header.writeUInt16BE(y1 - y0, 10);
    header.writeInt32BE(ENC_RAW, 12);
    this.pending = null;
    // Only a whole-screen update brings the viewer fully up to date with this version.
    if (x0 === 0 && y0 === 0 && x1 === size.w && y1 === size.h) {
      this.sentScreen = screen;
      this.sentVersion = version;
    }
    this.sentSize = size;
    this.send(header, pixels);
  }

  // A method, so TypeScript does not narrow the phase across calls that change it.
  private isClosing(): boolean {
    return this.phase === 'closing';
  }

  private send(...parts: Buffer[]): void {
    let ok = true;
    for (const p of parts) ok = this.socket.write(p);
    if (!ok) this.blocked = true;
  }

  private fail(err: Error): void {
    if (this.phase === 'closing') return;
    this.server.emit('protocolError', this.info, err);
    void this.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.phase === 'closing') return;
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    try {
      for (;;) {
        const used = this.step(this.input);
        if (used === 0) break;
        this.input = this.input.subarray(used);
        if (this.isClosing()) return;
      }
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.pump();
  }

  /** Handles one complete message at the start of buf; returns bytes consumed, 0 if incomplete. */
  private step(buf: Buffer): number {
    if (buf.length === 0) return 0;
    switch (this.phase) {
      case 'version': return this.onVersion(buf);
      case 'securityChoice': return this.onSecurityChoice(buf);
      case 'authResponse': return this.onAuthResponse(buf);
      case 'clientInit': return this.onClientInit(buf);
      case 'normal': return this.onMessage(buf);
      case 'closing': return 0;
    }
  }

  private onVersion(buf: Buffer): number {
    if (buf.length < 12) {
      if (!'RFB '.startsWith(buf.subarray(0, 4).toString('latin1'))) throw new ProtocolError('not an RFB client');
      return 0;
    }
    const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(buf.subarray(0, 12).toString('latin1'));
    if (!m) throw new ProtocolError('bad ProtocolVersion');
    const major = Number(m[1]);
    const minor = Number(m[2]);
    if (major !== 3 || minor < 3) throw new ProtocolError(`unsupported RFB version ${major}.${minor}`);
    // 3.8+ (incl. Apple's 3.889) speak 3.8; 3.7 is 3.7; anything else in between
    // (3.4/3.6 from UltraVNC, 3.5) must be treated as 3.3, as the spec says.
    this.minor = minor >= 8 ? 8 : minor === 7 ? 7 : 3;
    const type = this.password ? SEC_VNC : SEC_NONE;
    if (this.minor === 3) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(type, 0);
      this.socket.write(b);
      this.startSecurity(type);
    } else {
      this.socket.write(Buffer.from([1, type]));
      this.phase = 'securityChoice';
    }
    return 12;
  }

  private onSecurityChoice(buf: Buffer): number {
    if (buf.length < 1) return 0;
    const offered = this.password ? SEC_VNC : SEC_NONE;
    if (buf[0] !== offered) {
      if (this.minor === 8) this.refuse('security type not offered');
      else throw new ProtocolError(`client chose security type ${buf[0]}, not offered`);
      return 1;
    }
    this.startSecurity(offered);
    return 1;
  }

  private startSecurity(type: number): void {
    if (type === SEC_VNC) {
      this.challenge = randomBytes(16);
      this.socket.write(this.challenge);
      this.phase = 'authResponse';
      return;
    }
    // Security None has a SecurityResult only from 3.8 on.
    if (this.minor === 8) this.socket.write(Buffer.alloc(4));
    this.phase = 'clientInit';
  }

  private onAuthResponse(buf: Buffer): number {
    if (buf.length < 16 || !this.challenge) return 0;
    const expected = vncAuthResponse(this.password, this.challenge);
    if (timingSafeEqual(expected, buf.subarray(0, 16))) {
      this.socket.write(Buffer.alloc(4));
      this.phase = 'clientInit';
    } else {
      this.server.emit('authFailed', this.info);
      this.refuse('authentication failed');
    }
    return 16;
  }

  /** SecurityResult "failed" (with a reason from 3.8 on), then a graceful close so the reason arrives. */
  private refuse(reason: string): void {
    const text = Buffer.from(reason, 'utf8');
    const b = Buffer.alloc(this.minor === 8 ? 8 + text.length : 4);
    b.writeUInt32BE(1, 0);
    if (this.minor === 8) {
      b.writeUInt32BE(text.length, 4);
      text.copy(b, 8);
    }
    this.phase = 'closing';
    this.socket.end(b);
  }

  private onClientInit(buf: Buffer): number {
    if (buf.length < 1) return 0;
    // The shared flag is ignored: every viewer shares the one screen, as with VRDE.
    const screen = this.getScreen();
    const name = Buffer.from(screen.machineName, 'utf8');
    const b = Buffer.alloc(24 + name.length);
    b.writeUInt16BE(screen.width, 0);
    b.writeUInt16BE(screen.height, 2);
    encodePixelFormat(NATIVE_FORMAT).copy(b, 4);
    b.writeUInt32BE(name.length, 20);
    name.copy(b, 24);
    this.socket.write(b);
    this.sentSize = { w: screen.width, h: screen.height };
    this.phase = 'normal';
    this.socket.setTimeout(0);
    this.server.emit('ready', this.info);
    return 1;
  }

  private onMessage(buf: Buffer): number {
    switch (buf[0]) {
      case 0: { // SetPixelFormat
        if (buf.length < 20) return 0;
        this.setPixelFormat(buf.subarray(4, 20));
        return 20;
      }
      case 2: { // SetEncodings
        if (buf.length < 4) return 0;
        const n = buf.readUInt16BE(2);
        if (buf.length < 4 + 4 * n) return 0;
        this.desktopSize = false;
        for (let i = 0; i < n; i++) if (buf.readInt32BE(4 + 4 * i) === ENC_DESKTOP_SIZE) this.desktopSize = true;
        return 4 + 4 * n;
      }
      case 3: { // FramebufferUpdateRequest
        if (buf.length < 10) return 0;
        const req: UpdateRequest = {
          incremental: buf[1] !== 0,
          x: buf.readUInt16BE(2), y: buf.readUInt16BE(4), w: buf.readUInt16BE(6), h: buf.readUInt16BE(8),
        };
        this.pending = this.pending ? mergeRequests(this.pending, req) : req;
        return 10;
      }
      case 4: { // KeyEvent
        if (buf.length < 8) return 0;
        this.withScreen((s) => s.keyEvent(buf.readUInt32BE(4), buf[1] !== 0));
        return 8;
      }
      case 5: // PointerEvent: the simulated guest has no pointer to move.
        return buf.length < 6 ? 0 : 6;
      case 6: { // ClientCutText: pasted text is "typed" into the console.
        if (buf.length < 8) return 0;
        const len = buf.readUInt32BE(4);
        if (len > MAX_CUT_TEXT) throw new ProtocolError(`ClientCutText of ${len} bytes`);
        if (buf.length < 8 + len) return 0;
        this.paste(buf.subarray(8, 8 + len).toString('latin1'));
        return 8 + len;
      }
      default:
        throw new ProtocolError(`unknown client message type ${buf[0]}`);
    }
  }

  private setPixelFormat(b: Buffer): void {
    const bpp = b[0];
    if (bpp !== 8 && bpp !== 16 && bpp !== 32) throw new ProtocolError(`unsupported bits-per-pixel ${bpp}`);
    const pf: PixelFormat = {
      bpp, bigEndian: b[2] !== 0, trueColour: b[3] !== 0,
      redMax: b.readUInt16BE(4), greenMax: b.readUInt16BE(6), blueMax: b.readUInt16BE(8),
      redShift: b[10] & 31, greenShift: b[11] & 31, blueShift: b[12] & 31,
    };
    this.format = pf;
    if (!pf.trueColour) this.socket.write(paletteMessage());
    // Whatever the viewer has now is in the old format: the next update must be complete.
    this.sentScreen = null;
  }

  private paste(text: string): void {
    this.withScreen((s) => {
      for (const ch of text.slice(0, MAX_PASTE_CHARS)) {
        const code = ch.charCodeAt(0);
        const keysym = ch === '\n' ? 0xff0d : code >= 0x20 && code !== 0x7f ? code : -1;
        if (keysym < 0) continue;
        s.keyEvent(keysym, true);
        s.keyEvent(keysym, false);
      }
    });
  }

  private withScreen(f: (s: Screen) => void): void {
    f(this.getScreen());
  }
}

function mergeRequests(a: UpdateRequest, b: UpdateRequest): UpdateRequest {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    incremental: a.incremental && b.incremental,
    x, y,
    w: Math.max(a.x + a.w, b.x + b.w) - x,
    h: Math.max(a.y + a.h, b.y + b.h) - y,
  };
}

export class VncServer extends EventEmitter<VncServerEvents> {
  private readonly server: net.Server;
  private readonly conns = new Set<VncClient>();
  private readonly getScreen: () => Screen;
  private readonly password: string;
  private timer: NodeJS.Timeout | null = null;

  constructor(opts: VncServerOptions) {
    super();
    this.getScreen = opts.screen;
    this.password = opts.password ?? '';
    this.server = net.createServer((socket) => this.accept(socket));
  }

  get port(): number {
    const addr = this.server.address();
    return addr && typeof addr === 'object' ? addr.port : 0;
  }

  listen(port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        // Later listener errors are reported, never thrown into the process.
        this.server.on('error', (err) => { if (this.listenerCount('error') > 0) this.emit('error', err); });
        // One timer per server polls screen versions for pending incremental requests.
        this.timer = setInterval(() => { for (const c of this.conns) c.pump(); }, POLL_MS);
        this.timer.unref();
        resolve();
      });
    });
  }

  clients(): number {
    return this.conns.size;
  }

  /** Stops listening and drops every viewer (`reset`: their connections break, as when the host loses power); resolves once all of them are gone. */
  async close(reset = false): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const listener = new Promise<void>((resolve) => {
      if (!this.server.listening) { resolve(); return; }
      this.server.close(() => resolve());
    });
    await Promise.all([...this.conns].map((c) => c.destroy(reset)));
    await listener;
  }

  private accept(socket: net.Socket): void {
    const client = new VncClient(socket, this, this.getScreen, this.password);
    this.conns.add(client);
    socket.on('close', () => {
      if (this.conns.delete(client)) this.emit('disconnect', client.info);
    });
  }
}
