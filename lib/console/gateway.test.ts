import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { User } from '@/lib/auth/policy';
import { core, startTestCluster, type TestCluster } from '@/lib/cluster/testing';
import type { MachineSummary } from '@/lib/cluster/types';
import type { ConsoleTicket, EmbedLink } from './types';

/*
 * The console gateway over real sockets: vboxsim's machines serve VNC, two hosts are
 * registered in a SQLite file, tickets come from the real route handler with a real
 * session cookie, and a WebSocket client plays the browser. Nothing is mocked.
 */
const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-console-'));

const { getDb } = await import('@/lib/db');
const { createLocalUser } = await import('@/lib/auth/users');
const { sessionCookie } = await import('@/lib/auth/testing');
const { readSessionCookie, revokeSession } = await import('@/lib/auth/sessions');
const { getInventory } = await import('@/lib/cluster/inventory');
const { createConsoleGateway } = await import('./live');
type ConsoleGateway = import('./gateway').ConsoleGateway;
const { ByteReader } = await import('./rfb');
const { issueTicket, consoleUrl } = await import('./ticket');
const { POST: openConsole } = await import('@/app/api/v1/vms/[id]/console/route');
const { POST: mintEmbedLink } = await import('@/app/api/v1/vms/[id]/embed-links/route');
const { POST: linkTicket } = await import('@/app/api/v1/embed/console/[id]/ticket/route');

type Gateway = ConsoleGateway;
type LogLine = Record<string, unknown>;

const VNC_PASSWORD = 'sekret-pw';
let cluster: TestCluster;
let ada: User;
let otto: User;
let cookies: Record<'ada' | 'otto' | 'olga' | 'vera', string>;
let logs: LogLine[] = [];
let gateway: Gateway;
let server: http.Server;
let base: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, f: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await sleep(10);
  }
}

const machine = (name: string): MachineSummary => getInventory().machines().find((m) => m.name === name)!;
const vncClients = (name: string) => core(name).vm?.vnc?.clients() ?? 0;

async function ticketFor(cookie: string, name: string): Promise<ConsoleTicket> {
  const m = machine(name);
  const r = await openConsole(
    new Request(`http://127.0.0.1/api/v1/vms/${m.id}/console`, { method: 'POST', headers: { cookie, 'x-forwarded-proto': 'http' } }),
    { params: Promise.resolve({ id: m.id }) },
  );
  expect(r.status).toBe(200);
  return (await r.json()) as ConsoleTicket;
}

type Refused = { status: number; body: { title: string; detail: string } };

/** Opens the gateway's WebSocket as a Viewer (made at once: the gateway speaks first), or the refusal. */
function connect(path: string, cookie?: string, url = base, origin?: string): Promise<Viewer | Refused> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}${path}`, { headers: cookie ? { cookie } : {}, ...(origin ? { origin } : {}) });
    ws.once('open', () => resolve(new Viewer(ws)));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body || 'null') }));
    });
    ws.once('error', reject);
  });
}

async function refused(path: string, cookie?: string, origin?: string): Promise<Refused> {
  const r = await connect(path, cookie, base, origin);
  if (r instanceof Viewer) {
    r.ws.close();
    throw new Error(`the gateway accepted ${path}`);
  }
  return r;
}

/** The browser's side of RFB, over the gateway's WebSocket. */
class Viewer {
  readonly reader = new ByteReader();
  closed: Promise<{ code: number; reason: string }>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => this.reader.push(d));
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => {
      this.reader.fail(new Error('closed'));
      resolve({ code, reason: reason.toString() });
    }));
  }

  /** Version, security (expects exactly None), SecurityResult; resolves after the security phase. */
  async secure(): Promise<void> {
    expect((await this.reader.read(12)).toString()).toBe('RFB 003.008\n');
    this.ws.send(Buffer.from('RFB 003.008\n'));
    const n = (await this.reader.read(1))[0];
    if (n === 0) {
      const len = (await this.reader.read(4)).readUInt32BE(0);
      throw new Error(`refused: ${(await this.reader.read(len)).toString()}`);
    }
    expect([...(await this.reader.read(n))]).toEqual([1]);
    this.ws.send(Buffer.from([1]));
    expect((await this.reader.read(4)).readUInt32BE(0)).toBe(0);
  }

  /** The whole handshake through ServerInit. */
  async open(): Promise<{ width: number; height: number; name: string }> {
    await this.secure();
    this.ws.send(Buffer.from([1])); // ClientInit, shared
    const init = await this.reader.read(24);
    const name = (await this.reader.read(init.readUInt32BE(20))).toString('utf8');
    return { width: init.readUInt16BE(0), height: init.readUInt16BE(2), name };
  }

  pointer(x: number, y: number): void {
    const b = Buffer.alloc(6);
    b[0] = 5;
    b[1] = 1;
    b.writeUInt16BE(x, 2);
    b.writeUInt16BE(y, 4);
    this.ws.send(b);
  }

  paste(text: string): void {
    const b = Buffer.alloc(8);
    b[0] = 6;
    b.writeUInt32BE(text.length, 4);
    this.ws.send(Buffer.concat([b, Buffer.from(text, 'latin1')]));
  }

  key(keysym: number): void {
    for (const down of [1, 0]) {
      const b = Buffer.alloc(8);
      b[0] = 4;
      b[1] = down;
      b.writeUInt32BE(keysym, 4);
      this.ws.send(b);
    }
  }

  async frame(width: number, height: number): Promise<Buffer> {
    const req = Buffer.alloc(10);
    req[0] = 3;
    req.writeUInt16BE(width, 6);
    req.writeUInt16BE(height, 8);
    this.ws.send(req);
    const head = await this.reader.read(16);
    expect(head[0]).toBe(0);
    expect(head.readUInt16BE(2)).toBe(1);
    return this.reader.read(head.readUInt16BE(8) * head.readUInt16BE(10) * 4);
  }
}

async function viewerFor(cookie: string, name: string, gw = base): Promise<Viewer> {
  return viewerWith(await ticketFor(cookie, name), cookie, gw);
}

async function viewerWith(t: ConsoleTicket, cookie?: string, gw = base): Promise<Viewer> {
  const v = await connect(t.url, cookie, gw);
  if (!(v instanceof Viewer)) throw new Error(`refused: ${JSON.stringify(v)}`);
  return v;
}

async function listen(gw: Gateway): Promise<{ server: http.Server; url: string }> {
  const s = http.createServer((_req, res) => res.writeHead(404).end());
  s.on('upgrade', (req, socket, head) => (gw.handles(req) ? void gw.handleUpgrade(req, socket, head) : socket.destroy()));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { server: s, url: `ws://127.0.0.1:${(s.address() as net.AddressInfo).port}` };
}

beforeAll(async () => {
  cluster = await startTestCluster({
    hosts: 2, port: 0, vms: 4, vrdeBase: 40_000 + Math.floor(Math.random() * 50) * 100,
    prepare: async (sim) => {
      // db-a2 gets a VNC password before it starts: the gateway must log in with it.
      const locked = core('db-a2');
      locked.settings.vrde.properties.VNCPassword = VNC_PASSWORD;
      await sim.hosts[0].sim.powerOn(locked);
      core('cache-a3').settings.extraData['nimbox/tenant'] = 'blue';
    },
    // Five of them run: db-a2 and every other demo machine.
    host: { consoleAddress: '127.0.0.1' }, machines: 8,
  });
  const db = await getDb();
  ada = (await createLocalUser(db, { username: 'ada', password: 'pw', role: 'admin' }))!;
  otto = (await createLocalUser(db, { username: 'otto', password: 'pw', role: 'admin' }))!;
  // Tenant blue's operator and viewer; cache-a3 is blue's machine.
  const olga = (await createLocalUser(db, { username: 'olga', password: 'pw', role: 'operator' }))!;
  const vera = (await createLocalUser(db, { username: 'vera', password: 'pw', role: 'viewer' }))!;
  await db.updateTable('users').set({ tenant: 'blue' }).where('id', 'in', [olga.id, vera.id]).execute();
  cookies = { ada: await sessionCookie(ada), otto: await sessionCookie(otto), olga: await sessionCookie(olga), vera: await sessionCookie(vera) };
  gateway = createConsoleGateway({ log: (e) => { logs.push(e); if (process.env.DEBUG_GW) console.log(JSON.stringify(e)); } });
  ({ server, url: base } = await listen(gateway));
});

afterAll(async () => {
  await gateway?.close();
  server?.close();
  await cluster?.stop();
  dataDir.remove();
});

describe('tickets: refused before any TCP connection', () => {
  async function expectRefusal(path: string, cookie: string | undefined, status: number, detail: RegExp, origin?: string) {
    const before = gateway.stats().tcpConnects;
    const vnc = vncClients('web-a1');
    const r = await refused(path, cookie, origin);
    expect(r.status).toBe(status);
    expect(r.body.detail).toMatch(detail);
    expect(gateway.stats().tcpConnects).toBe(before);
    expect(vncClients('web-a1')).toBe(vnc);
  }

  it('refuses a missing ticket', async () => {
    await expectRefusal('/api/v1/console/ws', cookies.ada, 401, /No console ticket/);
    await expectRefusal('/api/v1/console/ws?ticket=', cookies.ada, 401, /No console ticket/);
  });

  it('accepts a ticket once, then refuses it as reused', async () => {
    const t = await ticketFor(cookies.ada, 'web-a1');
    const v = await connect(t.url, cookies.ada);
    expect(v).toBeInstanceOf(Viewer);
    (v as Viewer).ws.close();
    await until('the first session to end', () => gateway.stats().sessions === 0 && vncClients('web-a1') === 0);
    await expectRefusal(t.url, cookies.ada, 401, /already been used/);
  });

  it('refuses an expired ticket', async () => {
    const m = machine('web-a1');
    const { ticket } = issueTicket({ sub: ada.id, vm: m.id, host: m.hostId, port: 1 }, { now: Date.now() - 31_000 });
    await expectRefusal(consoleUrl(ticket), cookies.ada, 401, /expired/);
  });

  it('refuses forged tickets: altered claims, or signed with another key', async () => {
    const t = await ticketFor(cookies.ada, 'web-a1');
    const [v, claims, mac] = t.ticket.split('.');
    const altered = JSON.parse(Buffer.from(claims, 'base64url').toString());
    altered.exp += 3_600_000;
    await expectRefusal(consoleUrl(`${v}.${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${mac}`), cookies.ada, 401, /not valid/);
    const m = machine('web-a1');
    const { ticket } = issueTicket({ sub: ada.id, vm: m.id, host: m.hostId, port: 5900 }, { key: crypto.randomBytes(32) });
    await expectRefusal(consoleUrl(ticket), cookies.ada, 401, /not valid/);
    await expectRefusal(consoleUrl('v1.e30.AAAA'), cookies.ada, 401, /not valid/);
  });

  /** Opens a console with the ticket and closes it again: the ticket was still good. */
  async function stillGood(t: ConsoleTicket, cookie: string, origin?: string) {
    const v = await connect(t.url, cookie, base, origin);
    if (!(v instanceof Viewer)) throw new Error(`refused: ${JSON.stringify(v)}`);
    v.ws.close();
    await v.closed;
    await until('the session to end', () => gateway.stats().sessions === 0 && vncClients('web-a1') === 0);
  }

  it("refuses another user's ticket, and a ticket without a session, without using it up for its owner", async () => {
    const t = await ticketFor(cookies.ada, 'web-a1');
    await expectRefusal(t.url, cookies.otto, 403, /another user/);
    await expectRefusal(t.url, undefined, 401, /Sign in/);
    await stillGood(t, cookies.ada);
  });

  it("refuses an upgrade from another site's page (the user's cookies and all), and keeps the ticket good for this site's", async () => {
    const t = await ticketFor(cookies.ada, 'web-a1');
    for (const origin of ['http://evil.example', 'null', base.replace('127.0.0.1', 'localhost').replace(/^ws/, 'http')]) {
      await expectRefusal(t.url, cookies.ada, 403, /another site/, origin);
    }
    // The console page (or an embed link's page, framed by another site) is this site's: its Origin is ours.
    await stillGood(t, cookies.ada, base.replace(/^ws/, 'http'));
  });

  it('refuses a ticket for another machine', async () => {
    const t = await ticketFor(cookies.ada, 'web-a1');
    await expectRefusal(`${t.url}&vm=${machine('web-b1').id}`, cookies.ada, 403, /another machine/);
  });

  it('refuses a ticket when the machine is no longer on that host, or no longer running', async () => {
    // Signed by this server, but naming the other host: as if the machine had moved since.
    const m = machine('web-a1');
    const bravo = machine('web-b1').hostId;
    const { ticket } = issueTicket({ sub: ada.id, vm: m.id, host: bravo, port: 5900 });
    await expectRefusal(consoleUrl(ticket), cookies.ada, 409, /has moved/);

    const t = await ticketFor(cookies.ada, 'cache-b3');
    await core('cache-b3').vm!.end('PoweredOff');
    await until('the inventory to see cache-b3 off', () => machine('cache-b3').state === 'PoweredOff');
    await expectRefusal(t.url, cookies.ada, 409, /PoweredOff/);
  });

  it('logs every refusal without the ticket', async () => {
    const refusals = logs.filter((l) => l.msg === 'console refused');
    expect(new Set(refusals.map((l) => l.reason))).toEqual(new Set([
      'ticket-missing', 'ticket-reused', 'ticket-expired', 'ticket-invalid', 'other-user', 'not-signed-in', 'cross-site', 'other-machine', 'machine-moved', 'machine-unavailable',
    ]));
    expect(JSON.stringify(logs)).not.toMatch(/v1\.[A-Za-z0-9_-]{20,}/);
  });
});

describe('relay', () => {
  it('terminates VNC Authentication with the VRDE password and relays RFB both ways', async () => {
    logs = [];
    const v = await viewerFor(cookies.ada, 'db-a2');
    const init = await v.open();
    expect(init).toEqual({ width: 640, height: 480, name: 'db-a2' });
    const pixels = await v.frame(init.width, init.height);
    expect(pixels.length).toBe(640 * 480 * 4);
    expect(pixels.some((b) => b !== 0)).toBe(true);
    for (const ch of 'hi!') v.key(ch.charCodeAt(0));
    await until('the typed text on the machine', () => core('db-a2').vm!.screen.text() === 'hi!');
    v.ws.close();
    await v.closed;
    await until('the session log', () => logs.some((l) => l.msg === 'console close'));
    const open = logs.find((l) => l.msg === 'console open')!;
    const close = logs.find((l) => l.msg === 'console close')!;
    expect(open).toMatchObject({ level: 'info', user: 'ada', machine: 'db-a2', host: 'vbox-alpha' });
    expect(close).toMatchObject({ session: open.session, security: 'vnc-auth', reason: 'the browser closed the console' });
    expect(close.bytesToViewer).toBeGreaterThan(640 * 480 * 4);
    const text = JSON.stringify(logs);
    expect(text).not.toContain(VNC_PASSWORD);
    expect(text).not.toContain(cookies.ada.split('=')[1]);
  });

  it('closes the TCP side when the browser goes', async () => {
    const before = vncClients('web-a1');
    const v = await viewerFor(cookies.ada, 'web-a1');
    await v.open();
    await until('the VNC client', () => vncClients('web-a1') === before + 1);
    v.ws.terminate(); // no close handshake: the socket just goes
    await until('the VNC server to lose its client', () => vncClients('web-a1') === before);
    await until('the gateway to forget the session', () => gateway.stats().sessions === 0);
  });

  it('closes the browser side when the machine goes', async () => {
    const v = await viewerFor(cookies.ada, 'web-b1');
    await v.open();
    await core('web-b1').vm!.end('PoweredOff');
    const closed = await v.closed;
    expect(closed.code).toBe(1000);
    await until('the gateway to forget the session', () => gateway.stats().sessions === 0);
  });

  it("passes the machine's refusal on to the viewer when the password is wrong", async () => {
    // The VNC server keeps the password it started with; the gateway reads the new one.
    core('db-a2').settings.vrde.properties.VNCPassword = 'changed';
    try {
      const v = await viewerFor(cookies.ada, 'db-a2');
      await expect(v.secure()).rejects.toThrow(/refused the login.*authentication failed/);
      expect((await v.closed).code).toBe(1000);
    } finally {
      core('db-a2').settings.vrde.properties.VNCPassword = VNC_PASSWORD;
    }
  });

  it('closes sessions without input after the idle timeout (screen update requests are no input), and keeps those with input', async () => {
    const quick = createConsoleGateway({ idleMs: 400, log: () => undefined });
    const { server: s, url } = await listen(quick);
    try {
      const idle = await viewerFor(cookies.ada, 'web-a1', url);
      const busy = await viewerFor(cookies.ada, 'web-a1', url);
      await Promise.all([idle.open(), busy.open()]);
      const typing = setInterval(() => {
        busy.key(0xffe1); // Shift: input that types nothing
        idle.ws.send(Buffer.from([3, 1, 0, 0, 0, 0, 2, 128, 1, 224])); // what noVNC asks all the time
      }, 100);
      try {
        const t0 = Date.now();
        const closed = await idle.closed;
        expect(closed.code).toBe(4000);
        expect(Date.now() - t0).toBeLessThan(2_000);
        await sleep(600);
        expect(busy.ws.readyState).toBe(WebSocket.OPEN);
      } finally {
        clearInterval(typing);
      }
      expect((await busy.closed).code).toBe(4000);
    } finally {
      await quick.close();
      s.close();
    }
  });

  it('closes an open console once its session is signed out (or revoked), and leaves the others open', async () => {
    const checking = createConsoleGateway({ recheckMs: 200, log: () => undefined });
    const { server: s, url } = await listen(checking);
    try {
      const mine = await sessionCookie(ada);
      const gone = await viewerFor(mine, 'web-a1', url);
      const other = await viewerFor(cookies.ada, 'web-a1', url);
      await Promise.all([gone.open(), other.open()]);
      const sid = (await readSessionCookie(mine, 'http'))!.sid as string;
      await revokeSession(await getDb(), sid);
      expect((await gone.closed).code).toBe(4001);
      await sleep(400);
      expect(other.ws.readyState).toBe(WebSocket.OPEN);
      other.ws.close();
    } finally {
      await checking.close();
      s.close();
    }
  });
});

describe('roles, view-only consoles and embed links', () => {
  /** Sends every kind of input a view-only console must drop, then waits for a screen update: the machine has handled all of it by then. */
  async function tryInput(v: Viewer, text: string): Promise<void> {
    for (const ch of text) v.key(ch.charCodeAt(0));
    v.pointer(10, 10);
    v.paste(`${text}\n`);
    await v.frame(640, 480);
  }

  it("tenant users: an operator's console takes input, a viewer's is view-only and the gateway drops its input", async () => {
    const screen = () => core('cache-a3').vm!.screen.text();
    const op = await ticketFor(cookies.olga, 'cache-a3');
    expect(op.viewOnly).toBe(false);
    const operator = await viewerWith(op, cookies.olga);
    await operator.open();
    for (const ch of 'op') operator.key(ch.charCodeAt(0));
    await until('the operator typing', () => screen() === 'op');

    const t = await ticketFor(cookies.vera, 'cache-a3');
    expect(t.viewOnly).toBe(true);
    const viewer = await viewerWith(t, cookies.vera);
    expect((await viewer.open()).name).toBe('cache-a3');
    await tryInput(viewer, 'nope');
    expect(screen()).toBe('op');
    // The operator's session is unaffected.
    operator.key('!'.charCodeAt(0));
    await until('the operator typing again', () => screen() === 'op!');
    // A message the gateway cannot check ends a view-only session.
    viewer.ws.send(Buffer.from([77, 0, 0, 0]));
    expect((await viewer.closed).code).toBe(1008);
    operator.ws.close();
    await operator.closed;
  });

  it("refuses a session ticket whose user may not open this machine's console", async () => {
    // vera may watch blue's machines only; a ticket for another machine (made for her here) is refused before any TCP connection.
    const m = machine('web-a1');
    const vera = (await getDb()).selectFrom('users').select('id').where('username', '=', 'vera');
    const { ticket } = issueTicket({ sub: (await vera.executeTakeFirstOrThrow()).id, vm: m.id, host: m.hostId, port: 5900, mode: 'view' });
    const r = await refused(consoleUrl(ticket), cookies.vera);
    expect(r).toMatchObject({ status: 403, body: { detail: /not allowed to watch/ } });
  });

  async function mint(cookie: string, name: string, viewOnly: boolean): Promise<EmbedLink> {
    const m = machine(name);
    const r = await mintEmbedLink(
      new Request(`http://127.0.0.1/api/v1/vms/${m.id}/embed-links`, { method: 'POST', headers: { cookie, 'x-forwarded-proto': 'http', 'content-type': 'application/json' }, body: JSON.stringify({ viewOnly }) }),
      { params: Promise.resolve({ id: m.id }) },
    );
    expect(r.status).toBe(201);
    return (await r.json()) as EmbedLink;
  }

  /** What the embed page does: a ticket with the link, no cookie. */
  async function redeem(link: EmbedLink): Promise<Response> {
    const id = link.machine.id;
    const value = new URL(link.url).searchParams.get('link')!;
    return linkTicket(new Request(`http://127.0.0.1/api/v1/embed/console/${id}/ticket`, { method: 'POST', headers: { authorization: `EmbedLink ${value}` } }), {
      params: Promise.resolve({ id }),
    });
  }

  it("embed links open consoles without a session: view-only links drop input, interactive ones pass it", async () => {
    logs = [];
    const screen = () => core('web-a1').vm!.screen.text();
    const before = screen();
    const watch = await mint(cookies.ada, 'web-a1', true);
    const t = (await (await redeem(watch)).json()) as ConsoleTicket;
    expect(t.viewOnly).toBe(true);
    // The embed page sits in another site's iframe, but it is this site's page: the portal's own origin is refused.
    expect(await refused(t.url, undefined, 'http://portal.example')).toMatchObject({ status: 403, body: { detail: /another site/ } });
    const page = await connect(t.url, undefined, base, base.replace(/^ws/, 'http'));
    if (!(page instanceof Viewer)) throw new Error(`refused: ${JSON.stringify(page)}`);
    const watcher = page;
    await watcher.open();
    await tryInput(watcher, 'drop');
    expect(screen()).toBe(before);
    watcher.ws.close();

    const use = await mint(cookies.ada, 'web-a1', false);
    const u = (await (await redeem(use)).json()) as ConsoleTicket;
    expect(u.viewOnly).toBe(false);
    const user = await viewerWith(u);
    await user.open();
    for (const ch of 'via link') user.key(ch.charCodeAt(0));
    await until('the typed text', () => screen() === `${before}via link`);
    user.ws.close();
    await until('both sessions logged', () => logs.filter((l) => l.msg === 'console close').length === 2);
    const opened = logs.filter((l) => l.msg === 'console open');
    expect(opened.map((l) => [l.user, l.mode])).toEqual([['ada', 'view'], ['ada', 'control']]);
    expect(opened.every((l) => typeof l.link === 'string')).toBe(true);
  });

  it("refuses a link's ticket when its maker is gone, and a session ticket without the session still", async () => {
    const db = await getDb();
    const temp = (await createLocalUser(db, { username: 'temp', password: 'pw', role: 'admin' }))!;
    const link = await mint(await sessionCookie(temp), 'web-a1', true);
    const t = (await (await redeem(link)).json()) as ConsoleTicket;
    await db.deleteFrom('users').where('id', '=', temp.id).execute();
    expect(await refused(t.url)).toMatchObject({ status: 401, body: { detail: /no longer exists/ } });
    // The link itself is dead too.
    expect((await redeem(link)).status).toBe(401);
    // Only link tickets go without a cookie.
    expect((await refused((await ticketFor(cookies.ada, 'web-a1')).url)).status).toBe(401);
  });
});

describe('back-pressure', () => {
  /** A VNC server (security None) that hands each connection after ClientInit to `onReady`. */
  async function fakeVnc(onReady: (s: net.Socket) => void): Promise<{ server: net.Server; port: number }> {
    const srv = net.createServer((s) => {
      const r = new ByteReader();
      const feed = (d: Buffer) => r.push(d);
      s.on('data', feed);
      s.on('error', () => undefined);
      void (async () => {
        s.write('RFB 003.008\n');
        await r.read(12);
        s.write(Buffer.from([1, 1]));
        await r.read(1);
        s.write(Buffer.alloc(4));
        await r.read(1);
        s.off('data', feed);
        onReady(s);
      })().catch(() => s.destroy());
    });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    return { server: srv, port: (srv.address() as net.AddressInfo).port };
  }

  async function fakeSession(port: number): Promise<{ viewer: Viewer; gw: Gateway; close: () => Promise<void> }> {
    const gw = createConsoleGateway({
      resolve: async (c) => ({ machineId: c.vm, machineName: 'fake', hostId: c.host, hostName: 'fake-host', address: '127.0.0.1', port, password: '' }),
      bufferBytes: 256 * 1024,
      log: () => undefined,
    });
    const { server: s, url } = await listen(gw);
    const { ticket } = issueTicket({ sub: ada.id, vm: 'fake-vm', host: 'fake-host', port });
    const viewer = await connect(consoleUrl(ticket), cookies.ada, url);
    if (!(viewer instanceof Viewer)) throw new Error(`refused: ${JSON.stringify(viewer)}`);
    await viewer.secure();
    viewer.ws.send(Buffer.from([1]));
    return { viewer, gw, close: async () => { await gw.close(); s.close(); } };
  }

  it('pauses the machine when the browser reads slowly, and loses nothing', async () => {
    const TOTAL = 128 * 1024 * 1024;
    let written = 0;
    const { server: srv, port } = await fakeVnc((s) => {
      const pump = () => {
        while (written < TOTAL && !s.destroyed) {
          const chunk = Buffer.allocUnsafe(64 * 1024);
          for (let i = 0; i < chunk.length; i++) chunk[i] = (written + i) & 0xff;
          written += chunk.length;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    const { viewer, close } = await fakeSession(port);
    try {
      viewer.ws.pause();
      await sleep(1_000);
      const stalled = written;
      await sleep(500);
      // The flood stopped: the kernel buffers and the gateway's high-water mark hold what was written.
      expect(written - stalled).toBeLessThan(1024 * 1024);
      expect(stalled).toBeLessThan(48 * 1024 * 1024);
      viewer.ws.resume();
      let received = 0;
      while (received < TOTAL) {
        const part = await viewer.reader.read(Math.min(1024 * 1024, TOTAL - received));
        for (let i = 0; i < part.length; i++) {
          if (part[i] !== ((received + i) & 0xff)) throw new Error(`byte ${received + i} is ${part[i]}`);
        }
        received += part.length;
      }
      expect(received).toBe(TOTAL);
    } finally {
      await close();
      srv.close();
    }
  });

  it('pauses the browser when the machine reads slowly', async () => {
    let machineSide: net.Socket | undefined;
    const { server: srv, port } = await fakeVnc((s) => {
      machineSide = s;
      s.pause();
    });
    const { viewer, close } = await fakeSession(port);
    try {
      await until('the machine side', () => !!machineSide);
      // 64 MB of pasted text (ClientCutText, 1 MB each) towards a server that does not read.
      const paste = Buffer.alloc(8 + 1024 * 1024, 0x61);
      paste[0] = 6;
      paste.fill(0, 1, 4);
      paste.writeUInt32BE(1024 * 1024, 4);
      for (let i = 0; i < 64; i++) viewer.ws.send(paste);
      await sleep(1_000);
      // The gateway stopped reading the WebSocket: most of it still waits in the browser.
      expect(viewer.ws.bufferedAmount).toBeGreaterThan(16 * 1024 * 1024);
      let got = 0;
      machineSide!.on('data', (d: Buffer) => (got += d.length));
      machineSide!.resume();
      await until('everything to arrive', () => got === 64 * paste.length, 20_000);
    } finally {
      await close();
      srv.close();
    }
  });
});
