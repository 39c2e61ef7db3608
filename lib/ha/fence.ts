/**
 * Fence agents (lib/ha): prove that a host is powered off before its machines run anywhere else.
 *
 * - ipmi: the host's BMC through `ipmitool -I lanplus`: `chassis power off`, then `chassis power
 *   status` until it says "Chassis Power is off". The password travels only in ipmitool's
 *   environment (IPMI_PASSWORD, read by -E), never on a command line.
 * - command: a site script run without a shell: `<script> <host name> <host URL>`, with
 *   NIMBOX_HOST_ID, NIMBOX_HOST_NAME and NIMBOX_HOST_URL in its environment; exit 0 = fenced.
 * - manual: never fenced by an agent; an admin confirms (the HA manager handles it).
 *
 * Every answer is an outcome, never a throw: fenced or not, with a sentence saying why.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FenceConfig } from './types';

export interface FenceOutcome {
  /** True only when the host is proven powered off. */
  fenced: boolean;
  /** What happened, in a sentence (the BMC's or the script's own words when it failed). */
  detail: string;
}

export interface FenceHost {
  id: string;
  name: string;
  url: string;
}

export interface FenceOptions {
  /** Aborting stops the agent (its process is killed) and answers fenced: false. */
  signal?: AbortSignal;
  /** How long the whole fence may take, in ms (default 60 s). */
  timeoutMs?: number;
}

export type IpmiFenceConfig = Extract<FenceConfig, { kind: 'ipmi' }>;
export type PowerStatus = 'on' | 'off' | 'unknown';

export const DEFAULT_FENCE_TIMEOUT_MS = 60_000;
/** How often `chassis power status` is asked again while the BMC still reports on. */
const POLL_MS = 300;
/** Longest a single ipmitool call may take (its own retries end a dead BMC in about 6 s). */
const IPMITOOL_CALL_MS = 20_000;
/** How much of an agent's stdout and stderr is kept (the end). */
const OUTPUT_MAX = 64 * 1024;
/** What the fence script's last line may show in a detail. */
const DETAIL_MAX = 300;
/** Environment a fence script gets from Nimbox's own (nothing else: Nimbox's secrets stay here). */
const SCRIPT_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** Why the process could not run at all (spawn failed), else null. */
  error: string | null;
}

/**
 * Runs a program without a shell (spawn with an argument list, as execFile does) in its own process
 * group, so a timeout or an abort kills it and whatever it started: a script's `sleep` would otherwise
 * hold the pipes open. (execFile cannot: it does not pass `detached` on.)
 */
function run(file: string, args: string[], env: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let error: string | null = null;
    const out = { stdout: '', stderr: '' };
    const child = spawn(file, args, { env: env as NodeJS.ProcessEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (k: 'stdout' | 'stderr') => (c: Buffer) => {
      // The end is what tells why; a chatty agent keeps its last 64 KB.
      out[k] = (out[k] + c.toString('utf8')).slice(-OUTPUT_MAX);
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    const killAll = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killAll();
    }, Math.max(1, timeoutMs));
    const onAbort = () => {
      aborted = true;
      killAll();
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ code: child.exitCode, signal: child.signalCode, ...out, timedOut, aborted, error });
    };
    child.once('error', (e) => {
      error = e.message;
      // Spawning failed (no such file, not executable): no process, maybe no 'close' either.
      if (child.pid === undefined) finish();
    });
    child.once('close', finish);
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
const clip = (s: string) => (s.length > DETAIL_MAX ? `${s.slice(0, DETAIL_MAX - 1)}…` : s);

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return clip(lines.at(-1) ?? '');
}

/** Whether an executable of that name is on PATH. */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => {
    try {
      fs.accessSync(path.join(d || '.', name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

let ipmitoolReason: string | null | undefined;

/** Why ipmi fencing cannot work on this machine (no ipmitool), or null when it can. */
export function ipmitoolMissing(): string | null {
  if (ipmitoolReason === undefined) {
    ipmitoolReason = onPath('ipmitool') ? null : 'ipmitool is not installed on the Nimbox server (Debian: apt-get install ipmitool)';
  }
  return ipmitoolReason;
}

/** The cipher suite each BMC accepted (address:port → suite), so later calls skip the fallback. */
const cipherSuites = new Map<string, string>();

/**
 * One ipmitool call over IPMI 2.0 (RMCP+). Cipher suite 17 (SHA-256) first, 3 (SHA-1) when the BMC
 * refuses 17's algorithms: ipmitool's own discovery of the suites asks the BMC for its list and
 * waits out BMCs that do not answer that (OpenIPMI's among them), which costs seconds per call.
 * -R 2 -N 1: a BMC that does not answer fails in about 6 s instead of ipmitool's 20.
 */
async function ipmitool(cfg: IpmiFenceConfig, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<RunResult> {
  const key = `${cfg.address}:${cfg.port}`;
  const known = cipherSuites.get(key);
  let r: RunResult | undefined;
  for (const suite of known ? [known] : ['17', '3']) {
    const argv = ['-I', 'lanplus', '-C', suite, '-R', '2', '-N', '1', '-v', '-H', cfg.address, '-p', String(cfg.port), '-U', cfg.username, '-E', ...args];
    r = await run('ipmitool', argv, { PATH: process.env.PATH ?? '/usr/bin:/bin', IPMI_PASSWORD: cfg.password }, timeoutMs, signal);
    if (r.code === 0) {
      cipherSuites.set(key, suite);
      return r;
    }
    if (r.timedOut || r.aborted || !/algorithm|cipher suite/i.test(r.stderr)) return r;
    cipherSuites.delete(key);
  }
  return r!;
}

/** What -v adds on every session (not the reason for a failure). */
const IPMITOOL_CHATTER = [
  /^Loading IANA PEN Registry/i,
  /^Running Get VSO Capabilities/i,
  /^Invalid completion code received: Invalid command$/i,
  /^Discovered IPMB address/i,
];

/** ipmitool's own words for a failed call, e.g. "RAKP 2 HMAC is invalid; Error: Unable to establish IPMI v2 / RMCP+ session". */
function ipmitoolMessage(r: RunResult, timeoutMs: number): string {
  if (r.timedOut) return `ipmitool did not finish within ${seconds(timeoutMs)}`;
  if (r.aborted) return 'cancelled';
  if (r.error) return `ipmitool could not run: ${r.error}`;
  const lines = (r.stderr.trim() ? r.stderr : r.stdout)
    .split('\n')
    .map((l) => l.replace(/^>\s*/, '').trim())
    .filter((l) => l && !IPMITOOL_CHATTER.some((c) => c.test(l)));
  return clip([...new Set(lines)].join('; ')) || `ipmitool exited ${r.code ?? r.signal}`;
}

const bmcName = (cfg: IpmiFenceConfig) => `BMC ${cfg.address}${cfg.port === 623 ? '' : `:${cfg.port}`}`;

async function fenceIpmi(cfg: IpmiFenceConfig, timeoutMs: number, signal?: AbortSignal): Promise<FenceOutcome> {
  const missing = ipmitoolMissing();
  if (missing) return { fenced: false, detail: missing };
  const deadline = Date.now() + timeoutMs;
  const budget = () => Math.min(IPMITOOL_CALL_MS, deadline - Date.now());
  const cancelled = { fenced: false, detail: `fencing through ${bmcName(cfg)} was cancelled` };

  let ms = budget();
  const off = await ipmitool(cfg, ['chassis', 'power', 'off'], ms, signal);
  if (off.aborted) return cancelled;
  if (off.code !== 0) return { fenced: false, detail: `${bmcName(cfg)} did not take "chassis power off": ${ipmitoolMessage(off, ms)}` };

  // Power off is only asked for: the proof is the BMC reporting the chassis off.
  let last = off.stdout.trim();
  for (;;) {
    ms = budget();
    if (ms <= 0) break;
    const st = await ipmitool(cfg, ['chassis', 'power', 'status'], ms, signal);
    if (st.aborted) return cancelled;
    if (st.code === 0 && /Chassis Power is off/i.test(st.stdout)) {
      return { fenced: true, detail: `${bmcName(cfg)} reports Chassis Power is off` };
    }
    last = st.code === 0 ? st.stdout.trim() : ipmitoolMessage(st, ms);
    if (deadline - Date.now() <= POLL_MS) break;
    await sleep(POLL_MS, signal);
    if (signal?.aborted) return cancelled;
  }
  return {
    fenced: false,
    detail: clip(`${bmcName(cfg)} took "chassis power off" but did not report Chassis Power is off within ${seconds(timeoutMs)} (last: ${last || 'no answer'})`),
  };
}

async function fenceCommand(command: string, host: FenceHost, timeoutMs: number, signal?: AbortSignal): Promise<FenceOutcome> {
  if (!path.isAbsolute(command)) return { fenced: false, detail: `fence script must be an absolute path, not "${clip(command)}"` };
  const env: Record<string, string> = {};
  for (const k of SCRIPT_ENV) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  Object.assign(env, { NIMBOX_HOST_ID: host.id, NIMBOX_HOST_NAME: host.name, NIMBOX_HOST_URL: host.url });

  const r = await run(command, [host.name, host.url], env, timeoutMs, signal);
  const said = (first: string, second: string) => {
    const l = lastLine(first) || lastLine(second);
    return l ? `: ${l}` : '';
  };
  if (r.timedOut) return { fenced: false, detail: `fence script timed out after ${seconds(timeoutMs)} and was killed${said(r.stderr, r.stdout)}` };
  if (r.aborted) return { fenced: false, detail: 'fence script was cancelled (killed)' };
  if (r.error) return { fenced: false, detail: clip(`fence script could not run: ${r.error}`) };
  if (r.code === 0) return { fenced: true, detail: `fence script exited 0${said(r.stdout, r.stderr)}` };
  if (r.code === null) return { fenced: false, detail: `fence script was killed by ${r.signal}${said(r.stderr, r.stdout)}` };
  return { fenced: false, detail: `fence script exited ${r.code}${said(r.stderr, r.stdout)}` };
}

/**
 * Runs the host's fence agent. Resolves fenced: true only when the host is proven powered off;
 * any failure, timeout or cancellation resolves fenced: false with the reason. Never throws.
 */
export async function fence(config: FenceConfig, host: FenceHost, opts: FenceOptions = {}): Promise<FenceOutcome> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_FENCE_TIMEOUT_MS;
  try {
    switch (config.kind) {
      case 'ipmi':
        return await fenceIpmi(config, timeoutMs, opts.signal);
      case 'command':
        return await fenceCommand(config.command, host, timeoutMs, opts.signal);
      case 'manual':
        return { fenced: false, detail: `waiting for an admin to confirm that ${host.name} is powered off` };
    }
  } catch (e) {
    return { fenced: false, detail: clip(`fence agent failed: ${(e as Error).message}`) };
  }
}

/**
 * What the host's BMC says about its power (ipmi only; 'unknown' for other agents, or when the BMC
 * does not answer). A BMC reporting off is a second signal that the host itself is gone.
 */
export async function powerStatus(config: FenceConfig, opts: FenceOptions = {}): Promise<PowerStatus> {
  if (config.kind !== 'ipmi' || ipmitoolMissing()) return 'unknown';
  const r = await ipmitool(config, ['chassis', 'power', 'status'], opts.timeoutMs ?? IPMITOOL_CALL_MS, opts.signal);
  if (r.code !== 0) return 'unknown';
  if (/Chassis Power is off/i.test(r.stdout)) return 'off';
  if (/Chassis Power is on/i.test(r.stdout)) return 'on';
  return 'unknown';
}
