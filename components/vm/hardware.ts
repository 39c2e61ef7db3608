import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import type { BootDevice } from '@/lib/hooks/types';

/**
 * A translator of one namespace as the pure helpers take it (next-intl's `t` from useTranslations or
 * createTranslator fits): helpers that build sentences get it instead of holding English text.
 */
export interface Tr {
  (key: string, values?: Record<string, string | number | Date>): string;
  has(key: string): boolean;
}

/**
 * @deprecated English only: use useVmWords().adapter(type) (catalog `vmWords`).
 * VirtualBox's NetworkAdapterType names as people know them.
 */
export const ADAPTER_LABELS: Record<string, string> = {
  I82545EM: 'Intel PRO/1000 MT Server (82545EM)',
  Virtio: 'Paravirtualized network (virtio-net)',
  I82540EM: 'Intel PRO/1000 MT Desktop (82540EM)',
  I82543GC: 'Intel PRO/1000 T Server (82543GC)',
  Am79C973: 'PCnet-FAST III (Am79C973)',
  Am79C970A: 'PCnet-PCI II (Am79C970A)',
};

/** @deprecated English only: use useVmWords().boot(device) (catalog `vmWords`). */
export const BOOT_LABELS: Record<BootDevice, string> = {
  HardDisk: 'Hard disk',
  DVD: 'Optical (DVD/ISO)',
  Network: 'Network (PXE)',
  Floppy: 'Floppy',
  Null: 'Nothing',
};

/** An adapter type's name in the language of `t` (namespace vmWords), or the type itself when unknown. */
export const adapterLabel = (t: Tr, type: string): string => (t.has(`adapter.${type}`) ? t(`adapter.${type}`) : type);
/** A boot device's name in the language of `t` (namespace vmWords), or the device itself when unknown. */
export const bootLabel = (t: Tr, device: string): string => (t.has(`boot.${device}`) ? t(`boot.${device}`) : device);

/** A machine state's name in the language of `t` (namespace vmWords): "Powered off", "Ausgeschaltet"; unknown ones as they are. */
export const stateName = (t: Tr, state: string): string => (t.has(`state.${state}`) ? t(`state.${state}`) : state);

/** The adapter types', boot devices' and machine states' names in the current language. */
export function useVmWords() {
  const t = useTranslations('vmWords');
  return useMemo(() => ({ t, adapter: (type: string) => adapterLabel(t, type), boot: (device: string) => bootLabel(t, device), state: (s: string) => stateName(t, s) }), [t]);
}

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
