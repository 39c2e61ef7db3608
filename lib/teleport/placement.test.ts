import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '@/lib/cluster/inventory';
import type { HostStatus } from '@/lib/cluster/types';
import type { HostView } from '@/lib/db/hosts';
import { rankTargets } from './drain';
import { choosePort, portsOf, probePort, releasePort, reservePort, reservedPorts } from './ports';
import { differences, extraDataToCopy, type MachineSpec } from './spec';

const view = (id: string, extra: Partial<HostView> = {}): HostView => ({
  id, name: id, url: `http://${id}:18083/`, username: 'vbox', hasPassword: true, consoleAddress: id, teleportAddress: id, storagePath: '/srv', localStoragePath: null,
  vrdePorts: '5900-5999', bridgeAdapter: 'vbox0', maintenance: false, teleportPorts: '6000-6099', maxConnections: 16,
  fencing: { kind: 'manual', ipmi: null, command: null, graceSeconds: 60 }, sharedFolderRoots: [], createdAt: '', updatedAt: '', ...extra,
});

function fakeInventory(status: Record<string, Partial<HostStatus>>): Inventory {
  return { host: (id: string) => (status[id] ? ({ health: 'up', memoryAvailableMB: 0, ...status[id] } as HostStatus) : undefined) } as unknown as Inventory;
}

describe('placement (rankTargets)', () => {
  const hosts = [view('a'), view('b'), view('c'), view('d', { maintenance: true }), view('e')];
  const inv = fakeInventory({ a: { memoryAvailableMB: 100_000 }, b: { memoryAvailableMB: 8_000 }, c: { memoryAvailableMB: 20_000 }, d: { memoryAvailableMB: 500_000 }, e: { health: 'down', memoryAvailableMB: 900_000 } });
  const m = { id: 'm', name: 'web', memoryMB: 4096, tenant: null };

  it('ranks the up hosts not in maintenance by free memory, without the source', () => {
    expect(rankTargets(inv, hosts, m, null, new Map(), 'a').map((h) => h.id)).toEqual(['c', 'b']);
  });

  it('counts the memory already promised to other moves, and puts hosts without room last', () => {
    expect(rankTargets(inv, hosts, m, null, new Map([['c', 14_000]]), 'a').map((h) => h.id)).toEqual(['b', 'c']);
    expect(rankTargets(inv, hosts, { ...m, memoryMB: 30_000 }, null, new Map(), 'x').map((h) => h.id)).toEqual(['a', 'c', 'b']);
  });

  it("keeps to the machine's allowed hosts (tenants)", () => {
    expect(rankTargets(inv, hosts, m, new Set(['b', 'd']), new Map(), 'a').map((h) => h.id)).toEqual(['b']);
  });
});

describe('teleporter ports', () => {
  it('expands ranges and lists', () => {
    expect(portsOf('6000-6003,6010, 7000 - 7001')).toEqual([6000, 6001, 6002, 6003, 6010, 7000, 7001]);
    expect(portsOf('x,70000')).toEqual([]);
  });

  it('reserves a port once per host', () => {
    expect(reservePort('h1', 6000)).toBe(true);
    expect(reservePort('h1', 6000)).toBe(false);
    expect(reservePort('h2', 6000)).toBe(true);
    releasePort('h1', 6000);
    releasePort('h2', 6000);
    expect(reservedPorts('h1').size).toBe(0);
  });

  /** A port something listens on, whose third neighbour above is free (checked, so another process's port cannot make the test fail). */
  async function busyPortWithFreeThirdAbove(): Promise<{ server: net.Server; busy: number }> {
    const listen = (port: number) => new Promise<net.Server | null>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(null));
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
    for (;;) {
      const server = (await listen(0))!;
      const busy = (server.address() as net.AddressInfo).port;
      const probe = busy + 3 < 65536 ? await listen(busy + 3) : null;
      if (probe) {
        await new Promise((r) => probe.close(r));
        return { server, busy };
      }
      await new Promise((r) => server.close(r));
    }
  }

  it('skips ports something listens on, reserved ones and ports in use by waiting machines', async () => {
    const { server, busy } = await busyPortWithFreeThirdAbove();
    try {
      expect(await probePort('127.0.0.1', busy)).toBe('busy');
      const spec = `${busy}-${busy + 3}`;
      reservePort('h3', busy + 1);
      const look = await choosePort('h3', '127.0.0.1', spec, new Set([busy + 2]), { reserve: false });
      expect(look).toMatchObject({ port: busy + 3, skipped: 3 });
      expect(reservedPorts('h3').has(busy + 3)).toBe(false);
      const take = await choosePort('h3', '127.0.0.1', spec, new Set([busy + 2]), { reserve: true });
      expect(take.port).toBe(busy + 3);
      expect(reservedPorts('h3').has(busy + 3)).toBe(true);
      expect((await choosePort('h3', '127.0.0.1', spec, new Set([busy + 2]), { reserve: true })).port).toBeNull();
    } finally {
      releasePort('h3', busy + 1);
      releasePort('h3', busy + 3);
      server.close();
    }
  });
});

describe('machine specs', () => {
  const spec: MachineSpec = {
    id: 'm', name: 'web', description: '', osTypeId: 'Debian12_64', groups: ['/'], cpuCount: 2, memoryMB: 2048, chipset: 'PIIX3', rtcUseUTC: true,
    hpet: false, pae: true, longMode: true, x2apic: false, hwVirt: true, nestedPaging: true, firmware: 'BIOS', acpi: true, ioapic: true,
    graphicsController: 'VMSVGA', vramMB: 16, audio: false, clipboardMode: 'Disabled', bootOrder: ['HardDisk', 'Null', 'Null', 'Null'],
    nics: [{ slot: 0, adapterType: 'I82545EM', mac: '080027000001', attachmentType: 'Bridged', bridgedInterface: 'vbox0', internalNetwork: '', cableConnected: true }],
    controllers: [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, useHostIOCache: false }],
    attachments: [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk', location: '/srv/web.vdi' }],
    vrde: { enabled: true, extPack: 'VNC', password: '' },
    extraData: { 'nimbox/tenant': 'acme' },
  };

  it('finds what differs, and whether storage does', () => {
    expect(differences(spec, structuredClone(spec))).toEqual([]);
    const other = structuredClone(spec);
    other.memoryMB = 1024;
    other.nics[0].mac = '080027000002';
    other.attachments[0].location = '/local/web.vdi';
    expect(differences(spec, other)).toEqual([
      { what: 'memory 2048 MB on the source, 1024 MB on the target', storage: false },
      { what: 'NIC 1 I82545EM 080027000001 Bridged to vbox0 on the source, I82545EM 080027000002 Bridged to vbox0 on the target', storage: false },
      { what: 'disks SATA/0/0 HardDisk /srv/web.vdi on the source, SATA/0/0 HardDisk /local/web.vdi on the target', storage: true },
    ]);
  });

  it('copies the extradata the target lacks or holds differently', () => {
    expect(extraDataToCopy(spec, null)).toEqual({ 'nimbox/tenant': 'acme' });
    expect(extraDataToCopy(spec, { ...spec, extraData: { 'nimbox/tenant': 'acme', other: 'x' } })).toEqual({});
    expect(extraDataToCopy(spec, { ...spec, extraData: { 'nimbox/tenant': 'zeta' } })).toEqual({ 'nimbox/tenant': 'acme' });
  });
});
