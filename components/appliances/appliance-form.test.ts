import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import type { ApplianceSystem } from '@/lib/hooks/use-appliances';
import de from '@/messages/de/appliances.json';
import en from '@/messages/en/appliances.json';
import { exportFileName, importBody, initialValues, joinPath } from './appliance-form';

// The real catalogs: the words the import wizard shows under a field the form finds wrong.
const tEn = createTranslator({ locale: 'en', messages: { appliances: en }, namespace: 'appliances' });
const tDe = createTranslator({ locale: 'de', messages: { appliances: de }, namespace: 'appliances' });

const system = (index: number, name: string): ApplianceSystem => ({
  index,
  name,
  osTypeId: 'Ubuntu_64',
  description: '',
  product: '',
  vendor: '',
  version: '',
  cpuCount: 2,
  memoryMB: 2048,
  firmware: 'BIOS',
  disks: [{ index: 0, source: 'disk1.vmdk', target: '/s/machines/x/disk1.vmdk', sizeMB: 1024, controller: 'SATA' }],
  networks: [
    { index: 0, adapterType: 'I82540EM', ovfNetwork: 'NAT', attachment: 'NAT' },
    { index: 1, adapterType: 'I82540EM', ovfNetwork: 'Bridged', attachment: 'Bridged' },
  ],
  other: [],
});

const opts = { hostId: 'auto', macPolicy: 'new' as const, importToVDI: false };

describe('importBody', () => {
  it('sends every system in order with only what the user changed', () => {
    const systems = [system(0, 'web'), system(1, 'db')];
    const values = systems.map(initialValues);
    values[1] = { ...values[1], name: ' db-2 ', memoryMB: '4096', networks: { 1: 'net:lan', 0: '' } };
    values[0] = { ...values[0], diskFolder: '/s/disks', networks: { 0: 'br:eth0' } };
    const { body, errors } = importBody('/s/a.ova', systems, values, { ...opts, tenant: 'blue' });
    expect(errors).toEqual({});
    expect(body).toEqual({
      path: '/s/a.ova',
      hostId: 'auto',
      tenant: 'blue',
      macPolicy: 'new',
      systems: [
        { index: 0, diskFolder: '/s/disks', networks: [{ index: 0, bridgedInterface: 'eth0' }] },
        { index: 1, name: 'db-2', memoryMB: 4096, networks: [{ index: 1, network: 'lan' }] },
      ],
    });
  });

  it('names the fields it finds wrong by the paths the server uses', () => {
    const systems = [system(0, 'web'), system(3, 'db')];
    const values = [{ ...initialValues(systems[0]), cpuCount: '0' }, { ...initialValues(systems[1]), name: '  ', memoryMB: '1.5' }];
    const { errors } = importBody('/s/a.ova', systems, values, { ...opts, importToVDI: true });
    expect(Object.keys(errors).sort()).toEqual(['systems.0.cpuCount', 'systems.1.memoryMB', 'systems.1.name']);
    const say = (t: typeof tEn) => Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(`import.errors.${v}`)]));
    expect(say(tEn)).toEqual({
      'systems.0.cpuCount': 'Enter a whole number of at least 1.',
      'systems.1.memoryMB': 'Enter a whole number of at least 1.',
      'systems.1.name': 'Enter a name.',
    });
    expect(say(tDe)['systems.1.name']).toBe('Geben Sie einen Namen ein.');
  });

  it('leaves the tenant out for non-admins and sends importToVDI only when asked', () => {
    const systems = [system(0, 'web')];
    const plain = importBody('/s/a.ova', systems, systems.map(initialValues), opts).body;
    expect('tenant' in plain).toBe(false);
    expect('importToVDI' in plain).toBe(false);
    expect(importBody('/s/a.ova', systems, systems.map(initialValues), { ...opts, tenant: null, importToVDI: true }).body).toMatchObject({ tenant: null, importToVDI: true });
  });
});

describe('paths', () => {
  it('joins in the folder syntax and defaults to .ova', () => {
    expect(joinPath('/s/appliances', 'a.ova')).toBe('/s/appliances/a.ova');
    expect(joinPath('/s/appliances/', 'a.ova')).toBe('/s/appliances/a.ova');
    expect(joinPath('C:\\vms\\appl', 'a.ova')).toBe('C:\\vms\\appl\\a.ova');
    expect(exportFileName(' web ')).toBe('web.ova');
    expect(exportFileName('web.OVF')).toBe('web.OVF');
  });
});
