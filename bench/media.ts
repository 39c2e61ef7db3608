// The media manager's list at scale: H simulated hosts × M media each (disks of their own, and
// ISO images of a shared library every host has registered), read into one view of every medium
// (lib/media/inventory listMedia, merged and filtered as GET /api/v1/media does for an admin).
// The media are pre-registered through vboxsim's SimHost API in this process (as its demo machines
// are), then that sim stops and vboxsim runs again from the same state folder in its own process,
// so that its SOAP work is not counted as the measured code's. Prints, as one JSON object on its last
// line: the cold list (first request: every host's registry read), the warm list (from the
// per-host cache) and whether both met their aims.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { progress, quantile, startSimProcess } from './lib';

const { values } = parseArgs({ options: { hosts: { type: 'string' }, media: { type: 'string' }, isos: { type: 'string' }, 'no-real': { type: 'boolean' } } });
const HOSTS = Number(values.hosts ?? 4);
const MEDIA = Number(values.media ?? 500);
const ISOS = Math.min(MEDIA, Number(values.isos ?? 50));
const COLD_AIM_MS = 1000;
const WARM_AIM_MS = 30;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-bench-media-'));
process.env.NIMBOX_DATA_DIR = dataDir;

function step(msg: string) { process.stderr.write(`bench:media ${msg}\n`); }

/**
 * The same read of one host against VirtualBox's own vboxwebsrv (../shared/vbox-7.1), when it runs
 * here: MEDIA media registered on it (disks made through the API, ISO images opened), then one host's
 * registry read cold by a new client, as lib/media/inventory reads each host. An extra figure: one
 * real host, where the aim is about four.
 */
async function realWebsrvFigure(): Promise<Record<string, unknown>> {
  const { startWebsrv, websrvMissing } = await import('../lib/vbox/websrv-harness');
  const { VBoxClient } = await import('../lib/vbox/client');
  const { readHostMedia } = await import('../lib/media/inventory');
  const missing = websrvMissing();
  if (missing) return { skipped: missing };
  const websrv = await startWebsrv();
  const clients: InstanceType<typeof VBoxClient>[] = [];
  try {
    const dir = path.join(websrv.home, 'media');
    fs.mkdirSync(dir, { recursive: true });
    step(`real vboxwebsrv: registering ${MEDIA} media`);
    const setup = new VBoxClient({ url: websrv.url, username: 'vbox', password: 'vbox', maxConnections: 16 });
    clients.push(setup);
    let done = 0;
    const work = Array.from({ length: MEDIA }, (_, i) => i);
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = work.shift(); i !== undefined; i = work.shift()) {
        await setup.write(async (vbox) => {
          if (i < ISOS) {
            const iso = path.join(dir, `image-${i}.iso`);
            fs.writeFileSync(iso, Buffer.alloc(64 * 1024));
            await vbox.openMedium(iso, 'DVD', 'ReadOnly', false);
          } else {
            const m = await vbox.createMedium('VDI', path.join(dir, `disk-${i}.vdi`), 'ReadWrite', 'HardDisk');
            await (await m.createBaseStorage(8 * 1024 ** 3, ['Standard'])).wait({ intervalMs: 20 });
          }
        }, { release: true });
        progress('real vboxwebsrv media', ++done, MEDIA);
      }
    }));
    const client = new VBoxClient({ url: websrv.url, username: 'vbox', password: 'vbox', maxConnections: 16 });
    clients.push(client);
    await client.logon();
    client.transport.resetStats();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const rows = await readHostMedia(client);
    const coldMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const calls = client.transport.stats().calls;
    if (rows.length !== MEDIA) throw new Error(`real vboxwebsrv: expected ${MEDIA} media, read ${rows.length}`);
    return { hosts: 1, mediaPerHost: MEDIA, coldListMs: Math.round(coldMs), nimboxCpuMs: Math.round((cpu.user + cpu.system) / 1000), calls, callsPerMedium: Math.round((calls / MEDIA) * 100) / 100 };
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    await websrv.stop();
  }
}

async function main() {
  const { startSim } = await import('../sim/index');
  const { Medium } = await import('../sim/model/medium');
  const { getDb } = await import('../lib/db');
  const { createHost } = await import('../lib/db/hosts');
  const { getInventory } = await import('../lib/cluster/inventory');
  const { listMedia, visibleMedia, clearMediaCache } = await import('../lib/media/inventory');

  step(`starting vboxsim: ${HOSTS} hosts × ${MEDIA} media (${ISOS} of them shared ISO images)`);
  const stateDir = path.join(dataDir, 'sim');
  const sim = await startSim({ hosts: HOSTS, port: 0, vms: 0, stateDir });
  let child: Awaited<ReturnType<typeof startSimProcess>> | undefined;
  try {
    // The shared ISO library: one file each, registered on every host (each gives it its own UUID).
    const isoDir = path.join(sim.storageDir, 'iso');
    fs.mkdirSync(isoDir, { recursive: true });
    for (let i = 0; i < ISOS; i++) fs.writeFileSync(path.join(isoDir, `image-${i}.iso`), Buffer.alloc(2048));
    for (const [hi, h] of sim.hosts.entries()) {
      for (let i = 0; i < ISOS; i++) h.sim.openMedium(path.join(isoDir, `image-${i}.iso`), 'DVD');
      for (let i = 0; i < MEDIA - ISOS; i++) {
        const m = new Medium(h.sim, {
          id: randomUUID(), location: path.join(sim.storageDir, h.sim.name, `disk-${i}.vdi`), format: 'VDI', deviceType: 'HardDisk',
          logicalSize: 8 * 1024 ** 3, description: '', variant: ['Standard'],
        }, true);
        m.writeImage();
        h.sim.registerMedium(m);
      }
      progress('registering media', hi + 1, HOSTS);
    }
    const storageDir = sim.storageDir;
    await sim.stop();
    child = await startSimProcess(['--hosts', String(HOSTS), '--vms', '0', '--state-dir', stateDir]);
    const db = await getDb();
    for (const [i, h] of child.hosts.entries()) await createHost(db, { name: `bench-${i + 1}`, url: h.url, username: 'vbox', password: 'vbox', storagePath: storageDir });
    const inventory = getInventory();
    await inventory.start();
    while (inventory.hosts().length < HOSTS || inventory.hosts().some((h) => h.health !== 'up')) await new Promise((r) => setTimeout(r, 10));

    const admin = { role: 'admin' as const, tenant: null };
    const view = async () => {
      const { rows, hosts } = await listMedia(inventory);
      return visibleMedia(rows, admin, hosts, inventory, () => true);
    };
    const expected = HOSTS * (MEDIA - ISOS) + ISOS;
    clearMediaCache();
    // CPU time of this process and of vboxsim's during the cold list: where its time goes.
    const simCpuMs = () => {
      const f = fs.readFileSync(`/proc/${child!.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) * 10;
    };
    // SOAP calls of the cold list (per medium: every fact is one call; the host monitors' own polls are counted too).
    const transports = inventory.hosts().map((h) => inventory.monitor(h.id)!.client.transport);
    for (const t of transports) t.resetStats();
    const cpu0 = process.cpuUsage();
    const sim0 = simCpuMs();
    const t0 = performance.now();
    const cold = await view();
    const coldMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const coldCpu = { nimboxMs: Math.round((cpu.user + cpu.system) / 1000), vboxsimMs: simCpuMs() - sim0 };
    const coldCalls = transports.reduce((n, t) => n + t.stats().calls, 0);
    if (cold.length !== expected) throw new Error(`expected ${expected} rows, got ${cold.length}`);
    const warm: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await view();
      warm.push(performance.now() - t);
      progress('warm list', i + 1, 50);
    }
    await inventory.stop();
    child.child.kill('SIGTERM');
    const real = values['no-real'] ? { skipped: '--no-real' } : await realWebsrvFigure().catch((e: unknown) => ({ failed: (e as Error).message }));
    const warmMs = quantile(warm, 0.5);
    console.log(JSON.stringify({
      benchmark: 'media', hosts: HOSTS, mediaPerHost: MEDIA, rows: cold.length,
      coldListMs: Math.round(coldMs), coldAimMs: COLD_AIM_MS, coldCpu, coldCalls, callsPerMedium: Math.round((coldCalls / (HOSTS * MEDIA)) * 100) / 100,
      warmListMsMedian: Math.round(warmMs * 10) / 10, warmListMsP95: Math.round(quantile(warm, 0.95) * 10) / 10, warmAimMs: WARM_AIM_MS,
      met: coldMs <= COLD_AIM_MS && warmMs <= WARM_AIM_MS,
      realVboxwebsrv: real,
    }));
  } finally {
    child?.child.kill('SIGTERM');
    await sim.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
