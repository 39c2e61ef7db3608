// Issue 15: IHost's network part as a client sees it over SOAP: host-only interfaces made, configured
// and removed (surviving a restart of vboxsim, as VirtualBox keeps their addresses in its extra data),
// what only host-only interfaces allow, the host's name resolution and its change event, and a guest on a
// host-only interface that VirtualBox's DHCP server serves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './index';
import { finished, list, logon, ok, refused, soap } from './soap/testing';

const TIMING = { start: 20, stop: 10, acpiShutdown: 30, save: 10, guestAdditions: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: Sim | undefined;
const scratch: string[] = [];
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  for (const d of scratch.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function start(stateDir: string) {
  sim = await startSim({ hosts: 1, port: 0, vms: 0, stateDir, timing: TIMING, vrdeBase: 26000 + Math.floor(Math.random() * 300) * 10 });
  const { url, sim: host } = sim.hosts[0];
  const vbox = await logon(url);
  return { url, vbox, host, ihost: await ok(url, 'IVirtualBox_getHost', { _this: vbox }) };
}

const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'host-net-test-'));
  scratch.push(d);
  return d;
};

/** name → [type, IPv4, mask, IPv6/prefix] of every host interface. */
async function interfaces(url: string, ihost: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const i of await list(url, 'IHost_getNetworkInterfaces', { _this: ihost })) {
    const g = (m: string) => ok(url, `IHostNetworkInterface_${m}`, { _this: i });
    out[await g('getName')] = [await g('getInterfaceType'), await g('getIPAddress'), await g('getNetworkMask'), `${await g('getIPV6Address')}/${await g('getIPV6NetworkMaskPrefixLength')}`];
  }
  return out;
}

describe('host-only interfaces', () => {
  it('are made vboxnet0, vboxnet1 … with their default addresses, configured, removed, and outlive a restart of vboxsim', async () => {
    const dir = tmp();
    let { url, vbox, ihost } = await start(dir);
    const made: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = (await soap(url, 'IHost_createHostOnlyNetworkInterface', { _this: ihost })).result as Record<string, string>;
      expect((await finished(url, r.returnval)).rc).toBe(0);
      made.push(r.hostInterface);
    }
    expect(await Promise.all(made.map((i) => ok(url, 'IHostNetworkInterface_getName', { _this: i })))).toEqual(['vboxnet0', 'vboxnet1']);
    expect(await ok(url, 'IHostNetworkInterface_getHardwareAddress', { _this: made[1] })).toBe('0a:00:27:00:00:01');
    expect(await ok(url, 'IHostNetworkInterface_getNetworkName', { _this: made[1] })).toBe('HostInterfaceNetworking-vboxnet1');
    // VirtualBox writes the addresses to its extra data, where they outlive the interfaces' driver.
    expect(await ok(url, 'IVirtualBox_getExtraData', { _this: vbox, key: 'HostOnly/vboxnet1/IPAddress' })).toBe('192.168.57.1');

    await ok(url, 'IHostNetworkInterface_enableStaticIPConfig', { _this: made[1], IPAddress: '10.1.2.1', networkMask: '255.255.0.0' });
    await ok(url, 'IHostNetworkInterface_enableStaticIPConfigV6', { _this: made[1], IPV6Address: 'fd00:1::1', IPV6NetworkMaskPrefixLength: 0 });
    // Only host-only interfaces can be configured (VBoxNetAdpCtl): a bridged one answers a bare E_FAIL.
    const eno1 = await ok(url, 'IHost_findHostNetworkInterfaceByName', { _this: ihost, name: 'eno1' });
    const bridged = await refused(url, 'IHostNetworkInterface_enableStaticIPConfig', { _this: eno1, IPAddress: '10.9.9.9', networkMask: '' });
    expect(bridged).toEqual({ text: 'VirtualBox error: apirc=0x80004005', code: 0x80004005 | 0 });
    expect((await refused(url, 'IHostNetworkInterface_enableDynamicIPConfig', { _this: made[1] })).code).toBe(0x80004001 | 0);
    expect((await refused(url, 'IHostNetworkInterface_DHCPRediscover', { _this: made[1] })).code).toBe(0x80004001 | 0);
    expect((await refused(url, 'IHostNetworkInterface_enableStaticIPConfigV6', { _this: made[1], IPV6Address: 'nope', IPV6NetworkMaskPrefixLength: 64 })).text)
      .toContain('Invalid IPv6 address');
    expect((await refused(url, 'IHost_removeHostOnlyNetworkInterface', { _this: ihost, id: await ok(url, 'IHostNetworkInterface_getId', { _this: eno1 }) })).code).toBe(0x80004005 | 0);
    expect(await list(url, 'IHost_findHostNetworkInterfacesOfType', { _this: ihost, type: 'HostOnly' })).toHaveLength(2);
    const before = await interfaces(url, ihost);
    expect(before.vboxnet0).toEqual(['HostOnly', '192.168.56.1', '255.255.255.0', '/0']);
    expect(before.vboxnet1).toEqual(['HostOnly', '10.1.2.1', '255.255.0.0', 'fd00:1::1/64']);

    // vboxsim restarts: the interfaces and their addresses are there again.
    await sim!.stop();
    ({ url, vbox, ihost } = await start(dir));
    expect(await interfaces(url, ihost)).toEqual(before);

    // vboxnet0 goes, with its extra data; vboxnet1 stays.
    const id0 = await ok(url, 'IHostNetworkInterface_getId', { _this: await ok(url, 'IHost_findHostNetworkInterfaceByName', { _this: ihost, name: 'vboxnet0' }) });
    expect((await finished(url, await ok(url, 'IHost_removeHostOnlyNetworkInterface', { _this: ihost, id: id0 }))).rc).toBe(0);
    expect((await refused(url, 'IHost_removeHostOnlyNetworkInterface', { _this: ihost, id: id0 })).text).toContain(`Host network interface with UUID {${id0}} does not exist`);
    expect((await refused(url, 'IHost_findHostNetworkInterfaceByName', { _this: ihost, name: 'vboxnet0' })).text)
      .toContain("The host network interface named 'vboxnet0' could not be found");
    expect(await ok(url, 'IVirtualBox_getExtraData', { _this: vbox, key: 'HostOnly/vboxnet0/IPAddress' })).toBe('');
    await sim!.stop();
    ({ url, vbox, ihost } = await start(dir));
    expect(Object.keys(await interfaces(url, ihost)).filter((n) => n.startsWith('vboxnet'))).toEqual(['vboxnet1']);
    // The next one made takes the free name again.
    const r = (await soap(url, 'IHost_createHostOnlyNetworkInterface', { _this: ihost })).result as Record<string, string>;
    expect(await ok(url, 'IHostNetworkInterface_getName', { _this: r.hostInterface })).toBe('vboxnet0');
  });

  it('serve a guest on them through VirtualBox DHCP server of the interface (vboxnet0 has one from the start)', async () => {
    const { url, vbox, host, ihost } = await start(tmp());
    await ok(url, 'IHost_createHostOnlyNetworkInterface', { _this: ihost });
    host.addMachine('on-hostonly', (c) => {
      c.settings.osTypeId = 'Debian12_64';
      c.settings.nics = c.settings.nics.map((n, i) => (i === 0
        ? { ...n, enabled: true, MACAddress: '080027AB0001', attachmentType: 'HostOnly', hostOnlyInterface: 'vboxnet0', cableConnected: true }
        : { ...n, enabled: false }));
    });
    const m = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: 'on-hostonly' });
    const s = await ok(url, 'IWebsessionManager_getSessionObject', { refIVirtualBox: vbox });
    expect((await finished(url, await ok(url, 'IMachine_launchVMProcess', { _this: m, session: s, name: 'headless', environmentChanges: [] }))).rc).toBe(0);
    let ip = '';
    for (let i = 0; i < 200 && !ip; i++) {
      ip = await ok(url, 'IMachine_getGuestPropertyValue', { _this: m, property: '/VirtualBox/GuestInfo/Net/0/V4/IP' });
      if (!ip) await sleep(10);
    }
    expect(ip).toMatch(/^192\.168\.56\.(10[1-9]|1[1-9]\d|2[0-4]\d|25[0-4])$/);
    const dhcp = await ok(url, 'IVirtualBox_findDHCPServerByNetworkName', { _this: vbox, name: 'HostInterfaceNetworking-vboxnet0' });
    const lease = (await soap(url, 'IDHCPServer_findLeaseByMAC', { _this: dhcp, mac: '08:00:27:ab:00:01', type: 0 })).result as Record<string, string>;
    expect(lease.address).toBe(ip);
  });
});

describe("the host's name resolution", () => {
  it('is what the host says, and a change fires IHostNameResolutionConfigurationChangeEvent', async () => {
    const { url, vbox, host, ihost } = await start(tmp());
    expect(await list(url, 'IHost_getNameServers', { _this: ihost })).toEqual(['192.0.2.53']);
    expect(await ok(url, 'IHost_getDomainName', { _this: ihost })).toBe('cloud.internal');
    expect(await list(url, 'IHost_getSearchStrings', { _this: ihost })).toEqual(['cloud.internal']);
    expect(await ok(url, 'IHost_generateMACAddress', { _this: ihost })).toMatch(/^080027[0-9A-F]{6}$/);
    const es = await ok(url, 'IVirtualBox_getEventSource', { _this: vbox });
    const l = await ok(url, 'IEventSource_createListener', { _this: es });
    await ok(url, 'IEventSource_registerListener', { _this: es, listener: l, interesting: ['OnHostNameResolutionConfigurationChange'], active: false });
    host.host.setNameResolution({ nameServers: ['192.0.2.54', '192.0.2.55'], searchStrings: ['lab.internal'] });
    const e = await ok(url, 'IEventSource_getEvent', { _this: es, listener: l, timeout: 1000 });
    // The event is of that interface (a call of it on the reference works).
    expect(await ok(url, 'IHostNameResolutionConfigurationChangeEvent_getMidlDoesNotLikeEmptyInterfaces', { _this: e })).toBe('false');
    expect(await ok(url, 'IEvent_getType', { _this: e })).toBe('OnHostNameResolutionConfigurationChange');
    expect(await list(url, 'IHost_getNameServers', { _this: ihost })).toEqual(['192.0.2.54', '192.0.2.55']);
    expect(await list(url, 'IHost_getSearchStrings', { _this: ihost })).toEqual(['lab.internal']);
  });
});
