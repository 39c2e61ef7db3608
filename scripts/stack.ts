// vboxsim plus a Nimbox server with the simulated hosts registered: the demo, the
// end-to-end tests and the benchmarks all run on this.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '../lib/db';
import { DEFAULT_TELEPORT_PORTS, createHost, listHosts, updateHost } from '../lib/db/hosts';
import { startSim, type Sim, type SimOptions } from '../sim/index';

const root = path.resolve(import.meta.dirname, '..');

export interface StackOptions {
  dataDir: string;
  port: number;
  sim: SimOptions;
  /** Extra environment for the Nimbox server (e.g. NIMBOX_ADMIN_PASSWORD). */
  env?: Record<string, string>;
  /** Runs once the simulated hosts are up and registered, before Nimbox starts (seed data, tag machines). */
  beforeServer?: (sim: Sim, dataDir: string) => Promise<void>;
}

export interface Stack {
  sim: Sim;
  url: string;
  next: ChildProcess;
  stop(): Promise<void>;
}

/** The stack's database: DATABASE_URL when set (PostgreSQL), else the data folder's SQLite file. */
export const dbLocation = (dataDir: string): string => process.env.DATABASE_URL?.trim() || path.join(dataDir, 'nimbox.sqlite');

/** Registers every simulated host in Nimbox's database (once; kept across restarts). */
async function registerHosts(dataDir: string, sim: Sim): Promise<void> {
  process.env.NIMBOX_DATA_DIR = dataDir;
  const db = await openDb(dbLocation(dataDir));
  try {
    const known = new Map((await listHosts(db)).map((h) => [h.name, h]));
    for (const h of sim.hosts) {
      // The simulated hosts share 127.0.0.1: each teleports in on its own ports, the top hundred of its VRDE range.
      const top = Number(h.vrdePorts.split('-')[1]);
      const teleportPorts = `${top - 99}-${top}`;
      const host = known.get(h.name);
      if (host) {
        if (host.teleportPorts === DEFAULT_TELEPORT_PORTS) await updateHost(db, host.id, { teleportPorts });
        // A demo folder from before ISO uploads: this server mounts the sim's storage (it is the same machine).
        if (!host.localStoragePath && host.storagePath === sim.storageDir) await updateHost(db, host.id, { localStoragePath: sim.storageDir });
        continue;
      }
      await createHost(db, {
        name: h.name, url: h.url, username: 'vbox', password: 'vbox',
        consoleAddress: '127.0.0.1', teleportAddress: '127.0.0.1', storagePath: sim.storageDir,
        // Nimbox runs on the sim's machine: its path to the storage is the storage itself (ISO uploads).
        localStoragePath: sim.storageDir,
        // New machines get ports from the range the simulated host's demo machines use (VirtualBox takes the first free one).
        vrdePorts: h.vrdePorts, bridgeAdapter: 'vbox0', teleportPorts,
      });
    }
  } finally {
    await db.destroy();
  }
}

/**
 * Starts the Nimbox server (server.ts, production build) on 127.0.0.1:`port` with its data in
 * `dataDir`, and resolves once /api/v1/health answers; a server that does not come up is killed.
 */
export async function startServer(o: { dataDir: string; port: number; env?: Record<string, string>; stdio?: StdioOptions }): Promise<{ next: ChildProcess; url: string }> {
  const next = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server.ts'), '-p', String(o.port), '-H', '127.0.0.1'], {
    cwd: root,
    stdio: o.stdio ?? 'inherit',
    env: { ...process.env, ...o.env, NODE_ENV: 'production', NIMBOX_DATA_DIR: o.dataDir, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const url = `http://127.0.0.1:${o.port}`;
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (next.exitCode !== null) throw new Error(`the Nimbox server exited (${next.exitCode}); is it built? (npm run build)`);
      try {
        if ((await fetch(`${url}/api/v1/health`)).ok) return { next, url };
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error('the Nimbox server did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    next.kill('SIGTERM');
    throw e;
  }
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const dataDir = path.resolve(o.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const sim = await startSim({ ...o.sim, stateDir: path.join(dataDir, 'sim') });
  // Autostart needs each host's autostart database (VBoxManage setproperty autostartdbpath): a folder per host in its state.
  for (const h of sim.hosts) {
    const db = path.join(sim.stateDir, h.name, 'autostart');
    fs.mkdirSync(db, { recursive: true });
    (h.sim.parent as unknown as { getSystemProperties(): { setAutostartDatabasePath(p: string): void } }).getSystemProperties().setAutostartDatabasePath(db);
  }
  await registerHosts(dataDir, sim);
  await o.beforeServer?.(sim, dataDir);
  const { next, url } = await startServer({ dataDir, port: o.port, env: o.env });
  return {
    sim, url, next,
    async stop() {
      next.kill('SIGTERM');
      await new Promise((r) => (next.exitCode !== null ? r(null) : next.once('exit', r)));
      await sim.stop();
    },
  };
}

/** Signs in through next-auth's credentials flow, as a browser would; returns the Cookie header to send. */
export async function signIn(url: string, username: string, password: string): Promise<string> {
  const cookies = (r: Response) => r.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = await fetch(`${url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = cookies(csrf);
  const r = await fetch(`${url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: jar.join('; ') },
    body: new URLSearchParams({ csrfToken, username, password, json: 'true' }),
  });
  const session = cookies(r).find((c) => c.includes('session-token='));
  if (!session) throw new Error(`sign-in as ${username} failed (HTTP ${r.status})`);
  return [...jar, session].join('; ');
}
