import { describe, expect, it } from 'vitest';
import { ReadRing } from './gateway';

describe('ReadRing', () => {
  it('never hands out memory that is still in flight, across many random reads and writes', () => {
    const size = 64 * 1024;
    const ring = new ReadRing(size, 16 * 1024, 4 * 1024);
    const inflight: { start: number; end: number }[] = [];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const isRing = (b: Buffer) => b.buffer.byteLength === size;
    const disjoint = (start: number, end: number) => inflight.every((r) => start >= r.end || end <= r.start);
    let ringReads = 0;
    let oneOffReads = 0;
    // As Node does: the buffer for the next read is asked for right after each read, and
    // writes complete (release) while it is outstanding.
    let buf = ring.next();
    for (let step = 0; step < 50_000; step++) {
      if (inflight.length > 0 && random() < 0.5) {
        ring.release();
        inflight.shift();
        continue;
      }
      const n = 1 + Math.floor(random() * buf.length);
      const { data, inRing } = ring.take(buf, n);
      expect(inRing).toBe(isRing(buf));
      if (inRing) {
        ringReads++;
        expect(disjoint(data.byteOffset, data.byteOffset + n)).toBe(true);
        expect(data.byteOffset + n).toBeLessThanOrEqual(size);
        inflight.push({ start: data.byteOffset, end: data.byteOffset + n });
      } else {
        oneOffReads++;
      }
      buf = ring.next();
      // A reservation never overlaps what is in flight; a one-off buffer only when the ring has no room.
      if (isRing(buf)) expect(disjoint(buf.byteOffset, buf.byteOffset + buf.length)).toBe(true);
      else expect(inflight.length).toBeGreaterThan(0);
    }
    expect(ringReads).toBeGreaterThan(10_000);
    expect(oneOffReads).toBeGreaterThan(0);
  });

  it('starts over at the beginning once everything is written', () => {
    const ring = new ReadRing(1024, 256, 64);
    const a = ring.next();
    ring.take(a, 200);
    const b = ring.next();
    expect(b.byteOffset).toBe(a.byteOffset + 200);
    ring.take(b, 10);
    ring.release();
    ring.release();
    expect(ring.next().byteOffset).toBe(a.byteOffset);
  });
});
