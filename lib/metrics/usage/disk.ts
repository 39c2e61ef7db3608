import type { Inventory } from '@/lib/cluster/inventory';
import { readHostMedia } from '@/lib/media/inventory';

/**
 * The logical size (bytes) of each machine's hard disks in its current state, from the media registry of
 * every host that answers (a disk on shared storage counts once, by location, however many hosts list it).
 * Only machines registered on a host that was read are in the map: a host that fails says nothing.
 */
export async function diskBytesByMachine(inv: Inventory): Promise<Map<string, number>> {
  const disks = new Map<string, Map<string, number>>();
  const read = new Set<string>();
  await Promise.all(inv.hosts().filter((h) => h.health === 'up').map(async (h) => {
    const monitor = inv.monitor(h.id);
    if (!monitor) return;
    const media = await readHostMedia(monitor.client).catch(() => null);
    if (!media) return;
    read.add(h.id);
    for (const m of media) {
      if (m.deviceType !== 'HardDisk') continue;
      // A snapshot's disk (the base under a differencing image) is not the machine's current size.
      for (const u of m.users) {
        if (u.inCurrentState === false) continue;
        const own = disks.get(u.machineId) ?? new Map<string, number>();
        own.set(m.location, m.logicalSizeBytes);
        disks.set(u.machineId, own);
      }
    }
  }));
  const out = new Map<string, number>();
  for (const m of inv.machines()) {
    if (![m.hostId, ...m.twins.map((t) => t.hostId)].some((h) => read.has(h))) continue;
    out.set(m.id, [...(disks.get(m.id)?.values() ?? [])].reduce((a, b) => a + b, 0));
  }
  return out;
}
