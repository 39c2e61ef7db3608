// VBoxClient against a real vboxsim over HTTP: logon on first use, transparent re-logon for reads
// (websession expired, vboxwebsrv down and up, restarted), writes never retried, one shared logon
// for concurrent callers, and the release of a scope's transient references.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../sim/index';
import { VBoxClient, type RelogonEvent } from './client';
import { InvalidObjectError, TransportError, VBoxError } from './errors';
import type { IMachine } from './objects';

const vrdeBase = () => 20000 + Math.floor(Math.random() * 250) * 100;

let sim: Sim;
let url: string;
let control: string;
const clients: VBoxClient[] = [];

beforeAll(async () => {
  sim = await startSim({ hosts: 1, port: 0, vms: 2, control: true, vrdeBase: vrdeBase() });
  url = sim.urls[0];
  control = sim.hosts[0].control!;
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await sim?.stop();
});
afterEach(async () => {
  await post('/soap/up');
  await post('/latency?ms=0');
});

async function post(p: string): Promise<void> {
  const r = await fetch(`${control}${p}`, { method: 'POST' });
  if (!r.ok) throw new Error(`${p}: ${r.status}`);
}

function client(extra: Partial<ConstructorParameters<typeof VBoxClient>[0]> = {}): VBoxClient {
  const c = new VBoxClient({ url, username: 'vbox', password: 'vbox', ...extra });
  clients.push(c);
  return c;
}

const websessions = () => sim.hosts[0].sim.soap.websessions;
/** How many managed object references vboxsim holds for a websession. */
const refCount = (ws: string | null) => (ws ? websessions().websessionOf(`${ws}-0000000000000001`)?.size ?? -1 : -1);

describe('VBoxClient', () => {
  it('logs on at first use and reads', async () => {
    const c = client();
    expect(c.websession).toBeNull();
    const version = await c.read((vbox) => vbox.getVersion());
    expect(version).toBe('7.1.4');
    expect(c.websession).toMatch(/^[0-9a-f]{16}$/);
    const ws = c.websession;
    await c.read((vbox) => vbox.getAPIVersion());
    expect(c.websession).toBe(ws);
  });

  it('logs on again transparently when the websession expired, for a read, and tells onRelogon', async () => {
    const c = client();
    const machines = await c.read((vbox) => vbox.getMachines());
    const before = c.websession!;
    const events: RelogonEvent[] = [];
    c.onRelogon((e) => { events.push(e); });
    await post('/websessions/expire');
    let runs = 0;
    const names = await c.read(async (vbox) => {
      runs++;
      return Promise.all((await vbox.getMachines()).map((m) => m.getName()));
    });
    expect(names.sort()).toEqual(['db-a2', 'web-a1']);
    expect(runs).toBe(2);
    expect(c.websession).not.toBe(before);
    expect(events).toEqual([{ websession: c.websession, previous: before, reason: 'websession-lost' }]);
    // Objects of the lost websession are dead: the error says so instead of logging on again.
    const stale = (await c.read(() => machines[0].getName()).catch((e: unknown) => e)) as InvalidObjectError;
    expect(stale).toBeInstanceOf(InvalidObjectError);
    expect(stale.staleWebsession).toBe(true);
  });

  it('never retries a write: the fault goes to the caller, and the next call logs on again', async () => {
    const c = client();
    await c.logon();
    const before = c.websession;
    await post('/websessions/expire');
    let runs = 0;
    const err = await c.write(async (vbox) => { runs++; await vbox.setExtraData('nimbox/x', '1'); }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidObjectError);
    expect(runs).toBe(1);
    await c.write((vbox) => vbox.setExtraData('nimbox/x', '2'));
    expect(c.websession).not.toBe(before);
    expect(await c.read((vbox) => vbox.getExtraData('nimbox/x'))).toBe('2');
  });

  it('a VirtualBox fault in a read is thrown as is (no re-logon, no retry)', async () => {
    const c = client();
    let runs = 0;
    const err = (await c.read(async (vbox) => { runs++; return vbox.findMachine('nope'); }).catch((e: unknown) => e)) as VBoxError;
    expect(err).toBeInstanceOf(VBoxError);
    expect(err.resultCodeName).toBe('VBOX_E_OBJECT_NOT_FOUND');
    expect(runs).toBe(1);
  });

  it('shares one logon between concurrent callers during a re-logon', async () => {
    const c = client();
    await c.logon();
    await post('/websessions/expire');
    expect(websessions().count).toBe(0);
    const versions = await Promise.all(Array.from({ length: 10 }, () => c.read((vbox) => vbox.getVersion())));
    expect(versions.every((v) => v === '7.1.4')).toBe(true);
    expect(websessions().count).toBe(1);
  });

  it('rides out the SOAP listener going down and up during a read (same websession)', async () => {
    const c = client();
    await c.logon();
    const ws = c.websession;
    await post('/soap/down');
    setTimeout(() => void post('/soap/up'), 300);
    expect(await c.read((vbox) => vbox.getVersion())).toBe('7.1.4');
    expect(c.websession).toBe(ws);
  });

  it('logs on again after the SOAP listener went down and came back without the websession (a restart)', async () => {
    const c = client();
    await c.logon();
    const before = c.websession;
    const events: RelogonEvent[] = [];
    c.onRelogon((e) => { events.push(e); });
    await post('/soap/down');
    await post('/websessions/expire');
    setTimeout(() => void post('/soap/up'), 300);
    // The read meets a refused connection, waits for vboxwebsrv, finds the websession gone, logs on and reads.
    expect(await c.read((vbox) => vbox.getVersion())).toBe('7.1.4');
    expect(c.websession).not.toBe(before);
    expect(events).toEqual([{ websession: c.websession, previous: before, reason: 'server-restarted' }]);
  });

  it('gives up with TransportError when vboxwebsrv stays away, and does not wait for a write', async () => {
    const c = client({ reconnectWindowMs: 400 });
    await c.logon();
    await post('/soap/down');
    const started = Date.now();
    const e = (await c.read((vbox) => vbox.getVersion()).catch((x: unknown) => x)) as TransportError;
    expect(e).toBeInstanceOf(TransportError);
    expect(e.kind).toBe('refused');
    expect(e.message).toContain(`connection refused to ${url}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const w = (await c.write((vbox) => vbox.getVersion()).catch((x: unknown) => x)) as TransportError;
    expect(w).toBeInstanceOf(TransportError);
    await post('/soap/up');
    expect(await c.read((vbox) => vbox.getVersion())).toBe('7.1.4');
  });

  it('logs off', async () => {
    const c = client();
    await c.logon();
    const ws = c.websession;
    expect(refCount(ws)).toBeGreaterThan(0);
    await c.logoff();
    expect(c.websession).toBeNull();
    expect(refCount(ws)).toBe(-1);
  });
});

describe('scopes', () => {
  it('release the transient references a scope obtained, in the background, and nothing else', async () => {
    const c = client();
    const machines = await c.read((vbox) => vbox.getMachines()); // long-lived, held "by an inventory"
    const ws = c.websession;
    const base = refCount(ws);
    const info = await c.scope(async (vbox) => {
      const host = await vbox.getHost();
      const ifaces = await host.getNetworkInterfaces();
      const rows = [];
      for (const m of await vbox.getMachines()) {
        const nic = await m.getNetworkAdapter(0);
        const vrde = await m.getVRDEServer();
        rows.push({ name: await m.getName(), mac: await nic.getMACAddress(), ports: await vrde.getVRDEProperty('TCP/Ports') });
      }
      const progressRefs = refCount(ws);
      return { rows, ifaces: await Promise.all(ifaces.map((i) => i.getName())), progressRefs };
    });
    expect(info.rows).toHaveLength(2);
    expect(info.progressRefs).toBeGreaterThan(base + 4);
    await expect.poll(() => refCount(ws)).toBe(base);
    // The inventory's machines were obtained outside the scope: still valid.
    expect(await c.read(() => Promise.all(machines.map((m) => m.getName())))).toHaveLength(2);
  });

  it('keep what fn returns and what keep() names; concurrent scopes sharing a reference release it once both end', async () => {
    const c = client();
    await c.logon();
    const ws = c.websession;
    const base = refCount(ws);
    const web = await c.scope((vbox) => vbox.findMachine('web-a1'));
    expect(await c.read(() => web.getName())).toBe('web-a1');
    let kept: IMachine | undefined;
    await c.scope(async (vbox) => {
      kept = await vbox.findMachine('db-a2');
      c.keep(kept);
      await kept.getPlatform();
    });
    await expect.poll(() => refCount(ws)).toBe(base + 2);
    expect(await c.read(() => kept!.getName())).toBe('db-a2');

    // Two scopes get the same IHost reference; the first to end must not pull it from under the second.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = c.scope(async (vbox) => {
      const host = await vbox.getHost();
      await gate;
      return host.getProcessorCount();
    });
    await c.scope(async (vbox) => (await vbox.getHost()).getMemorySize());
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await slow).toBeGreaterThan(0);
    await expect.poll(() => refCount(ws)).toBe(base + 2);
  });

  it('without a scope, references pile up in the websession until logoff', async () => {
    const c = client();
    await c.logon();
    const ws = c.websession;
    const base = refCount(ws);
    for (let i = 0; i < 3; i++) {
      await c.read(async (vbox) => {
        for (const m of await vbox.getMachines()) await (await m.getNetworkAdapter(0)).getEnabled();
      });
    }
    // One reference per object: the same objects again do not add more, but they all stay.
    expect(refCount(ws)).toBe(base + 4);
  });

  it('write(fn, { release: true }) releases too', async () => {
    const c = client();
    await c.logon();
    const ws = c.websession;
    const base = refCount(ws);
    await c.write(async (vbox, wsm) => {
      const session = await wsm.getSessionObject(vbox);
      const m = await vbox.findMachine('db-a2');
      await m.lockMachine(session, 'Shared');
      // A registered machine takes extradata on its session machine only (as in VirtualBox).
      await (await session.getMachine()).setExtraData('nimbox/tenant', 'acme');
      if ((await session.getState()) === 'Locked') await session.unlockMachine();
    }, { release: true });
    await expect.poll(() => refCount(ws)).toBe(base);
  });
});
