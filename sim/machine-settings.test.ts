// Issue 16 S1: IMachine's settings where the real vboxwebsrv cannot follow (it runs no VM): live changes of
// a running machine as VirtualBox 7.1.12 makes them (Machine::setClipboardMode, setDnDMode,
// setClipboardFileTransfersEnabled, setCPUExecutionCap, hotPlugCPU / hotUnplugCPU through
// SessionMachine to Console::i_onXxxChange, which needs the VM Running and fires the console's event),
// the state rules of a running machine, a Saved machine's saved screen, and the global settings and
// autostart database surviving a restart of vboxsim.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMachine, finished, launch, list, listen, lockWrite, nextEvent, ok, refused, simPerTest, soap } from './soap/testing';

const VBOX_E_INVALID_VM_STATE = 0x80bb0002 | 0;
const E_INVALIDARG = 0x80070057 | 0;

describe('machine settings of a running machine', () => {
  const sims = simPerTest('machine-settings-test-');
  const start = () => sims.start();

  /** A registered Debian machine; `prepare` changes its settings in a write-locked session first. */
  async function machine(url: string, vbox: string, name: string, prepare?: (wm: string) => Promise<void>) {
    const m = await createMachine(url, vbox, name);
    if (prepare) {
      const { w, wm } = await lockWrite(url, vbox, m);
      await prepare(wm);
      await ok(url, 'IMachine_saveSettings', { _this: wm });
      await ok(url, 'ISession_unlockMachine', { _this: w });
    }
    return m;
  }

  it('changes clipboard, drag and drop, file transfers and the execution cap of a running machine, telling its console, and keeps them', async () => {
    const { url, vbox } = await start();
    const m = await machine(url, vbox, 'live-modes');
    const { s, sm, events } = await launch(url, vbox, m);
    const l = await listen(url, events, ['OnClipboardModeChanged', 'OnDnDModeChanged', 'OnClipboardFileTransferModeChanged', 'OnCPUExecutionCapChanged']);

    await ok(url, 'IMachine_setClipboardMode', { _this: sm, clipboardMode: 'Bidirectional' });
    let ev = await nextEvent(url, events, l);
    expect(await ok(url, 'IEvent_getType', { _this: ev })).toBe('OnClipboardModeChanged');
    expect(await ok(url, 'IClipboardModeChangedEvent_getClipboardMode', { _this: ev })).toBe('Bidirectional');

    await ok(url, 'IMachine_setDnDMode', { _this: sm, dnDMode: 'GuestToHost' });
    ev = await nextEvent(url, events, l);
    expect(await ok(url, 'IDnDModeChangedEvent_getDndMode', { _this: ev })).toBe('GuestToHost');

    await ok(url, 'IMachine_setClipboardFileTransfersEnabled', { _this: sm, clipboardFileTransfersEnabled: true });
    ev = await nextEvent(url, events, l);
    expect(await ok(url, 'IClipboardFileTransferModeChangedEvent_getEnabled', { _this: ev })).toBe('true');

    await ok(url, 'IMachine_setCPUExecutionCap', { _this: sm, CPUExecutionCap: 40 });
    ev = await nextEvent(url, events, l);
    expect(await ok(url, 'ICPUExecutionCapChangedEvent_getExecutionCap', { _this: ev })).toBe('40');

    // Saved at once while the machine runs: the registered machine shows them without saveSettings.
    expect(await ok(url, 'IMachine_getClipboardMode', { _this: m })).toBe('Bidirectional');
    expect(await ok(url, 'IMachine_getDnDMode', { _this: m })).toBe('GuestToHost');
    expect(await ok(url, 'IMachine_getClipboardFileTransfersEnabled', { _this: m })).toBe('true');
    expect(await ok(url, 'IMachine_getCPUExecutionCap', { _this: m })).toBe('40');

    // A paused VM takes no change (Console: "Invalid machine state"), and nothing changes.
    const console = await ok(url, 'ISession_getConsole', { _this: s });
    await ok(url, 'IConsole_pause', { _this: console });
    const r = await refused(url, 'IMachine_setClipboardMode', { _this: sm, clipboardMode: 'Disabled' });
    expect(r.code).toBe(VBOX_E_INVALID_VM_STATE);
    expect(r.text).toContain('Invalid machine state: Paused');
    expect(await ok(url, 'IMachine_getClipboardMode', { _this: m })).toBe('Bidirectional');
    expect(await nextEvent(url, events, l, 200)).toBe('');

    await ok(url, 'IConsole_powerDown', { _this: console }).then((p) => finished(url, p));
  });

  it('refuses while running what VirtualBox takes only from a powered-off (or saved) machine, and takes the rest', async () => {
    const { url, vbox } = await start();
    const m = await machine(url, vbox, 'live-rules');
    const { sm } = await launch(url, vbox, m);
    for (const [op, args] of [
      ['IMachine_setPointingHIDType', { pointingHIDType: 'USBTablet' }],
      ['IMachine_setCPUProfile', { CPUProfile: 'Intel 80486' }],
      ['IMachine_setParavirtProvider', { paravirtProvider: 'None' }],
      ['IMachine_setCPUHotPlugEnabled', { CPUHotPlugEnabled: true }],
    ] as const) {
      const r = await refused(url, op, { _this: sm, ...args });
      expect(r.code).toBe(VBOX_E_INVALID_VM_STATE);
      expect(r.text).toContain('The machine is not mutable (state is Running)');
    }
    const fe = await refused(url, 'IMachine_setDefaultFrontend', { _this: sm, defaultFrontend: 'gui' });
    expect(fe.text).toContain('The machine is not mutable or saved (state is Running)');
    await ok(url, 'IMachine_setAutostartDelay', { _this: sm, autostartDelay: 20 });
    await ok(url, 'IMachine_setVMProcessPriority', { _this: sm, VMProcessPriority: 'Low' });
    await ok(url, 'IMachine_saveSettings', { _this: sm });
    expect(await ok(url, 'IMachine_getAutostartDelay', { _this: m })).toBe('20');
    expect(await ok(url, 'IMachine_getPointingHIDType', { _this: m })).toBe('PS2Mouse');
    // A headless VM vetoes showing a console window.
    expect(await ok(url, 'IMachine_canShowConsoleWindow', { _this: sm })).toBe('false');
    expect(await ok(url, 'IMachine_showConsoleWindow', { _this: sm })).toBe('0');
  });

  it('hot-unplugs and plugs CPUs of a running machine with ICPUChangedEvent, as VirtualBox fills it, and never CPU 0', async () => {
    const { url, vbox } = await start();
    const m = await machine(url, vbox, 'live-cpus', async (wm) => {
      await ok(url, 'IMachine_setCPUCount', { _this: wm, CPUCount: 3 });
      await ok(url, 'IMachine_setCPUHotPlugEnabled', { _this: wm, CPUHotPlugEnabled: true });
    });
    const { s, sm, events } = await launch(url, vbox, m);
    const l = await listen(url, events, ['OnCPUChanged']);

    await ok(url, 'IMachine_hotUnplugCPU', { _this: sm, cpu: 2 });
    let ev = await nextEvent(url, events, l);
    expect(await ok(url, 'ICPUChangedEvent_getCPU', { _this: ev })).toBe('2');
    // FireCPUChangedEvent(…, aCPU, aRemove): VirtualBox puts "removed" in the attribute named add.
    expect(await ok(url, 'ICPUChangedEvent_getAdd', { _this: ev })).toBe('true');
    expect(await ok(url, 'IMachine_getCPUStatus', { _this: m, cpu: 2 })).toBe('false');

    const zero = await refused(url, 'IMachine_hotUnplugCPU', { _this: sm, cpu: 0 });
    expect([zero.code, zero.text.includes('It is not possible to detach CPU 0')]).toEqual([E_INVALIDARG, true]);
    const twice = await refused(url, 'IMachine_hotUnplugCPU', { _this: sm, cpu: 2 });
    expect(twice.text).toContain('CPU 2 is not attached');

    await ok(url, 'IMachine_hotPlugCPU', { _this: sm, cpu: 2 });
    ev = await nextEvent(url, events, l);
    expect(await ok(url, 'ICPUChangedEvent_getAdd', { _this: ev })).toBe('false');
    expect(await ok(url, 'IMachine_getCPUStatus', { _this: m, cpu: 2 })).toBe('true');

    const console = await ok(url, 'ISession_getConsole', { _this: s });
    await ok(url, 'IConsole_pause', { _this: console });
    const paused = await refused(url, 'IMachine_hotUnplugCPU', { _this: sm, cpu: 1 });
    expect(paused.text).toContain('Invalid machine state: Paused');
    expect(await ok(url, 'IMachine_getCPUStatus', { _this: m, cpu: 1 })).toBe('true');
  });

  it('shows a Saved machine\'s saved screen (size, PNG screenshot and thumbnail) until the saved state is discarded', async () => {
    const { url, vbox } = await start();
    const m = await machine(url, vbox, 'saved-screen');
    const { s, sm } = await launch(url, vbox, m);
    expect((await finished(url, await ok(url, 'IMachine_saveState', { _this: sm }))).rc).toBe(0);
    // The VM process ended: the shared session is unlocked with it.
    expect(await ok(url, 'ISession_getState', { _this: s })).toBe('Unlocked');
    expect(await ok(url, 'IMachine_getState', { _this: m })).toBe('Saved');

    const info = await results(url, 'IMachine_querySavedScreenshotInfo', { _this: m, screenId: 0 });
    expect(Number(info.width)).toBeGreaterThan(0);
    const png = Buffer.from(await ok(url, 'IMachine_readSavedScreenshotToArray', { _this: m, screenId: 0, bitmapFormat: 'PNG' }), 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const thumb = await results(url, 'IMachine_readSavedThumbnailToArray', { _this: m, screenId: 0, bitmapFormat: 'BGRA' });
    expect(Buffer.from(thumb.returnval, 'base64').length).toBe(Number(thumb.width) * Number(thumb.height) * 4);
    expect(Number(thumb.width)).toBe(Math.floor(Number(info.width) / 4));
    const size = await results(url, 'IMachine_querySavedGuestScreenInfo', { _this: m, screenId: 0 });
    expect([size.width, size.height, size.enabled]).toEqual([info.width, info.height, 'true']);

    await ok(url, 'IMachine_discardSavedState', { _this: (await lockWrite(url, vbox, m)).wm, fRemoveFile: true });
    const gone = await refused(url, 'IMachine_readSavedScreenshotToArray', { _this: m, screenId: 0, bitmapFormat: 'PNG' });
    expect(gone.text).toContain('Saved screenshot thumbnail data is not available');
  });

  it('keeps the global settings and the autostart database across a restart of vboxsim', async () => {
    let { url, vbox } = await start();
    const db = fs.mkdtempSync(path.join(os.tmpdir(), 'autostart-db-'));
    try {
      let sp = await ok(url, 'IVirtualBox_getSystemProperties', { _this: vbox });
      const m = await machine(url, vbox, 'autostarted');
      const { w, wm } = await lockWrite(url, vbox, m);
      // No database yet: VirtualBox refuses autostart.
      expect((await refused(url, 'IMachine_setAutostartEnabled', { _this: wm, autostartEnabled: true })).text).toContain('The path to the autostart database is not set');
      await ok(url, 'ISystemProperties_setAutostartDatabasePath', { _this: sp, autostartDatabasePath: db });
      await ok(url, 'ISystemProperties_setLogHistoryCount', { _this: sp, logHistoryCount: 5 });
      await ok(url, 'ISystemProperties_setDefaultFrontend', { _this: sp, defaultFrontend: 'headless' });
      await ok(url, 'IMachine_setAutostartEnabled', { _this: wm, autostartEnabled: true });
      await ok(url, 'IMachine_setAutostopType', { _this: wm, autostopType: 'AcpiShutdown' });
      await ok(url, 'IMachine_saveSettings', { _this: wm });
      await ok(url, 'ISession_unlockMachine', { _this: w });
      const user = os.userInfo().username;
      expect(fs.readFileSync(path.join(db, `${user}.start`), 'utf8')).toBe('1');
      expect(fs.readFileSync(path.join(db, `${user}.stop`), 'utf8')).toBe('1');

      await sims.stop();
      ({ url, vbox } = await start());
      sp = await ok(url, 'IVirtualBox_getSystemProperties', { _this: vbox });
      expect(await ok(url, 'ISystemProperties_getAutostartDatabasePath', { _this: sp })).toBe(db);
      expect(await ok(url, 'ISystemProperties_getLogHistoryCount', { _this: sp })).toBe('5');
      expect(await ok(url, 'ISystemProperties_getDefaultFrontend', { _this: sp })).toBe('headless');
      const again = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'autostarted' });
      expect(await ok(url, 'IMachine_getAutostartEnabled', { _this: again })).toBe('true');
      expect(await ok(url, 'IMachine_getAutostopType', { _this: again })).toBe('AcpiShutdown');
      expect(await list(url, 'ISystemProperties_getSupportedAutostopTypes', { _this: sp })).toEqual(['Disabled', 'SaveState', 'PowerOff', 'AcpiShutdown']);
    } finally {
      fs.rmSync(db, { recursive: true, force: true });
    }
  });
});

/** A call with several results that must succeed: every result element. */
async function results(url: string, op: string, args: Record<string, string | number | boolean>): Promise<Record<string, string>> {
  const a = await soap(url, op, args);
  if (a.fault) throw new Error(`${op}: ${a.fault.faultstring}`);
  return a.result as Record<string, string>;
}
