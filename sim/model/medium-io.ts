import { fail, sleep, VBoxFault, type ManagedObject } from './base';
import { findFormat } from './medium-format';
import { Progress } from './progress';
import type { Medium } from './medium';

/** IToken from IMedium::lockRead/lockWrite (MediumLockToken): abandon() gives the lock back, once. */
export class MediumLockToken implements ManagedObject {
  readonly iface = 'IToken';
  private abandoned = false;
  constructor(private readonly release: () => void) {}
  private ready() { if (this.abandoned) fail('E_ACCESSDENIED', 'The object is not ready', 'IToken'); }
  abandon() {
    this.ready();
    this.abandoned = true;
    this.release();
  }
  dummy() { this.ready(); }
}

/** gSOAP writes xsd:base64Binary in lines of 64 characters. */
export function soapBase64(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,64}/g) ?? []).join('\n');
}

/** What a MediumIO reads and writes: the guest-visible bytes of the medium. */
export interface MediumData {
  readonly size: number;
  read(offset: number, length: number): Buffer;
  write(offset: number, data: Buffer): number;
}

const SECTOR = 512;

/** IDataStream: a bounded buffer a conversion task fills and a client drains. */
export class DataStream implements ManagedObject {
  readonly iface = 'IDataStream';
  private chunks: Buffer[] = [];
  private ended = false;
  /** The writer gave up: a reader waits in vain (DataStream::read times out). */
  private failed = false;
  private readonly waiters: Array<() => void> = [];
  constructor(readonly bufferSize: number) {}
  push(b: Buffer) { this.chunks.push(b); this.wake(); }
  end(failed = false) { this.ended = true; this.failed = failed; this.wake(); }
  private wake() { for (const w of this.waiters.splice(0)) w(); }
  private buffered() { return this.chunks.reduce((a, c) => a + c.length, 0); }
  getReadSize() { return this.buffered(); }
  /** DataStream::read: waits up to timeoutMS for data; none in time is VBOX_E_TIMEOUT (no error info). */
  async read(size: number, timeoutMS: number) {
    if (size === 0) return '';
    const deadline = Date.now() + timeoutMS;
    while (!this.buffered() && !(this.ended && !this.failed) && Date.now() < deadline) {
      await new Promise<void>((r) => { const t = setTimeout(r, Math.max(1, deadline - Date.now())); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
    if (!this.buffered()) {
      if (this.ended && !this.failed) return '';
      throw new VBoxFault('VBOX_E_TIMEOUT', '', 'DataStreamWrap', 'IDataStream');
    }
    const all = Buffer.concat(this.chunks);
    const out = all.subarray(0, size);
    this.chunks = [all.subarray(out.length)];
    return soapBase64(out);
  }
}

/**
 * IMediumIO (Medium::openForIO): the medium stays locked (for writing or reading) until close(); reads and
 * writes go to the image's data. Formatting and partitioning write the structures IPRT would.
 */
export class MediumIO implements ManagedObject {
  readonly iface = 'IMediumIO';
  private open = true;
  constructor(private readonly medium: Medium, private readonly writable: boolean, private readonly data: MediumData, private readonly unlock: () => void) {}

  getMedium() { return this.medium; }
  getWritable() { return this.writable; }
  /** VirtualBox 7.1 has no VFS explorer on a medium yet: a bare E_NOTIMPL. */
  getExplorer(): never { throw new VBoxFault('E_NOTIMPL', '', 'MediumIOWrap', 'IMediumIO'); }

  read(offset: number, size: number) {
    if (size > 256 * 1024) fail('E_INVALIDARG', `Max read size is 256KB, given: ${size}`, 'IMediumIO');
    if (size === 0) fail('E_INVALIDARG', 'Zero byte read is not supported.', 'IMediumIO');
    if (!this.open) fail('VBOX_E_FILE_ERROR', `Error reading ${size} bytes at ${offset}: VERR_INVALID_HANDLE`, 'IMediumIO');
    return soapBase64(this.data.read(offset, size));
  }

  write(offset: number, data: string) {
    const buf = Buffer.from(data, 'base64');
    if (!buf.length) fail('E_INVALIDARG', 'Zero byte write is not supported.', 'IMediumIO');
    if (!this.writable) fail('E_ACCESSDENIED', 'Medium not opened for writing.', 'IMediumIO');
    if (!this.open) fail('VBOX_E_FILE_ERROR', `Error writing ${buf.length} bytes at ${offset}: VERR_INVALID_HANDLE`, 'IMediumIO');
    return this.data.write(offset, buf);
  }

  /** MediumIO::formatFAT: IPRT's FAT formatter with its defaults (see formatFat). */
  formatFAT(quick: boolean) {
    if (!this.writable) fail('E_ACCESSDENIED', 'Medium not opened for writing.', 'IMediumIO');
    if (!this.open) fail('VBOX_E_FILE_ERROR', 'Error formatting: VERR_INVALID_HANDLE', 'IMediumIO');
    formatFat(this.data, quick);
  }

  /**
   * RTDvmMapInitialize: an empty MBR (the boot signature alone); IPRT 7.1 cannot make a GPT yet, nor one
   * partition over the whole disk.
   */
  initializePartitionTable(format: string, wholeDiskInOneEntry: boolean) {
    if (format !== 'MBR' && format !== 'GPT') fail('E_INVALIDARG', `Invalid partition format type: ${format}`, 'IMediumIO');
    if (!this.writable) fail('E_ACCESSDENIED', 'Medium not opened for writing.', 'IMediumIO');
    if (wholeDiskInOneEntry) fail('E_NOTIMPL', 'whole-disk-in-one-entry is not implemented yet, sorry.', 'IMediumIO');
    if (!this.open) fail('VBOX_E_FILE_ERROR', 'RTDvmCreate failed: VERR_INVALID_HANDLE', 'IMediumIO');
    if (format === 'GPT') fail('VBOX_E_FILE_ERROR', 'RTDvmMapInitialize failed: VERR_NOT_IMPLEMENTED', 'IMediumIO');
    const mbr = Buffer.alloc(SECTOR);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    this.data.write(0, mbr);
  }

  /**
   * MediumIO::convertToStream: a task writes an image of the given format into the stream. Only
   * backends that can write a stream (RAW here) produce data; others fail the progress, as VD does.
   */
  convertToStream(format: string, _variant: string[], bufferSize: number) {
    const stream = new DataStream(bufferSize);
    const loc = this.medium.getLocation();
    const progress = Progress.run({ description: `Converting medium '${loc}' to data stream`, initiator: this, cancelable: true }, async (p) => {
      let canceled = false;
      p.onCancel(() => { canceled = true; stream.end(); });
      const fmt = findFormat(format);
      // VD writes streams only through backends that can (RAW here); others fail the conversion.
      if (!fmt || fmt.id !== 'RAW') {
        stream.end(true);
        fail('VBOX_E_FILE_ERROR', 'Failed to convert and stream disk image', 'IMediumIO');
      }
      const step = Math.max(SECTOR, Math.min(bufferSize || 65536, 1024 * 1024));
      for (let off = 0; off < this.data.size && !canceled; off += step) {
        while (stream.getReadSize() >= (bufferSize || step) && !canceled) await sleep(5);
        stream.push(this.data.read(off, Math.min(step, this.data.size - off)));
        p.step((off / this.data.size) * 100);
      }
      stream.end();
    });
    return { stream, returnval: progress };
  }

  close() {
    if (!this.open) return;
    this.open = false;
    this.unlock();
  }
}

// ---------------------------------------------------------------------------------------------
// FAT formatting as IPRT's RTFsFatVolFormat does it with all parameters left to it (what MediumIO
// asks for): geometry and root directory size from a table of volume sizes, the FAT type and cluster
// size from the cluster count limits, then the boot sector, the FATs and an empty root directory; a
// full (not quick) format fills the data area with 0xf6.

const FAT12_TOTAL = 0xff6;
const FAT16_TOTAL = 0xfff6;
const FAT32_TOTAL = 0x0ffffff6;
const FAT12_DATA = 0xff4;
const FAT16_DATA = 0xfff4;
const MIB = 1024 * 1024;
/** Volume size up to which a row applies: media byte, heads, sectors per track, sectors per cluster (0: computed), root entries. */
const FAT_DEFAULTS: [number, number, number, number, number, number][] = [
  [163840, 0xfe, 1, 8, 1, 64], [184320, 0xfc, 1, 9, 2, 64], [327680, 0xff, 2, 8, 2, 112], [368640, 0xfd, 2, 9, 2, 112],
  [737280, 0xf9, 2, 9, 2, 112], [1228800, 0xf9, 2, 15, 2, 112], [1474560, 0xf0, 2, 18, 1, 224], [2949120, 0xf0, 2, 36, 2, 224],
  [528482304, 0xf8, 16, 63, 0, 512], [7927234560, 0xf8, 240, 63, 0, 512], [8422686720, 0xf8, 255, 63, 0, 512],
];

export function formatFat(data: MediumData, quick: boolean): void {
  const sector = SECTOR;
  const fats = 2;
  const vol = data.size;
  const sectors = Math.floor(vol / sector);
  const align = (n: number, a: number) => Math.ceil(n / a) * a;
  let row = 0;
  while (row < FAT_DEFAULTS.length - 1 && vol > FAT_DEFAULTS[row][0]) row++;
  const [, media, heads, perTrack, defaultPerCluster, rootEntries] = FAT_DEFAULTS[row];
  const rootDir0 = align(rootEntries * 32, sector);
  const fat12Overhead = sector + align(Math.floor((FAT12_TOTAL * 3) / 2), sector) * fats + rootDir0;
  const fat16Overhead = sector + align(FAT16_TOTAL * 2, sector) * fats + rootDir0;
  let type = 0;
  let perCluster = defaultPerCluster;
  if (!perCluster) {
    if (vol <= fat12Overhead + FAT12_DATA * 4 * sector) {
      type = 12;
      perCluster = 1;
      while (perCluster < 128 && sectors > Math.floor(fat12Overhead / sector) + perCluster * FAT12_DATA + perCluster - 1) perCluster *= 2;
    } else if (vol <= fat16Overhead + FAT16_DATA * 128 * sector) {
      type = 16;
      perCluster = 1;
      // (IPRT weighs the FAT12 overhead here too.)
      while (perCluster < 128 && sectors > Math.floor(fat12Overhead / sector) + perCluster * FAT16_DATA + perCluster - 1) perCluster *= 2;
    } else {
      type = 32;
      const overhead = sector * 32 + 8 * MIB * fats;
      perCluster = 4096 / sector;
      while (perCluster < 128 && perCluster * sector < 32768 && sectors > overhead / sector + perCluster * 2 * MIB) perCluster *= 2;
    }
  }
  const cluster = perCluster * sector;
  if (!type) {
    if (vol <= fat12Overhead + cluster || Math.floor((vol - fat12Overhead) / cluster) <= FAT12_DATA) type = 12;
    else type = vol <= fat16Overhead + cluster || Math.floor((vol - fat16Overhead) / cluster) <= FAT16_DATA ? 16 : 32;
  }
  const rootDir = type === 32 ? cluster : rootDir0;
  const reserved = type === 32 ? 32 * sector : sector + rootDir;
  const tooSmall = (fatBytes: number) => {
    if (reserved + fatBytes * fats >= vol) {
      fail('VBOX_E_FILE_ERROR', `Error formatting (VERR_DISK_FULL): volume is too small (cbVol=${hex(vol)} rsvd=${hex(reserved)} cbFat=${hex(fatBytes)} cFat=${hex(fats)})`, 'IMediumIO');
    }
  };
  let fatBytes = sector;
  tooSmall(fatBytes);
  // IPRT caps FAT32's cluster count at FAT12's here (it is recomputed from the FAT size below).
  const maxClusters = type === 16 ? FAT16_DATA : FAT12_DATA;
  let clusters = Math.min(Math.floor((vol - reserved - fatBytes * fats) / cluster), maxClusters);
  for (let tries = 5, prev = -1; clusters !== prev && tries > 0; tries--) {
    prev = clusters;
    if (type === 12) fatBytes = Math.floor((Math.min(FAT12_TOTAL, clusters) * 3) / 2);
    else if (type === 16) fatBytes = Math.min(FAT16_TOTAL, clusters) * 2;
    else fatBytes = align(Math.min(FAT32_TOTAL, clusters) * 4, 4096);
    fatBytes = align(fatBytes, sector);
    tooSmall(fatBytes);
    clusters = Math.min(Math.floor((vol - reserved - fatBytes * fats) / cluster), maxClusters);
  }
  const total = clusters * perCluster + (reserved + fatBytes * fats) / sector;

  const boot = Buffer.alloc(sector);
  const jump = 11 + (type === 32 ? 79 : 51) - 2;
  boot.set([0xeb, jump, 0x90]);
  boot.write(type === 32 ? 'FAT32   ' : 'IPRT 6.2', 3, 'latin1');
  boot.writeUInt16LE(sector, 11);
  boot[13] = perCluster;
  boot.writeUInt16LE(type === 32 ? reserved / sector : 1, 14);
  boot[16] = fats;
  boot.writeUInt16LE(type === 32 ? 0 : rootEntries, 17);
  boot.writeUInt16LE(total <= 0xffff ? total : 0, 19);
  boot[21] = media;
  boot.writeUInt16LE(type === 32 ? 0 : fatBytes / sector, 22);
  boot.writeUInt16LE(perTrack, 24);
  boot.writeUInt16LE(heads, 26);
  boot.writeUInt32LE(total > 0xffff && total <= 0xffffffff ? total : 0, 32);
  const serial = (Math.random() * 0x100000000) >>> 0;
  if (type !== 32) {
    boot[38] = 0x29;
    boot.writeUInt32LE(serial, 39);
    boot.write(' '.repeat(11), 43, 'latin1');
    boot.write(type === 12 ? 'FAT12   ' : 'FAT16   ', 54, 'latin1');
  } else {
    boot.writeUInt32LE(fatBytes / sector, 36);
    boot.writeUInt32LE(2, 44); // root directory cluster
    boot.writeUInt16LE(1, 48); // info sector
    boot.writeUInt16LE(6, 50); // boot sector copy
    boot[66] = 0x29;
    boot.writeUInt32LE(serial, 67);
    boot.write(' '.repeat(11), 71, 'latin1');
    boot.write('FAT32   ', 82, 'latin1');
  }
  boot.set([0xcd, 0x18, 0xcc, 0xcc], jump + 2); // int 18h; int3
  boot[510] = 0x55;
  boot[511] = 0xaa;
  data.write(0, boot);
  const firstFat = (type === 32 ? reserved : sector);
  if (type === 32) {
    const info = Buffer.alloc(sector);
    info.writeUInt32LE(0x41615252, 0);
    info.writeUInt32LE(0x61417272, 484);
    info.writeUInt32LE(clusters - 1, 488);
    info.writeUInt32LE(2, 492);
    info.writeUInt32LE(0xaa550000, 508);
    data.write(sector, info);
    data.write(2 * sector, Buffer.alloc(4 * sector));
    for (let i = 6; i < 9; i++) data.write(i * sector, boot);
    data.write(9 * sector, Buffer.alloc(reserved - 9 * sector));
  }
  const fat = Buffer.alloc(fatBytes);
  fat.set([media, 0xff, 0xff]);
  if (type >= 16) fat[3] = 0xff;
  if (type === 32) fat.set([0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0x0f], 4);
  for (let i = 0; i < fats; i++) data.write(firstFat + fatBytes * i, fat);
  data.write(firstFat + fatBytes * fats, Buffer.alloc(rootDir));
  if (!quick) {
    let off = firstFat + fatBytes * fats + rootDir;
    // IPRT formats to the end of the volume when what is left is cluster rounding.
    const end = vol - total * sector <= 256 * 1024 ? vol : total * sector;
    const fill = Buffer.alloc(MIB, 0xf6);
    while (off < end) {
      const n = Math.min(fill.length, end - off);
      data.write(off, fill.subarray(0, n));
      off += n;
    }
  }
}

function hex(n: number): string { return `0x${n.toString(16)}`; }
