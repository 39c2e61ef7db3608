// IMachine::cloneTo over SOAP as Nimbox's clone task drives it: full and linked clones, what the
// copies hold, progress by weighted operations, and what a failure or a cancel leaves (nothing).
// The answers a powered-off machine gives are held against the real vboxwebsrv in
// sim/conversations/clone.ts; these tests cover what needs vboxsim's own hands (slow disks, cancel,
// running and saved machines, a restart).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArgs, finished, launch, list, lockWrite, newDisk, newMachine, ok, readText, refused, simPerTest, soap, writeText } from './soap/testing';

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A registered source machine with `disks` disks on SATA (port i), each holding "disk i" at 1 MB. */
async function sourceMachine(url: string, vbox: string, name: string, disks = 1) {
  const { m, w, wm } = await newMachine(url, vbox, name);
  await ok(url, 'IMachine_addStorageController', { _this: wm, name: 'SATA', connectionType: 'SATA' });
  const media: string[] = [];
  for (let i = 0; i < disks; i++) {
    const d = await newDisk(url, vbox, `${name}-${i}.vdi`, 8 * MIB);
    await writeText(url, d, MIB, `disk ${i}`);
    await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'SATA', controllerPort: i, device: 0, type: 'HardDisk', medium: d });
    media.push(d);
  }
  await ok(url, 'IMachine_saveSettings', { _this: wm });
  await ok(url, 'ISession_unlockMachine', { _this: w });
  return { m, media };
}

const diskOf = (url: string, m: string, port = 0) => ok(url, 'IMachine_getMedium', { _this: m, name: 'SATA', controllerPort: port, device: 0 });

describe('IMachine::cloneTo on vboxsim', () => {
  const sims = simPerTest('clone-test-');

  it('makes a full clone whose disks are copies of their own, and keeps it across a restart', async () => {
    const { url, vbox } = await sims.start();
    const { m, media } = await sourceMachine(url, vbox, 'src', 2);
    const t = await ok(url, 'IVirtualBox_createMachine', createArgs(vbox, 'copy'));
    const p = await ok(url, 'IMachine_cloneTo', { _this: m, target: t, mode: 'MachineState', options: [] });
    expect(await finished(url, p)).toEqual({ rc: 0, text: '' });
    await ok(url, 'IVirtualBox_registerMachine', { _this: vbox, machine: t });

    const folder = path.dirname(await ok(url, 'IMachine_getSettingsFilePath', { _this: t }));
    const copies = [await diskOf(url, t, 0), await diskOf(url, t, 1)];
    expect(await Promise.all(copies.map((d) => ok(url, 'IMedium_getLocation', { _this: d })))).toEqual([
      path.join(folder, 'copy-disk1.vdi'), path.join(folder, 'copy-disk2.vdi'),
    ]);
    expect(await readText(url, copies[1], MIB, 6)).toBe('disk 1');
    // Writing to the copy leaves the source as it was.
    await writeText(url, copies[0], MIB, 'CHANGE');
    expect(await readText(url, media[0], MIB, 6)).toBe('disk 0');

    const id = await ok(url, 'IMachine_getId', { _this: t });
    await sims.stop();
    const again = await sims.start();
    const t2 = await ok(again.url, 'IVirtualBox_findMachine', { _this: again.vbox, nameOrId: id });
    expect(await readText(again.url, await diskOf(again.url, t2, 0), MIB, 6)).toBe('CHANGE');
    expect(await ok(again.url, 'IMachine_getName', { _this: t2 })).toBe('copy');
  });

  it('writes a full clone that another host opens from the shared storage, with its disks', async () => {
    const { sim, url, vbox } = await sims.start({ hosts: 2 });
    const { m } = await sourceMachine(url, vbox, 'shared', 2);
    const file = path.join(sim.storageDir, 'machines', 'shared copy', 'shared copy.vbox');
    const t = await ok(url, 'IVirtualBox_createMachine', { ...createArgs(vbox, 'shared copy'), settingsFile: file });
    expect(await finished(url, await ok(url, 'IMachine_cloneTo', { _this: m, target: t, mode: 'MachineState', options: [] }))).toEqual({ rc: 0, text: '' });
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['shared copy-disk1.vdi', 'shared copy-disk2.vdi', 'shared copy.vbox']);

    const b = sim.urls[1];
    const vboxB = await ok(b, 'IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
    const opened = await ok(b, 'IVirtualBox_openMachine', { _this: vboxB, settingsFile: file, password: '' });
    await ok(b, 'IVirtualBox_registerMachine', { _this: vboxB, machine: opened });
    expect(await readText(b, await diskOf(b, opened, 1), MIB, 6)).toBe('disk 1');
  });

  it('reports progress by weighted operations, one per disk, until the machine is made', async () => {
    const { sim, url, vbox } = await sims.start();
    sim.hosts[0].sim.mediumTaskMs = 400;
    const { m } = await sourceMachine(url, vbox, 'slow', 2);
    const t = await ok(url, 'IVirtualBox_createMachine', createArgs(vbox, 'slow copy'));
    const p = await ok(url, 'IMachine_cloneTo', { _this: m, target: t, mode: 'MachineState', options: ['KeepNATMACs'] });
    expect(await ok(url, 'IProgress_getOperationCount', { _this: p })).toBe('4');
    const seen = new Map<string, number[]>();
    while ((await ok(url, 'IProgress_getCompleted', { _this: p })) === 'false') {
      const op = await ok(url, 'IProgress_getOperationDescription', { _this: p });
      const percent = Number(await ok(url, 'IProgress_getPercent', { _this: p }));
      seen.set(op, [...(seen.get(op) ?? []), percent]);
      await sleep(20);
    }
    expect([...seen.keys()]).toEqual(expect.arrayContaining(["Cloning Disk 'slow-0.vdi' ...", "Cloning Disk 'slow-1.vdi' ..."]));
    const all = [...seen.values()].flat();
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(all.some((x) => x > 0 && x < 100)).toBe(true);
    expect(await finished(url, p)).toEqual({ rc: 0, text: '' });
    expect(await ok(url, 'IProgress_getPercent', { _this: p })).toBe('100');
    expect(await ok(url, 'IProgress_getOperationDescription', { _this: p })).toBe("Create Machine Clone 'slow copy' ...");
  });

  it('leaves nothing behind when canceled while a disk is copied', async () => {
    const { sim, url, vbox } = await sims.start();
    const { m } = await sourceMachine(url, vbox, 'big', 2);
    sim.hosts[0].sim.mediumTaskMs = 2000;
    const before = await list(url, 'IVirtualBox_getHardDisks', { _this: vbox });
    const t = await ok(url, 'IVirtualBox_createMachine', createArgs(vbox, 'canceled copy'));
    const folder = path.dirname(await ok(url, 'IMachine_getSettingsFilePath', { _this: t }));
    const p = await ok(url, 'IMachine_cloneTo', { _this: m, target: t, mode: 'MachineState', options: [] });
    // Cancel during the second disk: the first one's copy is made already.
    while (!(await ok(url, 'IProgress_getOperationDescription', { _this: p })).includes('big-1.vdi')) await sleep(20);
    expect(fs.existsSync(path.join(folder, 'canceled copy-disk1.vdi'))).toBe(true);
    await ok(url, 'IProgress_cancel', { _this: p });

    expect(await ok(url, 'IProgress_getCanceled', { _this: p })).toBe('true');
    expect((await finished(url, p)).rc).toBe(0x80004005 | 0);
    expect(fs.existsSync(folder)).toBe(false);
    expect(await list(url, 'IVirtualBox_getHardDisks', { _this: vbox })).toEqual(before);
    await sleep(50);
    expect(fs.existsSync(folder)).toBe(false);
    expect(await list(url, 'IMachine_getMediumAttachments', { _this: t })).toEqual([]);
  });

  it('refuses a registered target at the end, removing the copies it made', async () => {
    const { url, vbox } = await sims.start();
    const { m } = await sourceMachine(url, vbox, 'src');
    const t = await ok(url, 'IVirtualBox_createMachine', createArgs(vbox, 'taken'));
    await ok(url, 'IVirtualBox_registerMachine', { _this: vbox, machine: t });
    const before = await list(url, 'IVirtualBox_getHardDisks', { _this: vbox });
    const p = await ok(url, 'IMachine_cloneTo', { _this: m, target: t, mode: 'MachineState', options: [] });
    expect((await finished(url, p)).rc).toBe(0x80bb0002 | 0);
    const folder = path.dirname(await ok(url, 'IMachine_getSettingsFilePath', { _this: t }));
    expect(fs.existsSync(path.join(folder, 'taken-disk1.vdi'))).toBe(false);
    expect(await list(url, 'IVirtualBox_getHardDisks', { _this: vbox })).toEqual(before);
    expect(await list(url, 'IMachine_getMediumAttachments', { _this: t })).toEqual([]);
  });

  it('makes a linked clone of a snapshot that reads through to the source disk and runs', async () => {
    const { url, vbox } = await sims.start();
    const { m, media } = await sourceMachine(url, vbox, 'base');
    const { w, wm } = await lockWrite(url, vbox, m);
    await take(url, wm, 'Linked base for linked');
    await ok(url, 'ISession_unlockMachine', { _this: w });
    const snap = await ok(url, 'IMachine_getCurrentSnapshot', { _this: m });
    const sm = await ok(url, 'ISnapshot_getMachine', { _this: snap });
    const t = await ok(url, 'IVirtualBox_createMachine', createArgs(vbox, 'linked'));
    // Linked from the current state is refused: a snapshot's machine only.
    expect(await refused(url, 'IMachine_cloneTo', { _this: m, target: t, mode: 'MachineState', options: ['Link'] }))
      .toMatchObject({ code: 0x80070057 | 0, text: expect.stringContaining('Linked clone can only be created from a snapshot') });
    const p = await ok(url, 'IMachine_cloneTo', { _this: sm, target: t, mode: 'MachineState', options: ['Link', 'KeepAllMACs'] });
    expect(await finished(url, p)).toEqual({ rc: 0, text: '' });
    await ok(url, 'IVirtualBox_registerMachine', { _this: vbox, machine: t });

    const d = await diskOf(url, t);
    expect(await ok(url, 'IMedium_getParent', { _this: d })).toBe(media[0]);
    expect(await list(url, 'IMedium_getChildren', { _this: media[0] })).toEqual([d]);
    expect(await readText(url, d, MIB, 6)).toBe('disk 0');
    const mac = async (x: string) => ok(url, 'INetworkAdapter_getMACAddress', { _this: await ok(url, 'IMachine_getNetworkAdapter', { _this: x, slot: 0 }) });
    expect(await mac(t)).toBe(await mac(m));

    // The clone runs on its own differencing image.
    const run = await launch(url, vbox, t);
    expect(await ok(url, 'IMachine_getState', { _this: t })).toBe('Running');
    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: run.console }))).rc).toBe(0);
  });

  it('clones a running machine from a snapshot, not from its current state (its disks are in use)', async () => {
    const { url, vbox } = await sims.start();
    const { m, media } = await sourceMachine(url, vbox, 'busy');
    const run = await launch(url, vbox, m);
    const before = await list(url, 'IVirtualBox_getHardDisks', { _this: vbox });
    const t = await ok(url, 'IVirtualBox_createMachine', createArgs(vbox, 'busy copy'));
    const failed = await finished(url, await ok(url, 'IMachine_cloneTo', { _this: m, target: t, mode: 'MachineState', options: [] }));
    expect(failed).toEqual({ rc: 0x80bb0007 | 0, text: `Failed to lock source media '${await ok(url, 'IMedium_getLocation', { _this: media[0] })}'` });
    expect(await list(url, 'IVirtualBox_getHardDisks', { _this: vbox })).toEqual(before);

    // As Nimbox's linked clone of a running machine: a snapshot first, then the clone of its state.
    await take(url, run.sm, 'Linked base for busy copy');
    const snap = await ok(url, 'ISnapshot_getMachine', { _this: await ok(url, 'IMachine_getCurrentSnapshot', { _this: m }) });
    expect(await finished(url, await ok(url, 'IMachine_cloneTo', { _this: snap, target: t, mode: 'MachineState', options: ['Link'] }))).toEqual({ rc: 0, text: '' });
    expect(await ok(url, 'IMedium_getParent', { _this: await diskOf(url, t) })).toBe(media[0]);
    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: run.console }))).rc).toBe(0);
  });

  it('clones a saved machine into a saved one', async () => {
    const { url, vbox } = await sims.start();
    const { m } = await sourceMachine(url, vbox, 'saved');
    const { sm } = await launch(url, vbox, m);
    expect((await finished(url, await ok(url, 'IMachine_saveState', { _this: sm }))).rc).toBe(0);
    const t = await ok(url, 'IVirtualBox_createMachine', createArgs(vbox, 'saved copy'));
    const p = await ok(url, 'IMachine_cloneTo', { _this: m, target: t, mode: 'MachineState', options: [] });
    expect(await ok(url, 'IProgress_getOperationCount', { _this: p })).toBe('4');
    expect(await finished(url, p)).toEqual({ rc: 0, text: '' });
    expect(await ok(url, 'IMachine_getState', { _this: t })).toBe('Saved');
    await ok(url, 'IVirtualBox_registerMachine', { _this: vbox, machine: t });
    // It resumes from the copied state.
    const run = await launch(url, vbox, t);
    expect(await ok(url, 'IMachine_getState', { _this: t })).toBe('Running');
    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: run.console }))).rc).toBe(0);
  });

  it('copies every snapshot in AllStates mode, with their own settings', async () => {
    const { url, vbox } = await sims.start();
    const { m } = await sourceMachine(url, vbox, 'tree');
    const { w, wm } = await lockWrite(url, vbox, m);
    await take(url, wm, 'one');
    await ok(url, 'IMachine_setCPUCount', { _this: wm, CPUCount: 3 });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await take(url, wm, 'two');
    await ok(url, 'ISession_unlockMachine', { _this: w });
    const t = await ok(url, 'IVirtualBox_createMachine', createArgs(vbox, 'tree copy'));
    expect(await finished(url, await ok(url, 'IMachine_cloneTo', { _this: m, target: t, mode: 'AllStates', options: [] }))).toEqual({ rc: 0, text: '' });
    await ok(url, 'IVirtualBox_registerMachine', { _this: vbox, machine: t });
    expect(await ok(url, 'IMachine_getSnapshotCount', { _this: t })).toBe('2');
    const one = await ok(url, 'IMachine_findSnapshot', { _this: t, nameOrId: 'one' });
    expect(await ok(url, 'IMachine_getCPUCount', { _this: await ok(url, 'ISnapshot_getMachine', { _this: one }) })).toBe('1');
    expect(await ok(url, 'IMachine_getCPUCount', { _this: t })).toBe('3');
    // Snapshots and current state share the one copy of the disk (vboxsim's snapshots make no differencing images).
    const d = await diskOf(url, t);
    expect(await ok(url, 'IMedium_getName', { _this: d })).toBe('tree copy-disk1.vdi');
    expect(await ok(url, 'IMedium_getName', { _this: await diskOf(url, await ok(url, 'ISnapshot_getMachine', { _this: one })) })).toBe('tree copy-disk1.vdi');
  });
});

describe('IMachine::moveTo on vboxsim', () => {
  const sims = simPerTest('move-test-');

  /** A registered machine with `disks` disks in its own folder (holding "disk i") and logs from a run. */
  async function movable(url: string, vbox: string, name: string, disks = 1) {
    const { m, w, wm } = await newMachine(url, vbox, name);
    const folder = path.dirname(await ok(url, 'IMachine_getSettingsFilePath', { _this: m }));
    await ok(url, 'IMachine_addStorageController', { _this: wm, name: 'SATA', connectionType: 'SATA' });
    const media: string[] = [];
    for (let i = 0; i < disks; i++) {
      const d = await newDisk(url, vbox, path.join(folder, `${name}-${i}.vdi`), 8 * MIB);
      await writeText(url, d, MIB, `disk ${i}`);
      await ok(url, 'IMachine_attachDevice', { _this: wm, name: 'SATA', controllerPort: i, device: 0, type: 'HardDisk', medium: d });
      media.push(d);
    }
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });
    const run = await launch(url, vbox, m);
    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: run.console }))).rc).toBe(0);
    while ((await ok(url, 'IMachine_getSessionState', { _this: m })) !== 'Unlocked') await sleep(10);
    return { m, media, folder };
  }

  it('moves a machine with its disks and logs into a new folder, where a restart finds it', async () => {
    const { sim, url, vbox } = await sims.start();
    const { m, media, folder } = await movable(url, vbox, 'mover');
    const log = await ok(url, 'IMachine_queryLogFilename', { _this: m, idx: 0 });
    expect(fs.existsSync(log)).toBe(true);
    const target = path.join(sim.storageDir, 'elsewhere');
    fs.mkdirSync(target);
    const { w, wm } = await lockWrite(url, vbox, m);
    const p = await ok(url, 'IMachine_moveTo', { _this: wm, folder: target, type: 'basic' });
    expect(await finished(url, p)).toEqual({ rc: 0, text: '' });
    await ok(url, 'ISession_unlockMachine', { _this: w });

    const moved = path.join(target, 'mover');
    expect(await ok(url, 'IMachine_getSettingsFilePath', { _this: m })).toBe(path.join(moved, 'mover.vbox'));
    expect(await ok(url, 'IMedium_getLocation', { _this: media[0] })).toBe(path.join(moved, 'mover-0.vdi'));
    expect(await readText(url, media[0], MIB, 6)).toBe('disk 0');
    expect(fs.existsSync(path.join(moved, 'Logs', 'VBox.log'))).toBe(true);
    expect(fs.existsSync(folder)).toBe(false);

    const id = await ok(url, 'IMachine_getId', { _this: m });
    await sims.stop();
    const again = await sims.start();
    const m2 = await ok(again.url, 'IVirtualBox_findMachine', { _this: again.vbox, nameOrId: id });
    expect(await ok(again.url, 'IMachine_getSettingsFilePath', { _this: m2 })).toBe(path.join(moved, 'mover.vbox'));
    expect(await readText(again.url, await diskOf(again.url, m2), MIB, 6)).toBe('disk 0');
  });

  it('puts everything back when canceled between two disks', async () => {
    const { sim, url, vbox } = await sims.start();
    const { m, media, folder } = await movable(url, vbox, 'back', 2);
    const settings = await ok(url, 'IMachine_getSettingsFilePath', { _this: m });
    const target = path.join(sim.storageDir, 'never');
    fs.mkdirSync(target);
    sim.hosts[0].sim.mediumTaskMs = 1500;
    const { w, wm } = await lockWrite(url, vbox, m);
    const p = await ok(url, 'IMachine_moveTo', { _this: wm, folder: target, type: 'basic' });
    while (!(await ok(url, 'IProgress_getOperationDescription', { _this: p })).includes('back-1.vdi')) await sleep(20);
    expect(await ok(url, 'IMedium_getLocation', { _this: media[0] })).toBe(path.join(target, 'back', 'back-0.vdi'));
    await ok(url, 'IProgress_cancel', { _this: p });
    expect((await finished(url, p)).rc).toBe(0x80004005 | 0);
    await ok(url, 'ISession_unlockMachine', { _this: w });

    expect(await ok(url, 'IMachine_getSettingsFilePath', { _this: m })).toBe(settings);
    expect(await Promise.all(media.map((d) => ok(url, 'IMedium_getLocation', { _this: d })))).toEqual([
      path.join(folder, 'back-0.vdi'), path.join(folder, 'back-1.vdi'),
    ]);
    sim.hosts[0].sim.mediumTaskMs = 10;
    expect(await readText(url, media[0], MIB, 6)).toBe('disk 0');
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('refuses a registered machine without its session, and a folder that is not there', async () => {
    const { sim, url, vbox } = await sims.start();
    const { m } = await movable(url, vbox, 'stay');
    expect(await refused(url, 'IMachine_moveTo', { _this: m, folder: sim.storageDir, type: 'basic' }))
      .toMatchObject({ code: 0x80bb0002 | 0, text: expect.stringContaining('The machine is not mutable, saved or running (state is PoweredOff)') });
    const { wm } = await lockWrite(url, vbox, m);
    expect(await refused(url, 'IMachine_moveTo', { _this: wm, folder: path.join(sim.storageDir, 'nowhere'), type: 'basic' }))
      .toMatchObject({ code: 0x80bb0005 | 0, text: expect.stringContaining('Unable to determine free space of target destination') });
  });
});

/** Takes a snapshot of a session's machine and waits for it. */
async function take(url: string, wm: string, name: string): Promise<void> {
  const a = await soap(url, 'IMachine_takeSnapshot', { _this: wm, name, description: '', pause: true });
  expect((await finished(url, String(a.result?.returnval ?? ''))).rc).toBe(0);
}
