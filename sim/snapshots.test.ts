// Snapshots over SOAP, as a vboxwebsrv client drives them: take (offline under a write lock, online
// under a shared lock with LiveSnapshotting / OnlineSnapshotting seen in the events), the tree and
// its attributes, restore (settings and saved state back, user data and extra data kept), delete
// (offline and online), the faults for wrong states and unknown snapshots, and persistence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './index';

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RC = {
  E_NOTIMPL: 0x80004001 | 0,
  E_FAIL: 0x80004005 | 0,
  E_INVALIDARG: 0x80070057 | 0,
  VBOX_E_OBJECT_NOT_FOUND: 0x80bb0001 | 0,
  VBOX_E_INVALID_VM_STATE: 0x80bb0002 | 0,
  VBOX_E_INVALID_OBJECT_STATE: 0x80bb0007 | 0,
  VBOX_E_OBJECT_IN_USE: 0x80bb000c | 0,
};

type Args = Record<string, string | string[] | number | boolean>;
const list = (v: unknown): string[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Bare SOAP calls to one host, as any client would send them. */
class Client {
  constructor(readonly url: string) {}

  async raw(op: string, args: Args = {}) {
    const inner = Object.entries(args)
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `<${k}>${x}</${k}>`))
      .join('');
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' },
      body: `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><v:${op} xmlns:v="http://www.virtualbox.org/">${inner}</v:${op}></s:Body></s:Envelope>`,
    });
    const body = parser.parse(await res.text()).Envelope.Body;
    return { result: body[`${op}Response`] as Record<string, unknown> | undefined, fault: body.Fault as { faultstring: string; detail?: { RuntimeFault?: { resultCode: string; returnval: string } } } | undefined };
  }

  async call(op: string, args: Args = {}): Promise<Record<string, unknown>> {
    const r = await this.raw(op, args);
    if (r.fault) throw new Error(`${op}: ${r.fault.faultstring}`);
    return r.result ?? {};
  }
  async str(op: string, args: Args = {}): Promise<string> {
    const v = (await this.call(op, args)).returnval;
    return v === undefined ? '' : String(v);
  }
  async list(op: string, args: Args = {}): Promise<string[]> { return list((await this.call(op, args)).returnval); }

  /** The call must fail with a RuntimeFault: its result code and IVirtualBoxErrorInfo text. */
  async fault(op: string, args: Args = {}): Promise<{ code: number; text: string }> {
    const r = await this.raw(op, args);
    if (!r.fault) throw new Error(`${op} succeeded where a fault was expected`);
    const rt = r.fault.detail?.RuntimeFault;
    if (!rt) throw new Error(`${op}: not a RuntimeFault: ${r.fault.faultstring}`);
    return { code: Number(rt.resultCode), text: await this.str('IVirtualBoxErrorInfo_getText', { _this: rt.returnval }) };
  }

  /** Waits for a progress; resolves with its result code and error text. */
  async wait(progress: string): Promise<{ code: number; text: string }> {
    await this.call('IProgress_waitForCompletion', { _this: progress, timeout: -1 });
    const code = Number(await this.str('IProgress_getResultCode', { _this: progress }));
    const info = code ? await this.str('IProgress_getErrorInfo', { _this: progress }) : '';
    return { code, text: info ? await this.str('IVirtualBoxErrorInfo_getText', { _this: info }) : '' };
  }

  async ok(progress: string): Promise<void> {
    expect(await this.wait(progress)).toEqual({ code: 0, text: '' });
  }
}

interface Env {
  c: Client;
  vbox: string;
  sim: Sim;
}

async function logon(sim: Sim): Promise<Env> {
  const c = new Client(sim.urls[0]);
  const vbox = await c.str('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
  return { c, vbox, sim };
}

/** Locks `name` in a new session (Write or Shared) and returns the session and its machine. */
async function lock(e: Env, name: string, type: 'Write' | 'Shared') {
  const session = await e.c.str('IWebsessionManager_getSessionObject', { refIVirtualBox: e.vbox });
  const machine = await e.c.str('IVirtualBox_findMachine', { _this: e.vbox, nameOrId: name });
  await e.c.call('IMachine_lockMachine', { _this: machine, session, lockType: type });
  return { session, machine: await e.c.str('ISession_getMachine', { _this: session }) };
}

/** A passive listener on the VirtualBox event source that renders the events of one machine as lines. */
async function listen(e: Env, machineId: string) {
  const source = await e.c.str('IVirtualBox_getEventSource', { _this: e.vbox });
  const listener = await e.c.str('IEventSource_createListener', { _this: source });
  await e.c.call('IEventSource_registerListener', { _this: source, listener, interesting: ['OnMachineStateChanged', 'SnapshotEvent'], active: false });
  return {
    /** Everything queued so far. */
    async drain(): Promise<string[]> {
      const out: string[] = [];
      for (;;) {
        const ev = await e.c.str('IEventSource_getEvent', { _this: source, listener, timeout: 0 });
        if (!ev) return out;
        if (await e.c.str('IMachineEvent_getMachineId', { _this: ev }) !== machineId) continue;
        const type = await e.c.str('IEvent_getType', { _this: ev });
        if (type === 'OnMachineStateChanged') out.push(`state:${await e.c.str('IMachineStateChangedEvent_getState', { _this: ev })}`);
        else out.push(`${type}:${await e.c.str('ISnapshotEvent_getSnapshotId', { _this: ev })}`);
        await e.c.call('IEventSource_eventProcessed', { _this: source, listener, event: ev });
      }
    },
    close: () => e.c.call('IEventSource_unregisterListener', { _this: source, listener }),
  };
}

// Long enough that the calls made while a snapshot is under way (its state, a second take) land inside it on a loaded machine.
const TIMING = { start: 100, stop: 50, save: 400, acpiShutdown: 200, step: 250 };
const vrdeBase = () => 20000 + Math.floor(Math.random() * 300) * 100;

describe('snapshots', () => {
  let e: Env;
  let dbId: string;
  let base: string;
  let second: string;

  beforeAll(async () => {
    e = await logon(await startSim({ hosts: 1, port: 0, vms: 2, timing: TIMING, vrdeBase: vrdeBase() }));
    dbId = await e.c.str('IMachine_getId', { _this: await e.c.str('IVirtualBox_findMachine', { _this: e.vbox, nameOrId: 'db-a2' }) });
  });
  afterAll(async () => {
    await e?.sim.stop();
  });

  it('has none at first; the machine\'s own object answers E_NOTIMPL, as only a session machine takes them', async () => {
    const m = await e.c.str('IVirtualBox_findMachine', { _this: e.vbox, nameOrId: 'db-a2' });
    expect(await e.c.str('IMachine_getSnapshotCount', { _this: m })).toBe('0');
    expect(await e.c.str('IMachine_getCurrentSnapshot', { _this: m })).toBe('');
    expect(await e.c.str('IMachine_getCurrentStateModified', { _this: m })).toBe('false');
    expect(await e.c.fault('IMachine_findSnapshot', { _this: m, nameOrId: '' })).toEqual({ code: RC.E_FAIL, text: 'This machine does not have any snapshots' });
    expect(await e.c.fault('IMachine_findSnapshot', { _this: m, nameOrId: 'base' })).toEqual({ code: RC.VBOX_E_OBJECT_NOT_FOUND, text: 'This machine does not have any snapshots' });
    expect(await e.c.fault('IMachine_takeSnapshot', { _this: m, name: 'x', description: '', pause: true }))
      .toEqual({ code: RC.E_NOTIMPL, text: 'Method takeSnapshot is not implemented' });
    expect((await e.c.fault('IMachine_deleteSnapshot', { _this: m, id: dbId })).code).toBe(RC.E_NOTIMPL);
  });

  it('takes an offline snapshot under a write lock: Snapshotting, then PoweredOff, OnSnapshotTaken, pending changes committed', async () => {
    const events = await listen(e, dbId);
    const { session, machine } = await lock(e, 'db-a2', 'Write');
    expect(await e.c.fault('IMachine_takeSnapshot', { _this: machine, name: 'x', description: '', pause: false }))
      .toEqual({ code: RC.VBOX_E_INVALID_VM_STATE, text: 'Cannot take a live snapshot of a virtual machine unless it is running.' });
    await e.c.call('IMachine_setMemorySize', { _this: machine, memorySize: 1024 });
    const r = await e.c.call('IMachine_takeSnapshot', { _this: machine, name: 'base', description: 'clean install', pause: true });
    base = String(r.id);
    expect(base).toMatch(UUID);
    const progress = String(r.returnval);
    expect(await e.c.str('IMachine_getState', { _this: machine })).toBe('Snapshotting');
    expect(await e.c.str('IProgress_getDescription', { _this: progress })).toBe('Taking a snapshot of the virtual machine');
    // A second one while the first is under way.
    expect(await e.c.fault('IMachine_takeSnapshot', { _this: machine, name: 'y', description: '', pause: true }))
      .toEqual({ code: RC.VBOX_E_INVALID_VM_STATE, text: 'Cannot take a snapshot of the virtual machine while it is changing state (machine state: Snapshotting)' });
    await e.c.ok(progress);
    expect(await events.drain()).toEqual(['state:Snapshotting', 'state:PoweredOff', `OnSnapshotTaken:${base}`]);
    await events.close();

    const snap = await e.c.str('IMachine_getCurrentSnapshot', { _this: machine });
    expect(await e.c.str('ISnapshot_getId', { _this: snap })).toBe(base);
    expect(await e.c.str('ISnapshot_getName', { _this: snap })).toBe('base');
    expect(await e.c.str('ISnapshot_getDescription', { _this: snap })).toBe('clean install');
    expect(await e.c.str('ISnapshot_getOnline', { _this: snap })).toBe('false');
    expect(Math.abs(Number(await e.c.str('ISnapshot_getTimeStamp', { _this: snap })) - Date.now())).toBeLessThan(10_000);
    expect(await e.c.str('ISnapshot_getParent', { _this: snap })).toBe('');
    expect(await e.c.str('ISnapshot_getChildrenCount', { _this: snap })).toBe('0');
    expect(await e.c.str('IMachine_getSnapshotCount', { _this: machine })).toBe('1');
    expect(await e.c.str('IMachine_getCurrentStateModified', { _this: machine })).toBe('false');
    // The snapshot's machine: the settings at take time (the unsaved 1024 MB included), read-only.
    const sm = await e.c.str('ISnapshot_getMachine', { _this: snap });
    expect(await e.c.str('IMachine_getMemorySize', { _this: sm })).toBe('1024');
    expect(await e.c.str('IMachine_getName', { _this: sm })).toBe('db-a2');
    expect(await e.c.str('IMachine_getStateFilePath', { _this: sm })).toBe('');
    expect((await e.c.fault('IMachine_setMemorySize', { _this: sm, memorySize: 64 })).code).toBe(RC.VBOX_E_INVALID_VM_STATE);
    const primary = await e.c.str('IVirtualBox_findMachine', { _this: e.vbox, nameOrId: 'db-a2' });
    expect(await e.c.str('IMachine_getMemorySize', { _this: primary })).toBe('1024');
    await e.c.call('ISession_unlockMachine', { _this: session });
  });

  it('builds a tree, finds snapshots by name or UUID, renames one (OnSnapshotChanged), restores settings but not user data', async () => {
    const { session, machine } = await lock(e, 'db-a2', 'Write');
    await e.c.call('IMachine_setMemorySize', { _this: machine, memorySize: 2048 });
    await e.c.call('IMachine_saveSettings', { _this: machine });
    expect(await e.c.str('IMachine_getCurrentStateModified', { _this: machine })).toBe('true');
    const r = await e.c.call('IMachine_takeSnapshot', { _this: machine, name: 'second', description: '', pause: true });
    second = String(r.id);
    await e.c.ok(String(r.returnval));

    const root = await e.c.str('IMachine_findSnapshot', { _this: machine, nameOrId: '' });
    expect(await e.c.str('ISnapshot_getId', { _this: root })).toBe(base);
    const kids = await e.c.list('ISnapshot_getChildren', { _this: root });
    expect(kids).toHaveLength(1);
    expect(await e.c.str('ISnapshot_getId', { _this: kids[0] })).toBe(second);
    expect(await e.c.str('ISnapshot_getParent', { _this: kids[0] })).toBe(root);
    expect(await e.c.str('IMachine_findSnapshot', { _this: machine, nameOrId: 'second' })).toBe(kids[0]);
    expect(await e.c.str('IMachine_findSnapshot', { _this: machine, nameOrId: `{${second.toUpperCase()}}` })).toBe(kids[0]);
    expect(await e.c.fault('IMachine_findSnapshot', { _this: machine, nameOrId: 'third' }))
      .toEqual({ code: RC.VBOX_E_OBJECT_NOT_FOUND, text: "Could not find a snapshot named 'third'" });
    const unknown = '00000000-0000-4000-8000-000000000001';
    expect(await e.c.fault('IMachine_findSnapshot', { _this: machine, nameOrId: unknown }))
      .toEqual({ code: RC.E_FAIL, text: `Could not find a snapshot with UUID {${unknown}}` });

    const events = await listen(e, dbId);
    await e.c.call('ISnapshot_setName', { _this: kids[0], name: 'two GB' });
    expect(await e.c.fault('ISnapshot_setName', { _this: kids[0], name: unknown }))
      .toEqual({ code: RC.E_INVALIDARG, text: 'A machine cannot have a UUID as its name' });
    expect(await events.drain()).toEqual([`OnSnapshotChanged:${second}`]);

    // User data and extra data are the machine's, not the snapshot's.
    await e.c.call('IMachine_setDescription', { _this: machine, description: 'after the snapshots' });
    await e.c.call('IMachine_setCPUCount', { _this: machine, CPUCount: 4 });
    await e.c.call('IMachine_saveSettings', { _this: machine });
    await e.c.call('IMachine_setExtraData', { _this: machine, key: 'nimbox/tenant', value: 'acme' });
    await e.c.call('IMachine_setMemorySize', { _this: machine, memorySize: 3072 }); // pending, thrown away by restore
    const p = await e.c.str('IMachine_restoreSnapshot', { _this: machine, snapshot: root });
    expect(await e.c.str('IProgress_getDescription', { _this: p })).toBe("Restoring snapshot 'base'");
    expect(await e.c.str('IMachine_getState', { _this: machine })).toBe('RestoringSnapshot');
    await e.c.ok(p);
    expect(await events.drain()).toEqual(['state:RestoringSnapshot', 'state:PoweredOff', `OnSnapshotRestored:${base}`]);
    await events.close();
    expect(await e.c.str('IMachine_getMemorySize', { _this: machine })).toBe('1024');
    expect(await e.c.str('IMachine_getCPUCount', { _this: machine })).toBe('2');
    expect(await e.c.str('IMachine_getSettingsModified', { _this: machine })).toBe('false');
    expect(await e.c.str('IMachine_getDescription', { _this: machine })).toBe('after the snapshots');
    expect(await e.c.str('IMachine_getExtraData', { _this: machine, key: 'nimbox/tenant' })).toBe('acme');
    expect(await e.c.str('IMachine_getCurrentSnapshot', { _this: machine })).toBe(root);
    expect(await e.c.str('IMachine_getCurrentStateModified', { _this: machine })).toBe('false');
    await e.c.call('ISession_unlockMachine', { _this: session });
    const primary = await e.c.str('IVirtualBox_findMachine', { _this: e.vbox, nameOrId: 'db-a2' });
    expect(await e.c.str('IMachine_getMemorySize', { _this: primary })).toBe('1024');
  });

  it('keeps media of snapshots in use, and restore brings a detached disk back (no differencing images)', async () => {
    const { session, machine } = await lock(e, 'db-a2', 'Write');
    const disk = await e.c.str('IMachine_getMedium', { _this: machine, name: 'SATA', controllerPort: 0, device: 0 });
    await e.c.call('IMachine_detachDevice', { _this: machine, name: 'SATA', controllerPort: 0, device: 0 });
    await e.c.call('IMachine_saveSettings', { _this: machine });
    expect(await e.c.list('IMedium_getMachineIds', { _this: disk })).toEqual([dbId]);
    expect((await e.c.fault('IMedium_close', { _this: disk })).code).toBe(RC.VBOX_E_OBJECT_IN_USE);
    const root = await e.c.str('IMachine_findSnapshot', { _this: machine, nameOrId: 'base' });
    await e.c.ok(await e.c.str('IMachine_restoreSnapshot', { _this: machine, snapshot: root }));
    expect(await e.c.str('IMachine_getMedium', { _this: machine, name: 'SATA', controllerPort: 0, device: 0 })).toBe(disk);
    await e.c.call('ISession_unlockMachine', { _this: session });
  });

  it('refuses to delete a snapshot with children it cannot take over, and unknown ones; the range and subtree variants are E_NOTIMPL', async () => {
    const { session, machine } = await lock(e, 'db-a2', 'Write');
    // base is current and has a child.
    expect(await e.c.fault('IMachine_deleteSnapshot', { _this: machine, id: base })).toEqual({
      code: RC.VBOX_E_INVALID_OBJECT_STATE,
      text: "Snapshot 'base' of the machine 'db-a2' cannot be deleted, because it is the current snapshot and has one child snapshot",
    });
    // A second child of base: base now has two.
    const r = await e.c.call('IMachine_takeSnapshot', { _this: machine, name: 'branch', description: '', pause: true });
    const branch = String(r.id);
    await e.c.ok(String(r.returnval));
    const root = await e.c.str('IMachine_findSnapshot', { _this: machine, nameOrId: '' });
    expect(await e.c.str('ISnapshot_getChildrenCount', { _this: root })).toBe('2');
    expect(await e.c.fault('IMachine_deleteSnapshot', { _this: machine, id: base })).toEqual({
      code: RC.VBOX_E_INVALID_OBJECT_STATE,
      text: "Snapshot 'base' of the machine 'db-a2' cannot be deleted, because it has 2 child snapshots, which is more than the one snapshot allowed for deletion",
    });
    const unknown = '00000000-0000-4000-8000-000000000002';
    expect(await e.c.fault('IMachine_deleteSnapshot', { _this: machine, id: unknown }))
      .toEqual({ code: RC.E_FAIL, text: `Could not find a snapshot with UUID {${unknown}}` });
    // A malformed UUID: a bare E_INVALIDARG (an AssertReturn in VirtualBox), without error info.
    const bad = await e.c.raw('IMachine_deleteSnapshot', { _this: machine, id: 'nope' });
    expect(bad.fault?.detail?.RuntimeFault).toEqual({ resultCode: String(RC.E_INVALIDARG), returnval: '' });
    expect(await e.c.fault('IMachine_deleteSnapshotAndAllChildren', { _this: machine, id: base }))
      .toEqual({ code: RC.E_NOTIMPL, text: 'Method i_deleteSnapshot is not implemented' });
    expect((await e.c.fault('IMachine_deleteSnapshotRange', { _this: machine, startId: base, endId: second })).code).toBe(RC.E_NOTIMPL);

    // The current snapshot (branch, a leaf): its parent becomes current, and the current state counts as modified.
    const events = await listen(e, dbId);
    const p = await e.c.str('IMachine_deleteSnapshotRange', { _this: machine, startId: branch, endId: branch });
    expect(await e.c.str('IProgress_getDescription', { _this: p })).toBe("Deleting snapshot 'branch'");
    await e.c.ok(p);
    expect(await events.drain()).toEqual(['state:DeletingSnapshot', 'state:PoweredOff', `OnSnapshotDeleted:${branch}`]);
    await events.close();
    expect(await e.c.str('IMachine_getCurrentSnapshot', { _this: machine })).toBe(root);
    expect(await e.c.str('IMachine_getCurrentStateModified', { _this: machine })).toBe('true');
    // With the other child current, base (one child left) can go: its child moves up to the root.
    const child = await e.c.str('IMachine_findSnapshot', { _this: machine, nameOrId: second });
    await e.c.ok(await e.c.str('IMachine_restoreSnapshot', { _this: machine, snapshot: child }));
    await e.c.ok(await e.c.str('IMachine_deleteSnapshot', { _this: machine, id: base }));
    expect((await e.c.fault('ISnapshot_getName', { _this: root })).code).toBe(0x80070005 | 0); // E_ACCESSDENIED: uninitialized
    expect(await e.c.str('IMachine_findSnapshot', { _this: machine, nameOrId: '' })).toBe(child);
    expect(await e.c.str('ISnapshot_getParent', { _this: child })).toBe('');
    expect(await e.c.str('IMachine_getCurrentSnapshot', { _this: machine })).toBe(child);
    expect(await e.c.str('IMachine_getSnapshotCount', { _this: machine })).toBe('1');
    await e.c.call('ISession_unlockMachine', { _this: session });
  });

  it('takes live and online snapshots of a running machine, which keeps running; deletes online; restores an online one to Saved with its screen', async () => {
    const host = e.sim.hosts[0].sim;
    const web = await e.c.str('IVirtualBox_findMachine', { _this: e.vbox, nameOrId: 'web-a1' });
    const webId = await e.c.str('IMachine_getId', { _this: web });
    const pid = await e.c.str('IMachine_getSessionPID', { _this: web });
    const events = await listen(e, webId);
    const { session, machine } = await lock(e, 'web-a1', 'Shared');

    const live = await e.c.call('IMachine_takeSnapshot', { _this: machine, name: 'live', description: '', pause: false });
    expect(await e.c.str('IMachine_getState', { _this: machine })).toBe('LiveSnapshotting');
    expect(await e.c.str('IProgress_getCancelable', { _this: String(live.returnval) })).toBe('true');
    expect(await e.c.fault('IMachine_restoreSnapshot', { _this: machine, snapshot: '' })).toEqual({
      code: RC.VBOX_E_INVALID_VM_STATE, text: 'Cannot delete the current state of the running machine (machine state: LiveSnapshotting)',
    });
    await e.c.ok(String(live.returnval));
    const paused = await e.c.call('IMachine_takeSnapshot', { _this: machine, name: 'online', description: '', pause: true });
    expect(await e.c.str('IMachine_getState', { _this: machine })).toBe('OnlineSnapshotting');
    await e.c.ok(String(paused.returnval));
    expect(await events.drain()).toEqual([
      'state:LiveSnapshotting', 'state:Running', `OnSnapshotTaken:${String(live.id)}`,
      'state:OnlineSnapshotting', 'state:Running', `OnSnapshotTaken:${String(paused.id)}`,
    ]);
    expect(await e.c.str('IMachine_getState', { _this: web })).toBe('Running');
    expect(await e.c.str('IMachine_getSessionPID', { _this: web })).toBe(pid);
    const online = await e.c.str('IMachine_getCurrentSnapshot', { _this: web });
    expect(await e.c.str('ISnapshot_getOnline', { _this: online })).toBe('true');
    expect(await e.c.str('IMachine_getStateFilePath', { _this: await e.c.str('ISnapshot_getMachine', { _this: online }) })).toMatch(/\.sav$/);
    // Online: the running state is the current state, so it still counts as modified.
    expect(await e.c.str('IMachine_getCurrentStateModified', { _this: web })).toBe('true');
    expect(await e.c.fault('IMachine_restoreSnapshot', { _this: machine, snapshot: online })).toEqual({
      code: RC.VBOX_E_INVALID_VM_STATE, text: 'Cannot delete the current state of the running machine (machine state: Running)',
    });

    // Deleting while running: DeletingSnapshotOnline, and the VM goes on.
    await e.c.ok(await e.c.str('IMachine_deleteSnapshot', { _this: machine, id: String(live.id) }));
    expect(await events.drain()).toEqual(['state:DeletingSnapshotOnline', 'state:Running', `OnSnapshotDeleted:${String(live.id)}`]);
    expect(await e.c.str('IMachine_getSnapshotCount', { _this: web })).toBe('1');

    // An online snapshot can be canceled while the state is saved: no snapshot, the machine runs on.
    const canceled = await e.c.call('IMachine_takeSnapshot', { _this: machine, name: 'canceled', description: '', pause: false });
    await e.c.call('IProgress_cancel', { _this: String(canceled.returnval) });
    expect(await e.c.str('IProgress_getCanceled', { _this: String(canceled.returnval) })).toBe('true');
    await expect.poll(() => e.c.str('IMachine_getState', { _this: web })).toBe('Running');
    expect(await e.c.str('IMachine_getSnapshotCount', { _this: web })).toBe('1');
    expect(await events.drain()).toEqual(['state:LiveSnapshotting', 'state:Running']);

    // Power off, restore the online snapshot: Saved, and the VM resumes from the snapshot's screen.
    const snapScreen = host.findCore(webId)?.snapshots()[0].savedScreen;
    expect(snapScreen).toBeDefined();
    const console = await e.c.str('ISession_getConsole', { _this: session });
    await e.c.ok(await e.c.str('IConsole_powerDown', { _this: console }));
    const w = await lock(e, 'web-a1', 'Write');
    await e.c.ok(await e.c.str('IMachine_restoreSnapshot', { _this: w.machine, snapshot: online }));
    expect(await e.c.str('IMachine_getState', { _this: web })).toBe('Saved');
    expect(host.findCore(webId)?.savedScreen).toEqual(snapScreen);
    await e.c.call('ISession_unlockMachine', { _this: w.session });
    const s2 = await e.c.str('IWebsessionManager_getSessionObject', { refIVirtualBox: e.vbox });
    await e.c.ok(await e.c.str('IMachine_launchVMProcess', { _this: web, session: s2, name: 'headless', environmentChanges: [] }));
    expect(await e.c.str('IMachine_getState', { _this: web })).toBe('Running');
    expect(host.findCore(webId)?.vm?.screen.state().bootedAt).toBe(snapScreen?.bootedAt);
    await events.close();
  });
});

describe('snapshots across a restart', () => {
  it('keeps the tree, names, online state, the current snapshot and currentStateModified', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vboxsim-snap-'));
    const base = vrdeBase();
    let sim = await startSim({ hosts: 1, port: 0, vms: 2, stateDir, timing: TIMING, vrdeBase: base });
    try {
      let e = await logon(sim);
      const { session, machine } = await lock(e, 'db-a2', 'Write');
      const a = await e.c.call('IMachine_takeSnapshot', { _this: machine, name: 'a', description: 'first', pause: true });
      await e.c.ok(String(a.returnval));
      await e.c.call('IMachine_setMemorySize', { _this: machine, memorySize: 1536 });
      await e.c.call('IMachine_saveSettings', { _this: machine });
      const b = await e.c.call('IMachine_takeSnapshot', { _this: machine, name: 'b', description: '', pause: true });
      await e.c.ok(String(b.returnval));
      await e.c.call('IMachine_setMemorySize', { _this: machine, memorySize: 4096 });
      await e.c.call('IMachine_saveSettings', { _this: machine });
      await e.c.call('ISession_unlockMachine', { _this: session });
      const w = await lock(e, 'web-a1', 'Shared');
      const live = await e.c.call('IMachine_takeSnapshot', { _this: w.machine, name: 'live', description: '', pause: false });
      await e.c.ok(String(live.returnval));
      await e.c.call('ISession_unlockMachine', { _this: w.session });
      await sim.stop();

      sim = await startSim({ hosts: 1, port: 0, vms: 2, stateDir, timing: TIMING, vrdeBase: base });
      e = await logon(sim);
      const db = await e.c.str('IVirtualBox_findMachine', { _this: e.vbox, nameOrId: 'db-a2' });
      expect(await e.c.str('IMachine_getSnapshotCount', { _this: db })).toBe('2');
      expect(await e.c.str('IMachine_getCurrentStateModified', { _this: db })).toBe('true');
      const current = await e.c.str('IMachine_getCurrentSnapshot', { _this: db });
      expect(await e.c.str('ISnapshot_getId', { _this: current })).toBe(String(b.id));
      const root = await e.c.str('ISnapshot_getParent', { _this: current });
      expect(await e.c.str('ISnapshot_getId', { _this: root })).toBe(String(a.id));
      expect(await e.c.str('ISnapshot_getDescription', { _this: root })).toBe('first');
      expect(await e.c.str('IMachine_getMemorySize', { _this: await e.c.str('ISnapshot_getMachine', { _this: current }) })).toBe('1536');
      const web = await e.c.str('IVirtualBox_findMachine', { _this: e.vbox, nameOrId: 'web-a1' });
      expect(await e.c.str('IMachine_getState', { _this: web })).toBe('Running');
      const liveSnap = await e.c.str('IMachine_findSnapshot', { _this: web, nameOrId: 'live' });
      expect(await e.c.str('ISnapshot_getOnline', { _this: liveSnap })).toBe('true');

      // Still works: restore after the restart.
      const l = await lock(e, 'db-a2', 'Write');
      await e.c.ok(await e.c.str('IMachine_restoreSnapshot', { _this: l.machine, snapshot: root }));
      await e.c.call('ISession_unlockMachine', { _this: l.session });
      expect(await e.c.str('IMachine_getMemorySize', { _this: db })).not.toBe('4096');
      expect(await e.c.str('IMachine_getCurrentStateModified', { _this: db })).toBe('false');
      // Unregistering returns the media of the machine and its snapshots (VirtualBox 7.1 also unregisters
      // with UnregisterOnly while snapshots exist, returning none).
      expect(await e.c.list('IMachine_unregister', { _this: db, cleanupMode: 'DetachAllReturnHardDisksOnly' })).toHaveLength(1);
    } finally {
      await sim.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
