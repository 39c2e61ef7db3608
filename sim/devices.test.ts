// Issue 16 (S3): a machine's devices where the real vboxwebsrv cannot follow (it runs no VM), over real
// HTTP: VRDE switched on, moved and off while the machine runs (Console::i_onVRDEServerChange: the VM's
// VNC server starts, moves and stops, IVRDEServerChangedEvent / IVRDEServerInfoChangedEvent on the
// console), the console's transient shared folders (Console::createSharedFolder), live serial-port and
// audio changes with their events (SerialPortImpl.cpp, AudioAdapterImpl.cpp state dependencies), and the
// device settings surviving a restart of vboxsim. Everything that needs no running machine is held
// against the real server in sim/conversations/devices.ts.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../lib/vbox/websrv-harness';
import { finished, launch, list, listen, newMachine, nextEvent, ok, refused, rfbGreeting, savedMachine, simPerTest } from './soap/testing';

const VBOX_E_INVALID_VM_STATE = 0x80bb0002 | 0;
const VBOX_E_FILE_ERROR = 0x80bb0004 | 0;
const E_FAIL = 0x80004005 | 0;

describe('a machine\'s devices while it runs', () => {
  const sims = simPerTest('dev-test-');
  const start = () => sims.start();
  const scratch: string[] = [];

  afterEach(() => {
    for (const d of scratch.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  const folder = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-share-'));
    scratch.push(d);
    return d;
  };

  const vrdeInfo = async (url: string, console: string) => {
    const a = await ok(url, 'IConsole_getVRDEServerInfo', { _this: console }) as unknown as { active: string; port: string };
    return { active: a.active, port: Number(a.port) };
  };

  async function powerDown(url: string, console: string) {
    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: console }))).rc).toBe(0);
  }

  it('starts the VNC server when VRDE is turned on while the machine runs, moves it with the ports and stops it when turned off', async () => {
    const { url, vbox } = await start();
    const { m, w, wm } = await newMachine(url, vbox, 'vrde-live');
    const [p1, p2] = [await freePort(), await freePort()];
    await ok(url, 'IVRDEServer_setVRDEProperty', { _this: await ok(url, 'IMachine_getVRDEServer', { _this: wm }), key: 'TCP/Ports', value: String(p1) });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });

    const { sm, console, events } = await launch(url, vbox, m);
    expect(await vrdeInfo(url, console)).toEqual({ active: 'false', port: -1 });
    const l = await listen(url, events, ['OnVRDEServerChanged', 'OnVRDEServerInfoChanged']);
    const vrde = await ok(url, 'IMachine_getVRDEServer', { _this: sm });

    await ok(url, 'IVRDEServer_setEnabled', { _this: vrde, enabled: true });
    expect(await vrdeInfo(url, console)).toEqual({ active: 'true', port: p1 });
    expect(await rfbGreeting(p1)).toBe('RFB 003.008\n');
    const types = [await nextEvent(url, events, l), await nextEvent(url, events, l)];
    expect(await Promise.all(types.map((e) => ok(url, 'IEvent_getType', { _this: e })))).toEqual(['OnVRDEServerInfoChanged', 'OnVRDEServerChanged']);
    // What Nimbox's console asks: the port in use, through a session of its own.
    expect(await vrdeInfo(url, await ok(url, 'ISession_getConsole', { _this: (await run2(url, vbox, m)) }))).toMatchObject({ port: p1 });

    // New ports move the server: the old one closes.
    await ok(url, 'IVRDEServer_setVRDEProperty', { _this: vrde, key: 'TCP/Ports', value: String(p2) });
    expect(await vrdeInfo(url, console)).toEqual({ active: 'true', port: p2 });
    expect(await rfbGreeting(p2)).toBe('RFB 003.008\n');
    await expect(rfbGreeting(p1)).rejects.toThrow(/ECONNREFUSED/);

    // Off: no server, and the console says so.
    await ok(url, 'IVRDEServer_setEnabled', { _this: vrde, enabled: false });
    expect(await vrdeInfo(url, console)).toEqual({ active: 'false', port: -1 });
    await expect(rfbGreeting(p2)).rejects.toThrow(/ECONNREFUSED/);

    // A port taken by someone else: turning VRDE on fails with the VM's error and the setting stays off.
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(p2, '127.0.0.1', r));
    try {
      const r = await refused(url, 'IVRDEServer_setEnabled', { _this: vrde, enabled: true });
      expect(r).toEqual({ code: E_FAIL, text: expect.stringContaining(`VirtualBox Remote Desktop Extension server can't bind to the port(s): ${p2}`) });
      expect(await ok(url, 'IVRDEServer_getEnabled', { _this: vrde })).toBe('false');
    } finally {
      await new Promise((r) => blocker.close(r));
    }

    // The move told the console (the new port bound, the server changed), so did turning it off; the refusal did not.
    const seen: string[] = [];
    for (let e = await nextEvent(url, events, l, 200); e; e = await nextEvent(url, events, l, 200)) seen.push(await ok(url, 'IEvent_getType', { _this: e }));
    expect(seen).toEqual(['OnVRDEServerInfoChanged', 'OnVRDEServerChanged', 'OnVRDEServerChanged']);
    // discardSettings restarts the server as the saved settings say (off).
    await ok(url, 'IMachine_discardSettings', { _this: sm });
    expect(await ok(url, 'IEvent_getType', { _this: await nextEvent(url, events, l) })).toBe('OnVRDEServerChanged');
    expect(await vrdeInfo(url, console)).toEqual({ active: 'false', port: -1 });

    // Kept by saveSettings: the machine's setting from then on.
    await ok(url, 'IVRDEServer_setEnabled', { _this: vrde, enabled: true });
    expect(await vrdeInfo(url, console)).toEqual({ active: 'true', port: p1 });
    await ok(url, 'IMachine_saveSettings', { _this: sm });
    expect(await ok(url, 'IVRDEServer_getEnabled', { _this: await ok(url, 'IMachine_getVRDEServer', { _this: m }) })).toBe('true');
    await powerDown(url, console);
    await expect(rfbGreeting(p1)).rejects.toThrow(/ECONNREFUSED/);
  });

  /** Another shared session's console (as Nimbox opens one per request). */
  async function run2(url: string, vbox: string, m: string): Promise<string> {
    const s = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await ok(url, 'IMachine_lockMachine', { _this: m, session: s, lockType: 'Shared' });
    return s;
  }

  it('shares transient folders through the console while the machine runs; they go when it stops', async () => {
    const { url, vbox } = await start();
    const { m, w } = await newMachine(url, vbox, 'transient');
    await ok(url, 'ISession_unlockMachine', { _this: w });
    const { sm, console, events } = await launch(url, vbox, m);
    const l = await listen(url, events, ['OnSharedFolderChanged']);
    const [a, b] = [folder(), folder()];

    await ok(url, 'IConsole_createSharedFolder', { _this: console, name: 'zeta', hostPath: `${a}/`, writable: true, automount: true, autoMountPoint: '/mnt/z' });
    await ok(url, 'IConsole_createSharedFolder', { _this: console, name: 'alpha', hostPath: b, writable: false, automount: false, autoMountPoint: '' });
    for (let i = 0; i < 2; i++) expect(await ok(url, 'ISharedFolderChangedEvent_getScope', { _this: await nextEvent(url, events, l) })).toBe('Session');
    // Listed by name (a std::map in VirtualBox), not among the machine's own folders.
    const folders = await list(url, 'IConsole_getSharedFolders', { _this: console });
    expect(await Promise.all(folders.map((f) => ok(url, 'ISharedFolder_getName', { _this: f })))).toEqual(['alpha', 'zeta']);
    expect(await ok(url, 'ISharedFolder_getHostPath', { _this: folders[1] })).toBe(a);
    expect(await ok(url, 'ISharedFolder_getWritable', { _this: folders[1] })).toBe('true');
    expect(await list(url, 'IMachine_getSharedFolders', { _this: sm })).toEqual([]);

    expect(await refused(url, 'IConsole_createSharedFolder', { _this: console, name: 'alpha', hostPath: a, writable: false, automount: false, autoMountPoint: '' }))
      .toEqual({ code: VBOX_E_FILE_ERROR, text: expect.stringContaining("Shared folder named 'alpha' already exists") });
    expect((await refused(url, 'IConsole_createSharedFolder', { _this: console, name: 'gone', hostPath: `${a}/missing`, writable: false, automount: false, autoMountPoint: '' })).text)
      .toContain(`RTPathQueryInfo failed on shared folder path '${a}/missing': VERR_FILE_NOT_FOUND`);
    expect(await refused(url, 'IConsole_removeSharedFolder', { _this: console, name: 'nope' }))
      .toEqual({ code: VBOX_E_FILE_ERROR, text: expect.stringContaining("Could not find a shared folder named 'nope'.") });
    await ok(url, 'IConsole_removeSharedFolder', { _this: console, name: 'zeta' });
    expect(await ok(url, 'ISharedFolderChangedEvent_getScope', { _this: await nextEvent(url, events, l) })).toBe('Session');
    expect(await list(url, 'IConsole_getSharedFolders', { _this: console })).toHaveLength(1);

    // A permanent folder added while running (MutableOrRunning): the console hears of the machine's change.
    await ok(url, 'IMachine_createSharedFolder', { _this: sm, name: 'perm', hostPath: a, writable: false, automount: true, autoMountPoint: '' });
    expect(await ok(url, 'ISharedFolderChangedEvent_getScope', { _this: await nextEvent(url, events, l) })).toBe('Machine');
    await ok(url, 'IMachine_saveSettings', { _this: sm });

    // A folder whose path went away is no longer accessible, and says why.
    fs.rmSync(b, { recursive: true });
    const alpha = (await list(url, 'IConsole_getSharedFolders', { _this: console }))[0];
    expect(await ok(url, 'ISharedFolder_getAccessible', { _this: alpha })).toBe('false');
    expect(await ok(url, 'ISharedFolder_getLastAccessError', { _this: alpha })).toBe(`'${b}' is not accessible (VERR_PATH_NOT_FOUND)`);

    await powerDown(url, console);
    const again = await launch(url, vbox, m);
    expect(await list(url, 'IConsole_getSharedFolders', { _this: again.console })).toEqual([]);
    const perm = await list(url, 'IMachine_getSharedFolders', { _this: again.sm });
    expect(await Promise.all(perm.map((f) => ok(url, 'ISharedFolder_getName', { _this: f })))).toEqual(['perm']);
    await powerDown(url, again.console);
  });

  it('changes a running machine\'s serial port mode and audio input and output, telling its console; refuses what needs it off', async () => {
    const { url, vbox } = await start();
    const { m, w, wm } = await newMachine(url, vbox, 'live-ports');
    const com1 = await ok(url, 'IMachine_getSerialPort', { _this: wm, slot: 0 });
    await ok(url, 'ISerialPort_setEnabled', { _this: com1, enabled: true });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });
    const { sm, console, events } = await launch(url, vbox, m);
    const l = await listen(url, events, ['OnSerialPortChanged', 'OnParallelPortChanged', 'OnAudioAdapterChanged']);

    const port = await ok(url, 'IMachine_getSerialPort', { _this: sm, slot: 0 });
    await ok(url, 'ISerialPort_setPath', { _this: port, path: '127.0.0.1:7001' });
    await ok(url, 'ISerialPort_setHostMode', { _this: port, hostMode: 'TCP' });
    for (let i = 0; i < 2; i++) {
      const ev = await nextEvent(url, events, l);
      expect(await ok(url, 'IEvent_getType', { _this: ev })).toBe('OnSerialPortChanged');
      expect(await ok(url, 'ISerialPort_getSlot', { _this: await ok(url, 'ISerialPortChangedEvent_getSerialPort', { _this: ev }) })).toBe('0');
    }
    expect(await ok(url, 'ISerialPort_getHostMode', { _this: port })).toBe('TCP');
    for (const [op, arg] of [['setEnabled', { enabled: false }], ['setIRQ', { IRQ: 3 }], ['setIOAddress', { IOAddress: 0x2f8 }]] as const) {
      expect(await refused(url, `ISerialPort_${op}`, { _this: port, ...arg }))
        .toEqual({ code: VBOX_E_INVALID_VM_STATE, text: expect.stringContaining('The machine is not mutable (state is Running)') });
    }
    // The parallel port's path may change only while off or saved.
    const lpt = await ok(url, 'IMachine_getParallelPort', { _this: sm, slot: 0 });
    expect((await refused(url, 'IParallelPort_setPath', { _this: lpt, path: '/dev/lp0' })).text).toContain('The machine is not mutable or saved (state is Running)');

    const audio = await ok(url, 'IAudioSettings_getAdapter', { _this: await ok(url, 'IMachine_getAudioSettings', { _this: sm }) });
    await ok(url, 'IAudioAdapter_setEnabledOut', { _this: audio, enabledOut: true });
    const ev = await nextEvent(url, events, l);
    expect(await ok(url, 'IEvent_getType', { _this: ev })).toBe('OnAudioAdapterChanged');
    expect(await ok(url, 'IAudioAdapter_getEnabledOut', { _this: await ok(url, 'IAudioAdapterChangedEvent_getAudioAdapter', { _this: ev }) })).toBe('true');
    expect((await refused(url, 'IAudioAdapter_setAudioController', { _this: audio, audioController: 'HDA' })).text).toContain('The machine is not mutable (state is Running)');
    expect((await refused(url, 'IAudioAdapter_setAudioDriver', { _this: audio, audioDriver: 'Null' })).text).toContain('The machine is not mutable or saved (state is Running)');
    expect(await nextEvent(url, events, l, 100)).toBe('');

    // discardSettings takes the live changes back and tells the VM of the port that went back (Machine::i_rollback).
    await ok(url, 'IMachine_discardSettings', { _this: sm });
    expect(await ok(url, 'ISerialPort_getHostMode', { _this: port })).toBe('Disconnected');
    const back = await nextEvent(url, events, l);
    expect(await ok(url, 'IEvent_getType', { _this: back })).toBe('OnSerialPortChanged');
    expect(await ok(url, 'ISerialPort_getHostMode', { _this: await ok(url, 'ISerialPortChangedEvent_getSerialPort', { _this: back }) })).toBe('Disconnected');
    expect(await nextEvent(url, events, l, 100)).toBe('');
    await powerDown(url, console);
  });

  it('lets a saved machine change only what VirtualBox allows in the Saved state', async () => {
    const { url, vbox } = await start();
    const { w: w2, wm } = await savedMachine(url, vbox, 'saved-devices');
    const audio = await ok(url, 'IAudioSettings_getAdapter', { _this: await ok(url, 'IMachine_getAudioSettings', { _this: wm }) });
    await ok(url, 'IAudioAdapter_setAudioDriver', { _this: audio, audioDriver: 'Null' });
    await ok(url, 'IAudioAdapter_setEnabledIn', { _this: audio, enabledIn: true });
    expect((await refused(url, 'IAudioAdapter_setAudioController', { _this: audio, audioController: 'HDA' })).text).toContain('The machine is not mutable (state is Saved)');
    await ok(url, 'IParallelPort_setPath', { _this: await ok(url, 'IMachine_getParallelPort', { _this: wm, slot: 0 }), path: '/dev/lp0' });
    await ok(url, 'ISerialPort_setUartType', { _this: await ok(url, 'IMachine_getSerialPort', { _this: wm, slot: 0 }), uartType: 'U16450' });
    await ok(url, 'IVRDEServer_setEnabled', { _this: await ok(url, 'IMachine_getVRDEServer', { _this: wm }), enabled: true });
    expect(await refused(url, 'IMachine_createSharedFolder', { _this: wm, name: 'x', hostPath: folder(), writable: false, automount: false, autoMountPoint: '' }))
      .toEqual({ code: VBOX_E_INVALID_VM_STATE, text: expect.stringContaining('The machine is not mutable or running (state is Saved)') });
    expect((await refused(url, 'IGraphicsAdapter_setMonitorCount', { _this: await ok(url, 'IMachine_getGraphicsAdapter', { _this: wm }), monitorCount: 2 })).text)
      .toContain('The machine is not mutable (state is Saved)');
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w2 });
  });

  it('keeps every device setting in the settings file across a restart of vboxsim', async () => {
    const started = await start();
    let url = started.url;
    const { m, w, wm } = await newMachine(url, started.vbox, 'kept-devices');
    const share = folder();
    const gfx = await ok(url, 'IMachine_getGraphicsAdapter', { _this: wm });
    await ok(url, 'IGraphicsAdapter_setGraphicsControllerType', { _this: gfx, graphicsControllerType: 'VMSVGA' });
    await ok(url, 'IGraphicsAdapter_setMonitorCount', { _this: gfx, monitorCount: 2 });
    await ok(url, 'IGraphicsAdapter_setVRAMSize', { _this: gfx, VRAMSize: 64 });
    const audio = await ok(url, 'IAudioSettings_getAdapter', { _this: await ok(url, 'IMachine_getAudioSettings', { _this: wm }) });
    await ok(url, 'IAudioAdapter_setAudioController', { _this: audio, audioController: 'HDA' });
    await ok(url, 'IAudioAdapter_setEnabledIn', { _this: audio, enabledIn: true });
    await ok(url, 'IAudioAdapter_setAudioDriver', { _this: audio, audioDriver: 'Null' });
    const vrde = await ok(url, 'IMachine_getVRDEServer', { _this: wm });
    await ok(url, 'IVRDEServer_setReuseSingleConnection', { _this: vrde, reuseSingleConnection: true });
    const com2 = await ok(url, 'IMachine_getSerialPort', { _this: wm, slot: 1 });
    await ok(url, 'ISerialPort_setPath', { _this: com2, path: '/tmp/com2' });
    await ok(url, 'ISerialPort_setHostMode', { _this: com2, hostMode: 'RawFile' });
    await ok(url, 'ISerialPort_setUartType', { _this: com2, uartType: 'U16750' });
    await ok(url, 'IParallelPort_setIRQ', { _this: await ok(url, 'IMachine_getParallelPort', { _this: wm, slot: 1 }), IRQ: 9 });
    await ok(url, 'IMachine_createSharedFolder', { _this: wm, name: 'data', hostPath: share, writable: true, automount: true, autoMountPoint: '/mnt/data' });
    const { url: url2, again } = await sims.saveAndRestart(url, { m, w, wm });
    url = url2;
    const g = await ok(url, 'IMachine_getGraphicsAdapter', { _this: again });
    expect([await ok(url, 'IGraphicsAdapter_getGraphicsControllerType', { _this: g }), await ok(url, 'IGraphicsAdapter_getMonitorCount', { _this: g }), await ok(url, 'IGraphicsAdapter_getVRAMSize', { _this: g })])
      .toEqual(['VMSVGA', '2', '64']);
    const a = await ok(url, 'IAudioSettings_getAdapter', { _this: await ok(url, 'IMachine_getAudioSettings', { _this: again }) });
    expect([await ok(url, 'IAudioAdapter_getAudioController', { _this: a }), await ok(url, 'IAudioAdapter_getAudioCodec', { _this: a }), await ok(url, 'IAudioAdapter_getEnabledIn', { _this: a }), await ok(url, 'IAudioAdapter_getAudioDriver', { _this: a })])
      .toEqual(['HDA', 'STAC9221', 'true', 'Null']);
    expect(await ok(url, 'IVRDEServer_getReuseSingleConnection', { _this: await ok(url, 'IMachine_getVRDEServer', { _this: again }) })).toBe('true');
    const c = await ok(url, 'IMachine_getSerialPort', { _this: again, slot: 1 });
    expect([await ok(url, 'ISerialPort_getHostMode', { _this: c }), await ok(url, 'ISerialPort_getPath', { _this: c }), await ok(url, 'ISerialPort_getUartType', { _this: c })])
      .toEqual(['RawFile', '/tmp/com2', 'U16750']);
    expect(await ok(url, 'IParallelPort_getIRQ', { _this: await ok(url, 'IMachine_getParallelPort', { _this: again, slot: 1 }) })).toBe('9');
    const [f] = await list(url, 'IMachine_getSharedFolders', { _this: again });
    expect([await ok(url, 'ISharedFolder_getName', { _this: f }), await ok(url, 'ISharedFolder_getHostPath', { _this: f }), await ok(url, 'ISharedFolder_getAutoMountPoint', { _this: f }), await ok(url, 'ISharedFolder_getAccessible', { _this: f })])
      .toEqual(['data', share, '/mnt/data', 'true']);
  });
});
