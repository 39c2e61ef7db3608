// The typed objects against a real vboxsim over HTTP: reads, settings changed under a write lock,
// a launch followed with IProgress.wait, the console (pause, screen, VRDE info, power down), media
// created and deleted, a failing progress as VBoxError, performance metrics, events, and snapshots.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index';
import { VBoxClient } from './client';
import { VBoxError } from './errors';
import {
  IMachineStateChangedEvent, ISessionStateChangedEvent, IExtraDataChangedEvent, ISnapshotEvent, ISnapshotTakenEvent,
  type IEvent, type IEventListener, type IEventSource, type ISession, type IVirtualBox, type IWebsessionManager,
} from './objects';
import type { MachineState } from './types';
import { withLockedMachine } from './session';

const vrdeBase = () => 20000 + Math.floor(Math.random() * 250) * 100;

let sim: Sim;
let client: VBoxClient;

beforeAll(async () => {
  sim = await startSim({ hosts: 1, port: 0, vms: 2, control: true, vrdeBase: vrdeBase(), timing: { start: 200, stop: 100, save: 100, acpiShutdown: 300 } });
  client = new VBoxClient({ url: sim.urls[0], username: 'vbox', password: 'vbox' });
});
afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

/** Runs fn with `name` locked in a fresh session (Write: the session's mutable machine; Shared: the console). */
async function withLock<T>(vbox: IVirtualBox, wsm: IWebsessionManager, name: string, lock: 'Write' | 'Shared', fn: (s: ISession) => Promise<T>): Promise<T> {
  const session = await wsm.getSessionObject(vbox);
  await (await vbox.findMachine(name)).lockMachine(session, lock);
  try {
    return await fn(session);
  } finally {
    // After a power down the VM's end has already unlocked a shared session.
    if ((await session.getState()) === 'Locked') await session.unlockMachine();
  }
}

describe('reads', () => {
  it('IVirtualBox, IHost, ISystemProperties, guest OS types', async () => {
    const r = await client.scope(async (vbox) => {
      const host = await vbox.getHost();
      const sp = await vbox.getSystemProperties();
      const ifaces = await host.getNetworkInterfaces();
      return {
        version: await vbox.getVersion(), api: await vbox.getAPIVersion(), revision: await vbox.getRevision(),
        machines: (await vbox.getMachines()).length,
        cpus: await host.getProcessorCount(), online: await host.getProcessorOnlineCount(), memory: await host.getMemorySize(),
        available: await host.getMemoryAvailable(), cpu0: await host.getProcessorDescription(0), os: await host.getOperatingSystem(),
        osVersion: await host.getOSVersion(),
        ifaces: await Promise.all(ifaces.map(async (i) => ({ name: await i.getName(), type: await i.getInterfaceType(), status: await i.getStatus(), ip: await i.getIPAddress() }))),
        maxRAM: await sp.getMaxGuestRAM(), machineFolder: await sp.getDefaultMachineFolder(), formats: await sp.getScreenShotFormats(),
        maxNics: await (await sp.getPlatform()).getMaxNetworkAdapters('PIIX3'),
        osTypes: await vbox.getGuestOSTypes(),
        composed: await vbox.composeMachineFilename('x', '/g', '', ''),
      };
    });
    expect(r).toMatchObject({ version: '7.1.4', api: '7_1', revision: 165100, machines: 2, cpus: 16, online: 16, memory: 65536, os: 'Linux' });
    expect(r.available).toBeGreaterThan(0);
    expect(r.available).toBeLessThan(r.memory);
    expect(r.cpu0).toMatch(/Xeon/);
    expect(r.ifaces).toContainEqual({ name: 'eno1', type: 'Bridged', status: 'Up', ip: '192.0.2.10' });
    expect(r.maxRAM).toBeGreaterThan(1024);
    expect(r.formats).toContain('PNG');
    expect(r.maxNics).toBeGreaterThanOrEqual(4);
    const debian = r.osTypes.find((t) => t.id === 'Debian12_64');
    expect(debian).toMatchObject({ familyId: 'Linux', is64Bit: true, recommendedRAM: 2048, recommendedHDStorageBus: 'SATA' });
    expect(typeof debian?.recommendedHDD).toBe('number');
    expect(r.composed).toMatch(/\/g\/x\/x\.vbox$/);
  });

  it('IMachine attributes, platform, firmware, NIC, VRDE, storage, attachments, extradata', async () => {
    const m = await client.scope(async (vbox) => {
      const web = await vbox.findMachine('web-a1');
      const x86 = await (await web.getPlatform()).getX86();
      const fw = await web.getFirmwareSettings();
      const nic = await web.getNetworkAdapter(0);
      const vrde = await web.getVRDEServer();
      const ctl = (await web.getStorageControllers())[0];
      const att = await web.getMediumAttachments();
      return {
        id: await web.getId(), name: await web.getName(), description: await web.getDescription(), os: await web.getOSTypeId(),
        cpus: await web.getCPUCount(), memory: await web.getMemorySize(), groups: await web.getGroups(), state: await web.getState(),
        sessionState: await web.getSessionState(), lastStateChange: await web.getLastStateChange(), accessible: await web.getAccessible(),
        snapshot: await web.getCurrentSnapshot(), modified: await web.getCurrentStateModified(), settings: await web.getSettingsFilePath(),
        hpet: await x86.getHPETEnabled(), pae: await x86.getCPUProperty('PAE'), nested: await x86.getHWVirtExProperty('NestedPaging'),
        acpi: await fw.getACPIEnabled(), ioapic: await fw.getIOAPICEnabled(),
        boot: [await web.getBootOrder(1), await web.getBootOrder(2)],
        teleporter: [await web.getTeleporterEnabled(), await web.getTeleporterPort(), await web.getTeleporterAddress()],
        nic: { type: await nic.getAdapterType(), attachment: await nic.getAttachmentType(), bridged: await nic.getBridgedInterface(), mac: await nic.getMACAddress(), enabled: await nic.getEnabled() },
        vrde: { enabled: await vrde.getEnabled(), ports: await vrde.getVRDEProperty('TCP/Ports'), ext: await vrde.getVRDEExtPack() },
        ctl: { name: await ctl.getName(), bus: await ctl.getBus(), type: await ctl.getControllerType(), ports: await ctl.getPortCount() },
        att: await Promise.all(att.map(async (a) => ({ controller: a.controller, port: a.port, device: a.device, type: a.type, machine: await a.machine?.getName(), size: await a.medium?.getLogicalSize(), format: await a.medium?.getFormat(), state: await a.medium?.getState() }))),
        states: await vbox.getMachineStates(await vbox.getMachines()),
        byGroup: (await vbox.getMachinesByGroups(['/data'])).length,
      };
    });
    expect(m).toMatchObject({
      name: 'web-a1', description: 'Demo machine 1 of vbox-alpha', os: 'Debian12_64', cpus: 1, memory: 512, groups: ['/apps'],
      state: 'Running', sessionState: 'Locked', accessible: true, snapshot: null, modified: false, ioapic: true, acpi: true,
      boot: ['Network', 'HardDisk'], teleporter: [false, 0, ''],
      nic: { type: 'I82545EM', attachment: 'Bridged', bridged: 'vbox0', enabled: true },
      vrde: { enabled: true, ext: 'VNC' },
      ctl: { name: 'SATA', bus: 'SATA', type: 'IntelAhci', ports: 2 },
      att: [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk', machine: 'web-a1', size: 8 * 1024 ** 3, format: 'VDI', state: 'LockedWrite' }], // the running VM holds its disk
      byGroup: 1,
    });
    expect(m.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.lastStateChange).toBeGreaterThan(Date.UTC(2024, 0, 1));
    expect(m.nic.mac).toMatch(/^[0-9A-F]{12}$/);
    expect(m.vrde.ports).toMatch(/^\d+-\d+$/);
    expect(typeof m.hpet).toBe('boolean');
    expect(typeof m.pae).toBe('boolean');
    expect([...m.states].sort()).toEqual<MachineState[]>(['PoweredOff', 'Running']);
  });
});

describe('writes', () => {
  it('changes settings under a write lock; saveSettings commits them, discardSettings drops them', async () => {
    await client.write(async (vbox, wsm) => {
      await withLock(vbox, wsm, 'db-a2', 'Write', async (session) => {
        expect(await session.getState()).toBe('Locked');
        expect(await session.getType()).toBe('WriteLock');
        expect(await session.getConsole()).toBeNull();
        const m = await session.getMachine();
        await m.setMemorySize(3072);
        await m.setCPUCount(2);
        await m.setDescription('resized by lib/vbox');
        await (await (await m.getPlatform()).getX86()).setHPETEnabled(true);
        await (await m.getFirmwareSettings()).setACPIEnabled(true);
        await m.setBootOrder(1, 'HardDisk');
        await m.setTeleporterEnabled(true);
        await m.setTeleporterPort(6000);
        await m.setTeleporterAddress('127.0.0.1');
        await m.setTeleporterPassword('s3cret');
        const nic = await m.getNetworkAdapter(1);
        await nic.setEnabled(true);
        await nic.setAttachmentType('Internal');
        await nic.setInternalNetwork('nimbox-net');
        await (await m.getVRDEServer()).setVRDEProperty('VNCPassword', 'pw');
        await m.saveSettings();
        await m.setMemorySize(4096);
        await m.discardSettings();
        expect(await m.getMemorySize()).toBe(3072);
      });
    }, { release: true });
    const after = await client.scope(async (vbox) => {
      const m = await vbox.findMachine('db-a2');
      const nic = await m.getNetworkAdapter(1);
      return {
        memory: await m.getMemorySize(), cpus: await m.getCPUCount(), description: await m.getDescription(),
        hpet: await (await (await m.getPlatform()).getX86()).getHPETEnabled(), boot: await m.getBootOrder(1),
        teleporter: [await m.getTeleporterEnabled(), await m.getTeleporterPort(), await m.getTeleporterAddress()],
        nic: [await nic.getEnabled(), await nic.getAttachmentType(), await nic.getInternalNetwork()],
        vnc: await (await m.getVRDEServer()).getVRDEProperty('VNCPassword'),
        sessionState: await m.getSessionState(),
      };
    });
    expect(after).toEqual({
      memory: 3072, cpus: 2, description: 'resized by lib/vbox', hpet: true, boot: 'HardDisk',
      teleporter: [true, 6000, '127.0.0.1'], nic: [true, 'Internal', 'nimbox-net'], vnc: 'pw', sessionState: 'Unlocked',
    });
    // Back to normal for the tests below.
    await client.write((vbox, wsm) => withLock(vbox, wsm, 'db-a2', 'Write', async (s) => {
      const m = await s.getMachine();
      await m.setTeleporterEnabled(false);
      await (await m.getVRDEServer()).setVRDEProperty('VNCPassword', '');
      await m.saveSettings();
    }), { release: true });
  });

  it('a change without a lock is VBoxError with VirtualBox\'s result code name and text', async () => {
    const e = (await client.write(async (vbox) => (await vbox.findMachine('db-a2')).setMemorySize(1024)).catch((x: unknown) => x)) as VBoxError;
    expect(e).toBeInstanceOf(VBoxError);
    expect(e.resultCodeName).toBe('VBOX_E_INVALID_VM_STATE');
    expect(e.text).toMatch(/not mutable/);
    expect(e.operation).toBe('IMachine_setMemorySize');
    const locked = (await client.write(async (vbox, wsm) => {
      const s = await wsm.getSessionObject(vbox);
      await (await vbox.findMachine('web-a1')).lockMachine(s, 'Write');
    }, { release: true }).catch((x: unknown) => x)) as VBoxError;
    expect(locked).toBeInstanceOf(VBoxError);
    expect(locked.resultCodeName).toBe('VBOX_E_INVALID_OBJECT_STATE');
    expect(locked.text).toMatch(/already locked/);
  });

  it('global and machine extradata', async () => {
    await client.write(async (vbox, wsm) => {
      await vbox.setExtraData('nimbox/cluster', 'test');
      // A registered machine takes extradata on its session machine only (as in VirtualBox; VBoxManage locks it too).
      await withLockedMachine(vbox, wsm, 'web-a1', 'Shared', async (s) => (await s.getMachine()).setExtraData('nimbox/tenant', 'acme'));
    }, { release: true });
    const r = await client.scope(async (vbox) => {
      const m = await vbox.findMachine('web-a1');
      return { global: await vbox.getExtraData('nimbox/cluster'), tenant: await m.getExtraData('nimbox/tenant'), keys: await m.getExtraDataKeys() };
    });
    expect(r).toEqual({ global: 'test', tenant: 'acme', keys: expect.arrayContaining(['nimbox/tenant']) });
  });
});

describe('launch, console, progress', () => {
  it('launches a machine, follows its progress, uses the console, powers it down', async () => {
    const seen: number[] = [];
    await client.write(async (vbox, wsm) => {
      const m = await vbox.findMachine('db-a2');
      const session = await wsm.getSessionObject(vbox);
      const progress = await m.launchVMProcess(session, 'headless', []);
      expect(await progress.getDescription()).toMatch(/Starting/);
      await progress.wait({ intervalMs: 50, operations: true, onProgress: (p) => { seen.push(p.percent); } });
      expect(await progress.getCompleted()).toBe(true);
      expect(await progress.getResultCode()).toBe(0);
      expect(await m.getState()).toBe('Running');
      await session.unlockMachine();
    }, { release: true });
    expect(seen.at(-1)).toBe(100);

    await client.write(async (vbox, wsm) => withLock(vbox, wsm, 'db-a2', 'Shared', async (session) => {
      const console = (await session.getConsole())!;
      expect(console).not.toBeNull();
      await console.pause();
      expect(await console.getState()).toBe('Paused');
      await console.resume();
      const display = await console.getDisplay();
      const res = await display.getScreenResolution(0);
      expect(res.width).toBeGreaterThan(0);
      expect(res.guestMonitorStatus).toBe('Enabled');
      const png = await display.takeScreenShotToArray(0, 320, 200, 'PNG');
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const raw = await display.takeScreenShotToArray(0, 16, 8, 'BGRA');
      expect(raw.length).toBe(16 * 8 * 4);
      const info = await console.getVRDEServerInfo();
      expect(info.active).toBe(true);
      expect(info.port).toBeGreaterThan(0);
      const down = await console.powerDown();
      await down.wait();
    }), { release: true });
    expect(await client.scope(async (vbox) => (await vbox.findMachine('db-a2')).getState())).toBe('PoweredOff');
  });

  it('creates a machine and its disk, and a failing launch is VBoxError from IProgress.wait; then deletes it all', async () => {
    const name = 'lib-vbox-temp';
    const location = path.join(sim.storageDir, `${name}.vdi`);
    await client.write(async (vbox, wsm) => {
      const m = await vbox.createMachine('', name, 'x86', ['/test'], 'Debian12_64');
      const disk = await vbox.createMedium('VDI', location, 'ReadWrite', 'HardDisk');
      await (await disk.createBaseStorage(64 * 1024 * 1024, ['Standard'])).wait();
      expect(await disk.getState()).toBe('Created');
      expect(await disk.getLogicalSize()).toBe(64 * 1024 * 1024);
      await m.setMemorySize(256);
      await m.addStorageController('SATA', 'SATA');
      await m.saveSettings();
      await vbox.registerMachine(m);
      // As in VirtualBox, devices attach to a registered machine, under a lock.
      await withLockedMachine(vbox, wsm, m, 'Write', async (s) => {
        const sm = await s.getMachine();
        await sm.attachDevice('SATA', 0, 0, 'HardDisk', disk);
        await sm.saveSettings();
      });
    }, { release: true });
    expect(fs.existsSync(location)).toBe(true);
    fs.rmSync(location);

    const e = (await client.write(async (vbox, wsm) => {
      const m = await vbox.findMachine(name);
      const session = await wsm.getSessionObject(vbox);
      await (await m.launchVMProcess(session, 'headless')).wait({ intervalMs: 50 });
    }, { release: true }).catch((x: unknown) => x)) as VBoxError;
    expect(e).toBeInstanceOf(VBoxError);
    expect(e.resultCodeName).toBe('VBOX_E_FILE_ERROR');
    expect(e.text).toContain(location);
    expect(e.component).toBe('Console');

    await client.write(async (vbox) => {
      const m = await vbox.findMachine(name);
      await expect.poll(() => m.getSessionState()).toBe('Unlocked');
      const media = await m.unregister('DetachAllReturnHardDisksOnly');
      expect(media).toHaveLength(1);
      await (await m.deleteConfig(media)).wait();
    }, { release: true });
    const gone = (await client.read((vbox) => vbox.findMachine(name)).catch((x: unknown) => x)) as VBoxError;
    expect(gone.resultCodeName).toBe('VBOX_E_OBJECT_NOT_FOUND');
  });
});

describe('performance metrics', () => {
  it('sets up metrics and queries structured samples', async () => {
    const data = await client.scope(async (vbox) => {
      const pc = await vbox.getPerformanceCollector();
      const host = await vbox.getHost();
      const web = await vbox.findMachine('web-a1');
      // One comma-separated list applies to every object; setup names base metrics (VirtualBox's pm::Filter).
      const metrics = await pc.setupMetrics(['CPU/Load,RAM/Usage'], [host, web], 1, 3);
      expect(metrics.length).toBe(4);
      await new Promise((r) => setTimeout(r, 1100));
      const d = await pc.queryMetricsData(['CPU/Load/User,RAM/Usage/Used'], [host, web]);
      return d.map((x) => ({ name: x.metricName, host: x.object?.ref === host.ref, unit: x.unit, scale: x.scale, n: x.data.length, v: x.values[0] }));
    });
    const hostCpu = data.find((d) => d.host && d.name === 'CPU/Load/User');
    expect(hostCpu).toMatchObject({ unit: '%', scale: 1000, n: 1 });
    expect(hostCpu!.v).toBeGreaterThanOrEqual(0);
    expect(hostCpu!.v).toBeLessThanOrEqual(100);
    expect(data.find((d) => !d.host && d.name === 'RAM/Usage/Used')).toMatchObject({ unit: 'kB', n: 1 });
  });
});

describe('events', () => {
  it('a passive listener receives typed state, session and extradata events', async () => {
    const { source, listener } = await client.read(async (vbox) => {
      const es: IEventSource = await vbox.getEventSource();
      const l: IEventListener = await es.createListener();
      await es.registerListener(l, ['OnMachineStateChanged', 'OnSessionStateChanged', 'OnExtraDataChanged'], false);
      return { source: es, listener: l };
    });
    const id = await client.read(async (vbox) => (await vbox.findMachine('web-a1')).getId());
    await fetch(`${sim.hosts[0].control}/machines/web-a1/crash`, { method: 'POST' });
    await client.write((vbox, wsm) => withLockedMachine(vbox, wsm, 'web-a1', 'Shared', async (s) => (await s.getMachine()).setExtraData('nimbox/note', 'crashed')), { release: true });

    const got: string[] = [];
    const deadline = Date.now() + 5_000;
    // Until the queue is empty after the extradata change (the lock around it adds session events).
    while (Date.now() < deadline) {
      const line = await client.scope(async () => {
        const ev: IEvent | null = await source.getEvent(listener, 500);
        if (!ev) return null;
        let s = ev.type as string;
        if (ev instanceof IMachineStateChangedEvent) s = `state:${await ev.getMachineId() === id ? 'web-a1' : '?'}=${await ev.getState()}`;
        else if (ev instanceof ISessionStateChangedEvent) s = `session:${await ev.getState()}`;
        else if (ev instanceof IExtraDataChangedEvent) s = `extra:${await ev.getKey()}=${await ev.getValue()}`;
        await source.eventProcessed(listener, ev);
        return s;
      });
      if (line) got.push(line);
      else if (got.includes('extra:nimbox/note=crashed')) break;
    }
    expect(got).toContain('state:web-a1=Aborted');
    expect(got).toContain('session:Unlocked');
    expect(got).toContain('extra:nimbox/note=crashed');
    // Nothing more: getEvent with a short timeout answers null.
    expect(await client.read(() => source.getEvent(listener, 50))).toBeNull();
    await client.read(() => source.unregisterListener(listener));
  });
});


describe('snapshots', () => {
  it('takes, walks, renames, restores and deletes snapshots of a session machine; the snapshot events come typed', async () => {
    const { source, listener } = await client.read(async (vbox) => {
      const es = await vbox.getEventSource();
      const l = await es.createListener();
      await es.registerListener(l, ['SnapshotEvent'], false);
      return { source: es, listener: l };
    });
    const machineId = await client.read(async (vbox) => (await vbox.findMachine('db-a2')).getId());
    const ids = await client.write((vbox, wsm) => withLock(vbox, wsm, 'db-a2', 'Write', async (session) => {
      // Only the session's machine takes snapshots.
      const notImpl = (await (await vbox.findMachine('db-a2')).takeSnapshot('x', '', true).catch((x: unknown) => x)) as VBoxError;
      expect(notImpl).toBeInstanceOf(VBoxError);
      expect(notImpl.resultCodeName).toBe('E_NOTIMPL');

      const m = await session.getMachine();
      expect(await m.getSnapshotCount()).toBe(0);
      const memory = await m.getMemorySize();
      const first = await m.takeSnapshot('before', 'lib/vbox test', true);
      expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
      await first.progress.wait({ intervalMs: 20 });
      const root = (await m.getCurrentSnapshot())!;
      expect(root).not.toBeNull();
      expect({
        id: await root.getId(), name: await root.getName(), description: await root.getDescription(), online: await root.getOnline(),
        parent: await root.getParent(), children: await root.getChildrenCount(), modified: await m.getCurrentStateModified(),
      }).toEqual({ id: first.id, name: 'before', description: 'lib/vbox test', online: false, parent: null, children: 0, modified: false });
      expect(await root.getTimeStamp()).toBeGreaterThan(Date.UTC(2024, 0, 1));

      await m.setMemorySize(memory + 512);
      await m.saveSettings();
      expect(await m.getCurrentStateModified()).toBe(true);
      const second = await m.takeSnapshot('after', '', true);
      await second.progress.wait({ intervalMs: 20 });
      const [child] = await (await m.findSnapshot('')).getChildren();
      expect(await child.getId()).toBe(second.id);
      expect(await (await child.getParent())?.getId()).toBe(first.id);
      expect(await (await m.findSnapshot('after')).getId()).toBe(second.id);
      await child.setName('after, renamed');
      expect(await (await child.getMachine()).getMemorySize()).toBe(memory + 512);

      await (await m.restoreSnapshot(root)).wait({ intervalMs: 20 });
      expect(await m.getMemorySize()).toBe(memory);
      expect(await m.getState()).toBe('PoweredOff');
      expect(await (await m.getCurrentSnapshot())?.getId()).toBe(first.id);

      const range = (await m.deleteSnapshotRange(first.id, second.id).catch((x: unknown) => x)) as VBoxError;
      expect(range.resultCodeName).toBe('E_NOTIMPL');
      const unknown = (await m.deleteSnapshot('00000000-0000-4000-8000-000000000003').catch((x: unknown) => x)) as VBoxError;
      expect(unknown.resultCodeName).toBe('E_FAIL');
      expect(unknown.text).toMatch(/Could not find a snapshot with UUID/);
      await (await m.deleteSnapshot(second.id)).wait({ intervalMs: 20 });
      await (await m.deleteSnapshot(first.id)).wait({ intervalMs: 20 });
      expect(await m.getSnapshotCount()).toBe(0);
      expect(await m.getCurrentSnapshot()).toBeNull();
      return [first.id, second.id];
    }), { release: true });

    const got: string[] = [];
    for (;;) {
      const line = await client.scope(async () => {
        const ev: IEvent | null = await source.getEvent(listener, 200);
        if (!ev) return null;
        expect(ev).toBeInstanceOf(ISnapshotEvent);
        const s = ev as ISnapshotEvent;
        expect(await s.getMachineId()).toBe(machineId);
        const id = await s.getSnapshotId();
        await source.eventProcessed(listener, ev);
        return `${ev.type}:${id === ids[0] ? 'first' : id === ids[1] ? 'second' : id}${ev instanceof ISnapshotTakenEvent ? '' : '.'}`;
      });
      if (!line) break;
      got.push(line);
    }
    expect(got).toEqual([
      'OnSnapshotTaken:first', 'OnSnapshotTaken:second', 'OnSnapshotChanged:second.', 'OnSnapshotRestored:first.',
      'OnSnapshotDeleted:second.', 'OnSnapshotDeleted:first.',
    ]);
    await client.read(() => source.unregisterListener(listener));
  });
});
