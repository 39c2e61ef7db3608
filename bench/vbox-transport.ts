// node-soap against lib/vbox's lean transport, on the same calls to the same vboxsim host:
// client construction time (node-soap from the official 7.1 WSDL), RSS growth, and per-call latency
// for IVirtualBox_getVersion, sequential and 16 concurrent. vboxsim runs in its own process and each
// client in a fresh process of its own, so that neither measures the other. Then lib/vbox against
// VirtualBox's own vboxwebsrv (../shared/vbox-7.1), freshly started: 16 workers at once from the
// first call on, where a burst of new keep-alive connections would wait up to a minute for worker
// threads. Progress on stderr; the last line of stdout is one JSON object.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWebsrv, websrvMissing } from '../lib/vbox/websrv-harness';
import { progress, quantile, ROOT, startSimProcess } from './lib';

const WSDL = path.resolve(ROOT, '../shared/reference/vboxwebService-7.1.wsdl');
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2000);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 8000);
const WORKERS = 16;
const WARMUP = 300;
const REAL_CALLS = Number(process.env.BENCH_REAL ?? 4000);

type Variant = 'soap' | 'lean';

interface VariantResult {
  variant: Variant;
  importMs: number;
  constructMs: number;
  rssBaseMB: number;
  rssAfterConstructMB: number;
  rssAfterCallsMB: number;
  sequential: { calls: number; p50Ms: number; p99Ms: number; meanMs: number; callsPerSec: number };
  concurrent16: { calls: number; p50Ms: number; p99Ms: number; callsPerSec: number };
}


const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
const round = (n: number) => Math.round(n * 1000) / 1000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One client variant, run in this (fresh) process. */
async function runVariant(variant: Variant, url: string): Promise<VariantResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBase = process.memoryUsage().rss;
  let logon: () => Promise<string>;
  let getVersion: (vbox: string) => Promise<string>;
  const t0 = performance.now();
  let tImported: number;
  if (variant === 'soap') {
    const { createClientAsync } = await import('soap');
    tImported = performance.now();
    const client = (await createClientAsync(WSDL, { endpoint: url })) as unknown as Record<string, (args: object) => Promise<[{ returnval: string }]>>;
    logon = async () => (await client.IWebsessionManager_logonAsync({ username: 'vbox', password: 'vbox' }))[0].returnval;
    getVersion = async (vbox) => (await client.IVirtualBox_getVersionAsync({ _this: vbox }))[0].returnval;
  } else {
    const { Transport } = await import('../lib/vbox/transport');
    tImported = performance.now();
    const t = new Transport({ url, maxConnections: WORKERS });
    logon = async () => String((await t.call('IWebsessionManager_logon', { username: 'vbox', password: 'vbox' })).returnval);
    getVersion = async (vbox) => String((await t.call('IVirtualBox_getVersion', { _this: vbox })).returnval);
  }
  const tConstructed = performance.now();
  gc?.();
  const rssAfterConstruct = process.memoryUsage().rss;

  const vbox = await logon();
  for (let i = 0; i < WARMUP; i++) {
    if ((await getVersion(vbox)) !== '7.1.4' && i === 0) throw new Error('unexpected version');
  }

  const seq: number[] = [];
  const seqStart = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const s = performance.now();
    await getVersion(vbox);
    seq.push(performance.now() - s);
    if (i % 200 === 0) progress(`${variant} sequential`, i, SEQUENTIAL);
  }
  const seqTotal = performance.now() - seqStart;
  progress(`${variant} sequential`, 1, 1);
  seq.sort((a, b) => a - b);

  const conc: number[] = [];
  let issued = 0;
  const concStart = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, async () => {
    while (issued < CONCURRENT) {
      issued++;
      const s = performance.now();
      await getVersion(vbox);
      conc.push(performance.now() - s);
      if (conc.length % 500 === 0 && conc.length < CONCURRENT) progress(`${variant} 16 concurrent`, conc.length, CONCURRENT);
    }
  }));
  const concTotal = performance.now() - concStart;
  progress(`${variant} 16 concurrent`, 1, 1);
  conc.sort((a, b) => a - b);
  gc?.();
  const rssAfterCalls = process.memoryUsage().rss;

  return {
    variant,
    importMs: round(tImported - t0),
    constructMs: round(tConstructed - tImported),
    rssBaseMB: mb(rssBase),
    rssAfterConstructMB: mb(rssAfterConstruct),
    rssAfterCallsMB: mb(rssAfterCalls),
    sequential: {
      calls: SEQUENTIAL, p50Ms: round(percentile(seq, 50)), p99Ms: round(percentile(seq, 99)),
      meanMs: round(seqTotal / SEQUENTIAL), callsPerSec: Math.round(SEQUENTIAL / (seqTotal / 1000)),
    },
    concurrent16: {
      calls: conc.length, p50Ms: round(percentile(conc, 50)), p99Ms: round(percentile(conc, 99)),
      callsPerSec: Math.round(conc.length / (concTotal / 1000)),
    },
  };
}


/** lib/vbox on a cold real vboxwebsrv: WORKERS calls at once from the logon on; the slowest call must stay under a second. */
async function runReal() {
  const missing = websrvMissing();
  if (missing) {
    process.stderr.write(`no real vboxwebsrv: ${missing}\n`);
    return { skipped: missing };
  }
  process.stderr.write("starting VirtualBox's own vboxwebsrv (fresh)\n");
  const websrv = await startWebsrv();
  // Imported here: the 'lean' variant's process measures the import of this module.
  const { Transport } = await import('../lib/vbox/transport');
  const t = new Transport({ url: websrv.url, maxConnections: WORKERS });
  try {
    const start = performance.now();
    const vbox = String((await t.call('IWebsessionManager_logon', { username: 'bench', password: 'any' })).returnval);
    const times: number[] = [];
    let issued = 0;
    await Promise.all(Array.from({ length: WORKERS }, async () => {
      while (issued < REAL_CALLS) {
        issued++;
        const s = performance.now();
        await t.call('IVirtualBox_getVersion', { _this: vbox });
        times.push(performance.now() - s);
        if (times.length % 250 === 0) progress('real vboxwebsrv, 16 concurrent from cold', times.length, REAL_CALLS);
      }
    }));
    const total = performance.now() - start;
    progress('real vboxwebsrv, 16 concurrent from cold', 1, 1);
    const stats = t.stats();
    return {
      calls: times.length, p50Ms: round(quantile(times, 0.5)), p99Ms: round(quantile(times, 0.99)),
      slowestMs: round(stats.slowestMs), slowestAimMs: 1000, callsPerSec: Math.round(times.length / (total / 1000)), connectionsOpened: stats.opened,
    };
  } finally {
    t.close();
    await websrv.stop();
  }
}

/** Runs one variant in a fresh Node process and returns its result (its last stdout line). */
function spawnVariant(variant: Variant, url: string): Promise<VariantResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/vbox-transport.ts', '--variant', variant, url], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${variant} run failed (exit ${code})`));
      else resolve(JSON.parse(last) as VariantResult);
    });
  });
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--variant');
  if (i >= 0) {
    const result = await runVariant(process.argv[i + 1] as Variant, process.argv[i + 2]);
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  if (!fs.existsSync(WSDL)) {
    process.stderr.write(`${WSDL} not found: the node-soap client is built from the official WSDL\n`);
    process.exit(1);
  }
  process.stderr.write('starting vboxsim (1 host, own process)\n');
  const { child, hosts: [{ url }] } = await startSimProcess(['--hosts', '1', '--vms', '0']);
  try {
    const soap = await spawnVariant('soap', url);
    const lean = await spawnVariant('lean', url);
    const real = await runReal();
    const summary = {
      bench: 'vbox-transport',
      node: process.version,
      cpu: os.cpus()[0]?.model,
      soap,
      lean,
      ratio: {
        constructMs: round(soap.constructMs / Math.max(lean.constructMs, 0.001)),
        rssGrowthMB: {
          soap: round(soap.rssAfterCallsMB - soap.rssBaseMB),
          lean: round(lean.rssAfterCallsMB - lean.rssBaseMB),
        },
        sequentialP50: round(soap.sequential.p50Ms / lean.sequential.p50Ms),
        concurrentThroughput: round(lean.concurrent16.callsPerSec / soap.concurrent16.callsPerSec),
      },
      real,
    };
    process.stdout.write(JSON.stringify(summary) + '\n');
  } finally {
    child.kill();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
