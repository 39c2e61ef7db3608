import { useTranslations } from 'next-intl';
import { useMemo } from 'react';

/**
 * A translator of one namespace as the pure helpers take it (next-intl's `t` from useTranslations or
 * createTranslator fits): helpers that build sentences get it instead of holding English text.
 */
export interface Tr {
  (key: string, values?: Record<string, string | number | Date>): string;
  has(key: string): boolean;
}

/** A boot device's name in the language of `t` (namespace vmWords), or the device itself when unknown. */
export const bootLabel = (t: Tr, device: string): string => (t.has(`boot.${device}`) ? t(`boot.${device}`) : device);

/** A machine state's name in the language of `t` (namespace vmState): "Powered off", "Ausgeschaltet"; unknown ones as they are. */
export const stateName = (t: Tr, state: string): string => (t.has(state) ? t(state) : state);

/** The boot devices' and machine states' names in the current language. */
export function useVmWords() {
  const t = useTranslations('vmWords');
  const states = useTranslations('vmState');
  return useMemo(() => ({ t, boot: (device: string) => bootLabel(t, device), state: (s: string) => stateName(states, s) }), [t, states]);
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
