// The live inventory at scale: H simulated hosts × V machines with MS of added latency
// per SOAP call. Prints, as one JSON object on its last line: the cold full-inventory
// time and SOAP calls per machine (the inventory in this process; at Nimbox's first start, and
// at a restart, when each machine's tenant comes from the database), then, through a
// running Nimbox server, the warm GET /api/v1/vms time, the time from a state change on
// a host to its server-sent event, and the server's RSS. Then the cold inventory of VirtualBox's
// own vboxwebsrv (../shared/vbox-7.1), freshly started with --real-vms machines: its time, and
// the slowest SOAP call (a vboxwebsrv met with a burst of new connections stalls for a minute).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDb } from '../lib/db';
import { createHost } from '../lib/db/hosts';
import { Inventory } from '../lib/cluster/inventory';
import { startWebsrv, websrvMissing } from '../lib/vbox/websrv-harness';
import { signIn } from '../scripts/stack';
import { progress, quantile, ROOT, rssMB, startSimProcess } from './lib';

const { values } = parseArgs({ options: { hosts: { type: 'string' }, vms: { type: 'string' }, latency: { type: 'string' }, port: { type: 'string' }, 'real-vms': { type: 'string' } } });
const HOSTS = Number(values.hosts ?? 4);
const VMS = Number(values.vms ?? 250);
const LATENCY = Number(values.latency ?? 1);
const PORT = Number(values.port ?? 3601);
const REAL_VMS = Number(values['real-vms'] ?? 100);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-bench-inv-'));
process.env.NIMBOX_DATA_DIR = dataDir;
const children: ChildProcess[] = [];
const ADMIN_PASSWORD = 'bench-admin-password';

function step(msg: string) { process.stderr.write(`bench:inventory ${msg}\n`); }
const median = (xs: number[]) => quantile(xs, 0.5);

const soapCalls = async (hosts: { control?: string }[]) =>
  (await Promise.all(hosts.map(async (h) => (await (await fetch(`${h.control}/status`)).json()).soapCalls as number))).reduce((a, b) => a + b, 0);

async function main() {
  step(`starting vboxsim: ${HOSTS} hosts × ${VMS} machines, ${LATENCY} ms per call`);
  const sim = await startSimProcess(['--hosts', String(HOSTS), '--vms', String(VMS), '--latency', String(LATENCY), '--control', '--vrde-base', '30000']);
  children.push(sim.child);
  const db = await openDb(path.join(dataDir, 'nimbox.sqlite'));
  for (const [i, h] of sim.hosts.entries()) await createHost(db, { name: `bench-${i + 1}`, url: h.url, username: 'vbox', password: 'vbox' });

  // Cold: a new inventory scans every host, first with an empty database (Nimbox's first start: each
  // machine's tenant is read from its extradata), then again as after a restart (tenants from the database).
  const total = HOSTS * VMS;
  const coldScan = async (label: string) => {
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

  step('starting the Nimbox server');
  const next = spawn(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-p', String(PORT), '-H', '127.0.0.1'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NIMBOX_DATA_DIR: dataDir, NIMBOX_ADMIN_PASSWORD: ADMIN_PASSWORD, NEXT_TELEMETRY_DISABLED: '1' },
  });
  children.push(next);
  const url = `http://127.0.0.1:${PORT}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/api/v1/health`)).ok) break; } catch { /* starting */ }
    if (i > 600) throw new Error('the Nimbox server did not start (is it built? npm run build)');
    await new Promise((r) => setTimeout(r, 100));
  }
  const cookie = await signIn(url, 'admin', ADMIN_PASSWORD);
  const list = async () => (await (await fetch(`${url}/api/v1/vms?pageSize=100`, { headers: { Cookie: cookie } })).json()) as { total: number };
  while ((await list()).total < total) await new Promise((r) => setTimeout(r, 100));

  // Warm list: served from the inventory's memory.
  const listTimes: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await list();
    listTimes.push(performance.now() - t);
    progress('warm list', i + 1, 50);
  }

  // Change to SSE: crash a running machine on a host and wait for its event.
  const res = await fetch(`${url}/api/v1/events`, { headers: { Cookie: cookie } });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const sseTimes: number[] = [];
  const status = await (await fetch(`${sim.hosts[0].control}/status`)).json() as { machines: { name: string; state: string; id: string }[] };
  const victims = status.machines.filter((m) => m.state === 'Running').slice(0, 5);
  for (const [i, m] of victims.entries()) {
    const t = performance.now();
    await fetch(`${sim.hosts[0].control}/machines/${m.id}/crash`, { method: 'POST' });
    for (;;) {
      if (buffer.split('\n').some((line) => line.includes(`"id":"${m.id}"`) && line.includes('"state":"Aborted"'))) break;
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended');
      buffer += decoder.decode(value);
    }
    sseTimes.push(performance.now() - t);
    buffer = '';
    progress('change to SSE', i + 1, victims.length);
  }
  await reader.cancel();
  const rss = rssMB(next.pid!);
  const realHost = await realCold();

  console.log(JSON.stringify({
    benchmark: 'inventory', hosts: HOSTS, machinesPerHost: VMS, latencyMs: LATENCY,
    coldFullInventoryMs: Math.round(coldMs), coldAimMs: 1500,
    soapCallsPerMachine: Math.round(callsPerMachine * 100) / 100, callsAim: 6,
    firstStart: { coldFullInventoryMs: Math.round(first.ms), soapCallsPerMachine: Math.round(first.callsPerMachine * 100) / 100 },
    warmListMsMedian: Math.round(median(listTimes) * 10) / 10, warmListAimMs: 30,
    changeToSseMsMedian: Math.round(median(sseTimes)), changeToSseAimMs: 300,
    serverRssMB: rss, rssAimMB: 250,
    realHost,
  }));
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
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => fs.rmSync(dataDir, { recursive: true, force: true }), 500);
}
