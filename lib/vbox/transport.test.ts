// The lean SOAP transport against a real vboxsim over HTTP: envelopes and escaping, arrays,
// faults (RuntimeFault → VBoxError with VirtualBox's text, InvalidObjectFault, plain SOAP faults),
// the per-host concurrency limit, timeouts and connection errors.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index';
import { until } from '../cluster/testing';
import { startWebsrv, websrvMissing, type Websrv } from './websrv-harness';
import { InvalidObjectError, SoapFaultError, TransportError, VBoxError, resultCodeName } from './errors';
import { Transport, buildEnvelope, parseEnvelope, textFromFaultString } from './transport';

const vrdeBase = () => 20000 + Math.floor(Math.random() * 250) * 100;

let sim: Sim;
let url: string;
let control: string;

beforeAll(async () => {
  sim = await startSim({ hosts: 1, port: 0, vms: 2, control: true, vrdeBase: vrdeBase() });
  url = sim.urls[0];
  control = sim.hosts[0].control!;
});
afterAll(async () => {
  await sim?.stop();
});
afterEach(async () => {
  await fetch(`${control}/latency?ms=0`, { method: 'POST' });
});

async function logon(t: Transport): Promise<string> {
  return String((await t.call('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' })).returnval);
}

/**
 * A pass-through HTTP proxy in front of vboxsim that watches what a vboxwebsrv would feel: requests in
 * flight, connections open, and how many earlier connections were still unanswered when each new one
 * arrived (vboxwebsrv starts one worker thread per arrival only while none is idle).
 */
async function countingProxy(target: string) {
  let inFlight = 0;
  let max = 0;
  const open = new Set<Socket>();
  const unanswered = new Set<Socket>();
  const unansweredAtArrival: number[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    inFlight++;
    max = Math.max(max, inFlight);
    const up = http.request(target, { method: req.method, headers: req.headers, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
      r.on('end', () => {
        inFlight--;
        unanswered.delete(req.socket);
      });
    });
    up.on('error', () => { inFlight--; res.destroy(); });
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => {
    unansweredAtArrival.push(unanswered.size);
    open.add(s);
    unanswered.add(s);
    s.on('close', () => {
      open.delete(s);
      unanswered.delete(s);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    max: () => max,
    open: () => open.size,
    unansweredAtArrival,
    close: () => new Promise<void>((r) => { agent.destroy(); server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('envelopes', () => {
  it('builds document/literal envelopes with unqualified children, escaped text and repeated array elements', () => {
    const xml = buildEnvelope('IVirtualBox_getMachinesByGroups', { _this: 'a-b', groups: ['/x & y', '<z>'], n: 5, b: true, ref: { ref: 'r1' }, none: null, skip: undefined });
    expect(xml).toContain('<vbox:IVirtualBox_getMachinesByGroups><_this>a-b</_this><groups>/x &amp; y</groups><groups>&lt;z&gt;</groups><n>5</n><b>true</b><ref>r1</ref><none></none></vbox:IVirtualBox_getMachinesByGroups>');
    expect(xml).toContain('xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"');
    expect(xml).toContain('xmlns:vbox="http://www.virtualbox.org/"');
    expect(buildEnvelope('IMachine_setDescription', { description: 'a\r\nb' })).toContain('<description>a&#13;\nb</description>');
    expect(() => buildEnvelope('IMachine_setName', { name: 'a\u0001b' })).toThrow(TypeError);
    expect(() => buildEnvelope('IMachine_setCPUCount', { CPUCount: 1.5 })).toThrow(TypeError);
  });

  it('reads responses: entities and character references, arrays declared by the call, faults', () => {
    const env = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:vbox="http://www.virtualbox.org/"><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;
    const one = parseEnvelope(env('<vbox:X_yResponse><returnval>a&amp;lt;&#13;&#x41;&quot;</returnval></vbox:X_yResponse>'), 'X_y', ['returnval']);
    expect(one).toEqual({ ok: true, result: { returnval: ['a&lt;\rA"'] } });
    const none = parseEnvelope(env('<vbox:X_yResponse/>'), 'X_y', ['returnval']);
    expect(none).toEqual({ ok: true, result: { returnval: [] } });
    const fault = parseEnvelope(env('<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>VirtualBox error: apirc=0x80bb0002 Nope (0x80bb0002)</faultstring><detail><vbox:RuntimeFault><resultCode>-2135228414</resultCode><returnval>0000000000000001-0000000000000002</returnval></vbox:RuntimeFault></detail></SOAP-ENV:Fault>'), 'X_y');
    expect(fault).toEqual({ ok: false, fault: { faultCode: 'SOAP-ENV:Client', faultString: 'VirtualBox error: apirc=0x80bb0002 Nope (0x80bb0002)', runtime: { resultCode: -2135228414, returnval: '0000000000000001-0000000000000002' } } });
    expect(textFromFaultString('VirtualBox error: apirc=0x80bb0002 Nope (0x80bb0002)')).toBe('Nope');
    expect(resultCodeName(-2135228414)).toBe('VBOX_E_INVALID_VM_STATE');
    expect(() => parseEnvelope('<!DOCTYPE x [<!ENTITY a "b">]><x/>', 'X_y')).toThrow(/DTD/);
    expect(() => parseEnvelope(env('<vbox:Other/>'), 'X_y')).toThrow(/X_yResponse/);
  });
});

describe('Transport against vboxsim', () => {
  it('round-trips text that needs escaping, and returns a single element as an array when told so', async () => {
    const t = new Transport({ url });
    try {
      const vbox = await logon(t);
      // (CR goes out as &#13;, which vboxsim's parser does not decode; the envelope test covers it.)
      const value = `a & b < c > d "e" 'f' \n\ttab ünïcødé 🚀 ]]> &amp;`;
      await t.call('IVirtualBox_setExtraData', { _this: vbox, key: 'nimbox/test', value });
      expect((await t.call('IVirtualBox_getExtraData', { _this: vbox, key: 'nimbox/test' })).returnval).toBe(value);
      const m = String((await t.call('IVirtualBox_findMachine', { _this: vbox, nameOrId: 'web-a1' })).returnval);
      const groups = await t.call('IMachine_getGroups', { _this: m }, { arrays: ['returnval'] });
      expect(groups.returnval).toEqual(['/apps']);
      const byGroup = await t.call('IVirtualBox_getMachinesByGroups', { _this: vbox, groups: ['/apps'] }, { arrays: ['returnval'] });
      expect(byGroup.returnval).toEqual([m]);
      const empty = await t.call('IVirtualBox_getMachinesByGroups', { _this: vbox, groups: ['/none'] }, { arrays: ['returnval'] });
      expect(empty.returnval).toEqual([]);
    } finally {
      t.close();
    }
  });

  it('turns a RuntimeFault into VBoxError with the result code name and VirtualBox\'s own text, component and interface', async () => {
    const t = new Transport({ url });
    try {
      const vbox = await logon(t);
      const ws = sim.hosts[0].sim.soap.websessions.websessionOf(vbox)!;
      const refs = ws.size;
      const err = await t.call('IVirtualBox_findMachine', { _this: vbox, nameOrId: 'no-such-vm' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VBoxError);
      const e = err as VBoxError;
      expect(e.resultCodeName).toBe('VBOX_E_OBJECT_NOT_FOUND');
      expect(e.resultCode).toBe(0x80bb0001 | 0);
      expect(e.text).toBe("Could not find a registered machine named 'no-such-vm'");
      expect(e.component).toBe('VirtualBoxWrap');
      expect(e.interfaceID).toMatch(/^[0-9a-f-]{36}$/);
      expect(e.operation).toBe('IVirtualBox_findMachine');
      expect(e.message).toContain('VBOX_E_OBJECT_NOT_FOUND');
      // The error info reference is released behind the scenes.
      await expect.poll(() => ws.size).toBe(refs);
    } finally {
      t.close();
    }
  });

  it('a wrong password is VBoxError E_FAIL, as vboxwebsrv answers a failed logon', async () => {
    const t = new Transport({ url });
    try {
      const e = (await t.call('IWebsessionManager_logon', { username: 'vbox', password: 'wrong' }).catch((x: unknown) => x)) as VBoxError;
      expect(e).toBeInstanceOf(VBoxError);
      expect(e.resultCodeName).toBe('E_FAIL');
      expect(e.text).toMatch(/Authentication failed/);
    } finally {
      t.close();
    }
  });

  it('turns InvalidObjectFault into InvalidObjectError and a detail-less fault into SoapFaultError', async () => {
    const t = new Transport({ url });
    try {
      const bad = '0123456789abcdef-0000000000000001';
      const e = (await t.call('IVirtualBox_getVersion', { _this: bad }).catch((x: unknown) => x)) as InvalidObjectError;
      expect(e).toBeInstanceOf(InvalidObjectError);
      expect(e.badObjectID).toBe(bad);
      expect(e.websession).toBe('0123456789abcdef');
      const f = (await t.call('IVirtualBox_noSuchOperation', { _this: bad }).catch((x: unknown) => x)) as SoapFaultError;
      expect(f).toBeInstanceOf(SoapFaultError);
      expect(f.faultCode).toMatch(/Client/);
    } finally {
      t.close();
    }
  });

  it('tells its observer of every call but long polls, with its duration and whether it answered without a fault', async () => {
    const seen: { operation: string; ms: number; ok: boolean }[] = [];
    const t = new Transport({ url, onCall: (operation, ms, ok) => seen.push({ operation, ms, ok }) });
    try {
      const vbox = await logon(t);
      await t.call('IVirtualBox_getVersion', { _this: vbox }, { longPoll: true });
      await t.call('IVirtualBox_getVersion', { _this: '0123456789abcdef-0000000000000001' }).catch(() => undefined);
      expect(seen.map(({ operation, ok }) => [operation, ok])).toEqual([['IWebsessionManager_logon', true], ['IVirtualBox_getVersion', false]]);
      expect(seen.every((c) => c.ms > 0)).toBe(true);
    } finally {
      t.close();
    }
  });

  it('grows connections one at a time, never past maxConnections, and lets idle ones go', async () => {
    const proxy = await countingProxy(url);
    const t = new Transport({ url: proxy.url, maxConnections: 3, idleMs: 300 });
    try {
      const vbox = await logon(t);
      await fetch(`${control}/latency?ms=50`, { method: 'POST' });
      t.resetStats();
      const calls = Array.from({ length: 12 }, () => t.call('IVirtualBox_getVersion', { _this: vbox }));
      const versions = await Promise.all(calls);
      expect(versions.every((v) => v.returnval === '7.1.4')).toBe(true);
      // Every connection arrived when all the earlier ones had answered: no burst for vboxwebsrv's threads.
      expect(proxy.unansweredAtArrival.length).toBe(3);
      expect(proxy.unansweredAtArrival.every((n) => n === 0)).toBe(true);
      expect(t.stats()).toMatchObject({ inFlight: 0, queued: 0, calls: 12, maxInFlight: 3, connections: 3, opened: 2 });
      expect(proxy.max()).toBe(3);
      // Idle connections close by themselves and hand vboxwebsrv's threads back.
      await until('idle connections to close', () => t.stats().connections === 0 && proxy.open() === 0, 3_000);
      expect((await t.call('IVirtualBox_getVersion', { _this: vbox })).returnval).toBe('7.1.4');
      expect(t.stats().opened).toBe(3);
    } finally {
      t.close();
      await proxy.close();
    }
  });

  it('lets a long poll on a new connection hold up neither other calls nor the next connection', async () => {
    const proxy = await countingProxy(url);
    const t = new Transport({ url: proxy.url, maxConnections: 4 });
    try {
      const vbox = await logon(t);
      const source = String((await t.call('IVirtualBox_getEventSource', { _this: vbox })).returnval);
      const listener = String((await t.call('IEventSource_createListener', { _this: source })).returnval);
      // Interested in an event nothing here causes: the polls last their whole timeout.
      await t.call('IEventSource_registerListener', { _this: source, listener, interesting: ['OnSnapshotTaken'], active: false });
      // Both connections busy with long polls; a third call opens its own connection at once.
      const order: string[] = [];
      // Polls long enough that a loaded machine answers the third call well before they end (no event comes).
      const polls = [1, 2].map(() => t.call('IEventSource_getEvent', { _this: source, listener, timeout: 6000 }, { timeoutMs: 15_000 }).then(() => order.push('poll')));
      await t.call('IVirtualBox_getVersion', { _this: vbox }).then(() => order.push('version'));
      await Promise.all(polls);
      expect(order).toEqual(['version', 'poll', 'poll']);
      expect(proxy.unansweredAtArrival.every((n) => n === 0)).toBe(true);
    } finally {
      t.close();
      await proxy.close();
    }
  });

  it('times out with TransportError naming the host, and works again afterwards', async () => {
    const t = new Transport({ url, timeoutMs: 150 });
    try {
      const vbox = await logon(t);
      await fetch(`${control}/latency?ms=600`, { method: 'POST' });
      const e = (await t.call('IVirtualBox_getVersion', { _this: vbox }).catch((x: unknown) => x)) as TransportError;
      expect(e).toBeInstanceOf(TransportError);
      expect(e.kind).toBe('timeout');
      expect(e.url).toBe(url);
      expect(e.message).toContain(url);
      expect(e.message).toMatch(/timeout/);
      await fetch(`${control}/latency?ms=0`, { method: 'POST' });
      // A longer timeout for one call (as for long polls).
      await fetch(`${control}/latency?ms=300`, { method: 'POST' });
      expect((await t.call('IVirtualBox_getVersion', { _this: vbox }, { timeoutMs: 5_000 })).returnval).toBe('7.1.4');
    } finally {
      t.close();
    }
  });

  it('reports a refused connection, and resends once on a kept-alive connection the server dropped', async () => {
    const free = http.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const refused = new Transport({ url: `http://127.0.0.1:${port}/` });
    const e = (await refused.call('IWebsessionManager_logon', { username: 'a', password: 'b' }).catch((x: unknown) => x)) as TransportError;
    expect(e).toBeInstanceOf(TransportError);
    expect(e.kind).toBe('refused');
    expect(e.message).toContain(`connection refused to http://127.0.0.1:${port}/`);
    refused.close();

    const t = new Transport({ url });
    try {
      const vbox = await logon(t);
      // The listener goes down and up: the kept-alive socket is dead; the next call must not fail for it.
      await fetch(`${control}/soap/down`, { method: 'POST' });
      await fetch(`${control}/soap/up`, { method: 'POST' });
      expect((await t.call('IVirtualBox_getVersion', { _this: vbox })).returnval).toBe('7.1.4');
    } finally {
      t.close();
    }
  });

  it('reports HTTP errors without a SOAP envelope as TransportError', async () => {
    const server = http.createServer((_req, res) => { res.writeHead(404, { 'Content-Type': 'text/html' }); res.end('<html>not here</html>'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const t = new Transport({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
    try {
      const e = (await t.call('IWebsessionManager_logon', { username: 'a', password: 'b' }).catch((x: unknown) => x)) as TransportError;
      expect(e).toBeInstanceOf(TransportError);
      expect(e.kind).toBe('http');
      expect(e.status).toBe(404);
    } finally {
      t.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('HTTP framing', () => {
  /** A bare server answering every request with `answer(body)` written as is: framings gSOAP could use. */
  async function rawServer(answer: (soap: string, socket: Socket) => string | null) {
    const sockets = new Set<Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString('latin1');
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const length = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
          if (buf.length < end + 4 + length) return;
          const req = buf.slice(0, end + 4 + length);
          buf = buf.slice(end + 4 + length);
          if (req.startsWith('OPTIONS')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
          else {
            const out = answer(req.slice(end + 4), s);
            if (out === null) continue; // the answer did its own thing with the socket
            s.write(out);
            if (/^HTTP\/1\.0|connection: close/im.test(out.slice(0, out.indexOf('\r\n\r\n')))) s.end();
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
    };
  }
  const envelope = (op: string, inner: string) => `<?xml version="1.0"?><e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v="http://www.virtualbox.org/"><e:Body><v:${op}Response>${inner}</v:${op}Response></e:Body></e:Envelope>`;

  it('reads chunked answers, answers that end with the connection, and Connection: close, and goes on with the next call', async () => {
    let n = 0;
    const server = await rawServer(() => {
      const body = envelope('IVirtualBox_getVersion', `<returnval>7.1.${n}</returnval>`);
      switch (n++ % 3) {
        case 0: {
          // Chunked, split mid-element, with a chunk extension and a trailer.
          const cut = body.length >> 1;
          const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
          return `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(body.slice(0, cut)).replace('\r\n', ';x=1\r\n')}${chunk(body.slice(cut))}0\r\nX-Trailer: y\r\n\r\n`;
        }
        case 1:
          return `HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n${body}`;
        default:
          return `HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      }
    });
    const t = new Transport({ url: server.url, maxConnections: 1 });
    try {
      const versions: unknown[] = [];
      for (let i = 0; i < 6; i++) versions.push((await t.call('IVirtualBox_getVersion', { _this: 'x' })).returnval);
      expect(versions).toEqual(['7.1.0', '7.1.1', '7.1.2', '7.1.3', '7.1.4', '7.1.5']);
      // A chunked answer keeps its connection (the next call goes on it); the two kinds that end theirs do not.
      expect(t.stats().opened).toBe(4);
    } finally {
      t.close();
      await server.close();
    }
  });

  it('sends a read again when a new connection closes before answering it, but never a call that changes something', async () => {
    // Each new connection's OPTIONS is answered; `cut` first requests then die unanswered (the connection closed); later ones work.
    let cut = 0;
    const calls: string[] = [];
    const server = await rawServer((soap, socket) => {
      const op = /<(?:\w+:)?(I[A-Za-z]+_\w+)[\s>/]/.exec(soap)?.[1] ?? '?';
      calls.push(op);
      if (cut > 0) {
        cut--;
        socket.destroy();
        return null;
      }
      const body = envelope(op, '<returnval>ok</returnval>');
      return `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
    });
    const t = new Transport({ url: server.url });
    try {
      cut = 1;
      expect((await t.call('IVirtualBox_getMachines', { _this: 'x' })).returnval).toBe('ok');
      expect(calls).toEqual(['IVirtualBox_getMachines', 'IVirtualBox_getMachines']);
      calls.length = 0;
      cut = 1;
      const e = (await t.call('IMachine_saveSettings', { _this: 'x' }).catch((x: unknown) => x)) as TransportError;
      expect(e).toBeInstanceOf(TransportError);
      expect(e.kind).toBe('reset');
      expect(calls).toEqual(['IMachine_saveSettings']);
      // Nor a long poll, whose answer would have taken its event off the queue.
      calls.length = 0;
      cut = 1;
      expect(await t.call('IEventSource_getEvent', { _this: 'x' }).catch((x: TransportError) => x.kind)).toBe('reset');
      expect(calls).toEqual(['IEventSource_getEvent']);
    } finally {
      t.close();
      await server.close();
    }
  });

  it('reads structs and faults, which are not plain text elements, with the XML parser', async () => {
    const server = await rawServer((req) => (req.includes('getVersion')
      ? `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(envelope('IVirtualBox_getVersion', '<returnval><a>1</a><b>x &amp; y</b></returnval>'))}\r\n\r\n${envelope('IVirtualBox_getVersion', '<returnval><a>1</a><b>x &amp; y</b></returnval>')}`
      : 'HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nnot SOAP'));
    const t = new Transport({ url: server.url });
    try {
      expect((await t.call('IVirtualBox_getVersion', { _this: 'x' })).returnval).toEqual({ a: '1', b: 'x & y' });
      const e = (await t.call('IVirtualBox_getRevision', { _this: 'x' }).catch((x: unknown) => x)) as TransportError;
      expect(e).toBeInstanceOf(TransportError);
      expect(e.kind).toBe('protocol');
    } finally {
      t.close();
      await server.close();
    }
  });
});

describe.skipIf(websrvMissing())('Transport against VirtualBox\'s own vboxwebsrv', () => {
  let websrv: Websrv;
  beforeAll(async () => {
    websrv = await startWebsrv();
  });
  afterAll(() => websrv?.stop());

  it('meets a cold vboxwebsrv with a burst of calls without a connection ever waiting for a worker thread', async () => {
    const t = new Transport({ url: websrv.url, maxConnections: 16 });
    try {
      const vbox = await logon(t);
      const versions = await Promise.all(Array.from({ length: 32 }, () => t.call('IVirtualBox_getVersion', { _this: vbox })));
      expect(new Set(versions.map((v) => v.returnval))).toEqual(new Set(['7.1.12']));
      expect(t.stats().opened).toBeGreaterThan(1);
      // vboxwebsrv logs each accepted connection with the length of its queue: 1 means a thread took it at once.
      const log = fs.readFileSync(path.join(websrv.home, 'vboxwebsrv.log'), 'utf8');
      const queued = [...log.matchAll(/queued for processing \((\d+) items on Q\)/g)].map((m) => Number(m[1]));
      expect(queued.length).toBe(t.stats().opened);
      expect(queued.every((n) => n === 1)).toBe(true);
    } finally {
      t.close();
    }
  });

  it('takes an answer that came while this process was blocked (a synchronous VBoxManage) past the call\'s timeout', async () => {
    const t = new Transport({ url: websrv.url, timeoutMs: 300 });
    try {
      const vbox = await logon(t);
      const call = t.call('IVirtualBox_getVersion', { _this: vbox });
      await new Promise((r) => setImmediate(r)); // the request is on its way
      // vboxwebsrv answers within milliseconds; the timer of this call fires only after the child ends.
      expect(spawnSync('sleep', ['1']).status).toBe(0);
      expect((await call).returnval).toBe('7.1.12');
    } finally {
      t.close();
    }
  });
});
if (websrvMissing()) console.warn(`transport.test: VirtualBox's own vboxwebsrv is not tested: ${websrvMissing()}`);
