// Issue 16 (S2): a machine's firmware, platform, NVRAM and TPM where the real vboxwebsrv cannot follow —
// the state rules of a running and a saved machine (AutoMutableStateDependency in FirmwareSettingsImpl.cpp,
// PlatformImpl.cpp, PlatformX86Impl.cpp, NvramStoreImpl.cpp, UefiVariableStoreImpl.cpp,
// TrustedPlatformModuleImpl.cpp) — and the UEFI variable store in its .nvram file beside the settings
// file, surviving a restart of vboxsim and read by another host that opens the machine's folder.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, launch, list, lockWrite, logon, newMachine, ok, refused, simPerTest, soap } from './soap/testing';

const VBOX_E_INVALID_VM_STATE = 0x80bb0002 | 0;
const VBOX_E_OBJECT_NOT_FOUND = 0x80bb0001 | 0;

describe('firmware, NVRAM and TPM', () => {
  const sims = simPerTest('fw-test-');
  const start = async (hosts = 1) => (await sims.start({ hosts })).sim.urls;

  /** Nimbox's Secure Boot sequence (sim/model/firmware.ts) on a session's machine, saved. */
  async function secureBoot(url: string, wm: string) {
    await ok(url, 'IFirmwareSettings_setFirmwareType', { _this: await ok(url, 'IMachine_getFirmwareSettings', { _this: wm }), firmwareType: 'EFI' });
    const nvram = await ok(url, 'IMachine_getNonVolatileStore', { _this: wm });
    await ok(url, 'INvramStore_initUefiVariableStore', { _this: nvram, size: 0 });
    const uefi = await ok(url, 'INvramStore_getUefiVariableStore', { _this: nvram });
    await ok(url, 'IUefiVariableStore_enrollOraclePlatformKey', { _this: uefi });
    await ok(url, 'IUefiVariableStore_enrollDefaultMsSignatures', { _this: uefi });
    await ok(url, 'IUefiVariableStore_setSecureBootEnabled', { _this: uefi, secureBootEnabled: true });
    await ok(url, 'ITrustedPlatformModule_setType', { _this: await ok(url, 'IMachine_getTrustedPlatformModule', { _this: wm }), type: 'v2_0' });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
  }

  /** Whether the machine's own object reads Secure Boot on, and its variables' names. */
  async function uefiOf(url: string, m: string) {
    const nvram = await ok(url, 'IMachine_getNonVolatileStore', { _this: m });
    const uefi = await ok(url, 'INvramStore_getUefiVariableStore', { _this: nvram });
    const r = await soap(url, 'IUefiVariableStore_queryVariables', { _this: uefi });
    const names = r.result?.names;
    return {
      file: await ok(url, 'INvramStore_getNonVolatileStorageFile', { _this: nvram }),
      secureBoot: await ok(url, 'IUefiVariableStore_getSecureBootEnabled', { _this: uefi }),
      names: Array.isArray(names) ? names : [names],
    };
  }

  it('refuses every firmware, platform, NVRAM and TPM change while the machine runs or is saved, and reads on', async () => {
    const [url] = await start();
    const vbox = await logon(url);
    const { m, w, wm } = await newMachine(url, vbox, 'fw-running', 'Windows11_64');
    await secureBoot(url, wm);
    await ok(url, 'ISession_unlockMachine', { _this: w });

    const { sm } = await launch(url, vbox, m);
    const fw = await ok(url, 'IMachine_getFirmwareSettings', { _this: sm });
    const platform = await ok(url, 'IMachine_getPlatform', { _this: sm });
    const x86 = await ok(url, 'IPlatform_getX86', { _this: platform });
    const tpm = await ok(url, 'IMachine_getTrustedPlatformModule', { _this: sm });
    const nvram = await ok(url, 'IMachine_getNonVolatileStore', { _this: sm });
    const uefi = await ok(url, 'INvramStore_getUefiVariableStore', { _this: nvram });

    const notMutable = async (state: string, op: string, args: Record<string, string | number | boolean>) => {
      const r = await refused(url, op, args);
      expect(r, op).toEqual({ code: VBOX_E_INVALID_VM_STATE, text: `VirtualBox error: apirc=0x80bb0002 The machine is not mutable (state is ${state}) (0x80bb0002)` });
    };
    const changes: [string, Record<string, string | number | boolean>][] = [
      ['IFirmwareSettings_setFirmwareType', { _this: fw, firmwareType: 'BIOS' }],
      ['IFirmwareSettings_setBootMenuMode', { _this: fw, bootMenuMode: 'Disabled' }],
      ['IFirmwareSettings_setTimeOffset', { _this: fw, timeOffset: 60000 }],
      ['IPlatform_setChipsetType', { _this: platform, chipsetType: 'ICH9' }],
      ['IPlatform_setIommuType', { _this: platform, iommuType: 'AMD' }],
      ['IPlatform_setRTCUseUTC', { _this: platform, RTCUseUTC: true }],
      ['IPlatformX86_setCPUProperty', { _this: x86, property: 'PAE', value: false }],
      ['IPlatformX86_setCPUIDLeaf', { _this: x86, idx: 1, idxSub: 0, valEax: 1, valEbx: 2, valEcx: 3, valEdx: 4 }],
      ['ITrustedPlatformModule_setType', { _this: tpm, type: 'None' }],
      ['INvramStore_initUefiVariableStore', { _this: nvram, size: 0 }],
      ['IUefiVariableStore_setSecureBootEnabled', { _this: uefi, secureBootEnabled: false }],
      ['IUefiVariableStore_enrollDefaultMsSignatures', { _this: uefi }],
    ];
    for (const [op, args] of changes) await notMutable('Running', op, args);
    // What a running machine's user reads: EFI, TPM 2.0, Secure Boot on.
    expect(await ok(url, 'IFirmwareSettings_getFirmwareType', { _this: fw })).toBe('EFI');
    expect(await ok(url, 'ITrustedPlatformModule_getType', { _this: tpm })).toBe('v2_0');
    expect(await ok(url, 'IUefiVariableStore_getSecureBootEnabled', { _this: uefi })).toBe('true');

    // Saved: still not mutable (these need Mutable, not MutableOrSaved).
    // (The shared session ends with the VM.)
    expect((await finished(url, await ok(url, 'IMachine_saveState', { _this: sm }))).rc).toBe(0);
    const { wm: wm2 } = await lockWrite(url, vbox, m);
    expect(await ok(url, 'IMachine_getState', { _this: wm2 })).toBe('Saved');
    await notMutable('Saved', 'IFirmwareSettings_setFirmwareType', { _this: await ok(url, 'IMachine_getFirmwareSettings', { _this: wm2 }), firmwareType: 'BIOS' });
    await notMutable('Saved', 'ITrustedPlatformModule_setType', { _this: await ok(url, 'IMachine_getTrustedPlatformModule', { _this: wm2 }), type: 'None' });
    const nvram2 = await ok(url, 'IMachine_getNonVolatileStore', { _this: wm2 });
    await notMutable('Saved', 'IUefiVariableStore_setSecureBootEnabled', { _this: await ok(url, 'INvramStore_getUefiVariableStore', { _this: nvram2 }), secureBootEnabled: false });
    await ok(url, 'IMachine_discardSavedState', { _this: wm2, removeFile: true });
    // Powered off again: the same session's machine may change it.
    await ok(url, 'IFirmwareSettings_setBootMenuMode', { _this: await ok(url, 'IMachine_getFirmwareSettings', { _this: wm2 }), bootMenuMode: 'Disabled' });
  });

  it('keeps the UEFI variable store in the .nvram file beside the settings file, across a restart and on another host', async () => {
    let [url] = await start(2);
    let vbox = await logon(url);
    const { m, w, wm } = await newMachine(url, vbox, 'fw-nvram');
    const settingsFile = await ok(url, 'IMachine_getSettingsFilePath', { _this: m });
    const nvramFile = path.join(path.dirname(settingsFile), 'fw-nvram.nvram');
    // Nothing is written before the store is made and the settings saved.
    const nvram = await ok(url, 'IMachine_getNonVolatileStore', { _this: wm });
    expect(await ok(url, 'INvramStore_getNonVolatileStorageFile', { _this: nvram })).toBe(nvramFile);
    expect((await refused(url, 'INvramStore_getUefiVariableStore', { _this: nvram })).code).toBe(VBOX_E_OBJECT_NOT_FOUND);
    await secureBoot(url, wm);
    expect(fs.existsSync(nvramFile)).toBe(true);
    await ok(url, 'ISession_unlockMachine', { _this: w });
    expect(await uefiOf(url, m)).toEqual({ file: nvramFile, secureBoot: 'true', names: ['PK', 'KEK', 'db', 'SecureBootEnable'] });

    // A restart of vboxsim: the registered machine reads the file again.
    await sims.stop();
    [url] = await start(2);
    vbox = await logon(url);
    const again = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'fw-nvram' });
    expect(await uefiOf(url, again)).toEqual({ file: nvramFile, secureBoot: 'true', names: ['PK', 'KEK', 'db', 'SecureBootEnable'] });
    expect(await ok(url, 'ITrustedPlatformModule_getType', { _this: await ok(url, 'IMachine_getTrustedPlatformModule', { _this: again }) })).toBe('v2_0');

    // Another host opening the machine's folder finds the variables with it.
    const url2 = sims.sim.urls[1];
    const vbox2 = await logon(url2);
    const twin = await ok(url2, 'IVirtualBox_openMachine', { _this: vbox2, settingsFile, password: '' });
    expect(await uefiOf(url2, twin)).toEqual({ file: nvramFile, secureBoot: 'true', names: ['PK', 'KEK', 'db', 'SecureBootEnable'] });

    // Turned off in a session and saved: the file says so, for the next reader.
    const { w: w3, wm: wm3 } = await lockWrite(url, vbox, again);
    const uefi3 = await ok(url, 'INvramStore_getUefiVariableStore', { _this: await ok(url, 'IMachine_getNonVolatileStore', { _this: wm3 }) });
    await ok(url, 'IUefiVariableStore_setSecureBootEnabled', { _this: uefi3, secureBootEnabled: false });
    await ok(url, 'IMachine_saveSettings', { _this: wm3 });
    await ok(url, 'ISession_unlockMachine', { _this: w3 });
    await sims.stop();
    [url] = await start(2);
    vbox = await logon(url);
    expect((await uefiOf(url, await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'fw-nvram' }))).secureBoot).toBe('false');

    // A rename takes the NVRAM file along with the settings file.
    const { w: w4, wm: wm4 } = await lockWrite(url, vbox, await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'fw-nvram' }));
    await ok(url, 'IMachine_setName', { _this: wm4, name: 'fw-renamed' });
    await ok(url, 'IMachine_saveSettings', { _this: wm4 });
    await ok(url, 'ISession_unlockMachine', { _this: w4 });
    const renamed = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'fw-renamed' });
    const renamedFile = path.join(path.dirname(await ok(url, 'IMachine_getSettingsFilePath', { _this: renamed })), 'fw-renamed.nvram');
    expect(fs.existsSync(nvramFile)).toBe(false);
    expect(await uefiOf(url, renamed)).toEqual({ file: renamedFile, secureBoot: 'false', names: ['PK', 'KEK', 'db', 'SecureBootEnable'] });

    // Deleting the machine with its files takes the .nvram file too.
    const last = renamed;
    const media = await list(url, 'IMachine_unregister', { _this: last, cleanupMode: 'DetachAllReturnHardDisksOnly' });
    expect((await finished(url, await ok(url, 'IMachine_deleteConfig', { _this: last, media }))).rc).toBe(0);
    expect(fs.existsSync(renamedFile)).toBe(false);
  });
});
