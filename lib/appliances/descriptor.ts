/**
 * The disks' capacities an OVF descriptor declares (DiskSection: ovf:capacity in
 * ovf:capacityAllocationUnits), which IVirtualSystemDescription does not hand out: the import's quota
 * check and the sizes the inspect view shows. Read from this server's mount of the storage; an OVA's
 * descriptor is its first tar entry (OVF 1.0 §5.3). Null when it cannot be read here (VirtualBox reads
 * the appliance itself; the quota is then checked on the imported disks' real sizes).
 */
import fs from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';

/** A descriptor larger than this is no descriptor (VirtualBox's own limit is far below). */
const MAX_DESCRIPTOR = 16 * 1024 * 1024;

async function descriptorText(file: string): Promise<string | null> {
  const fh = await fs.open(file, 'r');
  try {
    if (!/\.ova$/i.test(file)) {
      const { size } = await fh.stat();
      if (size > MAX_DESCRIPTOR) return null;
      return (await fh.readFile()).toString('utf8');
    }
    const header = Buffer.alloc(512);
    await fh.read(header, 0, 512, 0);
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || 'x', 8);
    if (!Number.isFinite(size) || size <= 0 || size > MAX_DESCRIPTOR) return null;
    const body = Buffer.alloc(size);
    await fh.read(body, 0, size, 512);
    return body.toString('utf8');
  } finally {
    await fh.close();
  }
}

/** "byte * 2^20" → 1048576; absent → 1 (bytes). */
function unitBytes(units: unknown): number {
  if (typeof units !== 'string' || !units.trim()) return 1;
  const m = /^\s*byte(?:\s*\*\s*(\d+)\s*\^\s*(\d+))?\s*$/i.exec(units);
  return m ? (m[1] ? Number(m[1]) ** Number(m[2]) : 1) : 1;
}

const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Capacity in bytes by ovf:diskId (the HardDiskImage rows' ref), or null when the descriptor is not readable here. */
export async function diskCapacities(localFile: string | null): Promise<Map<string, number> | null> {
  if (!localFile) return null;
  try {
    const text = await descriptorText(localFile);
    if (!text) return null;
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true }).parse(text) as Record<string, unknown>;
    const env = xml.Envelope as Record<string, unknown> | undefined;
    const section = env?.DiskSection as Record<string, unknown> | undefined;
    const out = new Map<string, number>();
    for (const d of asList(section?.Disk as Record<string, unknown> | Record<string, unknown>[] | undefined)) {
      const cap = Number(d['@capacity']);
      if (typeof d['@diskId'] === 'string' && Number.isFinite(cap)) out.set(d['@diskId'], cap * unitBytes(d['@capacityAllocationUnits']));
    }
    return out;
  } catch {
    return null;
  }
}
