// GET /metrics at scale, and the load history's write cost. H simulated hosts × V machines (vboxsim in
// its own process) watched by this process's live inventory; then:
// - the scrape: what GET /metrics does once the caller is known (lib/metrics/prometheus scrape(): the
//   scrape-time gauges set from the inventory's memory and the registry rendered, into the Response it
//   sends), N times: median and p95, aim ≤ 100 ms. (The route module itself cannot load outside Next or
//   Vitest: next-auth's providers need a bundler's CommonJS interop. Its own work beyond this is one
//   constant-time token compare.)
// - the history: writeSamples (lib/metrics/history) with one tick of H hosts + all machines as running,
//   into a new SQLite file, one tick every 5 s of simulated time: median and slowest (a tick that rolls
//   a minute up). Progress on stderr; one JSON object as the last stdout line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { progress, quantile, startSimProcess } from './lib';

const { values } = parseArgs({ options: { hosts: { type: 'string' }, vms: { type: 'string' }, scrapes: { type: 'string' }, ticks: { type: 'string' } } });
const HOSTS = Number(values.hosts ?? 4);
const VMS = Number(values.vms ?? 250);
const SCRAPES = Number(values.scrapes ?? 50);
const TICKS = Number(values.ticks ?? 24);
const AIM_MS = 100;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-bench-metrics-'));
process.env.NIMBOX_DATA_DIR = dataDir;
const step = (msg: string) => process.stderr.write(`bench:metrics ${msg}\n`);
const round = (ms: number) => Math.round(ms * 10) / 10;

async function main() {
  step(`starting vboxsim: ${HOSTS} hosts × ${VMS} machines`);
  const sim = await startSimProcess(['--hosts', String(HOSTS), '--vms', String(VMS), '--vrde-base', '31000']);
  const { getDb, openDb } = await import('../lib/db');
  const { createHost } = await import('../lib/db/hosts');
  const { getInventory } = await import('../lib/cluster/inventory');
  const { scrape } = await import('../lib/metrics/prometheus');
  const { writeSamples } = await import('../lib/metrics/history');
  const inventory = getInventory();
  try {
    const db = await getDb();
    for (const [i, h] of sim.hosts.entries()) await createHost(db, { name: `bench-${i + 1}`, url: h.url, username: 'vbox', password: 'vbox' });
    const total = HOSTS * VMS;
    await inventory.start();
    while (inventory.machines().length < total || inventory.hosts().some((h) => h.health !== 'up' || h.memoryMB === null)) {
      progress('inventory', inventory.machines().length, total);
      await new Promise((r) => setTimeout(r, 50));
    }
    progress('inventory', total, total);

    // The scrape, as the route answers it.
    const once = async () => {
      const { contentType, body } = await scrape(inventory);
      return new Response(body, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } }).text();
    };
    const first = await once();
    const series = first.split('\n').filter((l) => l && !l.startsWith('#')).length;
    const machineSeries = first.split('\n').filter((l) => l.startsWith('nimbox_machine_state{')).length;
    if (machineSeries !== total) throw new Error(`expected ${total} machines in /metrics, got ${machineSeries}`);
    const times: number[] = [];
    for (let i = 0; i < SCRAPES; i++) {
      const t = performance.now();
      await once();
      times.push(performance.now() - t);
      progress('scrape', i + 1, SCRAPES);
    }

    // The history: one tick of every host and machine (all counted as running), 5 s of simulated time apart.
    const historyDb = await openDb(path.join(dataDir, 'history.sqlite'));
    const ids = inventory.machines().map((m) => m.id);
    const hostIds = inventory.hosts().map((h) => h.id);
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 30_000;
    const ticks: number[] = [];
    for (let i = 0; i < TICKS; i++) {
      const samples = [
        ...hostIds.map((id) => ({ kind: 'host' as const, id, cpu: 20 + (i % 7), memUsedMB: 40_000 + i, memTotalMB: 65_536, netRxBps: 1e6, netTxBps: 5e5, diskUtil: 12 })),
        ...ids.map((id, j) => ({ kind: 'vm' as const, id, cpu: (j + i) % 100, memUsedMB: 512 + (j % 4) * 512, memTotalMB: 2048, netRxBps: 1e4, netTxBps: 2e4 })),
      ];
      const t = performance.now();
      await writeSamples(historyDb, samples, new Date(start + i * 5_000));
      ticks.push(performance.now() - t);
      progress('history ticks', i + 1, TICKS);
    }
    const rows = Number((await historyDb.selectFrom('metric_samples').select(historyDb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    await historyDb.destroy();

    const median = quantile(times, 0.5);
    console.log(JSON.stringify({
      benchmark: 'metrics', hosts: HOSTS, machinesPerHost: VMS, machines: total,
      scrapes: SCRAPES, series, bytes: Buffer.byteLength(first),
      scrapeMsMedian: round(median), scrapeMsP95: round(quantile(times, 0.95)), aimMs: AIM_MS, met: median <= AIM_MS,
      history: {
        ticks: TICKS, rowsPerTick: hostIds.length + ids.length, rowsAfter: rows,
        writeMsMedian: round(quantile(ticks, 0.5)), writeMsMax: round(Math.max(...ticks)),
      },
    }));
  } finally {
    await inventory.stop();
    sim.child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
