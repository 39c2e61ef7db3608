import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { createTestDatabase, testingOnPostgres } from '@/lib/db/pg-testing';
import type { User } from '@/lib/auth/policy';
import type { DB } from '@/lib/db';
import type { HostInput, HostView } from '@/lib/db/hosts';
import type { Task } from '@/lib/tasks';
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
 * outside it (DATABASE_URL, NIMBOX_SECRET) or rename its session cookie (NEXTAUTH_URL). In the
 * PostgreSQL run (NIMBOX_TEST_DB=postgres) DATABASE_URL points at a new database instead. Call it
 * before the app's modules load: in vi.hoisted, as
 * `const dataDir = await vi.hoisted(async () => (await import('@/lib/cluster/testing')).tempDataDir('nimbox-x-'))`.
 */
export function tempDataDir(prefix: string): TempDataDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.env.NIMBOX_DATA_DIR = dir;
  if (testingOnPostgres()) process.env.DATABASE_URL = createTestDatabase();
  else delete process.env.DATABASE_URL;
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

/** The two hosts' indexes in a two-host cluster (startTwoHosts): the sim's order, the registered hosts' too. */
export const [ALPHA, BRAVO] = [0, 1];

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

/** Per-host fields: disks on the sim's shared storage and the sim's VRDE ports, and `extra`. */
export function sharedStorageHosts(extra: HostFields = {}): TestClusterOptions['host'] {
  return ({ sim, info }) => ({ storagePath: sim.storageDir, vrdePorts: info.vrdePorts, ...extra });
}

/**
 * Per-host fields for teleport tests: disks on the shared storage, the sim's VRDE ports, and a
 * hundred teleport ports per host from `teleportBase` on, on loopback; and `extra`.
 */
export function teleportHosts(teleportBase: number, extra: HostFields = {}): TestClusterOptions['host'] {
  return ({ sim, info, index }) => ({
    storagePath: sim.storageDir, vrdePorts: info.vrdePorts,
    teleportAddress: '127.0.0.1', teleportPorts: `${teleportBase + 100 * index}-${teleportBase + 100 * index + 99}`,
    ...extra,
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
  hosts: HostView[];
  inventory?: Inventory;
}
let current: Running | undefined;
let lastCluster: TestCluster | undefined;

/** After all the file's tests (call it at the file's top level): the test cluster stopped and the data folder removed. */
export function cleanUpAfterAll(dataDir: TempDataDir): void {
  afterAll(async () => {
    await lastCluster?.stop();
    dataDir.remove();
  });
}

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
  const running: Running = { sim, hosts: [] };
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
  lastCluster = cluster;
  try {
    await prepare?.(sim);
    cluster.hosts = await registerHosts(await getDb(), sim, host);
    running.hosts = cluster.hosts;
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

/** VM timings (ms) that keep an API test quick. */
export const QUICK_TIMING = { start: 50, stop: 20, save: 20, acpiShutdown: 50 };

/**
 * The cluster most API tests run on (startTestCluster): two vboxsim hosts with control endpoints, no demo
 * machines, QUICK_TIMING, registered with the shared storage and their VRDE ports; the tests start once
 * both hosts are up. `o` changes any of it.
 */
export function startTwoHosts(o: Partial<TestClusterOptions> & { vrdeBase: number }): Promise<TestCluster> {
  return startTestCluster({
    hosts: 2, port: 0, vms: 0, control: true, timing: QUICK_TIMING, host: sharedStorageHosts(),
    machines: 0, hostsUp: true, timeoutMs: 20_000, ...o,
  });
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

/** The copy of a machine on host i of the sim (its state behind that host's SOAP). */
export function copyOn(i: number, id: string): MachineCore {
  const c = started().sim.hosts[i].sim.machines().find((m) => m.id === id);
  if (!c) throw new Error(`no copy of ${id} on host ${i}`);
  return c;
}

/** Until each machine is registered on every host of the sim (a twin on each). */
export async function onEveryHost(...ids: string[]): Promise<void> {
  const { sim } = started();
  await until(`${ids.join(', ')} on every host`, () => ids.every((id) => sim.hosts.every((h) => h.sim.machines().some((m) => m.id === id))));
}

/** Until each machine is registered on every host, and the inventory's monitors show every copy (they see a registration a moment later). */
export async function copiesListed(...ids: string[]): Promise<void> {
  await onEveryHost(...ids);
  const { hosts, inventory } = started();
  await until(`${ids.join(', ')}'s copies in the inventory`, () => ids.every((id) => hosts.every((h) => inventory?.monitor(h.id)?.machine(id))));
}

/**
 * Registers real vboxwebsrv servers (lib/vbox/websrv-harness: any user logs on) in the data folder's
 * database as hosts vbox-real, vbox-real-2, … with 50 VRDE ports each from 5900 and `fields`; starts the
 * process's inventory (stop it after: getInventory().stop()) and waits until every one is up.
 */
export async function registerWebsrvs(servers: { url: string }[], fields: HostFields = {}): Promise<HostView[]> {
  const { getDb } = await import('@/lib/db');
  const { createHost } = await import('@/lib/db/hosts');
  const { getInventory } = await import('./inventory');
  const db = await getDb();
  const hosts: HostView[] = [];
  for (const [i, w] of servers.entries()) {
    hosts.push(await createHost(db, {
      name: i === 0 ? 'vbox-real' : `vbox-real-${i + 1}`, url: w.url, username: 'nimbox', password: 'any',
      bridgeAdapter: 'eth0', vrdePorts: `${5900 + 50 * i}-${5949 + 50 * i}`, ...fields,
    }));
  }
  const inv = getInventory();
  await inv.start();
  await until(`the real host${servers.length > 1 ? 's' : ''} scanned`, () => inv.hosts().every((h) => h.health === 'up'), 20_000);
  return hosts;
}

/**
 * Creates a machine through vm.create (lib/cluster/operations) as `user`, and waits until the inventory
 * lists it with a twin on each host of `input.registerOnOtherHosts`; its id. Throws when the task fails.
 */
export async function createThroughOps(input: { name: string; registerOnOtherHosts?: string[] } & Record<string, unknown>, user: User): Promise<string> {
  const ops = await import('./operations');
  const { waitForTask } = await import('@/lib/tasks');
  const { getInventory } = await import('./inventory');
  const plan = await ops.planCreate(input, user);
  const created = await waitForTask((await ops.startCreate(plan, user)).id, 60_000);
  if (created.status !== 'succeeded') throw new Error(`${input.name} was not created: ${JSON.stringify(created.error)}`);
  const twins = input.registerOnOtherHosts?.length ?? 0;
  await until(`${input.name} in the inventory with ${twins} twin(s)`, () => getInventory().machine(created.targetId)?.twins.length === twins, 20_000);
  return created.targetId;
}

/** Waits (60 s at most) until a started task ends; the task as it ended. */
export async function taskEnded(started: Promise<{ id: string }>): Promise<Task> {
  const { waitForTask } = await import('@/lib/tasks');
  return waitForTask((await started).id, 60_000);
}

/** Waits until a started task ends and expects it to have succeeded (its error shown otherwise). */
export async function taskSucceeded(started: Promise<{ id: string }>): Promise<Task> {
  const t = await taskEnded(started);
  expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
  return t;
}
