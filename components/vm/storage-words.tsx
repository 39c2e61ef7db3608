import type { useTranslations } from 'next-intl';
import type { StorageAttachment, StorageControllerView, StorageDeviceType } from '@/lib/hooks/use-storage';
import type { StorageBus } from '@/lib/vbox/types';

/** VirtualBox's bus names as its GUI shows them (PCIe is how NVMe attaches). */
export const BUS_LABEL: Partial<Record<StorageBus, string>> = {
  IDE: 'IDE',
  SATA: 'SATA',
  SCSI: 'SCSI',
  SAS: 'SAS',
  PCIe: 'NVMe',
  VirtioSCSI: 'virtio-scsi',
  Floppy: 'Floppy',
  USB: 'USB',
};
export const busLabel = (bus: StorageBus) => BUS_LABEL[bus] ?? bus;

/** The name VirtualBox's GUI gives a new controller on each bus. */
const DEFAULT_NAME: Partial<Record<StorageBus, string>> = { PCIe: 'NVMe', VirtioSCSI: 'VirtIO' };

/** A free controller name for a bus: "SATA", else "SATA 2", "SATA 3", … */
export function newControllerName(bus: StorageBus, taken: readonly string[]): string {
  const base = DEFAULT_NAME[bus] ?? bus;
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base} ${i}`)) return `${base} ${i}`;
}

/** A translator of the `vmStorage` namespace (useTranslations('vmStorage')). */
export type StorageT = ReturnType<typeof useTranslations<'vmStorage'>>;

/**
 * The catalog keys of a device type's words (in `vmStorage`): `device.*` the device ("Hard disk"),
 * `medium.*` what goes into it (the picker's word: "Disk", "ISO image"), `mediumA.*` the same with
 * its article ("a disk"), `deviceThe.*` the device in a sentence ("the optical drive").
 */
export const deviceKey = (type: StorageDeviceType) => `device.${type}`;
export const mediumKey = (type: StorageDeviceType) => `medium.${type}`;
export const mediumAKey = (type: StorageDeviceType) => `mediumA.${type}`;

/** A slot as people say it: "SATA port 1", or "IDE port 1 device 0" where a port holds two devices. */
export function slotLabel(t: StorageT, ctl: Pick<StorageControllerView, 'name' | 'maxDevicesPerPort'>, port: number, device: number): string {
  return ctl.maxDevicesPerPort > 1 ? t('slot.portDevice', { name: ctl.name, port: String(port), device: String(device) }) : t('slot.port', { name: ctl.name, port: String(port) });
}

/** A slot within its controller's row: "Port 1", or "Port 1, device 0". */
export function portLabel(t: StorageT, ctl: Pick<StorageControllerView, 'maxDevicesPerPort'>, port: number, device: number): string {
  return ctl.maxDevicesPerPort > 1 ? t('slot.shortPortDevice', { port: String(port), device: String(device) }) : t('slot.shortPort', { port: String(port) });
}

/** The slots of a controller nothing is attached to, port by port. */
export function freeSlots(ctl: StorageControllerView): { port: number; device: number }[] {
  const used = new Set(ctl.attachments.map((a) => `${a.port}:${a.device}`));
  const out: { port: number; device: number }[] = [];
  for (let port = 0; port < ctl.portCount; port++) {
    for (let device = 0; device < Math.max(1, ctl.maxDevicesPerPort); device++) if (!used.has(`${port}:${device}`)) out.push({ port, device });
  }
  return out;
}

/** How many of a controller's ports have something attached. */
export const portsUsed = (ctl: StorageControllerView) => new Set(ctl.attachments.map((a) => a.port)).size;

/** The lowest port count that keeps every attachment (ports are numbered from 0). */
export const lowestPortCount = (ctl: StorageControllerView) => Math.max(ctl.minPortCount, ...ctl.attachments.map((a) => a.port + 1));

/** Attachments in port then device order. */
export const bySlot = (a: StorageAttachment, b: StorageAttachment) => a.port - b.port || a.device - b.device;

/** A device type's picture; the words beside it carry the meaning. */
export function DeviceIcon({ type, className = 'size-4' }: { type: StorageDeviceType; className?: string }) {
  if (type === 'DVD') {
    return (
      <svg aria-hidden="true" viewBox="0 0 16 16" className={className} fill="none" stroke="currentColor" strokeWidth="1.25">
        <circle cx="8" cy="8" r="6.25" />
        <circle cx="8" cy="8" r="1.75" />
      </svg>
    );
  }
  if (type === 'Floppy') {
    return (
      <svg aria-hidden="true" viewBox="0 0 16 16" className={className} fill="none" stroke="currentColor" strokeWidth="1.25" strokeLinejoin="round">
        <path d="M2.5 2.5h9l2 2v9h-11z" />
        <path d="M5 2.5v3.5h5V2.5M4.5 13.5V9.5h7v4" />
      </svg>
    );
  }
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className={className} fill="none" stroke="currentColor" strokeWidth="1.25" strokeLinejoin="round">
      <rect x="1.75" y="4" width="12.5" height="8" rx="1.5" />
      <path d="M4 9.5h4" strokeLinecap="round" />
      <circle cx="11.5" cy="9.5" r="0.75" fill="currentColor" stroke="none" />
    </svg>
  );
}
