import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DB } from '@/lib/db';
import type { HostInput, HostView } from '@/lib/db/hosts';
import type { Sim, SimHostInfo, SimOptions } from '@/sim/index';
import type { MachineCore } from '@/sim/model/machine';
import type { Inventory } from './inventory';

/*
 * Test helpers (not used by the app): a throw-away data folder, and vboxsim hosts registered in it
 * and watched by the process's inventory. Nothing of the app is imported at load time (types aside),
 * so a test can import this module inside vi.hoisted, before NIMBOX_DATA_DIR points at its folder;
 * the app's modules load when a cluster starts.
 */

export interface TempDataDir {
  dir: string;
  remove(): void;
}

/**
 * Points NIMBOX_DATA_DIR at a new temporary folder, and unsets what would point the app at state
 * outside it (DATABASE_URL, NIMBOX_SECRET) or rename its session cookie (NEXTAUTH_URL). Call it
 * before the app's modules load: in vi.hoisted, as
 * `const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-x-'))`.
 */
export function tempDataDir(prefix: string): TempDataDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.env.NIMBOX_DATA_DIR = dir;
  delete process.env.DATABASE_URL;
  delete process.env.NIMBOX_SECRET;
  delete process.env.NEXTAUTH_URL;
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `f` every 20 ms until it returns something truthy, and returns that; throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, f: () => T | undefined | false | null | Promise<T | undefined | false | null>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a host is registered with besides its name, URL and the sim's credentials. */
export type HostFields = Omit<HostInput, 'name' | 'url' | 'username' | 'password'>;

/** Registers every host of the sim in `db`, in the sim's order, with the sim's credentials. */
export async function registerHosts(db: DB, sim: Sim, fields: TestClusterOptions['host'] = {}): Promise<HostView[]> {
  const { createHost } = await import('@/lib/db/hosts');
  const hosts: HostView[] = [];
  for (const [index, info] of sim.hosts.entries()) {
    const extra = typeof fields === 'function' ? fields({ sim, info, index }) : fields;
    hosts.push(await createHost(db, { name: info.name, url: info.url, username: 'vbox', password: 'vbox', ...extra }));
  }
  return hosts;
}

/**
 * Per-host fields for teleport tests: disks on the shared storage, the sim's VRDE ports, and a
 * hundred teleport ports per host from `teleportBase` on, on loopback.
 */
export function teleportHosts(teleportBase: number): TestClusterOptions['host'] {
  return ({ sim, info, index }) => ({
    storagePath: sim.storageDir, vrdePorts: info.vrdePorts,
    teleportAddress: '127.0.0.1', teleportPorts: `${teleportBase + 100 * index}-${teleportBase + 100 * index + 99}`,
  });
}

export interface TestClusterOptions extends SimOptions {
  /** Registration fields for every host, or per host (`sim.storageDir` is the shared storage). */
  host?: HostFields | ((h: { sim: Sim; info: SimHostInfo; index: number }) => HostFields);
  /** Runs once the sim is up, before its hosts are registered: changes the first scan must see. */
  prepare?: (sim: Sim) => void | Promise<void>;
  /** How many machines (rows: twins count once) the inventory lists before the tests run. */
  machines: number;
  /** Also wait until every host is up with its free memory known (placement and preflight read it). */
  hostsUp?: boolean;
  /** How long the inventory may take to get there (default 10 s). */
  timeoutMs?: number;
}

export interface TestCluster {
  sim: Sim;
  /** The registered hosts, in the sim's order. */
  hosts: HostView[];
  /** Stops the inventory and the sim, and removes the sim's state folder. */
  stop(): Promise<void>;
}

// One cluster per test file: the inventory it starts is the process's (getInventory()).
interface Running {
  sim: Sim;
  inventory?: Inventory;
}
let current: Running | undefined;

/**
 * Starts vboxsim with the sim options, registers its hosts in the data folder's database
 * (getDb()), starts the process's inventory and waits until it lists `machines` machines.
 */
export async function startTestCluster(o: TestClusterOptions): Promise<TestCluster> {
  const { host, prepare, machines, hostsUp = false, timeoutMs = 10_000, ...simOptions } = o;
  const { startSim } = await import('@/sim/index');
  const { getDb } = await import('@/lib/db');
  const { getInventory } = await import('./inventory');
  const sim = await startSim(simOptions);
  const running: Running = { sim };
  current = running;
  const cluster: TestCluster = {
    sim,
    hosts: [],
    async stop() {
      await running.inventory?.stop();
      await sim.stop();
      if (current === running) current = undefined;
    },
  };
  try {
    await prepare?.(sim);
    cluster.hosts = await registerHosts(await getDb(), sim, host);
    const inventory = getInventory();
    running.inventory = inventory;
    await inventory.start();
    await until(`${machines} machines in the inventory${hostsUp ? ' and every host up' : ''}`, () =>
      inventory.machines().length === machines && (!hostsUp || inventory.hosts().every((h) => h.health === 'up' && h.memoryAvailableMB !== null)), timeoutMs);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

function started(): Running {
  if (!current) throw new Error('no test cluster is running (startTestCluster)');
  return current;
}

/** The id of the machine the inventory lists by that name. */
export function idOf(name: string): string {
  const m = started().inventory?.machines().find((x) => x.name === name);
  if (!m) throw new Error(`no machine ${name} in the inventory`);
  return m.id;
}

/** The simulated machine by that name (its state behind the SOAP), on whichever host has it first. */
export function core(name: string): MachineCore {
  const c = started().sim.hosts.flatMap((h) => h.sim.machines()).find((x) => x.name === name);
  if (!c) throw new Error(`no machine ${name} in the sim`);
  return c;
}
