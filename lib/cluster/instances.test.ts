import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coord } from '@/lib/coord';
import { PostgresCoord } from '@/lib/coord/postgres';
import { openDb, type DB } from '@/lib/db';
import { onHostsChanged, type HostsChange } from '@/lib/db/hosts';
import { createTestDatabase, ensureTestPostgres } from '@/lib/db/pg-testing';
import { startSim, type Sim } from '@/sim/index';
import { Inventory } from './inventory';
import { registerHosts, tempDataDir, until } from './testing';
import type { InventoryEvent } from './types';

// Several instances on one PostgreSQL (issue 19): two Inventories, each with its own PostgresCoord and its own
// connection pool on one database, watching vboxsim hosts over HTTP. A third instance, a child process, adds a host.
const dataDir = tempDataDir('nimbox-instances-');
const ROOT = path.resolve(__dirname, '../..');
const TIMING = { pollMs: 500, reconcileMs: 700, backoffMs: 100, maxBackoffMs: 400, timeoutMs: 2_000 };
/** Demo machines per host; the sim's third host is registered by the test of host changes. */
const VMS = 2;

interface Instance {
  db: DB;
  coord: Coord;
  inventory: Inventory;
  seen: InventoryEvent[];
  stopped: boolean;
}

let url: string;
let sim: Sim;
let hostIds: string[];
const instances: Instance[] = [];

async function startInstance(): Promise<Instance> {
  const db = await openDb(url);
  const coord = await PostgresCoord.start(db);
  const inventory = new Inventory(async () => db, TIMING, async () => coord);
  const seen: InventoryEvent[] = [];
  inventory.subscribe((e) => seen.push(e));
  return { db, coord, inventory, seen, stopped: false };
}

async function stopInstance(i: Instance): Promise<void> {
  if (i.stopped) return;
  i.stopped = true;
  await i.inventory.stop();
  await i.coord.stop();
  await i.db.destroy();
}

/** Event listeners registered on the sim's host h (each HostMonitor has one). */
const listeners = (h: number) => sim.hosts[h].sim.events.listenerCount;

const holders = (hostId: string) => instances.filter((i) => !i.stopped && i.coord.holds(`host:${hostId}`));

/** Every host registered in the shared database, with its machines, in the instance's inventory. */
const complete = (i: Instance, hosts = hostIds.length) =>
  i.inventory.hosts().length === hosts && i.inventory.machines().length === hosts * VMS && i.inventory.hosts().every((h) => h.health === 'up');

beforeAll(async () => {
  url = createTestDatabase(await ensureTestPostgres());
  sim = await startSim({ hosts: 3, port: 0, vms: VMS, control: true, vrdeBase: 23000 + Math.floor(Math.random() * 100) * 100 });
  const setup = await openDb(url);
  hostIds = (await registerHosts(setup, { ...sim, hosts: sim.hosts.slice(0, 2) })).map((h) => h.id);
  await setup.destroy();
  instances.push(await startInstance(), await startInstance());
  await Promise.all(instances.map((i) => i.inventory.start()));
  await until('both instances list every machine', () => instances.every((i) => complete(i)), 20_000);
});

afterAll(async () => {
  for (const i of instances) await stopInstance(i);
  await sim?.stop();
  dataDir.remove();
});

describe('the inventory on two instances', () => {
  it("runs each host's monitor on exactly one instance, and shows every host's machines on both", async () => {
    await until('each host held', () => hostIds.every((id) => holders(id).length === 1));
    // One event listener on each host: one monitor among the instances.
    await until('one event listener per host', () => [0, 1].every((h) => listeners(h) === 1));
    for (const id of hostIds) {
      const [holder] = holders(id);
      expect(await instances[0].coord.holder(`host:${id}`)).toBe(holder.coord.instanceId);
    }
    const rows = (i: Instance) => i.inventory.machines().map((m) => `${m.name} ${m.hostName} ${m.state}`).sort();
    expect(rows(instances[1])).toEqual(rows(instances[0]));
    expect(rows(instances[0])).toHaveLength(2 * VMS);
    // The holder keeps the host's snapshot, from which the other instances start.
    const snapshots = await until('both snapshots written', async () => {
      const list = await instances[0].db.selectFrom('inventory_snapshots').select(['host_id', 'holder']).execute();
      return list.length === 2 && list;
    });
    for (const s of snapshots) expect(s.holder).toBe(holders(s.host_id)[0].coord.instanceId);
  });

  it("brings a machine's state change on a host to the subscribers of both", async () => {
    for (const [h, id] of hostIds.entries()) {
      const core = sim.hosts[h].sim.machines().find((c) => c.state === 'PoweredOff')!;
      const from = instances.map((i) => i.seen.length);
      await sim.hosts[h].sim.powerOn(core);
      for (const [n, i] of instances.entries()) {
        await until(`Running on instance ${n + 1} (host ${id})`, () =>
          i.seen.slice(from[n]).some((e) => e.type === 'machine' && e.machine.id === core.id && e.machine.state === 'Running'));
        expect(i.inventory.machine(core.id)).toMatchObject({ state: 'Running', hostId: id, stale: false });
      }
    }
  });

  it("completes a replica that started before the holder's snapshot had the host's machines (a first start, a takeover)", async () => {
    // No snapshot yet, and none written for a while (the holders' writes wait on a lock; reads pass): a third
    // instance starting now learns the hosts only from the holders' events, which a scan does not send per machine.
    await instances[0].db.deleteFrom('inventory_snapshots').execute();
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    let late: Instance | undefined;
    try {
      await locker.query('begin');
      await locker.query('lock table inventory_snapshots in exclusive mode');
      late = await startInstance();
      await late.inventory.start();
      expect(late.inventory.machines()).toHaveLength(0);
      // A change on host 0: its holder's events (the machine, the host's counts) reach the late instance.
      const core = sim.hosts[0].sim.machines().find((c) => c.state === 'Running')!;
      expect((await fetch(`${sim.hosts[0].control}/machines/${core.id}/crash`, { method: 'POST' })).ok).toBe(true);
      await until('the late instance hears the change', () => late!.inventory.machine(core.id)?.state === 'Aborted');
      await locker.query('commit');
      // The holder's count says machines are missing: the late instance reads the snapshot again and lists them all.
      await until('the late instance lists every machine', () => late!.inventory.machines().length === hostIds.length * VMS);
    } finally {
      await locker.end();
      if (late) await stopInstance(late);
    }
  });

  it('falls back to a replica when its lease is taken from it, and monitors the host again once it is free', async () => {
    const id = hostIds[1];
    const [holder] = holders(id);
    const total = holder.inventory.machines().length;
    // The database says another instance holds it now (as after renewals that failed): the holder lets it go.
    const lease = () => holder.db.updateTable('coord_leases').where('name', '=', `host:${id}`);
    await lease().set({ holder: 'elsewhere', expires_at: Date.now() + 3_600_000 }).execute();
    await until('the holder lets the host go', () => holders(id).length === 0);
    await until("the host's monitor stopped", () => listeners(1) === 0);
    for (const i of instances) {
      expect(i.inventory.machines()).toHaveLength(total);
      expect(i.inventory.host(id)?.health).toBe('up');
    }
    // Free again: one of the two takes it, and a change on the host reaches both.
    await lease().set({ expires_at: 0 }).execute();
    await until('held again', () => holders(id).length === 1 && listeners(1) === 1);
    const core = sim.hosts[1].sim.machines().find((c) => c.state === 'Running')!;
    const from = instances.map((i) => i.seen.length);
    expect((await fetch(`${sim.hosts[1].control}/machines/${core.id}/crash`, { method: 'POST' })).ok).toBe(true);
    for (const [n, i] of instances.entries()) {
      await until(`Aborted on instance ${n + 1}`, () =>
        i.seen.slice(from[n]).some((e) => e.type === 'machine' && e.machine.id === core.id && e.machine.state === 'Aborted'));
    }
  });

  it('shows a host another instance registers on both', async () => {
    // A third instance (its own process, coordination and database pool) registers the sim's third host.
    const script = path.join(dataDir.dir, 'add-host.mts');
    fs.writeFileSync(script, `
      import { openCoord } from '@/lib/coord';
      import { openDb } from '@/lib/db';
      import { createHost, shareHostsChanges } from '@/lib/db/hosts';
      const [url, name, hostUrl] = process.argv.slice(2);
      const db = await openDb(url);
      const coord = await openCoord(db);
      shareHostsChanges(coord);
      await createHost(db, { name, url: hostUrl, username: 'vbox', password: 'vbox' });
      await coord.stop();
      await db.destroy();
    `);
    const heard: HostsChange[] = [];
    const off = onHostsChanged((c) => void heard.push(c));
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [script, url, sim.hosts[2].name, sim.hosts[2].url], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    const [added] = await instances[0].db.selectFrom('hosts').select('id').where('name', '=', sim.hosts[2].name).execute();
    hostIds.push(added.id);
    await until('the new host listed by both, with its machines', () => instances.every((i) => complete(i)), 20_000);
    await until('the new host held by one instance', () => holders(added.id).length === 1);
    // This process's listeners heard the other instance's change once (two instances here share it).
    off();
    expect(heard.map((c) => `${c.type} ${c.host.name}`)).toEqual([`created ${sim.hosts[2].name}`]);
  }, 60_000);

  it('hands a host over when its holder stops, and the other keeps listing every machine', async () => {
    const id = hostIds[0];
    const [holder] = holders(id);
    const other = instances.find((i) => i !== holder)!;
    const total = other.inventory.machines().length;
    // The other's list, read all along the handover.
    let fewest = total;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        fewest = Math.min(fewest, other.inventory.machines().length);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await stopInstance(holder);
    await until('the other instance holds the host', () => other.coord.holds(`host:${id}`), 15_000);
    expect(await other.coord.holder(`host:${id}`)).toBe(other.coord.instanceId);
    // Its own monitor follows the host now: a change shows there.
    const core = sim.hosts[0].sim.machines().find((c) => c.state === 'Running')!;
    const from = other.seen.length;
    expect((await fetch(`${sim.hosts[0].control}/machines/${core.id}/crash`, { method: 'POST' })).ok).toBe(true);
    await until('Aborted from the new holder', () =>
      other.seen.slice(from).some((e) => e.type === 'machine' && e.machine.id === core.id && e.machine.state === 'Aborted'));
    watching = false;
    await watch;
    expect(fewest).toBe(total);
    expect(other.inventory.machines().every((m) => !m.stale)).toBe(true);
    expect(hostIds.every((h) => holders(h).length === 1 && holders(h)[0] === other)).toBe(true);
  });
});
