import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import type { StorageAttachment, StorageControllerView } from '@/lib/hooks/use-storage';
import de from '@/messages/de/vmStorage.json';
import en from '@/messages/en/vmStorage.json';
import { freeSlots, lowestPortCount, newControllerName, portLabel, portsUsed, slotLabel, type StorageT } from './storage-words';

// The real catalogs: what the page shows in each language.
const tEn = createTranslator({ locale: 'en', messages: { vmStorage: en }, namespace: 'vmStorage' }) as unknown as StorageT;
const tDe = createTranslator({ locale: 'de', messages: { vmStorage: de }, namespace: 'vmStorage' }) as unknown as StorageT;

const at = (port: number, device: number, type: StorageAttachment['type'] = 'HardDisk'): StorageAttachment => ({
  port, device, type, medium: null, hotPluggable: false, nonRotational: false, discard: false, passthrough: false, temporaryEject: false, isEjected: false,
});
const controller = (o: Partial<StorageControllerView>): StorageControllerView => ({
  name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, minPortCount: 1, maxPortCount: 30, maxDevicesPerPort: 1,
  bootable: true, useHostIOCache: false, hotplugCapable: true, attachments: [], ...o,
});

describe('storage words', () => {
  it('lists the free slots port by port, two devices per IDE port', () => {
    const ide = controller({ name: 'IDE', bus: 'IDE', controllerType: 'PIIX4', portCount: 2, minPortCount: 2, maxPortCount: 2, maxDevicesPerPort: 2, attachments: [at(0, 0), at(1, 0, 'DVD')] });
    expect(freeSlots(ide)).toEqual([{ port: 0, device: 1 }, { port: 1, device: 1 }]);
    expect(portsUsed(ide)).toBe(2);
    expect(slotLabel(tEn, ide, 1, 0)).toBe('IDE port 1 device 0');
    expect(portLabel(tEn, ide, 1, 0)).toBe('Port 1, device 0');
    const full = controller({ attachments: [at(0, 0), at(1, 0, 'DVD')] });
    expect(freeSlots(full)).toEqual([]);
    expect(slotLabel(tEn, full, 1, 0)).toBe('SATA port 1');
    expect(portLabel(tEn, full, 1, 0)).toBe('Port 1');
  });

  it('says slots, port counts and drives in German', () => {
    const ide = controller({ name: 'IDE', bus: 'IDE', maxDevicesPerPort: 2 });
    expect(slotLabel(tDe, ide, 1, 0)).toBe('IDE Port 1 Gerät 0');
    expect(slotLabel(tDe, controller({}), 12345, 0)).toBe('SATA Port 12345');
    expect(tDe('portsUsed', { used: 1, count: 1 })).toBe('1 von 1 Port belegt');
    expect(tEn('portsUsed', { used: 2, count: 30 })).toBe('2 of 30 ports used');
    expect(tEn('detach.titleDrive', { type: 'DVD', slot: 'IDE port 1 device 0' })).toBe('Remove the optical drive at IDE port 1 device 0?');
    expect(tDe('detach.titleDrive', { type: 'Floppy', slot: 'Floppy Port 0' })).toBe('Diskettenlaufwerk an Floppy Port 0 entfernen?');
    expect(tEn('why.noHotplugAttach', { name: 'SATA' })).toBe("Controller 'SATA' does not support hot-plugging: power the machine off to attach a device to it");
  });

  it('keeps the port count above the highest port in use', () => {
    expect(lowestPortCount(controller({ attachments: [at(0, 0), at(4, 0)] }))).toBe(5);
    expect(lowestPortCount(controller({ minPortCount: 1 }))).toBe(1);
  });

  it('names a new controller after its bus, numbered when taken', () => {
    expect(newControllerName('SATA', ['IDE'])).toBe('SATA');
    expect(newControllerName('SATA', ['SATA', 'SATA 2'])).toBe('SATA 3');
    expect(newControllerName('PCIe', [])).toBe('NVMe');
    expect(newControllerName('VirtioSCSI', ['VirtIO'])).toBe('VirtIO 2');
  });
});
