// probeHost ("Test connection") against a real vboxsim: success, and each failure as the exact error.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index';
import { TransportError, VBoxError, probeHost } from './index';

const vrdeBase = () => 20000 + Math.floor(Math.random() * 250) * 100;

let sim: Sim;
let url: string;

beforeAll(async () => {
  sim = await startSim({ hosts: 2, port: 0, vms: 2, control: true, vrdeBase: vrdeBase() });
  url = sim.urls[0];
});
afterAll(async () => {
  await sim?.stop();
});

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('probeHost', () => {
  it('logs on, reads the host and logs off', async () => {
    const p = await probeHost({ url, username: 'vbox', password: 'vbox' });
    expect(p).toEqual({
      version: '7.1.4', apiVersion: '7_1', revision: 165100, cpus: 16, memoryMB: 65536,
      memoryAvailableMB: expect.any(Number), os: 'Linux Debian GNU/Linux 12 (bookworm)',
    });
    expect(p.memoryAvailableMB).toBeLessThan(p.memoryMB);
    const other = await probeHost({ url: sim.urls[1], username: 'vbox', password: 'vbox' });
    expect(other.cpus).toBe(24);
    // Logged off again: no websession left behind.
    expect(sim.hosts[0].sim.soap.websessions.count).toBe(0);
  });

  it('a wrong password is VBoxError E_FAIL, as vboxwebsrv answers it', async () => {
    const e = (await probeHost({ url, username: 'vbox', password: 'nope' }).catch((x: unknown) => x)) as VBoxError;
    expect(e).toBeInstanceOf(VBoxError);
    expect(e.resultCodeName).toBe('E_FAIL');
    expect(e.operation).toBe('IWebsessionManager_logon');
    expect(e.text).toMatch(/Authentication failed/);
  });

  it('a port nobody listens on is TransportError "connection refused to http://…"', async () => {
    const port = await freePort();
    const e = (await probeHost({ url: `http://127.0.0.1:${port}/`, username: 'vbox', password: 'vbox' }).catch((x: unknown) => x)) as TransportError;
    expect(e).toBeInstanceOf(TransportError);
    expect(e.kind).toBe('refused');
    expect(e.message).toContain(`connection refused to http://127.0.0.1:${port}/`);
  });

  it('a host that does not answer in time is TransportError timeout', async () => {
    await fetch(`${sim.hosts[0].control}/latency?ms=1000`, { method: 'POST' });
    try {
      const started = Date.now();
      const e = (await probeHost({ url, username: 'vbox', password: 'vbox', timeoutMs: 200 }).catch((x: unknown) => x)) as TransportError;
      expect(e).toBeInstanceOf(TransportError);
      expect(e.kind).toBe('timeout');
      expect(e.message).toContain(url);
      expect(Date.now() - started).toBeLessThan(900);
    } finally {
      await fetch(`${sim.hosts[0].control}/latency?ms=0`, { method: 'POST' });
    }
  });

  it('something that is not vboxwebsrv is TransportError', async () => {
    const server = http.createServer((_q, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html>hello</html>'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const e = (await probeHost({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, username: 'a', password: 'b' }).catch((x: unknown) => x)) as TransportError;
      expect(e).toBeInstanceOf(TransportError);
      expect(e.kind).toBe('protocol');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
