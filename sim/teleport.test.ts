import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim, type SimHostInfo } from './index';
import { Medium } from './model/medium';
import type { MachineCore } from './model/machine';
import type { MachineState } from './model/base';
import type { Progress } from './model/progress';

const E_FAIL = 0x80004005 | 0;
const vrdeBase = () => 20000 + Math.floor(Math.random() * 300) * 100;

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

interface PairOptions {
  memory?: number;
  cpus?: number;
  targetMemory?: number;
  targetCpus?: number;
  /** The target's teleporterPort (0: picked when it starts waiting). */
  port?: number;
  password?: string;
}

interface Pair {
  a: SimHostInfo;
  b: SimHostInfo;
  src: MachineCore;
  dst: MachineCore;
  /** Machine states as each host's event source saw them, in order. */
  seenA: MachineState[];
  seenB: MachineState[];
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Reads the RFB greeting from a VNC port. */
function rfbGreeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('data', (d) => { s.destroy(); resolve(d.toString('latin1')); });
    s.once('error', reject);
  });
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function type(core: MachineCore, text: string): void {
  for (const ch of text) core.vm!.screen.keyEvent(ch === '\n' ? 0xff0d : ch.charCodeAt(0), true);
}

/**
 * Two hosts with the same machine registered on both, its disk on the shared storage:
 * running on host A, waiting for a teleport on host B.
 */
async function pair(o: PairOptions = {}): Promise<Pair> {
  sim = await startSim({ hosts: 2, port: 0, vms: 0, control: true, vrdeBase: vrdeBase() });
  const [a, b] = sim.hosts;
  const disk = Medium.create(a.sim, 'VDI', path.join(sim.storageDir, 'web-1.vdi'), 'HardDisk');
  const created = disk.createBaseStorage(8 * 1024 ** 3, ['Standard']);
  await created.wait();
  expect(created.failed).toBe(false);
  const diskB = b.sim.openMedium(disk.rec.location, 'HardDisk');
  expect(diskB.rec.id).toBe(disk.rec.id);

  const setup = (c: MachineCore, h: SimHostInfo, memory: number, cpus: number) => {
    const s = c.settings;
    s.osTypeId = 'Debian12_64';
    s.memorySize = memory;
    s.cpuCount = cpus;
    s.storageControllers = [{ name: 'SATA', bus: 'SATA', controllerType: 'IntelAhci', portCount: 2, useHostIOCache: false, instance: 0 }];
    s.attachments = [{ controller: 'SATA', port: 0, device: 0, type: 'HardDisk', mediumId: disk.rec.id }];
    s.vrde = { ...s.vrde, enabled: true, extPack: 'VNC', properties: { 'TCP/Ports': h.vrdePorts } };
  };
  const memory = o.memory ?? 2048;
  const cpus = o.cpus ?? 2;
  const src = a.sim.addMachine('web-1', (c) => setup(c, a, memory, cpus));
  const dst = b.sim.addMachine('web-1', (c) => {
    setup(c, b, o.targetMemory ?? memory, o.targetCpus ?? cpus);
    c.settings.id = src.id;
    c.settings.teleporter = { enabled: true, port: o.port ?? 0, address: '', password: o.password ?? 'secret' };
  });
  expect(dst.id).toBe(src.id);

  const seenA: MachineState[] = [];
  const seenB: MachineState[] = [];
  for (const [h, seen] of [[a, seenA], [b, seenB]] as const) {
    const fire = h.sim.fireStateChanged.bind(h.sim);
    h.sim.fireStateChanged = (c: MachineCore) => { seen.push(c.state); fire(c); };
  }
  await a.sim.powerOn(src);
  await b.sim.powerOn(dst);
  expect(src.state).toBe('Running');
  expect(dst.state).toBe('TeleportingIn');
  return { a, b, src, dst, seenA, seenB };
}

function teleport(p: Pair, password = 'secret', port = p.dst.settings.teleporter.port, maxDowntime = 250): Progress {
  return p.src.vm!.console.teleport('127.0.0.1', port, password, maxDowntime);
}

async function expectFailed(progress: Progress, text: string | RegExp): Promise<void> {
  await progress.wait();
  expect(progress.getCompleted()).toBe(true);
  expect(progress.getResultCode()).toBe(E_FAIL);
  const info = progress.getErrorInfo()!;
  expect(info.getComponent()).toBe('ConsoleWrap');
  if (typeof text === 'string') expect(info.getText()).toBe(text);
  else expect(info.getText()).toMatch(text);
}

describe('teleport', () => {
  it('moves a running machine to the waiting target: source Teleported, target Running with its screen and VNC', async () => {
    const p = await pair({ memory: 2048, port: await freePort() });
    const { src, dst } = p;
    type(src, 'uname -a\nuptime');
    const before = src.vm!.screen.state();
    const srcVnc = src.vm!.vrdePort;
    expect(srcVnc).toBeGreaterThan(0);
    // The target is listening on its configured port.
    expect(await canConnect(dst.settings.teleporter.port)).toBe(true);

    const started = Date.now();
    const progress = teleport(p);
    expect(src.state).toBe('Teleporting');
    expect(progress.getDescription()).toBe('Teleporter');
    await until('progress', () => progress.getPercent() > 0 || progress.getCompleted());
    expect(progress.getCompleted()).toBe(false);
    await progress.wait();
    const took = Date.now() - started;

    expect(progress.failed).toBe(false);
    expect(progress.getResultCode()).toBe(0);
    expect(progress.getPercent()).toBe(100);
    // A 2 GB machine takes a short, RAM-proportional time.
    expect(took).toBeGreaterThan(100);
    expect(took).toBeLessThan(1500);

    // Where each copy ended up.
    expect(src.state).toBe('Teleported');
    expect(src.vm).toBeNull();
    expect(src.sessionState).toBe('Unlocked');
    expect(dst.state).toBe('Running');
    expect(dst.vm).not.toBeNull();
    expect(dst.vm!.screen.state()).toEqual(before);
    expect(dst.vm!.screen.text()).toBe('uname -a\nuptime');
    expect(dst.vm!.screen.hostName).toBe(p.b.name);

    // The target serves VNC from its own host's range; the source's console is gone.
    const dstVnc = dst.vm!.vrdePort;
    expect(dstVnc).toBeGreaterThan(0);
    expect(await rfbGreeting(dstVnc)).toBe('RFB 003.008\n');
    expect(await canConnect(srcVnc)).toBe(false);
    // The teleporter listener is gone.
    expect(await canConnect(dst.settings.teleporter.port)).toBe(false);

    // Listeners saw the whole story on each host.
    expect(p.seenA.slice(-3)).toEqual(['Teleporting', 'TeleportingPausedVM', 'Teleported']);
    expect(p.seenB).toContain('TeleportingIn');
    expect(p.seenB.at(-1)).toBe('Running');
  });

  it('refuses a wrong password; the source keeps running and the target keeps listening for another attempt', async () => {
    const p = await pair();
    const { src, dst } = p;
    type(src, 'still here');
    const before = src.vm!.screen.state();
    const vm = src.vm;

    const wrong = teleport(p, 'not-the-password');
    await expectFailed(wrong, 'Invalid password');
    expect(src.state).toBe('Running');
    expect(src.vm).toBe(vm);
    expect(src.vm!.screen.state()).toEqual(before);
    expect(dst.state).toBe('TeleportingIn');
    expect(p.seenA.slice(-2)).toEqual(['Teleporting', 'Running']);

    const right = teleport(p);
    await right.wait();
    expect(right.failed).toBe(false);
    expect(src.state).toBe('Teleported');
    expect(dst.state).toBe('Running');
    expect(dst.vm!.screen.state()).toEqual(before);
  });

  it('fails when nothing listens on the target port', async () => {
    const p = await pair();
    const { src, dst } = p;
    const port = await freePort();
    const before = src.vm!.screen.state();
    const progress = teleport(p, 'secret', port);
    await expectFailed(progress, `Failed to connect to port ${port} on '127.0.0.1': VERR_NET_CONNECTION_REFUSED`);
    expect(src.state).toBe('Running');
    expect(src.vm!.screen.state()).toEqual(before);
    expect(dst.state).toBe('TeleportingIn');
  });

  it('fails on a memory size mismatch in the first pass; the target powers off', async () => {
    const p = await pair({ memory: 2048, targetMemory: 1024 });
    const { src, dst } = p;
    type(src, 'abc');
    const before = src.vm!.screen.state();
    const progress = teleport(p);
    await expectFailed(progress,
      'pgm#0: Ram config mismatch: saved=80000000/20000000 config=40000000/20000000 (RAM/Hole) [ver=14 pass=#0] (VERR_SSM_LOAD_CONFIG_MISMATCH)');
    expect(src.state).toBe('Running');
    expect(src.vm!.screen.state()).toEqual(before);
    // Still in the live phase when it failed.
    expect(p.seenA.slice(-2)).toEqual(['Teleporting', 'Running']);
    await until('target powered off', () => dst.state === 'PoweredOff');
    expect(dst.vm).toBeNull();
  });

  it('fails on a CPU count mismatch in the final pass; the source resumes, the target powers off', async () => {
    const p = await pair({ cpus: 2, targetCpus: 4 });
    const { src, dst } = p;
    type(src, 'xyz');
    const before = src.vm!.screen.state();
    const progress = teleport(p);
    await expectFailed(progress, "Failed to load unit 'cpum' (VERR_SSM_UNEXPECTED_DATA)");
    expect(src.state).toBe('Running');
    expect(src.vm!.screen.state()).toEqual(before);
    // Paused for the final pass, then resumed.
    expect(p.seenA.slice(-4)).toEqual(['Teleporting', 'TeleportingPausedVM', 'Paused', 'Running']);
    await until('target powered off', () => dst.state === 'PoweredOff');
  });

  it('breaks mid-transfer when the control endpoint cuts teleports; the source keeps running, the target powers off', async () => {
    const p = await pair({ memory: 4096 });
    const { a, src, dst } = p;
    type(src, 'cut me');
    const before = src.vm!.screen.state();
    const progress = teleport(p);
    await until('transfer under way', () => progress.getPercent() >= 10);
    const r = await fetch(`${a.control}/teleport/cut`, { method: 'POST' });
    expect(await r.json()).toEqual({ cutTeleports: true });
    await expectFailed(progress, 'VMR3Teleport -> VERR_NET_CONNECTION_RESET_BY_PEER');
    expect(progress.getPercent()).toBeGreaterThanOrEqual(45);
    expect(progress.getPercent()).toBeLessThan(100);
    expect(src.state).toBe('Running');
    expect(src.vm!.screen.state()).toEqual(before);
    await until('target powered off', () => dst.state === 'PoweredOff');
    expect(dst.vm).toBeNull();
    await fetch(`${a.control}/teleport/cut?off`, { method: 'POST' });
  });

  it('picks a free port for teleporterPort 0, shows it while waiting and gives it back afterwards', async () => {
    const p = await pair({ port: 0 });
    const { src, dst } = p;
    const port = dst.primary.getTeleporterPort();
    expect(port).toBeGreaterThanOrEqual(49152);
    expect(port).toBeLessThanOrEqual(65534);
    expect(await canConnect(port)).toBe(true);
    const progress = src.vm!.console.teleport('localhost', port, 'secret', 250);
    await progress.wait();
    expect(progress.failed).toBe(false);
    expect(src.state).toBe('Teleported');
    expect(dst.state).toBe('Running');
    expect(dst.primary.getTeleporterPort()).toBe(0);
    expect(await canConnect(port)).toBe(false);
  });

  it('closes the listener when a waiting target is powered off', async () => {
    const p = await pair({ port: 0 });
    const { dst } = p;
    const port = dst.primary.getTeleporterPort();
    expect(await canConnect(port)).toBe(true);
    const off = dst.vm!.powerDown();
    await off.wait();
    expect(dst.state).toBe('PoweredOff');
    expect(await canConnect(port)).toBe(false);
    expect(dst.primary.getTeleporterPort()).toBe(0);
  });

  it('fails when the target host goes away mid-transfer', async () => {
    const p = await pair({ memory: 4096 });
    const { b, src } = p;
    const progress = teleport(p);
    await until('transfer under way', () => progress.getPercent() >= 10);
    await b.sim.stop();
    // Whichever the source meets first: the closed socket on a write (EPIPE) or on the read of the ACK.
    await expectFailed(progress, /^Failed reading ACK\(load-complete\): VERR_(NET_SHUTDOWN|NET_CONNECTION_RESET_BY_PEER|BROKEN_PIPE)$/);
    expect(src.state).toBe('Running');
  });
});
