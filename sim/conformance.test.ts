// vboxsim walked through with a client built from VirtualBox 7.1's OFFICIAL WSDL
// (../shared/reference/vboxwebService-7.1.wsdl, which imports vboxweb-7.1.wsdl), the
// way a real vboxwebsrv client would use it: logon, machines, a new machine with a
// disk on the shared storage, a write lock, events, metrics, a screenshot, power
// operations, save/restore, teleport to the other host, clean-up, and every fault.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../lib/vbox/websrv-harness';
import { startSim, type Sim } from './index';
import { rfbGreeting } from './soap/testing';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const REFERENCE = path.resolve(REPO_ROOT, '../shared/reference');
const SERVICE_WSDL = path.join(REFERENCE, 'vboxwebService-7.1.wsdl');
const HAVE_REFERENCE = fs.existsSync(SERVICE_WSDL) && fs.existsSync(path.join(REFERENCE, 'vboxweb-7.1.wsdl'));
if (!HAVE_REFERENCE) {
  console.warn(`conformance.test: the official WSDL is not at ${SERVICE_WSDL} (../shared/reference is absent); skipping the conformance walk`);
}

/** VirtualBox result codes (VirtualBox.xidl / COM), as the signed 32-bit ints the wire carries. */
const RC = {
  E_FAIL: 0x80004005 | 0,
  E_INVALIDARG: 0x80070057 | 0,
  VBOX_E_OBJECT_NOT_FOUND: 0x80bb0001 | 0,
  VBOX_E_INVALID_VM_STATE: 0x80bb0002 | 0,
  VBOX_E_FILE_ERROR: 0x80bb0004 | 0,
  VBOX_E_INVALID_OBJECT_STATE: 0x80bb0007 | 0,
  VBOX_E_NOT_SUPPORTED: 0x80bb0009 | 0,
} as const;
const RC_NAME = new Map<number, string>(Object.entries(RC).map(([k, v]) => [v, k]));

const REF = /^[0-9a-f]{16}-[0-9a-f]{16}$/;
/** A result code as vboxwebsrv's fault text prints it (%#lx): 0x80bb0001. */
const hex = (code: number) => `0x${(code >>> 0).toString(16)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- faults

/** What a SOAP fault from vboxwebsrv carries: the fault string and a RuntimeFault or InvalidObjectFault detail. */
interface Fault {
  faultcode: string;
  faultstring: string;
  /** RuntimeFault.resultCode (signed 32-bit). */
  resultCode?: number;
  /** RuntimeFault.returnval: an IVirtualBoxErrorInfo reference ('' when none). */
  errorInfo?: string;
  /** InvalidObjectFault.badObjectID. */
  badObjectID?: string;
}

interface FaultRoot {
  Envelope?: {
    Body?: {
      Fault?: {
        faultcode?: unknown;
        faultstring?: unknown;
        detail?: {
          RuntimeFault?: { resultCode?: unknown; returnval?: unknown };
          InvalidObjectFault?: { badObjectID?: unknown };
        } | null;
      };
    };
  };
}

const text = (v: unknown): string => (v === undefined || v === null || typeof v === 'object' ? '' : String(v));

/** node-soap rejects with an error whose `root.Envelope.Body.Fault` holds the fault; undefined for anything else. */
function soapFault(e: unknown): Fault | undefined {
  const f = (e as { root?: FaultRoot } | null)?.root?.Envelope?.Body?.Fault;
  if (!f) return undefined;
  const out: Fault = { faultcode: text(f.faultcode), faultstring: text(f.faultstring) };
  const rt = f.detail?.RuntimeFault;
  if (rt) {
    out.resultCode = Number(text(rt.resultCode));
    out.errorInfo = text(rt.returnval);
  }
  const io = f.detail?.InvalidObjectFault;
  if (io) out.badObjectID = text(io.badObjectID);
  return out;
}

// ---------------------------------------------------------------- client

type Args = Record<string, unknown>;
type Result = Record<string, unknown>;
type AsyncOp = (args: Args) => Promise<[Result | null, string]>;

const asList = (v: unknown): unknown[] => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);

/** A thin typed face over a node-soap client of the official WSDL, bound to one host. */
class Api {
  constructor(readonly client: soap.Client) {}

  async call(op: string, args: Args = {}): Promise<Result> {
    const fn = (this.client as unknown as Record<string, unknown>)[`${op}Async`];
    if (typeof fn !== 'function') throw new Error(`the official WSDL has no operation ${op}`);
    const [result] = await (fn as AsyncOp).call(this.client, args);
    return result ?? {};
  }
  async str(op: string, args: Args = {}): Promise<string> { return text((await this.call(op, args)).returnval); }
  async num(op: string, args: Args = {}): Promise<number> { return Number(text((await this.call(op, args)).returnval)); }
  async bool(op: string, args: Args = {}): Promise<boolean> {
    const v = (await this.call(op, args)).returnval;
    return v === true || v === 'true';
  }
  async list(op: string, args: Args = {}): Promise<string[]> { return asList((await this.call(op, args)).returnval).map(text); }

  /** Expects the call to fail with a SOAP fault, and returns it. */
  async fault(op: string, args: Args = {}): Promise<Fault> {
    let result: Result;
    try {
      result = await this.call(op, args);
    } catch (e) {
      const f = soapFault(e);
      if (!f) throw e;
      return f;
    }
    throw new Error(`${op} succeeded (${JSON.stringify(result)}) where a fault was expected`);
  }

  /**
   * Expects a RuntimeFault with `code` (what the method returned) and checks its IVirtualBoxErrorInfo,
   * whose own result code is `infoCode`: the same, unless the method returned another code over the
   * error info of the object that failed (vboxwebsrv's RaiseSoapRuntimeFault sends both).
   */
  async runtimeFault(code: keyof typeof RC, op: string, args: Args = {}, infoCode: keyof typeof RC = code): Promise<{ fault: Fault; text: string; component: string; interfaceID: string }> {
    const f = await this.fault(op, args);
    expect(f.badObjectID, `${op}: InvalidObjectFault where a RuntimeFault was expected: ${f.faultstring}`).toBeUndefined();
    expect(RC_NAME.get(f.resultCode ?? 0) ?? f.resultCode, `${op}: ${f.faultstring}`).toBe(code);
    expect(f.resultCode).toBe(RC[code]);
    expect(f.faultcode).toMatch(/Client$/);
    expect(f.errorInfo).toMatch(REF);
    const info = { _this: f.errorInfo };
    expect(await this.str('IManagedObjectRef_getInterfaceName', info)).toBe('IVirtualBoxErrorInfo');
    expect(await this.num('IVirtualBoxErrorInfo_getResultCode', info)).toBe(RC[infoCode]);
    const errText = await this.str('IVirtualBoxErrorInfo_getText', info);
    const component = await this.str('IVirtualBoxErrorInfo_getComponent', info);
    const interfaceID = await this.str('IVirtualBoxErrorInfo_getInterfaceID', info);
    expect(errText.length).toBeGreaterThan(0);
    // "VirtualBox error: apirc=<returned> <text> (<error info's code>)"
    expect(f.faultstring).toBe(`VirtualBox error: apirc=${hex(RC[code])} ${errText} (${hex(RC[infoCode])})`);
    expect(component.length).toBeGreaterThan(0);
    expect(interfaceID).toMatch(UUID);
    expect(await this.str('IVirtualBoxErrorInfo_getNext', info)).toBe('');
    return { fault: f, text: errText, component, interfaceID };
  }

  async invalidObject(op: string, args: Args, bad: string): Promise<Fault> {
    const f = await this.fault(op, args);
    expect(f.resultCode, `${op}: RuntimeFault where an InvalidObjectFault was expected: ${f.faultstring}`).toBeUndefined();
    expect(f.badObjectID).toBe(bad);
    expect(f.faultcode).toMatch(/Client$/);
    return f;
  }

  /** Waits for an IProgress and returns its result code (0 on success). */
  async waitProgress(progress: string, timeoutMs = 30_000): Promise<number> {
    expect(progress).toMatch(REF);
    await this.call('IProgress_waitForCompletion', { _this: progress, timeout: timeoutMs });
    expect(await this.bool('IProgress_getCompleted', { _this: progress })).toBe(true);
    return this.num('IProgress_getResultCode', { _this: progress });
  }

  /** The error text of a failed progress, for assertion messages. */
  async progressError(progress: string): Promise<string> {
    const info = await this.str('IProgress_getErrorInfo', { _this: progress });
    return info ? this.str('IVirtualBoxErrorInfo_getText', { _this: info }) : '';
  }

  async state(machine: string): Promise<string> { return this.str('IMachine_getState', { _this: machine }); }

  async waitState(machine: string, want: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let st = await this.state(machine);
    while (st !== want && Date.now() < deadline) {
      await sleep(50);
      st = await this.state(machine);
    }
    return st;
  }
}

async function officialClient(endpoint: string): Promise<Api> {
  return new Api(await soap.createClientAsync(SERVICE_WSDL, { endpoint }));
}

// ---------------------------------------------------------------- the walk

describe.skipIf(!HAVE_REFERENCE)('vboxsim against a client of the official 7.1 WSDL', () => {
  const VM_NAME = 'conformance-vm';
  const vrdeBase = 20_000 + 1000 * Math.floor(Math.random() * 40);
  let sim: Sim;
  let a: Api;
  let b: Api;
  let vbA = '';
  let vbB = '';
  let diskPath = '';
  // The new machine on host A, its launch session and (while running) its console.
  let machine = '';
  let machineId = '';
  let session = '';
  let consoleRef = '';
  let events = '';
  let listener = '';
  // The teleport target on host B.
  let target = '';
  let targetSession = '';

  beforeAll(async () => {
    sim = await startSim({ hosts: 2, port: 0, vms: 2, control: true, timeoutSec: 300, vrdeBase });
    // Parsing the 3.8 MB official WSDL takes a moment; once per host, here.
    [a, b] = await Promise.all([officialClient(sim.urls[0]), officialClient(sim.urls[1])]);
    diskPath = path.join(sim.storageDir, `${VM_NAME}.vdi`);
  });

  afterAll(async () => {
    await sim?.stop();
  });

  /** Reads the listener's events up to (and including) a state change of our machine to `until`. */
  async function statesUntil(until: string, timeoutMs = 10_000): Promise<string[]> {
    const seen: string[] = [];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ev = await a.str('IEventSource_getEvent', { _this: events, listener, timeout: 500 });
      if (!ev) continue;
      // The reference is of the type getEvent declares (vboxwebsrv's createOrFindRefFromComPtr with
      // g_pcszIEvent); the subtype's operations work on it all the same.
      expect(await a.str('IManagedObjectRef_getInterfaceName', { _this: ev })).toBe('IEvent');
      expect(await a.str('IEvent_getType', { _this: ev })).toBe('OnMachineStateChanged');
      const id = await a.str('IMachineEvent_getMachineId', { _this: ev });
      const st = await a.str('IMachineStateChangedEvent_getState', { _this: ev });
      await a.call('IEventSource_eventProcessed', { _this: events, listener, event: ev });
      await a.call('IManagedObjectRef_release', { _this: ev });
      if (id !== machineId) continue;
      seen.push(st);
      if (st === until) return seen;
    }
    throw new Error(`no OnMachineStateChanged to ${until} within ${timeoutMs} ms (saw ${seen.join(' → ') || 'nothing'})`);
  }

  async function launch(api: Api, m: string, s: string): Promise<string> {
    const progress = await api.str('IMachine_launchVMProcess', { _this: m, session: s, name: 'headless' });
    expect(progress).toMatch(REF);
    return progress;
  }

  it('logs on, and refuses a wrong password', async () => {
    vbA = await a.str('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
    vbB = await b.str('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
    expect(vbA).toMatch(REF);
    expect(vbB).toMatch(REF);
    expect(await a.str('IManagedObjectRef_getInterfaceName', { _this: vbA })).toBe('IVirtualBox');
    expect(await a.str('IVirtualBox_getVersion', { _this: vbA })).toMatch(/^7\.1\.\d+/);
    expect(await a.str('IVirtualBox_getAPIVersion', { _this: vbA })).toBe('7_1');
    const before = sim.hosts[0].sim.soap.websessions.count;
    // vboxwebsrv's logon returns SOAP_FAULT without raising a fault, so gSOAP's soap_set_fault sends
    // faultcode SOAP-ENV:Client and nothing else: no faultstring, no RuntimeFault, no error info.
    const f = await a.fault('IWebsessionManager_logon', { username: 'vbox', password: 'wrong' });
    expect(f).toEqual({ faultcode: 'SOAP-ENV:Client', faultstring: '' });
    const res = await fetch(sim.urls[0], {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' },
      body: '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"' +
        ' xmlns:vbox="http://www.virtualbox.org/"><soap:Body><vbox:IWebsessionManager_logon><username>vbox</username>' +
        '<password>wrong</password></vbox:IWebsessionManager_logon></soap:Body></soap:Envelope>',
    });
    expect(res.status).toBe(500);
    const raw = await res.text();
    expect(raw).toMatch(/<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client<\/faultcode><\/SOAP-ENV:Fault>/);
    expect(raw).not.toMatch(/faultstring|detail|RuntimeFault/);
    expect(sim.hosts[0].sim.soap.websessions.count).toBe(before);
  });

  it('lists the machines and finds one by name and by UUID', async () => {
    const machines = await a.list('IVirtualBox_getMachines', { _this: vbA });
    expect(machines).toHaveLength(2);
    const names = await Promise.all(machines.map((m) => a.str('IMachine_getName', { _this: m })));
    expect(names.sort()).toEqual(['db-a2', 'web-a1']);
    const states = asList((await a.call('IVirtualBox_getMachineStates', { _this: vbA, machines })).returnval).map(text);
    expect(states).toHaveLength(2);
    for (const s of states) expect(['Running', 'PoweredOff']).toContain(s);
    const byName = await a.str('IVirtualBox_findMachine', { _this: vbA, nameOrId: 'web-a1' });
    expect(await a.str('IMachine_getName', { _this: byName })).toBe('web-a1');
    const id = await a.str('IMachine_getId', { _this: byName });
    expect(id).toMatch(UUID);
    // The same object comes back as the same reference within a websession.
    expect(await a.str('IVirtualBox_findMachine', { _this: vbA, nameOrId: id })).toBe(byName);
    expect(await a.str('IVirtualBox_findMachine', { _this: vbA, nameOrId: `{${id}}` })).toBe(byName);
    await a.runtimeFault('VBOX_E_OBJECT_NOT_FOUND', 'IVirtualBox_findMachine', { _this: vbA, nameOrId: 'no-such-machine' });
  });

  it('creates a machine with a disk on the shared storage, configures and registers it', async () => {
    machine = await a.str('IVirtualBox_createMachine', {
      _this: vbA, settingsFile: '', name: VM_NAME, platform: 'x86', groups: ['/conformance'], osTypeId: 'Debian12_64',
      flags: '', cipher: '', passwordId: '', password: '',
    });
    expect(machine).toMatch(REF);
    machineId = await a.str('IMachine_getId', { _this: machine });
    expect(machineId).toMatch(UUID);
    expect(await a.state(machine)).toBe('PoweredOff');

    const medium = await a.str('IVirtualBox_createMedium', { _this: vbA, format: 'VDI', location: diskPath, accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
    expect(await a.str('IMedium_getState', { _this: medium })).toBe('NotCreated');
    const created = await a.str('IMedium_createBaseStorage', { _this: medium, logicalSize: 2 * 1024 ** 3, variant: ['Standard'] });
    expect(await a.waitProgress(created)).toBe(0);
    expect(fs.existsSync(diskPath)).toBe(true);
    expect(await a.str('IMedium_getState', { _this: medium })).toBe('Created');
    expect(await a.num('IMedium_getLogicalSize', { _this: medium })).toBe(2 * 1024 ** 3);
    expect(await a.str('IMedium_getLocation', { _this: medium })).toBe(diskPath);

    // As VirtualBox: storage goes on a registered machine, and a registered machine changes through a
    // session's machine only.
    await a.call('IVirtualBox_registerMachine', { _this: vbA, machine });
    const settingsFile = await a.str('IMachine_getSettingsFilePath', { _this: machine });
    expect(fs.existsSync(settingsFile)).toBe(true);
    const ws = await a.str('IWebsessionManager_getSessionObject', { refIVirtualBox: vbA });
    await a.call('IMachine_lockMachine', { _this: machine, session: ws, lockType: 'Write' });
    const sm = await a.str('ISession_getMachine', { _this: ws });
    await a.call('IMachine_setCPUCount', { _this: sm, CPUCount: 2 });
    await a.call('IMachine_setMemorySize', { _this: sm, memorySize: 1024 });
    const smNic = await a.str('IMachine_getNetworkAdapter', { _this: sm, slot: 0 });
    await a.call('INetworkAdapter_setEnabled', { _this: smNic, enabled: true });
    await a.call('INetworkAdapter_setAttachmentType', { _this: smNic, attachmentType: 'Bridged' });
    await a.call('INetworkAdapter_setBridgedInterface', { _this: smNic, bridgedInterface: 'vbox0' });
    const order = ['HardDisk', 'DVD', 'Network', 'Null'];
    for (const [i, device] of order.entries()) await a.call('IMachine_setBootOrder', { _this: sm, position: i + 1, device });
    const smVrde = await a.str('IMachine_getVRDEServer', { _this: sm });
    await a.call('IVRDEServer_setEnabled', { _this: smVrde, enabled: true });
    await a.call('IVRDEServer_setVRDEExtPack', { _this: smVrde, VRDEExtPack: 'VNC' });
    await a.call('IVRDEServer_setVRDEProperty', { _this: smVrde, key: 'TCP/Ports', value: `${vrdeBase + 500}-${vrdeBase + 599}` });
    await a.call('IVRDEServer_setVRDEProperty', { _this: smVrde, key: 'VNCPassword', value: 'vnc-secret' });
    await a.call('IMachine_addStorageController', { _this: sm, name: 'SATA', connectionType: 'SATA' });
    await a.call('IMachine_attachDevice', { _this: sm, name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium });
    await a.call('IMachine_saveSettings', { _this: sm });
    await a.call('ISession_unlockMachine', { _this: ws });
    const nic = await a.str('IMachine_getNetworkAdapter', { _this: machine, slot: 0 });
    const vrde = await a.str('IMachine_getVRDEServer', { _this: machine });

    // Read back through the registered machine.
    expect(await a.str('IVirtualBox_findMachine', { _this: vbA, nameOrId: VM_NAME })).toBe(machine);
    expect(await a.num('IMachine_getCPUCount', { _this: machine })).toBe(2);
    expect(await a.num('IMachine_getMemorySize', { _this: machine })).toBe(1024);
    expect(await a.list('IMachine_getGroups', { _this: machine })).toEqual(['/conformance']);
    expect(await a.str('INetworkAdapter_getAttachmentType', { _this: nic })).toBe('Bridged');
    expect(await a.str('INetworkAdapter_getBridgedInterface', { _this: nic })).toBe('vbox0');
    for (const [i, device] of order.entries()) expect(await a.str('IMachine_getBootOrder', { _this: machine, position: i + 1 })).toBe(device);
    expect(await a.bool('IVRDEServer_getEnabled', { _this: vrde })).toBe(true);
    expect(await a.str('IVRDEServer_getVRDEProperty', { _this: vrde, key: 'TCP/Ports' })).toBe(`${vrdeBase + 500}-${vrdeBase + 599}`);
    const attachments = asList((await a.call('IMachine_getMediumAttachments', { _this: machine })).returnval) as Array<Record<string, unknown>>;
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ machine, medium, controller: 'SATA', type: 'HardDisk' });
    expect(Number(attachments[0].port)).toBe(0);
    expect(await a.str('IMachine_getMedium', { _this: machine, name: 'SATA', controllerPort: 0, device: 0 })).toBe(medium);
    expect(await a.list('IMedium_getMachineIds', { _this: medium })).toEqual([machineId]);
  });

  it('configures the machine under a write lock; other locks and the plain machine are refused; unsaved changes are dropped', async () => {
    const ws = await a.str('IWebsessionManager_getSessionObject', { refIVirtualBox: vbA });
    expect(await a.str('IManagedObjectRef_getInterfaceName', { _this: ws })).toBe('ISession');
    expect(await a.str('ISession_getState', { _this: ws })).toBe('Unlocked');
    await a.call('IMachine_lockMachine', { _this: machine, session: ws, lockType: 'Write' });
    expect(await a.str('ISession_getState', { _this: ws })).toBe('Locked');
    expect(await a.str('ISession_getType', { _this: ws })).toBe('WriteLock');
    expect(await a.str('IMachine_getSessionState', { _this: machine })).toBe('Locked');
    const sm = await a.str('ISession_getMachine', { _this: ws });
    expect(sm).not.toBe(machine);
    expect(await a.str('IMachine_getId', { _this: sm })).toBe(machineId);

    await a.call('IMachine_setCPUCount', { _this: sm, CPUCount: 4 });
    await a.call('IMachine_setDescription', { _this: sm, description: 'configured under a write lock' });
    await a.call('IMachine_saveSettings', { _this: sm });
    await a.call('IMachine_setMemorySize', { _this: sm, memorySize: 2048 });
    expect(await a.bool('IMachine_getSettingsModified', { _this: sm })).toBe(true);
    expect(await a.num('IMachine_getMemorySize', { _this: sm })).toBe(2048);
    // The registered machine shows what was saved, not what is pending.
    expect(await a.num('IMachine_getCPUCount', { _this: machine })).toBe(4);
    expect(await a.num('IMachine_getMemorySize', { _this: machine })).toBe(1024);

    const other = await a.str('IWebsessionManager_getSessionObject', { refIVirtualBox: vbA });
    expect(other).not.toBe(ws);
    await a.runtimeFault('VBOX_E_INVALID_OBJECT_STATE', 'IMachine_lockMachine', { _this: machine, session: other, lockType: 'Write' });
    await a.runtimeFault('VBOX_E_INVALID_OBJECT_STATE', 'IMachine_launchVMProcess', { _this: machine, session: other, name: 'headless' });
    await a.runtimeFault('VBOX_E_INVALID_VM_STATE', 'IMachine_setCPUCount', { _this: machine, CPUCount: 3 });
    await a.runtimeFault('VBOX_E_INVALID_VM_STATE', 'IMachine_saveSettings', { _this: machine });
    await a.runtimeFault('E_INVALIDARG', 'IMachine_setCPUCount', { _this: sm, CPUCount: 0 });
    await a.runtimeFault('E_INVALIDARG', 'IMachine_setBootOrder', { _this: sm, position: 9, device: 'HardDisk' });

    await a.call('ISession_unlockMachine', { _this: ws });
    expect(await a.str('ISession_getState', { _this: ws })).toBe('Unlocked');
    expect(await a.str('IMachine_getSessionState', { _this: machine })).toBe('Unlocked');
    expect(await a.num('IMachine_getCPUCount', { _this: machine })).toBe(4);
    expect(await a.num('IMachine_getMemorySize', { _this: machine })).toBe(1024);
    expect(await a.str('IMachine_getDescription', { _this: machine })).toBe('configured under a write lock');
    // A fresh lock sees the saved settings only.
    await a.call('IMachine_lockMachine', { _this: machine, session: other, lockType: 'Write' });
    const sm2 = await a.str('ISession_getMachine', { _this: other });
    expect(await a.num('IMachine_getMemorySize', { _this: sm2 })).toBe(1024);
    await a.call('ISession_unlockMachine', { _this: other });
  });

  it('launches it headless and reports PoweredOff → Starting → Running to a passive listener', async () => {
    events = await a.str('IVirtualBox_getEventSource', { _this: vbA });
    listener = await a.str('IEventSource_createListener', { _this: events });
    await a.call('IEventSource_registerListener', { _this: events, listener, interesting: ['OnMachineStateChanged'], active: false });
    expect(await a.str('IEventSource_getEvent', { _this: events, listener, timeout: 0 })).toBe('');

    expect(await a.state(machine)).toBe('PoweredOff');
    session = await a.str('IWebsessionManager_getSessionObject', { refIVirtualBox: vbA });
    const progress = await launch(a, machine, session);
    expect(await a.waitProgress(progress), await a.progressError(progress)).toBe(0);
    expect(await statesUntil('Running')).toEqual(['Starting', 'Running']);
    expect(await a.state(machine)).toBe('Running');
    expect(await a.str('IMachine_getSessionState', { _this: machine })).toBe('Locked');
    expect(await a.str('ISession_getType', { _this: session })).toBe('Remote');
    expect(await a.num('IMachine_getSessionPID', { _this: machine })).toBeGreaterThan(0);

    consoleRef = await a.str('ISession_getConsole', { _this: session });
    expect(await a.str('IManagedObjectRef_getInterfaceName', { _this: consoleRef })).toBe('IConsole');
    expect(await a.str('IConsole_getState', { _this: consoleRef })).toBe('Running');
    const info = (await a.call('IConsole_getVRDEServerInfo', { _this: consoleRef })).returnval as Record<string, unknown>;
    expect(info.active === true || info.active === 'true').toBe(true);
    const port = Number(info.port);
    expect(port).toBeGreaterThanOrEqual(vrdeBase + 500);
    expect(port).toBeLessThanOrEqual(vrdeBase + 599);
    expect(await rfbGreeting(port)).toMatch(/^RFB 003\.00\d\n$/);
  });

  it('collects metrics for the host and the machine', async () => {
    const pc = await a.str('IVirtualBox_getPerformanceCollector', { _this: vbA });
    const host = await a.str('IVirtualBox_getHost', { _this: vbA });
    const names = ['CPU/Load/User', 'RAM/Usage/Used'];
    const all = await a.list('IPerformanceCollector_getMetricNames', { _this: pc });
    for (const n of names) expect(all).toContain(n);
    // As VirtualBox's filter reads them: one comma-separated list for every object; set up by base metric.
    const metrics = await a.list('IPerformanceCollector_setupMetrics', { _this: pc, metricNames: ['CPU/Load,RAM/Usage'], objects: [host, machine], period: 1, count: 3 });
    expect(metrics.length).toBe(4);
    expect(await a.num('IPerformanceMetric_getPeriod', { _this: metrics[0] })).toBe(1);
    await sleep(1200);
    const r = await a.call('IPerformanceCollector_queryMetricsData', { _this: pc, metricNames: [names.join(',')], objects: [host, machine] });
    const metricNames = asList(r.returnMetricNames).map(text);
    const objects = asList(r.returnObjects).map(text);
    const units = asList(r.returnUnits).map(text);
    const scales = asList(r.returnScales).map(Number);
    const indices = asList(r.returnDataIndices).map(Number);
    const lengths = asList(r.returnDataLengths).map(Number);
    const values = asList(r.returnval).map(Number);
    expect(metricNames.length).toBeGreaterThanOrEqual(4);
    for (const list of [objects, units, scales, indices, lengths]) expect(list).toHaveLength(metricNames.length);
    for (const [object, metric, unit, scale] of [
      [host, 'CPU/Load/User', '%', 1000], [host, 'RAM/Usage/Used', 'kB', 1],
      [machine, 'CPU/Load/User', '%', 1000], [machine, 'RAM/Usage/Used', 'kB', 1],
    ] as const) {
      const i = metricNames.findIndex((n, j) => n === metric && objects[j] === object);
      expect(i, `${metric} of ${object === host ? 'the host' : 'the machine'}`).toBeGreaterThanOrEqual(0);
      expect(units[i]).toBe(unit);
      expect(scales[i]).toBe(scale);
      expect(lengths[i]).toBeGreaterThan(0);
      const data = values.slice(indices[i], indices[i] + lengths[i]);
      for (const v of data) {
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        if (unit === '%') expect(v).toBeLessThanOrEqual(100 * scale);
      }
    }
  });

  it('takes a PNG screenshot of the requested size', async () => {
    const display = await a.str('IConsole_getDisplay', { _this: consoleRef });
    const res = await a.call('IDisplay_getScreenResolution', { _this: display, screenId: 0 });
    expect(Number(res.width)).toBeGreaterThan(0);
    expect(Number(res.height)).toBeGreaterThan(0);
    expect(text(res.guestMonitorStatus)).toBe('Enabled');
    const b64 = await a.str('IDisplay_takeScreenShotToArray', { _this: display, screenId: 0, width: 320, height: 200, bitmapFormat: 'PNG' });
    const png = Buffer.from(b64, 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(320);
    expect(png.readUInt32BE(20)).toBe(200);
    await a.runtimeFault('E_INVALIDARG', 'IDisplay_takeScreenShotToArray', { _this: display, screenId: 7, width: 320, height: 200, bitmapFormat: 'PNG' });
  });

  it('pauses and resumes', async () => {
    await a.call('IConsole_pause', { _this: consoleRef });
    expect(await a.state(machine)).toBe('Paused');
    await a.runtimeFault('VBOX_E_INVALID_VM_STATE', 'IConsole_pause', { _this: consoleRef });
    await a.call('IConsole_resume', { _this: consoleRef });
    expect(await a.state(machine)).toBe('Running');
    await a.runtimeFault('VBOX_E_INVALID_VM_STATE', 'IConsole_resume', { _this: consoleRef });
    expect(await statesUntil('Running')).toEqual(['Paused', 'Running']);
  });

  it('shuts down by the ACPI power button after a moment', async () => {
    await a.call('IConsole_powerButton', { _this: consoleRef });
    expect(await a.bool('IConsole_getPowerButtonHandled', { _this: consoleRef })).toBe(true);
    // The guest takes a moment to act on it.
    expect(await a.state(machine)).toBe('Running');
    const states = await statesUntil('PoweredOff');
    expect(states.at(-1)).toBe('PoweredOff');
    expect(await a.state(machine)).toBe('PoweredOff');
    expect(await a.str('IMachine_getSessionState', { _this: machine })).toBe('Unlocked');
    expect(await a.str('ISession_getState', { _this: session })).toBe('Unlocked');
  });

  it('saves the state and restores it', async () => {
    const started = await launch(a, machine, session);
    expect(await a.waitProgress(started), await a.progressError(started)).toBe(0);
    expect(await statesUntil('Running')).toEqual(['Starting', 'Running']);
    const sm = await a.str('ISession_getMachine', { _this: session });
    await a.runtimeFault('VBOX_E_INVALID_VM_STATE', 'IMachine_saveState', { _this: machine });
    const saving = await a.str('IMachine_saveState', { _this: sm });
    expect(await a.waitProgress(saving), await a.progressError(saving)).toBe(0);
    expect(await statesUntil('Saved')).toEqual(['Saving', 'Saved']);
    expect(await a.state(machine)).toBe('Saved');
    expect(await a.str('IMachine_getStateFilePath', { _this: machine })).not.toBe('');
    expect(await a.str('IMachine_getSessionState', { _this: machine })).toBe('Unlocked');

    const restoring = await launch(a, machine, session);
    expect(await a.waitProgress(restoring), await a.progressError(restoring)).toBe(0);
    expect(await statesUntil('Running')).toEqual(['Restoring', 'Running']);
    expect(await a.str('IMachine_getStateFilePath', { _this: machine })).toBe('');
    consoleRef = await a.str('ISession_getConsole', { _this: session });
    expect(await a.str('IConsole_getState', { _this: consoleRef })).toBe('Running');
  });

  // The target waits in TeleportingIn on host B; IConsole::teleport on host A moves the running machine there.
  it('teleports it to the other host', async () => {
    expect(await a.state(machine)).toBe('Running');
    const port = await freePort();
    const password = 'teleport-secret';

    // The target: the same disk (shared storage) in a machine registered on host B, waiting for the teleport.
    const medium = await b.str('IVirtualBox_openMedium', { _this: vbB, location: diskPath, deviceType: 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false });
    expect(await b.str('IMedium_getLocation', { _this: medium })).toBe(diskPath);
    target = await b.str('IVirtualBox_createMachine', {
      _this: vbB, settingsFile: '', name: VM_NAME, platform: 'x86', groups: ['/conformance'], osTypeId: 'Debian12_64',
      flags: '', cipher: '', passwordId: '', password: '',
    });
    await b.call('IMachine_setCPUCount', { _this: target, CPUCount: 4 });
    await b.call('IMachine_setMemorySize', { _this: target, memorySize: 1024 });
    const nic = await b.str('IMachine_getNetworkAdapter', { _this: target, slot: 0 });
    await b.call('INetworkAdapter_setAttachmentType', { _this: nic, attachmentType: 'Bridged' });
    await b.call('INetworkAdapter_setBridgedInterface', { _this: nic, bridgedInterface: 'vbox0' });
    const vrde = await b.str('IMachine_getVRDEServer', { _this: target });
    await b.call('IVRDEServer_setEnabled', { _this: vrde, enabled: true });
    await b.call('IVRDEServer_setVRDEProperty', { _this: vrde, key: 'TCP/Ports', value: `${vrdeBase + 1500}-${vrdeBase + 1599}` });
    await b.call('IMachine_setTeleporterEnabled', { _this: target, teleporterEnabled: true });
    await b.call('IMachine_setTeleporterPort', { _this: target, teleporterPort: port });
    await b.call('IMachine_setTeleporterPassword', { _this: target, teleporterPassword: password });
    await b.call('IMachine_saveSettings', { _this: target });
    await b.call('IVirtualBox_registerMachine', { _this: vbB, machine: target });
    // Storage is attached to a registered machine, through a session.
    const ws = await b.str('IWebsessionManager_getSessionObject', { refIVirtualBox: vbB });
    await b.call('IMachine_lockMachine', { _this: target, session: ws, lockType: 'Write' });
    const sm = await b.str('ISession_getMachine', { _this: ws });
    await b.call('IMachine_addStorageController', { _this: sm, name: 'SATA', connectionType: 'SATA' });
    await b.call('IMachine_attachDevice', { _this: sm, name: 'SATA', controllerPort: 0, device: 0, type: 'HardDisk', medium });
    await b.call('IMachine_saveSettings', { _this: sm });
    await b.call('ISession_unlockMachine', { _this: ws });
    expect(await b.bool('IMachine_getTeleporterEnabled', { _this: target })).toBe(true);
    expect(await b.num('IMachine_getTeleporterPort', { _this: target })).toBe(port);

    targetSession = await b.str('IWebsessionManager_getSessionObject', { refIVirtualBox: vbB });
    const incoming = await launch(b, target, targetSession);
    // The target powers up into TeleportingIn and waits (its launch progress may finish only with the teleport).
    const deadline = Date.now() + 10_000;
    let st = await b.state(target);
    while (st !== 'TeleportingIn' && Date.now() < deadline) {
      if (await b.bool('IProgress_getCompleted', { _this: incoming })) {
        const rc = await b.num('IProgress_getResultCode', { _this: incoming });
        if (rc !== 0) throw new Error(`the teleport target failed to start: ${RC_NAME.get(rc) ?? rc} ${await b.progressError(incoming)}`);
      }
      await sleep(50);
      st = await b.state(target);
    }
    expect(st).toBe('TeleportingIn');

    const teleporting = await a.str('IConsole_teleport', { _this: consoleRef, hostname: '127.0.0.1', tcpport: port, password, maxDowntime: 250 });
    expect(await a.waitProgress(teleporting, 60_000), await a.progressError(teleporting)).toBe(0);
    expect(await statesUntil('Teleported')).toContain('Teleported');
    expect(await a.state(machine)).toBe('Teleported');
    expect(await a.str('IMachine_getSessionState', { _this: machine })).toBe('Unlocked');
    expect(await b.waitState(target, 'Running')).toBe('Running');
    expect(await b.waitProgress(incoming, 30_000), await b.progressError(incoming)).toBe(0);
    const targetConsole = await b.str('ISession_getConsole', { _this: targetSession });
    expect(await b.str('IConsole_getState', { _this: targetConsole })).toBe('Running');
  });

  it('powers it off', async () => {
    // After the teleport the machine runs on host B; should the teleport have failed, it still runs on host A.
    const onB = target ? await b.state(target) : 'PoweredOff';
    const [api, s, m] = onB === 'Running' ? [b, targetSession, target] : [a, session, machine];
    expect(await api.state(m)).toBe('Running');
    const c = await api.str('ISession_getConsole', { _this: s });
    const progress = await api.str('IConsole_powerDown', { _this: c });
    expect(await api.waitProgress(progress), await api.progressError(progress)).toBe(0);
    expect(await api.state(m)).toBe('PoweredOff');
    expect(await api.str('IMachine_getSessionState', { _this: m })).toBe('Unlocked');
    await api.runtimeFault('VBOX_E_INVALID_VM_STATE', 'IConsole_powerDown', { _this: c });
    // Whatever side did not run it is at rest too.
    expect(['PoweredOff', 'Teleported']).toContain(await a.state(machine));
    if (target) await b.waitState(target, 'PoweredOff', 5000);
  });

  it('unregisters the machine and deletes its files and disk', async () => {
    await a.call('IEventSource_unregisterListener', { _this: events, listener });
    // Host B first (when the teleport target exists): it shares the disk with host A's machine.
    for (const [api, vb, m] of [[b, vbB, target], [a, vbA, machine]] as const) {
      if (!m) continue;
      expect(['PoweredOff', 'Teleported', 'Aborted']).toContain(await api.state(m));
      const settingsFile = await api.str('IMachine_getSettingsFilePath', { _this: m });
      expect(fs.existsSync(settingsFile)).toBe(true);
      const media = await api.list('IMachine_unregister', { _this: m, cleanupMode: 'DetachAllReturnHardDisksOnly' });
      expect(media).toHaveLength(1);
      expect(await api.str('IMedium_getLocation', { _this: media[0] })).toBe(diskPath);
      await api.runtimeFault('VBOX_E_OBJECT_NOT_FOUND', 'IVirtualBox_findMachine', { _this: vb, nameOrId: VM_NAME });
      const progress = await api.str('IMachine_deleteConfig', { _this: m, media });
      expect(await api.waitProgress(progress), await api.progressError(progress)).toBe(0);
      expect(fs.existsSync(settingsFile)).toBe(false);
      expect(fs.existsSync(diskPath)).toBe(false);
      expect(await api.list('IVirtualBox_getHardDisks', { _this: vb }).then((l) => Promise.all(l.map((d) => api.str('IMedium_getLocation', { _this: d }))))).not.toContain(diskPath);
    }
    expect(await a.list('IVirtualBox_getMachines', { _this: vbA })).toHaveLength(2);
  });

  it('logs off, after which the websession\'s references are invalid', async () => {
    await a.call('IWebsessionManager_logoff', { refIVirtualBox: vbA });
    await b.call('IWebsessionManager_logoff', { refIVirtualBox: vbB });
    // Logging off twice is harmless, as in vboxwebsrv.
    await a.call('IWebsessionManager_logoff', { refIVirtualBox: vbA });
    await a.invalidObject('IVirtualBox_getVersion', { _this: vbA }, vbA);
    await b.invalidObject('IVirtualBox_getVersion', { _this: vbB }, vbB);
  });

  // ------------------------------------------------------------ faults

  describe('faults', () => {
    let vb = '';
    let running = '';

    beforeAll(async () => {
      vb = await a.str('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
      running = await a.str('IVirtualBox_findMachine', { _this: vb, nameOrId: 'web-a1' });
      expect(await a.state(running)).toBe('Running');
    });

    it('InvalidObjectFault names an unknown or malformed reference', async () => {
      const unknown = '0123456789abcdef-0000000000000001';
      await a.invalidObject('IVirtualBox_getVersion', { _this: unknown }, unknown);
      await a.invalidObject('IVirtualBox_getVersion', { _this: 'not-a-reference' }, 'not-a-reference');
      // An object of this websession that does not exist.
      const missing = `${vb.slice(0, 16)}-00000000deadbeef`;
      await a.invalidObject('IMachine_getName', { _this: missing }, missing);
      // A reference of another interface than the operation's.
      await a.invalidObject('IMachine_getName', { _this: vb }, vb);
      // A reference as an argument, too.
      await a.invalidObject('IMachine_lockMachine', { _this: running, session: unknown, lockType: 'Write' }, unknown);
      // References belong to one host: host B does not know host A's.
      await b.invalidObject('IVirtualBox_getVersion', { _this: vb }, vb);
    });

    it('RuntimeFault VBOX_E_OBJECT_NOT_FOUND, with error info that reads back', async () => {
      expect(RC.VBOX_E_OBJECT_NOT_FOUND).toBe(-2135228415);
      const r = await a.runtimeFault('VBOX_E_OBJECT_NOT_FOUND', 'IVirtualBox_findMachine', { _this: vb, nameOrId: 'no-such-machine' });
      expect(r.text).toContain('no-such-machine');
      await a.runtimeFault('VBOX_E_OBJECT_NOT_FOUND', 'IMachine_getStorageControllerByName', { _this: running, name: 'NoSuchController' });
    });

    it('RuntimeFault VBOX_E_INVALID_VM_STATE', async () => {
      await a.runtimeFault('VBOX_E_INVALID_VM_STATE', 'IMachine_setMemorySize', { _this: running, memorySize: 2048 });
      await a.runtimeFault('VBOX_E_INVALID_VM_STATE', 'IMachine_saveState', { _this: running });
    });

    it('RuntimeFault VBOX_E_INVALID_OBJECT_STATE', async () => {
      const s = await a.str('IWebsessionManager_getSessionObject', { refIVirtualBox: vb });
      // Locked by its VM process.
      await a.runtimeFault('VBOX_E_INVALID_OBJECT_STATE', 'IMachine_lockMachine', { _this: running, session: s, lockType: 'Write' });
      await a.runtimeFault('VBOX_E_INVALID_OBJECT_STATE', 'IMachine_unregister', { _this: running, cleanupMode: 'UnregisterOnly' });
    });

    it('RuntimeFault E_INVALIDARG', async () => {
      await a.runtimeFault('E_INVALIDARG', 'IMachine_getBootOrder', { _this: running, position: 0 });
      await a.runtimeFault('E_INVALIDARG', 'IMachine_getNetworkAdapter', { _this: running, slot: 99 });
      await a.runtimeFault('E_INVALIDARG', 'IVirtualBox_createMachine', {
        _this: vb, settingsFile: '', name: '', platform: 'x86', osTypeId: 'Debian12_64', flags: '', cipher: '', passwordId: '', password: '',
      });
    });

    it("openMedium of a missing file: VBOX_E_OBJECT_NOT_FOUND over the Medium's VBOX_E_FILE_ERROR error info", async () => {
      // Medium::i_setLocation fails with VBOX_E_FILE_ERROR; VirtualBox::openMedium returns
      // VBOX_E_OBJECT_NOT_FOUND for it and leaves the Medium's error info in place.
      const missing = path.join(sim.storageDir, 'no-such-disk.vdi');
      const r = await a.runtimeFault('VBOX_E_OBJECT_NOT_FOUND', 'IVirtualBox_openMedium', {
        _this: vb, location: missing, deviceType: 'HardDisk', accessMode: 'ReadWrite', forceNewUuid: false,
      }, 'VBOX_E_FILE_ERROR');
      expect(r.text).toBe(`Could not find file for the medium '${missing}' (VERR_FILE_NOT_FOUND)`);
      expect(r.component).toBe('MediumWrap');
      await a.runtimeFault('VBOX_E_OBJECT_NOT_FOUND', 'IVirtualBox_openMedium', {
        _this: vb, location: path.join(sim.storageDir, 'no-such-dir', 'no-such.iso'), deviceType: 'DVD', accessMode: 'ReadOnly', forceNewUuid: false,
      }, 'VBOX_E_FILE_ERROR');
      // A wrong device type is refused by openMedium itself.
      await a.runtimeFault('E_INVALIDARG', 'IVirtualBox_openMedium', {
        _this: vb, location: missing, deviceType: 'USB', accessMode: 'ReadWrite', forceNewUuid: false,
      });
    });

    it('RuntimeFault VBOX_E_FILE_ERROR through a failed progress', async () => {
      const medium = await a.str('IVirtualBox_createMedium', { _this: vb, format: 'VDI', location: '/dev/null/cannot/be.vdi', accessMode: 'ReadWrite', aDeviceTypeType: 'HardDisk' });
      const progress = await a.str('IMedium_createBaseStorage', { _this: medium, logicalSize: 1024 ** 3, variant: ['Standard'] });
      expect(await a.waitProgress(progress)).toBe(RC.VBOX_E_FILE_ERROR);
      const info = await a.str('IProgress_getErrorInfo', { _this: progress });
      expect(await a.num('IVirtualBoxErrorInfo_getResultCode', { _this: info })).toBe(RC.VBOX_E_FILE_ERROR);
      expect(await a.str('IVirtualBoxErrorInfo_getText', { _this: info })).toContain('/dev/null/cannot/be.vdi');
      expect(await a.str('IVirtualBoxErrorInfo_getInterfaceID', { _this: info })).toMatch(UUID);
    });

    it('IManagedObjectRef: getInterfaceName, and release invalidates the reference', async () => {
      expect(await a.str('IManagedObjectRef_getInterfaceName', { _this: vb })).toBe('IVirtualBox');
      expect(await a.str('IManagedObjectRef_getInterfaceName', { _this: running })).toBe('IMachine');
      const host = await a.str('IVirtualBox_getHost', { _this: vb });
      expect(await a.str('IManagedObjectRef_getInterfaceName', { _this: host })).toBe('IHost');
      await a.call('IManagedObjectRef_release', { _this: running });
      await a.invalidObject('IMachine_getName', { _this: running }, running);
      // As vboxwebsrv: getInterfaceName answers '' for a reference it does not know; release faults.
      expect(await a.str('IManagedObjectRef_getInterfaceName', { _this: running })).toBe('');
      await a.invalidObject('IManagedObjectRef_release', { _this: running }, running);
      // Asking again hands out a new, working reference.
      const again = await a.str('IVirtualBox_findMachine', { _this: vb, nameOrId: 'web-a1' });
      expect(again).not.toBe(running);
      expect(await a.str('IMachine_getName', { _this: again })).toBe('web-a1');
    });

    it('InvalidObjectFault for references of a websession that expired', async () => {
      const res = await fetch(`${sim.hosts[0].control}/websessions/expire`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { expired: number }).expired).toBeGreaterThanOrEqual(1);
      await a.invalidObject('IVirtualBox_getVersion', { _this: vb }, vb);
      // As in vboxwebsrv, logging off a websession that is gone is no error.
      await a.call('IWebsessionManager_logoff', { refIVirtualBox: vb });
      // A new logon works.
      const fresh = await a.str('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
      expect(await a.str('IVirtualBox_getVersion', { _this: fresh })).toMatch(/^7\.1\./);
      await a.call('IWebsessionManager_logoff', { refIVirtualBox: fresh });
    });
  });
});

describe.skipIf(!HAVE_REFERENCE)('vboxsim websession idle timeout', () => {
  let sim: Sim;
  let api: Api;

  beforeAll(async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 0, timeoutSec: 1 });
    api = await officialClient(sim.urls[0]);
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('logs off an idle websession after the timeout (watchdog every 5 s), and keeps a busy one', async () => {
    const idle = await api.str('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
    const busy = await api.str('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
    const until = Date.now() + 7_000; // timeout + the watchdog's 5 s + slack
    while (Date.now() < until) {
      expect(await api.str('IVirtualBox_getVersion', { _this: busy })).toMatch(/^7\.1\./);
      await sleep(300);
    }
    await api.invalidObject('IVirtualBox_getVersion', { _this: idle }, idle);
    expect(await api.str('IVirtualBox_getVersion', { _this: busy })).toMatch(/^7\.1\./);
  }, 20_000);
});
