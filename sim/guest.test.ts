// Issue 15: a running machine's guest properties and its guest (IGuest), as a client sees them over
// SOAP. The real server here cannot run a machine, so this follows VirtualBox's source: Machine's guest
// property members going to the VM (MachineImpl.cpp), the VM's property service (VBoxGuestPropSvc.cpp),
// Console's notifications, the Additions' vminfo (VBoxServiceVMInfo.cpp) and GuestImpl.cpp.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './index';
import type { NicSettings } from './model/settings';
import { finished, list, logon, ok, refused, soap } from './soap/testing';

const TIMING = { start: 20, stop: 10, acpiShutdown: 30, save: 10, guestAdditions: 40 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: Sim | undefined;
const scratch: string[] = [];
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  for (const d of scratch.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function start(): Promise<{ url: string; vbox: string; host: Sim['hosts'][0]['sim'] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guest-test-'));
  scratch.push(dir);
  sim = await startSim({ hosts: 1, port: 0, vms: 0, stateDir: dir, timing: TIMING, vrdeBase: 24000 + Math.floor(Math.random() * 300) * 10 });
  const { url, sim: host } = sim.hosts[0];
  return { url, vbox: await logon(url), host };
}

const nic = (over: Partial<NicSettings>): NicSettings => ({
  enabled: true, adapterType: 'I82545EM', MACAddress: '', attachmentType: 'Null', bridgedInterface: '', internalNetwork: '',
  cableConnected: true, bootPriority: 0, ...over,
});

/** A registered machine with these adapters (the rest off). */
function machine(host: Sim['hosts'][0]['sim'], name: string, nics: Partial<NicSettings>[], extraData: Record<string, string> = {}) {
  return host.addMachine(name, (c) => {
    c.settings.osTypeId = 'Debian12_64';
    c.settings.extraData = { ...extraData };
    c.settings.nics = c.settings.nics.map((n, i) => (i < nics.length ? nic(nics[i]) : { ...n, enabled: false }));
  });
}

/** Powers the machine on through a session of its own (launchVMProcess); returns that session. */
async function powerOn(url: string, vbox: string, name: string): Promise<{ m: string; s: string }> {
  const m = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: name });
  const s = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
  expect((await finished(url, await ok(url, 'IMachine_launchVMProcess', { _this: m, session: s, name: 'headless', environmentChanges: [] }))).rc).toBe(0);
  return { m, s };
}

type Props = Record<string, { value: string; flags: string }>;
const arr = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** IMachine::enumerateGuestProperties as a name → value and flags map. */
async function props(url: string, m: string, patterns = ''): Promise<Props> {
  const a = await soap(url, 'IMachine_enumerateGuestProperties', { _this: m, patterns });
  if (a.fault) throw new Error(String(a.fault.faultstring));
  const r = a.result ?? {};
  const names = arr(r.names);
  const values = arr(r.values);
  const flags = arr(r.flags);
  return Object.fromEntries(names.map((n, i) => [n, { value: values[i] ?? '', flags: flags[i] ?? '' }]));
}

/** Waits until the guest property has the value (the Additions report a moment after power-on). */
async function until(url: string, m: string, name: string, value: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await ok(url, 'IMachine_getGuestPropertyValue', { _this: m, property: name })) === value) return;
    await sleep(10);
  }
  throw new Error(`${name} never became ${value}`);
}

/** A passive listener on the event source for these event types. */
async function listen(url: string, source: string, types: string[]) {
  const l = await ok(url, 'IEventSource_createListener', { _this: source });
  await ok(url, 'IEventSource_registerListener', { _this: source, listener: l, interesting: types, active: false });
  return {
    /** Every event queued so far, as [name, value, flags, wasDeleted, machineId]. */
    async drain(): Promise<string[][]> {
      const out: string[][] = [];
      for (;;) {
        const e = await ok(url, 'IEventSource_getEvent', { _this: source, listener: l, timeout: 0 });
        if (!e) return out;
        out.push(await Promise.all(['getName', 'getValue', 'getFlags', 'getFWasDeleted'].map((g) => ok(url, `IGuestPropertyChangedEvent_${g}`, { _this: e })))
          .then(async (x) => [...x, await ok(url, 'IMachineEvent_getMachineId', { _this: e })]));
        await ok(url, 'IEventSource_eventProcessed', { _this: source, listener: l, event: e });
      }
    },
  };
}

describe('the Guest Additions of a running machine', () => {
  it('publish the OS, their version and an IPv4 address per connected adapter, as VBoxService does', async () => {
    const { url, vbox, host } = await start();
    const core = machine(host, 'ga-web', [
      { attachmentType: 'NAT', MACAddress: '080027AA0001' },
      { attachmentType: 'Bridged', bridgedInterface: 'vbox0', MACAddress: '080027AA0002' },
      // An internal network without a DHCP server: the guest gets no address there.
      { attachmentType: 'Internal', internalNetwork: 'lab-nodhcp', MACAddress: '080027AA0003' },
      { attachmentType: 'NAT', MACAddress: '080027AA0004', cableConnected: false },
    ]);
    const events = await listen(url, await ok(url, 'IVirtualBox_getEventSource', { _this: vbox }), ['OnGuestPropertyChanged']);
    // The guest takes its time to boot (the test says when it is done).
    host.timing.guestAdditions = 60_000;
    const { m, s } = await powerOn(url, vbox, 'ga-web');
    const guest = await ok(url, 'IConsole_getGuest', { _this: await ok(url, 'ISession_getConsole', { _this: s }) });
    // Before the Additions report: no run level, no version, the machine's OS type.
    expect(await ok(url, 'IGuest_getAdditionsRunLevel', { _this: guest })).toBe('None');
    expect(await ok(url, 'IGuest_getAdditionsVersion', { _this: guest })).toBe('');
    expect(await ok(url, 'IGuest_getOSTypeId', { _this: guest })).toBe('Debian12_64');
    expect(await ok(url, 'IGuest_getAdditionsStatus', { _this: guest, level: 'System' })).toBe('false');
    expect(await list(url, 'IGuest_getFacilities', { _this: guest })).toEqual([]);
    core.vm!.guest.start(0);

    await until(url, m, '/VirtualBox/GuestInfo/Net/Count', '2');
    const p = await props(url, m);
    expect(p['/VirtualBox/GuestAdd/Version']).toEqual({ value: '7.1.12', flags: '' });
    expect(p['/VirtualBox/GuestAdd/Revision'].value).toBe('169651');
    expect(p['/VirtualBox/GuestInfo/OS/Product'].value).toBe('Linux');
    expect(p['/VirtualBox/GuestInfo/OS/LoggedInUsers']).toEqual({ value: '0', flags: 'TRANSIENT, TRANSRESET' });
    expect(p['/VirtualBox/HostInfo/VBoxVer']).toEqual({ value: '7.1.12', flags: 'TRANSIENT, RDONLYGUEST' });
    const net = await props(url, m, '/VirtualBox/GuestInfo/Net/*');
    expect(Object.fromEntries(Object.entries(net).map(([k, v]) => [k.replace('/VirtualBox/GuestInfo/Net/', ''), v.value]))).toEqual({
      'Count': '2',
      '0/V4/IP': '10.0.2.15', '0/V4/Broadcast': '10.0.2.255', '0/V4/Netmask': '255.255.255.0', '0/MAC': '080027AA0001', '0/Status': 'Up', '0/Name': 'enp0s3',
      '1/V4/IP': expect.stringMatching(/^192\.168\.100\.\d+$/), '1/V4/Broadcast': '192.168.100.255', '1/V4/Netmask': '255.255.255.0',
      '1/MAC': '080027AA0002', '1/Status': 'Up', '1/Name': 'enp0s8',
    });

    // IGuest: the Additions are up to Userland, with their facilities.
    expect(await ok(url, 'IGuest_getAdditionsRunLevel', { _this: guest })).toBe('Userland');
    expect(await ok(url, 'IGuest_getAdditionsVersion', { _this: guest })).toBe('7.1.12');
    expect(await ok(url, 'IGuest_getAdditionsRevision', { _this: guest })).toBe('169651');
    expect(await ok(url, 'IGuest_getOSTypeId', { _this: guest })).toBe('Linux26_64');
    expect(await ok(url, 'IGuest_getAdditionsStatus', { _this: guest, level: 'Userland' })).toBe('true');
    expect(await ok(url, 'IGuest_getAdditionsStatus', { _this: guest, level: 'Desktop' })).toBe('false');
    expect((await refused(url, 'IGuest_getAdditionsStatus', { _this: guest, level: 'None' })).text).toContain('Invalid status level defined: 0');
    const fac = (await soap(url, 'IGuest_getFacilities', { _this: guest })).result?.returnval as Record<string, string>[];
    expect(fac.map((f) => [f.type, f.name, f.classType, f.status])).toEqual([
      ['VBoxGuestDriver', 'VirtualBox Base Driver', 'Driver', 'Active'],
      ['VBoxService', 'VirtualBox System Service', 'Service', 'Active'],
      ['Graphics', 'Graphics Mode', 'Feature', 'Active'],
    ]);
    const st = (await soap(url, 'IGuest_getFacilityStatus', { _this: guest, facility: 'VBoxService' })).result as Record<string, string>;
    expect(st.returnval).toBe('Active');
    expect(Number(st.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(((await soap(url, 'IGuest_getFacilityStatus', { _this: guest, facility: 'Seamless' })).result as Record<string, string>).returnval).toBe('Unknown');

    // VirtualBox told its listeners of each property the Additions wrote, with the machine's id.
    const seen = await events.drain();
    expect(seen).toContainEqual(['/VirtualBox/GuestInfo/Net/0/V4/IP', '10.0.2.15', '', 'false', core.id]);
    expect(seen).toContainEqual(['/VirtualBox/GuestInfo/OS/NoLoggedInUsers', 'true', 'TRANSIENT, TRANSRESET', 'false', core.id]);
    expect(seen.at(-1)?.[0]).toBe('/VirtualBox/GuestInfo/Net/Count');
  });

  it('follow the adapters while the machine runs: cable, attachment, a NAT network with its DHCP server', async () => {
    const { url, vbox, host } = await start();
    machine(host, 'ga-live', [
      { attachmentType: 'NAT', MACAddress: '080027BB0001' },
      { attachmentType: 'Null', MACAddress: '080027BB0002' },
    ]);
    // A NAT network (its DHCP server hands out addresses from 10.0.50.0/24).
    const natnet = await ok(url, 'IVirtualBox_createNATNetwork', { _this: vbox, networkName: 'ga-natnet' });
    await ok(url, 'INATNetwork_setNetwork', { _this: natnet, network: '10.0.50.0/24' });
    await ok(url, 'INATNetwork_setEnabled', { _this: natnet, enabled: true });
    const { m } = await powerOn(url, vbox, 'ga-live');
    await until(url, m, '/VirtualBox/GuestInfo/Net/Count', '1');

    // A shared session on the running machine changes its adapters live.
    const shared = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await ok(url, 'IMachine_lockMachine', { _this: m, session: shared, lockType: 'Shared' });
    const sm = await ok(url, 'ISession_getMachine', { _this: shared });
    const nic1 = await ok(url, 'IMachine_getNetworkAdapter', { _this: sm, slot: 1 });
    await ok(url, 'INetworkAdapter_setAttachmentType', { _this: nic1, attachmentType: 'NATNetwork' });
    await ok(url, 'INetworkAdapter_setNATNetwork', { _this: nic1, NATNetwork: 'ga-natnet' });
    await until(url, m, '/VirtualBox/GuestInfo/Net/Count', '2');
    expect((await ok(url, 'IMachine_getGuestPropertyValue', { _this: m, property: '/VirtualBox/GuestInfo/Net/1/V4/IP' }))).toMatch(/^10\.0\.50\.\d+$/);
    expect(await ok(url, 'IMachine_getGuestPropertyValue', { _this: m, property: '/VirtualBox/GuestInfo/Net/1/MAC' })).toBe('080027BB0002');

    // The cable of the NAT adapter is pulled: the guest reports one interface, the NAT network's.
    const nic0 = await ok(url, 'IMachine_getNetworkAdapter', { _this: sm, slot: 0 });
    await ok(url, 'INetworkAdapter_setCableConnected', { _this: nic0, cableConnected: false });
    await until(url, m, '/VirtualBox/GuestInfo/Net/Count', '1');
    const net = await props(url, m, '/VirtualBox/GuestInfo/Net/*');
    expect(net['/VirtualBox/GuestInfo/Net/0/MAC'].value).toBe('080027BB0002');
    expect(Object.keys(net).some((k) => k.startsWith('/VirtualBox/GuestInfo/Net/1/'))).toBe(false);
    await ok(url, 'ISession_unlockMachine', { _this: shared });
  });

  it('are not there when the machine says vboxsim/guest-additions = none', async () => {
    const { url, vbox, host } = await start();
    machine(host, 'ga-none', [{ attachmentType: 'NAT', MACAddress: '080027CC0001' }], { 'vboxsim/guest-additions': 'none' });
    const { m, s } = await powerOn(url, vbox, 'ga-none');
    await sleep(TIMING.guestAdditions * 4);
    const guest = await ok(url, 'IConsole_getGuest', { _this: await ok(url, 'ISession_getConsole', { _this: s }) });
    expect(await ok(url, 'IGuest_getAdditionsRunLevel', { _this: guest })).toBe('None');
    expect(await list(url, 'IGuest_getFacilities', { _this: guest })).toEqual([]);
    expect(Object.keys(await props(url, m, '/VirtualBox/GuestAdd/*|/VirtualBox/GuestInfo/*'))).toEqual([]);
    // Guest control needs the Additions.
    expect((await refused(url, 'IGuest_shutdown', { _this: guest, flags: ['PowerOff'] })).text).toContain('Could not open guest session: VERR_TIMEOUT');
    expect((await refused(url, 'IGuest_createSession', { _this: guest, user: 'root', password: 'x', domain: '', sessionName: 'a' })).text)
      .toContain('Guest Additions are not installed or not ready (yet)');
  });
});

describe('a machine that runs on across a restart of vboxsim', () => {
  it('has its Additions report again at once', async () => {
    const { url, vbox, host } = await start();
    const core = machine(host, 'ga-restart', [{ attachmentType: 'NAT', MACAddress: '080027AC0001' }]);
    await powerOn(url, vbox, 'ga-restart');
    const dir = path.dirname(host.homeFolder);
    await sim!.stop();
    sim = await startSim({ hosts: 1, port: 0, vms: 0, stateDir: dir, timing: { ...TIMING, guestAdditions: 60_000 } });
    const url2 = sim.hosts[0].url;
    const vbox2 = await logon(url2);
    const m = await ok(url2, 'IVirtualBox_findMachine', { _this: vbox2, nameOrId: core.id });
    expect(await ok(url2, 'IMachine_getState', { _this: m })).toBe('Running');
    await until(url2, m, '/VirtualBox/GuestInfo/Net/0/V4/IP', '10.0.2.15');
  });
});

describe("a running machine's guest properties", () => {
  it('go to the VM: transient ones allowed, the service refusing what is read-only, and they vanish at power-off', async () => {
    const { url, vbox, host } = await start();
    const core = machine(host, 'gp-run', [{ attachmentType: 'NAT', MACAddress: '080027DD0001' }]);
    core.settings.guestProperties = [{ name: '/Nimbox/Kept', value: 'yes', timestamp: 1, flags: '' }];
    host.saveMachine(core);
    const { m, s } = await powerOn(url, vbox, 'gp-run');
    const console_ = await ok(url, 'ISession_getConsole', { _this: s });
    const consoleEvents = await listen(url, await ok(url, 'IConsole_getEventSource', { _this: console_ }), ['OnGuestPropertyChanged']);
    // The machine itself (no session) changes a running machine's properties: they go to the VM.
    await ok(url, 'IMachine_setGuestProperty', { _this: m, property: '/Nimbox/Temp', value: 't', flags: 'TRANSIENT' });
    await ok(url, 'IMachine_setGuestProperty', { _this: m, property: '/Nimbox/Locked', value: 'l', flags: 'RDONLYHOST' });
    expect(await ok(url, 'IMachine_getGuestPropertyValue', { _this: m, property: '/Nimbox/Kept' })).toBe('yes');
    const locked = await refused(url, 'IMachine_setGuestProperty', { _this: m, property: '/Nimbox/Locked', value: 'x', flags: '' });
    expect(locked.text).toContain('The VBoxGuestPropSvc service call failed with the error VERR_PERMISSION_DENIED');
    expect(locked.code).toBe(0x80bb0005 | 0);
    expect((await refused(url, 'IMachine_deleteGuestProperty', { _this: m, name: '/Nimbox/Locked' })).text).toContain('VERR_PERMISSION_DENIED');
    expect((await refused(url, 'IMachine_setGuestProperty', { _this: m, property: '/x', value: 'x', flags: 'bogus' })).text).toContain('VERR_PARSE_ERROR');
    expect((await refused(url, 'IMachine_setGuestProperty', { _this: m, property: 'a*b', value: 'x', flags: '' })).text).toContain('VERR_INVALID_PARAMETER');
    // Reserved for the host: VBoxService's configuration becomes read-only for the guest.
    await ok(url, 'IMachine_setGuestProperty', { _this: m, property: '/VirtualBox/GuestAdd/VBoxService/--timesync-interval', value: '1000', flags: '' });
    const p = await props(url, m, '/Nimbox/*|/VirtualBox/GuestAdd/VBoxService/*');
    expect(p).toEqual({
      '/Nimbox/Kept': { value: 'yes', flags: '' }, '/Nimbox/Temp': { value: 't', flags: 'TRANSIENT' }, '/Nimbox/Locked': { value: 'l', flags: 'RDONLYHOST' },
      '/VirtualBox/GuestAdd/VBoxService/--timesync-interval': { value: '1000', flags: 'RDONLYGUEST' },
    });
    await ok(url, 'IMachine_deleteGuestProperty', { _this: m, name: '/Nimbox/Temp' });
    await ok(url, 'IMachine_deleteGuestProperty', { _this: m, name: '/Nimbox/never' });
    // The console told of each change (the VM's flags written out; a deletion with no value).
    const seen = (await consoleEvents.drain()).filter((e) => e[0].startsWith('/Nimbox/'));
    expect(seen).toEqual([
      ['/Nimbox/Temp', 't', 'TRANSIENT', 'false', core.id], ['/Nimbox/Locked', 'l', 'RDONLYHOST', 'false', core.id],
      ['/Nimbox/Temp', '', '', 'true', core.id],
    ]);

    // The session's machine saves them; at power-off the transient ones go from the settings.
    await ok(url, 'IMachine_setGuestProperty', { _this: m, property: '/Nimbox/Temp2', value: 't', flags: 'TRANSRESET' });
    await ok(url, 'IMachine_saveSettings', { _this: await ok(url, 'ISession_getMachine', { _this: s }) });
    expect(core.settings.guestProperties?.map((x) => x.name)).toContain('/Nimbox/Temp2');
    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: console_ }))).rc).toBe(0);
    const after = await props(url, m);
    expect(after['/Nimbox/Kept']).toEqual({ value: 'yes', flags: '' });
    expect(after['/Nimbox/Locked']).toEqual({ value: 'l', flags: 'RDONLYHOST' });
    expect(after['/Nimbox/Temp2']).toBeUndefined();
    expect(after['/VirtualBox/HostInfo/VBoxVer']).toBeUndefined();
    expect(after['/VirtualBox/GuestInfo/OS/LoggedInUsers']).toBeUndefined();
    // Powered off again, TRANSIENT is refused.
    const s2 = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    await ok(url, 'IMachine_lockMachine', { _this: m, session: s2, lockType: 'Write' });
    expect((await refused(url, 'IMachine_setGuestProperty', { _this: await ok(url, 'ISession_getMachine', { _this: s2 }), property: '/t', value: 'x', flags: 'TRANSIENT' })).text)
      .toContain('Properties with TRANSIENT or TRANSRESET flag cannot be set or modified if VM is not running');
    await ok(url, 'ISession_unlockMachine', { _this: s2 });
  });

  it('a reset drops TRANSRESET properties and the Additions report again; an ACPI shutdown takes Net/* with it', async () => {
    const { url, vbox, host } = await start();
    const core = machine(host, 'gp-reset', [{ attachmentType: 'NAT', MACAddress: '080027EE0001' }]);
    const { m, s } = await powerOn(url, vbox, 'gp-reset');
    await until(url, m, '/VirtualBox/GuestInfo/Net/Count', '1');
    const console_ = await ok(url, 'ISession_getConsole', { _this: s });
    host.timing.guestAdditions = 60_000;
    await ok(url, 'IConsole_reset', { _this: console_ });
    expect(await ok(url, 'IMachine_getGuestPropertyValue', { _this: m, property: '/VirtualBox/VMInfo/ResetCounter' })).toBe('1');
    const guest = await ok(url, 'IConsole_getGuest', { _this: console_ });
    expect(await ok(url, 'IGuest_getAdditionsRunLevel', { _this: guest })).toBe('None');
    // TRANSRESET went with the reset; the rebooted guest's Additions write them again.
    expect(await ok(url, 'IMachine_getGuestPropertyValue', { _this: m, property: '/VirtualBox/GuestInfo/OS/LoggedInUsers' })).toBe('');
    host.findCore(core.id)!.vm!.guest.start(0);
    await until(url, m, '/VirtualBox/GuestInfo/OS/LoggedInUsers', '0');
    expect(await ok(url, 'IGuest_getAdditionsRunLevel', { _this: guest })).toBe('Userland');

    // The guest shuts down on the power button: VBoxService deletes the Net branch on its way out.
    const events = await listen(url, await ok(url, 'IVirtualBox_getEventSource', { _this: vbox }), ['OnGuestPropertyChanged']);
    await ok(url, 'IConsole_powerButton', { _this: console_ });
    for (let i = 0; i < 200 && (await ok(url, 'IMachine_getState', { _this: m })) !== 'PoweredOff'; i++) await sleep(10);
    const deleted = (await events.drain()).filter((e) => e[3] === 'true').map((e) => e[0]);
    expect(deleted).toContain('/VirtualBox/GuestInfo/Net/0/V4/IP');
    expect(deleted).toContain('/VirtualBox/GuestInfo/Net/Count');
  });
});

describe('IGuest', () => {
  it('balloon, statistics, credentials, shutdown through the Additions, and what vboxsim does not do', async () => {
    const { url, vbox, host } = await start();
    const core = machine(host, 'guest-api', [{ attachmentType: 'NAT', MACAddress: '080027FF0001' }]);
    core.settings.memorySize = 1000;
    host.saveMachine(core);
    const { m, s } = await powerOn(url, vbox, 'guest-api');
    await until(url, m, '/VirtualBox/GuestInfo/Net/Count', '1');
    const guest = await ok(url, 'IConsole_getGuest', { _this: await ok(url, 'ISession_getConsole', { _this: s }) });
    expect(await ok(url, 'IGuest_getMemoryBalloonSize', { _this: guest })).toBe('0');
    expect((await refused(url, 'IGuest_setMemoryBalloonSize', { _this: guest, memoryBalloonSize: 900 })).text)
      .toContain('Invalid memory balloon size: 900 MB (must be in range [0, 900] MB)');
    await ok(url, 'IGuest_setMemoryBalloonSize', { _this: guest, memoryBalloonSize: 256 });
    expect(await ok(url, 'IGuest_getMemoryBalloonSize', { _this: guest })).toBe('256');
    // Statistics: the VM's totals always, the guest's once it reports them.
    let stats = (await soap(url, 'IGuest_internalGetStatistics', { _this: guest })).result as Record<string, string>;
    expect([stats.memTotal, stats.memBalloonTotal]).toEqual(['0', String(256 * 1024)]);
    await ok(url, 'IGuest_setStatisticsUpdateInterval', { _this: guest, statisticsUpdateInterval: 5 });
    expect(await ok(url, 'IGuest_getStatisticsUpdateInterval', { _this: guest })).toBe('5');
    stats = (await soap(url, 'IGuest_internalGetStatistics', { _this: guest })).result as Record<string, string>;
    expect(stats.memTotal).toBe(String(1000 * 1024));
    await ok(url, 'IGuest_setCredentials', { _this: guest, userName: 'u', password: 'p', domain: '', allowInteractiveLogon: true });
    expect((await refused(url, 'IGuest_setCredentials', { _this: guest, userName: 'u', password: 'p', domain: '@@mem', allowInteractiveLogon: true })).code).toBe(0x80004001 | 0);
    // Guest control and drag and drop are not simulated.
    expect(await list(url, 'IGuest_getSessions', { _this: guest })).toEqual([]);
    expect((await refused(url, 'IGuest_findSession', { _this: guest, sessionName: 'x' })).text).toContain("Could not find sessions with name 'x'");
    expect((await refused(url, 'IGuest_createSession', { _this: guest, user: '', password: '', domain: '', sessionName: '' })).text).toContain('No user name specified');
    expect((await refused(url, 'IGuest_getDnDSource', { _this: guest })).text).toContain('Method getDnDSource is not implemented');
    expect((await refused(url, 'IGuest_updateGuestAdditions', { _this: guest, source: '/x.iso', arguments: [], flags: [] })).text).toContain('Could not open guest session');
    expect((await refused(url, 'IGuest_shutdown', { _this: guest, flags: ['PowerOff', 'Reboot'] })).text).toContain('Invalid combination of flags (0x3)');
    // With the Additions up, shutdown powers the guest off.
    await ok(url, 'IGuest_shutdown', { _this: guest, flags: ['PowerOff'] });
    for (let i = 0; i < 200 && (await ok(url, 'IMachine_getState', { _this: m })) !== 'PoweredOff'; i++) await sleep(10);
    expect(await ok(url, 'IMachine_getState', { _this: m })).toBe('PoweredOff');
    // The console's guest is gone with its VM.
    expect((await refused(url, 'IGuest_getAdditionsRunLevel', { _this: guest })).text).toContain('The object is not ready');
  });
});
