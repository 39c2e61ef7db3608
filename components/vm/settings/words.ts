import type { Tr } from '../hardware';

// VirtualBox's enum values as people read them (the GUI's words where it has them): the catalog's
// vmSettings.words.<group>.<value>, so each language has its own.

/** The enums whose values have words in the catalog. */
export type WordGroup =
  | 'firmware'
  | 'tpm'
  | 'chipset'
  | 'paravirt'
  | 'pointing'
  | 'graphics'
  | 'audioController'
  | 'audioCodec'
  | 'audioDriver'
  | 'usbController'
  | 'portMode'
  | 'uart'
  | 'direction'
  | 'autostop'
  | 'auth'
  | 'path';

/** A value's words (`t`: the vmSettings namespace), or the value itself when it has none. */
export const say = (t: Tr, group: WordGroup, v: string): string => (t.has(`words.${group}.${v}`) ? t(`words.${group}.${v}`) : v);

/** The COM ports' standard I/O base and IRQ, by slot (COM1…COM4). */
export const COM_PORTS = [
  { ioAddress: 0x3f8, irq: 4 },
  { ioAddress: 0x2f8, irq: 3 },
  { ioAddress: 0x3e8, irq: 4 },
  { ioAddress: 0x2e8, irq: 3 },
];

/** An I/O port as VirtualBox's GUI writes it: 0x3F8. */
export const hex = (n: number): string => `0x${n.toString(16).toUpperCase()}`;

export const isEfi = (firmware: string): boolean => firmware.startsWith('EFI');
