// Issue 14: IMedium's cloneTo, cloneToBase, resize and compact as a vboxwebsrv client sees them — their
// progress while they run, the locks they hold, and the image files they leave on the shared storage,
// which another host opens as the same image.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './index';
import { finished, list, logon, newDisk, ok, refused } from './soap/testing';
import { readImageHeader, vdiFileSize } from './model/medium';

const MIB = 1024 * 1024;

describe('IMedium clone, resize and compact', () => {
  let sim: Sim | undefined;
  let stateDir = '';

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const start = async (vms = 0) => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-test-'));
    sim = await startSim({ hosts: 2, port: 0, vms, stateDir, timing: { start: 20, stop: 10, acpiShutdown: 20, save: 10 } });
    return sim;
  };

  it('clones with progress into a fixed image that another host opens as the same disk', async () => {
    const s = await start();
    const [a, b] = s.urls;
    s.hosts[0].sim.mediumTaskMs = 400;
    const vbox = await logon(a);
    const source = await newDisk(a, vbox, 'source.vdi', 64 * MIB);
    const target = await ok(a, 'IVirtualBox_createMedium', { _this: vbox, format: 'VDI', location: 'copy.vdi', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
    const p = await ok(a, 'IMedium_cloneTo', { _this: source, target, variant: ['Fixed'], parent: '' });

    // While it runs: the target is being created, the source is read-locked, the progress moves.
    expect(await ok(a, 'IMedium_getState', { _this: target })).toBe('Creating');
    expect(await ok(a, 'IMedium_getState', { _this: source })).toBe('LockedRead');
    expect(await ok(a, 'IProgress_getOperationCount', { _this: p })).toBe('2');
    expect(await ok(a, 'IProgress_getDescription', { _this: p })).toBe('Resizing medium and cloning into it');
    const seen: number[] = [];
    while ((await ok(a, 'IProgress_getCompleted', { _this: p })) === 'false') {
      seen.push(Number(await ok(a, 'IProgress_getPercent', { _this: p })));
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(seen.some((x) => x > 0 && x < 100)).toBe(true);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(await finished(a, p)).toEqual({ rc: 0, text: '' });
    expect(await ok(a, 'IProgress_getPercent', { _this: p })).toBe('100');

    expect(await ok(a, 'IMedium_getState', { _this: target })).toBe('Created');
    expect(await ok(a, 'IMedium_getState', { _this: source })).toBe('Created');
    expect(await ok(a, 'IMedium_getLogicalSize', { _this: target })).toBe(String(64 * MIB));
    expect(await list(a, 'IMedium_getVariant', { _this: target })).toContain('Fixed');
    const id = await ok(a, 'IMedium_getId', { _this: target });
    expect(id).not.toBe(await ok(a, 'IMedium_getId', { _this: source }));
    expect(await list(a, 'IVirtualBox_getHardDisks', { _this: vbox })).toContain(target);

    // The file: a fixed VDI of 64 MB with the clone's UUID, as long as VirtualBox's would be.
    const file = path.join(s.storageDir, 'copy.vdi');
    expect(fs.statSync(file).size).toBe(vdiFileSize(64 * MIB, true));
    expect(readImageHeader(file)).toMatchObject({ logicalSize: 64 * MIB, fixed: true, id, parentId: '' });

    // Another host opens the same file as the same disk.
    const vboxB = await logon(b);
    const opened = await ok(b, 'IVirtualBox_openMedium', { _this: vboxB, location: file, deviceType: 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false });
    expect(await ok(b, 'IMedium_getId', { _this: opened })).toBe(id);
    expect(await ok(b, 'IMedium_getLogicalSize', { _this: opened })).toBe(String(64 * MIB));
    expect(await list(b, 'IMedium_getVariant', { _this: opened })).toContain('Fixed');

    // cloneToBase makes a dynamic copy when asked for no variant.
    const base = await ok(a, 'IVirtualBox_createMedium', { _this: vbox, format: 'VDI', location: 'base.vdi', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
    expect((await finished(a, await ok(a, 'IMedium_cloneToBase', { _this: source, target: base, variant: [] }))).rc).toBe(0);
    expect(fs.statSync(path.join(s.storageDir, 'base.vdi')).size).toBe(vdiFileSize(64 * MIB, false));
    expect(await list(a, 'IMedium_getVariant', { _this: base })).not.toContain('Fixed');
  });

  it('leaves no target behind when the clone is canceled or the file exists', async () => {
    const s = await start();
    const [a] = s.urls;
    s.hosts[0].sim.mediumTaskMs = 2000;
    const vbox = await logon(a);
    const source = await newDisk(a, vbox, 'source.vdi', 8 * MIB);
    const target = await ok(a, 'IVirtualBox_createMedium', { _this: vbox, format: 'VDI', location: 'canceled.vdi', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
    const p = await ok(a, 'IMedium_cloneTo', { _this: source, target, variant: [], parent: '' });
    await new Promise((r) => setTimeout(r, 100));
    await ok(a, 'IProgress_cancel', { _this: p });
    expect(await finished(a, p)).toEqual({ rc: 0x80004005 | 0, text: 'Operation was canceled by the user' });
    expect(await ok(a, 'IMedium_getState', { _this: target })).toBe('NotCreated');
    expect(await ok(a, 'IMedium_getState', { _this: source })).toBe('Created');
    expect(fs.existsSync(path.join(s.storageDir, 'canceled.vdi'))).toBe(false);

    s.hosts[0].sim.mediumTaskMs = 10;
    fs.writeFileSync(path.join(s.storageDir, 'taken.vdi'), 'someone else');
    const taken = await ok(a, 'IVirtualBox_createMedium', { _this: vbox, format: 'VDI', location: 'taken.vdi', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
    const failed = await finished(a, await ok(a, 'IMedium_cloneTo', { _this: source, target: taken, variant: [], parent: '' }));
    expect(failed.text).toBe(`Could not create the clone medium '${path.join(s.storageDir, 'taken.vdi')}'.\nVDI: cannot create image '${path.join(s.storageDir, 'taken.vdi')}' (VERR_ALREADY_EXISTS)`);
    expect(await ok(a, 'IMedium_getState', { _this: taken })).toBe('NotCreated');
    expect(fs.readFileSync(path.join(s.storageDir, 'taken.vdi'), 'utf8')).toBe('someone else');
  });

  it('grows a disk in its file, write-locked meanwhile, and refuses to shrink it or to resize a fixed one', async () => {
    const s = await start();
    const [a, b] = s.urls;
    s.hosts[0].sim.mediumTaskMs = 300;
    const vbox = await logon(a);
    const disk = await newDisk(a, vbox, 'grow.vdi', 64 * MIB);
    const file = path.join(s.storageDir, 'grow.vdi');
    const p = await ok(a, 'IMedium_resize', { _this: disk, logicalSize: 2048 * MIB });
    expect(await ok(a, 'IMedium_getState', { _this: disk })).toBe('LockedWrite');
    expect(await refused(a, 'IMedium_resize', { _this: disk, logicalSize: 4096 * MIB })).toEqual({
      text: `VirtualBox error: apirc=0x80bb0007 Failed to lock media when resizing '${file}' (0x80bb0007)`, code: 0x80bb0007 | 0,
    });
    expect(await refused(a, 'IMedium_compact', { _this: disk })).toMatchObject({ text: expect.stringContaining(`Failed to lock media when compacting '${file}'`) });
    expect(await finished(a, p)).toEqual({ rc: 0, text: '' });
    expect(await ok(a, 'IMedium_getState', { _this: disk })).toBe('Created');

    // The image holds the new size (and a block map for it); the medium shows it once it looks again.
    expect(readImageHeader(file)?.logicalSize).toBe(2048 * MIB);
    expect(fs.statSync(file).size).toBe(vdiFileSize(2048 * MIB, false));
    expect(await ok(a, 'IMedium_getLogicalSize', { _this: disk })).toBe(String(64 * MIB));
    await ok(a, 'IMedium_refreshState', { _this: disk });
    expect(await ok(a, 'IMedium_getLogicalSize', { _this: disk })).toBe(String(2048 * MIB));
    const vboxB = await logon(b);
    const onB = await ok(b, 'IVirtualBox_openMedium', { _this: vboxB, location: file, deviceType: 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false });
    expect(await ok(b, 'IMedium_getLogicalSize', { _this: onB })).toBe(String(2048 * MIB));

    s.hosts[0].sim.mediumTaskMs = 10;
    expect(await finished(a, await ok(a, 'IMedium_resize', { _this: disk, logicalSize: 1024 * MIB }))).toEqual({
      rc: 0x80bb0009 | 0, text: `Shrinking is not yet supported for medium '${file}'`,
    });
    const fixed = await newDisk(a, vbox, 'fixed.vdi', 4 * MIB, ['Fixed']);
    expect(await finished(a, await ok(a, 'IMedium_resize', { _this: fixed, logicalSize: 8 * MIB }))).toEqual({
      rc: 0x80bb0009 | 0, text: `Resizing to new size ${8 * MIB} is not yet supported for medium '${path.join(s.storageDir, 'fixed.vdi')}'`,
    });
    expect(readImageHeader(path.join(s.storageDir, 'fixed.vdi'))?.logicalSize).toBe(4 * MIB);
    expect(await finished(a, await ok(a, 'IMedium_compact', { _this: fixed }))).toEqual({ rc: 0, text: '' });
  });

  it('refuses to resize, compact or copy the disk of a running machine', async () => {
    const s = await start(1);
    const [a] = s.urls;
    const vbox = await logon(a);
    const m = (await list(a, 'IVirtualBox_getMachines', { _this: vbox }))[0];
    expect(await ok(a, 'IMachine_getState', { _this: m })).toBe('Running');
    const disk = await ok(a, 'IMachine_getMedium', { _this: m, name: 'SATA', controllerPort: 0, device: 0 });
    const loc = await ok(a, 'IMedium_getLocation', { _this: disk });
    expect((await refused(a, 'IMedium_resize', { _this: disk, logicalSize: 64 * 1024 * MIB })).text).toContain(`Failed to lock media when resizing '${loc}'`);
    expect((await refused(a, 'IMedium_compact', { _this: disk })).text).toContain(`Failed to lock media when compacting '${loc}'`);
    const target = await ok(a, 'IVirtualBox_createMedium', { _this: vbox, format: 'VDI', location: 'copy.vdi', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
    expect((await refused(a, 'IMedium_cloneTo', { _this: disk, target, variant: [], parent: '' })).text).toContain(`Failed to lock source media '${loc}'`);
    expect(await ok(a, 'IMedium_getState', { _this: target })).toBe('NotCreated');
    expect(fs.existsSync(path.join(s.storageDir, 'copy.vdi'))).toBe(false);
  });
});
