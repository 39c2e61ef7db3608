import type { BootDevice } from '@/lib/hooks/types';

/** VirtualBox's NetworkAdapterType names as people know them. */
export const ADAPTER_LABELS: Record<string, string> = {
  I82545EM: 'Intel PRO/1000 MT Server (82545EM)',
  Virtio: 'Paravirtualized network (virtio-net)',
  I82540EM: 'Intel PRO/1000 MT Desktop (82540EM)',
  I82543GC: 'Intel PRO/1000 T Server (82543GC)',
  Am79C973: 'PCnet-FAST III (Am79C973)',
  Am79C970A: 'PCnet-PCI II (Am79C970A)',
};

/** Boot devices as the selects show them. */
export const BOOT_LABELS: Record<BootDevice, string> = {
  HardDisk: 'Hard disk',
  DVD: 'Optical (DVD/ISO)',
  Network: 'Network (PXE)',
  Floppy: 'Floppy',
  Null: 'Nothing',
};

/** Three boot slots from a machine's boot order (missing ones are 'Null'). */
export function bootSlots(order: readonly string[], slots = 3): string[] {
  const out = order.filter((d) => d && d !== 'Null').slice(0, slots);
  while (out.length < slots) out.push('Null');
  return out;
}

/** The boot slots as the API takes them. */
export function bootOrderOut(slots: readonly string[]): string[] {
  return slots.filter((d) => d !== 'Null');
}
