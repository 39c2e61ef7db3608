/*
 * Test harness (not used by the app): VirtualBox 7.1.12's own vboxwebsrv from ../shared/vbox-7.1
 * (NIMBOX_VBOX_DIR overrides), one instance per call with its own VBOX_USER_HOME in a temporary
 * folder, on a free loopback port. It runs everything but machines (no kernel driver). Tests that
 * need it ask `websrvMissing()` first and skip, saying why, when it cannot run here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const VBOX_DIR = process.env.NIMBOX_VBOX_DIR ?? path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/vbox-7.1');

export interface WebsrvOptions {
  /** null (default): any user name and password logs on; pam: VBoxAuth checks them with PAM. */
  auth?: 'null' | 'pam';
  /** PAM service for auth 'pam' (default login). */
  pamService?: string;
  /** vboxwebsrv --timeout: seconds a websession may idle (default 300). */
  timeoutSec?: number;
  /** vboxwebsrv --check-interval: how often, in seconds, its watchdog looks for idle websessions (default 5). */
  checkIntervalSec?: number;
  /** vboxwebsrv --threads (default 100). */
  threads?: number;
  /** vboxwebsrv --keepalive (default 100). */
  keepalive?: number;
  /** A fixed port (default: a free one). */
  port?: number;
}

export interface Websrv {
  url: string;
  port: number;
  /** This instance's VBOX_USER_HOME (machines under machines/). */
  home: string;
  /** Runs VBoxManage against this instance; throws with its stderr when it fails. */
  vboxManage(...args: string[]): string;
  stop(): Promise<void>;
}

/** VBoxManage showvminfo --machinereadable on one server, as key → value (quotes taken off). */
export function vmInfo(server: Pick<Websrv, 'vboxManage'>, nameOrId: string): Record<string, string> {
  return Object.fromEntries(server.vboxManage('showvminfo', nameOrId, '--machinereadable').split('\n').filter(Boolean).map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i).replace(/^"|"$/g, ''), l.slice(i + 1).replace(/^"|"$/g, '')];
  }));
}

let missingReason: string | null | undefined;

/** Why the real vboxwebsrv cannot run here, or null when it can. */
export function websrvMissing(): string | null {
  if (missingReason !== undefined) return missingReason;
  if (!fs.existsSync(path.join(VBOX_DIR, 'vboxwebsrv'))) return (missingReason = `no VirtualBox server side at ${VBOX_DIR}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-vbox-probe-'));
  const r = spawnSync(path.join(VBOX_DIR, 'VBoxManage'), ['--version'], { encoding: 'utf8', env: { ...process.env, VBOX_USER_HOME: home }, timeout: 10_000 });
  fs.rmSync(home, { recursive: true, force: true });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
    return (missingReason = `VBoxManage does not run (${why}); run ${VBOX_DIR}/install-deps.sh as root`);
  }
  return (missingReason = null);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Processes whose environment names this VBOX_IPC_SOCKETID (vboxwebsrv's VBoxSVC and VBoxXPCOMIPCD). */
function processesOf(socketId: string): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/environ`, 'latin1').split('\0').includes(`VBOX_IPC_SOCKETID=${socketId}`)) pids.push(Number(d));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of pids.filter(alive)) process.kill(p, 'SIGKILL');
}

/**
 * Starts a fresh vboxwebsrv and resolves once it listens. Nothing connects to it before the caller
 * does, so its first connections meet the cold server (no worker thread started yet).
 */
export async function startWebsrv(opts: WebsrvOptions = {}): Promise<Websrv> {
  const missing = websrvMissing();
  if (missing) throw new Error(missing);
  const port = opts.port ?? (await freePort());
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbox-vbox-'));
  const socketId = `nbx-${port}`;
  const env = {
    ...process.env, VBOX_USER_HOME: home, PORT: String(port), VBOX_IPC_SOCKETID: socketId, AUTH: opts.auth ?? 'null',
    ...(opts.pamService ? { VBOX_AUTH_PAM_SERVICE: opts.pamService } : {}),
  };
  const args: string[] = [];
  if (opts.timeoutSec !== undefined) args.push('--timeout', String(opts.timeoutSec));
  if (opts.checkIntervalSec !== undefined) args.push('--check-interval', String(opts.checkIntervalSec));
  if (opts.threads !== undefined) args.push('--threads', String(opts.threads));
  if (opts.keepalive !== undefined) args.push('--keepalive', String(opts.keepalive));
  const child: ChildProcess = spawn(path.join(VBOX_DIR, 'run-websrv.sh'), args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const log = path.join(home, 'vboxwebsrv.log');
  const deadline = Date.now() + 20_000;
  for (;;) {
    // vboxwebsrv logs this line once its socket listens; reading the log keeps the server untouched.
    if (fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('Socket connection successful')) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      fs.rmSync(home, { recursive: true, force: true });
      throw new Error(`vboxwebsrv did not start on port ${port}: ${stderr.trim() || `exit ${child.exitCode}`}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const vboxManage = (...a: string[]): string => {
    const r = spawnSync(path.join(VBOX_DIR, 'VBoxManage'), a, { encoding: 'utf8', env, timeout: 60_000 });
    if (r.status !== 0) throw new Error(`VBoxManage ${a.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
    return r.stdout;
  };
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    home,
    vboxManage,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          // vboxwebsrv ends its worker threads one second apart on SIGTERM: nothing of it is worth keeping.
          await Promise.race([exited, new Promise((r) => setTimeout(r, 500))]);
          if (child.exitCode === null) {
            child.kill('SIGKILL');
            await exited;
          }
        }
        // VBoxSVC would idle on for a few seconds after its last client, writing into home.
        const rest = processesOf(socketId);
        for (const p of rest) process.kill(p, 'SIGTERM');
        await waitGone(rest, 1_000);
        fs.rmSync(home, { recursive: true, force: true });
        fs.rmSync(path.join(os.tmpdir(), `.vbox-${socketId}-ipc`), { recursive: true, force: true });
      })()),
  };
}
