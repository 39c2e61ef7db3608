// The live inventory at scale: H simulated hosts × V machines with MS of added latency
// per SOAP call. Prints, as one JSON object on its last line: the cold full-inventory
// time and SOAP calls per machine (the inventory in this process; at Nimbox's first start, and
// at a restart, when each machine's tenant comes from the database), then, through a
// running Nimbox server, the warm GET /api/v1/vms time, the time from a state change on
// a host to its server-sent event, and the server's RSS. Then the cold inventory of VirtualBox's
// own vboxwebsrv (../shared/vbox-7.1), freshly started with --real-vms machines: its time, and
// the slowest SOAP call (a vboxwebsrv met with a burst of new connections stalls for a minute).
//
// With `--db postgres` the database is a throw-away PostgreSQL (lib/db/pg-testing), and with
// `--instances N` (N ≥ 2, PostgreSQL only) N Nimbox servers share it (e2e/instances.ts), each with its
// own data folder and the same NIMBOX_SECRET; the figures above are read on the first one, and it adds
// the time from a state change on a host to the event on an instance NOT holding that host's lease
// (median, p95), and the lease takeover: from kill -9 of a host's holder until another instance's event
// stream carries that host's changes again (a machine crashed on it every PROBE_MS meanwhile).
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDb } from '../lib/db';
import { createHost } from '../lib/db/hosts';
import { createTestDatabase, ensureTestPostgres } from '../lib/db/pg-testing';
import { Inventory } from '../lib/cluster/inventory';
import { startWebsrv, websrvMissing } from '../lib/vbox/websrv-harness';
import { signIn } from '../scripts/stack';
import { instanceOf, leaseHolder, machineIn, SseClient, startInstances, stopInstances, type Instance, type SseEvent } from '../e2e/instances';
import { progress, quantile, ROOT, rssMB, startSimProcess } from './lib';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string' }, vms: { type: 'string' }, latency: { type: 'string' }, port: { type: 'string' }, 'real-vms': { type: 'string' },
    instances: { type: 'string' }, db: { type: 'string' },
  },
});
const HOSTS = Number(values.hosts ?? 4);
const VMS = Number(values.vms ?? 250);
const LATENCY = Number(values.latency ?? 1);
const PORT = Number(values.port ?? 3601);
const REAL_VMS = Number(values['real-vms'] ?? 100);
const INSTANCES = Number(values.instances ?? 1);
const DB_KIND = values.db ?? 'sqlite';
if (DB_KIND !== 'sqlite' && DB_KIND !== 'postgres') throw new Error(`--db ${DB_KIND}: sqlite or postgres`);
if (!Number.isInteger(INSTANCES) || INSTANCES < 1) throw new Error(`--instances ${values.instances}: a whole number from 1`);
if (INSTANCES > 1 && DB_KIND !== 'postgres') throw new Error('several instances share one PostgreSQL: add --db postgres');
/** Issue 19's set-up (PostgreSQL, servers started as e2e/instances.ts does); without the flags the bench runs as before it. */
const SHARED = DB_KIND === 'postgres';
/** Changes timed per host for the cross-instance figure. */
const CROSS_SAMPLES = 5;
/** How often a machine of the taken-over host is crashed while its lease has no live holder. */
const PROBE_MS = 250;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-bench-inv-'));
process.env.NIMBOX_DATA_DIR = dataDir;
const children: ChildProcess[] = [];
/** The Nimbox servers of --db postgres. */
const servers: Instance[] = [];
const ADMIN_PASSWORD = 'bench-admin-password';

function step(msg: string) { process.stderr.write(`bench:inventory ${msg}\n`); }
const median = (xs: number[]) => quantile(xs, 0.5);

const soapCalls = async (hosts: { control?: string }[]) =>
  (await Promise.all(hosts.map(async (h) => (await (await fetch(`${h.control}/status`)).json()).soapCalls as number))).reduce((a, b) => a + b, 0);

async function main() {
  step(`starting vboxsim: ${HOSTS} hosts × ${VMS} machines, ${LATENCY} ms per call`);
  const sim = await startSimProcess(['--hosts', String(HOSTS), '--vms', String(VMS), '--latency', String(LATENCY), '--control', '--vrde-base', '30000']);
  children.push(sim.child);
  if (SHARED) step('starting PostgreSQL (a throw-away server in a temporary folder)');
  const location = SHARED ? createTestDatabase(await ensureTestPostgres()) : path.join(dataDir, 'nimbox.sqlite');
  // Each server has its own data folder: the hosts' passwords are encrypted with a secret they all share.
  if (SHARED) process.env.NIMBOX_SECRET = randomBytes(32).toString('hex');
  const db = await openDb(location);
  const hostIds: string[] = [];
  for (const [i, h] of sim.hosts.entries()) hostIds.push((await createHost(db, { name: `bench-${i + 1}`, url: h.url, username: 'vbox', password: 'vbox' })).id);

  // Cold: a new inventory scans every host, first with an empty database (Nimbox's first start: each
  // machine's tenant is read from its extradata), then again as after a restart (tenants from the database).
  const total = HOSTS * VMS;
  const coldScan = async (label: string) => {
    // Cold means no host's last view to start from: on PostgreSQL the previous run left a snapshot (lib/cluster/replica).
    if (SHARED) await db.deleteFrom('inventory_snapshots').execute();
    const before = await soapCalls(sim.hosts);
    const inventory = new Inventory(async () => db, { pollMs: 60_000, reconcileMs: 600_000, backoffMs: 500, maxBackoffMs: 5_000, timeoutMs: 30_000 });
    const t0 = performance.now();
    await inventory.start();
    let shown = -1;
    while (inventory.machines().length < total || inventory.hosts().some((h) => h.health !== 'up')) {
      if (inventory.machines().length !== shown) progress(label, (shown = inventory.machines().length), total);
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = performance.now() - t0;
    progress(label, total, total);
    const callsPerMachine = ((await soapCalls(sim.hosts)) - before) / total;
    await inventory.stop();
    // The tenant map is written in the background: let it settle before the next start reads it.
    while ((await db.selectFrom('machine_tenants').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n < total) await new Promise((r) => setTimeout(r, 20));
    return { ms, callsPerMachine };
  };
  const first = await coldScan('cold scan, first start');
  const { ms: coldMs, callsPerMachine } = await coldScan('cold scan, restart');
  await db.destroy();

  let url: string;
  let serverPid: number;
  if (!SHARED) {
    step('starting the Nimbox server');
    const next = spawn(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-p', String(PORT), '-H', '127.0.0.1'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NIMBOX_DATA_DIR: dataDir, NIMBOX_ADMIN_PASSWORD: ADMIN_PASSWORD, NEXT_TELEMETRY_DISABLED: '1' },
    });
    children.push(next);
    url = `http://127.0.0.1:${PORT}`;
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${url}/api/v1/health`)).ok) break; } catch { /* starting */ }
      if (i > 600) throw new Error('the Nimbox server did not start (is it built? npm run build)');
      await new Promise((r) => setTimeout(r, 100));
    }
    serverPid = next.pid!;
  } else {
    if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
      step('no build of the app (.next): building it first (next build)');
      if (spawnSync(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) throw new Error('next build failed');
    }
    step(`starting ${INSTANCES} Nimbox server${INSTANCES > 1 ? 's' : ''} on one PostgreSQL`);
    servers.push(...await startInstances({
      databaseUrl: location, ports: Array.from({ length: INSTANCES }, (_, i) => PORT + i),
      env: { NIMBOX_SECRET: process.env.NIMBOX_SECRET!, NIMBOX_ADMIN_PASSWORD: ADMIN_PASSWORD },
    }));
    url = servers[0].url;
    serverPid = servers[0].pid;
  }
  const cookie = await signIn(url, 'admin', ADMIN_PASSWORD);
  const list = async (at = url) => (await (await fetch(`${at}/api/v1/vms?pageSize=100`, { headers: { Cookie: cookie } })).json()) as { total: number };
  for (const at of servers.length > 0 ? servers.map((i) => i.url) : [url]) while ((await list(at)).total < total) await new Promise((r) => setTimeout(r, 100));

  // Warm list: served from the inventory's memory.
  const listTimes: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await list();
    listTimes.push(performance.now() - t);
    progress('warm list', i + 1, 50);
  }

  // Change to SSE: crash a running machine on a host and wait for its event.
  const events = await SseClient.open(url, cookie);
  const sseTimes: number[] = [];
  const victims = (await running(sim.hosts[0])).slice(0, 5);
  for (const m of victims) {
    sseTimes.push(await crashToEvent(sim.hosts[0], m.id, events));
    progress('change to SSE', sseTimes.length, victims.length);
  }
  events.close();
  const rss = rssMB(serverPid);
  const shared = servers.length > 1 ? await acrossInstances(sim.hosts, hostIds, location, cookie) : {};
  const realHost = await realCold();

  console.log(JSON.stringify({
    benchmark: 'inventory', hosts: HOSTS, machinesPerHost: VMS, latencyMs: LATENCY,
    coldFullInventoryMs: Math.round(coldMs), coldAimMs: 1500,
    soapCallsPerMachine: Math.round(callsPerMachine * 100) / 100, callsAim: 6,
    firstStart: { coldFullInventoryMs: Math.round(first.ms), soapCallsPerMachine: Math.round(first.callsPerMachine * 100) / 100 },
    warmListMsMedian: Math.round(median(listTimes) * 10) / 10, warmListAimMs: 30,
    changeToSseMsMedian: Math.round(median(sseTimes)), changeToSseAimMs: 300,
    serverRssMB: rss, rssAimMB: 250,
    ...(SHARED ? { instances: INSTANCES, db: DB_KIND, ...shared } : {}),
    realHost,
  }));
}

type SimHost = { control?: string };

/** The machines running on a simulated host, as its control endpoint says. */
async function running(host: SimHost): Promise<{ id: string; name: string }[]> {
  const status = (await (await fetch(`${host.control}/status`)).json()) as { machines: { id: string; name: string; state: string }[] };
  return status.machines.filter((m) => m.state === 'Running');
}

const crash = (host: SimHost, id: string) => fetch(`${host.control}/machines/${id}/crash`, { method: 'POST' });

/** Crashes machine `id` on `host` and waits for `events` to carry it Aborted: the time between, in ms. */
async function crashToEvent(host: SimHost, id: string, events: SseClient): Promise<number> {
  const from = events.events.length;
  const t = performance.now();
  await crash(host, id);
  return (await events.next(`machine ${id} aborted`, machineIn(id, 'Aborted'), { from, timeoutMs: 60_000 })).at - t;
}

/**
 * Issue 19's figures on several servers: a change on a host to the event stream of an instance not holding
 * the host's lease; and after kill -9 of a host's holder, the time until another instance's stream carries
 * that host's changes again.
 */
async function acrossInstances(hosts: SimHost[], hostIds: string[], databaseUrl: string, cookie: string) {
  const holderOf = async (hostId: string): Promise<Instance> => {
    for (let i = 0; ; i++) {
      const holder = instanceOf(servers, await leaseHolder(databaseUrl, `host:${hostId}`));
      if (holder) return holder;
      if (i > 300) throw new Error(`no instance holds host:${hostId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const streams = new Map<Instance, SseClient>();
  const streamOn = async (i: Instance) => streams.get(i) ?? streams.set(i, await SseClient.open(i.url, cookie)).get(i)!;
  try {
    const times: number[] = [];
    for (const [h, hostId] of hostIds.entries()) {
      const holder = await holderOf(hostId);
      const events = await streamOn(servers.find((i) => i !== holder)!);
      for (const m of (await running(hosts[h])).slice(0, CROSS_SAMPLES)) {
        times.push(await crashToEvent(hosts[h], m.id, events));
        progress('change to SSE on an instance not holding the host', times.length, hostIds.length * CROSS_SAMPLES);
      }
    }

    // The host with the most running machines to crash as probes.
    const counts = await Promise.all(hosts.map(async (h) => (await running(h)).length));
    const h = counts.indexOf(Math.max(...counts));
    const holder = await holderOf(hostIds[h]);
    const events = await streamOn(servers.find((i) => i !== holder)!);
    const candidates = await running(hosts[h]);
    const crashed = new Set<string>();
    const fromHost = (e: SseEvent) => {
      const m = (e.data as { machine?: { id: string; state: string } }).machine;
      return e.type === 'machine' && !!m && crashed.has(m.id) && m.state === 'Aborted';
    };
    step(`lease takeover: kill -9 of instance ${holder.name}, holder of bench-${h + 1}; a machine of bench-${h + 1} crashed every ${PROBE_MS} ms`);
    const from = events.events.length;
    const t0 = performance.now();
    const killed = holder.kill();
    const probe = setInterval(() => {
      const m = candidates.shift();
      if (!m) return;
      crashed.add(m.id);
      void crash(hosts[h], m.id).catch(() => undefined);
    }, PROBE_MS);
    let leaseTakeoverMs: number | null = null;
    try {
      leaseTakeoverMs = Math.round((await events.next(`bench-${h + 1} live again on another instance`, fromHost, { from, timeoutMs: 60_000 })).at - t0);
    } catch (e) {
      step(`no takeover: ${(e as Error).message}`);
    } finally {
      clearInterval(probe);
      await killed;
    }
    return {
      crossInstanceSseMsMedian: Math.round(median(times)), crossInstanceSseMsP95: Math.round(quantile(times, 0.95)), crossInstanceSseAimMs: 300,
      leaseTakeoverMs, leaseTakeoverAimMs: 10_000,
    };
  } finally {
    for (const s of streams.values()) s.close();
  }
}

/** A cold inventory of a freshly started real vboxwebsrv holding REAL_VMS machines (made with VBoxManage, which leaves vboxwebsrv untouched). */
async function realCold() {
  const missing = websrvMissing();
  if (missing) {
    step(`no real vboxwebsrv: ${missing}`);
    return { skipped: missing };
  }
  step(`starting VirtualBox's own vboxwebsrv with ${REAL_VMS} machines`);
  const websrv = await startWebsrv();
  const db = await openDb(path.join(dataDir, 'real.sqlite'));
  const inventory = new Inventory(async () => db, { pollMs: 60_000, reconcileMs: 600_000, backoffMs: 500, maxBackoffMs: 5_000, timeoutMs: 120_000 });
  try {
    for (let i = 0; i < REAL_VMS; i++) {
      websrv.vboxManage('createvm', '--name', `bench-${i + 1}`, '--ostype', 'Debian_64', '--register');
      progress('VBoxManage createvm', i + 1, REAL_VMS);
    }
    const host = await createHost(db, { name: 'vbox-real', url: websrv.url, username: 'nimbox', password: 'any' });
    const t0 = performance.now();
    await inventory.start();
    while (inventory.machines().length < REAL_VMS || inventory.hosts().some((h) => h.health !== 'up')) {
      progress('cold scan (real vboxwebsrv)', inventory.machines().length, REAL_VMS);
      await new Promise((r) => setTimeout(r, 5));
    }
    const coldMs = performance.now() - t0;
    progress('cold scan (real vboxwebsrv)', REAL_VMS, REAL_VMS);
    const stats = inventory.transportStats(host.id)!;
    return {
      machines: REAL_VMS, coldFullInventoryMs: Math.round(coldMs),
      slowestCallMs: Math.round(stats.slowestMs), slowestCallAimMs: 1000,
      soapCallsPerMachine: Math.round((stats.calls / REAL_VMS) * 100) / 100, connectionsOpened: stats.opened,
    };
  } finally {
    await inventory.stop();
    await db.destroy();
    await websrv.stop();
  }
}

try {
  await main();
} finally {
  await stopInstances(servers);
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => fs.rmSync(dataDir, { recursive: true, force: true }), 500);
}
