// Issue 14: what the media conversations cannot show (the real vboxwebsrv here runs no machine): the
// locks a running machine holds on its media, media tasks' progress over time, and the data an
// IMediumIO writes, kept in the image file that every host opens — through differencing chains,
// merges and moves. Also host drives, which the real server here does not have.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PortRegistry, SimHost } from './host';
import { startSim, hostSpec, type Sim } from './index';
import { hostDriveUuid } from './model/hostinfo';
import { logon, ok, soap, type Args } from './soap/testing';

const MIB = 1024 * 1024;
const ZERO = '00000000-0000-0000-0000-000000000000';

async function list(url: string, op: string, args: Args = {}): Promise<string[]> {
  const v = (await soap(url, op, args)).result?.returnval;
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string];
}

async function refused(url: string, op: string, args: Args): Promise<{ text: string; code: number }> {
  const a = await soap(url, op, args);
  if (!a.fault) throw new Error(`${op} succeeded`);
  return { text: a.fault.faultstring ?? '', code: Number(a.fault.detail?.RuntimeFault?.resultCode ?? 0) >>> 0 };
}

async function finished(url: string, progress: string): Promise<{ rc: number; text: string }> {
  await ok(url, 'IProgress_waitForCompletion', { _this: progress, timeout: 10_000 });
  const rc = Number(await ok(url, 'IProgress_getResultCode', { _this: progress })) >>> 0;
  const info = await ok(url, 'IProgress_getErrorInfo', { _this: progress });
  return { rc, text: info ? await ok(url, 'IVirtualBoxErrorInfo_getText', { _this: info }) : '' };
}

/** Every percent (and operation) a progress shows until it completes. */
async function watch(url: string, p: string): Promise<{ percent: number; operation: number }[]> {
  const seen: { percent: number; operation: number }[] = [];
  while ((await ok(url, 'IProgress_getCompleted', { _this: p })) === 'false') {
    seen.push({ percent: Number(await ok(url, 'IProgress_getPercent', { _this: p })), operation: Number(await ok(url, 'IProgress_getOperation', { _this: p })) });
    await new Promise((r) => setTimeout(r, 20));
  }
  return seen;
}

const create = (url: string, vbox: string, location: string, format = 'VDI', type = 'HardDisk') =>
  ok(url, 'IVirtualBox_createMedium', { _this: vbox, format, location, accessMode: 'ReadWrite', aDeviceTypeType: type });

async function newDisk(url: string, vbox: string, location: string, size: number, variant = ['Standard']): Promise<string> {
  const d = await create(url, vbox, location);
  expect((await finished(url, await ok(url, 'IMedium_createBaseStorage', { _this: d, logicalSize: size, variant }))).rc).toBe(0);
  return d;
}

async function diffOf(url: string, vbox: string, parent: string, location: string): Promise<string> {
  const d = await create(url, vbox, location);
  expect(await finished(url, await ok(url, 'IMedium_createDiffStorage', { _this: parent, target: d, variant: [] }))).toEqual({ rc: 0, text: '' });
  return d;
}

/** Writes through an IMediumIO and closes it. */
async function put(url: string, medium: string, offset: number, text: string): Promise<void> {
  const io = await ok(url, 'IMedium_openForIO', { _this: medium, writable: true, password: '' });
  expect(await ok(url, 'IMediumIO_write', { _this: io, offset, data: Buffer.from(text).toString('base64') })).toBe(String(text.length));
  await ok(url, 'IMediumIO_close', { _this: io });
}

async function get(url: string, medium: string, offset: number, size: number): Promise<string> {
  const io = await ok(url, 'IMedium_openForIO', { _this: medium, writable: false, password: '' });
  const data = await ok(url, 'IMediumIO_read', { _this: io, offset, size });
  await ok(url, 'IMediumIO_close', { _this: io });
  return Buffer.from(data, 'base64').toString('latin1');
}

describe('IMedium beyond what the real server can show', () => {
  let sim: Sim | undefined;
  let host: SimHost | undefined;
  let stateDir = '';

  afterEach(async () => {
    await sim?.stop();
    await host?.stop();
    sim = host = undefined;
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const start = async (vms = 0) => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medium-ops-'));
    sim = await startSim({ hosts: 2, port: 0, vms, stateDir, timing: { start: 20, stop: 10, acpiShutdown: 20, save: 10 } });
    return sim;
  };

  it('gives demo disks real UUIDs and locks a running machine\'s disk against every change', async () => {
    const s = await start(1);
    const [a] = s.urls;
    const vbox = await logon(a);
    const m = (await list(a, 'IVirtualBox_getMachines', { _this: vbox }))[0];
    expect(await ok(a, 'IMachine_getState', { _this: m })).toBe('Running');
    const disk = await ok(a, 'IMachine_getMedium', { _this: m, name: 'SATA', controllerPort: 0, device: 0 });
    const loc = await ok(a, 'IMedium_getLocation', { _this: disk });
    expect(await ok(a, 'IMedium_getId', { _this: disk })).not.toBe(ZERO);

    // The running VM holds the write lock: the medium says so, and every lock or task is refused.
    expect(await ok(a, 'IMedium_getState', { _this: disk })).toBe('LockedWrite');
    const lockedText = `Medium '${loc}' is locked for writing by another task`;
    expect((await refused(a, 'IMedium_lockRead', { _this: disk })).text).toContain(lockedText);
    expect((await refused(a, 'IMedium_lockWrite', { _this: disk })).text).toContain(lockedText);
    expect(await refused(a, 'IMedium_openForIO', { _this: disk, writable: false, password: '' })).toMatchObject({ code: 0x80bb0007 });
    expect((await refused(a, 'IMedium_setType', { _this: disk, type: 'Writethrough' })).text).toContain(lockedText);
    expect((await refused(a, 'IMedium_moveTo', { _this: disk, location: path.join(s.storageDir, 'elsewhere.vdi') })).text)
      .toContain(`has currently an opened session. Stop all VMs before relocating this medium`);
    const diff = await create(a, vbox, 'running-diff.vdi');
    expect((await refused(a, 'IMedium_createDiffStorage', { _this: disk, target: diff, variant: [] })).text)
      .toContain(`Could not lock medium when creating diff '${path.join(s.storageDir, 'running-diff.vdi')}'`);
    expect((await refused(a, 'IMedium_changeEncryption', { _this: disk, currentPassword: '', cipher: 'AES-XTS256-PLAIN64', newPassword: 'x', newPasswordId: 'x' })).text)
      .toContain(`Failed to lock media for encryption '${loc}'`);

    // Powered off, the lock is gone.
    const sess = await ok(a, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await ok(a, 'IMachine_lockMachine', { _this: m, session: sess, lockType: 'Shared' });
    const console = await ok(a, 'ISession_getConsole', { _this: sess });
    // The VM process ends and with it the shared session.
    expect((await finished(a, await ok(a, 'IConsole_powerDown', { _this: console }))).rc).toBe(0);
    expect(await ok(a, 'IMedium_getState', { _this: disk })).toBe('Created');
    const t = await ok(a, 'IMedium_lockWrite', { _this: disk });
    await ok(a, 'IToken_abandon', { _this: t });
  });

  it('moves and merges with progress, and keeps written data through diffs, merges and moves on every host', async () => {
    const s = await start();
    const [a, b] = s.urls;
    const vbox = await logon(a);
    const base = await newDisk(a, vbox, 'base.vdi', 8 * MIB);
    await put(a, base, 100, 'base data');
    await put(a, base, 3 * MIB - 4, 'spans two blocks');

    // A differencing image reads its parent's blocks until it writes its own (copy-on-write).
    const d1 = await diffOf(a, vbox, base, 'diff1.vdi');
    expect(await get(a, d1, 100, 9)).toBe('base data');
    await put(a, d1, 104, 'DIFF');
    expect(await get(a, d1, 100, 9)).toBe('baseDIFFa');
    expect(await get(a, base, 100, 9)).toBe('base data');
    expect(await get(a, d1, 3 * MIB - 4, 16)).toBe('spans two blocks');
    expect(await ok(a, 'IMedium_getReadOnly', { _this: base })).toBe('true');
    // IVirtualBox lists base media only; the diff is the base's child.
    expect(await list(a, 'IVirtualBox_getHardDisks', { _this: vbox })).toEqual([base]);
    expect(await list(a, 'IMedium_getChildren', { _this: base })).toEqual([d1]);

    // The other host opens the chain from the files and reads the same.
    const vboxB = await logon(b);
    const baseB = await ok(b, 'IVirtualBox_openMedium', { _this: vboxB, location: path.join(s.storageDir, 'base.vdi'), deviceType: 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false });
    const d1B = await ok(b, 'IVirtualBox_openMedium', { _this: vboxB, location: path.join(s.storageDir, 'diff1.vdi'), deviceType: 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false });
    expect(await ok(b, 'IMedium_getParent', { _this: d1B })).toBe(baseB);
    expect(await get(b, d1B, 100, 9)).toBe('baseDIFFa');
    await ok(b, 'IMedium_close', { _this: d1B });
    await ok(b, 'IMedium_close', { _this: baseB });

    // Merged back into the base, over two operations of visible progress; the diff is gone.
    s.hosts[0].sim.mediumTaskMs = 400;
    const mp = await ok(a, 'IMedium_mergeTo', { _this: d1, target: base });
    expect(await ok(a, 'IMedium_getState', { _this: base })).toBe('LockedWrite');
    const seen = await watch(a, mp);
    expect(seen.some((x) => x.percent > 0 && x.percent < 50 && x.operation === 0)).toBe(true);
    expect(seen.some((x) => x.percent >= 50 && x.percent < 100 && x.operation === 1)).toBe(true);
    expect(await finished(a, mp)).toEqual({ rc: 0, text: '' });
    expect(fs.existsSync(path.join(s.storageDir, 'diff1.vdi'))).toBe(false);
    expect((await refused(a, 'IMedium_getState', { _this: d1 })).text).toContain('The object is not ready');
    expect(await list(a, 'IMedium_getChildren', { _this: base })).toEqual([]);
    expect(await get(a, base, 100, 9)).toBe('baseDIFFa');

    // Moved with progress: the same medium (UUID, data) at the new place.
    const id = await ok(a, 'IMedium_getId', { _this: base });
    const move = await ok(a, 'IMedium_moveTo', { _this: base, location: path.join(s.storageDir, 'moved/') });
    const moving = await watch(a, move);
    expect(moving.some((x) => x.percent > 0 && x.percent < 100)).toBe(true);
    expect(await finished(a, move)).toEqual({ rc: 0, text: '' });
    expect(await ok(a, 'IMedium_getLocation', { _this: base })).toBe(path.join(s.storageDir, 'moved', 'base.vdi'));
    const movedB = await ok(b, 'IVirtualBox_openMedium', { _this: vboxB, location: path.join(s.storageDir, 'moved', 'base.vdi'), deviceType: 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false });
    expect(await ok(b, 'IMedium_getId', { _this: movedB })).toBe(id);
    expect(await get(b, movedB, 3 * MIB - 4, 16)).toBe('spans two blocks');
  });

  it('removes the file of a creation that is canceled, and leaves the medium not created', async () => {
    const s = await start();
    const h = s.hosts[0].sim;
    const loc = path.join(s.storageDir, 'canceled.vdi');
    const m = h.createMedium('VDI', loc, 'HardDisk');
    const p = m.createBaseStorage(64 * MIB, ['Standard']);
    p.cancel();
    await p.wait();
    expect(p.isCanceled).toBe(true);
    // The task notices the cancel at its next step and cleans up behind the completed progress.
    for (let i = 0; i < 100 && m.getState() !== 'NotCreated'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(loc)).toBe(false);
    expect(m.getState()).toBe('NotCreated');
    expect(m.getLogicalSize()).toBe(0);
  });

  it('makes no differencing image when canceled at once (a linked clone canceled early)', async () => {
    const s = await start();
    const h = s.hosts[0].sim;
    const base = h.createMedium('VDI', path.join(s.storageDir, 'parent.vdi'), 'HardDisk');
    await base.createBaseStorage(MIB, ['Standard']).wait();
    const loc = path.join(s.storageDir, 'child.vdi');
    const child = h.createMedium('VDI', loc, 'HardDisk');
    const p = base.createDiffStorage(child, ['Standard']);
    p.cancel();
    await p.wait();
    await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(loc)).toBe(false);
    expect(child.getState()).toBe('NotCreated');
    expect(base.getState()).toBe('Created');
  });

  it('clones the data, resets a diff to its parent\'s, and formats a floppy as FAT', async () => {
    const s = await start();
    const [a] = s.urls;
    const vbox = await logon(a);
    const base = await newDisk(a, vbox, 'src.vdi', 4 * MIB);
    await put(a, base, 0, 'first sector');
    const copy = await create(a, vbox, 'copy.vmdk', 'VMDK');
    expect((await finished(a, await ok(a, 'IMedium_cloneTo', { _this: base, target: copy, variant: [], parent: '' }))).rc).toBe(0);
    expect(await get(a, copy, 0, 12)).toBe('first sector');

    const d = await diffOf(a, vbox, base, 'reset.vdi');
    await put(a, d, 0, 'changed');
    expect(await get(a, d, 0, 12)).toBe('changedector');
    expect((await finished(a, await ok(a, 'IMedium_reset', { _this: d }))).rc).toBe(0);
    expect(await get(a, d, 0, 12)).toBe('first sector');

    const fd = await create(a, vbox, 'boot.img', 'RAW', 'Floppy');
    expect((await finished(a, await ok(a, 'IMedium_createBaseStorage', { _this: fd, logicalSize: 1474560, variant: ['Fixed', 'Formatted'] }))).rc).toBe(0);
    expect(fs.statSync(path.join(s.storageDir, 'boot.img')).size).toBe(1474560);
    const boot = fs.readFileSync(path.join(s.storageDir, 'boot.img')).subarray(0, 512);
    expect(boot.toString('latin1', 54, 59)).toBe('FAT12');
    expect(boot.readUInt16LE(510)).toBe(0xaa55);
    expect(await list(a, 'IVirtualBox_getFloppyImages', { _this: vbox })).toEqual([fd]);
  });

  it('names the snapshots that use a medium, and holds such a medium read-only', async () => {
    const s = await start();
    const [a] = s.urls;
    const vbox = await logon(a);
    const disk = await newDisk(a, vbox, 'snap.vdi', 4 * MIB);
    const m = await ok(a, 'IVirtualBox_createMachine', { _this: vbox, settingsFile: '', name: 'snapper', platform: 'x86', groups: [], osTypeId: 'Debian12_64', flags: '', cipher: '', passwordId: '', password: '' });
    await ok(a, 'IVirtualBox_registerMachine', { _this: vbox, machine: m });
    const mid = await ok(a, 'IMachine_getId', { _this: m });
    const sess = await ok(a, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await ok(a, 'IMachine_lockMachine', { _this: m, session: sess, lockType: 'Write' });
    const sm = await ok(a, 'ISession_getMachine', { _this: sess });
    await ok(a, 'IMachine_addStorageController', { _this: sm, name: 'SATA', connectionType: 'SATA' });
    await ok(a, 'IMachine_attachDevice', { _this: sm, name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: disk });
    await ok(a, 'IMachine_saveSettings', { _this: sm });
    expect(await list(a, 'IMedium_getSnapshotIds', { _this: disk, machineId: mid })).toEqual([mid]);
    expect(await ok(a, 'IMedium_getReadOnly', { _this: disk })).toBe('false');
    const taken = await soap(a, 'IMachine_takeSnapshot', { _this: sm, name: 'one', description: '', pause: true });
    const snapId = String(taken.result?.id);
    expect((await finished(a, String(taken.result?.returnval))).rc).toBe(0);
    await ok(a, 'ISession_unlockMachine', { _this: sess });
    expect(await list(a, 'IMedium_getSnapshotIds', { _this: disk, machineId: mid })).toEqual([mid, snapId]);
    expect(await list(a, 'IMedium_getMachineIds', { _this: disk })).toEqual([mid]);
    expect(await ok(a, 'IMedium_getReadOnly', { _this: disk })).toBe('true');
    expect((await refused(a, 'IMedium_openForIO', { _this: disk, writable: true, password: '' })).text).toContain('Write access denied: read-only');
    expect(await list(a, 'IMedium_getSnapshotIds', { _this: disk, machineId: '0b0e0e0e-0000-4000-8000-000000000000' })).toEqual([]);
  });

  const newHost = async () => {
    host = new SimHost({
      spec: { ...hostSpec(0), dvdDrives: [{ name: '/dev/sr0', description: 'HL-DT-ST DVDRAM GP57EB40' }], floppyDrives: [{ name: '/dev/fd0' }] },
      port: 0, user: 'vbox', password: 'vbox', stateDir, storageDir: path.join(stateDir, 'storage'), timeoutSec: 300, latencyMs: 0,
      timing: { start: 20, stop: 10, acpiShutdown: 20, save: 10 }, ports: new PortRegistry(), address: '127.0.0.1',
    });
    await host.start();
    return host;
  };

  it('keeps the default hard disk format across a restart, as VirtualBox.xml does', async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medium-format-'));
    let url = (await newHost()).url;
    let sp = await ok(url, 'IVirtualBox_getSystemProperties', { _this: await logon(url) });
    await ok(url, 'ISystemProperties_setDefaultHardDiskFormat', { _this: sp, defaultHardDiskFormat: 'VMDK' });
    await host?.stop();
    url = (await newHost()).url;
    const vbox = await logon(url);
    sp = await ok(url, 'IVirtualBox_getSystemProperties', { _this: vbox });
    expect(await ok(url, 'ISystemProperties_getDefaultHardDiskFormat', { _this: sp })).toBe('VMDK');
    const m = await create(url, vbox, path.join(stateDir, 'storage', 'default'), '');
    expect(await ok(url, 'IMedium_getFormat', { _this: m })).toBe('VMDK');
  });

  it('lists the DVD and floppy drives its host spec names, as host-drive media', async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medium-drives-'));
    await newHost();
    const url = host!.url;
    const vbox = await logon(url);
    const h = await ok(url, 'IVirtualBox_getHost', { _this: vbox });
    const [dvd] = await list(url, 'IHost_getDVDDrives', { _this: h });
    expect(await ok(url, 'IHost_findHostDVDDrive', { _this: h, name: '/dev/sr0' })).toBe(dvd);
    expect(await ok(url, 'IHost_findHostDVDDrive', { _this: h, name: 'sr0' })).toBe(dvd);
    expect(await ok(url, 'IMedium_getHostDrive', { _this: dvd })).toBe('true');
    expect(await ok(url, 'IMedium_getId', { _this: dvd })).toBe(hostDriveUuid('DVD', '/dev/sr0'));
    expect(hostDriveUuid('DVD', '/dev/sr0')).toBe('00445644-0000-0000-2f64-65762f737230');
    expect(await ok(url, 'IMedium_getDescription', { _this: dvd })).toBe('HL-DT-ST DVDRAM GP57EB40');
    expect(await ok(url, 'IMedium_getType', { _this: dvd })).toBe('Readonly');
    expect(await ok(url, 'IMedium_getState', { _this: dvd })).toBe('Created');
    const [fd] = await list(url, 'IHost_getFloppyDrives', { _this: h });
    expect(await ok(url, 'IHost_findHostFloppyDrive', { _this: h, name: '/dev/fd0' })).toBe(fd);
    expect(await ok(url, 'IMedium_getType', { _this: fd })).toBe('Writethrough');
    expect((await refused(url, 'IHost_findHostFloppyDrive', { _this: h, name: '/dev/fd1' })).text).toContain("The host floppy drive named '/dev/fd1' could not be found");
    // Not in the media registry, yet found by UUID (a machine's DVD slot names it so).
    expect(await list(url, 'IVirtualBox_getDVDImages', { _this: vbox })).toEqual([]);
    expect(host!.findMedium(hostDriveUuid('FD', '/dev/fd0'))?.getHostDrive()).toBe(true);
  });
});
