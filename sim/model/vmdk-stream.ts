/**
 * VMware's stream-optimized VMDK (VMDK 5.0 spec, "Stream-Optimized Compressed Sparse Extents"), as
 * VirtualBox writes it for an OVF export (Medium::i_exportFile with MediumVariant_VmdkStreamOptimized,
 * VD's VMDK backend): a header, the embedded descriptor, the non-zero grains deflated each behind its
 * LBA, a grain table after each run of grains it covers, the grain directory, a footer (the header
 * again, now with the directory's offset) and the end-of-stream marker. The reader takes the same
 * (and any stream-optimized VMDK: markers, not the directory, lead it).
 */
import fs from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';

const SECTOR = 512;
const MAGIC = 0x564d444b; // 'KDMV'
const GRAIN_SECTORS = 128; // 64 KiB
const GRAIN = GRAIN_SECTORS * SECTOR;
const GTES_PER_GT = 512;
/** Where the first grain goes (VirtualBox leaves the rest of the first 64 KiB empty). */
const OVERHEAD_SECTORS = 128;
const MARKER_EOS = 0;
const MARKER_GT = 1;
const MARKER_GD = 2;
const MARKER_FOOTER = 3;
/** flags: valid newline detection, compressed grains, markers. */
const FLAGS = 0x1 | 0x10000 | 0x20000;

export interface VmdkSource {
  /** The guest-visible size in bytes. */
  size: number;
  read(offset: number, length: number): Buffer;
  /** Offsets (bytes) at which data may be: only these ranges are read; the rest is zeros. */
  ranges?(): { offset: number; length: number }[];
}

function header(capacitySectors: number, descriptorSectors: number, gdOffset: bigint): Buffer {
  const h = Buffer.alloc(SECTOR);
  h.writeUInt32LE(MAGIC, 0);
  h.writeUInt32LE(3, 4);
  h.writeUInt32LE(FLAGS, 8);
  h.writeBigUInt64LE(BigInt(capacitySectors), 12);
  h.writeBigUInt64LE(BigInt(GRAIN_SECTORS), 20);
  h.writeBigUInt64LE(1n, 28);
  h.writeBigUInt64LE(BigInt(descriptorSectors), 36);
  h.writeUInt32LE(GTES_PER_GT, 44);
  h.writeBigUInt64LE(0n, 48);
  h.writeBigUInt64LE(gdOffset, 56);
  h.writeBigUInt64LE(BigInt(OVERHEAD_SECTORS), 64);
  h.write('\n \r\n', 73, 'latin1');
  h.writeUInt16LE(1, 77); // deflate
  return h;
}

function marker(numSectors: number, type: number): Buffer {
  const m = Buffer.alloc(SECTOR);
  m.writeBigUInt64LE(BigInt(numSectors), 0);
  m.writeUInt32LE(0, 8);
  m.writeUInt32LE(type, 12);
  return m;
}

const padded = (b: Buffer) => (b.length % SECTOR ? Buffer.concat([b, Buffer.alloc(SECTOR - (b.length % SECTOR))]) : b);

/** The descriptor VD's VMDK backend embeds (an IDE disk's CHS geometry, as VirtualBox sets it). */
function descriptor(fileName: string, capacitySectors: number, imageId: string): string {
  const cylinders = Math.min(16383, Math.floor(capacitySectors / (16 * 63)));
  const cid = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  const zero = '00000000-0000-0000-0000-000000000000';
  return '# Disk DescriptorFile\nversion=1\n' + `CID=${cid}\nparentCID=ffffffff\ncreateType="streamOptimized"\n\n` +
    `# Extent description\nRDONLY ${capacitySectors} SPARSE "${fileName}"\n\n# The disk Data Base \n#DDB\n\n` +
    'ddb.virtualHWVersion = "4"\nddb.adapterType="ide"\n' +
    `ddb.geometry.cylinders="${cylinders}"\nddb.geometry.heads="16"\nddb.geometry.sectors="63"\n` +
    `ddb.uuid.image="${imageId}"\nddb.uuid.parent="${zero}"\nddb.uuid.modification="${zero}"\n` +
    `ddb.uuid.parentmodification="${zero}"\nddb.comment=""\n`;
}

/**
 * Writes `src` as a stream-optimized VMDK through `write` (called in order with each piece).
 * `onProgress(done, total)` in bytes of the source; `canceled()` stops between grains.
 */
export async function writeStreamVmdk(
  src: VmdkSource, fileName: string, imageId: string, write: (b: Buffer) => void | Promise<void>,
  onProgress?: (done: number, total: number) => void, canceled?: () => boolean,
): Promise<void> {
  const capacitySectors = Math.ceil(src.size / SECTOR);
  const desc = padded(Buffer.from(descriptor(fileName, capacitySectors, imageId), 'latin1'));
  const descSectors = desc.length / SECTOR;
  let pos = 0; // sectors written
  const put = async (b: Buffer) => {
    await write(b);
    pos += b.length / SECTOR;
  };
  await put(header(capacitySectors, descSectors, 0xffffffffffffffffn));
  await put(desc);
  await put(Buffer.alloc((OVERHEAD_SECTORS - pos) * SECTOR));

  const grains = Math.ceil(src.size / GRAIN);
  const gtCount = Math.ceil(grains / GTES_PER_GT);
  const gd = new Uint32Array(gtCount);
  // Which grains may hold data: those within the source's ranges (all of them without ranges).
  const wanted = new Set<number>();
  for (const r of src.ranges?.() ?? [{ offset: 0, length: src.size }]) {
    for (let g = Math.floor(r.offset / GRAIN); g * GRAIN < Math.min(src.size, r.offset + r.length); g++) wanted.add(g);
  }
  for (let t = 0; t < gtCount; t++) {
    const gt = new Uint32Array(GTES_PER_GT);
    let any = false;
    for (let k = 0; k < GTES_PER_GT; k++) {
      const g = t * GTES_PER_GT + k;
      if (g >= grains) break;
      if (canceled?.()) return;
      if (!wanted.has(g)) continue;
      const data = src.read(g * GRAIN, Math.min(GRAIN, src.size - g * GRAIN));
      if (data.every((x) => x === 0)) continue;
      const full = data.length < GRAIN ? Buffer.concat([data, Buffer.alloc(GRAIN - data.length)]) : data;
      const z = deflateSync(full);
      const head = Buffer.alloc(12);
      head.writeBigUInt64LE(BigInt(g * GRAIN_SECTORS), 0);
      head.writeUInt32LE(z.length, 8);
      gt[k] = pos;
      any = true;
      await put(padded(Buffer.concat([head, z])));
      onProgress?.(Math.min(src.size, (g + 1) * GRAIN), src.size);
      // Let the event loop breathe between grains (SOAP calls go on while a disk exports).
      if (g % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    if (any) {
      await put(marker(GTES_PER_GT * 4 / SECTOR, MARKER_GT));
      gd[t] = pos;
      await put(Buffer.from(gt.buffer));
    }
  }
  const gdBytes = padded(Buffer.from(gd.buffer));
  await put(marker(gdBytes.length / SECTOR, MARKER_GD));
  const gdOffset = pos;
  await put(gdBytes);
  await put(marker(1, MARKER_FOOTER));
  await put(header(capacitySectors, descSectors, BigInt(gdOffset)));
  await put(marker(0, MARKER_EOS));
  onProgress?.(src.size, src.size);
}

/** A VMDK that is not stream-optimized as VirtualBox reads one. */
export class VmdkError extends Error {}

export interface StreamVmdkInfo {
  /** Guest-visible size in bytes. */
  capacity: number;
  /** The embedded descriptor's text. */
  descriptor: string;
}

/** Reads a stream-optimized VMDK's header and descriptor. */
export function streamVmdkInfo(buf: Buffer): StreamVmdkInfo {
  if (buf.length < SECTOR || buf.readUInt32LE(0) !== MAGIC) throw new VmdkError('not a VMDK sparse extent');
  const flags = buf.readUInt32LE(8);
  if (!(flags & 0x10000) || !(flags & 0x20000)) throw new VmdkError('not a stream-optimized VMDK');
  const capacity = Number(buf.readBigUInt64LE(12)) * SECTOR;
  const descOff = Number(buf.readBigUInt64LE(28)) * SECTOR;
  const descLen = Number(buf.readBigUInt64LE(36)) * SECTOR;
  return { capacity, descriptor: buf.toString('latin1', descOff, descOff + descLen).replace(/\0+$/, '') };
}

/**
 * Reads every grain of a stream-optimized VMDK held in `buf` (or read from a file): `onGrain(offset,
 * data)` with the byte offset in the disk and the inflated 64 KiB (cut at the capacity).
 */
export function readStreamVmdk(input: Buffer | string, onGrain: (offset: number, data: Buffer) => void): StreamVmdkInfo {
  const buf = typeof input === 'string' ? fs.readFileSync(input) : input;
  const info = streamVmdkInfo(buf);
  const grainSize = Number(buf.readBigUInt64LE(20)) * SECTOR;
  let off = Number(buf.readBigUInt64LE(64)) * SECTOR;
  while (off + 12 <= buf.length) {
    const lba = Number(buf.readBigUInt64LE(off));
    const size = buf.readUInt32LE(off + 8);
    if (size) {
      const at = lba * SECTOR;
      if (at >= info.capacity) throw new VmdkError(`grain at ${at} is beyond the disk's end`);
      let data: Buffer;
      try {
        data = inflateSync(buf.subarray(off + 12, off + 12 + size));
      } catch {
        throw new VmdkError(`grain at ${at} does not inflate`);
      }
      onGrain(at, data.subarray(0, Math.min(grainSize, info.capacity - at)));
      off += Math.ceil((12 + size) / SECTOR) * SECTOR;
      continue;
    }
    const type = buf.readUInt32LE(off + 12);
    if (type === MARKER_EOS) return info;
    off += SECTOR + lba * SECTOR;
  }
  throw new VmdkError('the stream has no end-of-stream marker');
}
