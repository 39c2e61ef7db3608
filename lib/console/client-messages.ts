/**
 * The viewer-to-server half of RFB after the security handshake (ClientInit, then the
 * messages of RFC 6143 §7.5 plus the extensions noVNC sends), cut into messages by their
 * lengths, for two uses in the gateway:
 * - the idle timeout: a viewer asks for screen updates all the time, so "bytes flowed"
 *   does not mean "someone is there"; key, pointer and clipboard messages do;
 * - view-only consoles: only the messages that ask for pixels pass, input is dropped.
 * A message type it does not know ends the following: from then on every byte is of
 * type UNKNOWN, which counts as input (an unknown extension can only keep a session open,
 * never cut a busy one) and which a view-only console refuses.
 */

/** Bytes needed to know the whole message's length, by client message type. */
const HEADER: Record<number, number> = {
  0: 20, // SetPixelFormat
  2: 4, // SetEncodings: 4 + 4 × count
  3: 10, // FramebufferUpdateRequest
  4: 8, // KeyEvent
  5: 6, // PointerEvent
  6: 8, // ClientCutText: 8 + |length| (negative for the extended clipboard)
  150: 10, // EnableContinuousUpdates
  248: 9, // ClientFence: 9 + payload length
  250: 4, // xvp (shut down, reboot, reset the machine)
  251: 8, // SetDesktopSize: 8 + 16 × screens
  255: 2, // QEMU client message: sub-type 0 (extended key event) is 12
};

/** The type of bytes after a message the stream could not follow. */
export const UNKNOWN = -1;
/** The type of the stream's first byte, ClientInit (its shared flag), which has no type byte. */
export const CLIENT_INIT = -2;

/** Messages that are someone at the keyboard, mouse or clipboard. */
const INPUT = new Set([4, 5, 6, 255]);

/**
 * What a view-only viewer may send: the pixel format and encodings it wants, update
 * requests, continuous updates and fences (flow control). Not keys, pointer or clipboard,
 * and neither xvp (power) nor SetDesktopSize (the guest's resolution).
 */
const VIEW_ONLY = new Set([CLIENT_INIT, 0, 2, 3, 150, 248]);

function messageLength(b: Buffer, i: number): number | undefined {
  switch (b[i]) {
    case 2: return 4 + 4 * b.readUInt16BE(i + 2);
    case 6: return 8 + Math.abs(b.readInt32BE(i + 4));
    case 248: return 9 + b[i + 8];
    case 251: return 8 + 16 * b[i + 6];
    case 255: return b[i + 1] === 0 ? 12 : undefined;
    default: return HEADER[b[i]];
  }
}

/** A piece of one message (a whole one, or part of a long one split across chunks). */
export interface Piece {
  type: number;
  data: Buffer;
  /** Whether the piece starts its message. */
  first: boolean;
}

const EMPTY = Buffer.alloc(0);

export class ClientMessageStream {
  /** The start of a message whose length is not known yet (its header is incomplete). */
  private held: Buffer = EMPTY;
  /** Bytes of the current message still to come, and its type. */
  private rest = 0;
  private type = UNKNOWN;
  private unknown = false;
  private init = true;

  /** Whether the stream met a message type it does not know (everything after is UNKNOWN). */
  get lost(): boolean {
    return this.unknown;
  }

  /**
   * Cuts a chunk into pieces of messages, in order. The pieces hold every byte but an
   * incomplete header at the end, which comes out with the next chunk. Large messages
   * (a paste) come out in pieces as they arrive, never buffered whole.
   */
  split(chunk: Buffer): Piece[] {
    if (this.unknown) return [{ type: UNKNOWN, data: chunk, first: false }];
    const out: Piece[] = [];
    let b = chunk;
    let i = 0;
    if (this.init && b.length > 0) {
      this.init = false;
      out.push({ type: CLIENT_INIT, data: b.subarray(0, 1), first: true });
      i = 1;
    } else if (this.rest > 0) {
      i = Math.min(this.rest, b.length);
      this.rest -= i;
      out.push({ type: this.type, data: b.subarray(0, i), first: false });
    } else if (this.held.length > 0) {
      b = Buffer.concat([this.held, chunk]);
      this.held = EMPTY;
    }
    while (i < b.length) {
      const header = HEADER[b[i]];
      if (header !== undefined && b.length - i < header) {
        this.held = Buffer.from(b.subarray(i));
        break;
      }
      const len = header === undefined ? undefined : messageLength(b, i);
      if (len === undefined) {
        this.unknown = true;
        out.push({ type: UNKNOWN, data: b.subarray(i), first: true });
        break;
      }
      const n = Math.min(len, b.length - i);
      out.push({ type: b[i], data: b.subarray(i, i + n), first: true });
      if (n < len) {
        this.type = b[i];
        this.rest = len - n;
      }
      i += n;
    }
    return out;
  }
}

/** Whether pieces hold (the start of) user input, or bytes that cannot be told apart from it. */
export function hasInput(pieces: Piece[]): boolean {
  return pieces.some((p) => p.type === UNKNOWN || (p.first && INPUT.has(p.type)));
}

/** The bytes of the pieces a view-only console lets through (input and power messages are dropped). */
export function viewOnlyBytes(pieces: Piece[]): Buffer {
  const kept = pieces.filter((p) => VIEW_ONLY.has(p.type)).map((p) => p.data);
  return kept.length === 1 ? kept[0] : Buffer.concat(kept);
}
