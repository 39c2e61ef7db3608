/**
 * Tells user input apart from a viewer's routine traffic, for the gateway's idle timeout.
 * A viewer asks for screen updates all the time (FramebufferUpdateRequest after every
 * update), so "bytes flowed" does not mean "someone is there"; key, pointer and
 * clipboard messages do. This follows the client-to-server message stream (RFC 6143
 * §7.5 plus the extensions noVNC sends) by message lengths. A message type it does not
 * know ends the tracking: from then on every byte counts as input, so an unknown
 * extension can only keep a session open, never cut a busy one.
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
  250: 4, // xvp
  251: 8, // SetDesktopSize: 8 + 16 × screens
  255: 2, // QEMU client message: sub-type 0 (extended key event) is 12
};

const INPUT = new Set([4, 5, 6, 255]);

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

export class InputWatcher {
  private partial: Buffer = Buffer.alloc(0);
  private skip = 0;
  private opaque = false;

  /** Whether the watcher has given up following the stream (an unknown message type). */
  get lost(): boolean {
    return this.opaque;
  }

  /** Follows one chunk of viewer-to-server bytes; true when it holds (part of) user input. */
  feed(chunk: Buffer): boolean {
    if (this.opaque) return true;
    let b = chunk;
    let i = 0;
    if (this.skip > 0) {
      const n = Math.min(this.skip, b.length);
      this.skip -= n;
      i = n;
    } else if (this.partial.length > 0) {
      b = Buffer.concat([this.partial, chunk]);
      this.partial = Buffer.alloc(0);
    }
    let input = false;
    while (i < b.length) {
      const header = HEADER[b[i]];
      if (header === undefined) return this.giveUp();
      if (b.length - i < header) {
        this.partial = Buffer.from(b.subarray(i));
        return input;
      }
      const len = messageLength(b, i);
      if (len === undefined) return this.giveUp();
      if (INPUT.has(b[i])) input = true;
      if (b.length - i < len) {
        this.skip = len - (b.length - i);
        return input;
      }
      i += len;
    }
    return input;
  }

  private giveUp(): true {
    this.opaque = true;
    this.partial = Buffer.alloc(0);
    return true;
  }
}
