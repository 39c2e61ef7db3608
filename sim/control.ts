import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimHost } from './host';

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
  if (req.method !== 'POST') return [405, { error: 'use POST' }];
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
