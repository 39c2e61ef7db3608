import { vncAuthResponse } from './des';

/**
 * The two RFB (VNC, RFC 6143) handshakes the gateway terminates. Towards the browser it
 * is the server and offers security type None: the viewer never needs the machine's
 * password. Towards the machine's VNC server it is the client and completes VNC
 * Authentication with the password VirtualBox keeps in the VRDE property VNCPassword.
 * After both, the gateway relays bytes unchanged: ClientInit, ServerInit and everything
 * after them go straight through.
 */

export const SEC_INVALID = 0;
export const SEC_NONE = 1;
export const SEC_VNC_AUTH = 2;

/** A handshake failure; `message` is safe to show the user and to log. */
export class RfbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RfbError';
  }
}

/** Bytes as they arrive (socket or WebSocket chunks), read back in exact lengths. */
export class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiting: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.settle();
  }

  /** Fails the pending and every later read (the peer went away). */
  fail(error: Error): void {
    this.failure ??= error;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(this.failure);
  }

  read(n: number): Promise<Buffer> {
    if (this.waiting) return Promise.reject(new Error('ByteReader: one read at a time'));
    if (this.length >= n) return Promise.resolve(this.take(n));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
    });
  }

  /** Everything buffered and not read yet (handed to the relay after the handshake). */
  drain(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    this.chunks = [];
    this.length = 0;
    return all;
  }

  private settle(): void {
    const w = this.waiting;
    if (w && this.length >= w.n) {
      this.waiting = null;
      w.resolve(this.take(w.n));
    }
  }

  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      const used = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.length -= n;
    return out;
  }
}

/** 3, 7 or 8: the minor version both sides speak, from the peer's ProtocolVersion message. */
export function parseVersion(b: Buffer, who: string): 3 | 7 | 8 {
  const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(b.toString('latin1'));
  if (!m || Number(m[1]) !== 3) throw new RfbError(`${who} does not speak RFB 3.x`);
  const minor = Number(m[2]);
  // 3.8 and later (Apple's 3.889) speak 3.8, 3.7 is 3.7, anything else (3.3–3.6) is 3.3 (RFC 6143 §7.1.1).
  return minor >= 8 ? 8 : minor === 7 ? 7 : 3;
}

const versionMessage = (minor: 3 | 7 | 8) => Buffer.from(`RFB 003.00${minor}\n`, 'latin1');

async function readReason(r: ByteReader): Promise<string> {
  const len = (await r.read(4)).readUInt32BE(0);
  return (await r.read(Math.min(len, 1024))).toString('utf8');
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v, 0);
  return b;
}

/**
 * Connects to a VNC server as its client up to (not including) ClientInit: version,
 * security type (VNC Authentication with `password` when offered and a password is set,
 * else None), and the security result. Throws RfbError with the server's reason.
 */
export async function authenticateToServer(r: ByteReader, write: (b: Buffer) => void, password: string): Promise<{ minor: 3 | 7 | 8; security: number }> {
  const minor = parseVersion(await r.read(12), "The machine's VNC server");
  write(versionMessage(minor));
  let types: number[];
  if (minor === 3) {
    const type = (await r.read(4)).readUInt32BE(0);
    if (type === SEC_INVALID) throw new RfbError(`The machine's VNC server refused the connection: ${await readReason(r)}`);
    types = [type];
  } else {
    const n = (await r.read(1))[0];
    if (n === 0) throw new RfbError(`The machine's VNC server refused the connection: ${await readReason(r)}`);
    types = [...(await r.read(n))];
  }
  let security: number;
  if (types.includes(SEC_VNC_AUTH) && password) security = SEC_VNC_AUTH;
  else if (types.includes(SEC_NONE)) security = SEC_NONE;
  else if (types.includes(SEC_VNC_AUTH)) throw new RfbError("The machine's VNC server wants a password, and its VRDE property VNCPassword is empty.");
  else throw new RfbError(`The machine's VNC server offers no security type the gateway speaks (offered: ${types.join(', ')}).`);
  if (minor !== 3) write(Buffer.from([security]));
  if (security === SEC_VNC_AUTH) write(vncAuthResponse(password, await r.read(16)));
  // The SecurityResult: always after VNC Authentication, after None only from 3.8 on.
  if (security === SEC_VNC_AUTH || minor === 8) {
    const result = (await r.read(4)).readUInt32BE(0);
    if (result !== 0) {
      const reason = minor === 8 ? await readReason(r).catch(() => '') : '';
      throw new RfbError(`The machine's VNC server refused the login${reason ? `: ${reason}` : ''} (is VNCPassword right?).`);
    }
  }
  return { minor, security };
}

/** Greets a viewer as an RFB 3.8 server; resolves to the version the viewer chose. */
export async function greetViewer(r: ByteReader, write: (b: Buffer) => void): Promise<3 | 7 | 8> {
  write(versionMessage(8));
  return parseVersion(await r.read(12), 'The viewer');
}

/** Completes the viewer's security handshake with type None (the gateway has authenticated for it). */
export async function acceptViewer(r: ByteReader, write: (b: Buffer) => void, minor: 3 | 7 | 8): Promise<void> {
  if (minor === 3) {
    write(u32(SEC_NONE));
    return;
  }
  write(Buffer.from([1, SEC_NONE]));
  const chosen = (await r.read(1))[0];
  if (chosen !== SEC_NONE) {
    if (minor === 8) refuseAfterChoice(write, `security type ${chosen} was not offered`);
    throw new RfbError(`The viewer chose security type ${chosen}, which was not offered.`);
  }
  if (minor === 8) write(u32(0));
}

function refuseAfterChoice(write: (b: Buffer) => void, reason: string): void {
  const text = Buffer.from(reason, 'utf8');
  write(Buffer.concat([u32(1), u32(text.length), text]));
}

/** Tells a greeted viewer the connection failed, with a reason noVNC shows ("no security types" form). */
export function refuseViewer(write: (b: Buffer) => void, minor: 3 | 7 | 8, reason: string): void {
  const text = Buffer.from(reason, 'utf8');
  write(Buffer.concat([minor === 3 ? u32(0) : Buffer.from([0]), u32(text.length), text]));
}
