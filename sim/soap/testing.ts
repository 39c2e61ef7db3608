import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach } from 'vitest';
import { startSim, type Sim, type SimOptions } from '../index';

/*
 * Test helpers (not used by vboxsim): bare SOAP calls to a host, as any vboxwebsrv client sends them,
 * a vboxsim per test, and the steps a client takes to make, lock and run a machine.
 */

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });

export type Args = Record<string, string | number | boolean | (string | number)[]>;
export interface Answer { result?: Record<string, unknown>; fault?: { faultstring?: string; detail?: { RuntimeFault?: { resultCode?: string } } & Record<string, unknown> } }

/** One SOAP call on a connection of its own (a pooled one would outlive the host). Rejects as the socket does. */
export function soap(url: string, op: string, args: Args = {}): Promise<Answer> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const inner = Object.entries(args)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `<${k}>${esc(String(x))}</${k}>`))
    .join('');
  const body = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><v:${op} xmlns:v="http://www.virtualbox.org/">${inner}</v:${op}></s:Body></s:Envelope>`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const b = parser.parse(text).Envelope.Body;
        resolve({ result: b[`${op}Response`], fault: b.Fault });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The returnval of a call that must succeed. */
export async function ok(url: string, op: string, args: Args = {}): Promise<string> {
  const a = await soap(url, op, args);
  if (a.fault) throw new Error(`${op}: ${a.fault.faultstring}`);
  return (a.result?.returnval ?? '') as string;
}

/** A list result of a call that must succeed (none, one or several elements). */
export async function list(url: string, op: string, args: Args = {}): Promise<string[]> {
  const a = await soap(url, op, args);
  if (a.fault) throw new Error(`${op}: ${a.fault.faultstring}`);
  const v = a.result?.returnval;
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string];
}

/** A call that must fail: its faultstring and result code (signed, as the wire carries it). */
export async function refused(url: string, op: string, args: Args): Promise<{ text: string; code: number }> {
  const a = await soap(url, op, args);
  if (!a.fault) throw new Error(`${op} succeeded`);
  return { text: a.fault.faultstring ?? '', code: Number(a.fault.detail?.RuntimeFault?.resultCode ?? 0) | 0 };
}

/** Waits for a progress and returns how it ended: its result code and error text. */
export async function finished(url: string, progress: string): Promise<{ rc: number; text: string }> {
  await ok(url, 'IProgress_waitForCompletion', { _this: progress, timeout: 10_000 });
  const rc = Number(await ok(url, 'IProgress_getResultCode', { _this: progress }));
  const info = await ok(url, 'IProgress_getErrorInfo', { _this: progress });
  return { rc, text: info ? await ok(url, 'IVirtualBoxErrorInfo_getText', { _this: info }) : '' };
}

/** Logs on as vboxsim's default user: the IVirtualBox reference. */
export const logon = (url: string) => ok(url, 'IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });

/** VM timings (ms) that keep a test quick. */
export const TIMING = { start: 20, stop: 10, acpiShutdown: 20, save: 10 };

/**
 * vboxsim for each test of a describe block (call it in the block): `start()` starts it on the test's
 * own state folder (one host, no demo machines, TIMING, unless `options` or `o` say otherwise) and logs
 * on to its first host; called again after `stop()` in the same test, on the same folder (a restart).
 * After each test the sim is stopped and the folder removed.
 */
export function simPerTest(prefix: string, options: SimOptions = {}) {
  let sim: Sim | undefined;
  let stateDir = '';
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    stateDir = '';
  });
  return {
    async start(o: SimOptions = {}): Promise<{ sim: Sim; url: string; vbox: string }> {
      stateDir ||= fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      sim = await startSim({ hosts: 1, port: 0, vms: 0, stateDir, timing: TIMING, ...options, ...o });
      const url = sim.urls[0];
      return { sim, url, vbox: await logon(url) };
    },
    /** The running sim. */
    get sim(): Sim {
      if (!sim) throw new Error('vboxsim is not running (start())');
      return sim;
    },
    async stop(): Promise<void> {
      await sim?.stop();
      sim = undefined;
    },
    /**
     * Saves the machine's settings in its write-locked session and unlocks it, restarts vboxsim on the
     * same state folder: the new logon, and `again`, the machine found by its id there.
     */
    async saveAndRestart(url: string, { m, w, wm }: { m: string; w: string; wm: string }): Promise<{ url: string; vbox: string; again: string }> {
      await ok(url, 'IMachine_saveSettings', { _this: wm });
      await ok(url, 'ISession_unlockMachine', { _this: w });
      const id = await ok(url, 'IMachine_getId', { _this: m });
      await this.stop();
      const next = await this.start();
      return { url: next.url, vbox: next.vbox, again: await ok(next.url, 'IVirtualBox_findMachine', { _this: next.vbox, nameOrId: id }) };
    },
  };
}

/** IVirtualBox_createMachine's arguments: an x86 machine of that OS type, in the default folder. */
export const createArgs = (vbox: string, name: string, osTypeId = 'Debian12_64') => ({
  _this: vbox, settingsFile: '', name, platform: 'x86', groups: [], osTypeId, flags: '', cipher: '', passwordId: '', password: '',
});

/** A new registered machine (x86, Debian 12 unless said). */
export async function createMachine(url: string, vbox: string, name: string, osTypeId = 'Debian12_64'): Promise<string> {
  const m = await ok(url, 'IVirtualBox_createMachine', createArgs(vbox, name, osTypeId));
  await ok(url, 'IVirtualBox_registerMachine', { _this: vbox, machine: m });
  return m;
}

/** A write-locked session on the machine: `w`, and `wm` its machine to change. */
export async function lockWrite(url: string, vbox: string, m: string): Promise<{ w: string; wm: string }> {
  const w = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
  await ok(url, 'IMachine_lockMachine', { _this: m, session: w, lockType: 'Write' });
  return { w, wm: await ok(url, 'ISession_getMachine', { _this: w }) };
}

/** A new registered machine (x86, Debian 12 unless said) with a write-locked session: `m`, `w`, `wm`. */
export async function newMachine(url: string, vbox: string, name: string, osTypeId = 'Debian12_64'): Promise<{ m: string; w: string; wm: string }> {
  const m = await createMachine(url, vbox, name, osTypeId);
  return { m, ...(await lockWrite(url, vbox, m)) };
}

/** A new VDI at `location` of `size` bytes (variant Standard unless said), its storage made. */
export async function newDisk(url: string, vbox: string, location: string, size: number, variant = ['Standard']): Promise<string> {
  const d = await ok(url, 'IVirtualBox_createMedium', { _this: vbox, format: 'VDI', location, accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
  const made = await finished(url, await ok(url, 'IMedium_createBaseStorage', { _this: d, logicalSize: size, variant }));
  if (made.rc !== 0) throw new Error(`${location} not made: ${made.text}`);
  return d;
}

/** Writes `text` into the medium at `offset` through an IMediumIO, and closes it. */
export async function writeText(url: string, medium: string, offset: number, text: string): Promise<void> {
  const io = await ok(url, 'IMedium_openForIO', { _this: medium, writable: true, password: '' });
  await ok(url, 'IMediumIO_write', { _this: io, offset, data: Buffer.from(text).toString('base64') });
  await ok(url, 'IMediumIO_close', { _this: io });
}

/** `size` bytes of the medium at `offset` as text, read through an IMediumIO. */
export async function readText(url: string, medium: string, offset: number, size: number): Promise<string> {
  const io = await ok(url, 'IMedium_openForIO', { _this: medium, writable: false, password: '' });
  const data = await ok(url, 'IMediumIO_read', { _this: io, offset, size });
  await ok(url, 'IMediumIO_close', { _this: io });
  return Buffer.from(data, 'base64').toString();
}

/**
 * Runs the machine (headless) and opens a shared session on it: `s`, `sm` (the VM's session machine),
 * its console and the console's event source. Throws when the machine does not start.
 */
export async function launch(url: string, vbox: string, m: string): Promise<{ s: string; sm: string; console: string; events: string }> {
  const launcher = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
  const started = await finished(url, await ok(url, 'IMachine_launchVMProcess', { _this: m, session: launcher, name: 'headless', environmentChanges: [] }));
  if (started.rc !== 0) throw new Error(`launchVMProcess failed (${started.rc}): ${started.text}`);
  const s = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
  await ok(url, 'IMachine_lockMachine', { _this: m, session: s, lockType: 'Shared' });
  const console = await ok(url, 'ISession_getConsole', { _this: s });
  return { s, sm: await ok(url, 'ISession_getMachine', { _this: s }), console, events: await ok(url, 'IConsole_getEventSource', { _this: console }) };
}

/**
 * Holds a registered machine open for writing on a host, as another client (VirtualBox's GUI while
 * editing it): a function that lets go.
 */
export async function holdWriteLock(url: string, nameOrId: string): Promise<() => Promise<void>> {
  const vbox = await logon(url);
  const { w } = await lockWrite(url, vbox, await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId }));
  return async () => { await ok(url, 'ISession_unlockMachine', { _this: w }); };
}

/** A new machine (x86, Debian 12), run and then saved, with a write-locked session on it: `m`, `w`, `wm`. */
export async function savedMachine(url: string, vbox: string, name: string): Promise<{ m: string; w: string; wm: string }> {
  const { m, w } = await newMachine(url, vbox, name);
  await ok(url, 'ISession_unlockMachine', { _this: w });
  const { sm } = await launch(url, vbox, m);
  const saved = await finished(url, await ok(url, 'IMachine_saveState', { _this: sm }));
  if (saved.rc !== 0) throw new Error(`saveState failed (${saved.rc}): ${saved.text}`);
  const state = await ok(url, 'IMachine_getState', { _this: m });
  if (state !== 'Saved') throw new Error(`${name} is ${state}, not Saved`);
  return { m, ...(await lockWrite(url, vbox, m)) };
}

/** A passive listener for these event types on an event source. */
export async function listen(url: string, source: string, types: string[]): Promise<string> {
  const l = await ok(url, 'IEventSource_createListener', { _this: source });
  await ok(url, 'IEventSource_registerListener', { _this: source, listener: l, interesting: types, active: false });
  return l;
}

/** The next event of a listener (within `timeout` ms, a second unless said), or '' when none came. */
export const nextEvent = (url: string, source: string, listener: string, timeout = 1000) => ok(url, 'IEventSource_getEvent', { _this: source, listener, timeout });

/** The RFB greeting a VNC server (a running machine's VRDE) sends first, or the connection's error. */
export function rfbGreeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no RFB greeting')); }, 3000);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 12) {
        clearTimeout(timer);
        sock.destroy();
        resolve(buf.subarray(0, 12).toString('latin1'));
      }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
