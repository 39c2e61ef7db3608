import { describe, expect, it } from 'vitest';
import type { StorageAttachment, StorageControllerView } from '@/lib/hooks/use-storage';
import { freeSlots, lowestPortCount, newControllerName, portsUsed, slotLabel } from './storage-words';

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
    expect(slotLabel(ide, 1, 0)).toBe('IDE port 1 device 0');
    const full = controller({ attachments: [at(0, 0), at(1, 0, 'DVD')] });
    expect(freeSlots(full)).toEqual([]);
    expect(slotLabel(full, 1, 0)).toBe('SATA port 1');
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
