// Issue 15: a machine's network adapters where the real vboxwebsrv cannot follow (it runs no VM):
// live changes of a running machine as VirtualBox 7.1.12 makes them — NetworkAdapterImpl.cpp's state
// dependencies, Console::i_onNetworkAdapterChange (INetworkAdapterChangedEvent on the console, none for
// an adapter that was off at power-on), SessionMachine::i_onNATRedirectRuleChanged (INATRedirectEvent on
// VirtualBox's event source) — and the adapters' settings surviving a restart of vboxsim.
import { describe, expect, it } from 'vitest';
import { liveNics } from './model/network-adapter';
import { finished, launch, list, listen, newMachine, nextEvent, ok, refused, savedMachine, simPerTest, soap } from './soap/testing';

const VBOX_E_INVALID_VM_STATE = 0x80bb0002 | 0;

describe('network adapters', () => {
  const sims = simPerTest('nic-test-');
  const start = () => sims.start();

  /** A registered Debian machine (adapter 0 on NAT) with a write-locked session: `w`, `wm`, and its id. */
  async function machine(url: string, vbox: string, name: string) {
    const made = await newMachine(url, vbox, name);
    return { ...made, id: await ok(url, 'IMachine_getId', { _this: made.m }) };
  }

  it('changes a running machine\'s cable, attachment and promiscuous mode at once, telling its console; refuses what needs it off', async () => {
    const { url, vbox } = await start();
    const { m, w, wm, id } = await machine(url, vbox, 'live-nic');
    const nic1 = await ok(url, 'IMachine_getNetworkAdapter', { _this: wm, slot: 1 });
    await ok(url, 'INetworkAdapter_setEnabled', { _this: nic1, enabled: true });
    await ok(url, 'INetworkAdapter_setAttachmentType', { _this: nic1, attachmentType: 'Internal' });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });
    const { sm, console } = await launch(url, vbox, m);
    const events = await ok(url, 'IConsole_getEventSource', { _this: console });
    const l = await listen(url, events, ['OnNetworkAdapterChanged']);

    const nic = await ok(url, 'IMachine_getNetworkAdapter', { _this: sm, slot: 0 });
    await ok(url, 'INetworkAdapter_setCableConnected', { _this: nic, cableConnected: false });
    const ev = await nextEvent(url, events, l);
    expect(await ok(url, 'IEvent_getType', { _this: ev })).toBe('OnNetworkAdapterChanged');
    const changed = await ok(url, 'INetworkAdapterChangedEvent_getNetworkAdapter', { _this: ev });
    expect(await ok(url, 'INetworkAdapter_getSlot', { _this: changed })).toBe('0');
    expect(await ok(url, 'INetworkAdapter_getCableConnected', { _this: changed })).toBe('false');
    // The guest's view (what the Guest Additions report) follows at once, before any saveSettings.
    const core = sims.sim.hosts[0].sim.findCore(id)!;
    expect(liveNics(core)[0].cableConnected).toBe(false);
    expect(core.settings.nics[0].cableConnected).toBe(true);

    await ok(url, 'INetworkAdapter_setAttachmentType', { _this: nic, attachmentType: 'Internal' });
    await ok(url, 'INetworkAdapter_setInternalNetwork', { _this: nic, internalNetwork: 'lab' });
    await ok(url, 'INetworkAdapter_setPromiscModePolicy', { _this: nic, promiscModePolicy: 'AllowAll' });
    await ok(url, 'INetworkAdapter_setProperty', { _this: nic, key: 'x', value: 'y' });
    for (let i = 0; i < 4; i++) expect(await ok(url, 'IEvent_getType', { _this: await nextEvent(url, events, l) })).toBe('OnNetworkAdapterChanged');
    expect(liveNics(core)[0]).toMatchObject({ attachmentType: 'Internal', internalNetwork: 'lab', promiscModePolicy: 'AllowAll' });

    // What VirtualBox allows only on a mutable machine (AutoMutableStateDependency) or a saved one.
    for (const [op, arg] of [
      ['setAdapterType', { adapterType: 'Virtio' }], ['setEnabled', { enabled: false }], ['setMACAddress', { MACAddress: '080027000001' }],
      ['setLineSpeed', { lineSpeed: 1000 }], ['setBootPriority', { bootPriority: 1 }],
    ] as const) {
      const r = await refused(url, `INetworkAdapter_${op}`, { _this: nic, ...arg });
      expect(r).toEqual({ code: VBOX_E_INVALID_VM_STATE, text: expect.stringContaining('The machine is not mutable (state is Running)') });
    }
    expect((await refused(url, 'INetworkAdapter_setBandwidthGroup', { _this: nic, bandwidthGroup: '' })).text).toContain('The machine is not mutable or saved (state is Running)');
    expect(await nextEvent(url, events, l, 100)).toBe('');

    // Adapter 2 was off at power-on: the VM has no device for it, so the change is kept but nobody is told.
    const off = await ok(url, 'IMachine_getNetworkAdapter', { _this: sm, slot: 2 });
    await ok(url, 'INetworkAdapter_setCableConnected', { _this: off, cableConnected: false });
    expect(await ok(url, 'INetworkAdapter_getCableConnected', { _this: off })).toBe('false');
    expect(await nextEvent(url, events, l, 100)).toBe('');
    // Adapter 1 was on: its changes reach the VM.
    const on = await ok(url, 'IMachine_getNetworkAdapter', { _this: sm, slot: 1 });
    await ok(url, 'INetworkAdapter_setCableConnected', { _this: on, cableConnected: false });
    const ev1 = await nextEvent(url, events, l);
    expect(await ok(url, 'INetworkAdapter_getSlot', { _this: await ok(url, 'INetworkAdapterChangedEvent_getNetworkAdapter', { _this: ev1 }) })).toBe('1');

    // discardSettings puts the running adapters back and tells the VM of each.
    await ok(url, 'IMachine_discardSettings', { _this: sm });
    expect(await ok(url, 'INetworkAdapter_getCableConnected', { _this: nic })).toBe('true');
    expect(await ok(url, 'INetworkAdapter_getAttachmentType', { _this: nic })).toBe('NAT');
    expect(liveNics(core)[0].cableConnected).toBe(true);
    const slots = new Set<string>();
    for (let i = 0; i < 2; i++) slots.add(await ok(url, 'INetworkAdapter_getSlot', { _this: await ok(url, 'INetworkAdapterChangedEvent_getNetworkAdapter', { _this: await nextEvent(url, events, l) }) }));
    expect(slots).toEqual(new Set(['0', '1']));

    // The live change kept by saveSettings is the machine's from then on.
    await ok(url, 'INetworkAdapter_setCableConnected', { _this: nic, cableConnected: false });
    await ok(url, 'IMachine_saveSettings', { _this: sm });
    expect(core.settings.nics[0].cableConnected).toBe(false);
    expect(await ok(url, 'INetworkAdapter_getCableConnected', { _this: await ok(url, 'IMachine_getNetworkAdapter', { _this: m, slot: 0 }) })).toBe('false');
  });

  it('forwards ports of a running machine, firing INATRedirectEvent on VirtualBox\'s event source; not for a machine that is off', async () => {
    const { url, vbox } = await start();
    const { m, w, wm, id } = await machine(url, vbox, 'live-nat');
    const vboxEvents = await ok(url, 'IVirtualBox_getEventSource', { _this: vbox });
    const l = await listen(url, vboxEvents, ['OnNATRedirect']);
    // A write-locked machine that is off: the rule is kept, no event.
    const offNat = await ok(url, 'INetworkAdapter_getNATEngine', { _this: await ok(url, 'IMachine_getNetworkAdapter', { _this: wm, slot: 0 }) });
    await ok(url, 'INATEngine_addRedirect', { _this: offNat, name: 'ssh', proto: 'TCP', hostIP: '', hostPort: 2222, guestIP: '', guestPort: 22 });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });
    expect(await nextEvent(url, vboxEvents, l, 100)).toBe('');

    const { sm } = await launch(url, vbox, m);
    const nat = await ok(url, 'INetworkAdapter_getNATEngine', { _this: await ok(url, 'IMachine_getNetworkAdapter', { _this: sm, slot: 0 }) });
    await ok(url, 'INATEngine_addRedirect', { _this: nat, name: 'web', proto: 'TCP', hostIP: '127.0.0.1', hostPort: 8080, guestIP: '10.0.2.15', guestPort: 80 });
    const ev = await nextEvent(url, vboxEvents, l);
    expect(await ok(url, 'IEvent_getType', { _this: ev })).toBe('OnNATRedirect');
    // The machine id is IMachineEvent's attribute (an inherited member is called by its own interface's name).
    const read = async (e: string) => Object.fromEntries(await Promise.all(
      ['MachineId', 'Slot', 'Remove', 'Name', 'Proto', 'HostIP', 'HostPort', 'GuestIP', 'GuestPort']
        .map(async (k) => [k, await ok(url, `${k === 'MachineId' ? 'IMachineEvent' : 'INATRedirectEvent'}_get${k}`, { _this: e })]),
    ));
    expect(await read(ev)).toEqual({ MachineId: id, Slot: '0', Remove: 'false', Name: 'web', Proto: 'TCP', HostIP: '127.0.0.1', HostPort: '8080', GuestIP: '10.0.2.15', GuestPort: '80' });
    // A duplicate is refused with VirtualBox's text and tells nobody.
    expect((await refused(url, 'INATEngine_addRedirect', { _this: nat, name: 'web2', proto: 'TCP', hostIP: '127.0.0.1', hostPort: 8080, guestIP: '', guestPort: 81 })).text)
      .toContain('A NAT rule for this host port and this host IP already exists');
    await ok(url, 'INATEngine_removeRedirect', { _this: nat, name: 'ssh' });
    expect(await read(await nextEvent(url, vboxEvents, l))).toMatchObject({ Remove: 'true', Name: 'ssh', HostPort: '2222', GuestPort: '22' });
    expect(await nextEvent(url, vboxEvents, l, 100)).toBe('');
    expect(await list(url, 'INATEngine_getRedirects', { _this: nat })).toEqual(['web,1,127.0.0.1,8080,10.0.2.15,80']);
    await ok(url, 'IMachine_saveSettings', { _this: sm });
    expect(sims.sim.hosts[0].sim.findCore(id)!.settings.nics[0].natRules).toEqual([
      { name: 'web', proto: 'TCP', hostIP: '127.0.0.1', hostPort: 8080, guestIP: '10.0.2.15', guestPort: 80 },
    ]);
  });

  it('keeps every adapter and NAT setting in the settings file across a restart of vboxsim', async () => {
    const started = await start();
    let url = started.url;
    const { m, w, wm } = await machine(url, started.vbox, 'kept-nic');
    const bw = await ok(url, 'IMachine_getBandwidthControl', { _this: wm });
    await ok(url, 'IBandwidthControl_createBandwidthGroup', { _this: bw, name: 'net', type: 'Network', maxBytesPerSec: 1 << 20 });
    const nic = await ok(url, 'IMachine_getNetworkAdapter', { _this: wm, slot: 3 });
    const set = (op: string, args: Record<string, string | number | boolean>) => ok(url, `INetworkAdapter_${op}`, { _this: nic, ...args });
    await set('setEnabled', { enabled: true });
    await set('setAdapterType', { adapterType: 'Virtio' });
    await set('setMACAddress', { MACAddress: '0a0027abcdef' });
    await set('setAttachmentType', { attachmentType: 'Generic' });
    await set('setGenericDriver', { genericDriver: 'UDPTunnel' });
    await set('setProperty', { key: 'dest', value: '10.1.1.1' });
    await set('setBridgedInterface', { bridgedInterface: 'br0' });
    await set('setHostOnlyInterface', { hostOnlyInterface: 'vboxnet1' });
    await set('setNATNetwork', { NATNetwork: 'natnet1' });
    await set('setCloudNetwork', { cloudNetwork: 'cloud1' });
    await set('setCableConnected', { cableConnected: false });
    await set('setLineSpeed', { lineSpeed: 100000 });
    await set('setPromiscModePolicy', { promiscModePolicy: 'AllowNetwork' });
    await set('setTraceEnabled', { traceEnabled: true });
    await set('setTraceFile', { traceFile: '/tmp/t.pcap' });
    await set('setBootPriority', { bootPriority: 2 });
    await set('setBandwidthGroup', { bandwidthGroup: await ok(url, 'IBandwidthControl_getBandwidthGroup', { _this: bw, name: 'net' }) });
    const nat = await ok(url, 'INetworkAdapter_getNATEngine', { _this: nic });
    const natSet = (op: string, args: Record<string, string | number | boolean>) => ok(url, `INATEngine_${op}`, { _this: nat, ...args });
    await natSet('setNetwork', { network: '10.7.0.0/24' });
    await natSet('setHostIP', { hostIP: '127.0.0.1' });
    await natSet('setTFTPPrefix', { TFTPPrefix: '/tftp' });
    await natSet('setTFTPBootFile', { TFTPBootFile: 'pxelinux.0' });
    await natSet('setTFTPNextServer', { TFTPNextServer: '10.7.0.4' });
    await natSet('setAliasMode', { aliasMode: 5 });
    await natSet('setDNSPassDomain', { DNSPassDomain: false });
    await natSet('setDNSProxy', { DNSProxy: true });
    await natSet('setDNSUseHostResolver', { DNSUseHostResolver: true });
    await natSet('setLocalhostReachable', { localhostReachable: true });
    await natSet('setNetworkSettings', { mtu: 1400, sockSnd: 64, sockRcv: 128, TcpWndSnd: 16, TcpWndRcv: 32 });
    await natSet('addRedirect', { name: 'rdp', proto: 'UDP', hostIP: '', hostPort: 3390, guestIP: '', guestPort: 3389 });
    const { url: url2, again } = await sims.saveAndRestart(url, { m, w, wm });
    url = url2;
    const n = await ok(url, 'IMachine_getNetworkAdapter', { _this: again, slot: 3 });
    const get = async (op: string) => ok(url, `INetworkAdapter_get${op}`, { _this: n });
    expect({
      enabled: await get('Enabled'), type: await get('AdapterType'), mac: await get('MACAddress'), att: await get('AttachmentType'),
      driver: await get('GenericDriver'), bridged: await get('BridgedInterface'), hostOnly: await get('HostOnlyInterface'),
      natNet: await get('NATNetwork'), cloud: await get('CloudNetwork'), cable: await get('CableConnected'), speed: await get('LineSpeed'),
      promisc: await get('PromiscModePolicy'), trace: await get('TraceEnabled'), traceFile: await get('TraceFile'), boot: await get('BootPriority'),
    }).toEqual({
      enabled: 'true', type: 'Virtio', mac: '0A0027ABCDEF', att: 'Generic', driver: 'UDPTunnel', bridged: 'br0', hostOnly: 'vboxnet1',
      natNet: 'natnet1', cloud: 'cloud1', cable: 'false', speed: '100000', promisc: 'AllowNetwork', trace: 'true', traceFile: '/tmp/t.pcap', boot: '2',
    });
    expect(await ok(url, 'INetworkAdapter_getProperty', { _this: n, key: 'dest' })).toBe('10.1.1.1');
    expect(await ok(url, 'IBandwidthGroup_getName', { _this: await ok(url, 'INetworkAdapter_getBandwidthGroup', { _this: n }) })).toBe('net');
    const e = await ok(url, 'INetworkAdapter_getNATEngine', { _this: n });
    const natGet = (op: string) => ok(url, `INATEngine_get${op}`, { _this: e });
    expect({
      net: await natGet('Network'), ip: await natGet('HostIP'), prefix: await natGet('TFTPPrefix'), file: await natGet('TFTPBootFile'),
      next: await natGet('TFTPNextServer'), alias: await natGet('AliasMode'), pass: await natGet('DNSPassDomain'), proxy: await natGet('DNSProxy'),
      resolver: await natGet('DNSUseHostResolver'), localhost: await natGet('LocalhostReachable'),
    }).toEqual({
      net: '10.7.0.0/24', ip: '127.0.0.1', prefix: '/tftp', file: 'pxelinux.0', next: '10.7.0.4', alias: '5', pass: 'false', proxy: 'true',
      resolver: 'true', localhost: 'true',
    });
    const ns = await soap(url, 'INATEngine_getNetworkSettings', { _this: e });
    // The receive buffer takes the send buffer's value, as NATEngine::setNetworkSettings does.
    expect(ns.result).toMatchObject({ mtu: '1400', sockSnd: '64', sockRcv: '64', TcpWndSnd: '16', TcpWndRcv: '32' });
    expect(await list(url, 'INATEngine_getRedirects', { _this: e })).toEqual(['rdp,0,,3390,,3389']);
  });

  it('keeps a NAT network started while a running machine is attached to it, and switches live (i_switchToNatNetworking)', async () => {
    const { url, vbox } = await start();
    const registry = sims.sim.hosts[0].sim.networks;
    for (const name of ['natA', 'natB']) {
      const net = await ok(url, 'IVirtualBox_createNATNetwork', { _this: vbox, networkName: name });
      await ok(url, 'INATNetwork_setNetwork', { _this: net, network: name === 'natA' ? '10.20.0.0/24' : '10.21.0.0/24' });
      await ok(url, 'INATNetwork_setEnabled', { _this: net, enabled: true });
    }
    const { m, w, wm } = await machine(url, vbox, 'on-natnet');
    const nic = await ok(url, 'IMachine_getNetworkAdapter', { _this: wm, slot: 0 });
    await ok(url, 'INetworkAdapter_setAttachmentType', { _this: nic, attachmentType: 'NATNetwork' });
    await ok(url, 'INetworkAdapter_setNATNetwork', { _this: nic, NATNetwork: 'natA' });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });
    expect(registry.isStarted('natA')).toBe(false);

    const { s, sm, console } = await launch(url, vbox, m);
    expect(registry.isStarted('natA')).toBe(true);
    // A NAT network in use is refused changes, as VirtualBox refuses them while its service runs.
    const natA = await ok(url, 'IVirtualBox_findNATNetworkByName', { _this: vbox, networkName: 'natA' });
    expect((await refused(url, 'INATNetwork_setNetwork', { _this: natA, network: '10.22.0.0/24' })).text).toContain('Unable to change settings while NATNetwork instance is running');

    const live = await ok(url, 'IMachine_getNetworkAdapter', { _this: sm, slot: 0 });
    await ok(url, 'INetworkAdapter_setNATNetwork', { _this: live, NATNetwork: 'natB' });
    expect([registry.isStarted('natA'), registry.isStarted('natB')]).toEqual([false, true]);
    await ok(url, 'INetworkAdapter_setAttachmentType', { _this: live, attachmentType: 'NAT' });
    expect(registry.isStarted('natB')).toBe(false);
    await ok(url, 'INetworkAdapter_setAttachmentType', { _this: live, attachmentType: 'NATNetwork' });
    expect(registry.isStarted('natB')).toBe(true);

    // Powering off lets go of what the VM uses then.
    await ok(url, 'ISession_unlockMachine', { _this: s });
    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: console }))).rc).toBe(0);
    expect([registry.isStarted('natA'), registry.isStarted('natB')]).toEqual([false, false]);

    // A machine that runs on across a restart of vboxsim keeps its (saved) NAT network started.
    await launch(url, vbox, m);
    await sims.stop();
    await start();
    expect([sims.sim.hosts[0].sim.networks.isStarted('natA'), sims.sim.hosts[0].sim.networks.isStarted('natB')]).toEqual([true, false]);
  });

  it('changes a saved machine\'s attachment and cable but not its hardware (MutableOrSaved vs Mutable)', async () => {
    const { url, vbox } = await start();
    const { w: w2, wm: wm2 } = await savedMachine(url, vbox, 'saved-nic');
    const nic = await ok(url, 'IMachine_getNetworkAdapter', { _this: wm2, slot: 0 });
    await ok(url, 'INetworkAdapter_setCableConnected', { _this: nic, cableConnected: false });
    await ok(url, 'INetworkAdapter_setAttachmentType', { _this: nic, attachmentType: 'Internal' });
    await ok(url, 'INetworkAdapter_setBandwidthGroup', { _this: nic, bandwidthGroup: '' });
    for (const [op, arg] of [['setEnabled', { enabled: false }], ['setLineSpeed', { lineSpeed: 10 }], ['setAdapterType', { adapterType: 'Virtio' }]] as const) {
      expect(await refused(url, `INetworkAdapter_${op}`, { _this: nic, ...arg })).toEqual({ code: VBOX_E_INVALID_VM_STATE, text: expect.stringContaining('The machine is not mutable (state is Saved)') });
    }
    await ok(url, 'ISession_unlockMachine', { _this: w2 });
  });

  it('has as many adapters as the chipset: 8 on PIIX3, 36 on ICH9', async () => {
    const { url, vbox } = await start();
    const { w, wm } = await machine(url, vbox, 'ich9-nic');
    await ok(url, 'IPlatform_setChipsetType', { _this: await ok(url, 'IMachine_getPlatform', { _this: wm }), chipsetType: 'ICH9' });
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    expect(await ok(url, 'INetworkAdapter_getSlot', { _this: await ok(url, 'IMachine_getNetworkAdapter', { _this: wm, slot: 35 }) })).toBe('35');
    expect((await refused(url, 'IMachine_getNetworkAdapter', { _this: wm, slot: 36 })).text).toContain('No network adapter in slot 36 (total 36 adapters)');
    await ok(url, 'ISession_unlockMachine', { _this: w });
  });
});
