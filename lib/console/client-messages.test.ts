import { describe, expect, it } from 'vitest';
import { ClientMessageStream, hasInput, viewOnlyBytes } from './client-messages';

const fbur = () => Buffer.from([3, 1, 0, 0, 0, 0, 2, 128, 1, 224]);
const key = (down = 1) => Buffer.from([4, down, 0, 0, 0, 0, 0, 0x61]);
const pointer = () => Buffer.from([5, 0, 0, 10, 0, 20]);
const encodings = (n: number) => Buffer.concat([Buffer.from([2, 0, 0, n]), Buffer.alloc(4 * n)]);
const pixelFormat = () => Buffer.concat([Buffer.from([0]), Buffer.alloc(19, 7)]);
const fence = (payload: number) => Buffer.concat([Buffer.from([248, 0, 0, 0, 0, 0, 0, 3, payload]), Buffer.alloc(payload, 9)]);
const xvp = () => Buffer.from([250, 0, 1, 4]); // reset
const qemuKey = () => Buffer.from([255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x1e]);
const desktopSize = () => Buffer.concat([Buffer.from([251, 0, 4, 0, 3, 0, 1, 0]), Buffer.alloc(16)]);
function cutText(text: string) {
  const b = Buffer.alloc(8);
  b[0] = 6;
  b.writeUInt32BE(text.length, 4);
  return Buffer.concat([b, Buffer.from(text, 'latin1')]);
}

/** ClientInit (shared): the first byte a viewer sends after the security handshake. */
const INIT = Buffer.from([1]);

/** A stream past its ClientInit. */
function started(): ClientMessageStream {
  const s = new ClientMessageStream();
  s.split(INIT);
  return s;
}

/** Feeds ClientInit and a stream in chunks of `size`; returns whether each chunk held input, and the view-only bytes. */
function run(messages: Buffer, size: number) {
  const s = new ClientMessageStream();
  const stream = Buffer.concat([INIT, messages]);
  const input: boolean[] = [];
  const passed: Buffer[] = [];
  for (let i = 0; i < stream.length; i += size) {
    const pieces = s.split(stream.subarray(i, i + size));
    input.push(hasInput(pieces));
    passed.push(viewOnlyBytes(pieces));
  }
  return { s, input, passed: Buffer.concat(passed) };
}

describe('client messages: input (the idle timeout)', () => {
  it('does not count ClientInit, screen update requests, encodings or pixel formats as input', () => {
    const s = new ClientMessageStream();
    // ClientInit's shared flag is 1, which as a message type would be unknown.
    expect(hasInput(s.split(Buffer.concat([INIT, pixelFormat(), encodings(7), fbur(), fbur()])))).toBe(false);
    expect(s.lost).toBe(false);
  });

  it('counts keys, pointer and pasted text, across any chunking', () => {
    const stream = Buffer.concat([fbur(), encodings(3), key(), fbur(), cutText('hello world'), fbur(), pointer(), fbur()]);
    for (const size of [1, 3, 7, 64]) {
      const { s, input } = run(stream, size);
      // Byte by byte, each of the three input messages is reported exactly once.
      if (size === 1) expect(input.filter(Boolean)).toHaveLength(3);
      else expect(input.some(Boolean)).toBe(true);
      expect(s.lost).toBe(false);
      // After the stream it is in step again: a lone update request is not input.
      expect(hasInput(s.split(fbur()))).toBe(false);
    }
  });

  it('cuts large pastes into pieces as they come, without buffering them', () => {
    const s = started();
    const paste = cutText('x'.repeat(100_000));
    expect(hasInput(s.split(paste.subarray(0, 10)))).toBe(true);
    const middle = s.split(paste.subarray(10, 50_000));
    expect(middle).toEqual([{ type: 6, data: paste.subarray(10, 50_000), first: false }]);
    expect(hasInput(middle)).toBe(false);
    expect(hasInput(s.split(Buffer.concat([paste.subarray(50_000), fbur()])))).toBe(false);
    expect(hasInput(s.split(key()))).toBe(true);
  });

  it('counts everything as input once it meets a message it does not know', () => {
    const s = started();
    expect(hasInput(s.split(Buffer.from([99, 0, 0, 0])))).toBe(true);
    expect(s.lost).toBe(true);
    expect(hasInput(s.split(fbur()))).toBe(true);
  });
});

describe('client messages: view-only', () => {
  it('passes exactly the pixel requests, in order, and drops keys, pointer, clipboard, power and resize, across any chunking', () => {
    const wanted = [pixelFormat(), encodings(5), fbur(), fence(4), fbur()];
    const dropped = [key(), pointer(), cutText('rm -rf /\n'), xvp(), qemuKey(), desktopSize(), key(0)];
    const stream = Buffer.concat([wanted[0], dropped[0], wanted[1], dropped[1], dropped[2], wanted[2], dropped[3], dropped[4], wanted[3], dropped[5], dropped[6], wanted[4]]);
    for (const size of [1, 2, 5, 13, 1000]) {
      const { s, passed } = run(stream, size);
      expect(s.lost).toBe(false);
      expect(passed.equals(Buffer.concat([INIT, ...wanted])), `chunks of ${size}`).toBe(true);
    }
  });

  it('drops a paste that arrives in many pieces, and passes what follows it', () => {
    const { passed } = run(Buffer.concat([cutText('y'.repeat(70_000)), fbur()]), 4096);
    expect(passed.equals(Buffer.concat([INIT, fbur()]))).toBe(true);
  });

  it('marks an unknown message type as lost, so that the gateway can close the console', () => {
    const s = started();
    expect(viewOnlyBytes(s.split(Buffer.concat([fbur(), Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x61]), Buffer.from([77, 1, 2])]))).equals(fbur())).toBe(true);
    expect(s.lost).toBe(true);
    expect(viewOnlyBytes(s.split(fbur())).length).toBe(0);
  });
});
