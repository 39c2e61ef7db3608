/**
 * POSIX ustar archives, as an OVA is one (OVF 1.0 §5.3; VirtualBox writes them with RTZipTar): the
 * descriptor first, then the manifest, then the disks. Reads what GNU tar and pax write too (long
 * names, base-256 sizes above 8 GiB), since users bring OVAs from elsewhere. Files are streamed, never
 * held whole in memory.
 */
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

const BLOCK = 512;

export class TarError extends Error {}

export interface TarEntry {
  name: string;
  /** Where the entry's data starts in the archive. */
  offset: number;
  size: number;
  /** '0' for a file, '5' for a folder (ustar typeflag). */
  type: string;
}

const text = (b: Buffer, at: number, len: number) => {
  const s = b.subarray(at, at + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? len : end).toString('utf8');
};

/** An octal field, or GNU's base-256 form (high bit of the first byte set) for sizes above 8 GiB. */
function number(b: Buffer, at: number, len: number): number {
  if (b[at] & 0x80) {
    let n = b[at] & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + b[at + i];
    return n;
  }
  const s = text(b, at, len).trim();
  if (!/^[0-7]*$/.test(s)) throw new TarError(`Invalid number field "${s}"`);
  return s ? parseInt(s, 8) : 0;
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum;
}

/** pax extended header records: "<len> key=value\n". */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of data.toString('utf8').split('\n')) {
    const m = /^\d+ ([^=]+)=(.*)$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** The entries of an archive, in order; throws TarError when it is not a tar or is cut short. */
export async function tarIndex(file: string): Promise<TarEntry[]> {
  const fh = await open(file, 'r');
  try {
    const { size: total } = await fh.stat();
    const entries: TarEntry[] = [];
    const header = Buffer.alloc(BLOCK);
    let pos = 0;
    let longName: string | null = null;
    let pax: Map<string, string> | null = null;
    for (;;) {
      if (pos + BLOCK > total) {
        if (entries.length === 0) throw new TarError('Not a tar archive');
        break; // some writers leave out the end-of-archive blocks
      }
      await fh.read(header, 0, BLOCK, pos);
      if (header.every((c) => c === 0)) break;
      if (checksum(header) !== number(header, 148, 8)) throw new TarError(`Bad header checksum at offset ${pos}`);
      const type = String.fromCharCode(header[156] || 0x30);
      const size = number(header, 124, 12);
      const data = pos + BLOCK;
      if (data + size > total) throw new TarError(`Entry at offset ${pos} runs past the end of the archive`);
      pos = data + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'L' || type === 'x' || type === 'g') {
        const body = Buffer.alloc(size);
        await fh.read(body, 0, size, data);
        if (type === 'L') longName = text(body, 0, size);
        else if (type === 'x') pax = paxRecords(body);
        continue;
      }
      const prefix = text(header, 345, 155);
      const short = text(header, 0, 100);
      const name = pax?.get('path') ?? longName ?? (prefix ? `${prefix}/${short}` : short);
      const realSize = pax?.has('size') ? Number(pax.get('size')) : size;
      entries.push({ name, offset: data, size: realSize, type });
      longName = null;
      pax = null;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

export async function readTarEntry(file: string, e: TarEntry): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const out = Buffer.alloc(e.size);
    const { bytesRead } = await fh.read(out, 0, e.size, e.offset);
    if (bytesRead !== e.size) throw new TarError(`${e.name} is cut short`);
    return out;
  } finally {
    await fh.close();
  }
}

export function tarEntryStream(file: string, e: TarEntry): NodeJS.ReadableStream {
  // An empty entry: createReadStream's end is inclusive, so a zero-length range needs its own stream.
  if (e.size === 0) return fs.createReadStream(file, { start: 1, end: 0 });
  return fs.createReadStream(file, { start: e.offset, end: e.offset + e.size - 1 });
}

function octal(value: number, len: number, into: Buffer, at: number): void {
  into.write(value.toString(8).padStart(len - 1, '0') + '\0', at, len, 'ascii');
}

/** A ustar header; a name too long for ustar gets a GNU long-name entry first. */
function headerFor(name: string, size: number, mtime: number): Buffer {
  const blocks: Buffer[] = [];
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > 100) {
    blocks.push(headerFor('././@LongLink', bytes.length + 1, 0).subarray(0, BLOCK));
    blocks[0][156] = 'L'.charCodeAt(0);
    octal(checksum(blocks[0]), 7, blocks[0], 148);
    const body = Buffer.alloc(Math.ceil((bytes.length + 1) / BLOCK) * BLOCK);
    bytes.copy(body);
    blocks.push(body);
  }
  const h = Buffer.alloc(BLOCK);
  bytes.subarray(0, 100).copy(h, 0);
  octal(0o644, 8, h, 100);
  octal(0, 8, h, 108);
  octal(0, 8, h, 116);
  if (size < 8 ** 11) octal(size, 12, h, 124);
  else {
    // GNU base-256 for 8 GiB and more.
    h[124] = 0x80;
    let n = size;
    for (let i = 135; i > 124; i--, n = Math.floor(n / 256)) h[i] = n % 256;
  }
  octal(Math.floor(mtime / 1000), 12, h, 136);
  h[156] = '0'.charCodeAt(0);
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('vbox', 265, 'ascii');
  h.write('vbox', 297, 'ascii');
  octal(checksum(h), 7, h, 148);
  h[155] = 0x20;
  blocks.push(h);
  return Buffer.concat(blocks);
}

/**
 * Writes an archive of the entries in order (a file by `path`, streamed, or `data`). A failure or an
 * abort removes the half-written archive.
 */
export async function writeTar(
  out: string,
  entries: { name: string; path?: string; data?: Buffer }[],
  onProgress?: (bytesDone: number, bytesTotal: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const sizes = await Promise.all(entries.map(async (e) => (e.data ? e.data.length : (await fs.promises.stat(e.path!)).size)));
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const file = fs.createWriteStream(out);
  const write = (b: Buffer) => new Promise<void>((resolve, reject) => file.write(b, (err) => (err ? reject(err) : resolve())));
  try {
    for (const [i, e] of entries.entries()) {
      signal?.throwIfAborted();
      await write(headerFor(e.name, sizes[i], Date.now()));
      if (e.data) {
        await write(e.data);
        done += sizes[i];
        onProgress?.(done, total);
      } else {
        const src = fs.createReadStream(e.path!);
        src.on('data', (chunk) => {
          done += chunk.length;
          onProgress?.(done, total);
        });
        await pipeline(src, file, { end: false, signal });
      }
      const pad = (BLOCK - (sizes[i] % BLOCK)) % BLOCK;
      if (pad) await write(Buffer.alloc(pad));
    }
    await write(Buffer.alloc(BLOCK * 2));
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
  } catch (e) {
    file.destroy();
    await fs.promises.rm(out, { force: true });
    throw e;
  }
}
