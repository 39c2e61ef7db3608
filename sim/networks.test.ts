// vboxsim's NAT networks, DHCP servers and cloud networks (issue 15) where the conversations with the real
// vboxwebsrv cannot show them: they outlive a restart of vboxsim, machines' guests get DHCP leases (fixed
// addresses first, then the range, stable per MAC) that IDHCPServer::findLeaseByMAC reports, and a NAT network
// that machines use tells its listeners and refuses changes as VirtualBox's does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './index';
import { DHCPServer } from './model/dhcp';
import { list, logon, ok, refused, soap } from './soap/testing';

const dirs: string[] = [];
const sims: Sim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function boot(stateDir?: string) {
  const dir = stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sim-networks-'));
  if (!stateDir) dirs.push(dir);
  const sim = await startSim({ hosts: 1, port: 0, vms: 0, stateDir: dir });
  sims.push(sim);
  const url = sim.urls[0];
  return { sim, url, dir, host: sim.hosts[0].sim, vbox: await logon(url) };
}

const hex = (code: number) => (code >>> 0).toString(16);

describe('the network registry across a restart of vboxsim', () => {
  it('keeps NAT networks, DHCP servers with their configurations, and cloud networks', async () => {
    const a = await boot();
    const u = a.url;
    const net = await ok(u, 'IVirtualBox_createNATNetwork', { _this: a.vbox, networkName: 'lab' });
    await ok(u, 'INATNetwork_setNetwork', { _this: net, network: '10.0.50.0/24' });
    await ok(u, 'INATNetwork_setEnabled', { _this: net, enabled: false });
    await ok(u, 'INATNetwork_addPortForwardRule', { _this: net, isIpv6: false, ruleName: 'ssh', proto: 'TCP', hostIP: '', hostPort: 2222, guestIP: '10.0.50.9', guestPort: 22 });
    await ok(u, 'INATNetwork_addLocalMapping', { _this: net, hostid: '127.0.1.1', offset: 10 });

    const d = await ok(u, 'IVirtualBox_createDHCPServer', { _this: a.vbox, name: 'intnet-lab' });
    await ok(u, 'IDHCPServer_setConfiguration', { _this: d, IPAddress: '10.9.0.1', networkMask: '255.255.0.0', FromIPAddress: '10.9.0.10', ToIPAddress: '10.9.0.99' });
    await ok(u, 'IDHCPServer_setEnabled', { _this: d, enabled: true });
    const g = await ok(u, 'IDHCPServer_getGlobalConfig', { _this: d });
    await ok(u, 'IDHCPConfig_setOption', { _this: g, option: 'DomainNameServers', encoding: 'Normal', value: '10.9.0.1' });
    await ok(u, 'IDHCPConfig_setDefaultLeaseTime', { _this: g, defaultLeaseTime: 600 });
    const grp = await ok(u, 'IDHCPServer_getConfig', { _this: d, scope: 'Group', name: 'pxe', slot: 0, mayAdd: true });
    await ok(u, 'IDHCPGroupConfig_addCondition', { _this: grp, inclusive: true, type: 'MACWildcard', value: '08:00:27:*' });
    await ok(u, 'IDHCPConfig_setOption', { _this: grp, option: 'BootfileName', encoding: 'Normal', value: 'pxelinux.0' });
    const ind = await ok(u, 'IDHCPServer_getConfig', { _this: d, scope: 'MAC', name: '08:00:27:00:00:01', slot: 0, mayAdd: true });
    await ok(u, 'IDHCPIndividualConfig_setFixedAddress', { _this: ind, fixedAddress: '10.9.0.5' });

    const cn = await ok(u, 'IVirtualBox_createCloudNetwork', { _this: a.vbox, networkName: 'oci' });
    await ok(u, 'ICloudNetwork_setProfile', { _this: cn, profile: 'lab' });
    // vboxnet0's server, there from the start, removed: it stays removed.
    await ok(u, 'IVirtualBox_removeDHCPServer', { _this: a.vbox, server: await ok(u, 'IVirtualBox_findDHCPServerByNetworkName', { _this: a.vbox, name: 'HostInterfaceNetworking-vboxnet0' }) });
    await a.sim.stop();
    sims.splice(sims.indexOf(a.sim), 1);

    const b = await boot(a.dir);
    const v = b.url;
    const net2 = await ok(v, 'IVirtualBox_findNATNetworkByName', { _this: b.vbox, networkName: 'lab' });
    expect(await ok(v, 'INATNetwork_getNetwork', { _this: net2 })).toBe('10.0.50.0/24');
    expect(await ok(v, 'INATNetwork_getGateway', { _this: net2 })).toBe('10.0.50.1');
    expect(await ok(v, 'INATNetwork_getEnabled', { _this: net2 })).toBe('false');
    expect(await list(v, 'INATNetwork_getPortForwardRules4', { _this: net2 })).toEqual(['ssh:tcp:[]:2222:[10.0.50.9]:22']);
    expect(await list(v, 'INATNetwork_getLocalMappings', { _this: net2 })).toEqual(['127.0.0.1=2', '127.0.1.1=10']);

    expect(await list(v, 'IVirtualBox_getDHCPServers', { _this: b.vbox })).toHaveLength(1);
    const d2 = await ok(v, 'IVirtualBox_findDHCPServerByNetworkName', { _this: b.vbox, name: 'intnet-lab' });
    expect(await ok(v, 'IDHCPServer_getEnabled', { _this: d2 })).toBe('true');
    expect(await ok(v, 'IDHCPServer_getNetworkMask', { _this: d2 })).toBe('255.255.0.0');
    expect(await ok(v, 'IDHCPServer_getUpperIP', { _this: d2 })).toBe('10.9.0.99');
    const g2 = await ok(v, 'IDHCPServer_getGlobalConfig', { _this: d2 });
    expect(await ok(v, 'IDHCPConfig_getDefaultLeaseTime', { _this: g2 })).toBe('600');
    expect((await soap(v, 'IDHCPConfig_getOption', { _this: g2, option: 'DomainNameServers' })).result).toMatchObject({ encoding: 'Normal', returnval: '10.9.0.1' });
    const grp2 = await ok(v, 'IDHCPServer_getConfig', { _this: d2, scope: 'Group', name: 'pxe', slot: 0, mayAdd: false });
    const [cond] = await list(v, 'IDHCPGroupConfig_getConditions', { _this: grp2 });
    expect(await ok(v, 'IDHCPGroupCondition_getValue', { _this: cond })).toBe('08:00:27:*');
    const ind2 = await ok(v, 'IDHCPServer_getConfig', { _this: d2, scope: 'MAC', name: '080027000001', slot: 0, mayAdd: false });
    expect(await ok(v, 'IDHCPIndividualConfig_getFixedAddress', { _this: ind2 })).toBe('10.9.0.5');

    const cn2 = await ok(v, 'IVirtualBox_findCloudNetworkByName', { _this: b.vbox, networkName: 'oci' });
    expect(await ok(v, 'ICloudNetwork_getProfile', { _this: cn2 })).toBe('lab');
  });

  it('starts a new home with the DHCP server of vboxnet0, as VirtualBox does', async () => {
    const a = await boot();
    const [d] = await list(a.url, 'IVirtualBox_getDHCPServers', { _this: a.vbox });
    expect(await ok(a.url, 'IDHCPServer_getNetworkName', { _this: d })).toBe('HostInterfaceNetworking-vboxnet0');
    expect(await ok(a.url, 'IDHCPServer_getIPAddress', { _this: d })).toBe('192.168.56.100');
    expect(await ok(a.url, 'IDHCPServer_getLowerIP', { _this: d })).toBe('192.168.56.101');
  });
});

describe('DHCP leases', () => {
  it("gives a NAT network's machines addresses from .4 on, stable per MAC, and reports them", async () => {
    const a = await boot();
    const u = a.url;
    const net = await ok(u, 'IVirtualBox_createNATNetwork', { _this: a.vbox, networkName: 'natlab' });
    await ok(u, 'INATNetwork_setNetwork', { _this: net, network: '10.0.60.0/24' });
    // No DHCP server until the first machine on the network starts it.
    expect((await refused(u, 'IVirtualBox_findDHCPServerByNetworkName', { _this: a.vbox, name: 'natlab' })).code).toBe(0x80070057 | 0);

    expect(a.host.networks.lease('natlab', '080027AAAA01')).toBe('10.0.60.4');
    expect(a.host.networks.lease('natlab', '08:00:27:aa:aa:02')).toBe('10.0.60.5');
    expect(a.host.networks.lease('natlab', '080027AAAA01')).toBe('10.0.60.4');

    // The server NATNetwork::start made: .3, the range .4-.254, the gateway as router.
    const d = await ok(u, 'IVirtualBox_findDHCPServerByNetworkName', { _this: a.vbox, name: 'natlab' });
    expect(await ok(u, 'IDHCPServer_getIPAddress', { _this: d })).toBe('10.0.60.3');
    expect(await ok(u, 'IDHCPServer_getLowerIP', { _this: d })).toBe('10.0.60.4');
    expect(await ok(u, 'IDHCPServer_getUpperIP', { _this: d })).toBe('10.0.60.254');
    const g = await ok(u, 'IDHCPServer_getGlobalConfig', { _this: d });
    expect((await soap(u, 'IDHCPConfig_getOption', { _this: g, option: 'Routers' })).result?.returnval).toBe('10.0.60.1');

    const before = Math.floor(Date.now() / 1000);
    const lease = (await soap(u, 'IDHCPServer_findLeaseByMAC', { _this: d, mac: '08:00:27:aa:aa:01', type: 0 })).result as Record<string, string>;
    expect(lease.address).toBe('10.0.60.4');
    expect(lease.state).toBe('acked');
    expect(Number(lease.issued)).toBeGreaterThanOrEqual(before - 5);
    expect(Number(lease.expire) - Number(lease.issued)).toBe(1200);
    const none = await refused(u, 'IDHCPServer_findLeaseByMAC', { _this: d, mac: '08:00:27:aa:aa:09', type: 0 });
    expect(hex(none.code)).toBe('80bb0001');
    expect(none.text).toContain('Could not find a lease for 08:00:27:aa:aa:09');
  });

  it('gives fixed addresses by MAC and by machine adapter first, and nothing without an enabled server', async () => {
    const a = await boot();
    const u = a.url;
    const d = await ok(u, 'IVirtualBox_createDHCPServer', { _this: a.vbox, name: 'intlab' });
    await ok(u, 'IDHCPServer_setConfiguration', { _this: d, IPAddress: '10.7.0.1', networkMask: '255.255.255.0', FromIPAddress: '10.7.0.10', ToIPAddress: '10.7.0.12' });
    expect(a.host.networks.lease('intlab', '080027000001')).toBeNull();
    await ok(u, 'IDHCPServer_setEnabled', { _this: d, enabled: true });
    const byMac = await ok(u, 'IDHCPServer_getConfig', { _this: d, scope: 'MAC', name: '08:00:27:00:00:01', slot: 0, mayAdd: true });
    await ok(u, 'IDHCPIndividualConfig_setFixedAddress', { _this: byMac, fixedAddress: '10.7.0.50' });

    const m = await ok(u, 'IVirtualBox_createMachine', { _this: a.vbox, settingsFile: '', name: 'lease vm', platform: 'x86', groups: [], osTypeId: 'Debian12_64', flags: '', cipher: '', passwordId: '', password: '' });
    await ok(u, 'IVirtualBox_registerMachine', { _this: a.vbox, machine: m });
    const nic = await ok(u, 'IMachine_getNetworkAdapter', { _this: m, slot: 0 });
    const vmMac = await ok(u, 'INetworkAdapter_getMACAddress', { _this: nic });
    const byNic = await ok(u, 'IDHCPServer_getConfig', { _this: d, scope: 'MachineNIC', name: 'lease vm', slot: 0, mayAdd: true });
    await ok(u, 'IDHCPIndividualConfig_setFixedAddress', { _this: byNic, fixedAddress: '10.7.0.60' });

    expect(a.host.networks.lease('intlab', '080027000001')).toBe('10.7.0.50');
    expect(a.host.networks.lease('intlab', vmMac)).toBe('10.7.0.60');
    expect(a.host.networks.lease('intlab', '0800270000A1')).toBe('10.7.0.10');
    expect(a.host.networks.lease('intlab', '0800270000A2')).toBe('10.7.0.11');
    expect(a.host.networks.lease('intlab', '0800270000A3')).toBe('10.7.0.12');
    // The range is full.
    expect(a.host.networks.lease('intlab', '0800270000A4')).toBeNull();
    expect(a.host.networks.lease('no-such-network', '0800270000A1')).toBeNull();
  });

  it('reports a lease nobody renewed as expired, and keeps leases across a restart', async () => {
    const a = await boot();
    const u = a.url;
    const d = await ok(u, 'IVirtualBox_createDHCPServer', { _this: a.vbox, name: 'HostInterfaceNetworking-vboxnet1' });
    await ok(u, 'IDHCPServer_setConfiguration', { _this: d, IPAddress: '192.168.57.100', networkMask: '255.255.255.0', FromIPAddress: '192.168.57.101', ToIPAddress: '192.168.57.254' });
    await ok(u, 'IDHCPServer_setEnabled', { _this: d, enabled: true });
    const server = a.host.networks.findDhcpServer('HostInterfaceNetworking-vboxnet1')!;
    const longAgo = Math.floor(Date.now() / 1000) - 7200;
    expect(server.lease('080027BBBB01', longAgo)).toBe('192.168.57.101');
    expect(a.host.networks.lease('HostInterfaceNetworking-vboxnet1', '080027BBBB02')).toBe('192.168.57.102');
    const old = (await soap(u, 'IDHCPServer_findLeaseByMAC', { _this: d, mac: '08:00:27:bb:bb:01', type: 0 })).result as Record<string, string>;
    expect(old).toMatchObject({ address: '192.168.57.101', state: 'expired', issued: String(longAgo), expire: String(longAgo + 1200) });
    await a.sim.stop();
    sims.splice(sims.indexOf(a.sim), 1);

    const b = await boot(a.dir);
    const d2 = await ok(b.url, 'IVirtualBox_findDHCPServerByNetworkName', { _this: b.vbox, name: 'HostInterfaceNetworking-vboxnet1' });
    const kept = (await soap(b.url, 'IDHCPServer_findLeaseByMAC', { _this: d2, mac: '080027bbbb02', type: 0 })).result as Record<string, string>;
    expect(kept).toMatchObject({ address: '192.168.57.102', state: 'acked' });
    // The same guest asks again after the restart: the same address.
    expect(b.host.networks.lease('HostInterfaceNetworking-vboxnet1', '080027BBBB02')).toBe('192.168.57.102');
  });
});

describe('a lease of a running machine', () => {
  it('stays acked past its time: the guest renews it', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-dhcp-'));
    dirs.push(home);
    const running = new Set<string>();
    const server = new DHCPServer({
      homeFolder: home, save: () => {}, machineIdByName: () => '', machineMac: () => '', runningMacs: () => running,
    }, 'intnet');
    server.setConfiguration('10.8.0.1', '255.255.255.0', '10.8.0.10', '10.8.0.20');
    server.setEnabled(true);
    const longAgo = Math.floor(Date.now() / 1000) - 7200;
    expect(server.lease('080027CCCC01', longAgo)).toBe('10.8.0.10');
    expect(server.findLeaseByMAC('08:00:27:cc:cc:01', 0).state).toBe('expired');
    running.add('080027CCCC01');
    const renewed = server.findLeaseByMAC('08:00:27:cc:cc:01', 0);
    expect(renewed.state).toBe('acked');
    expect(renewed.address).toBe('10.8.0.10');
    expect(renewed.issued).toBeGreaterThan(longAgo);
  });
});

describe('a NAT network that machines use', () => {
  it('tells its start and stop, its own listeners its changes, and refuses changes while it runs', async () => {
    const a = await boot();
    const u = a.url;
    const es = await ok(u, 'IVirtualBox_getEventSource', { _this: a.vbox });
    const l = await ok(u, 'IEventSource_createListener', { _this: es });
    await ok(u, 'IEventSource_registerListener', { _this: es, listener: l, interesting: ['OnNATNetworkStartStop'], active: false });
    const net = await ok(u, 'IVirtualBox_createNATNetwork', { _this: a.vbox, networkName: 'busy' });
    const own = await ok(u, 'INATNetwork_getEventSource', { _this: net });
    const ol = await ok(u, 'IEventSource_createListener', { _this: own });
    await ok(u, 'IEventSource_registerListener', { _this: own, listener: ol, interesting: ['OnNATNetworkPortForward'], active: false });

    expect(a.host.networks.natNetworkRefInc('busy')).toBe(1);
    const started = await ok(u, 'IEventSource_getEvent', { _this: es, listener: l, timeout: 1000 });
    expect(await ok(u, 'INATNetworkStartStopEvent_getStartEvent', { _this: started })).toBe('true');
    expect(await ok(u, 'INATNetworkChangedEvent_getNetworkName', { _this: started })).toBe('busy');

    const busy = await refused(u, 'INATNetwork_setNetwork', { _this: net, network: '10.0.61.0/24' });
    expect(busy.text).toContain('Unable to change settings while NATNetwork instance is running');
    expect(hex((await refused(u, 'IVirtualBox_createNATNetwork', { _this: a.vbox, networkName: 'busy' })).code)).toBe('80070057');
    expect(hex((await refused(u, 'IVirtualBox_removeNATNetwork', { _this: a.vbox, network: net })).code)).toBe('80070057');
    expect(await list(u, 'IVirtualBox_getNATNetworks', { _this: a.vbox })).toHaveLength(1);

    await ok(u, 'INATNetwork_addPortForwardRule', { _this: net, isIpv6: false, ruleName: 'web', proto: 'UDP', hostIP: '', hostPort: 8053, guestIP: '10.0.2.7', guestPort: 53 });
    const pf = await ok(u, 'IEventSource_getEvent', { _this: own, listener: ol, timeout: 1000 });
    expect(await ok(u, 'INATNetworkPortForwardEvent_getProto', { _this: pf })).toBe('UDP');
    expect(await ok(u, 'INATNetworkPortForwardEvent_getHostPort', { _this: pf })).toBe('8053');

    expect(a.host.networks.natNetworkRefDec('busy')).toBe(0);
    const stopped = await ok(u, 'IEventSource_getEvent', { _this: es, listener: l, timeout: 1000 });
    expect(await ok(u, 'INATNetworkStartStopEvent_getStartEvent', { _this: stopped })).toBe('false');
    await ok(u, 'INATNetwork_setNetwork', { _this: net, network: '10.0.61.0/24' });
    await ok(u, 'IVirtualBox_removeNATNetwork', { _this: a.vbox, network: net });
  });
});
