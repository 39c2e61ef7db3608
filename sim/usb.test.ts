// Issue 16 (S4): USB where the real vboxwebsrv cannot follow (it runs no machine and sees no device):
// the host's simulated devices, plugged and pulled through the control endpoint, captured by a running
// machine's filters at power-up and at plug (USBProxyService::runAllFiltersOnDevice), attached and
// detached by hand (Console::attachUSBDevice/detachUSBDevice, IUSBDeviceStateChangedEvent), released at
// power-off, global filters (Hold, Ignore), the host filter list's refusals, and what a restart keeps.
import { describe, expect, it } from 'vitest';
import { createMachine, finished, launch, list, listen as listenTo, lockWrite, ok, refused, simPerTest } from './soap/testing';

const E_INVALIDARG = 0x80070057 | 0;
const VBOX_E_PDM_ERROR = 0x80bb0006 | 0;
const VBOX_E_INVALID_VM_STATE = 0x80bb0002 | 0;
const VBOX_E_OBJECT_NOT_FOUND = 0x80bb0001 | 0;
const STICK = { vendorId: '1921', address: 'sysfs:/sys/bus/usb/devices/2-1//device:/dev/vboxusb/002/002' };

interface UsbView { id: string; address: string; vendorId: number; productId: number; state: string; machine: string | null }

describe('USB', () => {
  const sims = simPerTest('usb-test-', { control: true });

  async function start() {
    const { sim, url, vbox } = await sims.start();
    return { url, vbox, host: await ok(url, 'IVirtualBox_getHost', { _this: vbox }), control: sim.hosts[0].control as string };
  }

  const control = async (base: string, method: 'GET' | 'POST', p: string) => {
    const res = await fetch(`${base}${p}`, { method });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const devices = async (base: string) => (await control(base, 'GET', '/usb')).body.devices as UsbView[];

  /** A registered machine with the given controllers and filters (name, vendorId, active), saved. */
  async function machine(url: string, vbox: string, name: string, controllers: string[], filters: { name: string; vendorId: string; active?: boolean }[] = []) {
    const m = await createMachine(url, vbox, name);
    const { w, wm } = await lockWrite(url, vbox, m);
    for (const type of controllers) await ok(url, 'IMachine_addUSBController', { _this: wm, name: type, type });
    const fs2 = await ok(url, 'IMachine_getUSBDeviceFilters', { _this: wm });
    for (const [i, f] of filters.entries()) {
      const flt = await ok(url, 'IUSBDeviceFilters_createDeviceFilter', { _this: fs2, name: f.name });
      await ok(url, 'IUSBDeviceFilter_setVendorId', { _this: flt, vendorId: f.vendorId });
      await ok(url, 'IUSBDeviceFilter_setActive', { _this: flt, active: f.active ?? true });
      await ok(url, 'IUSBDeviceFilters_insertDeviceFilter', { _this: fs2, position: i, filter: flt });
    }
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });
    return m;
  }

  const listen = (url: string, source: string) => listenTo(url, source, ['OnUSBDeviceStateChanged']);

  /** The next IUSBDeviceStateChangedEvent: the device's id and whether it was attached. */
  async function nextUsbEvent(url: string, source: string, l: string, timeout = 1000) {
    const ev = await ok(url, 'IEventSource_getEvent', { _this: source, listener: l, timeout });
    if (!ev) return null;
    expect(await ok(url, 'IEvent_getType', { _this: ev })).toBe('OnUSBDeviceStateChanged');
    const device = await ok(url, 'IUSBDeviceStateChangedEvent_getDevice', { _this: ev });
    return {
      id: await ok(url, 'IUSBDevice_getId', { _this: device }),
      attached: await ok(url, 'IUSBDeviceStateChangedEvent_getAttached', { _this: ev }),
      error: await ok(url, 'IUSBDeviceStateChangedEvent_getError', { _this: ev }),
    };
  }

  const hostState = async (url: string, dev: string) => ok(url, 'IHostUSBDevice_getState', { _this: dev });

  it('lists the host\'s devices as VirtualBox on Linux does and finds them by address and id', async () => {
    const { url, host } = await start();
    const devs = await list(url, 'IHost_getUSBDevices', { _this: host });
    expect(devs).toHaveLength(2);
    const get = (d: string, a: string) => ok(url, `IUSBDevice_get${a}`, { _this: d });
    const stick = devs[0];
    expect(await Promise.all(['VendorId', 'ProductId', 'Revision', 'Manufacturer', 'Product', 'SerialNumber', 'Address', 'Port', 'Version', 'Speed', 'Remote', 'Backend', 'PortPath'].map((a) => get(stick, a))))
      .toEqual(['1921', '21889', '256', 'SanDisk', 'Ultra', '4C530001230514115392', STICK.address, '1', '3', 'Super', 'false', 'host', '']);
    expect(await list(url, 'IUSBDevice_getDeviceInfo', { _this: stick })).toEqual(['SanDisk', 'Ultra']);
    // A driver holds the stick (Busy, still capturable); nothing holds the reader.
    expect(await hostState(url, stick)).toBe('Busy');
    expect(await hostState(url, devs[1])).toBe('Available');
    const id = await get(stick, 'Id');
    expect(await ok(url, 'IHost_findUSBDeviceById', { _this: host, id: `{${id.toUpperCase()}}` })).toBe(stick);
    expect(await ok(url, 'IHost_findUSBDeviceByAddress', { _this: host, name: STICK.address })).toBe(stick);
    expect(await refused(url, 'IHost_findUSBDeviceByAddress', { _this: host, name: 'nope' })).toEqual({ code: VBOX_E_OBJECT_NOT_FOUND, text: expect.stringContaining("Could not find a USB device with address 'nope'") });
  });

  it('captures what the machine\'s filter matches at power-up and gives it back at power-off', async () => {
    const { url, vbox, host } = await start();
    const m = await machine(url, vbox, 'usb-start', ['OHCI'], [{ name: 'off', vendorId: '076b', active: false }, { name: 'stick', vendorId: '0781' }]);
    const [stick, reader] = await list(url, 'IHost_getUSBDevices', { _this: host });
    const { console, s } = await launch(url, vbox, m);
    expect(await hostState(url, stick)).toBe('Captured');
    // An inactive filter takes nothing.
    expect(await hostState(url, reader)).toBe('Available');
    const attached = await list(url, 'IConsole_getUSBDevices', { _this: console });
    expect(attached).toHaveLength(1);
    expect(await ok(url, 'IUSBDevice_getId', { _this: attached[0] })).toBe(await ok(url, 'IUSBDevice_getId', { _this: stick }));
    expect(await ok(url, 'IUSBDevice_getAddress', { _this: attached[0] })).toBe(STICK.address);
    expect(await list(url, 'IConsole_getRemoteUSBDevices', { _this: console })).toEqual([]);
    const byAddress = await ok(url, 'IConsole_findUSBDeviceByAddress', { _this: console, name: STICK.address });
    expect(await ok(url, 'IUSBDevice_getVendorId', { _this: byAddress })).toBe(STICK.vendorId);
    expect((await devices(sims.sim.hosts[0].control!))[0]).toMatchObject({ state: 'Captured', machine: 'usb-start' });

    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: console }))).rc).toBe(0);
    await ok(url, 'ISession_unlockMachine', { _this: s }).catch(() => undefined);
    expect(await hostState(url, stick)).toBe('Busy');
  });

  it('attaches and detaches a device by hand on a running machine, telling the console; refuses what VirtualBox refuses', async () => {
    const { url, vbox, host } = await start();
    const a = await machine(url, vbox, 'usb-a', ['XHCI']);
    const b = await machine(url, vbox, 'usb-b', ['OHCI', 'EHCI']);
    const ehciOnly = await machine(url, vbox, 'usb-ehci', ['EHCI']);
    const none = await machine(url, vbox, 'usb-none', []);
    const [, reader] = await list(url, 'IHost_getUSBDevices', { _this: host });
    const readerId = await ok(url, 'IUSBDevice_getId', { _this: reader });
    const ra = await launch(url, vbox, a);
    const rb = await launch(url, vbox, b);
    const l = await listen(url, ra.events);

    await ok(url, 'IConsole_attachUSBDevice', { _this: ra.console, id: readerId, captureFilename: '' });
    expect(await nextUsbEvent(url, ra.events, l)).toEqual({ id: readerId, attached: 'true', error: '' });
    expect(await hostState(url, reader)).toBe('Captured');
    expect(await list(url, 'IConsole_getUSBDevices', { _this: ra.console })).toHaveLength(1);
    // Captured by another machine: VirtualBox's text names it.
    expect(await refused(url, 'IConsole_attachUSBDevice', { _this: rb.console, id: readerId, captureFilename: '' })).toEqual({
      code: E_INVALIDARG,
      text: expect.stringContaining(`USB device 'OMNIKEY Smart Card Reader USB' with UUID {${readerId}} is already captured by the virtual machine 'usb-a'`),
    });
    const unknown = '12345678-1234-1234-1234-123456789012';
    expect((await refused(url, 'IConsole_attachUSBDevice', { _this: rb.console, id: unknown, captureFilename: '' })).text)
      .toContain(`The USB device with UUID {${unknown}} is not currently attached to the host`);
    expect(await refused(url, 'IConsole_findUSBDeviceById', { _this: rb.console, id: readerId }))
      .toEqual({ code: VBOX_E_OBJECT_NOT_FOUND, text: expect.stringContaining(`Could not find a USB device with uuid {${readerId}}`) });

    const detached = await ok(url, 'IConsole_detachUSBDevice', { _this: ra.console, id: readerId });
    expect(await ok(url, 'IUSBDevice_getId', { _this: detached })).toBe(readerId);
    expect(await nextUsbEvent(url, ra.events, l)).toEqual({ id: readerId, attached: 'false', error: '' });
    expect(await hostState(url, reader)).toBe('Available');
    expect(await list(url, 'IConsole_getUSBDevices', { _this: ra.console })).toEqual([]);
    expect((await refused(url, 'IConsole_detachUSBDevice', { _this: ra.console, id: readerId })).text)
      .toContain(`USB device with UUID {${readerId}} is not attached to this machine`);
    // Now the other machine may have it.
    await ok(url, 'IConsole_attachUSBDevice', { _this: rb.console, id: readerId, captureFilename: '' });
    expect((await devices(sims.sim.hosts[0].control!))[1]).toMatchObject({ state: 'Captured', machine: 'usb-b' });

    // No USB controller in the VM (an EHCI controller alone is none): VBOX_E_PDM_ERROR.
    for (const m of [none, ehciOnly]) {
      const r = await launch(url, vbox, m);
      expect(await refused(url, 'IConsole_attachUSBDevice', { _this: r.console, id: readerId, captureFilename: '' }))
        .toEqual({ code: VBOX_E_PDM_ERROR, text: expect.stringContaining('The virtual machine does not have a USB controller') });
    }
    // A paused machine takes devices; a controller cannot change while running.
    await ok(url, 'IConsole_pause', { _this: ra.console });
    const [stick] = await list(url, 'IHost_getUSBDevices', { _this: host });
    await ok(url, 'IConsole_attachUSBDevice', { _this: ra.console, id: await ok(url, 'IUSBDevice_getId', { _this: stick }), captureFilename: '' });
    expect(await hostState(url, stick)).toBe('Captured');
    expect(await refused(url, 'IMachine_addUSBController', { _this: ra.sm, name: 'OHCI', type: 'OHCI' }))
      .toEqual({ code: VBOX_E_INVALID_VM_STATE, text: expect.stringContaining('The machine is not mutable (state is Paused)') });
  });

  it('captures a device plugged while the machine runs when its filter matches, loses it when pulled; global filters hold or ignore', async () => {
    const { url, vbox, host, control: base } = await start();
    const m = await machine(url, vbox, 'usb-plug', ['XHCI'], [{ name: 'keys', vendorId: '1050' }, { name: 'mice', vendorId: '046d' }]);
    // Global filters: Logitech devices are ignored (the host keeps them), Kingston ones held for a machine.
    const ignore = await ok(url, 'IHost_createUSBDeviceFilter', { _this: host, name: 'no mice' });
    await ok(url, 'IUSBDeviceFilter_setVendorId', { _this: ignore, vendorId: '046d' });
    await ok(url, 'IUSBDeviceFilter_setActive', { _this: ignore, active: true });
    await ok(url, 'IHost_insertUSBDeviceFilter', { _this: host, position: 0, filter: ignore });
    const hold = await ok(url, 'IHost_createUSBDeviceFilter', { _this: host, name: 'hold kingston' });
    await ok(url, 'IUSBDeviceFilter_setVendorId', { _this: hold, vendorId: '0951' });
    await ok(url, 'IUSBDeviceFilter_setActive', { _this: hold, active: true });
    await ok(url, 'IHostUSBDeviceFilter_setAction', { _this: hold, action: 'Hold' });
    await ok(url, 'IHost_insertUSBDeviceFilter', { _this: host, position: 1, filter: hold });
    // The list's refusals (the real server's carry its proxy warning besides).
    expect(await refused(url, 'IHost_insertUSBDeviceFilter', { _this: host, position: 0, filter: hold }))
      .toEqual({ code: E_INVALIDARG, text: expect.stringContaining('The given USB device filter is already in the list') });
    expect((await refused(url, 'IHost_removeUSBDeviceFilter', { _this: host, position: 2 })).text).toContain('Invalid position: 2 (must be in range [0, 1])');

    const r = await launch(url, vbox, m);
    const l = await listen(url, r.events);
    const plug = await control(base, 'POST', '/usb/plug?vendorId=0x1050&productId=0x0407&manufacturer=Yubico&product=YubiKey%20OTP%2BFIDO%2BCCID&serialNumber=123&speed=Full');
    expect(plug.status).toBe(200);
    const key = plug.body.device as UsbView;
    expect(key).toMatchObject({ vendorId: 0x1050, productId: 0x0407, state: 'Captured', machine: 'usb-plug', address: expect.stringMatching(/^sysfs:\/sys\/bus\/usb\/devices\/1-\d+\/\/device:\/dev\/vboxusb\/001\/\d{3}$/) });
    expect(await nextUsbEvent(url, r.events, l)).toEqual({ id: key.id, attached: 'true', error: '' });
    expect(await ok(url, 'IUSBDevice_getManufacturer', { _this: await ok(url, 'IConsole_findUSBDeviceById', { _this: r.console, id: key.id }) })).toBe('Yubico');

    // A mouse the machine's filter matches, which a global Ignore filter keeps on the host.
    const mouse = (await control(base, 'POST', '/usb/plug?vendorId=0x046d&productId=0xc077&manufacturer=Logitech&product=USB%20Optical%20Mouse&speed=Low&hostDriver=1')).body.device as UsbView;
    expect(mouse.state).toBe('Busy');
    // What no machine wants and a global Hold filter matches: held by the proxy.
    const held = (await control(base, 'POST', '/usb/plug?vendorId=0x0951&productId=0x1666')).body.device as UsbView;
    expect(held.state).toBe('Held');
    expect(await nextUsbEvent(url, r.events, l, 100)).toBeNull();

    // A filter added while the machine runs takes what is plugged next (the session machine's, unsaved).
    const filters = await ok(url, 'IMachine_getUSBDeviceFilters', { _this: r.sm });
    const f = await ok(url, 'IUSBDeviceFilters_createDeviceFilter', { _this: filters, name: 'kingston' });
    await ok(url, 'IUSBDeviceFilter_setVendorId', { _this: f, vendorId: '0951' });
    await ok(url, 'IUSBDeviceFilter_setProductId', { _this: f, productId: '0x1600-0x16ff' });
    await ok(url, 'IUSBDeviceFilter_setActive', { _this: f, active: true });
    await ok(url, 'IUSBDeviceFilters_insertDeviceFilter', { _this: filters, position: 0, filter: f });
    const second = (await control(base, 'POST', '/usb/plug?vendorId=0x0951&productId=0x1666&serialNumber=2')).body.device as UsbView;
    expect(second).toMatchObject({ state: 'Captured', machine: 'usb-plug' });
    expect((await nextUsbEvent(url, r.events, l))?.id).toBe(second.id);

    // Pulled out: the machine loses it, the host no longer lists it.
    expect((await control(base, 'POST', `/usb/unplug?id=${key.id}`)).status).toBe(200);
    expect(await nextUsbEvent(url, r.events, l)).toEqual({ id: key.id, attached: 'false', error: '' });
    expect(await refused(url, 'IHost_findUSBDeviceById', { _this: host, id: key.id })).toMatchObject({ code: VBOX_E_OBJECT_NOT_FOUND });
    expect((await list(url, 'IConsole_getUSBDevices', { _this: r.console })).length).toBe(1);
    expect((await control(base, 'POST', '/usb/unplug?id=nope')).status).toBe(404);
    expect((await control(base, 'POST', '/usb/plug?productId=1')).status).toBe(400);
    expect((await devices(base)).map((d) => d.state)).toEqual(['Busy', 'Available', 'Busy', 'Held', 'Captured']);
  });

  it('releases the devices when the machine saves its state; a Saved machine takes filter changes, not controller ones', async () => {
    const { url, vbox, host } = await start();
    const m = await machine(url, vbox, 'usb-saved', ['OHCI'], [{ name: 'reader', vendorId: '076b' }]);
    const [, reader] = await list(url, 'IHost_getUSBDevices', { _this: host });
    const r = await launch(url, vbox, m);
    expect(await hostState(url, reader)).toBe('Captured');
    expect((await finished(url, await ok(url, 'IMachine_saveState', { _this: r.sm }))).rc).toBe(0);
    expect(await ok(url, 'IMachine_getState', { _this: m })).toBe('Saved');
    expect(await hostState(url, reader)).toBe('Available');

    const { w, wm } = await lockWrite(url, vbox, m);
    const filters = await ok(url, 'IMachine_getUSBDeviceFilters', { _this: wm });
    const f = await ok(url, 'IUSBDeviceFilters_createDeviceFilter', { _this: filters, name: 'stick' });
    await ok(url, 'IUSBDeviceFilter_setVendorId', { _this: f, vendorId: '0781' });
    await ok(url, 'IUSBDeviceFilters_insertDeviceFilter', { _this: filters, position: 1, filter: f });
    expect(await refused(url, 'IMachine_addUSBController', { _this: wm, name: 'xHCI', type: 'XHCI' }))
      .toEqual({ code: VBOX_E_INVALID_VM_STATE, text: expect.stringContaining('The machine is not mutable (state is Saved)') });
    const [ohci] = await list(url, 'IMachine_getUSBControllers', { _this: wm });
    expect((await refused(url, 'IUSBController_setType', { _this: ohci, type: 'XHCI' })).text).toContain('The machine is not mutable (state is Saved)');
    await ok(url, 'IMachine_saveSettings', { _this: wm });
    await ok(url, 'ISession_unlockMachine', { _this: w });
    expect(await list(url, 'IUSBDeviceFilters_getDeviceFilters', { _this: await ok(url, 'IMachine_getUSBDeviceFilters', { _this: m }) })).toHaveLength(2);
  });

  it('gives a device a stopping machine had to another running machine whose filter matches', async () => {
    const { url, vbox, host } = await start();
    const first = await machine(url, vbox, 'usb-first', ['OHCI'], [{ name: 'reader', vendorId: '076b' }]);
    const second = await machine(url, vbox, 'usb-second', ['OHCI'], [{ name: 'reader', vendorId: '076b' }]);
    const [, reader] = await list(url, 'IHost_getUSBDevices', { _this: host });
    const r1 = await launch(url, vbox, first);
    const r2 = await launch(url, vbox, second);
    const base = sims.sim.hosts[0].control!;
    expect((await devices(base))[1]).toMatchObject({ state: 'Captured', machine: 'usb-first' });
    expect(await list(url, 'IConsole_getUSBDevices', { _this: r2.console })).toEqual([]);
    const l = await listen(url, r2.events);
    expect((await finished(url, await ok(url, 'IConsole_powerDown', { _this: r1.console }))).rc).toBe(0);
    expect((await devices(base))[1]).toMatchObject({ state: 'Captured', machine: 'usb-second' });
    expect((await nextUsbEvent(url, r2.events, l))?.attached).toBe('true');
    expect(await hostState(url, reader)).toBe('Captured');
  });

  it('keeps controllers, filters and the global filters across a restart of vboxsim; the devices get new ids', async () => {
    let { url, vbox, host } = await start();
    const m = await machine(url, vbox, 'usb-kept', ['OHCI', 'XHCI'], [{ name: 'stick', vendorId: '0781' }]);
    const id = await ok(url, 'IMachine_getId', { _this: m });
    const g = await ok(url, 'IHost_createUSBDeviceFilter', { _this: host, name: 'global' });
    await ok(url, 'IUSBDeviceFilter_setManufacturer', { _this: g, manufacturer: 'San*' });
    await ok(url, 'IHostUSBDeviceFilter_setAction', { _this: g, action: 'Hold' });
    await ok(url, 'IHost_insertUSBDeviceFilter', { _this: host, position: 0, filter: g });
    const oldIds = await Promise.all((await list(url, 'IHost_getUSBDevices', { _this: host })).map((d) => ok(url, 'IUSBDevice_getId', { _this: d })));
    await sims.stop();

    ({ url, vbox, host } = await start());
    const again = await ok(url, 'IVirtualBox_findMachine', { _this: vbox, nameOrId: id });
    const ctls = await list(url, 'IMachine_getUSBControllers', { _this: again });
    expect(await Promise.all(ctls.map((c) => ok(url, 'IUSBController_getType', { _this: c })))).toEqual(['OHCI', 'XHCI']);
    const [flt] = await list(url, 'IUSBDeviceFilters_getDeviceFilters', { _this: await ok(url, 'IMachine_getUSBDeviceFilters', { _this: again }) });
    expect([await ok(url, 'IUSBDeviceFilter_getName', { _this: flt }), await ok(url, 'IUSBDeviceFilter_getVendorId', { _this: flt }), await ok(url, 'IUSBDeviceFilter_getActive', { _this: flt })])
      .toEqual(['stick', '0781', 'true']);
    const [global] = await list(url, 'IHost_getUSBDeviceFilters', { _this: host });
    expect([await ok(url, 'IUSBDeviceFilter_getName', { _this: global }), await ok(url, 'IUSBDeviceFilter_getManufacturer', { _this: global }), await ok(url, 'IHostUSBDeviceFilter_getAction', { _this: global })])
      .toEqual(['global', 'San*', 'Hold']);
    const newIds = await Promise.all((await list(url, 'IHost_getUSBDevices', { _this: host })).map((d) => ok(url, 'IUSBDevice_getId', { _this: d })));
    expect(newIds).toHaveLength(2);
    expect(newIds.some((x) => oldIds.includes(x))).toBe(false);
  });
});
