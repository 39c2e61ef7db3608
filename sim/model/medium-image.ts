// vboxsim's image files on the shared storage. A hard disk image (whatever its format) is laid out as
// VirtualBox's VDI: a 512-byte header, a block map from 1 MiB on (one u32 per 1 MiB block, non-zero
// when the block is in this image) and the data blocks from offData on — sparse, so a dynamic image
// takes room only for what was written. A RAW image (DVD, floppy) is its data, nothing else. Every host
// that opens the file sees the same image: its UUID, size, parent and data live in the file.
import fs from 'node:fs';
import path from 'node:path';

export const MIB = 1024 * 1024;
const VDI_SIGNATURE = '<<< Oracle VM VirtualBox Disk Image >>>\n';
const VDI_MAGIC = 0xbeda107f;
/** VDI image types (header offset 76). */
const TYPE_DYNAMIC = 1;
const TYPE_FIXED = 2;
const TYPE_DIFF = 4;
const OFF_TYPE = 76;
const OFF_DATA = 344;
const OFF_SIZE = 368;
const OFF_ID = 392;
/** vboxsim keeps the parent's UUID as text here (VDI's uuidParentModify field). */
const OFF_PARENT = 440;
const BLOCK_MAP = MIB;

export interface ImageHeader {
  logicalSize: number;
  fixed: boolean;
  id: string;
  /** The parent image's UUID for a differencing image, else ''. */
  parentId: string;
  /** Where the data blocks start. */
  offData: number;
}

/**
 * What VirtualBox's VDI backend puts on disk: the header, then the block map from 1 MiB on, the data
 * aligned to the next MiB after it; a dynamic image holds no blocks yet, a fixed one all of them.
 */
export function vdiFileSize(logicalSize: number, fixed: boolean): number {
  return dataOffset(logicalSize) + (fixed ? Math.ceil(logicalSize / MIB) * MIB : 0);
}

function dataOffset(logicalSize: number): number {
  const blocks = Math.ceil(logicalSize / MIB);
  return MIB + Math.ceil((blocks * 4) / MIB) * MIB;
}

/** What an image header says (null: not an image vboxsim knows). */
export function readImageHeader(location: string): ImageHeader | null {
  let fd: number | undefined;
  try {
    fd = fs.openSync(location, 'r');
    const h = Buffer.alloc(512);
    fs.readSync(fd, h, 0, 512, 0);
    if (h.readUInt32LE(64) !== VDI_MAGIC) return null;
    const logicalSize = Number(h.readBigUInt64LE(OFF_SIZE));
    return {
      logicalSize,
      fixed: h.readUInt32LE(OFF_TYPE) === TYPE_FIXED,
      id: h.toString('latin1', OFF_ID, OFF_ID + 36).replace(/\0+$/, ''),
      parentId: h.readUInt32LE(OFF_TYPE) === TYPE_DIFF ? h.toString('latin1', OFF_PARENT, OFF_PARENT + 36).replace(/\0+$/, '') : '',
      offData: h.readUInt32LE(OFF_DATA) || dataOffset(logicalSize),
    };
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export interface NewImage {
  id: string;
  logicalSize: number;
  fixed: boolean;
  /** A differencing image's parent UUID. */
  parentId?: string;
  /** RAW: the file is the data. */
  raw?: boolean;
}

/** Writes a new image file (refused when one is there: 'wx'), sparse, its length what VirtualBox's would have. */
export function createImage(location: string, img: NewImage): void {
  // As VirtualBox (RTDirCreateFullPath, RTFileOpen): new folders 0700, image files 0600 (sim/conversations/vfs.ts).
  fs.mkdirSync(path.dirname(location), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(location, 'wx', 0o600);
  try {
    if (img.raw) {
      fs.ftruncateSync(fd, img.logicalSize);
      return;
    }
    const h = Buffer.alloc(512);
    h.write(VDI_SIGNATURE, 0, 'latin1');
    h.writeUInt32LE(VDI_MAGIC, 64);
    h.writeUInt32LE(img.parentId ? TYPE_DIFF : img.fixed ? TYPE_FIXED : TYPE_DYNAMIC, OFF_TYPE);
    h.writeUInt32LE(dataOffset(img.logicalSize), OFF_DATA);
    h.writeBigUInt64LE(BigInt(img.logicalSize), OFF_SIZE);
    h.write(img.id, OFF_ID, 'latin1');
    if (img.parentId) h.write(img.parentId, OFF_PARENT, 'latin1');
    fs.writeSync(fd, h);
    fs.ftruncateSync(fd, vdiFileSize(img.logicalSize, img.fixed && !img.parentId));
  } finally {
    fs.closeSync(fd);
  }
}

/** Rewrites fields of an existing image header. */
export function updateHeader(location: string, change: { id?: string; parentId?: string; logicalSize?: number }): void {
  const fd = fs.openSync(location, 'r+');
  try {
    if (change.id !== undefined) fs.writeSync(fd, Buffer.from(change.id.padEnd(36, '\0'), 'latin1'), 0, 36, OFF_ID);
    if (change.parentId !== undefined) {
      const type = Buffer.alloc(4);
      fs.readSync(fd, type, 0, 4, OFF_TYPE);
      if (!change.parentId && type.readUInt32LE(0) === TYPE_DIFF) type.writeUInt32LE(TYPE_DYNAMIC, 0);
      if (change.parentId) type.writeUInt32LE(TYPE_DIFF, 0);
      fs.writeSync(fd, type, 0, 4, OFF_TYPE);
      fs.writeSync(fd, Buffer.from(change.parentId.padEnd(36, '\0'), 'latin1'), 0, 36, OFF_PARENT);
    }
    if (change.logicalSize !== undefined) {
      const size = Buffer.alloc(8);
      size.writeBigUInt64LE(BigInt(change.logicalSize));
      fs.writeSync(fd, size, 0, 8, OFF_SIZE);
      const want = vdiFileSize(change.logicalSize, false);
      if (fs.fstatSync(fd).size < want) fs.ftruncateSync(fd, want);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A differencing image made empty again (IMedium::reset): its blocks gone, its map cleared. */
export function emptyImage(location: string): void {
  const h = readImageHeader(location);
  if (!h) return;
  const fd = fs.openSync(location, 'r+');
  try {
    fs.ftruncateSync(fd, BLOCK_MAP);
    fs.ftruncateSync(fd, h.offData);
  } finally {
    fs.closeSync(fd);
  }
}

/** One image of a chain, open for block access. */
export class ImageBlocks {
  private constructor(readonly location: string, readonly raw: boolean, readonly header: ImageHeader | null) {}

  static open(location: string, raw: boolean): ImageBlocks {
    return new ImageBlocks(location, raw, raw ? null : readImageHeader(location));
  }

  get logicalSize(): number { return this.raw ? fs.statSync(this.location).size : this.header?.logicalSize ?? 0; }

  /** Map entries this image can hold (blocks beyond them are not tracked: read as the parent's). */
  private get capacity(): number { return this.header ? (this.header.offData - BLOCK_MAP) / 4 : 0; }

  has(block: number): boolean {
    if (this.raw) return true;
    if (!this.header || block >= this.capacity) return false;
    const b = Buffer.alloc(4);
    const fd = fs.openSync(this.location, 'r');
    try {
      fs.readSync(fd, b, 0, 4, BLOCK_MAP + block * 4);
    } finally {
      fs.closeSync(fd);
    }
    return b.readUInt32LE(0) !== 0;
  }

  /** Every block this image holds. */
  blocks(): number[] {
    if (!this.header) return [];
    const n = Math.min(this.capacity, Math.ceil(this.header.logicalSize / MIB));
    const map = Buffer.alloc(n * 4);
    const fd = fs.openSync(this.location, 'r');
    try {
      fs.readSync(fd, map, 0, map.length, BLOCK_MAP);
    } finally {
      fs.closeSync(fd);
    }
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (map.readUInt32LE(i * 4)) out.push(i);
    return out;
  }

  /** Reads within one block (or anywhere in a RAW image). */
  read(offset: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    const fd = fs.openSync(this.location, 'r');
    try {
      fs.readSync(fd, out, 0, length, (this.header?.offData ?? 0) + offset);
    } finally {
      fs.closeSync(fd);
    }
    return out;
  }

  /** Writes within one block, marking it as this image's (a RAW image is written as it is). */
  write(offset: number, data: Buffer): void {
    const fd = fs.openSync(this.location, 'r+');
    try {
      fs.writeSync(fd, data, 0, data.length, (this.header?.offData ?? 0) + offset);
      const block = Math.floor(offset / MIB);
      if (this.header && block < this.capacity) {
        const one = Buffer.alloc(4);
        one.writeUInt32LE(block + 1, 0);
        fs.writeSync(fd, one, 0, 4, BLOCK_MAP + block * 4);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * The guest-visible bytes of a chain of images (the medium first, then its parents): a block comes
 * from the first image that holds it, else reads as zeros; a write copies the block up first.
 */
export class ChainData {
  constructor(private readonly chain: ImageBlocks[], readonly size: number) {}

  private blockFrom(block: number): ImageBlocks | undefined {
    return this.chain.find((i) => i.has(block));
  }

  read(offset: number, length: number): Buffer {
    const end = Math.min(this.size, offset + length);
    if (offset >= end) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (let o = offset; o < end;) {
      const block = Math.floor(o / MIB);
      const n = Math.min(end, (block + 1) * MIB) - o;
      const from = this.blockFrom(block);
      parts.push(from ? from.read(o, n) : Buffer.alloc(n));
      o += n;
    }
    return Buffer.concat(parts);
  }

  /** Writes what fits within the medium's size; returns how many bytes were written. */
  write(offset: number, data: Buffer): number {
    const end = Math.min(this.size, offset + data.length);
    const top = this.chain[0];
    for (let o = offset; o < end;) {
      const block = Math.floor(o / MIB);
      const blockEnd = Math.min(end, (block + 1) * MIB);
      if (!top.raw && !top.has(block)) {
        // Copy-on-write: the block as the chain below has it, then the new bytes over it.
        const start = block * MIB;
        const whole = this.read(start, Math.min(MIB, this.size - start));
        data.copy(whole, o - start, o - offset, blockEnd - offset);
        top.write(start, whole);
      } else {
        top.write(o, data.subarray(o - offset, blockEnd - offset));
      }
      o = blockEnd;
    }
    return Math.max(0, end - offset);
  }

  /** Every block any image of the chain holds. */
  blocks(): number[] {
    return [...new Set(this.chain.flatMap((i) => (i.raw ? [] : i.blocks())))].sort((a, b) => a - b);
  }
}
