import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './index';

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });

/**
 * A bare SOAP call, as any client would send it; returns the response element or the fault. Calls go
 * one at a time: vboxsim, like vboxwebsrv, serves a burst of new keep-alive connections with one worker
 * thread, holding it while the connection idles (sim/soap/listener.ts).
 */
async function call(url: string, op: string, args: Record<string, string | string[]> = {}) {
  const inner = Object.entries(args)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `<${k}>${x}</${k}>`))
    .join('');
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' },
    body: `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><v:${op} xmlns:v="http://www.virtualbox.org/">${inner}</v:${op}></s:Body></s:Envelope>`,
  });
  const body = parser.parse(await res.text()).Envelope.Body;
  return { status: res.status, result: body[`${op}Response`], fault: body.Fault };
}

async function logon(url: string): Promise<string> {
  const r = await call(url, 'IWebsessionManager_logon', { username: 'vbox', password: 'vbox' });
  return r.result.returnval as string;
}

const fs_size = (file: string) => fs.statSync(file).size;
const list = (v: unknown): string[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v as string]);

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

const vrdeBase = () => 20000 + Math.floor(Math.random() * 300) * 100;

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('vboxsim hosts', () => {
  it('starts several hosts, each with its own name, figures and demo machines, some running with VNC', async () => {
    sim = await startSim({ hosts: 3, port: 0, vms: 4, vrdeBase: vrdeBase() });
    const seen = new Set<string>();
    const vrdePorts: number[] = [];
    for (const h of sim.hosts) {
      const vbox = await logon(h.url);
      const host = (await call(h.url, 'IVirtualBox_getHost', { _this: vbox })).result.returnval;
      const mem = Number((await call(h.url, 'IHost_getMemorySize', { _this: host })).result.returnval);
      const cpus = Number((await call(h.url, 'IHost_getProcessorCount', { _this: host })).result.returnval);
      expect(mem).toBeGreaterThan(0);
      expect(cpus).toBeGreaterThan(0);
      seen.add(`${h.name}/${mem}/${cpus}`);
      const machines = list((await call(h.url, 'IVirtualBox_getMachines', { _this: vbox })).result.returnval);
      expect(machines).toHaveLength(4);
      const states = list((await call(h.url, 'IVirtualBox_getMachineStates', { _this: vbox, machines })).result.returnval);
      expect(states.filter((s) => s === 'Running').length).toBe(2);
      for (const c of h.sim.machines()) if (c.vm) vrdePorts.push(c.vm.vrdePort);
      const ifaces = list((await call(h.url, 'IHost_getNetworkInterfaces', { _this: host })).result.returnval);
      const names: string[] = [];
      for (const i of ifaces) names.push((await call(h.url, 'IHostNetworkInterface_getName', { _this: i })).result.returnval);
      expect(names).toEqual(expect.arrayContaining(['br0', 'vbox0']));
    }
    expect(new Set(sim.hosts.map((h) => h.name)).size).toBe(3);
    expect(seen.size).toBe(3);
    // VRDE ports of every host on this one machine never collide, and each one serves.
    expect(vrdePorts).toHaveLength(6);
    expect(new Set(vrdePorts).size).toBe(6);
    for (const p of vrdePorts) expect(await canConnect(p)).toBe(true);
  });

  it('keeps registered machines, their state and settings across a restart', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vboxsim-test-'));
    const base = vrdeBase();
    sim = await startSim({ hosts: 1, port: 0, vms: 2, stateDir, vrdeBase: base });
    const url = sim.urls[0];
    const vbox = await logon(url);
    const m = (await call(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'db-a2' })).result.returnval;
    // Extra data of a registered machine is set through a session's machine, as in VirtualBox 7.1.
    const session = (await call(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox })).result.returnval;
    await call(url, 'IMachine_lockMachine', { _this: m, session, lockType: 'Write' });
    const sm = (await call(url, 'ISession_getMachine', { _this: session })).result.returnval;
    await call(url, 'IMachine_setExtraData', { _this: sm, key: 'nimbox/tenant', value: 'blue' });
    await call(url, 'ISession_unlockMachine', { _this: session });
    const id = (await call(url, 'IMachine_getId', { _this: m })).result.returnval;
    await sim.stop();

    sim = await startSim({ hosts: 1, port: 0, vms: 2, stateDir, vrdeBase: base });
    const url2 = sim.urls[0];
    const vbox2 = await logon(url2);
    const machines = list((await call(url2, 'IVirtualBox_getMachines', { _this: vbox2 })).result.returnval);
    expect(machines).toHaveLength(2);
    const again = (await call(url2, 'IVirtualBox_findMachine', { _this: vbox2, nameOrId: id })).result.returnval;
    expect((await call(url2, 'IMachine_getExtraData', { _this: again, key: 'nimbox/tenant' })).result.returnval).toBe('blue');
    const web = (await call(url2, 'IVirtualBox_findMachine', { _this: vbox2, nameOrId: 'web-a1' })).result.returnval;
    expect((await call(url2, 'IMachine_getState', { _this: web })).result.returnval).toBe('Running');
    const disks = list((await call(url2, 'IVirtualBox_getHardDisks', { _this: vbox2 })).result.returnval);
    expect(disks).toHaveLength(2);
    await sim.stop();
    sim = undefined;
    // A state folder it was given is kept; one it made itself goes with it.
    expect(fs.existsSync(path.join(stateDir, 'vbox-alpha'))).toBe(true);
    fs.rmSync(stateDir, { recursive: true, force: true });
    const temporary = await startSim({ hosts: 1, port: 0, vms: 1, vrdeBase: vrdeBase() });
    expect(fs.existsSync(temporary.stateDir)).toBe(true);
    await temporary.stop();
    expect(fs.existsSync(temporary.stateDir)).toBe(false);
  });
});

describe('fault injection (--control)', () => {
  it('adds latency, takes the SOAP listener down and up, crashes a machine and expires websessions', async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 2, control: true, vrdeBase: vrdeBase() });
    const { url, control } = sim.hosts[0];
    const post = (p: string) => fetch(`${control}${p}`, { method: 'POST' }).then((r) => r.json());
    const vbox = await logon(url);

    await post('/latency?ms=150');
    let t = performance.now();
    await call(url, 'IVirtualBox_getVersion', { _this: vbox });
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    await post('/latency?ms=0');
    expect((await fetch(`${control}/latency?ms=-3`, { method: 'POST' })).status).toBe(400);

    await post('/soap/down');
    await expect(fetch(url, { method: 'POST', body: '' })).rejects.toThrow();
    await post('/soap/up');
    t = performance.now();
    expect((await call(url, 'IVirtualBox_getVersion', { _this: vbox })).result.returnval).toMatch(/^7\.1\./);

    const web = (await call(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'web-a1' })).result.returnval;
    expect((await call(url, 'IMachine_getState', { _this: web })).result.returnval).toBe('Running');
    const crashed = await post('/machines/web-a1/crash');
    expect(crashed.state).toBe('Aborted');
    expect((await call(url, 'IMachine_getState', { _this: web })).result.returnval).toBe('Aborted');
    expect((await fetch(`${control}/machines/web-a1/crash`, { method: 'POST' })).status).toBe(409);

    expect((await post('/websessions/expire')).expired).toBe(1);
    const r = await call(url, 'IVirtualBox_getVersion', { _this: vbox });
    expect(r.status).toBe(500);
    expect(r.fault.detail.InvalidObjectFault.badObjectID).toBe(vbox);

    const status = await fetch(`${control}/status`).then((x) => x.json());
    expect(status.soap).toBe('up');
    expect(status.machines.map((m: { name: string }) => m.name)).toEqual(['web-a1', 'db-a2']);
  });
});

describe('IVirtualBox_createMachine flags', () => {
  const create = (url: string, vbox: string, name: string, flags: string) => call(url, 'IVirtualBox_createMachine', {
    _this: vbox, settingsFile: '', name, platform: 'x86', groups: '/', osTypeId: 'Debian12_64', flags, cipher: '', passwordId: '', password: '',
  });
  const resultCode = (fault: { detail: { RuntimeFault: { resultCode: string } } }) => Number(fault.detail.RuntimeFault.resultCode) >>> 0;

  it('takes the machine UUID from UUID=<uuid>, refuses an existing settings file unless forceOverwrite=1', async () => {
    sim = await startSim({ hosts: 2, port: 0, vms: 0 });
    const id = '6f1c2b9e-8d4a-4c3b-9a7e-1d2c3b4a5f60';
    for (const h of sim.hosts) {
      const vbox = await logon(h.url);
      const m = await create(h.url, vbox, 'twin', `UUID={${id.toUpperCase()}}`);
      const ref = m.result.returnval as string;
      // The same UUID on every host: the twins.
      expect((await call(h.url, 'IMachine_getId', { _this: ref })).result.returnval).toBe(id);
      await call(h.url, 'IMachine_saveSettings', { _this: ref });
      expect((await call(h.url, 'IVirtualBox_registerMachine', { _this: vbox, machine: ref })).fault).toBeUndefined();
      expect((await call(h.url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: id })).result.returnval).toBe(ref);
    }
    const url = sim.hosts[0].url;
    const vbox = await logon(url);
    const ref = (await call(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'twin' })).result.returnval as string;
    const file = (await call(url, 'IMachine_getSettingsFilePath', { _this: ref })).result.returnval as string;
    expect(fs.existsSync(file)).toBe(true);
    await call(url, 'IMachine_unregister', { _this: ref, cleanupMode: 'DetachAllReturnHardDisksOnly' });

    // The settings file is still there: a new machine of that name is refused, as VirtualBox does…
    let r = await create(url, vbox, 'twin', '');
    expect(resultCode(r.fault)).toBe(0x80bb0004); // VBOX_E_FILE_ERROR
    expect(r.fault.faultstring).toContain(`Machine settings file '${file}' already exists`);
    // …unless forceOverwrite=1, which deletes it; unknown and malformed entries are skipped.
    r = await create(url, vbox, 'twin', 'forceOverwrite=1,directoryIncludesUUID=0,junk');
    expect(r.fault).toBeUndefined();
    expect(fs.existsSync(file)).toBe(false);
    const fresh = (await call(url, 'IMachine_getId', { _this: r.result.returnval })).result.returnval;
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh).not.toBe(id);

    r = await create(url, vbox, 'other', 'UUID=not-a-uuid');
    expect(resultCode(r.fault)).toBe(0x80070057); // E_INVALIDARG
    expect(r.fault.faultstring).toContain('is not a valid Guid');
    // The zero UUID means "make one".
    r = await create(url, vbox, 'other', 'UUID=00000000-0000-0000-0000-000000000000');
    expect((await call(url, 'IMachine_getId', { _this: r.result.returnval })).result.returnval).not.toBe('00000000-0000-0000-0000-000000000000');
  });
});

describe('IPerformanceCollector', () => {
  it("reads names and objects as VirtualBox's filter does, and keeps a machine's metrics only while its VM process runs", async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 2, control: true, vrdeBase: vrdeBase() });
    const { url, control } = sim.hosts[0];
    const vbox = await logon(url);
    const get = async (op: string, args: Record<string, string | string[]>) => (await call(url, op, args)).result.returnval as string;
    const pc = await get('IVirtualBox_getPerformanceCollector', { _this: vbox });
    const host = await get('IVirtualBox_getHost', { _this: vbox });
    const web = await get('IVirtualBox_findMachine', { _this: vbox, nameOrId: 'web-a1' });
    const db = await get('IVirtualBox_findMachine', { _this: vbox, nameOrId: 'db-a2' });
    const setup = async (names: string[], objects: string[]) => {
      const metrics = list((await call(url, 'IPerformanceCollector_setupMetrics', { _this: pc, metricNames: names, objects, period: '1', count: '5' })).result.returnval);
      const out: string[] = [];
      for (const m of metrics) out.push(await get('IPerformanceMetric_getMetricName', { _this: m }));
      return out;
    };
    const query = async (names: string[], objects: string[]) => {
      const r = (await call(url, 'IPerformanceCollector_queryMetricsData', { _this: pc, metricNames: names, objects })).result;
      const objs = list(r.returnObjects);
      const lengths = list(r.returnDataLengths).map(Number);
      return list(r.returnMetricNames).map((n, i) => `${objs[i] === host ? 'host' : objs[i] === web ? 'web' : objs[i]} ${n} ${lengths[i]}`);
    };

    // Setup names base metrics: a sub-metric's name selects nothing; a powered-off machine has no metrics.
    expect(await setup(['CPU/Load/User'], [host])).toEqual([]);
    expect(await setup(['CPU/Load,RAM/Usage'], [host, web, db])).toEqual(['CPU/Load', 'RAM/Usage', 'CPU/Load', 'RAM/Usage']);
    // Before the collector's first tick nothing is kept yet; one list applies to every object…
    expect(await query(['CPU/Load/User,RAM/Usage/Used'], [host, web])).toEqual(['host CPU/Load/User 0', 'host RAM/Usage/Used 0', 'web CPU/Load/User 0', 'web RAM/Usage/Used 0']);
    // …several lists pair with the objects one by one.
    expect(await query(['CPU/Load/User', 'RAM/Usage/Used'], [host, web])).toEqual(['host CPU/Load/User 0', 'web RAM/Usage/Used 0']);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await query(['CPU/Load/User:'], [web])).toEqual(['web CPU/Load/User 1']);

    // The VM process ends: its metrics are gone; a new one has them again, not set up.
    await fetch(`${control}/machines/web-a1/crash`, { method: 'POST' });
    expect(await query(['CPU/Load/User'], [web])).toEqual([]);
    const session = await get('IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await call(url, 'IMachine_launchVMProcess', { _this: web, session, name: 'headless', environmentChanges: [] });
    for (let i = 0; i < 100 && (await get('IMachine_getState', { _this: web })) !== 'Running'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await query(['CPU/Load/User'], [web])).toEqual(['web CPU/Load/User 0']);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await query(['CPU/Load/User'], [web])).toEqual(['web CPU/Load/User 0']);
    // The host's kept on collecting meanwhile.
    expect((await query(['CPU/Load/User'], [host]))[0]).toMatch(/^host CPU\/Load\/User [2-5]$/);
  });

  it("offers VirtualBox's network and disk metrics: a host's per bridged interface, disk and root file system, a machine's network rate and disk usage", async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 2, control: true, vrdeBase: vrdeBase() });
    const { url } = sim.hosts[0];
    const vbox = await logon(url);
    const get = async (op: string, args: Record<string, string | string[]>) => (await call(url, op, args)).result.returnval as string;
    const pc = await get('IVirtualBox_getPerformanceCollector', { _this: vbox });
    const host = await get('IVirtualBox_getHost', { _this: vbox });
    const web = await get('IVirtualBox_findMachine', { _this: vbox, nameOrId: 'web-a1' });
    const names = async (op: string, metricNames: string[], objects: string[]) => {
      const out: string[] = [];
      for (const m of list((await call(url, op, { _this: pc, metricNames, objects, period: '1', count: '3' })).result.returnval)) {
        out.push(await get('IPerformanceMetric_getMetricName', { _this: m }));
      }
      return out;
    };
    // Host::i_registerMetrics, i_registerDiskMetrics and i_updateNetIfList: the root file system, its disk, each bridged interface.
    expect(await names('IPerformanceCollector_getMetrics', ['FS/*/Usage/Total,Disk/*:,Net/*/Load/Rx'], [host])).toEqual([
      'FS/{/}/Usage/Total', 'Disk/sda/Load/Util', 'Disk/sda/Usage/Total', 'Net/eno1/Load/Rx', 'Net/br0/Load/Rx', 'Net/vbox0/Load/Rx',
    ]);
    expect(await names('IPerformanceCollector_setupMetrics', ['Net/*/Load,Net/*/LinkSpeed,Disk/*/Load,FS/*/Usage'], [host])).toEqual([
      'FS/{/}/Usage', 'Disk/sda/Load', 'Net/eno1/LinkSpeed', 'Net/eno1/Load', 'Net/br0/LinkSpeed', 'Net/br0/Load', 'Net/vbox0/LinkSpeed', 'Net/vbox0/Load',
    ]);
    expect(await names('IPerformanceCollector_setupMetrics', ['Net/Rate,Disk/Usage'], [web])).toEqual(['Disk/Usage', 'Net/Rate']);
    await new Promise((r) => setTimeout(r, 1_100));
    const r = (await call(url, 'IPerformanceCollector_queryMetricsData', {
      _this: pc, metricNames: ['FS/*/Usage/*:,Disk/*/Load/Util,Net/eno1/*:,Net/Rate/*:,Disk/Usage/Used'], objects: [host, web],
    })).result;
    const values = list(r.returnval).map(Number);
    const idx = list(r.returnDataIndices).map(Number);
    const got = list(r.returnMetricNames).map((n, i) => ({
      n, object: list(r.returnObjects)[i] === host ? 'host' : 'web', unit: list(r.returnUnits)[i], scale: Number(list(r.returnScales)[i]),
      v: values.slice(idx[i], idx[i] + Number(list(r.returnDataLengths)[i])),
    }));
    const one = (object: string, n: string) => {
      const m = got.find((x) => x.object === object && x.n === n);
      expect(m, `${n} of ${object}`).toBeDefined();
      expect(m!.v, `${n} of ${object} sampled once`).toHaveLength(1);
      return m!;
    };
    // Units and scales as Performance.h has them.
    const fs = ['Total', 'Used', 'Free'].map((x) => one('host', `FS/{/}/Usage/${x}`));
    for (const m of fs) expect([m.unit, m.scale]).toEqual(['MB', 1]);
    expect(fs[1].v[0] + fs[2].v[0]).toBe(fs[0].v[0]);
    const util = one('host', 'Disk/sda/Load/Util');
    expect([util.unit, util.scale]).toEqual(['%', 1000]);
    expect(util.v[0]).toBeGreaterThan(0);
    expect(util.v[0]).toBeLessThanOrEqual(100_000);
    const speed = one('host', 'Net/eno1/LinkSpeed');
    expect([speed.unit, speed.scale, speed.v[0]]).toEqual(['mbit/s', 1, 1000]);
    const rx = one('host', 'Net/eno1/Load/Rx');
    expect([rx.unit, rx.scale]).toEqual(['%', 1000]);
    // The running machine's traffic goes over the host's first interface: the load is at least what the machine moves.
    const vmRx = one('web', 'Net/Rate/Rx');
    expect([vmRx.unit, vmRx.scale]).toEqual(['B/s', 1]);
    expect(vmRx.v[0]).toBeGreaterThan(0);
    expect(one('web', 'Net/Rate/Tx').v[0]).toBeGreaterThan(0);
    expect(rx.v[0]).toBeGreaterThanOrEqual(Math.floor((100_000 * vmRx.v[0]) / (1000 * 125_000)));
    // MachineDiskUsage: the attached hard disks' actual sizes, each in whole MB.
    const disk = one('web', 'Disk/Usage/Used');
    expect(disk.unit).toBe('MB');
    const core = sim.hosts[0].sim.machines().find((m) => m.name === 'web-a1')!;
    const sizes = core.settings.attachments.filter((a) => a.type === 'HardDisk' && a.mediumId).map((a) => fs_size(core.host.findMedium(a.mediumId!)!.getLocation()));
    expect(sizes.length).toBeGreaterThan(0);
    expect(disk.v[0]).toBe(sizes.reduce((a, b) => a + Math.floor(b / 2 ** 20), 0));
    // Not on a host: a machine's names select nothing of the host, and the other way round.
    expect(got.filter((x) => x.object === 'host' && x.n.startsWith('Net/Rate'))).toEqual([]);
    expect(got.filter((x) => x.object === 'web' && x.n.startsWith('FS/'))).toEqual([]);
  });
});
