// Two Nimbox instances on one PostgreSQL behind a load-balancing proxy (issue 19), with two vboxsim
// hosts: a change on a host reaches the event streams of both instances; each serves pages, the API and
// consoles, and a console ticket, an embed link and sign-in throttling hold across both; kill -9 of the instance
// holding a host's lease while it runs a task on that host moves the lease to the other instance,
// which re-attaches the task to its IProgress and keeps the inventory complete and its stream flowing.
// Its own stack (ports E2E_INSTANCES_PORT…+2, default 3571–3573; VRDE ports from 52000), beside the
// one of e2e/server.ts, which it does not touch. No browser: what a user's client sees over HTTP.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { WebSocket } from 'ws';
import { openDb } from '../lib/db';
import { createHost } from '../lib/db/hosts';
import { createTestDatabase, ensureTestPostgres } from '../lib/db/pg-testing';
import { signIn } from '../scripts/stack';
import { startSim, type Sim } from '../sim/index';
import type { ApiTask } from './helpers';
import { instanceOf, leaseHolder, machineIn, SseClient, startInstances, startProxy, stopInstances, tail, type Instance, type Proxy } from './instances';

const PORT = Number(process.env.E2E_INSTANCES_PORT ?? 3571);
const ADMIN_PASSWORD = 'instances-Admin-passw0rd';
/** How long the slow start of the kill test takes on the host: long enough for the lease to move and the task to be adopted. */
const SLOW_START_MS = 30_000;

type Vm = { id: string; name: string; hostId: string; hostName: string; state: string; stale: boolean };

let sim: Sim | undefined;
let instances: Instance[] = [];
let proxy: Proxy | undefined;
let databaseUrl = '';
let cookie = '';
const hosts: { id: string; name: string }[] = [];
const streams: SseClient[] = [];
const simDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-e2e-instances-sim-'));

/** One API call with the admin's session to `base` (an instance, or the proxy). */
async function api<T>(base: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
  const r = await fetch(`${base}${url}`, {
    method, headers: { Cookie: cookie, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: (text ? JSON.parse(text) : null) as T };
}

const vms = async (base: string) => (await api<{ items: Vm[] }>(base, 'GET', '/api/v1/vms?pageSize=1000')).json.items;
const task = async (base: string, id: string) => (await api<ApiTask & { percent: number }>(base, 'GET', `/api/v1/tasks/${id}`)).json;

/** What the hosts themselves have: `host/machine: state`, sorted. */
const onHosts = () => sim!.hosts.flatMap((h) => h.sim.machines().map((m) => `${h.name}/${m.name}: ${m.state}`)).sort();
/** What Nimbox lists through the proxy, in the same words (a stale row is flagged). */
const listed = async () => (await vms(proxy!.url)).map((m) => `${m.hostName}/${m.name}: ${m.state}${m.stale ? ' (stale)' : ''}`).sort();

/** A powered-off machine of the sim host `hostName`, as Nimbox lists it. */
async function poweredOff(hostName: string): Promise<Vm> {
  const m = (await vms(proxy!.url)).find((x) => x.hostName === hostName && x.state === 'PoweredOff');
  expect(m, `a powered-off machine on ${hostName}`).toBeTruthy();
  return m!;
}

/** POST …/actions start to `base`: the task's id. */
async function start(base: string, vm: Vm): Promise<string> {
  const r = await api<ApiTask>(base, 'POST', `/api/v1/vms/${vm.id}/actions`, { action: 'start' });
  expect(r.status, JSON.stringify(r.json)).toBe(202);
  return r.json.id;
}

/** Waits (through the proxy) for a task to end, and expects it to have succeeded. */
async function expectSucceeds(id: string, timeout: number): Promise<void> {
  let t: ApiTask | undefined;
  await expect.poll(async () => (t = await task(proxy!.url, id)).status, { timeout }).not.toBe('running');
  expect(t!.status, `task ended: ${JSON.stringify(t)}`).toBe('succeeded');
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const secret = randomBytes(32).toString('hex');
  databaseUrl = createTestDatabase(await ensureTestPostgres());
  sim = await startSim({ hosts: 2, port: 0, vms: 6, control: true, vrdeBase: 52000, stateDir: simDir });
  // The hosts, registered as an operator would once for the whole cluster: their passwords encrypted with the shared secret.
  process.env.NIMBOX_SECRET = secret;
  const db = await openDb(databaseUrl);
  try {
    for (const h of sim.hosts) {
      const host = await createHost(db, { name: h.name, url: h.url, username: 'vbox', password: 'vbox', storagePath: sim.storageDir, vrdePorts: h.vrdePorts });
      hosts.push({ id: host.id, name: host.name });
    }
  } finally {
    await db.destroy();
    delete process.env.NIMBOX_SECRET;
  }
  instances = await startInstances({
    databaseUrl, ports: [PORT + 1, PORT + 2],
    env: { NIMBOX_SECRET: secret, NIMBOX_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
  proxy = await startProxy(instances.map((i) => i.url), PORT);
  cookie = await signIn(proxy.url, 'admin', ADMIN_PASSWORD);
  // Every machine of both hosts listed (whichever instance answers) before the tests begin.
  await expect.poll(listed, { timeout: 60_000 }).toEqual(onHosts());
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  // What the instances said, shown with the failure.
  for (const i of instances) console.error(`--- instance ${i.name} (pid ${i.pid}), last lines of its log:\n${tail(i.logFile, 60)}`);
});

test.afterAll(async () => {
  for (const s of streams) s.close();
  await proxy?.close();
  await stopInstances(instances);
  await sim?.stop();
  fs.rmSync(simDir, { recursive: true, force: true });
});

test('a change on a host reaches the event streams of both instances', async () => {
  const [a, b] = instances;
  const clients = await Promise.all([SseClient.open(a.url, cookie), SseClient.open(b.url, cookie)]);
  streams.push(...clients);

  // Through the proxy's API: one host's machine started.
  const vm = await poweredOff(hosts[0].name);
  const id = await start(proxy!.url, vm);
  await Promise.all(clients.map((c, i) => c.next(`instance ${instances[i].name} hears ${vm.name} running`, machineIn(vm.id, 'Running'), { timeoutMs: 30_000 })));
  await expectSucceeds(id, 30_000);

  // On the other host itself, not through Nimbox: a running machine's process dies.
  const running = sim!.hosts[1].sim.machines().find((m) => m.state === 'Running')!;
  const r = await fetch(`${sim!.hosts[1].control}/machines/${running.id}/crash`, { method: 'POST' });
  expect(r.status).toBe(200);
  await Promise.all(clients.map((c, i) => c.next(`instance ${instances[i].name} hears ${running.name} aborted`, machineIn(running.id, 'Aborted'), { timeoutMs: 30_000 })));
});

/**
 * Opens the console gateway of `base` with `ticket`: the first bytes the gateway sends (it speaks RFB first once
 * it reached the machine's VNC server), or the HTTP status and detail of its refusal.
 */
function openConsoleAt(base: string, ticket: string): Promise<{ greeting: string } | { status: number; detail: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/console/ws?ticket=${encodeURIComponent(ticket)}`, { headers: { cookie }, origin: base });
    ws.once('message', (d: Buffer) => {
      resolve({ greeting: d.toString('latin1').slice(0, 12) });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, detail: (JSON.parse(body || '{}') as { detail?: string }).detail ?? '' }));
    });
    ws.once('error', reject);
  });
}

test('every instance serves pages, the API and consoles; tickets, embed links and sign-in throttling hold across them', async () => {
  const [a, b] = instances;
  // One session, any instance: a page and an API call answered by each.
  for (const i of instances) {
    const page = await fetch(`${i.url}/hosts`, { headers: { Cookie: cookie }, redirect: 'manual' });
    expect(page.status, `GET /hosts on ${i.name}`).toBe(200);
    expect(await page.text()).toContain('<html');
    // Both hosts, each named with the instance running its listener (the same answer from either).
    const listed = (await api<{ hosts: { name: string; listener: { instance: string } | null }[] }>(i.url, 'GET', '/api/v1/hosts')).json.hosts;
    expect(listed.map((h) => h.name).sort()).toEqual(hosts.map((h) => h.name).sort());
    for (const h of listed) expect(instanceOf(instances, h.listener?.instance), `${h.name}'s listener, seen from ${i.name}`).toBeTruthy();
  }

  // A console ticket issued by A opens the console on B, once: A refuses it afterwards.
  // (The first test started one on the first host.)
  const running = (await vms(proxy!.url)).find((m) => m.state === 'Running' && m.hostName === hosts[0].name)!;
  expect(running, `a running machine on ${hosts[0].name}`).toBeTruthy();
  const issued = await api<{ ticket: string }>(a.url, 'POST', `/api/v1/vms/${running.id}/console`);
  expect(issued.status, JSON.stringify(issued.json)).toBe(200);
  expect(await openConsoleAt(b.url, issued.json.ticket)).toEqual({ greeting: 'RFB 003.008\n' });
  expect(await openConsoleAt(a.url, issued.json.ticket)).toMatchObject({ status: 401, detail: expect.stringMatching(/already been used/) });

  // An embed link made on B gives a ticket on A (no session cookie: the link alone), which B's gateway takes once.
  const link = await api<{ path: string }>(b.url, 'POST', `/api/v1/vms/${running.id}/embed-links`, { viewOnly: true });
  expect(link.status, JSON.stringify(link.json)).toBe(201);
  const linkValue = new URL(link.json.path, a.url).searchParams.get('link')!;
  const byLink = await fetch(`${a.url}/api/v1/embed/console/${running.id}/ticket`, { method: 'POST', headers: { Authorization: `EmbedLink ${linkValue}` } });
  expect(byLink.status).toBe(200);
  const linkTicket = ((await byLink.json()) as { ticket: string; viewOnly: boolean });
  expect(linkTicket.viewOnly).toBe(true);
  expect(await openConsoleAt(b.url, linkTicket.ticket)).toEqual({ greeting: 'RFB 003.008\n' });
  expect(await openConsoleAt(b.url, linkTicket.ticket)).toMatchObject({ status: 401 });

  // Sign-in throttling counts the failures of both instances against one limit (5 per user): after 3 on A and 2 on B,
  // the right password is refused on either.
  const username = `throttled-${randomBytes(3).toString('hex')}`;
  const password = 'Instances-Thr0ttle-check-9k';
  expect((await api(a.url, 'POST', '/api/v1/users', { username, role: 'viewer', password })).status).toBe(201);
  await signIn(b.url, username, password); // the password is right
  for (const [i, base] of [a.url, b.url, a.url, b.url, a.url].entries()) {
    await expect(signIn(base, username, `wrong-${i}`), `failure ${i + 1}`).rejects.toThrow(/failed/);
  }
  for (const base of [a.url, b.url]) await expect(signIn(base, username, password)).rejects.toThrow(/failed/);
});

test("kill -9 of the instance holding a host's lease and running a task: the other takes over", async () => {
  test.setTimeout(180_000);
  const host = hosts[0];
  const lease = `host:${host.id}`;
  let holderId: string | null = null;
  await expect.poll(async () => (holderId = await leaseHolder(databaseUrl, lease)), { timeout: 30_000 }).toBeTruthy();
  const holder = instanceOf(instances, holderId);
  expect(holder, `${lease} held by ${holderId}, one of the instances (pids ${instances.map((i) => i.pid).join(', ')})`).toBeTruthy();
  const survivor = instances.find((i) => i !== holder)!;
  const events = await SseClient.open(survivor.url, cookie);
  streams.push(events);

  // A start whose IProgress on the host runs for SLOW_START_MS, begun on the holder.
  const timing = sim!.hosts[0].sim.timing;
  const usual = timing.start;
  timing.start = SLOW_START_MS;
  try {
    const vm = await poweredOff(host.name);
    const id = await start(holder!.url, vm);
    // Seen from the other instance: the task follows VirtualBox's IProgress (from 5 % on), so its row names it.
    await expect.poll(async () => (await task(survivor.url, id)).percent, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    expect((await task(survivor.url, id)).status).toBe('running');

    await holder!.kill();

    // The lease moves to the survivor, which re-attaches the task: it ends as VirtualBox's operation does.
    await expect.poll(async () => instanceOf(instances, await leaseHolder(databaseUrl, lease))?.name, { timeout: 30_000, message: `${lease} taken over` })
      .toBe(survivor.name);
    await expectSucceeds(id, SLOW_START_MS + 60_000);
    // What the user watching it saw: the task taken over, following the same VirtualBox operation (not started again).
    await events.next('the survivor shows the task re-attached', (e) => {
      const t = (e.data as { task?: { id: string; message: string } }).task;
      return e.type === 'task' && t?.id === id && /re-attach/i.test(t.message);
    }, { timeoutMs: 5_000 });
    await events.next(`the survivor hears ${vm.name} running`, machineIn(vm.id, 'Running'), { timeoutMs: 30_000 });
  } finally {
    timing.start = usual;
  }

  // The inventory through the proxy (the survivor alone now): every machine of both hosts, in its state.
  await expect.poll(listed, { timeout: 30_000 }).toEqual(onHosts());

  // And the survivor's stream keeps flowing with the host's live events.
  const from = events.events.length;
  const running = sim!.hosts[0].sim.machines().find((m) => m.state === 'Running')!;
  expect((await fetch(`${sim!.hosts[0].control}/machines/${running.id}/crash`, { method: 'POST' })).status).toBe(200);
  await events.next(`the survivor hears ${running.name} aborted`, machineIn(running.id, 'Aborted'), { from, timeoutMs: 30_000 });
  expect(events.ended).toBeNull();
});
