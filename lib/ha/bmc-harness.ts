/*
 * Test harness (not used by the app): a real BMC for fencing tests. OpenIPMI's ipmi_sim (Debian
 * package openipmi) serves IPMI 2.0 (RMCP+, what `ipmitool -I lanplus` speaks) on a free UDP port of
 * 127.0.0.1, with one admin user, from its own temporary folder.
 *
 * Its chassis power is a small process, lib/ha/bmc-power-link.mjs, run as ipmi_sim's `startcmd`: ipmi_sim
 * reports the chassis on exactly while that process lives. The process POSTs `/power/on` to a control
 * endpoint when it starts and `/power/off` when ipmi_sim's power off ends it, so `chassis power off`
 * really takes a vboxsim host's power away (sim/control.ts) and `chassis power on` brings it back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@/lib/vbox/websrv-harness';
import { onPath } from './fence';

/** What the BMC's chassis power drives: a control endpoint (vboxsim's, `--control`) or two callbacks. */
export type BmcTarget =
  | { controlUrl: string }
  | { powerOn: () => Promise<void>; powerOff: () => Promise<void> };

export interface BmcOptions {
  /** The admin user (default "admin"). */
  username?: string;
  /** Its password (default: 16 random hex digits; IPMI allows at most 20 bytes). */
  password?: string;
  /** Whether the chassis is on when the BMC starts (default true: ipmi_sim's `startnow`). */
  poweredOn?: boolean;
}

export interface Bmc {
  address: '127.0.0.1';
  /** The BMC's UDP port (RMCP / RMCP+). */
  port: number;
  username: string;
  password: string;
  /** Its temporary folder (lan.conf, the emulator commands, ipmi_sim's state, the link's pid file). */
  dir: string;
  /** Stops ipmi_sim and the power link (leaving the host's power as it is) and removes the folder. */
  stop(): Promise<void>;
}

const LINK = fileURLToPath(new URL('./bmc-power-link.mjs', import.meta.url));

/** Why the real BMC simulator cannot run here, or null when it can. */
export function bmcMissing(): string | null {
  const absent = ['ipmi_sim', 'ipmitool'].filter((n) => !onPath(n));
  if (absent.length === 0) return null;
  const pkgs = absent.map((n) => (n === 'ipmi_sim' ? 'openipmi' : 'ipmitool'));
  return `${absent.join(' and ')} not installed (Debian: apt-get install ${pkgs.join(' ')}; scripts/test-deps.sh does it as root)`;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Whether some socket is bound to UDP 127.0.0.1:port (ipmi_sim binds its LAN port once configured). */
function udpBound(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return fs.readFileSync('/proc/net/udp', 'utf8').split('\n').some((l) => l.trim().split(/\s+/)[1] === local);
  } catch {
    return false;
  }
}

/** For the callback target: a loopback endpoint with the control endpoint's two power calls. */
async function callbackEndpoint(t: { powerOn: () => Promise<void>; powerOff: () => Promise<void> }): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const action = req.method === 'POST' ? { '/power/on': t.powerOn, '/power/off': t.powerOff }[req.url ?? ''] : undefined;
    if (!action) {
      res.writeHead(404).end();
      return;
    }
    action().then(
      () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'),
      (e: unknown) => res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: (e as Error).message })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function linkPid(dir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'link.pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** ipmi_sim's lan.conf (man 5 ipmi_lan) for one BMC whose power is the link process. */
function lanConf(o: { port: number; serialPort: number; username: string; password: string; startcmd: string; poweredOn: boolean }): string {
  const q = (s: string) => `"${s}"`;
  return [
    'name "nimbox-bmc"',
    'set_working_mc 0x20',
    '  startlan 1',
    `    addr 127.0.0.1 ${o.port}`,
    '    priv_limit admin',
    // IPMI 1.5 logins stay possible, as on most BMCs; ipmitool -I lanplus uses RMCP+ (cipher suite 3 here).
    '    allowed_auths_callback md5',
    '    allowed_auths_user md5',
    '    allowed_auths_operator md5',
    '    allowed_auths_admin md5',
    `    guid ${crypto.randomBytes(16).toString('hex')}`,
    '  endlan',
    // ipmi_sim powers the chassis through the system interface's "VM" codec: without a VM connected on
    // this port, power off sends the startcmd SIGTERM at the next one-second tick.
    `  serial 15 127.0.0.1 ${o.serialPort} codec VM`,
    `  startcmd ${q(o.startcmd)}`,
    `  startnow ${o.poweredOn ? 'true' : 'false'}`,
    // No VM to ask for a graceful shutdown: SIGTERM straight away, SIGKILL if the link hangs 5 s.
    '  poweroff_wait 1',
    '  kill_wait 5',
    `  user 2 true ${q(o.username)} ${q(o.password)} admin 10 md5`,
    '',
  ].join('\n');
}

const EMU = ['mc_setbmc 0x20', 'mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02', 'mc_enable 0x20', ''].join('\n');

/** Everything still running, killed at once if the test process exits without stop(). */
const running = new Set<() => void>();
let exitHook = false;

/**
 * Starts ipmi_sim on a free UDP port of 127.0.0.1 and resolves once it listens (and, when powered
 * on, once the power link runs).
 */
export async function startBmc(target: BmcTarget, opts: BmcOptions = {}): Promise<Bmc> {
  const missing = bmcMissing();
  if (missing) throw new Error(missing);
  const username = opts.username ?? 'admin';
  const password = opts.password ?? crypto.randomBytes(8).toString('hex');
  for (const [k, v] of [['username', username], ['password', password]] as const) {
    if (!/^[\x21-\x7e]{1,16}$/.test(v) || v.includes('"')) throw new Error(`startBmc: ${k} must be 1 to 16 printable characters without spaces or quotes`);
  }
  // ipmi_sim runs `/bin/sh -c "exec <startcmd>"`: single quotes keep each word whole.
  const given = [process.execPath, LINK, os.tmpdir(), 'controlUrl' in target ? target.controlUrl : ''];
  if (given.some((w) => /['"\n]/.test(w))) throw new Error(`startBmc: a path or URL holds a quote: ${given.join(' ')}`);
  const endpoint = 'controlUrl' in target ? null : await callbackEndpoint(target);
  const controlUrl = endpoint?.url ?? (target as { controlUrl: string }).controlUrl;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-bmc-'));
  const startcmd = [process.execPath, LINK, controlUrl.replace(/\/+$/, ''), path.join(dir, 'link.pid')].map((w) => `'${w}'`).join(' ');
  const [port, serialPort] = [await freeUdpPort(), await freePort()];
  const poweredOn = opts.poweredOn ?? true;
  fs.writeFileSync(path.join(dir, 'lan.conf'), lanConf({ port, serialPort, username, password, startcmd, poweredOn }), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'bmc.emu'), EMU);
  fs.mkdirSync(path.join(dir, 'state'));

  // No -n: ipmi_sim reads emulator commands on stdin and shuts down at its end, so it goes with this
  // process however this process ends (the pipe's other end is only ours; nothing is ever written).
  const child: ChildProcess = spawn('ipmi_sim', ['-c', path.join(dir, 'lan.conf'), '-f', path.join(dir, 'bmc.emu'), '-s', path.join(dir, 'state')], {
    cwd: dir, stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const killNow = () => {
    const link = linkPid(dir);
    if (link && alive(link)) process.kill(link, 'SIGKILL');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  running.add(killNow);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => running.forEach((k) => k()));
  }

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      running.delete(killNow);
      // SIGKILL, not SIGTERM: ending the harness must not power the host off.
      const link = linkPid(dir);
      if (link && alive(link)) process.kill(link, 'SIGKILL');
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 1_000))]);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      await endpoint?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    })());

  const deadline = Date.now() + 10_000;
  for (;;) {
    const ready = udpBound(port) && (!poweredOn || linkPid(dir) !== null);
    if (ready) break;
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const why = stderr.trim() || (child.exitCode !== null ? `exit ${child.exitCode}` : 'not listening after 10 s');
      await stop();
      throw new Error(`ipmi_sim did not start on udp 127.0.0.1:${port}: ${why}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { address: '127.0.0.1', port, username, password, dir, stop };
}
