// The framebuffer of a simulated running machine: what a VNC viewer (and
// IDisplay screenshots) see. The picture is a pure function of the clock, the
// machine/host names and what was typed, so tests with a fake clock can compare
// pixels exactly; it is rendered on demand and cached until its version changes.
import { endianness } from 'node:os';
import { deflateSync } from 'node:zlib';
import { GLYPH_H, GLYPH_W, glyph } from './font.js';

/** What moves with the machine across a teleport. */
export interface ScreenState {
  bootedAt: number;
  typed: string;
}

export interface ScreenOptions {
  machineName: string;
  hostName: string;
  width?: number;
  height?: number;
  state?: ScreenState;
  now?: () => number;
}

// The animation advances in steps so the picture (and hence VNC traffic) changes at
// a bounded rate: 4 frames a second rather than whenever a viewer asks.
const ANIM_MS = 250;
const MAX_LINES = 10;
const MAX_TYPED = 2000;
const MAX_DIM = 8192;

const C_BG = 0x101820;
const C_TITLE_BG = 0x1f3b5c;
const C_TITLE = 0xffffff;
const C_LABEL = 0x8090a0;
const C_HOST = 0x9fd3ff;
const C_UPTIME = 0xa0f0a0;
const C_FRAME = 0x506070;
const C_BAR = 0x3fa7ff;
const C_BOX_BG = 0x0b1117;
const C_SQUARE = 0xffb347;
const C_TEXT = 0xe0e0e0;
const C_CURSOR = 0x7fff7f;

const M = 16; // outer margin
const LITTLE_ENDIAN = endianness() === 'LE';

/** Text a key press adds, '\b' for a deletion, or null when the key changes nothing. */
function keysymText(keysym: number): string | null {
  if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff)) {
    return String.fromCharCode(keysym);
  }
  // Unicode keysyms (0x01000000 + code point) for the Latin-1 range.
  if (keysym >= 0x01000020 && keysym <= 0x010000ff) {
    const cp = keysym - 0x01000000;
    return cp <= 0x7e || cp >= 0xa0 ? String.fromCharCode(cp) : null;
  }
  switch (keysym) {
    case 0xff08: return '\b'; // BackSpace
    case 0xff0d: // Return
    case 0xff8d: return '\n'; // KP_Enter
    case 0xff80: return ' '; // KP_Space
    case 0xffaa: return '*';
    case 0xffab: return '+';
    case 0xffad: return '-';
    case 0xffae: return '.';
    case 0xffaf: return '/';
    default:
      if (keysym >= 0xffb0 && keysym <= 0xffb9) return String.fromCharCode(0x30 + keysym - 0xffb0); // KP_0..9
      return null;
  }
}

function clampTyped(text: string): string {
  let lines = text.split('\n');
  if (lines.length > MAX_LINES) lines = lines.slice(-MAX_LINES);
  const joined = lines.join('\n');
  return joined.length > MAX_TYPED ? joined.slice(-MAX_TYPED) : joined;
}

function checkDim(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1 || v > MAX_DIM) throw new RangeError(`invalid screen ${what}: ${v}`);
  return v;
}

/** Triangle wave: bounces v back and forth over 0..range. */
function bounce(v: number, range: number): number {
  if (range <= 0) return 0;
  const m = v % (2 * range);
  return m <= range ? m : 2 * range - m;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatUptime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `up ${pad2(h)}:${pad2(m)}:${pad2(seconds % 60)}`;
}

/** Pixel canvas of 0x00RRGGBB values with clipped drawing primitives. */
class Canvas {
  readonly px: Uint32Array;
  constructor(readonly w: number, readonly h: number) {
    this.px = new Uint32Array(w * h);
  }

  fill(x: number, y: number, rw: number, rh: number, color: number): void {
    const x0 = Math.max(0, x);
    const y0 = Math.max(0, y);
    const x1 = Math.min(this.w, x + rw);
    const y1 = Math.min(this.h, y + rh);
    if (x0 >= x1) return;
    for (let row = y0; row < y1; row++) this.px.fill(color, row * this.w + x0, row * this.w + x1);
  }

  frame(x: number, y: number, rw: number, rh: number, color: number): void {
    this.fill(x, y, rw, 1, color);
    this.fill(x, y + rh - 1, rw, 1, color);
    this.fill(x, y, 1, rh, color);
    this.fill(x + rw - 1, y, 1, rh, color);
  }

  /** Draws text with (GLYPH_W+1)*scale advance; returns the x after the last glyph. */
  text(x: number, y: number, s: string, color: number, scale: number): number {
    for (let i = 0; i < s.length; i++) {
      const rows = glyph(s.charCodeAt(i));
      for (let gy = 0; gy < GLYPH_H; gy++) {
        const bits = rows[gy];
        if (bits === 0) continue;
        for (let gx = 0; gx < GLYPH_W; gx++) {
          if (bits & (1 << (GLYPH_W - 1 - gx))) this.fill(x + gx * scale, y + gy * scale, scale, scale, color);
        }
      }
      x += (GLYPH_W + 1) * scale;
    }
    return x;
  }
}

/** Cuts s to at most max characters, marking the cut. */
function fit(s: string, max: number): string {
  if (max <= 0) return '';
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 3))}...`.slice(0, max);
}

// PNG chunk CRC (ISO 3309); zlib.crc32 only exists from Node 20.15 on.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export class Screen {
  readonly width: number;
  readonly height: number;
  readonly machineName: string;
  private host: string;
  private readonly bootedAt: number;
  private typed: string;
  // Counts changes that do not come from the clock (typing, host name), so that
  // version() = clock ticks + edits strictly grows with every change of picture.
  private edits = 0;
  private readonly now: () => number;
  private cache: { tick: number; edits: number; pixels: Buffer } | null = null;

  constructor(opts: ScreenOptions) {
    this.width = checkDim(opts.width ?? 640, 'width');
    this.height = checkDim(opts.height ?? 480, 'height');
    this.machineName = opts.machineName;
    this.host = opts.hostName;
    this.now = opts.now ?? Date.now;
    this.bootedAt = opts.state?.bootedAt ?? this.now();
    this.typed = clampTyped(opts.state?.typed ?? '');
  }

  get hostName(): string {
    return this.host;
  }

  set hostName(value: string) {
    if (value === this.host) return;
    this.host = value;
    this.edits++;
  }

  state(): ScreenState {
    return { bootedAt: this.bootedAt, typed: this.typed };
  }

  /** What has been typed so far (the last lines kept). */
  text(): string {
    return this.typed;
  }

  keyEvent(keysym: number, down: boolean): void {
    if (!down) return;
    const t = keysymText(keysym);
    if (t === null) return;
    if (t === '\b') {
      if (this.typed.length === 0) return;
      this.typed = this.typed.slice(0, -1);
    } else {
      this.typed = clampTyped(this.typed + t);
    }
    this.edits++;
  }

  version(): number {
    return this.tick() + this.edits;
  }

  /**
   * The picture as width*height 32-bit pixels, bytes B,G,R,0. The returned buffer is
   * shared with later callers until the picture changes: do not modify it.
   */
  render(): Buffer {
    const tick = this.tick();
    if (this.cache && this.cache.tick === tick && this.cache.edits === this.edits) return this.cache.pixels;
    const canvas = new Canvas(this.width, this.height);
    this.paint(canvas, tick);
    const pixels = Buffer.from(canvas.px.buffer, canvas.px.byteOffset, canvas.px.byteLength);
    if (!LITTLE_ENDIAN) pixels.swap32();
    this.cache = { tick, edits: this.edits, pixels };
    return pixels;
  }

  /** PNG (8-bit RGBA) of the picture, nearest-neighbour scaled; 0 or absent = native size. */
  png(width?: number, height?: number): Buffer {
    const tw = width ? checkDim(width, 'png width') : this.width;
    const th = height ? checkDim(height, 'png height') : this.height;
    const src = this.render();
    const stride = 1 + tw * 4;
    const raw = Buffer.alloc(th * stride); // each row starts with filter type 0 (None)
    const xs = new Uint32Array(tw);
    for (let x = 0; x < tw; x++) xs[x] = Math.floor((x * this.width) / tw);
    for (let y = 0; y < th; y++) {
      const sy = Math.floor((y * this.height) / th);
      const srow = sy * this.width * 4;
      let o = y * stride + 1;
      for (let x = 0; x < tw; x++) {
        const s = srow + xs[x] * 4;
        raw[o++] = src[s + 2];
        raw[o++] = src[s + 1];
        raw[o++] = src[s];
        raw[o++] = 0xff;
      }
    }
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(tw, 0);
    ihdr.writeUInt32BE(th, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 6; // colour type RGBA
    return Buffer.concat([
      PNG_SIGNATURE,
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', deflateSync(raw)),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
  }

  private tick(): number {
    return Math.max(0, Math.floor((this.now() - this.bootedAt) / ANIM_MS));
  }

  private paint(c: Canvas, tick: number): void {
    const W = c.w;
    const H = c.h;
    c.fill(0, 0, W, H, C_BG);

    // Title band with the machine name at 3x.
    c.fill(0, 0, W, 44, C_TITLE_BG);
    c.text(M, 11, fit(this.machineName, Math.floor((W - 2 * M) / 18)), C_TITLE, 3);

    // Host and uptime at 2x (12 px per character).
    const cols2 = Math.floor((W - 2 * M) / 12);
    const x = c.text(M, 58, 'host ', C_LABEL, 2);
    c.text(x, 58, fit(this.host, cols2 - 5), C_HOST, 2);
    const seconds = Math.floor((tick * ANIM_MS) / 1000);
    c.text(M, 82, formatUptime(seconds), C_UPTIME, 2);

    // Progress bar filling over 10 seconds, then starting again.
    const barW = W - 2 * M;
    c.frame(M, 108, barW, 12, C_FRAME);
    const period = 10_000 / ANIM_MS;
    c.fill(M + 2, 110, Math.round(((barW - 4) * (tick % period)) / (period - 1)), 8, C_BAR);

    // A square bouncing in a box: moves on every tick, so motion is always visible.
    const boxY = 128;
    const boxH = 56;
    c.fill(M, boxY, barW, boxH, C_BOX_BG);
    c.frame(M, boxY, barW, boxH, C_FRAME);
    const sq = 16;
    const sx = bounce(tick * 7, barW - 4 - sq);
    const sy = bounce(tick * 5, boxH - 4 - sq);
    c.fill(M + 2 + sx, boxY + 2 + sy, sq, sq, C_SQUARE);

    // Console: what was typed, wrapped, followed by a block cursor.
    const conY = 196;
    const conH = H - conY - M;
    c.fill(M, conY, barW, conH, C_BOX_BG);
    c.frame(M, conY, barW, conH, C_FRAME);
    const cols = Math.max(1, Math.floor((barW - 16) / 12));
    const rows = Math.max(1, Math.floor((conH - 12) / 18));
    const visual: string[] = [];
    for (const line of this.typed.split('\n')) {
      if (line.length === 0) visual.push('');
      for (let i = 0; i < line.length; i += cols) visual.push(line.slice(i, i + cols));
    }
    if (visual[visual.length - 1].length >= cols) visual.push('');
    const shown = visual.slice(-rows);
    shown.forEach((line, i) => {
      const end = c.text(M + 8, conY + 8 + i * 18, line, C_TEXT, 2);
      if (i === shown.length - 1) c.fill(end, conY + 8 + i * 18, GLYPH_W * 2, GLYPH_H * 2, C_CURSOR);
    });
  }
}
