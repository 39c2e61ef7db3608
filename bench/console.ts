// The console gateway under load: a VNC stream from vboxsim read three ways — straight
// over TCP, through Nimbox's gateway (WebSocket, ticket, server-side VNC login), and
// through websockify when it is installed (Debian's `websockify` package) — measuring
// throughput (full 640×480×32 frames, two requests in flight) and round-trip latency
// (a 1×1 update request and its answer), then 50 consoles at once through the gateway.
// Prints, as one JSON object on its last line, the figures and the added latency
// (gateway minus direct). Needs `npm run build` first.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ByteReader } from '../lib/console/rfb';
import { openDb } from '../lib/db';
import { createHost } from '../lib/db/hosts';
import { signIn, startServer } from '../scripts/stack';
import { progress, quantile, rssMB, startSimProcess } from './lib';

const { values } = parseArgs({
  options: { port: { type: 'string' }, consoles: { type: 'string' }, seconds: { type: 'string' }, pings: { type: 'string' }, rounds: { type: 'string' } },
});
const PORT = Number(values.port ?? 3602);
const CONSOLES = Number(values.consoles ?? 50); // 0: one console only
const SECONDS = Number(values.seconds ?? 2);
// The three paths take turns, ROUNDS times, so that a busy machine hurts each alike; medians are reported.
const ROUNDS = Number(values.rounds ?? 5);
const PINGS = Number(values.pings ?? 2000);
const ADMIN_PASSWORD = 'bench-admin-password';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-bench-console-'));
process.env.NIMBOX_DATA_DIR = dataDir;
const children: ChildProcess[] = [];

const step = (msg: string) => process.stderr.write(`bench:console ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (v: number, digits = 3) => Number(v.toFixed(digits));

/** One RFB session, whatever carries it: bytes in through a reader, bytes out through send. */
interface Conn {
  reader: ByteReader;
  send(b: Buffer): void;
  close(): void;
}

function tcpConn(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const reader = new ByteReader();
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve({ reader, send: (b) => void s.write(b), close: () => s.destroy() }));
    s.setNoDelay(true);
    s.on('data', (d: Buffer) => reader.push(d));
    s.on('error', reject);
    s.on('close', () => reader.fail(new Error('closed')));
  });
}

function wsConn(url: string, opts: WebSocket.ClientOptions, protocols?: string[]): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const reader = new ByteReader();
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...opts });
    ws.binaryType = 'nodebuffer';
    ws.on('message', (d: Buffer) => reader.push(d));
    ws.once('open', () => resolve({ reader, send: (b) => ws.send(b), close: () => ws.terminate() }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('close', () => reader.fail(new Error('closed')));
  });
}

/** The RFB handshake with security None (all three paths offer it), up to ServerInit. */
async function handshake(c: Conn): Promise<{ width: number; height: number }> {
  const version = (await c.reader.read(12)).toString();
  if (!version.startsWith('RFB 003.')) throw new Error(`not RFB: ${JSON.stringify(version)}`);
  c.send(Buffer.from('RFB 003.008\n'));
  const n = (await c.reader.read(1))[0];
  const types = [...(await c.reader.read(n))];
  if (!types.includes(1)) throw new Error(`security None not offered (${types})`);
  c.send(Buffer.from([1]));
  if ((await c.reader.read(4)).readUInt32BE(0) !== 0) throw new Error('security failed');
  c.send(Buffer.from([1]));
  const init = await c.reader.read(24);
  await c.reader.read(init.readUInt32BE(20));
  return { width: init.readUInt16BE(0), height: init.readUInt16BE(2) };
}

function updateRequest(w: number, h: number): Buffer {
  const b = Buffer.alloc(10);
  b[0] = 3;
  b.writeUInt16BE(w, 6);
  b.writeUInt16BE(h, 8);
  return b;
}

/** Reads one FramebufferUpdate of one Raw rectangle; returns its size in bytes. */
async function readUpdate(c: Conn): Promise<number> {
  const head = await c.reader.read(16);
  const bytes = head.readUInt16BE(8) * head.readUInt16BE(10) * 4;
  await c.reader.read(bytes);
  return 16 + bytes;
}

/** Round trips of a 1×1 update request; ms each. */
async function latency(c: Conn, count: number): Promise<number[]> {
  const times: number[] = [];
  const req = updateRequest(1, 1);
  for (let i = 0; i < count + 100; i++) {
    const t = performance.now();
    c.send(req);
    await readUpdate(c);
    if (i >= 100) times.push(performance.now() - t); // the first 100 warm up
  }
  return times;
}

/** Full frames for `seconds`, two requests in flight; bytes per second. */
async function throughput(c: Conn, w: number, h: number, seconds: number): Promise<number> {
  const req = updateRequest(w, h);
  c.send(req);
  c.send(req);
  let bytes = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    bytes += await readUpdate(c);
    c.send(req);
  }
  const elapsed = (performance.now() - t0) / 1000;
  // Drain the request still in flight so the connection stays usable.
  await readUpdate(c);
  return bytes / elapsed;
}

const MB = 1024 * 1024;

const median = (xs: number[]) => quantile(xs, 0.5);

/** Latency and throughput of each path on one console each, the paths taking turns. */
async function compare(paths: { name: string; open: () => Promise<Conn> }[]) {
  const conns = await Promise.all(paths.map(async (p) => {
    const c = await p.open();
    return { ...p, c, ...(await handshake(c)), times: [] as number[], rates: [] as number[] };
  }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const p of conns) p.times.push(...(await latency(p.c, Math.ceil(PINGS / ROUNDS))));
    for (const p of conns) p.rates.push(await throughput(p.c, p.width, p.height, SECONDS));
    progress(`${conns.map((p) => p.name).join(' / ')}: latency and throughput`, r + 1, ROUNDS);
  }
  conns.forEach((p) => p.c.close());
  return Object.fromEntries(conns.map((p) => [p.name, {
    throughputMBps: round(median(p.rates) / MB, 1),
    p50Ms: round(quantile(p.times, 0.5)),
    p99Ms: round(quantile(p.times, 0.99)),
  }]));
}

async function concurrent(name: string, opens: (() => Promise<Conn>)[]) {
  const conns = await Promise.all(opens.map(async (open) => {
    const c = await open();
    await handshake(c);
    return c;
  }));
  step(`${name}: ${conns.length} consoles open; latency and throughput at once`);
  const times = (await Promise.all(conns.map((c) => latency(c, 200)))).flat();
  const rates = await Promise.all(conns.map((c) => throughput(c, 640, 480, SECONDS)));
  return {
    conns,
    result: {
      consoles: conns.length,
      p50Ms: round(quantile(times, 0.5)),
      p99Ms: round(quantile(times, 0.99)),
      throughputMBps: round(rates.reduce((a, b) => a + b, 0) / MB, 1),
    },
  };
}

async function main() {
  step(`starting vboxsim: 1 host, ${Math.max(2, CONSOLES * 2)} machines (half running, each with a VNC screen)`);
  const sim = await startSimProcess(['--hosts', '1', '--vms', String(Math.max(2, CONSOLES * 2)), '--vrde-base', '35000']);
  children.push(sim.child);
  const db = await openDb(path.join(dataDir, 'nimbox.sqlite'));
  await createHost(db, { name: 'bench', url: sim.hosts[0].url, username: 'vbox', password: 'vbox', consoleAddress: '127.0.0.1' });
  await db.destroy();

  step('starting the Nimbox server (server.ts)');
  const { next: server, url } = await startServer({ dataDir, port: PORT, env: { NIMBOX_ADMIN_PASSWORD: ADMIN_PASSWORD }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(server);
  const cookie = await signIn(url, 'admin', ADMIN_PASSWORD);
  type Vms = { total: number; items: { id: string; name: string }[] };
  let running: Vms;
  for (;;) {
    running = (await (await fetch(`${url}/api/v1/vms?state=Running&pageSize=1000`, { headers: { cookie } })).json()) as Vms;
    if (running.total >= Math.max(1, CONSOLES)) break;
    await sleep(100);
  }
  const machines = running.items.slice(0, Math.max(1, CONSOLES));
  const vrdePort = async (id: string) =>
    ((await (await fetch(`${url}/api/v1/vms/${id}`, { headers: { cookie } })).json()) as { vrde: { activePort: number } }).vrde.activePort;
  const viaGateway = (id: string) => async () => {
    const r = await fetch(`${url}/api/v1/vms/${id}/console`, { method: 'POST', headers: { cookie } });
    if (!r.ok) throw new Error(`ticket: HTTP ${r.status}`);
    const t = (await r.json()) as { url: string };
    return wsConn(`ws://127.0.0.1:${PORT}${t.url}`, { headers: { cookie } });
  };

  const first = machines[0];
  const port = await vrdePort(first.id);
  step(`one console (${first.name}, VNC port ${port})`);
  const paths = [{ name: 'direct', open: () => tcpConn(port) }, { name: 'gateway', open: viaGateway(first.id) }];
  const haveWebsockify = spawnSync('sh', ['-c', 'command -v websockify'], { encoding: 'utf8' }).status === 0;
  let websockifyProcess: ChildProcess | null = null;
  if (haveWebsockify) {
    const wsPort = PORT + 1;
    websockifyProcess = spawn('websockify', [`127.0.0.1:${wsPort}`, `127.0.0.1:${port}`], { stdio: 'ignore' });
    children.push(websockifyProcess);
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((r) => {
        const s = net.connect(wsPort, '127.0.0.1', () => { s.destroy(); r(true); });
        s.on('error', () => r(false));
      });
      if (up) break;
      if (i > 100) throw new Error('websockify did not start');
      await sleep(100);
    }
    paths.push({ name: 'websockify', open: () => wsConn(`ws://127.0.0.1:${wsPort}/`, {}, ['binary']) });
  } else {
    step('websockify is not installed (apt-get install websockify): skipped');
  }
  const single = await compare(paths);
  websockifyProcess?.kill('SIGTERM');
  const { direct, gateway } = single;
  const websockify = single.websockify ?? null;

  let many: { direct: Awaited<ReturnType<typeof concurrent>>['result']; gateway: Awaited<ReturnType<typeof concurrent>>['result'] } | null = null;
  let serverRssMB = rssMB(server.pid!);
  if (CONSOLES > 0) {
    const ports = await Promise.all(machines.map((m) => vrdePort(m.id)));
    const directMany = await concurrent('direct', ports.map((p) => () => tcpConn(p)));
    directMany.conns.forEach((c) => c.close());
    const gatewayMany = await concurrent('gateway', machines.map((m) => viaGateway(m.id)));
    serverRssMB = rssMB(server.pid!);
    gatewayMany.conns.forEach((c) => c.close());
    many = { direct: directMany.result, gateway: gatewayMany.result };
  }

  const result = {
    frame: '640x480x32 Raw',
    direct,
    gateway: { ...gateway, addedP50Ms: round(gateway.p50Ms - direct.p50Ms), addedP99Ms: round(gateway.p99Ms - direct.p99Ms) },
    websockify: websockify && { ...websockify, addedP50Ms: round(websockify.p50Ms - direct.p50Ms), addedP99Ms: round(websockify.p99Ms - direct.p99Ms) },
    concurrent: many && {
      consoles: CONSOLES,
      direct: many.direct,
      gateway: { ...many.gateway, addedP50Ms: round(many.gateway.p50Ms - many.direct.p50Ms), addedP99Ms: round(many.gateway.p99Ms - many.direct.p99Ms) },
    },
    serverRssMB,
    aims: {
      throughputAtLeastWebsockify: websockify ? gateway.throughputMBps >= websockify.throughputMBps : null,
      addedP50UnderOneMs: gateway.p50Ms - direct.p50Ms < 1,
      consolesAtOnce: many ? many.gateway.consoles : 0,
    },
  };
  console.log(JSON.stringify(result));
}

const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
};
main()
  .then(async () => {
    cleanup();
    await sleep(300);
    process.exit(0);
  })
  .catch((e) => {
    console.error(e);
    cleanup();
    process.exit(1);
  });
