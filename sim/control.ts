import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimHost } from './host';
import type { HostUSBDevice, UsbDeviceSpec } from './model/usb';

/**
 * Fault injection for tests, one small HTTP endpoint per host (only with --control). Bodies are empty;
 * answers are JSON, errors `{ error }`.
 *   GET  /status                      host, power, listener and machine states
 *   POST /power/off                   the host loses power: SOAP port, websessions and every VM process gone at
 *                                     once, nothing written (settings files keep saying what they said)
 *   POST /power/on                    the host boots: VBoxSVC reads registry and settings files again (a machine
 *                                     that ran comes back PoweredOff), vboxwebsrv listens on its port again
 *                                     (both idempotent: 200 { power } whatever the state was)
 *   POST /latency?ms=N                add N ms to every SOAP call
 *   POST /soap/down, /soap/up         vboxwebsrv alone dies and comes back: machines keep running and writing
 *   POST /machines/:nameOrId/crash    the VM process dies (machine Aborted)
 *   POST /websessions/expire          every websession ends, as after the idle timeout
 *   POST /teleport/cut[?off]          cut the next (and running) teleports mid-transfer (?off: stop cutting)
 *   GET  /usb                         the host's USB devices (id, address, ids, strings, state, machine)
 *   POST /usb/plug?vendorId=0x1050&productId=0x0407[&manufacturer=…&product=…&serialNumber=…&revision=0x0100
 *                  &bus=N&port=N&speed=Low|Full|High|Super&hostDriver=1]
 *                                     a device appears on the host (running machines' filters may capture it)
 *   POST /usb/unplug?id=…|address=…   it goes away (from the machine it is attached to, too)
 * While the host is powered off, /soap/*, /machines/* and /websessions/* answer 409 "host is powered off".
 */
export async function startControl(host: SimHost, port: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    handle(host, req).then(
      ([status, body]) => reply(res, status, body),
      (e: unknown) => reply(res, 500, { error: (e as Error).message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const power = (host: SimHost) => (host.powered ? 'on' : 'off');

async function handle(host: SimHost, req: http.IncomingMessage): Promise<[number, unknown]> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const p = url.pathname;
  if (req.method === 'GET' && p === '/status') {
    return [200, {
      host: host.name, power: power(host), soap: host.listener.listening ? 'up' : 'down', url: host.url, latencyMs: host.latency,
      websessions: host.soap.websessions.count, soapCalls: host.soap.calls, cutTeleports: host.cutTeleports,
      machines: host.machines().map((c) => ({ id: c.id, name: c.name, state: c.state, sessionState: c.sessionState, vrdePort: c.vm?.vrdePort ?? null })),
    }];
  }
  if (req.method === 'GET' && p === '/usb') {
    if (!host.powered) return [409, { error: 'host is powered off' }];
    return [200, { devices: host.host.usb.all().map(usbView) }];
  }
  if (req.method !== 'POST') return [405, { error: 'use POST' }];
  if (p === '/usb/plug' || p === '/usb/unplug') {
    if (!host.powered) return [409, { error: 'host is powered off' }];
    return p === '/usb/plug' ? usbPlug(host, url.searchParams) : usbUnplug(host, url.searchParams);
  }
  if (p === '/power/off') {
    await host.powerOff();
    return [200, { power: power(host) }];
  }
  if (p === '/power/on') {
    await host.powerOn();
    return [200, { power: power(host), soap: host.listener.listening ? 'up' : 'down', url: host.url }];
  }
  if (p === '/latency') {
    const ms = Number(url.searchParams.get('ms'));
    if (!Number.isFinite(ms) || ms < 0 || ms > 600_000) return [400, { error: 'ms must be a number of milliseconds (0 to 600000)' }];
    host.latency = ms;
    return [200, { latencyMs: ms }];
  }
  if (p === '/teleport/cut') {
    host.cutTeleports = url.searchParams.get('off') === null;
    return [200, { cutTeleports: host.cutTeleports }];
  }
  const known = p === '/soap/down' || p === '/soap/up' || p === '/websessions/expire' || /^\/machines\/[^/]+\/crash$/.test(p);
  if (!known) return [404, { error: `unknown control ${p}` }];
  if (!host.powered) return [409, { error: 'host is powered off' }];
  if (p === '/soap/down') {
    await host.listener.close();
    return [200, { soap: 'down' }];
  }
  if (p === '/soap/up') {
    if (!host.listener.listening) await host.listener.listen(host.listener.port);
    return [200, { soap: 'up', url: host.url }];
  }
  if (p === '/websessions/expire') return [200, { expired: host.soap.websessions.expireAll() }];
  const key = decodeURIComponent((p.match(/^\/machines\/([^/]+)\/crash$/) as RegExpMatchArray)[1]);
  const core = host.machines().find((c) => c.id === key || c.name === key);
  if (!core) return [404, { error: `no machine '${key}'` }];
  if (!core.vm) return [409, { error: `machine '${core.name}' is not running (${core.state})` }];
  await core.vm.crash();
  return [200, { machine: core.name, state: core.state }];
}

// Simulated USB devices (issue 16 S4): plugged into and pulled out of the host's buses.
function usbView(d: HostUSBDevice) {
  const x = d.data;
  return {
    id: x.id, address: x.address, vendorId: x.vendorId, productId: x.productId, revision: x.revision, manufacturer: x.manufacturer,
    product: x.product, serialNumber: x.serialNumber, port: x.port, speed: x.speed, state: d.getState(), machine: d.console?.machineName ?? null,
  };
}

function usbPlug(host: SimHost, q: URLSearchParams): [number, unknown] {
  const num = (k: string, max: number): number | undefined | null => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 && n <= max ? n : null;
  };
  const spec: UsbDeviceSpec = { vendorId: 0, productId: 0 };
  for (const [k, max] of [['vendorId', 0xffff], ['productId', 0xffff], ['revision', 0xffff], ['bus', 255], ['port', 255]] as const) {
    const n = num(k, max);
    if (n === null) return [400, { error: `${k} must be a number from 0 to ${max} (0x… for hex)` }];
    if (n !== undefined) spec[k] = n;
  }
  if (!spec.vendorId) return [400, { error: 'vendorId is required (not 0)' }];
  for (const k of ['manufacturer', 'product', 'serialNumber'] as const) {
    const v = q.get(k);
    if (v !== null) spec[k] = v;
  }
  const speed = q.get('speed');
  if (speed !== null && !['Low', 'Full', 'High', 'Super'].includes(speed)) return [400, { error: 'speed must be Low, Full, High or Super' }];
  if (speed) spec.speed = speed as UsbDeviceSpec['speed'];
  if (q.get('hostDriver') === '1') spec.hostDriver = true;
  return [200, { device: usbView(host.host.usb.plug(spec)) }];
}

function usbUnplug(host: SimHost, q: URLSearchParams): [number, unknown] {
  const id = q.get('id');
  const address = q.get('address');
  const dev = host.host.usb.all().find((d) => (id && d.data.id === id) || (address && d.data.address === address));
  if (!dev) return [404, { error: `no USB device ${id ?? address ?? '(give id or address)'}` }];
  host.host.usb.unplug(dev);
  return [200, { unplugged: dev.data.id }];
}
