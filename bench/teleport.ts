// Teleporting: Nimbox's own overhead per teleport, and a drain of ten machines.
//
// vboxsim runs in its own process (three hosts, twenty demo machines each, half running, disks on
// the shared storage); lib/teleport runs in this one, with the live inventory and the task framework,
// as the server runs them. Each teleport is measured from the request (the preflight included) to
// the end of its task; vboxsim's part is the transfer itself: IConsole::teleport called → its
// IProgress completed. Nimbox's overhead is the rest (registering the twin, its teleporter, launching
// it and waiting for it to listen, confirming, cleaning up). Prints one JSON object as its last line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { progress, quantile, startSimProcess } from './lib';

const { values } = parseArgs({ options: { teleports: { type: 'string' }, latency: { type: 'string' } } });
const TELEPORTS = Number(values.teleports ?? 10);
const LATENCY = Number(values.latency ?? 0);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-bench-teleport-'));
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-bench-storage-'));
process.env.NIMBOX_DATA_DIR = dataDir;

function step(msg: string) { process.stderr.write(`bench:teleport ${msg}\n`); }
const round = (n: number) => Math.round(n * 10) / 10;

async function main() {
  step('starting vboxsim: 3 hosts × 20 machines (10 running each)');
  const sim = await startSimProcess(['--hosts', '3', '--vms', '20', '--control', '--vrde-base', '33000', '--storage', storageDir, '--latency', String(LATENCY)]);
  try {
    // Imported after NIMBOX_DATA_DIR is set: the database opens there.
    const { getDb } = await import('../lib/db');
    const { createHost, listHosts } = await import('../lib/db/hosts');
    const { getInventory } = await import('../lib/cluster/inventory');
    const { waitForTask } = await import('../lib/tasks');
    const { onTeleportTimings, setMaintenance, startDrain, startTeleport, stopTeleportJanitor } = await import('../lib/teleport');
    type Timings = Parameters<Parameters<typeof onTeleportTimings>[0]>[0];

    const db = await getDb();
    for (const [i, h] of sim.hosts.entries()) {
      await createHost(db, {
        name: `bench-${i + 1}`, url: h.url, username: 'vbox', password: 'vbox', storagePath: storageDir, teleportAddress: '127.0.0.1',
        vrdePorts: `${33000 + 1000 * i}-${33000 + 1000 * i + 999}`, teleportPorts: `${33000 + 1000 * i + 900}-${33000 + 1000 * i + 999}`,
      });
    }
    const hosts = await listHosts(db);
    const inv = getInventory();
    await inv.start();
    while (inv.machines().length < 60 || inv.hosts().some((h) => h.health !== 'up')) await new Promise((r) => setTimeout(r, 20));
    const user = { id: 'bench', username: 'bench' };
    const timings = new Map<string, Timings>();
    onTeleportTimings((t) => timings.set(t.taskId, t));

    // One teleport at a time, back and forth between the second and the third host.
    const [, b, c] = hosts;
    const movers = inv.machines().filter((m) => m.hostId === b.id && m.state === 'Running').slice(0, Math.ceil(TELEPORTS / 2));
    const runs: { wallMs: number; transferMs: number; overheadMs: number; phases: Timings['phases'] }[] = [];
    for (let i = 0; i < TELEPORTS; i++) {
      const m = movers[i % movers.length];
      const from = inv.machine(m.id)!.hostId;
      const to = from === b.id ? c : b;
      const t0 = performance.now();
      const { task } = await startTeleport({ machineId: m.id, targetHostId: to.id }, user);
      const done = await waitForTask(task.id, 60_000);
      const wallMs = performance.now() - t0;
      if (done.status !== 'succeeded') throw new Error(`teleport of ${m.name} failed: ${done.error?.detail}`);
      const t = timings.get(task.id)!;
      runs.push({ wallMs, transferMs: t.transferMs, overheadMs: wallMs - t.transferMs, phases: t.phases });
      progress('teleports', i + 1, TELEPORTS);
      // The inventory catches up with the move before the next one is asked for.
      while (inv.machine(m.id)?.hostId !== to.id) await new Promise((r) => setTimeout(r, 5));
    }

    // A drain of the ten machines running on the first host.
    const a = hosts[0];
    const running = inv.machines().filter((m) => m.hostId === a.id && m.state === 'Running').length;
    step(`draining ${a.name}: ${running} running machines`);
    await setMaintenance(a.id, true);
    const t0 = performance.now();
    const drain = await startDrain(a.id, user);
    const drained = await waitForTask(drain.id, 300_000);
    const drainMs = performance.now() - t0;
    if (drained.status !== 'succeeded') throw new Error(`the drain failed: ${drained.error?.detail}`);
    progress('drain', 1, 1);

    stopTeleportJanitor();
    await inv.stop();
    await db.destroy();
    const med = (k: 'wallMs' | 'transferMs' | 'overheadMs') => round(quantile(runs.map((r) => r[k]), 0.5));
    const phase = (k: keyof Timings['phases']) => round(quantile(runs.map((r) => r.phases[k]), 0.5));
    console.log(JSON.stringify({
      benchmark: 'teleport', teleports: runs.length, latencyMs: LATENCY,
      overheadMsMedian: med('overheadMs'), overheadMsP90: round(quantile(runs.map((r) => r.overheadMs), 0.9)), overheadAimMs: 300,
      transferMsMedian: med('transferMs'), teleportMsMedian: med('wallMs'),
      phasesMsMedian: { prepare: phase('prepareMs'), launch: phase('launchMs'), confirm: phase('confirmMs'), cleanup: phase('cleanupMs') },
      drainMachines: running, drainTotalMs: Math.round(drainMs),
    }));
  } finally {
    sim.child.kill('SIGTERM');
  }
}

try {
  await main();
} finally {
  setTimeout(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(storageDir, { recursive: true, force: true });
    process.exit(process.exitCode ?? 0);
  }, 500);
}
