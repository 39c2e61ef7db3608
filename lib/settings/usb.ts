/**
 * A host's USB devices for a machine (GET/POST /api/v1/vms/:id/usb, DELETE …/usb/:deviceId; policy
 * action vm:usb, admins only: a host's hardware is not a tenant's). The devices are those of the host
 * the machine runs on (else its first host); attaching and detaching go to the running VM's console
 * (IConsole::attachUSBDevice / detachUSBDevice), at once, without a task.
 */
import { z } from 'zod';
import { notFound, ProblemError } from '@/lib/api/problem';
import { LIVE, copiesOf, inventory, requireUp, type MachineCopy } from '@/lib/cluster/operations/common';
import type { IConsole, IHostUSBDevice, IUSBDevice } from '@/lib/vbox/objects';
import { withLockedMachine } from '@/lib/vbox/session';
import type { USBDeviceState } from '@/lib/vbox/types';
import type { MachineUsbView, UsbDeviceView } from './types';

export const attachUsbSchema = z.strictObject({ id: z.uuid({ message: "The USB device's id (a UUID)" }) });

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

async function deviceView(d: IUSBDevice, state: USBDeviceState, attachedTo: string | null): Promise<UsbDeviceView> {
  const [id, vendorId, productId, manufacturer, product, serialNumber, address, port, speed] = await Promise.all([
    d.getId(), d.getVendorId(), d.getProductId(), d.getManufacturer(), d.getProduct(), d.getSerialNumber(), d.getAddress(), d.getPort(), d.getSpeed(),
  ]);
  return { id, vendorId: hex4(vendorId), productId: hex4(productId), manufacturer, product, serialNumber, address, port, speed, state, attachedTo };
}

/** The copy whose host's devices count: the one that runs, else the first. */
async function hostCopy(id: string): Promise<{ copy: MachineCopy; running: boolean }> {
  const inv = await inventory();
  const copy = copiesOf(inv, id)[0];
  requireUp(inv.host(copy.host.id), copy.host.name);
  return { copy, running: LIVE.includes(copy.summary.state) };
}

/** The ids of the host devices a running machine on that host has captured (null: not running any more). */
async function capturedBy(copy: MachineCopy, machineId: string): Promise<string[] | null> {
  return copy.client.write((vbox, wsm) => withLockedMachine(vbox, wsm, machineId, 'Shared', async (session) => {
    const console = await session.getConsole();
    return console ? Promise.all((await console.getUSBDevices()).map((d) => d.getId())) : null;
  }), { release: true }).catch(() => null);
}

/** GET /api/v1/vms/:id/usb */
export async function machineUsb(id: string): Promise<MachineUsbView> {
  const { copy, running } = await hostCopy(id);
  const inv = await inventory();
  // Which running machine of the host holds each captured device (admins see every machine).
  const holder = new Map<string, { id: string; name: string }>();
  const others = (inv.monitor(copy.host.id)?.machines() ?? []).filter((m) => LIVE.includes(m.state));
  for (const m of others) for (const dev of (await capturedBy({ ...copy, summary: m }, m.id)) ?? []) holder.set(dev, { id: m.id, name: m.name });
  const devices = await copy.client.scope(async (vbox) => {
    const list: IHostUSBDevice[] = await (await vbox.getHost()).getUSBDevices();
    return Promise.all(list.map(async (d) => deviceView(d, await d.getState(), null)));
  });
  // By id: a name says nothing of which machine (twins on other hosts, a machine renamed a moment ago).
  const mine = new Set([...holder].filter(([, m]) => m.id === id).map(([dev]) => dev));
  const all = devices.map((d) => ({ ...d, attachedTo: holder.get(d.id)?.name ?? null }));
  return {
    hostId: copy.host.id, hostName: copy.host.name, running,
    attached: all.filter((d) => mine.has(d.id)),
    available: all.filter((d) => !mine.has(d.id)),
  };
}

/** Runs fn on the running machine's console; 409 when it does not run. */
async function onRunning<T>(id: string, fn: (console: IConsole, copy: MachineCopy) => Promise<T>): Promise<T> {
  const { copy, running } = await hostCopy(id);
  if (!running) {
    throw new ProblemError({ title: 'Machine not running', status: 409, detail: `USB devices attach to a running machine: ${copy.summary.name} is ${copy.summary.state} on ${copy.host.name}.` });
  }
  return copy.client.write((vbox, wsm) => withLockedMachine(vbox, wsm, id, 'Shared', async (session) => {
    const console = await session.getConsole();
    if (!console) throw new ProblemError({ title: 'Machine not running', status: 409, detail: `${copy.summary.name} is not running on ${copy.host.name}.` });
    return fn(console, copy);
  }), { release: true });
}

/** POST /api/v1/vms/:id/usb { id } → the device, attached (VirtualBox's refusal otherwise, e.g. a device another machine holds). */
export async function attachUsb(id: string, deviceId: string): Promise<{ device: UsbDeviceView }> {
  return onRunning(id, async (console, copy) => {
    const host = await copy.client.scope(async (vbox) => (await vbox.getHost()).getUSBDevices());
    const ids = await Promise.all(host.map((d) => d.getId()));
    if (!ids.includes(deviceId)) throw new ProblemError(notFound(`USB device ${deviceId} on ${copy.host.name}`));
    await console.attachUSBDevice(deviceId, '');
    const d = await console.findUSBDeviceById(deviceId);
    return { device: await deviceView(d, 'Captured', copy.summary.name) };
  });
}

/** DELETE /api/v1/vms/:id/usb/:deviceId → the device, given back to the host; 404 when the machine does not have it. */
export async function detachUsb(id: string, deviceId: string): Promise<{ device: UsbDeviceView }> {
  return onRunning(id, async (console, copy) => {
    const have = await Promise.all((await console.getUSBDevices()).map((d) => d.getId()));
    if (!have.includes(deviceId)) throw new ProblemError(notFound(`USB device ${deviceId} of ${copy.summary.name}`));
    const d = await console.detachUSBDevice(deviceId);
    return { device: await deviceView(d, 'Available', null) };
  });
}
