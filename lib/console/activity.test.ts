import { describe, expect, it } from 'vitest';
import { InputWatcher } from './activity';

const fbur = () => Buffer.from([3, 1, 0, 0, 0, 0, 2, 128, 1, 224]);
const key = (down = 1) => Buffer.from([4, down, 0, 0, 0, 0, 0, 0x61]);
const pointer = () => Buffer.from([5, 0, 0, 10, 0, 20]);
const encodings = (n: number) => Buffer.concat([Buffer.from([2, 0, 0, n]), Buffer.alloc(4 * n)]);
function cutText(text: string) {
  const b = Buffer.alloc(8);
  b[0] = 6;
  b.writeUInt32BE(text.length, 4);
  return Buffer.concat([b, Buffer.from(text, 'latin1')]);
}

describe('InputWatcher', () => {
  it('does not count screen update requests, encodings or pixel formats as input', () => {
    const w = new InputWatcher();
    expect(w.feed(Buffer.concat([Buffer.alloc(20), encodings(7), fbur(), fbur()]))).toBe(false);
    expect(w.lost).toBe(false);
  });

  it('counts keys, pointer and pasted text, across any chunking', () => {
    const stream = Buffer.concat([fbur(), encodings(3), key(), fbur(), cutText('hello world'), fbur(), pointer(), fbur()]);
    for (const size of [1, 3, 7, 64]) {
      const w = new InputWatcher();
      const seen: boolean[] = [];
      for (let i = 0; i < stream.length; i += size) seen.push(w.feed(stream.subarray(i, i + size)));
      // Byte by byte, each of the three input messages is reported exactly once.
      if (size === 1) expect(seen.filter(Boolean)).toHaveLength(3);
      else expect(seen.some(Boolean)).toBe(true);
      expect(w.lost).toBe(false);
      // After the stream it is in step again: a lone update request is not input.
      expect(w.feed(fbur())).toBe(false);
    }
  });

  it('skips large pastes without buffering them', () => {
    const w = new InputWatcher();
    const paste = cutText('x'.repeat(100_000));
    expect(w.feed(paste.subarray(0, 10))).toBe(true);
    expect(w.feed(paste.subarray(10, 50_000))).toBe(false);
    expect(w.feed(Buffer.concat([paste.subarray(50_000), fbur()]))).toBe(false);
    expect(w.feed(key())).toBe(true);
  });

  it('counts everything as input once it meets a message it does not know', () => {
    const w = new InputWatcher();
    expect(w.feed(Buffer.from([99, 0, 0, 0]))).toBe(true);
    expect(w.lost).toBe(true);
    expect(w.feed(fbur())).toBe(true);
  });
});
