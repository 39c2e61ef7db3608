// What the benchmarks share: a progress bar on stderr, and vboxsim in its own process
// (so that its work is not counted as the measured code's).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

export function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((Math.min(done, total) / Math.max(1, total)) * width);
  process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round((done / Math.max(1, total)) * 100)}%`);
  if (done >= total) process.stderr.write('\n');
}

/** The q-quantile (0…1) of `xs` (nearest rank, not interpolated). */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** A process's resident set size in MB (Linux: /proc/<pid>/status). */
export function rssMB(pid: number): number {
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
}

export interface SimProcess {
  child: ChildProcess;
  /** Each host's SOAP URL and, with --control, its control endpoint. */
  hosts: { url: string; control?: string }[];
}

/** Starts `npm run sim` with `args` on free ports in a fresh state folder (removed when it exits). */
export async function startSimProcess(args: string[]): Promise<SimProcess> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sim-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', '--port', '0', '--state-dir', stateDir, ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.once('exit', () => fs.rmSync(stateDir, { recursive: true, force: true }));
  const hosts = await new Promise<SimProcess['hosts']>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      // The CLI prints one line per host, then a "state …" line when all are up.
      if (!out.includes('\nstate ')) return;
      resolve([...out.matchAll(/^\S+\s+(http:\/\/127\.0\.0\.1:\d+\/).*?(?:control (http:\/\/127\.0\.0\.1:\d+))?$/gm)]
        .map((m) => ({ url: m[1], control: m[2] })));
    });
    child.once('exit', (code) => reject(new Error(`vboxsim exited (${code}) before it was ready`)));
  });
  return { child, hosts };
}
