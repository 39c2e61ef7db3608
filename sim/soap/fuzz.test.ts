// 10,000 random and malformed requests over real HTTP keep-alive to one vboxsim host:
// every one is answered with HTTP 500 and a SOAP Fault (405 for methods other than
// POST and OPTIONS, 413 for bodies over the limit), and the host still serves a normal
// client after. As vboxwebsrv, vboxsim closes the connection after every answer but a 200.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../index';

const TOTAL = 10_000;
const CONCURRENCY = 16;
const MAX_BODY = 8 * 1024 * 1024;

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const envelope = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:vbox="http://www.virtualbox.org/">` +
  `<soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
const call = (op: string, args: Record<string, string | string[]> = {}) =>
  envelope(`<vbox:${op}>${Object.entries(args).map(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `<${k}>${x}</${k}>`).join('')).join('')}</vbox:${op}>`);

interface Req {
  kind: string;
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Expected status (default 500 with a SOAP Fault). */
  status?: number;
}

interface Res {
  status: number;
  body: string;
  contentType: string;
  reused: boolean;
}

const faultParser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
interface FaultDoc { Envelope?: { Body?: { Fault?: { faultcode?: string; faultstring?: string; detail?: unknown } } } }

function faultOf(body: string): { faultcode?: string; faultstring?: string; detail?: unknown } | undefined {
  try {
    return (faultParser.parse(body) as FaultDoc).Envelope?.Body?.Fault;
  } catch {
    return undefined;
  }
}

/** Small, seeded PRNG (mulberry32) so that a failing run can be repeated with FUZZ_SEED. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))),
  };
}

describe('vboxsim SOAP fuzzing', () => {
  let sim: Sim;
  let url: URL;
  let agent: http.Agent;
  let vbox = '';
  let machine = '';
  let host = '';

  function send(r: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      const body = r.body ?? '';
      const req = http.request({
        agent, host: url.hostname, port: url.port, path: '/', method: r.method ?? 'POST',
        headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), ...r.headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({
          status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'),
          contentType: String(res.headers['content-type'] ?? ''), reused: req.reusedSocket,
        }));
        res.on('error', reject);
      });
      req.setTimeout(20_000, () => req.destroy(new Error(`timeout on ${r.kind}`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  async function returnval(body: string): Promise<string[]> {
    const res = await send({ kind: 'setup', body });
    expect(res.status, res.body).toBe(200);
    const doc = faultParser.parse(res.body) as { Envelope: { Body: Record<string, { returnval?: string | string[] }> } };
    const out = Object.values(doc.Envelope.Body)[0]?.returnval;
    return out === undefined ? [] : Array.isArray(out) ? out : [out];
  }

  beforeAll(async () => {
    sim = await startSim({ hosts: 1, port: 0, vms: 1, vrdeBase: 20000 + Math.floor(Math.random() * 20000) });
    url = new URL(sim.urls[0]);
    agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    [vbox] = await returnval(call('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' }));
    [machine] = await returnval(call('IVirtualBox_getMachines', { _this: vbox }));
    [host] = await returnval(call('IVirtualBox_getHost', { _this: vbox }));
    expect(vbox && machine && host).toBeTruthy();
  });

  afterAll(async () => {
    agent?.destroy();
    await sim?.stop();
  });

  function cases(seed: number): Req[] {
    const r = prng(seed);
    const valid = () => r.pick([
      call('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' }),
      call('IVirtualBox_getVersion', { _this: vbox }),
      call('IVirtualBox_findMachine', { _this: vbox, nameOrId: 'web-a1' }),
      call('IMachine_getState', { _this: machine }),
    ]);
    const deep = (depth: number, leaf = 'x') => '<a>'.repeat(depth) + leaf + '</a>'.repeat(depth);
    const unimplemented = ['IMachine_takeSnapshot', 'IHost_getUSBDevices', 'IConsole_getGuest', 'IVirtualBox_getCloudProviderManager', 'IAppliance_read'];
    const generators: Array<[number, () => Req]> = [
      [14, () => {
        const v = valid();
        return { kind: 'truncated envelope', body: v.slice(0, r.int(1, v.length - 1)) };
      }],
      [10, () => ({ kind: 'random bytes', body: r.bytes(r.int(1, 4096)) })],
      [6, () => ({ kind: 'random text', body: Array.from({ length: r.int(1, 300) }, () => r.pick(['<', '>', '/', '=', '"', 'a', 'Envelope', 'Body', ' ', '&', ';', ':', '?', '!', 'soapenv', '\n'])).join('') })],
      [3, () => ({ kind: 'xml, not soap', body: r.pick(['<a/>', '<?xml version="1.0"?><root><b>1</b></root>', '<Envelope><Body><IVirtualBox_getVersion/></Body></Envelope>']) })],
      [3, () => ({ kind: 'envelope without operation', body: r.pick([envelope(''), `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}"/>`, `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}"><soapenv:Header/></soapenv:Envelope>`]) })],
      [2, () => ({ kind: 'SOAP 1.2 envelope', body: '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><vbox:IVirtualBox_getVersion xmlns:vbox="http://www.virtualbox.org/"/></env:Body></env:Envelope>' })],
      [4, () => ({ kind: 'deep nesting', body: call('IVirtualBox_findMachine', { _this: vbox, nameOrId: deep(r.int(50, 3000)) }) })],
      [2, () => ({ kind: 'deep nesting outside the body', body: deep(r.int(100, 5000)) })],
      [1, () => ({ kind: 'many siblings', body: call('IVirtualBox_findMachine', { _this: vbox, nameOrId: Array.from({ length: r.int(2, 20000) }, (_, i) => `m${i}`) }) })],
      [8, () => ({ kind: 'wrong SOAPAction', body: valid(), headers: { SOAPAction: r.pick(['"urn:wrong"', 'IVirtualBox_getHost', '"http://www.virtualbox.org/IMachine_getName"', 'x#y', '"#"']) } })],
      [8, () => ({ kind: 'unknown operation', body: r.next() < 0.5 ? call(`IFoo_bar${r.int(0, 1e6)}`, { _this: vbox }) : call(r.pick(unimplemented), { _this: vbox }) })],
      [10, () => r.pick<Req>([
        { kind: 'text for an int', body: call('IMachine_getBootOrder', { _this: machine, position: r.pick(['abc', '1.5', '', '0x1', '1e3']) }) },
        { kind: 'int out of range', body: call('IMachine_setCPUCount', { _this: machine, CPUCount: r.pick(['-1', '4294967296', '99999999999999999999']) }) },
        { kind: 'text for an int', body: call('IHost_getProcessorSpeed', { _this: host, cpuId: 'zero' }) },
        { kind: 'invalid boolean', body: call('IMachine_setTeleporterEnabled', { _this: machine, teleporterEnabled: r.pick(['maybe', 'TRUE', 'yes', '']) }) },
        { kind: 'invalid enum value', body: call('IVirtualBox_createMedium', { _this: vbox, format: 'VDI', location: '/tmp/x.vdi', accessMode: r.pick(['Bogus', 'readwrite', '2', '']), aDeviceTypeType: 'HardDisk' }) },
        { kind: 'invalid enum value', body: call('IMachine_lockMachine', { _this: machine, session: vbox, lockType: 'Exclusive' }) },
        { kind: 'element for text', body: call('IVirtualBox_findMachine', { _this: vbox, nameOrId: '<x>web-a1</x>' }) },
        { kind: 'missing argument', body: call('IVirtualBox_findMachine', { _this: vbox }) },
      ])],
      [6, () => r.pick<Req>([
        { kind: 'missing _this', body: call('IVirtualBox_getVersion') },
        { kind: 'missing _this', body: call('IMachine_getName', { name: 'x' }) },
        // As vboxwebsrv: these two answer the null reference ('') for a reference they do not know.
        { kind: 'missing _this (getInterfaceName: "")', body: call('IManagedObjectRef_getInterfaceName'), status: 200 },
        { kind: 'missing refIVirtualBox (getSessionObject: "")', body: call('IWebsessionManager_getSessionObject'), status: 200 },
        { kind: 'empty _this', body: call('IVirtualBox_getVersion', { _this: '' }) },
        { kind: 'unknown _this', body: call('IVirtualBox_getVersion', { _this: randomBytes(8).toString('hex') + '-' + randomBytes(8).toString('hex') }) },
        { kind: 'garbage _this', body: call('IVirtualBox_getVersion', { _this: r.pick(['x', '-', vbox + 'x', vbox.slice(0, 16), ' ' + vbox]) }) },
        { kind: 'unknown ref argument', body: call('IVirtualBox_registerMachine', { _this: vbox, machine: '0123456789abcdef-0123456789abcdef' }) },
      ])],
      [6, () => r.pick<Req>([
        { kind: 'ref of the wrong interface', body: call('IMachine_getName', { _this: vbox }) },
        { kind: 'ref of the wrong interface', body: call('IVirtualBox_getVersion', { _this: machine }) },
        { kind: 'ref of the wrong interface', body: call('IProgress_getPercent', { _this: host }) },
        { kind: 'ref of the wrong interface (argument)', body: call('IMachine_lockMachine', { _this: machine, session: host, lockType: 'Write' }) },
      ])],
      [5, () => r.pick<Req>([
        { kind: 'wrong method', method: 'PUT', body: valid(), status: 405 },
        { kind: 'wrong method', method: 'DELETE', status: 405 },
        { kind: 'wrong method', method: 'PATCH', body: valid(), status: 405 },
        { kind: 'OPTIONS (gSOAP: an empty 200)', method: 'OPTIONS', status: 200 },
        { kind: 'wrong method', method: 'GET', status: 405 },
        { kind: 'wrong method', method: 'HEAD', status: 405 },
      ])],
      [4, () => r.pick<Req>([
        {
          kind: 'entity bomb',
          body: '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
            Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
            ']>' + call('IWebsessionManager_logon', { username: '&lol9;', password: 'vbox' }).replace(/^<\?xml[^>]*\?>/, ''),
        },
        { kind: 'external entity', body: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${call('IVirtualBox_findMachine', { _this: vbox, nameOrId: '&xxe;' }).replace(/^<\?xml[^>]*\?>/, '')}` },
        { kind: 'lowercase doctype', body: `<!doctype soapenv:Envelope>${call('IVirtualBox_getVersion', { _this: vbox }).replace(/^<\?xml[^>]*\?>/, '')}` },
        { kind: 'undefined entity', body: call('IVirtualBox_getVersion', { _this: `&undefined;${vbox}` }) },
      ])],
    ];
    const total = generators.reduce((a, [w]) => a + w, 0);
    const out: Req[] = [];
    // A few bodies far larger than most, and over the limit, for the size handling.
    out.push({ kind: 'huge argument', body: call('IVirtualBox_findMachine', { _this: vbox, nameOrId: 'n'.repeat(3 * 1024 * 1024) }) });
    out.push({ kind: 'huge random text', body: r.bytes(2 * 1024 * 1024).toString('base64') });
    for (let i = 0; i < 3; i++) out.push({ kind: 'oversize', body: Buffer.alloc(MAX_BODY + 1 + i * 1024 * 1024, 'a'), status: 413 });
    while (out.length < TOTAL) {
      let x = r.next() * total;
      const gen = generators.find(([w]) => (x -= w) < 0) ?? generators[0];
      out.push(gen[1]());
    }
    // Shuffle so that the big ones are spread among the rest.
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(r.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  it(`answers ${TOTAL} random and malformed requests with faults, and keeps serving`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const list = cases(seed);
    expect(list.length).toBe(TOTAL);
    const failures: string[] = [];
    const kinds = new Map<string, number>();
    let reused = 0;
    let next = 0;
    const worker = async (answered: () => void) => {
      for (; next < list.length; answered()) {
        const i = next++;
        const req = list[i];
        kinds.set(req.kind, (kinds.get(req.kind) ?? 0) + 1);
        let res: Res;
        try {
          res = await send(req);
        } catch (e) {
          failures.push(`#${i} ${req.kind}: transport error ${(e as Error).message}`);
          continue;
        }
        if (res.reused) reused++;
        const want = req.status ?? 500;
        if (res.status !== want) {
          failures.push(`#${i} ${req.kind}: HTTP ${res.status}, expected ${want}: ${res.body.slice(0, 200)}`);
          continue;
        }
        if (want === 405 || want === 200) continue;
        const fault = faultOf(res.body);
        if (!/xml/.test(res.contentType) || !fault || typeof fault.faultstring !== 'string') {
          failures.push(`#${i} ${req.kind}: no SOAP Fault in the answer: ${res.body.slice(0, 200)}`);
        } else if (fault.faultcode !== 'SOAP-ENV:Client') {
          // Malformed input is the sender's fault; a Server fault means the sim failed internally.
          failures.push(`#${i} ${req.kind}: faultcode ${fault.faultcode}: ${fault.faultstring}`);
        }
      }
    };
    // Workers join one at a time, as a client that grows its connections gently (a burst of new
    // keep-alive connections waits on vboxwebsrv's worker threads, and so on vboxsim's).
    const workers: Promise<void>[] = [];
    for (let w = 0; w < CONCURRENCY; w++) {
      let answered!: () => void;
      const first = new Promise<void>((r) => (answered = r));
      workers.push(worker(answered));
      await first;
    }
    await Promise.all(workers);
    expect(failures.slice(0, 20).join('\n'), `seed ${seed}: ${failures.length} failures`).toBe('');
    // Answers after an OPTIONS (the only 200s) went over the kept connection.
    expect(reused).toBeGreaterThan(0);
    expect(kinds.size).toBeGreaterThan(20);

    // The host is still fine: a normal client logs on and reads the version.
    const [ref] = await returnval(call('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' }));
    const [version] = await returnval(call('IVirtualBox_getVersion', { _this: ref }));
    expect(version).toMatch(/^7\.1\./);
    expect((await returnval(call('IMachine_getState', { _this: machine })))[0]).toBe('Running');
    // No request made a websession behind our back (the fuzzed logons all faulted).
    expect(sim.hosts[0].sim.soap.websessions.count).toBe(2);
  }, 60_000);
});
