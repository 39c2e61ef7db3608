// Issue 13: the two ways a host fails (its power, or vboxwebsrv alone) and shared storage, seen as a
// client sees them: the SOAP port, the machines' VRDE ports, their settings files on the storage all
// hosts mount, and IVirtualBox::openMachine on a second host.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './index';
import { ok, soap } from './soap/testing';

const FAST = { start: 40, stop: 20, acpiShutdown: 60, save: 20 };


async function waitProgress(url: string, progress: string): Promise<void> {
  await ok(url, 'IProgress_waitForCompletion', { _this: progress, timeout: 10_000 });
  const rc = await ok(url, 'IProgress_getResultCode', { _this: progress });
  expect(rc).toBe('0');
}

const logon = (url: string) => ok(url, 'IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });

async function stateOf(url: string, vbox: string, nameOrId: string): Promise<string> {
  return ok(url, 'IMachine_getState', { _this: await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId }) });
}

/** The error code of a connection attempt, or 'connected'. */
function connect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve('connected'); });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

/** A VNC viewer on the port: resolves with the server's greeting; `ended` tells how the connection ended. */
function viewer(port: number): Promise<{ greeting: string; ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const ended = new Promise<string>((r) => {
      s.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
      s.once('close', () => r('closed'));
    });
    s.once('data', (d: Buffer) => resolve({ greeting: d.toString('latin1'), ended }));
    s.once('error', reject);
  });
}

const post = async (control: string, p: string) => {
  const r = await fetch(`${control}${p}`, { method: 'POST' });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const status = async (control: string) => (await fetch(`${control}/status`).then((r) => r.json())) as Record<string, unknown>;

const vrdeBase = () => 21000 + Math.floor(Math.random() * 300) * 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: Sim | undefined;
const scratch: string[] = [];
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  for (const d of scratch.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('a host that loses power (POST /power/off, /power/on)', () => {
  it('loses its SOAP port, VRDE ports and running machines at once, writes nothing, and boots with them PoweredOff', async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 4, control: true, vrdeBase: vrdeBase(), timing: FAST });
    const { url, control, sim: host } = sim.hosts[0];
    const control_ = control as string;
    const [web, db, cache, build] = host.machines();
    expect([web.state, db.state, cache.state, build.state]).toEqual(['Running', 'PoweredOff', 'Running', 'PoweredOff']);
    // cache Saved, build Aborted (its process crashed), web Running with a viewer on its screen.
    let vbox = await logon(url);
    const s = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await ok(url, 'IMachine_lockMachine', { _this: await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: cache.name }), session: s, lockType: 'Shared' });
    // The VM process ends with the save, and its sessions with it.
    await waitProgress(url, await ok(url, 'IMachine_saveState', { _this: await ok(url, 'ISession_getMachine', { _this: s }) }));
    const s2 = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await waitProgress(url, await ok(url, 'IMachine_launchVMProcess', { _this: await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: build.name }), session: s2, name: 'headless', environmentChanges: [] }));
    expect((await post(control_, `/machines/${build.name}/crash`)).body.state).toBe('Aborted');
    const vrdePort = web.vm!.vrdePort;
    const v = await viewer(vrdePort);
    expect(v.greeting).toBe('RFB 003.008\n');
    const files = [web, db, cache, build].map((c) => c.settingsFile);
    await sleep(20);
    const before = files.map((f) => fs.readFileSync(f, 'utf8'));

    expect(await post(control_, '/power/off')).toEqual({ status: 200, body: { power: 'off' } });
    expect(await post(control_, '/power/off')).toEqual({ status: 200, body: { power: 'off' } });
    expect(host.powered).toBe(false);
    expect(await status(control_)).toMatchObject({ power: 'off', soap: 'down', websessions: 0, machines: [] });
    // Nothing answers on the SOAP port or the VRDE port; the viewer's connection broke.
    await expect(soap(url, 'IVirtualBox_getVersion', { _this: vbox })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await connect(vrdePort)).toBe('ECONNREFUSED');
    expect(await v.ended).toBe('ECONNRESET');
    for (const p of ['/soap/up', '/soap/down', `/machines/${web.name}/crash`, '/websessions/expire']) {
      expect(await post(control_, p)).toEqual({ status: 409, body: { error: 'host is powered off' } });
    }
    // The machines' settings files say what they said: web still ran when the power went.
    await sleep(FAST.start * 3);
    expect(files.map((f) => fs.readFileSync(f, 'utf8'))).toEqual(before);
    expect(JSON.parse(before[0]).state).toBe('Running');

    expect(await post(control_, '/power/on')).toEqual({ status: 200, body: { power: 'on', soap: 'up', url } });
    expect(await post(control_, '/power/on')).toEqual({ status: 200, body: { power: 'on', soap: 'up', url } });
    expect(host.url).toBe(url);
    // The websession from before the power loss is gone; a new one sees the machines as the files say.
    expect((await soap(url, 'IVirtualBox_getVersion', { _this: vbox })).fault?.detail).toHaveProperty('InvalidObjectFault');
    vbox = await logon(url);
    expect(await stateOf(url, vbox, web.name)).toBe('PoweredOff');
    expect(await stateOf(url, vbox, db.name)).toBe('PoweredOff');
    expect(await stateOf(url, vbox, cache.name)).toBe('Saved');
    expect(await stateOf(url, vbox, build.name)).toBe('Aborted');
    expect(await connect(vrdePort)).toBe('ECONNREFUSED');
    expect(files.map((f) => fs.readFileSync(f, 'utf8'))).toEqual(before);
    expect(await status(control_)).toMatchObject({ power: 'on', soap: 'up' });

    // The booted host runs machines again, with their disks.
    const s3 = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await waitProgress(url, await ok(url, 'IMachine_launchVMProcess', { _this: await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: web.name }), session: s3, name: 'headless', environmentChanges: [] }));
    expect(await stateOf(url, vbox, web.name)).toBe('Running');
    expect(JSON.parse(fs.readFileSync(files[0], 'utf8')).state).toBe('Running');
  });

  it('keeps VMs across a restart of vboxsim, but not across a power loss and a restart after it', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'power-test-'));
    scratch.push(stateDir);
    const base = vrdeBase();
    sim = await startSim({ hosts: 1, port: 0, vms: 2, stateDir, vrdeBase: base, timing: FAST });
    expect(sim.hosts[0].sim.machines().map((c) => c.state)).toEqual(['Running', 'PoweredOff']);
    await sim.stop();
    sim = await startSim({ hosts: 1, port: 0, vms: 2, stateDir, vrdeBase: base, timing: FAST });
    const host = sim.hosts[0].sim;
    expect(host.machines().map((c) => c.state)).toEqual(['Running', 'PoweredOff']);
    await host.powerOff();
    await host.powerOn();
    expect(host.machines().map((c) => c.state)).toEqual(['PoweredOff', 'PoweredOff']);
    await sim.stop();
    sim = await startSim({ hosts: 1, port: 0, vms: 2, stateDir, vrdeBase: base, timing: FAST });
    expect(sim.hosts[0].sim.machines().map((c) => c.state)).toEqual(['PoweredOff', 'PoweredOff']);
  });
});

describe('vboxwebsrv alone dies (POST /soap/down, /soap/up)', () => {
  it('keeps the machines running and writing: VRDE answers while the SOAP port is down', async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 4, control: true, vrdeBase: vrdeBase(), timing: FAST });
    const { url, control, sim: host } = sim.hosts[0];
    const control_ = control as string;
    const [web, , cache] = host.machines();
    const vrdePort = web.vm!.vrdePort;
    const v = await viewer(vrdePort);

    expect(await post(control_, '/soap/down')).toEqual({ status: 200, body: { soap: 'down' } });
    await expect(soap(url, 'IWebsessionManager_logon', { username: 'vbox', password: 'vbox' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await status(control_)).toMatchObject({ power: 'on', soap: 'down' });
    // The VM processes run on: the viewer's connection holds, a new one is greeted.
    expect((await viewer(vrdePort)).greeting).toBe('RFB 003.008\n');
    expect(await Promise.race([v.ended, sleep(50).then(() => 'open')])).toBe('open');
    // ... and write their settings files: a VM that dies now is Aborted in its file at once.
    expect((await post(control_, `/machines/${cache.name}/crash`)).body.state).toBe('Aborted');
    expect(JSON.parse(fs.readFileSync(cache.settingsFile, 'utf8')).state).toBe('Aborted');

    expect(await post(control_, '/soap/up')).toEqual({ status: 200, body: { soap: 'up', url } });
    const vbox = await logon(url);
    expect(await stateOf(url, vbox, web.name)).toBe('Running');
    expect(await stateOf(url, vbox, cache.name)).toBe('Aborted');
    expect(await connect(vrdePort)).toBe('connected');
  });
});

describe('shared storage: IVirtualBox::openMachine on a second host', () => {
  /** A machine made by a client on `url`, its folder and disk under the storage: registered, VRDE on, started. */
  async function createAndStart(url: string, storage: string, name: string, vrdePorts: string): Promise<{ id: string; file: string; disk: string }> {
    const vbox = await logon(url);
    const folder = path.join(storage, 'tenants', 'blue', name);
    const disk = await ok(url, 'IVirtualBox_createMedium', { _this: vbox, format: 'VDI', location: path.join(folder, `${name}.vdi`), accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
    await waitProgress(url, await ok(url, 'IMedium_createBaseStorage', { _this: disk, logicalSize: 64 * 1024 * 1024, variant: ['Standard'] }));
    const file = path.join(folder, `${name}.vbox`);
    const m = await ok(url, 'IVirtualBox_createMachine', {
      _this: vbox, settingsFile: file, name, platform: 'x86', groups: ['/'], osTypeId: 'Debian12_64', flags: '', cipher: '', passwordId: '', password: '',
    });
    await ok(url, 'IVirtualBox_registerMachine', { _this: vbox, machine: m });
    const s = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await ok(url, 'IMachine_lockMachine', { _this: m, session: s, lockType: 'Write' });
    const sm = await ok(url, 'ISession_getMachine', { _this: s });
    await ok(url, 'IMachine_addStorageController', { _this: sm, name: 'SATA', connectionType: 'SATA' });
    await ok(url, 'IMachine_attachDevice', { _this: sm, name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium: disk });
    const vrde = await ok(url, 'IMachine_getVRDEServer', { _this: sm });
    await ok(url, 'IVRDEServer_setEnabled', { _this: vrde, enabled: true });
    await ok(url, 'IVRDEServer_setVRDEProperty', { _this: vrde, key: 'TCP/Ports', value: vrdePorts });
    await ok(url, 'IMachine_saveSettings', { _this: sm });
    await ok(url, 'ISession_unlockMachine', { _this: s });
    await waitProgress(url, await ok(url, 'IMachine_launchVMProcess', { _this: m, session: s, name: 'headless', environmentChanges: [] }));
    await ok(url, 'ISession_unlockMachine', { _this: s });
    return { id: await ok(url, 'IMachine_getId', { _this: m }), file, disk: path.join(folder, `${name}.vdi`) };
  }

  /** The port of a running machine's VRDE server, read through a shared lock as a console would. */
  async function vrdePortOf(url: string, vbox: string, machine: string): Promise<number> {
    const s = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await ok(url, 'IMachine_lockMachine', { _this: machine, session: s, lockType: 'Shared' });
    const info = (await soap(url, 'IConsole_getVRDEServerInfo', { _this: await ok(url, 'ISession_getConsole', { _this: s }) })).result?.returnval as { port: string };
    await ok(url, 'ISession_unlockMachine', { _this: s });
    return Number(info.port);
  }

  it('opens, registers and starts a machine whose host lost power; the twin on the booted host stays off', async () => {
    const base = vrdeBase();
    sim = await startSim({ hosts: 2, port: 0, vms: 0, control: true, vrdeBase: base, timing: FAST });
    const [a, b] = sim.hosts;
    // Both hosts mount the same storage.
    expect(a.sim.opts.storageDir).toBe(sim.storageDir);
    expect(b.sim.opts.storageDir).toBe(sim.storageDir);
    const web = await createAndStart(a.url, sim.storageDir, 'web1', `${base}-${base + 99}`);
    const saved = await createAndStart(a.url, sim.storageDir, 'saved1', `${base}-${base + 99}`);
    const crashed = await createAndStart(a.url, sim.storageDir, 'crashed1', `${base}-${base + 99}`);
    const va = await logon(a.url);
    const sv = await ok(a.url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: va });
    await ok(a.url, 'IMachine_lockMachine', { _this: await ok(a.url, 'IVirtualBox_findMachine', { _this: va, nameOrId: saved.id }), session: sv, lockType: 'Shared' });
    await waitProgress(a.url, await ok(a.url, 'IMachine_saveState', { _this: await ok(a.url, 'ISession_getMachine', { _this: sv }) }));
    await post(a.control as string, `/machines/${crashed.id}/crash`);
    // A still runs it: opening it there is refused, as the UUID is registered.
    const twice = await soap(a.url, 'IVirtualBox_openMachine', { _this: va, settingsFile: web.file, password: '' });
    expect(twice.fault?.faultstring).toContain(`Trying to open a VM config '${web.file}' which has the same UUID as an existing virtual machine`);

    await post(a.control as string, '/power/off');
    expect(JSON.parse(fs.readFileSync(web.file, 'utf8')).state).toBe('Running');

    const vb = await logon(b.url);
    const o = await ok(b.url, 'IVirtualBox_openMachine', { _this: vb, settingsFile: web.file, password: '' });
    expect(await ok(b.url, 'IMachine_getId', { _this: o })).toBe(web.id);
    expect(await ok(b.url, 'IMachine_getName', { _this: o })).toBe('web1');
    expect(await ok(b.url, 'IMachine_getState', { _this: o })).toBe('PoweredOff');
    expect(await ok(b.url, 'IMachine_getSettingsFilePath', { _this: o })).toBe(web.file);
    expect((await soap(b.url, 'IVirtualBox_findMachine', { _this: vb, nameOrId: web.id })).fault?.faultstring).toContain('Could not find a registered machine');
    await ok(b.url, 'IVirtualBox_registerMachine', { _this: vb, machine: o });
    // Its disk came with it from the settings file's media registry.
    const disk = await ok(b.url, 'IMachine_getMedium', { _this: o, name: 'SATA', controllerPort: 0, device: 0 });
    expect(await ok(b.url, 'IMedium_getLocation', { _this: disk })).toBe(web.disk);
    const s = await ok(b.url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vb });
    await waitProgress(b.url, await ok(b.url, 'IMachine_launchVMProcess', { _this: o, session: s, name: 'headless', environmentChanges: [] }));
    expect(await stateOf(b.url, vb, web.id)).toBe('Running');
    const port = await vrdePortOf(b.url, vb, o);
    expect((await viewer(port)).greeting).toBe('RFB 003.008\n');

    // Saved stays Saved, Aborted stays Aborted on the other host.
    expect(await ok(b.url, 'IMachine_getState', { _this: await ok(b.url, 'IVirtualBox_openMachine', { _this: vb, settingsFile: saved.file, password: '' }) })).toBe('Saved');
    expect(await ok(b.url, 'IMachine_getState', { _this: await ok(b.url, 'IVirtualBox_openMachine', { _this: vb, settingsFile: crashed.file, password: '' }) })).toBe('Aborted');

    // A boots: its copy of web1 is a registered twin that does not run; B's copy runs on.
    await post(a.control as string, '/power/on');
    const va2 = await logon(a.url);
    expect(await stateOf(a.url, va2, web.id)).toBe('PoweredOff');
    expect(await stateOf(a.url, va2, saved.id)).toBe('Saved');
    expect(await stateOf(a.url, va2, crashed.id)).toBe('Aborted');
    expect(await stateOf(b.url, vb, web.id)).toBe('Running');
    expect(await connect(port)).toBe('connected');
  });
});
